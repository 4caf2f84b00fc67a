using System.Runtime.CompilerServices;
using System.Buffers;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// The numeric multifrontal Cholesky factorization P·A·Pᵀ = L·Lᵀ on a supernodal analysis
/// (Duff &amp; Reid, "The multifrontal solution of indefinite sparse symmetric linear equations",
/// ACM TOMS 9(3), 1983; Liu, "The multifrontal method for sparse matrix solution: theory and
/// practice", SIAM Review 34(3), 1992; Davis 2006, §9). Each supernode s assembles a dense
/// frontal matrix over its row structure from the entries of A in its columns and the update
/// matrices of its children (extend-add), factors its first k columns with
/// <see cref="DenseFrontKernels"/>, and passes the Schur complement F22 up to its parent. The front's
/// first k columns are its r×k block of L, assembled and factored in place in the factor's storage;
/// only F22 lives in a separate (pooled) array.
/// <para>Parallelism: the assembly tree is cut into independent subtrees of comparable work
/// (each a contiguous range of supernodes, factored sequentially by one task) and the supernodes
/// above the cut, which are few but large, are factored in order with the dense kernels spread
/// over the thread pool.</para>
/// <para>The loops of the analysis, the fronts and the solves are marked
/// <see cref="MethodImplOptions.AggressiveOptimization"/>: a factorization typically runs once per process, and
/// under tiered compilation its first (and only) call would run in quick-JIT / on-stack-replacement code (measured
/// on 2D Poisson 250K: 2.3 CPU s for the whole Cholesky solve with tiering, 1.5 s without; bench/RESULTS.md).</para>
/// <para>Symmetric indefinite matrices need pivoting that changes the order inside fronts: see
/// <see cref="MultifrontalLdlt"/>, which shares this tree traversal.</para>
/// </summary>
internal sealed class MultifrontalFactor
{
    private MultifrontalFactor(SupernodalSymbolic s, double[] l)
    {
        Symbolic = s; L = l;
    }

    public SupernodalSymbolic Symbolic { get; }
    /// <summary>Supernode blocks of L (column-major r×k each, at <see cref="SupernodalSymbolic.ValueOffset"/>).</summary>
    public double[] L { get; }

    /// <summary>
    /// Factors the value set values[offset..] (one per CSR slot of the analysed pattern; read, not copied).
    /// A pivot ≤ <paramref name="tau"/> raises <see cref="NotPositiveDefiniteException"/> naming the column of A.
    /// </summary>
    public static MultifrontalFactor Factor(SupernodalSymbolic s, double[] values, int offset, double tau)
    {
        int ns = s.SuperCount, n = s.N;
        // Every supernode clears its own block before assembling into it: no zeroing needed here.
        var l = FactorMemory.AllocateFactor(checked((int)s.ValueOffset[ns]));
        var updates = new double[]?[ns];
        // The workers' position maps are the analysis' spare work arrays when this is its first factorization.
        var scratch = s.TakeScratch() ?? new IndexScratch(n);
        using var maps = new ThreadLocal<int[]>(scratch.RentZeroed);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Node(int sn, bool parallel)
        {
            int f = s.SuperStart[sn], k = s.SuperStart[sn + 1] - f;
            int r0 = s.RowPtr[sn], r = s.RowPtr[sn + 1] - r0, m = r - k;
            var map = maps.Value!;
            for (int i = 0; i < r; i++) map[s.Rows[r0 + i]] = i;
            // The front's first k columns are assembled in place in L's block; its trailing m×m part (the update matrix
            // for the parent) in a pooled array.
            int lo = checked((int)s.ValueOffset[sn]);
            Array.Clear(l, lo, r * k);
            double[]? u = null;
            if (m > 0) { u = ArrayPool<double>.Shared.Rent(m * m); Array.Clear(u, 0, m * m); }
            for (int j = f; j < f + k; j++)
            {
                int col = lo + (j - f) * r;
                for (int q = s.AColPtr[j]; q < s.AColPtr[j + 1]; q++) l[map[s.ARowInd[q]] + col] += values[offset + s.ASource[q]];
            }
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++)
            {
                int ch = s.Children[c];
                var uc = updates[ch];
                if (uc is null) continue;
                int kc = s.SuperStart[ch + 1] - s.SuperStart[ch];
                int rc0 = s.RowPtr[ch] + kc, mc = s.RowPtr[ch + 1] - rc0;
                // Extend-add: the child's update matrix into this front by relative indices. Its rows are ascending and
                // map keeps their order, so a column lands wholly in L's block (front column < k) or wholly in u.
                for (int jj = 0; jj < mc; jj++)
                {
                    int fj = map[s.Rows[rc0 + jj]], src = jj * mc;
                    if (fj < k)
                    {
                        int dst = lo + fj * r;
                        for (int ii = jj; ii < mc; ii++) l[map[s.Rows[rc0 + ii]] + dst] += uc[ii + src];
                    }
                    else
                    {
                        int dst = (fj - k) * m - k;
                        for (int ii = jj; ii < mc; ii++) u![map[s.Rows[rc0 + ii]] + dst] += uc[ii + src];
                    }
                }
                ArrayPool<double>.Shared.Return(uc);
                updates[ch] = null;
            }
            var outcome = DenseFrontKernels.PartialCholesky(l, lo, r, k, u ?? [], tau, parallel);
            if (outcome.FailedColumn >= 0)
            {
                if (u is not null) ArrayPool<double>.Shared.Return(u);
                int step = f + outcome.FailedColumn;
                throw new NotPositiveDefiniteException(
                    $"matrix is not positive definite: the Cholesky pivot of column {s.Perm[step]} (step {step} of the ordered matrix) is {outcome.FailedPivot:g6}" +
                    (tau > 0 ? $", not above the tolerance {tau:g3}" : ""), s.Perm[step], outcome.FailedPivot);
            }
            updates[sn] = u;
        }

        Traverse(s, Node, updates);
        return new MultifrontalFactor(s, l);
    }

    /// <summary>
    /// <see cref="Traverse(SupernodalSymbolic, Action{int, bool})"/> for a multifrontal factorization whose nodes leave
    /// pooled contribution blocks in <paramref name="pooledBlocks"/> for their parents: whatever is left there when the
    /// traversal ends — normally or by an exception (a failed pivot) — goes back to the pool.
    /// </summary>
    internal static void Traverse(SupernodalSymbolic s, Action<int, bool> node, double[]?[] pooledBlocks)
    {
        try
        {
            Traverse(s, node);
        }
        finally
        {
            foreach (var u in pooledBlocks) if (u is not null) ArrayPool<double>.Shared.Return(u);
        }
    }

    /// <summary>
    /// Runs <paramref name="node"/>(s, parallelKernels) over every supernode, children before parents: the independent
    /// subtrees of <see cref="Schedule"/> concurrently (each sequentially), then the nodes above the cut in order with
    /// parallel dense kernels. The first exception thrown by a node is rethrown as itself.
    /// </summary>
    internal static void Traverse(SupernodalSymbolic s, Action<int, bool> node)
    {
        var (subtrees, top) = Schedule(s);
        try
        {
            if (subtrees.Count > 1)
                // One subtree at a time to whichever worker is free, heaviest first (Schedule's order): longest-processing-
                // time scheduling. The default partitioner of a list hands out growing chunks, which can give one worker
                // several heavy subtrees while the other idles.
                Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(subtrees, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering),
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    range =>
                    {
                        long t0 = DirectProfile.Now();
                        for (int sn = range.First; sn <= range.Last; sn++) node(sn, false);
                        DirectProfile.Subtree(range.Last, s.SubtreeFlops[range.Last], range.Last - range.First + 1, t0);
                    });
            else foreach (var range in subtrees) for (int sn = range.First; sn <= range.Last; sn++) node(sn, false);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            throw;
        }
        DirectProfile.Mark($"fronts: {subtrees.Count} subtrees in parallel");
        foreach (int sn in top) node(sn, true);
        DirectProfile.Mark($"fronts: {top.Count} fronts above them");
    }

    /// <summary>
    /// Cuts the assembly tree into independent subtrees (ranges of supernodes [First, Last], heaviest first) by flops
    /// (<see cref="TreeCut"/>: none above 1/(4·P) of the work, when there are several cores and enough work); the split
    /// nodes (ascending, so children first) are factored afterwards.
    /// </summary>
    internal static (List<(int First, int Last)> Subtrees, List<int> Top) Schedule(SupernodalSymbolic s)
    {
        int procs = Environment.ProcessorCount;
        return TreeCut.Cut(s.SuperParent, s.SubtreeFlops, procs, split: procs > 1 && s.Flops > 2e7);
    }

    /// <summary>Solves P·A·Pᵀ-factored A·x = b in place: x ← Pᵀ·L⁻ᵀ·L⁻¹·P·x. <paramref name="work"/> has N entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Solve(Span<double> x, Span<double> work)
    {
        var s = Symbolic;
        int n = s.N, ns = s.SuperCount;
        var perm = s.Perm; var rows = s.Rows; var l = L;
        var y = work;
        for (int k = 0; k < n; k++) y[k] = x[perm[k]];
        for (int sn = 0; sn < ns; sn++)
        {
            int f = s.SuperStart[sn], k = s.SuperStart[sn + 1] - f, r0 = s.RowPtr[sn], r = s.RowPtr[sn + 1] - r0;
            long off = s.ValueOffset[sn];
            for (int j = 0; j < k; j++)
            {
                long c = off + (long)j * r;
                double yj = y[f + j] / l[c + j];
                y[f + j] = yj;
                if (yj == 0) continue;
                for (int i = j + 1; i < r; i++) y[rows[r0 + i]] -= l[c + i] * yj;
            }
        }
        for (int sn = ns - 1; sn >= 0; sn--)
        {
            int f = s.SuperStart[sn], k = s.SuperStart[sn + 1] - f, r0 = s.RowPtr[sn], r = s.RowPtr[sn + 1] - r0;
            long off = s.ValueOffset[sn];
            for (int j = k - 1; j >= 0; j--)
            {
                long c = off + (long)j * r;
                double t = y[f + j];
                for (int i = j + 1; i < r; i++) t -= l[c + i] * y[rows[r0 + i]];
                y[f + j] = t / l[c + j];
            }
        }
        for (int k = 0; k < n; k++) x[perm[k]] = y[k];
    }

    /// <summary>log|det A| and its sign: det A = Π l_jj².</summary>
    public (double LogAbsDet, int Sign) LogDeterminant()
    {
        var s = Symbolic;
        double sum = 0;
        for (int sn = 0; sn < s.SuperCount; sn++)
        {
            int k = s.SuperStart[sn + 1] - s.SuperStart[sn], r = s.RowPtr[sn + 1] - s.RowPtr[sn];
            long off = s.ValueOffset[sn];
            for (int j = 0; j < k; j++) sum += 2 * Math.Log(L[off + (long)j * r + j]);
        }
        return (sum, 1);
    }
}
