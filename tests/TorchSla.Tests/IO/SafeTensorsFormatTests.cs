using System.Buffers.Binary;
using System.Text;
using CsCheck;
using TorchSla.IO;
using Xunit;

namespace TorchSla.Tests.IO;

/// <summary>The general reader and writer against the format definition, and every kind of malformed file.</summary>
public class SafeTensorsFormatTests
{
    /// <summary>A file from a header text and a data buffer of <paramref name="bufferBytes"/> bytes.</summary>
    private static byte[] Raw(string json, int bufferBytes, ulong? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(json);
        var file = new byte[8 + h.Length + bufferBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength ?? (ulong)h.Length);
        h.CopyTo(file, 8);
        for (int i = 0; i < bufferBytes; i++) file[8 + h.Length + i] = (byte)i;
        return file;
    }

    private static SafeTensorsFormatException Fails(byte[] file, string? tensor, string contains)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Parse(file, "bad.safetensors"));
        Assert.Equal(tensor, e.TensorName);
        Assert.Equal("bad.safetensors", e.Source);
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(tensor is null ? "bad.safetensors: " : $"bad.safetensors: tensor '{tensor}': ", e.Message, StringComparison.Ordinal);
        return e;
    }

    // ------------------------------------------------------------------ writer against the format definition

    [Fact]
    public void WriterProducesTheFormatsBytes()
    {
        // one F32 tensor [1, 2, 3] = 0..5: compact JSON header padded with spaces to 8 bytes, then the data
        var w = new SafeTensorsWriter();
        w.Add("attn.0", [0f, 1, 2, 3, 4, 5], [1, 2, 3]);
        string json = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        json += new string(' ', (8 - json.Length % 8) % 8);
        var expected = new List<byte>();
        expected.AddRange(BitConverter.GetBytes((ulong)json.Length));
        expected.AddRange(Encoding.ASCII.GetBytes(json));
        foreach (float v in new float[] { 0, 1, 2, 3, 4, 5 }) expected.AddRange(BitConverter.GetBytes(v));
        Assert.Equal(expected.ToArray(), w.ToArray());

        // metadata only: {"__metadata__":{"framework":"pt"}} padded
        var m = new SafeTensorsWriter();
        m.Metadata["framework"] = "pt";
        string mj = "{\"__metadata__\":{\"framework\":\"pt\"}}";
        mj += new string(' ', (8 - mj.Length % 8) % 8);
        Assert.Equal([.. BitConverter.GetBytes((ulong)mj.Length), .. Encoding.ASCII.GetBytes(mj)], m.ToArray());
    }

    [Fact]
    public void TensorsAreLaidOutByDecreasingDtypeThenName()
    {
        var w = new SafeTensorsWriter();
        w.Add("b", new byte[] { 1, 2, 3 });
        w.Add("a", new float[] { 1 });
        w.Add("z", new long[] { 1 });
        w.Add("y", new double[] { 1 });
        w.Add("c", new int[] { 1, 2 });
        w.Add("flag", new bool[] { true, false });
        var f = SafeTensorsFile.Parse(w.ToArray());
        // I64 > F64 > F32 > I32 > U8 > BOOL in the format's order
        Assert.Equal(["z", "y", "a", "c", "b", "flag"], f.Tensors.Select(t => t.Name));
        long at = 0;
        foreach (var t in f.Tensors) { Assert.Equal(at, t.Begin); at = t.End; }
        Assert.Equal(at, f.BufferLength);
    }

    [Fact]
    public void EveryDtypeRoundTripsThroughTheTypedAccessors()
    {
        Gen.Select(Gen.Double.Array[0, 20], Gen.Long.Array[0, 20], Gen.Int.Array[0, 20], Gen.Float.Array[0, 20]).Sample((d, l, i, s) =>
        {
            var w = new SafeTensorsWriter();
            w.Add("d", d);
            w.Add("l", l);
            w.Add("i", i, [i.Length, 1]);
            w.Add("s", s);
            w.Metadata["note"] = "ünïcode \"quoted\" \\ <tag> & \n";
            var f = SafeTensorsFile.Parse(w.ToArray());
            Assert.Equal(d, f.GetDouble("d"));
            Assert.Equal(l, f.GetInt64("l"));
            Assert.Equal(i, f.GetInt32("i"));
            Assert.Equal(i.Select(v => (long)v), f.GetInt64("i"));
            Assert.Equal(i.Select(v => (double)v), f.GetDouble("i"));
            Assert.Equal(s, f.GetSingle("s"));
            Assert.Equal(s.Select(v => (double)v), f.GetDouble("s"));
            Assert.Equal([(long)i.Length, 1L], f.GetInfo("i").Shape);
            Assert.Equal("ünïcode \"quoted\" \\ <tag> & \n", f.Metadata["note"]);
        }, iter: 100);
    }

    [Fact]
    public void HalfBFloatAndSmallIntegersConvertExactly()
    {
        var w = new SafeTensorsWriter();
        var half = new byte[6];
        BinaryPrimitives.WriteHalfLittleEndian(half, (Half)1.5);
        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(2), (Half)(-0.25));
        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(4), Half.PositiveInfinity);
        w.AddRaw("h", SafeTensorsDType.F16, [3], half);
        // bfloat16 = upper 16 bits of a binary32: 3.0f = 0x40400000
        w.AddRaw("bf", SafeTensorsDType.BF16, [1], [0x40, 0x40]);
        w.AddRaw("i8", SafeTensorsDType.I8, [2], [0xFF, 0x7F]);
        w.AddRaw("u16", SafeTensorsDType.U16, [1], [0xFF, 0xFF]);
        var f = SafeTensorsFile.Parse(w.ToArray());
        Assert.Equal([1.5, -0.25, double.PositiveInfinity], f.GetDouble("h"));
        Assert.Equal([1.5f, -0.25f, float.PositiveInfinity], f.GetSingle("h"));
        Assert.Equal([3.0], f.GetDouble("bf"));
        Assert.Equal([-1L, 127L], f.GetInt64("i8"));
        Assert.Equal([65535], f.GetInt32("u16"));
    }

    [Fact]
    public void LossyConversionsAreRefused()
    {
        var w = new SafeTensorsWriter();
        w.Add("big", new long[] { 1L << 60 });
        w.Add("d", new double[] { 0.1 });
        w.Add("f", new float[] { 1 });
        var f = SafeTensorsFile.Parse(w.ToArray(), "x.safetensors");
        Assert.Throws<InvalidCastException>(() => f.GetInt32("big"));
        Assert.Throws<InvalidCastException>(() => f.GetDouble("big"));
        Assert.Throws<InvalidCastException>(() => f.GetSingle("d"));
        Assert.Throws<InvalidCastException>(() => f.GetInt64("f"));
        Assert.Throws<InvalidCastException>(() => f.GetBoolean("f"));
        var e = Assert.Throws<KeyNotFoundException>(() => f.GetInfo("nope"));
        Assert.Contains("big, d, f", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriterRejectsBadTensors()
    {
        var w = new SafeTensorsWriter();
        w.Add("a", new double[] { 1 });
        Assert.Throws<ArgumentException>(() => w.Add("a", new double[] { 2 }));
        Assert.Throws<ArgumentException>(() => w.Add("__metadata__", new double[] { 2 }));
        Assert.Throws<ArgumentException>(() => w.Add("", new double[] { 2 }));
        Assert.Throws<ArgumentException>(() => w.Add("b", new double[] { 1, 2, 3 }, [2, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Add("c", new double[] { 1 }, [-1]));
    }

    // ------------------------------------------------------------------ malformed files

    [Fact] public void ShorterThanEightBytes() => Fails([1, 0, 0, 0, 0], null, "fewer than the 8-byte header length");

    [Fact]
    public void HeaderLongerThanTheFile() =>
        Fails(Raw("{}", 0, declaredLength: 1000), null, "header length 1,000 exceeds the 2 bytes after it");

    [Fact]
    public void HeaderClaimingTwoToTheSixtyIsRefusedWithoutAllocating()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Fails(Raw("{}", 0, declaredLength: 1UL << 60), null, "exceeds the 100,000,000-byte limit");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void TruncatedData()
    {
        var good = SafeTensors.SerializeSparse(SparseTensor.Poisson2D<double>(3));
        Fails(good[..^10], "values", "reach beyond the");
        // cut inside the header
        Fails(good[..40], null, "exceeds the 32 bytes after it");
    }

    [Fact] public void InvalidJson() => Fails(Raw("{\"a\": {\"dtype\": \"F64\",", 0), null, "not valid JSON");
    [Fact] public void InvalidUtf8() => Fails([.. Raw("{\"a\":1}", 0)[..8], (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], null, "not valid JSON");
    [Fact] public void HeaderNotAnObject() => Fails(Raw("[1, 2]  ", 0), null, "JSON Array, expected an object");
    [Fact] public void MetadataNotStrings() => Fails(Raw("{\"__metadata__\":{\"n\":3}}", 0), null, "'n' is a JSON Number");

    [Fact]
    public void UnknownDtype() =>
        Fails(Raw("{\"a\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16), "a", "unknown dtype 'F128'");

    [Fact]
    public void MissingShape() =>
        Fails(Raw("{\"a\":{\"dtype\":\"F64\",\"data_offsets\":[0,8]}}", 8), "a", "no shape");

    [Fact]
    public void NegativeDimension() =>
        Fails(Raw("{\"a\":{\"dtype\":\"F64\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8), "a", "not a non-negative integer");

    [Fact]
    public void ShapeOverflow() =>
        Fails(Raw("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8), "a", "overflows");

    [Fact]
    public void OffsetsOutsideTheBuffer() =>
        Fails(Raw("{\"a\":{\"dtype\":\"F64\",\"shape\":[125],\"data_offsets\":[0,1000]}}", 16), "a", "reach beyond the 16-byte data buffer");

    [Fact]
    public void BeginAfterEnd() =>
        Fails(Raw("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,8]}}", 16), "a", "begin is after end");

    [Fact]
    public void ByteLengthNotNumelTimesSize() =>
        Fails(Raw("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16), "a", "span 16 bytes but F64 [3] needs 24");

    [Fact]
    public void OverlappingOffsets() =>
        Fails(Raw("{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[8,24]}}", 24),
            "b", "overlap those of tensor 'a'");

    [Fact]
    public void HoleBetweenTensors() =>
        Fails(Raw("{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[24,40]}}", 40),
            "b", "belong to no tensor");

    [Fact]
    public void TrailingBytesNotCovered() =>
        Fails(Raw("{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 24), null, "cover 16");

    [Fact]
    public void DuplicateTensorName() =>
        Fails(Raw("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]}}", 16), "a", "twice");

    [Fact]
    public void ErrorsFromAFileCarryItsPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"torchsla-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        try
        {
            var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.LoadSparse<double>(path));
            Assert.Equal(path, e.Source);
        }
        finally { File.Delete(path); }
    }

    // ------------------------------------------------------------------ files that are valid but not a sparse tensor

    private static byte[] SparseFile(Action<SafeTensorsWriter> edit, long[]? rows = null, string? dtype = null)
    {
        var w = new SafeTensorsWriter();
        w.Metadata["format"] = "sparse_tensor";
        if (dtype is not null) w.Metadata["dtype"] = dtype;
        w.Add("values", new double[] { 1, 2 });
        w.Add("row_indices", rows ?? [0, 1]);
        w.Add("col_indices", new long[] { 1, 0 });
        edit(w);
        return w.ToArray();
    }

    private static SafeTensorsFormatException LoadFails(byte[] file, string? tensor, string contains)
    {
        var f = SafeTensorsFile.Parse(file, "m.safetensors");
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.LoadSparse<double>(f));
        Assert.Equal(tensor, e.TensorName);
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void MinimalHandWrittenSparseFileLoads()
    {
        var a = SafeTensors.LoadSparse<double>(SafeTensorsFile.Parse(SparseFile(w => w.Add("shape", new long[] { 2, 2 }))));
        Assert.Equal(new double[,] { { 0, 1 }, { 2, 0 } }, a.ToDense().ToArray2D());
    }

    [Fact] public void SparseMissingShape() => LoadFails(SparseFile(_ => { }), "shape", "missing");
    [Fact] public void SparseShapeWrongLength() => LoadFails(SparseFile(w => w.Add("shape", new long[] { 2, 2, 2 })), "shape", "should be [2]");
    [Fact] public void SparseShapeNotInteger() => LoadFails(SparseFile(w => w.Add("shape", new double[] { 2, 2 })), "shape", "not an integer type");
    [Fact] public void SparseIndexOutOfRange() => LoadFails(SparseFile(w => w.Add("shape", new long[] { 2, 2 }), rows: [0, 2]), "row_indices", "entry 1: row index 2 is out of range [0, 2)");
    [Fact] public void SparseIndexCountMismatch() => LoadFails(SparseFile(w => w.Add("shape", new long[] { 2, 2 }), rows: [0, 1, 1]), "col_indices", "should be [3]");
    [Fact] public void SparseDtypeMetadataMismatch() => LoadFails(SparseFile(w => w.Add("shape", new long[] { 2, 2 }), dtype: "torch.float32"), "values", "disagrees");

    [Fact]
    public void SparseDimMetadataMustMatchTheBatch()
    {
        var file = SparseFile(w => { w.Add("shape", new long[] { 2, 2 }); w.Metadata["sparse_dim_0"] = "1"; });
        LoadFails(file, null, "sparse_dim_0");
    }

    [Fact]
    public void WrongFormatMetadata()
    {
        var file = SparseFile(w => { w.Add("shape", new long[] { 2, 2 }); w.Metadata["format"] = "dense"; });
        LoadFails(file, null, "format is 'dense'");
    }

    [Fact]
    public void PartitionFileIsNotASparseTensorFile()
    {
        var f = SafeTensorsFile.Read(TestPaths.Fixture("poisson8x8_dist2/partition_0.safetensors"));
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.LoadSparse<double>(f));
        Assert.Equal("shape", e.TensorName);
    }

    // ------------------------------------------------------------------ sparse round trips

    [Fact]
    public void SparseRoundTripKeepsEntryOrderPatternAndValues()
    {
        Gen.Select(Gen.Int[1, 15], Gen.Int[1, 15], Gen.Int[0, 3], Gen.Int[0, 10000]).Sample((m, n, batch, seed) =>
        {
            var rng = new Random(seed);
            var pos = Enumerable.Range(0, m * n).OrderBy(_ => rng.Next()).Take(rng.Next(0, m * n + 1)).ToArray();
            int[] row = pos.Select(p => p / n).ToArray(), col = pos.Select(p => p % n).ToArray();
            int sets = Math.Max(batch, 1);
            var vals = Enumerable.Range(0, sets * pos.Length).Select(_ => rng.NextDouble() - 0.5).ToArray();
            int[] shape = batch == 0 ? [m, n] : [batch, m, n];
            var a = SparseTensor.FromCoo<double>(vals, row, col, shape);
            var bytes = SafeTensors.SerializeSparse(a);
            var f = SafeTensorsFile.Parse(bytes);
            // the caller's COO order is kept (no duplicates)
            Assert.Equal(row.Select(v => (long)v), f.GetInt64("row_indices"));
            Assert.Equal(col.Select(v => (long)v), f.GetInt64("col_indices"));
            Assert.Equal(vals, f.GetDouble("values"));
            Assert.Equal(batch == 0 ? [(long)pos.Length] : [batch, (long)pos.Length], f.GetInfo("values").Shape);
            var b = SafeTensors.LoadSparse<double>(f);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.RowPointers, b.RowPointers);
            Assert.Equal(a.ColumnIndices, b.ColumnIndices);
            Assert.Equal(a.GetValues(), b.GetValues());
        }, iter: 100);
    }

    [Fact]
    public void DuplicatesAreSavedSummedInCsrOrder()
    {
        var a = SparseTensor.FromCoo<double>([1, 2, 3, 4], [1, 0, 1, 0], [0, 1, 0, 0], [2, 2]);
        var f = SafeTensorsFile.Parse(SafeTensors.SerializeSparse(a));
        Assert.Equal([0L, 0, 1], f.GetInt64("row_indices"));
        Assert.Equal([0L, 1, 0], f.GetInt64("col_indices"));
        Assert.Equal([4.0, 2, 4], f.GetDouble("values"));
    }

    [Fact]
    public void UserMetadataIsKeptAndReservedKeysAreRefused()
    {
        var a = SparseTensor.Poisson2D<float>(2);
        var f = SafeTensorsFile.Parse(SafeTensors.SerializeSparse(a, new Dictionary<string, string> { ["origin"] = "test" }));
        Assert.Equal("test", f.Metadata["origin"]);
        Assert.Equal("torch.float32", f.Metadata["dtype"]);
        Assert.Equal(SafeTensorsDType.F32, f.GetInfo("values").DType);
        Assert.Throws<ArgumentException>(() => SafeTensors.SerializeSparse(a, new Dictionary<string, string> { ["format"] = "x" }));
    }
}
