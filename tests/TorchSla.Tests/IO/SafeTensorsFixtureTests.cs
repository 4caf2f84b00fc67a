using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSla.IO;
using Xunit;

namespace TorchSla.Tests.IO;

/// <summary>Files written by torch-sla 0.2.0 load with identical values, and our files have torch-sla's layout.</summary>
public class SafeTensorsFixtureTests
{
    public static TheoryData<string> SparseFixtures() =>
        new("poisson10x10_f64", "poisson6x6_f32", "poisson5x5_batch3_f64");

    private static JsonElement Reference(string name) =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture(name + ".reference.json"))).RootElement;

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    private static double RelativeResidual(double[] ax, double[] b)
    {
        double r = 0, nb = 0;
        for (int i = 0; i < b.Length; i++) { r += (ax[i] - b[i]) * (ax[i] - b[i]); nb += b[i] * b[i]; }
        return Math.Sqrt(r / nb);
    }

    [Fact]
    public void Float64FixtureSatisfiesItsReferenceSolveAndEqualsOurPoisson()
    {
        var a = SafeTensors.LoadSparse<double>(TestPaths.Fixture("poisson10x10_f64.safetensors"));
        Assert.Equal([100, 100], a.Shape);
        var r = Reference("poisson10x10_f64");
        var ax = (a * Tensor<double>.FromArray(Doubles(r.GetProperty("x")))).ToArray();
        Assert.True(RelativeResidual(ax, Doubles(r.GetProperty("b"))) < 1e-10);
        // the same operator as our own 5-point Laplacian, entry for entry
        var p = SparseTensor.Poisson2D<double>(10);
        Assert.Equal(p.RowPointers, a.RowPointers);
        Assert.Equal(p.ColumnIndices, a.ColumnIndices);
        Assert.Equal(p.GetValues(), a.GetValues());
        // one gradient entry per stored COO entry in the reference: the file's entries are the tensor's entries
        Assert.Equal(r.GetProperty("grad_values").GetArrayLength(), a.InputEntries);
    }

    [Fact]
    public void Float32FixtureSatisfiesItsReferenceSolveInBothPrecisions()
    {
        string path = TestPaths.Fixture("poisson6x6_f32.safetensors");
        var r = Reference("poisson6x6_f32");
        var x = Doubles(r.GetProperty("x")); var b = Doubles(r.GetProperty("b"));
        var af = SafeTensors.LoadSparse<float>(path);
        var axf = (af * Tensor<float>.FromArray(x.Select(v => (float)v).ToArray())).ToArray();
        Assert.True(RelativeResidual(axf.Select(v => (double)v).ToArray(), b) < 1e-4);
        // F32 → double is exact: the same values, widened
        var ad = SafeTensors.LoadSparse<double>(path);
        Assert.Equal(af.GetValues().Select(v => (double)v), ad.GetValues());
        Assert.True(RelativeResidual((ad * Tensor<double>.FromArray(x)).ToArray(), b) < 1e-4);
    }

    [Fact]
    public void BatchedFixtureSatisfiesEachReferenceSolve()
    {
        var a = SafeTensors.LoadSparse<double>(TestPaths.Fixture("poisson5x5_batch3_f64.safetensors"));
        Assert.Equal([3, 25, 25], a.Shape);
        var r = Reference("poisson5x5_batch3_f64");
        var xs = r.GetProperty("x").EnumerateArray().Select(Doubles).ToArray();
        var bs = r.GetProperty("b").EnumerateArray().Select(Doubles).ToArray();
        var x = Tensor<double>.FromSpan(xs.SelectMany(v => v).ToArray(), [3, 25]);
        var ax = (a * x).ToArray();
        var p = SparseTensor.Poisson2D<double>(5).GetValues();
        for (int k = 0; k < 3; k++)
        {
            Assert.True(RelativeResidual(ax[(25 * k)..(25 * k + 25)], bs[k]) < 1e-10, $"matrix {k}");
            // matrix k is (1 + k/10)·Poisson2D(5)
            var vk = a.GetValues(k);
            for (int s = 0; s < vk.Length; s++) Assert.Equal((1 + 0.1 * k) * p[s], vk[s], 1e-14);
        }
    }

    [Fact]
    public void Float64LoadedAsFloatIsRoundedToNearest()
    {
        var path = TestPaths.Fixture("poisson5x5_batch3_f64.safetensors");
        var d = SafeTensors.LoadSparse<double>(path).GetValues();
        var f = SafeTensors.LoadSparse<float>(path).GetValues();
        Assert.Equal(d.Select(v => (float)v), f);
    }

    [Theory]
    [MemberData(nameof(SparseFixtures))]
    public void OurFileHasTorchSlasKeysDtypesShapesAndMetadata(string name)
    {
        string path = TestPaths.Fixture(name + ".safetensors");
        var theirs = File.ReadAllBytes(path);
        var ours = Resave(SafeTensorsFile.Read(path));

        var (hTheirs, bufTheirs) = Split(theirs);
        var (hOurs, bufOurs) = Split(ours);
        // Same tensors with the same dtype, shape and offsets, in the same order; same metadata map.
        Assert.Equal(Tensors(hTheirs), Tensors(hOurs));
        Assert.Equal(Metadata(hTheirs), Metadata(hOurs));
        // The metadata order of torch-sla's files is a hash order: only the header's length must agree.
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(theirs), BinaryPrimitives.ReadUInt64LittleEndian(ours));
        // Values, indices and shape: byte for byte.
        Assert.Equal(bufTheirs, bufOurs);
    }

    [Theory]
    [MemberData(nameof(SparseFixtures))]
    public void SaveLoadSaveIsByteIdentical(string name)
    {
        string path = TestPaths.Fixture(name + ".safetensors");
        byte[] first = Resave(SafeTensorsFile.Read(path));
        byte[] second = Resave(SafeTensorsFile.Parse(first));
        Assert.Equal(first, second);

        // through a file on disk as well
        string tmp = Path.Combine(Path.GetTempPath(), $"torchsla-{Guid.NewGuid():N}.safetensors");
        try
        {
            if (name.Contains("f32", StringComparison.Ordinal)) SafeTensors.SaveSparse(SafeTensors.LoadSparse<float>(path), tmp);
            else SafeTensors.SaveSparse(SafeTensors.LoadSparse<double>(path), tmp);
            Assert.Equal(first, File.ReadAllBytes(tmp));
        }
        finally { File.Delete(tmp); }
    }

    [Fact]
    public void FixtureHeadersAreReadAsWritten()
    {
        var f = SafeTensorsFile.Read(TestPaths.Fixture("poisson5x5_batch3_f64.safetensors"));
        Assert.Equal(["col_indices", "row_indices", "shape", "values"], f.Tensors.Select(t => t.Name));
        Assert.Equal("torch.float64", f.Metadata["dtype"]);
        Assert.Equal("1", f.Metadata["sparse_dim_0"]);
        Assert.Equal("2", f.Metadata["sparse_dim_1"]);
        Assert.Equal(SafeTensorsDType.F64, f.GetInfo("values").DType);
        Assert.Equal([3L, 105L], f.GetInfo("values").Shape);
        Assert.Equal([25L, 25L], f.GetInt64("shape"));
        Assert.Equal(392, f.HeaderLength);
    }

    /// <summary>Loads the sparse tensor in the file's own precision and serializes it again.</summary>
    private static byte[] Resave(SafeTensorsFile f) =>
        f.GetInfo("values").DType == SafeTensorsDType.F32
            ? SafeTensors.SerializeSparse(SafeTensors.LoadSparse<float>(f))
            : SafeTensors.SerializeSparse(SafeTensors.LoadSparse<double>(f));

    internal static (byte[] Header, byte[] Buffer) Split(byte[] file)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (file[8..(8 + n)], file[(8 + n)..]);
    }

    private static List<string> Tensors(byte[] header)
    {
        using var doc = JsonDocument.Parse(header);
        return doc.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .Select(p => $"{p.Name}:{p.Value.GetProperty("dtype").GetString()}:{p.Value.GetProperty("shape").GetRawText()}:{p.Value.GetProperty("data_offsets").GetRawText()}")
            .ToList();
    }

    private static SortedDictionary<string, string> Metadata(byte[] header)
    {
        using var doc = JsonDocument.Parse(header);
        return new(doc.RootElement.GetProperty("__metadata__").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!), StringComparer.Ordinal);
    }

    [Fact]
    public void HeaderIsPaddedWithSpacesToEightBytes()
    {
        var bytes = SafeTensors.SerializeSparse(SparseTensor.Poisson2D<double>(3));
        var (h, _) = Split(bytes);
        Assert.Equal(0, h.Length % 8);
        var text = Encoding.UTF8.GetString(h);
        Assert.StartsWith("{\"__metadata__\":{", text, StringComparison.Ordinal);
        Assert.Equal(text.TrimEnd(' ').Length, text.LastIndexOf('}') + 1);
    }
}
