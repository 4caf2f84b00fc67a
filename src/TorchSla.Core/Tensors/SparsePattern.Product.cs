using System.Runtime.CompilerServices;
using TorchSla.Kernels.Cpu;


namespace TorchSla;

/// <summary>
/// The symbolic half of C = A·B, computed once per pair of patterns.
/// <para><see cref="Pattern"/> is the pattern of C. The numeric half is expressed as an
/// <i>expansion matrix</i> E with one row per slot of C and one column per slot of B: row c
/// holds one entry per product a_ik·b_kj that lands in c = (i, j), at column slot(b_kj) and with
/// value a_ik = A.values[<see cref="ExpansionMap"/>]. Then C.values = E · B.values — one
/// <c>Gather</c> and one <c>SpMV</c>, primitives every backend already has, so the same product
/// runs on a GPU with no SpGEMM kernel of its own. E costs one int pair per scalar product (flops),
/// and the numeric phase a temporary of one value per product; the plan is kept as long as both
/// patterns live, so repeated products of the same patterns (new values) skip the symbolic phase.</para>
/// </summary>
internal sealed record ProductPlan(SparsePattern Pattern, SparsePattern Expansion, IndexMap ExpansionMap);

internal sealed partial class SparsePattern
{
    private readonly ConditionalWeakTable<SparsePattern, ProductPlan> _products = [];

    /// <summary>The plan of this·<paramref name="right"/> (this is M×K, right is K×N), cached per pair.</summary>
    public ProductPlan ProductWith(SparsePattern right)
    {
        lock (_products)
        {
            if (_products.TryGetValue(right, out var cached)) return cached;
            var plan = BuildProduct(right);
            _products.Add(right, plan);
            return plan;
        }
    }

    /// <summary>
    /// Gustavson's row-by-row product (Gustavson 1978, "Two fast algorithms for sparse matrices:
    /// multiplication and permuted transposition", ACM TOMS 4(3)), symbolic part: row i of C is
    /// the union of the rows k of B for the columns k of row i of A, found with a dense marker
    /// of N entries per block of rows (one marker per worker, no sharing).
    /// Pass 1 counts nnz(C) and products per row; pass 2 sorts each row's columns and fills E.
    /// </summary>
    private ProductPlan BuildProduct(SparsePattern b)
    {
        if (Cols != b.Rows)
            throw new ShapeMismatchException($"patterns of shapes [{Rows}, {Cols}] and [{b.Rows}, {b.Cols}] cannot be multiplied");
        int m = Rows, n = b.Cols;
        var nnzRow = new int[m];
        var flopsRow = new long[m];
        // Below ~32k scalar steps a fork/join costs more than it saves.
        int blocks = (long)Nnz * 4 < 1 << 15 ? 1 : Math.Min(CpuBackend.Threads * 4, Math.Max(1, m));
        Parallel.For(0, blocks, blk =>
        {
            var marker = new int[n];
            Array.Fill(marker, -1);
            int r0 = (int)((long)m * blk / blocks), r1 = (int)((long)m * (blk + 1) / blocks);
            for (int i = r0; i < r1; i++)
            {
                int cnt = 0; long fl = 0;
                for (int pa = RowPtr[i]; pa < RowPtr[i + 1]; pa++)
                {
                    int k = ColInd[pa];
                    fl += b.RowPtr[k + 1] - b.RowPtr[k];
                    for (int pb = b.RowPtr[k]; pb < b.RowPtr[k + 1]; pb++)
                    {
                        int j = b.ColInd[pb];
                        if (marker[j] != i) { marker[j] = i; cnt++; }
                    }
                }
                nnzRow[i] = cnt; flopsRow[i] = fl;
            }
        });
        var rowPtr = new int[m + 1];
        var flopsStart = new long[m + 1];
        for (int i = 0; i < m; i++)
        {
            long r = (long)rowPtr[i] + nnzRow[i];
            flopsStart[i + 1] = flopsStart[i] + flopsRow[i];
            if (r > Array.MaxLength || flopsStart[i + 1] > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(b),
                    $"the product of [{Rows}, {Cols}] (nnz {Nnz}) and [{b.Rows}, {b.Cols}] (nnz {b.Nnz}) needs more than {Array.MaxLength:N0} entries or scalar products: too large for 32-bit indices");
            rowPtr[i + 1] = (int)r;
        }
        int nnzC = rowPtr[m];
        var colInd = new int[nnzC];
        var ePtr = new int[nnzC + 1];
        var eCol = new int[flopsStart[m]];
        var eMap = new int[flopsStart[m]];
        Parallel.For(0, blocks, blk =>
        {
            var pos = new int[n];
            Array.Fill(pos, -1);
            int r0 = (int)((long)m * blk / blocks), r1 = (int)((long)m * (blk + 1) / blocks);
            for (int i = r0; i < r1; i++)
            {
                int c0 = rowPtr[i], c1 = rowPtr[i + 1], cnt = c0;
                for (int pa = RowPtr[i]; pa < RowPtr[i + 1]; pa++)
                {
                    int k = ColInd[pa];
                    for (int pb = b.RowPtr[k]; pb < b.RowPtr[k + 1]; pb++)
                    {
                        int j = b.ColInd[pb];
                        if (pos[j] < c0) { pos[j] = c0; colInd[cnt++] = j; } // pos < c0: not yet seen in this row
                    }
                }
                SortRow(colInd, c0, c1);
                for (int s = c0; s < c1; s++) { pos[colInd[s]] = s; ePtr[s + 1] = 0; }
                // Products per slot of C, then offsets inside this row's range of E.
                for (int pa = RowPtr[i]; pa < RowPtr[i + 1]; pa++)
                {
                    int k = ColInd[pa];
                    for (int pb = b.RowPtr[k]; pb < b.RowPtr[k + 1]; pb++) ePtr[pos[b.ColInd[pb]] + 1]++;
                }
                int start = (int)flopsStart[i];
                for (int s = c0; s < c1; s++) { int c = ePtr[s + 1]; ePtr[s + 1] = start; start += c; }
                // ePtr[s + 1] is now the cursor of slot s; after filling it is the end of slot s,
                // which is what the CSR row pointer of E needs. A's columns k ascend, so the
                // B slots of each row of E ascend too: E comes out canonical without a sort.
                for (int pa = RowPtr[i]; pa < RowPtr[i + 1]; pa++)
                {
                    int k = ColInd[pa];
                    for (int pb = b.RowPtr[k]; pb < b.RowPtr[k + 1]; pb++)
                    {
                        int q = ePtr[pos[b.ColInd[pb]] + 1]++;
                        eCol[q] = pb; eMap[q] = pa;
                    }
                }
            }
        });
        ePtr[0] = 0;
        var c = new SparsePattern(m, n, rowPtr, colInd);
        var e = new SparsePattern(nnzC, b.Nnz, ePtr, eCol);
        return new ProductPlan(c, e, new IndexMap(eMap));
    }

    /// <summary>Sorts a[from..to): insertion sort for the short rows of typical products (no call overhead), introsort beyond.</summary>
    private static void SortRow(int[] a, int from, int to)
    {
        if (to - from > 32) { Array.Sort(a, from, to - from); return; }
        for (int i = from + 1; i < to; i++)
        {
            int v = a[i], j = i - 1;
            while (j >= from && a[j] > v) { a[j + 1] = a[j]; j--; }
            a[j + 1] = v;
        }
    }
}
