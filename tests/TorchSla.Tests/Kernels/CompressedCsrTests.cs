using System.Numerics;
using CsCheck;
using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;
using TorchSla.Solvers;
using Xunit;

namespace TorchSla.Tests.Kernels;

/// <summary>
/// The compressed CSR (delta-encoded columns, indexed values) against the plain CSR kernel on the same arrays: the
/// products must have the same bits, for random patterns (empty rows, rows of hundreds of entries, column gaps past
/// 16 bits, several chunks), values (a few distinct ones with NaN, ±∞ and −0, a few hundred, all distinct), both row
/// kernels, α/β and sub-ranges of rows; then on the shared matrices, and through the backend's fused CG pass.
/// Runs alone (its own collection): one test turns compression off globally for a reference solve.
/// </summary>
[Collection(nameof(CompressedCsrTests))]
[CollectionDefinition(nameof(CompressedCsrTests), DisableParallelization = true)]
public class CompressedCsrTests
{
    private sealed record Csr<T>(int Rows, int Cols, int[] RowPtr, int[] ColInd, T[] Val);

    /// <summary>gapMode 0: columns near the diagonal (8-bit deltas); 1: within ±3000 (16-bit); 2: anywhere in 100 000 columns (32-bit).
    /// valueMode 0: 5 distinct values incl. NaN, ±∞, −0; 1: 600 distinct; 2: all distinct.</summary>
    private static Csr<T> Random<T>(int rows, int maxLen, int gapMode, int valueMode, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int cols = gapMode == 2 ? 100_000 : rows + 4000;
        T[] few = [T.CreateTruncating(4.0), T.CreateTruncating(-1.0), T.NaN, T.PositiveInfinity, T.NegativeZero];
        var rowPtr = new int[rows + 1];
        var colInd = new List<int>(); var val = new List<T>();
        for (int r = 0; r < rows; r++)
        {
            int len = rng.Next(10) == 0 ? 0 : rng.Next(10) == 0 ? rng.Next(maxLen + 1) : rng.Next(Math.Min(9, maxLen + 1));
            var picked = new SortedSet<int>();
            int spread = gapMode == 0 ? 40 : gapMode == 1 ? 3000 : cols;
            for (int tries = 0; picked.Count < len && tries < 10 * len + 10; tries++)
            {
                picked.Add(gapMode == 2 ? rng.Next(cols) : Math.Clamp(r + rng.Next(-spread, spread + 1), 0, cols - 1));
            }
            foreach (int c in picked)
            {
                colInd.Add(c);
                val.Add(valueMode == 0 ? few[rng.Next(few.Length)]
                    : valueMode == 1 ? T.CreateTruncating(rng.Next(600) * 0.37 - 50)
                    : T.CreateTruncating(rng.NextDouble() * 2 - 1));
            }
            rowPtr[r + 1] = colInd.Count;
        }
        return new Csr<T>(rows, cols, rowPtr, colInd.ToArray(), val.ToArray());
    }

    private static unsafe T[] Plain<T>(Csr<T> a, T[] x, T[] y0, T alpha, T beta, bool gather, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = (T[])y0.Clone();
        fixed (int* rp = a.RowPtr) fixed (int* ci = a.ColInd) fixed (T* v = a.Val) fixed (T* px = x) fixed (T* py = y)
            CsrKernels.SpMVRows(r0, r1, rp, ci, v, px, py, alpha, beta, gather);
        return y;
    }

    private static unsafe T[] Packed<T>(PackedCsr<T> c, Csr<T> a, T[] x, T[] y0, T alpha, T beta, bool gather, int r0, int r1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = (T[])y0.Clone();
        fixed (int* rp = a.RowPtr) fixed (int* ci = a.ColInd) fixed (T* v = a.Val) fixed (T* px = x) fixed (T* py = y)
            c.SpMVRows(r0, r1, rp, ci, v, px, py, alpha, beta, gather);
        return y;
    }

    private static void AssertSameBits<T>(T[] expected, T[] actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateTruncating(expected[i]), g = double.CreateTruncating(actual[i]);
            bool same = T.IsNaN(expected[i]) ? T.IsNaN(actual[i]) : BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(g);
            Assert.True(same, $"{what}: y[{i}] = {g} compressed, {e} plain");
        }
    }

    private static T[] Vector<T>(int n, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var v = new T[n];
        for (int i = 0; i < n; i++) v[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return v;
    }

    /// <summary>Plain and packed products with the same bits on all rows and on a random sub-range, for α/β case <paramref name="ab"/>.</summary>
    private static void AgreeOnRows<T>(Csr<T> a, PackedCsr<T> c, int seed, int ab, bool[] gathers, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = Vector<T>(a.Cols, seed + 1);
        var y0 = Vector<T>(a.Rows, seed + 2);
        var (alpha, beta) = ab switch { 0 => (1.0, 0.0), 1 => (2.5, 0.0), 2 => (-0.5, 2.0), _ => (1.0, 1.0) };
        T al = T.CreateTruncating(alpha), be = T.CreateTruncating(beta);
        var rng = new Random(seed + 3);
        int rows = a.Rows, r0 = rows == 0 ? 0 : rng.Next(rows), r1 = rows == 0 ? 0 : rng.Next(r0, rows + 1);
        foreach (var (lo, hi) in new[] { (0, rows), (r0, r1) })
            foreach (bool gather in gathers)
                AssertSameBits(Plain(a, x, y0, al, be, gather, lo, hi), Packed(c, a, x, y0, al, be, gather, lo, hi), $"{what}, gather {gather}, [{lo}, {hi})");
    }

    private static void RandomPatternsAgree<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        Gen.Select(Gen.Int[0, 1300], Gen.Int[0, 300], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int, Gen.Bool, Gen.Int[0, 3])
            .Sample((rows, maxLen, gaps, values, seed, gather, ab) =>
            {
                var a = Random<T>(rows, maxLen, gaps, values, seed);
                var c = CompressedCsr<T>.Build(a.Rows, a.RowPtr, a.ColInd, a.Val);
                AgreeOnRows(a, c, seed, ab, [gather], $"rows {rows}, gaps {gaps}, values {values} ({c.Values})");
                // The coding chosen is the one the data needs.
                // (≤ 5 distinct values: the 1-byte index pays once nnz·(size − 1) exceeds the table's 5·size bytes.)
                int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
                if (values == 0 && (long)a.Val.Length * (size - 1) > 5L * size) Assert.Equal(CompressedCsr<T>.ValueCoding.Index8, c.Values);
                if (values == 1 && typeof(T) == typeof(double) && a.Val.Length > 4 * 600) Assert.Equal(CompressedCsr<T>.ValueCoding.Index16, c.Values); // float32: 2 of 4 bytes is not worth a table
                if (gaps == 0 && a.Val.Length > 0) Assert.Equal(0, c.ChunksByWidth[2]);
            }, iter: 60);
    }

    [Fact]
    public void RandomPatternsGiveThePlainKernelsBitsInFloat64() => RandomPatternsAgree<double>();

    [Fact]
    public void RandomPatternsGiveThePlainKernelsBitsInFloat32() => RandomPatternsAgree<float>();

    /// <summary>A stencil-like matrix: each row one of <paramref name="kinds"/> random (offsets, values) rows, shifted to the
    /// row, entries past the edges dropped (so edge rows are templates of their own), some rows empty.</summary>
    private static Csr<T> Stencil<T>(int rows, int kinds, int maxLen, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        T[] pool = [T.CreateTruncating(4.0), T.CreateTruncating(-1.0), T.CreateTruncating(0.1), T.NaN, T.PositiveInfinity, T.NegativeInfinity, T.NegativeZero];
        var shapes = new (int[] Off, T[] Val)[kinds];
        for (int s = 0; s < kinds; s++)
        {
            var off = new SortedSet<int>();
            int len = rng.Next(maxLen + 1);
            while (off.Count < len) off.Add(rng.Next(-3 * maxLen, 3 * maxLen + 1));
            shapes[s] = (off.ToArray(), off.Select(_ => pool[rng.Next(pool.Length)]).ToArray());
        }
        var rowPtr = new int[rows + 1]; var colInd = new List<int>(); var val = new List<T>();
        for (int r = 0; r < rows; r++)
        {
            var (off, v) = shapes[rng.Next(4) == 0 ? rng.Next(kinds) : 0];
            for (int k = 0; k < off.Length; k++)
                if (r + off[k] >= 0 && r + off[k] < rows) { colInd.Add(r + off[k]); val.Add(v[k]); }
            rowPtr[r + 1] = colInd.Count;
        }
        return new Csr<T>(rows, rows, rowPtr, colInd.ToArray(), val.ToArray());
    }

    private static void TemplatesAgree<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        Gen.Select(Gen.Int[0, 900], Gen.Int[1, 6], Gen.Int[0, 12], Gen.Int, Gen.Int[0, 3])
            .Sample((rows, kinds, maxLen, seed, ab) =>
            {
                var a = Stencil<T>(rows, kinds, maxLen, seed);
                var t = RowTemplateCsr<T>.TryBuild(a.Rows, a.RowPtr, a.ColInd, a.Val);
                Assert.NotNull(t);
                // gather: the template falls back to the plain kernel
                AgreeOnRows(a, t!, seed, ab, [false, true], $"rows {rows}, kinds {kinds}, maxLen {maxLen}, {t!.Description}");
            }, iter: 60);
    }

    [Fact]
    public void RowTemplatesGiveTheScalarKernelsBitsInFloat64() => TemplatesAgree<double>();

    [Fact]
    public void RowTemplatesGiveTheScalarKernelsBitsInFloat32() => TemplatesAgree<float>();

    [Fact]
    public void DistinctRowsAreNotTemplated()
    {
        var a = Random<double>(3000, 12, 1, 2, 4); // values all distinct: every row its own template, past the entry limit
        Assert.Null(RowTemplateCsr<double>.TryBuild(a.Rows, a.RowPtr, a.ColInd, a.Val));
        // A 3D 7-point Laplacian on 30³: 27 kinds of rows (interior, faces, edges, corners), one byte per row.
        var p = SparseTensor.Poisson3D<double>(30);
        var t = RowTemplateCsr<double>.TryBuild(p.Rows, p.RowPointers, p.ColumnIndices, p.GetValues());
        Assert.NotNull(t);
        Assert.Equal(27, t!.Templates);
    }

    [Fact]
    public void WideGapsFallBackToPlainColumnsAndManyValuesToPlainValues()
    {
        var a = Random<double>(1100, 20, 2, 2, 5);
        var c = CompressedCsr<double>.Build(a.Rows, a.RowPtr, a.ColInd, a.Val);
        Assert.Equal(CompressedCsr<double>.ValueCoding.Plain, c.Values);
        Assert.True(c.ChunksByWidth[2] > 0);
        Assert.True(c.Bytes >= c.PlainBytes - 100, "nothing to save: the encoding keeps the plain arrays");
    }

    [Fact]
    public void MalformedArraysAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => CompressedCsr<double>.Build(2, [0, 1, 2], [0, 1], [1.0]));
        Assert.Contains("do not form", ex.Message);
    }

    public static TheoryData<string> SharedMatrices()
    {
        var d = new TheoryData<string>();
        foreach (var f in new[] { "494_bus.mtx", "bp_1200.mtx", "cryg2500.mtx", "hangGlider_2.mtx", "west0479.mtx", "olm1000.mtx", "lp_e226.mtx", "LFAT5_hypersparse.mtx", "can___24.mtx" })
            d.Add(f);
        return d;
    }

    [Theory]
    [MemberData(nameof(SharedMatrices))]
    public void SharedMatricesGiveThePlainKernelsBits(string name)
    {
        var m = TorchSla.IO.MatrixMarket.Read<double>(TestPaths.Matrix(name));
        var a = new Csr<double>(m.Rows, m.Cols, m.RowPointers, m.ColumnIndices, m.GetValues());
        var c = CompressedCsr<double>.Build(a.Rows, a.RowPtr, a.ColInd, a.Val);
        var x = Vector<double>(a.Cols, 11); var y0 = Vector<double>(a.Rows, 12);
        foreach (bool gather in new[] { false, true })
            AssertSameBits(Plain(a, x, y0, 1.0, 0.0, gather, 0, a.Rows), Packed(c, a, x, y0, 1.0, 0.0, gather, 0, a.Rows), $"{name}, gather {gather}");
    }

    /// <summary>Through the backend: a prepared Poisson matrix (row templates: 9 distinct rows) gives SpMV and the fused
    /// CG pass the bits of the same matrix held in another storage (never prepared, so plain).</summary>
    [Fact]
    public void PreparedMatrixGivesTheBackendsPlainBits()
    {
        var be = CpuBackend.Instance;
        var a = SparseTensor.Poisson2D<double>(400); // 160 000 rows, ~800 000 entries: above CsrCompression.MinNnz
        int n = a.Rows;
        var plainValues = be.Upload<double>(a.GetValues());
        // Built at the BuildAfterCalls-th preparation, not before (a short solve does not pay for it).
        for (int call = 1; call < CsrCompression.BuildAfterCalls; call++)
        {
            be.PrepareRepeatedSpMV(a.Indices, a.Values, 0);
            Assert.Null(CsrCompression.Find(a.Indices, a.Values, 0));
        }
        be.PrepareRepeatedSpMV(a.Indices, a.Values, 0);
        var packed = CsrCompression.Find(a.Indices, a.Values, 0);
        var templates = Assert.IsType<RowTemplateCsr<double>>(packed);
        Assert.Equal(9, templates.Templates); // interior, 4 edges, 4 corners
        Assert.True(packed!.Bytes < 0.02 * packed.PlainBytes, $"{packed.Bytes} B of {packed.PlainBytes}");
        Assert.Null(CsrCompression.Find(a.Indices, plainValues, 0));

        var x = be.Upload<double>(Vector<double>(n, 3));
        var y1 = be.Allocate<double>(n); var y2 = be.Allocate<double>(n);
        be.SpMV(a.Indices, a.Values, 0, x, 0, y1, 0, 1.0, 0.0);
        be.SpMV(a.Indices, plainValues, 0, x, 0, y2, 0, 1.0, 0.0);
        Assert.Equal(y2.ToArray(), y1.ToArray());

        int stride = CgScalars.Stride(4);
        var s1 = be.Allocate<double>(stride); var s2 = be.Allocate<double>(stride);
        be.SpMVDot(a.Indices, a.Values, 0, x, y1, VectorBatch.Single(n), s1, stride, CgScalars.Curvature);
        be.SpMVDot(a.Indices, plainValues, 0, x, y2, VectorBatch.Single(n), s2, stride, CgScalars.Curvature);
        Assert.Equal(y2.ToArray(), y1.ToArray());
        Assert.Equal(s2.ToArray()[CgScalars.Curvature], s1.ToArray()[CgScalars.Curvature]);
        // And the product is A·x: compare a row in the interior with the stencil.
        var xs = x.ToArray(); var ys = y1.ToArray();
        int i = 200 * 400 + 200;
        Assert.Equal(4 * xs[i] - xs[i - 1] - xs[i + 1] - xs[i - 400] - xs[i + 400], ys[i], 12);
    }

    [Fact]
    public void SmallOrIncompressibleMatricesAreLeftPlain()
    {
        var be = CpuBackend.Instance;
        var small = SparseTensor.Poisson2D<double>(20);
        CsrCompression.Prepare(small.Indices, small.Values, 0, now: true);
        Assert.Null(CsrCompression.Find(small.Indices, small.Values, 0));

        var r = Random<double>(60_000, 12, 2, 2, 9); // ~250 000 entries, scattered columns, distinct values
        var idx = new CsrIndices(r.Rows, r.Cols, be.Upload<int>(r.RowPtr), be.Upload<int>(r.ColInd));
        var vals = be.Upload<double>(r.Val);
        Assert.True(idx.Nnz >= CsrCompression.MinNnz);
        CsrCompression.Prepare(idx, vals, 0, now: true);
        Assert.Null(CsrCompression.Find(idx, vals, 0));
    }

    [Fact]
    public void CgSolveIsUnchangedByCompression()
    {
        var a = SparseTensor.Poisson2D<double>(400);
        var b = Tensor<double>.Ones([a.Rows]);
        var o = new TorchSla.Solvers.SolveOptions { Method = TorchSla.Solvers.SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-6 };
        var packedRun = a.Solve(b, o);
        Assert.NotNull(CsrCompression.Find(a.Indices, a.Values, 0));
        // The same matrix in a fresh tensor, solved with compression off: the same iterations and the same bits.
        var copy = new SparseTensor<double>(a.GetValues(), RowsOf(a), a.ColumnIndices, [a.Rows, a.Cols]);
        SolveResult<double> plainRun;
        bool was = CsrCompression.Enabled;
        try { CsrCompression.Enabled = false; plainRun = copy.Solve(b, o); }
        finally { CsrCompression.Enabled = was; }
        Assert.Null(CsrCompression.Find(copy.Indices, copy.Values, 0));
        Assert.True(packedRun.Converged);
        Assert.Equal(plainRun.Iterations, packedRun.Iterations);
        Assert.Equal(plainRun.Solution.ToArray(), packedRun.Solution.ToArray());
    }

    private static int[] RowsOf(SparseTensor<double> a)
    {
        var rp = a.RowPointers;
        var rows = new int[a.Nnz];
        for (int r = 0; r < a.Rows; r++) for (int k = rp[r]; k < rp[r + 1]; k++) rows[k] = r;
        return rows;
    }
}
