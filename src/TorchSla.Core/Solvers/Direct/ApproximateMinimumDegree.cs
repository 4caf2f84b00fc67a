using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// A fill-reducing ordering by approximate minimum degree on the quotient graph (Amestoy, Davis
/// &amp; Duff, "An approximate minimum degree ordering algorithm", SIAM J. Matrix Anal. Appl. 17(4),
/// 1996; Davis 2006, §7.1). Eliminating a variable p turns it into an <i>element</i> whose
/// variable set L_p = (A_p ∪ ⋃_{e∈E_p} L_e) \ {p} stands for the clique the elimination creates;
/// the elements adjacent to p are absorbed into it, so the graph never grows beyond its initial
/// size. Instead of the exact degree, each variable i of L_p gets the AMD upper bound
/// <c>d_i = min(n_live − 1, d_i + |L_p \ i|, |A_i \ i| + |L_p \ i| + Σ_{e∈E_i\p} |L_e \ L_p|)</c>,
/// with |L_e \ L_p| found for all elements at once by one sweep over L_p (ADD96 §3), and
/// elements with L_e ⊆ L_p absorbed (aggressive absorption).
/// <para>This version leaves out supervariable detection and mass elimination (ADD96 §4), which
/// make SuiteSparse's AMD faster on large meshes; the orderings are of the same kind (far less
/// fill than reverse Cuthill–McKee on 2-D and 3-D meshes).</para>
/// </summary>
internal static class ApproximateMinimumDegree
{
    /// <summary>The ordering p (p[new] = old) of the graph whose adjacency is the CSR pattern (self loops ignored; the pattern should be structurally symmetric).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Order(int n, int[] rowPtr, int[] colInd)
    {
        var a = new List<int>[n];      // A_i: adjacent live variables (original edges not yet covered by an element)
        var e = new List<int>[n];      // E_i: adjacent elements
        var l = new List<int>?[n];     // L_e: variables of element e (null while e is a variable or once absorbed)
        var degree = new int[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = new List<int>(rowPtr[i + 1] - rowPtr[i]);
            for (int p = rowPtr[i]; p < rowPtr[i + 1]; p++) if (colInd[p] != i) a[i].Add(colInd[p]);
            e[i] = [];
            degree[i] = a[i].Count;
        }
        var buckets = new DegreeBuckets(n);
        for (int i = n - 1; i >= 0; i--) buckets.Insert(i, degree[i]);
        var eliminated = new bool[n];
        var absorbed = new bool[n];
        var inLp = new int[n];          // inLp[i] == stamp: i ∈ L_p of the current pivot
        var w = new int[n];             // w[e] = |L_e \ L_p| while wStamp[e] == stamp
        var wStamp = new int[n];
        Array.Fill(inLp, -1); Array.Fill(wStamp, -1);
        var perm = new int[n];
        for (int k = 0; k < n; k++)
        {
            int p = buckets.PopMin();
            perm[k] = p;
            eliminated[p] = true;
            int stamp = k;

            // L_p = A_p ∪ (⋃ L_e over the elements of p), minus p; those elements are absorbed into p.
            var lp = new List<int>();
            inLp[p] = stamp;
            foreach (int j in a[p]) if (!eliminated[j] && inLp[j] != stamp) { inLp[j] = stamp; lp.Add(j); }
            foreach (int el in e[p])
            {
                if (absorbed[el]) continue;
                foreach (int j in l[el]!) if (!eliminated[j] && inLp[j] != stamp) { inLp[j] = stamp; lp.Add(j); }
                absorbed[el] = true;
                l[el] = null;
            }
            l[p] = lp;
            a[p] = []; e[p] = [];

            // Prune: edges inside L_p are now carried by element p; absorbed elements leave E_i.
            foreach (int i in lp)
            {
                var ai = a[i];
                int c = 0;
                for (int q = 0; q < ai.Count; q++) if (inLp[ai[q]] != stamp) ai[c++] = ai[q];
                ai.RemoveRange(c, ai.Count - c);
                var ei = e[i];
                c = 0;
                for (int q = 0; q < ei.Count; q++) if (!absorbed[ei[q]]) ei[c++] = ei[q];
                ei.RemoveRange(c, ei.Count - c);
                ei.Add(p);
            }

            // |L_e \ L_p| for every element adjacent to L_p: start from |L_e| and subtract each member of L_p.
            foreach (int i in lp)
                foreach (int el in e[i])
                {
                    if (el == p) continue;
                    if (wStamp[el] != stamp) { wStamp[el] = stamp; w[el] = l[el]!.Count; }
                    w[el]--;
                }

            int live = n - k - 1;
            foreach (int i in lp)
            {
                // Aggressive absorption: an element inside L_p adds nothing that p does not.
                var ei = e[i];
                long bound = a[i].Count + (lp.Count - 1L);
                int c = 0;
                for (int q = 0; q < ei.Count; q++)
                {
                    int el = ei[q];
                    if (el != p && (absorbed[el] || (wStamp[el] == stamp && w[el] == 0)))
                    {
                        absorbed[el] = true; l[el] = null;
                        continue;
                    }
                    if (el != p) bound += w[el];
                    ei[c++] = el;
                }
                ei.RemoveRange(c, ei.Count - c);
                int d = (int)Math.Min(Math.Min(live - 1, (long)degree[i] + lp.Count - 1), bound);
                if (d != degree[i])
                {
                    buckets.Remove(i, degree[i]);
                    degree[i] = d;
                    buckets.Insert(i, d);
                }
            }
        }
        return perm;
    }

    /// <summary>
    /// Variables by degree in doubly linked bucket lists (as in AMD): O(1) insert and remove,
    /// and the minimum found by a cursor that only moves back when a smaller degree is inserted.
    /// </summary>
    private sealed class DegreeBuckets
    {
        private readonly int[] _head, _next, _prev;
        private int _min;

        public DegreeBuckets(int n)
        {
            _head = new int[n + 1]; _next = new int[n]; _prev = new int[n];
            Array.Fill(_head, -1);
            _min = n;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Insert(int i, int d)
        {
            _prev[i] = -1; _next[i] = _head[d];
            if (_head[d] >= 0) _prev[_head[d]] = i;
            _head[d] = i;
            if (d < _min) _min = d;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Remove(int i, int d)
        {
            if (_prev[i] >= 0) _next[_prev[i]] = _next[i]; else _head[d] = _next[i];
            if (_next[i] >= 0) _prev[_next[i]] = _prev[i];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int PopMin()
        {
            while (_head[_min] < 0) _min++;
            int i = _head[_min];
            Remove(i, _min);
            return i;
        }
    }
}
