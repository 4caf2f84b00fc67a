using TorchSla.IO;
using Xunit;

namespace TorchSla.Tests.IO;

/// <summary>Each malformed input raises <see cref="MatrixFormatException"/> at the right line.</summary>
public class MatrixMarketMalformedTests
{
    private const string Coo = "%%MatrixMarket matrix coordinate real general\n";

    private static MatrixFormatException Fails(string text, int line, string? contains = null)
    {
        var e = Assert.Throws<MatrixFormatException>(() => MatrixMarket.Read<double>(new StringReader(text), "bad.mtx"));
        Assert.Equal(line, e.Line);
        Assert.Equal("bad.mtx", e.Source);
        Assert.StartsWith($"bad.mtx line {line}: ", e.Message, StringComparison.Ordinal);
        if (contains is not null) Assert.Contains(contains, e.Message, StringComparison.Ordinal);
        // the dense reader reports the same problem at the same line
        var d = Assert.Throws<MatrixFormatException>(() => MatrixMarket.ReadDense<double>(new StringReader(text), "bad.mtx"));
        Assert.Equal(line, d.Line);
        return e;
    }

    [Fact] public void EmptyInput() => Fails("", 1, "empty");
    [Fact] public void BannerMissing() => Fails("3 3 1\n1 1 1\n", 1, "bad banner");
    [Fact] public void BannerMisspelled() => Fails("%%MatrixMarkt matrix coordinate real general\n1 1 0\n", 1, "bad banner");
    [Fact] public void BannerTooShort() => Fails("%%MatrixMarket matrix coordinate real\n1 1 0\n", 1, "4 words");
    [Fact] public void BannerTooLong() => Fails("%%MatrixMarket matrix coordinate real general extra\n1 1 0\n", 1, "6 words");
    [Fact] public void UnknownObject() => Fails("%%MatrixMarket vector coordinate real general\n1 1 0\n", 1, "'vector'");
    [Fact] public void UnknownFormat() => Fails("%%MatrixMarket matrix sparse real general\n1 1 0\n", 1, "unknown format 'sparse'");
    [Fact] public void UnknownField() => Fails("%%MatrixMarket matrix coordinate quaternion general\n1 1 0\n", 1, "unknown field 'quaternion'");
    [Fact] public void UnknownSymmetry() => Fails("%%MatrixMarket matrix coordinate real diagonal\n1 1 0\n", 1, "unknown symmetry 'diagonal'");
    [Fact] public void ComplexIsNotSupportedYet() => Fails("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 2\n", 1, "complex matrices are not supported yet");
    [Fact] public void PatternArray() => Fails("%%MatrixMarket matrix array pattern general\n1 1\n", 1, "coordinate");
    [Fact] public void PatternSkew() => Fails("%%MatrixMarket matrix coordinate pattern skew-symmetric\n2 2 0\n", 1, "skew");

    [Fact] public void SizeLineMissing() => Fails(Coo + "% only comments\n\n", 4, "before the size line");
    [Fact] public void SizeLineNegative() => Fails(Coo + "% c\n-3 3 1\n1 1 1\n", 3, "rows is negative (-3)");
    [Fact] public void SizeLineNegativeEntries() => Fails(Coo + "3 3 -1\n", 2, "entries is negative");
    [Fact] public void SizeLineNonNumeric() => Fails(Coo + "3 x 1\n1 1 1\n", 2, "columns 'x' is not an integer");
    [Fact] public void SizeLineWrongCount() => Fails(Coo + "3 3\n1 1 1\n", 2, "2 words, expected 3");
    [Fact] public void SizeLineTooLarge() => Fails(Coo + "3000000000 3 1\n1 1 1\n", 2, "exceeds");
    [Fact] public void ArraySizeLineWrongCount() => Fails("%%MatrixMarket matrix array real general\n3 3 9\n", 2, "expected 2");
    [Fact] public void SymmetricNotSquare() => Fails("%%MatrixMarket matrix coordinate real symmetric\n% c\n3 4 1\n1 1 1\n", 3, "square");

    [Fact] public void TruncatedEntries() => Fails(Coo + "3 3 4\n1 1 1\n2 2 2\n", 5, "after 2 of the 4 entries");
    [Fact] public void TruncatedWithTrailingBlankLines() => Fails(Coo + "3 3 2\n1 1 1\n\n\n", 6, "after 1 of the 2 entries");
    [Fact] public void TooManyEntries() => Fails(Coo + "3 3 1\n1 1 1\n% ok\n2 2 2\n", 5, "more entries than the 1");
    [Fact] public void NonNumericValue() => Fails(Coo + "3 3 2\n1 1 1\n2 2 two\n", 4, "value 'two' is not a number");
    [Fact] public void NonNumericIndex() => Fails(Coo + "3 3 1\n1.5 1 1\n", 3, "row index '1.5' is not an integer");
    [Fact] public void RowIndexOutOfRange() => Fails(Coo + "3 3 1\n4 1 1\n", 3, "row index 4 is out of range [1, 3]");
    [Fact] public void ColumnIndexZero() => Fails(Coo + "3 3 1\n1 0 1\n", 3, "column index 0 is out of range [1, 3]");
    [Fact] public void TooFewTokens() => Fails(Coo + "3 3 1\n1 1\n", 3, "expected 3 numbers (row column value), found 2");
    [Fact] public void TooManyTokens() => Fails(Coo + "3 3 1\n1 1 1 0\n", 3, "found 4");
    [Fact] public void PatternWithValue() => Fails("%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 1 1\n", 3, "expected 2 numbers (row column)");
    [Fact] public void IntegerFieldWithFraction() => Fails("%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 1.5\n", 3, "not an integer");
    [Fact] public void SkewDiagonal() => Fails("%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 1\n2 2 1\n", 4, "diagonal");
    [Fact] public void ArrayTruncated() => Fails("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n", 6, "after 3 of the 4 values");
    [Fact] public void ArrayTooMany() => Fails("%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n4\n", 6, "more values than the 3");
    [Fact] public void ArrayTwoValuesOnALine() => Fails("%%MatrixMarket matrix array real general\n2 1\n1 2\n", 3, "expected 1 value");

    [Fact]
    public void MessageNamesFileLineAndOneBasedRange()
    {
        // a 67×67 file whose line 12 has column 70
        var text = new System.Text.StringBuilder(Coo + "% c\n67 67 9\n");
        for (int k = 1; k <= 7; k++) text.Append(k).Append(' ').Append(k).Append(" 1\n"); // lines 4..10
        text.Append("8 8 1\n");                                                           // line 11
        text.Append("9 70 1\n");                                                          // line 12
        var e = Assert.Throws<MatrixFormatException>(() => MatrixMarket.Read<double>(new StringReader(text.ToString()), "/data/west.mtx"));
        Assert.Equal("west.mtx line 12: column index 70 is out of range [1, 67]", e.Message);
        Assert.Equal(12, e.Line);
        Assert.Equal("/data/west.mtx", e.Source);
    }

    [Fact]
    public void ErrorsFromAFileCarryItsPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"torchsla-{Guid.NewGuid():N}.mtx");
        File.WriteAllText(path, Coo + "2 2 1\n3 1 1\n");
        try
        {
            var e = Assert.Throws<MatrixFormatException>(() => MatrixMarket.Read<double>(path));
            Assert.Equal(path, e.Source);
            Assert.Equal(3, e.Line);
            Assert.Throws<MatrixFormatException>(() => MatrixMarket.ReadDense<double>(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void LyingHeaderDoesNotAllocateForDeclaredCounts()
    {
        // 10^9 entries declared in a tiny input; and a 40000×40000 array (12.8 GB dense) with 2 values
        long before = GC.GetAllocatedBytesForCurrentThread();
        Fails(Coo + "40000 40000 1000000000\n1 1 1\n2 2 2\n", 5, "after 2 of the 1,000,000,000 entries");
        Fails("%%MatrixMarket matrix array real general\n40000 40000\n1\n2\n", 5, "after 2 of the");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 32L << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void DenseTooLargeIsReportedAtTheSizeLine()
    {
        var e = Assert.Throws<MatrixFormatException>(() => MatrixMarket.ReadDense<double>(new StringReader(Coo + "1000000 1000000 1\n1 1 1\n")));
        Assert.Equal(2, e.Line);
        // the sparse reader has no such limit
        Assert.Equal(1, MatrixMarket.Read<double>(new StringReader(Coo + "1000000 1000000 1\n1 1 1\n")).Nnz);
    }

    [Fact]
    public void OverlongLineIsAnErrorNotAnUnboundedBuffer()
    {
        string text = Coo + "1 1 1\n1 1 " + new string('1', 2 << 20) + "\n";
        var e = Assert.Throws<MatrixFormatException>(() => MatrixMarket.Read<double>(new StringReader(text)));
        Assert.Equal(3, e.Line);
        Assert.Contains("longer than", e.Message, StringComparison.Ordinal);
    }
}
