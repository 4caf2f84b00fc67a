using System.Runtime.InteropServices;

namespace TorchSla.Bench.Gpu;

/// <summary>A CSR matrix on the host, as the GPU benchmark writes it for PyTorch to read the same bytes.</summary>
internal sealed record HostCsr(string Name, int Rows, int Cols, int[] RowPtr, int[] ColInd, double[] Values)
{
    public long Nnz => ColInd.LongLength;

    /// <summary>Binary layout: int32 rows, int32 cols, int64 nnz, int32 rowptr[rows+1], int32 colind[nnz], float64 values[nnz].</summary>
    public void Write(string path)
    {
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using (var w = new BinaryWriter(f, System.Text.Encoding.UTF8, leaveOpen: true)) { w.Write(Rows); w.Write(Cols); w.Write(Nnz); }
        f.Write(MemoryMarshal.AsBytes(RowPtr.AsSpan()));
        f.Write(MemoryMarshal.AsBytes(ColInd.AsSpan()));
        f.Write(MemoryMarshal.AsBytes(Values.AsSpan()));
    }

    public static HostCsr Read(string path)
    {
        using var f = File.OpenRead(path);
        using var r = new BinaryReader(f);
        int rows = r.ReadInt32(), cols = r.ReadInt32();
        long nnz = r.ReadInt64();
        var rp = new int[rows + 1]; var ci = new int[nnz]; var v = new double[nnz];
        f.ReadExactly(MemoryMarshal.AsBytes(rp.AsSpan()));
        f.ReadExactly(MemoryMarshal.AsBytes(ci.AsSpan()));
        f.ReadExactly(MemoryMarshal.AsBytes(v.AsSpan()));
        return new HostCsr(Path.GetFileNameWithoutExtension(path), rows, cols, rp, ci, v);
    }
}

/// <summary>The benchmark's matrices, built straight in CSR (rows in order, columns sorted).</summary>
internal static class BenchMatrices
{
    /// <summary>5-point Laplacian on a k×k grid (Dirichlet): 4 on the diagonal, −1 to each neighbour.</summary>
    public static HostCsr Poisson2D(int k)
    {
        int n = k * k;
        var rp = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int r = i / k, c = i % k;
            rp[i + 1] = 1 + (r > 0 ? 1 : 0) + (c > 0 ? 1 : 0) + (c < k - 1 ? 1 : 0) + (r < k - 1 ? 1 : 0);
        }
        for (int i = 0; i < n; i++) rp[i + 1] += rp[i];
        var ci = new int[rp[n]]; var v = new double[rp[n]];
        Parallel.For(0, k, r =>
        {
            for (int c = 0; c < k; c++)
            {
                int i = r * k + c, p = rp[i];
                if (r > 0) { ci[p] = i - k; v[p++] = -1; }
                if (c > 0) { ci[p] = i - 1; v[p++] = -1; }
                ci[p] = i; v[p++] = 4;
                if (c < k - 1) { ci[p] = i + 1; v[p++] = -1; }
                if (r < k - 1) { ci[p] = i + k; v[p++] = -1; }
            }
        });
        return new HostCsr($"poisson2d_{n / 1_000_000.0:0.#}M", n, n, rp, ci, v);
    }

    /// <summary>27-point stencil on a k×k×k grid: 26 on the diagonal, −1 to each of the (up to) 26 neighbours.</summary>
    public static HostCsr Stencil27(int k)
    {
        int n = k * k * k;
        var rp = new int[n + 1];
        static int Span3(int a, int k) => (a > 0 ? 1 : 0) + 1 + (a < k - 1 ? 1 : 0);
        for (int i = 0; i < n; i++)
        {
            int x = i % k, y = i / k % k, z = i / (k * k);
            rp[i + 1] = Span3(x, k) * Span3(y, k) * Span3(z, k);
        }
        for (int i = 0; i < n; i++) rp[i + 1] += rp[i];
        var ci = new int[rp[n]]; var v = new double[rp[n]];
        Parallel.For(0, k * k, zy =>
        {
            int z = zy / k, y = zy % k;
            for (int x = 0; x < k; x++)
            {
                int i = (z * k + y) * k + x, p = rp[i];
                for (int dz = -1; dz <= 1; dz++)
                {
                    if ((uint)(z + dz) >= (uint)k) continue;
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        if ((uint)(y + dy) >= (uint)k) continue;
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            if ((uint)(x + dx) >= (uint)k) continue;
                            int j = ((z + dz) * k + y + dy) * k + x + dx;
                            ci[p] = j; v[p++] = j == i ? 26 : -1;
                        }
                    }
                }
            }
        });
        return new HostCsr($"stencil27_{n / 1_000_000.0:0.#}M", n, n, rp, ci, v);
    }

    /// <summary>
    /// R-MAT graph (Chakrabarti, Zhan &amp; Faloutsos, SDM 2004) with 2^scale vertices and
    /// <paramref name="edges"/> drawn edges, probabilities (0.57, 0.19, 0.19, 0.05); duplicates merged.
    /// Deterministic: each block of edges has its own seeded generator, rows are sorted afterwards.
    /// </summary>
    public static HostCsr RMat(int scale, long edges, int seed = 1)
    {
        int n = 1 << scale;
        const int Block = 1 << 20;
        int blocks = (int)((edges + Block - 1) / Block);
        var src = new int[edges]; var dst = new int[edges];
        Parallel.For(0, blocks, b =>
        {
            ulong s = (ulong)(seed * 1_000_003 + b) * 0x9E3779B97F4A7C15UL | 1;
            long e0 = (long)b * Block, e1 = Math.Min(edges, e0 + Block);
            for (long e = e0; e < e1; e++)
            {
                int r = 0, c = 0;
                for (int l = 0; l < scale; l++)
                {
                    s ^= s << 13; s ^= s >> 7; s ^= s << 17; // xorshift64
                    double u = (s >> 11) * (1.0 / (1UL << 53));
                    int bit = 1 << (scale - 1 - l);
                    if (u < 0.57) { }
                    else if (u < 0.76) c |= bit;
                    else if (u < 0.95) r |= bit;
                    else { r |= bit; c |= bit; }
                }
                src[e] = r; dst[e] = c;
            }
        });
        var count = new int[n + 1];
        foreach (int r in src) count[r + 1]++;
        for (int i = 0; i < n; i++) count[i + 1] += count[i];
        var pos = (int[])count.Clone();
        var cols = new int[edges];
        for (long e = 0; e < edges; e++) cols[pos[src[e]]++] = dst[e];
        // Sort and deduplicate each row, then compact.
        var len = new int[n];
        Parallel.For(0, n, i =>
        {
            var seg = cols.AsSpan(count[i], count[i + 1] - count[i]);
            seg.Sort();
            int m = 0;
            for (int q = 0; q < seg.Length; q++) if (m == 0 || seg[q] != seg[m - 1]) seg[m++] = seg[q];
            len[i] = m;
        });
        var rp = new int[n + 1];
        for (int i = 0; i < n; i++) rp[i + 1] = rp[i] + len[i];
        var ci = new int[rp[n]]; var v = new double[rp[n]];
        Parallel.For(0, n, i =>
        {
            cols.AsSpan(count[i], len[i]).CopyTo(ci.AsSpan(rp[i]));
            for (int q = rp[i]; q < rp[i + 1]; q++)
            {
                ulong h = ((ulong)i * 0x9E3779B97F4A7C15UL) ^ ((ulong)ci[q] * 0xC2B2AE3D27D4EB4FUL);
                h ^= h >> 29; h *= 0xBF58476D1CE4E5B9UL; h ^= h >> 32;
                v[q] = (h >> 11) * (2.0 / (1UL << 53)) - 1.0;
            }
        });
        return new HostCsr($"rmat{scale}_{rp[n] / 1_000_000}Mnnz", n, n, rp, ci, v);
    }
}
