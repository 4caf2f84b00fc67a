using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// Nested dissection ordering by level-structure separators (George, "Nested dissection of a
/// regular finite element mesh", SIAM J. Numer. Anal. 10(2), 1973; George &amp; Liu 1981, §8.2,
/// "automatic nested dissection"): a breadth-first level structure is grown from a
/// pseudo-peripheral node of the subgraph, the level that splits its vertices in half becomes the
/// separator (numbered last), and the two sides are dissected in turn. Disconnected pieces are
/// ordered separately; pieces below <see cref="LeafSize"/> vertices are ordered by approximate
/// minimum degree on their induced subgraph. On 3-D meshes this gives far less fill than minimum
/// degree. This is a single-level partitioner (no coarsening or Fiduccia–Mattheyses refinement as
/// in METIS), so its separators on irregular graphs are larger than a multilevel one's.
/// Cost O(nnz · depth) with depth ≈ log₂(n / LeafSize), 5–8× less than the multilevel
/// <see cref="NestedDissection"/>; on regular 2-D and 3-D grids its separators are as small (a BFS level from a corner
/// of a cube is a diagonal slice of ~¾k² vertices, fewer than an axis plane's k²), so
/// <see cref="NestedDissection.OrderAutomatic"/> uses it where its top separator is no larger than the multilevel one.
/// </summary>
internal static class LevelStructureDissection
{
    /// <summary>Subgraphs at most this large are ordered by minimum degree.</summary>
    public const int LeafSize = 128;

    /// <summary>The ordering p (p[new] = old) of the graph whose adjacency is the CSR pattern (structurally symmetric; self loops ignored).</summary>
    public static int[] Order(int n, int[] rowPtr, int[] colInd) => Order(n, rowPtr, colInd, out _);

    /// <summary>
    /// As <see cref="Order(int, int[], int[])"/>, also giving the size of the first separator (of the first connected
    /// piece split; 0 if none), which is also passed to <paramref name="firstSeparatorFound"/> as soon as it is known
    /// (before the rest of the dissection). The n-entry work arrays are rented from <paramref name="scratch"/> and returned
    /// to it (when given: the analysis after the ordering then writes memory already mapped, 16 MB at 10⁶ vertices).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Order(int n, int[] rowPtr, int[] colInd, out int firstSeparator, Action<int>? firstSeparatorFound = null, IndexScratch? scratch = null)
    {
        int first = 0;
        var perm = FactorMemory.Allocate<int>(n);
        // level[v]: −1 for a vertex not yet numbered (and not reached by the BFS under way), its BFS level meanwhile,
        // Separated once it is numbered in a separator. A piece needs no membership mark: every edge that leaves a piece
        // ends in a separator numbered before it (that is what separates the pieces; disconnected components have no such
        // edge), so a BFS or a split that skips Separated vertices never leaves its piece.
        scratch ??= new IndexScratch(n);
        var level = scratch.RentFilled(-1);
        // Every piece is a range of one array of the vertices, rearranged in place as pieces split (sides first, the
        // separator's vertices moved out to their place in perm): no array per piece. Pieces are disjoint ranges, so the
        // workers below rearrange theirs without touching each other's.
        var nodes = scratch.Rent();
        for (int i = 0; i < n; i++) nodes[i] = i;
        var work = new Stack<Piece>();
        if (n > 0) work.Push(new Piece(0, n, 0));
        // Pieces are disjoint, so after the first separator their dissections are independent: the pieces left then are
        // shared out between two workers (balanced by size), each with its own queue and scratch. level is per vertex and
        // a worker reads and writes only its own pieces' vertices and the separators numbered before the split.
        bool split = n >= ParallelPieces && Environment.ProcessorCount > 1;
        var queue = scratch.Rent(); var side = scratch.Rent();
        Dissect(work, nodes, rowPtr, colInd, perm, level, queue, side, split ? 1 : int.MaxValue, ref first, firstSeparatorFound);
        if (work.Count > 0)
        {
            var groups = new[] { new Stack<Piece>(), new Stack<Piece>() };
            long w0 = 0, w1 = 0;
            int largest1 = 0;
            foreach (var piece in work.OrderByDescending(p => p.Length))
                if (w0 <= w1) { groups[0].Push(piece); w0 += piece.Length; }
                else { groups[1].Push(piece); w1 += piece.Length; largest1 = Math.Max(largest1, piece.Length); }
            // The first worker keeps the scratch of the first split; the second's is as large as its largest piece (queue
            // and scratch hold one piece's vertices at a time).
            DirectProfile.Mark("ordering: first separator (one thread)");
            Parallel.For(0, 2, g =>
            {
                long t0 = DirectProfile.Now();
                int ignored = 1;
                if (g == 0) Dissect(groups[0], nodes, rowPtr, colInd, perm, level, queue, side, int.MaxValue, ref ignored, null);
                else if (largest1 > 0)
                    Dissect(groups[1], nodes, rowPtr, colInd, perm, level, FactorMemory.Allocate<int>(largest1), FactorMemory.Allocate<int>(largest1), int.MaxValue, ref ignored, null);
                DirectProfile.Add($"worker {g}", t0);
            });
            DirectProfile.Mark("ordering: the pieces below it (two workers)");
            DirectProfile.ReportSums("ND");
        }
        scratch.Return(level, nodes, queue, side);
        firstSeparator = first;
        return perm;
    }

    /// <summary>Graphs of at least this many vertices dissect the pieces below the first separator on two threads (the result is the same).</summary>
    internal static int ParallelPieces { get; set; } = 50_000;

    /// <summary>A piece to dissect: vertices nodes[Start..Start+Length), to be numbered from Lo on.</summary>
    private readonly record struct Piece(int Start, int Length, int Lo);

    /// <summary>
    /// Dissects the pieces on the stack until it is empty or, once <paramref name="stopAfterSplits"/> separators have been
    /// found, returns with the remaining pieces on it. <paramref name="first"/> gets the first separator's size (when 0).
    /// <paramref name="queue"/> and <paramref name="scratch"/> hold at least the largest piece's vertices.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dissect(Stack<Piece> work, int[] all, int[] rowPtr, int[] colInd, int[] perm, int[] level,
        int[] queue, int[] scratch, int stopAfterSplits, ref int first, Action<int>? firstSeparatorFound)
    {
        int splits = 0;
        while (work.Count > 0 && splits < stopAfterSplits)
        {
            var (start, length, lo) = work.Pop();
            var nodes = all.AsSpan(start, length);
            long t0 = DirectProfile.Now();
            if (length <= LeafSize) { OrderLeaf(nodes, lo, rowPtr, colInd, perm, level); DirectProfile.Add("leaves", t0); continue; }

            // Pseudo-peripheral start: BFS from a node, restart from a minimum-degree node of the last level while the depth grows.
            // The search ends on the root of its last BFS (the depth stopped growing, or the root is its own farthest
            // minimum-degree node), whose levels are then kept as they are, or after four attempts on a new root.
            int root = nodes[0], depth = -1, reached = 0, levels = 0;
            bool kept = false;
            for (int attempt = 0; attempt < 4 && !kept; attempt++)
            {
                reached = Bfs(root, rowPtr, colInd, level, queue, out levels);
                int best = -1;
                for (int q = reached - 1; q >= 0 && level[queue[q]] == levels - 1; q--)
                {
                    int v = queue[q];
                    if (best < 0 || rowPtr[v + 1] - rowPtr[v] < rowPtr[best + 1] - rowPtr[best]) best = v;
                }
                kept = levels <= depth || best == root;
                if (kept) break;
                for (int q = 0; q < reached; q++) level[queue[q]] = -1;
                depth = levels;
                root = best;
            }
            if (!kept) reached = Bfs(root, rowPtr, colInd, level, queue, out levels);
            t0 = DirectProfile.Add("peripheral BFS", t0);
            if (reached < length)
            {
                // Disconnected: the component found (in BFS order) and the rest (in their order) are independent pieces.
                int w = 0;
                foreach (int v in nodes) if (level[v] < 0) scratch[w++] = v;
                for (int q = 0; q < reached; q++) level[queue[q]] = -1;
                queue.AsSpan(0, reached).CopyTo(nodes);
                scratch.AsSpan(0, w).CopyTo(nodes[reached..]);
                work.Push(new Piece(start + reached, w, lo + reached));
                work.Push(new Piece(start, reached, lo));
                continue;
            }
            // The separator level m: the first level at which the levels before it hold half the vertices.
            var size = new int[levels];
            foreach (int v in nodes) size[level[v]]++;
            int m = 0, below = 0;
            while (m < levels && below + size[m] <= length / 2) below += size[m++];
            if (m == 0 || m >= levels - 1)
            {
                foreach (int v in nodes) level[v] = -1;
                OrderLeaf(nodes, lo, rowPtr, colInd, perm, level);
                continue;
            }
            // Vertices of level m with no neighbour in level m+1 are not needed to separate: they join side 1. Side 1
            // goes to the front of the queue, the separator to its back (reversed), side 2 to the scratch; all in the
            // order of the piece.
            int n1 = 0, n2 = 0, ns = 0;
            foreach (int v in nodes)
            {
                int lv = level[v];
                if (lv < m) queue[n1++] = v;
                else if (lv > m) scratch[n2++] = v;
                else
                {
                    bool touches = false;
                    for (int q = rowPtr[v]; q < rowPtr[v + 1] && !touches; q++) { int u = colInd[q]; touches = level[u] == m + 1; }
                    if (touches) queue[length - 1 - ns++] = v; else queue[n1++] = v;
                }
            }
            foreach (int v in nodes) level[v] = -1;
            int at = lo + n1 + n2;
            for (int t = 0; t < ns; t++) { int v = queue[length - 1 - t]; perm[at + t] = v; level[v] = Separated; }
            queue.AsSpan(0, n1).CopyTo(nodes);
            scratch.AsSpan(0, n2).CopyTo(nodes[n1..]);
            DirectProfile.Add("split", t0);
            if (first == 0) { first = ns; firstSeparatorFound?.Invoke(first); }
            splits++;
            work.Push(new Piece(start + n1, n2, lo + n1));
            work.Push(new Piece(start, n1, lo));
        }
    }

    /// <summary>level[] of a vertex numbered in a separator (see <see cref="Order(int, int[], int[], out int, Action{int}?, IndexScratch?)"/>).</summary>
    private const int Separated = -2;

    /// <summary>Breadth-first levels inside root's piece (level[] of the piece must be −1, its separators' <see cref="Separated"/>): sets level[] of the reached vertices, which the queue holds in order; the caller resets them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Bfs(int root, int[] rowPtr, int[] colInd, int[] level, int[] queue, out int levels)
    {
        int head = 0, tail = 0;
        queue[tail++] = root; level[root] = 0;
        levels = 1;
        while (head < tail)
        {
            int v = queue[head++];
            int lv = level[v];
            for (int q = rowPtr[v]; q < rowPtr[v + 1]; q++)
            {
                int u = colInd[q];
                if (level[u] != -1) continue;
                level[u] = lv + 1;
                if (lv + 2 > levels) levels = lv + 2;
                queue[tail++] = u;
            }
        }
        return tail;
    }

    /// <summary>
    /// Orders a leaf piece by minimum degree on its induced subgraph. <paramref name="level"/> is −1 at every vertex of the
    /// piece (and is again on return): it maps the piece's vertices to local numbers meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OrderLeaf(ReadOnlySpan<int> nodes, int lo, int[] rowPtr, int[] colInd, int[] perm, int[] level)
    {
        int m = nodes.Length;
        for (int i = 0; i < m; i++) level[nodes[i]] = i;
        var rp = new int[m + 1];
        var ci = new List<int>();
        for (int i = 0; i < m; i++)
        {
            int v = nodes[i];
            for (int q = rowPtr[v]; q < rowPtr[v + 1]; q++)
            {
                int u = colInd[q];
                // level[u] ≥ 0 only for this piece's vertices: other pieces of the same worker are all −1 between splits,
                // and another worker's piece holds levels only of its own vertices — but those could be ≥ 0 meanwhile, so
                // membership is checked against the piece itself.
                int lu = level[u];
                if (lu >= 0 && lu < m && nodes[lu] == u) ci.Add(lu);
            }
            rp[i + 1] = ci.Count;
        }
        foreach (int v in nodes) level[v] = -1;
        var p = ApproximateMinimumDegree.Order(m, rp, [.. ci]);
        for (int i = 0; i < m; i++) perm[lo + i] = nodes[p[i]];
    }
}
