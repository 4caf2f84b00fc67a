using System.Runtime.CompilerServices;

namespace TorchSla;

/// <summary>
/// The union of two patterns of the same shape, the symbolic half of A ± B: for each slot of
/// the union, the slot of A and the slot of B it takes its value from (−1 where absent).
/// The numeric half is two gathers, c = α·A[mapA] + β·B[mapB], on any backend.
/// </summary>
internal sealed record UnionPlan(SparsePattern Pattern, IndexMap MapA, IndexMap MapB);

internal sealed partial class SparsePattern
{
    // Keyed weakly by the other pattern so that a plan lives as long as both patterns do.
    private readonly ConditionalWeakTable<SparsePattern, UnionPlan> _unions = [];
    private UnionPlan? _symmetryPlan;
    private IndexMap? _transposeMap, _diagonalMap;

    /// <summary>The transposition map (see <see cref="Transpose()"/>) as a device-ready gather map.</summary>
    public IndexMap TransposeMap => _transposeMap ??= new IndexMap(Transpose().Map);

    /// <summary>The diagonal slots (see <see cref="DiagonalSlots"/>) as a device-ready gather map.</summary>
    public IndexMap DiagonalMap => _diagonalMap ??= new IndexMap(DiagonalSlots());

    /// <summary>
    /// The union of this pattern and <paramref name="other"/> (same rows and columns), computed
    /// once per pair by merging the sorted column lists of each row: O(nnz(A) + nnz(B) + rows).
    /// When both are the same pattern, the union is this pattern with identity maps.
    /// </summary>
    public UnionPlan UnionWith(SparsePattern other)
    {
        lock (_unions)
        {
            if (_unions.TryGetValue(other, out var cached)) return cached;
            var plan = BuildUnion(other, null);
            _unions.Add(other, plan);
            return plan;
        }
    }

    /// <summary>
    /// The union of this pattern with its transpose, with MapB pointing into THIS pattern's
    /// slots (the transposition composed in), so that d = v[MapA] − v[MapB] is A − Aᵀ on the union.
    /// Square patterns only.
    /// </summary>
    public UnionPlan SymmetryPlan()
    {
        if (_symmetryPlan is { } p) return p;
        if (_transpose is null && _structurallySymmetric != false && SymmetricTransposeMap(withMap: true) is { } map)
        {
            // Structurally symmetric: the union is this pattern, and the pattern is its own transpose.
            _transpose = (this, map);
            _structurallySymmetric = true;
            return _symmetryPlan = new UnionPlan(this, IndexMap.Identity(Nnz), new IndexMap(map));
        }
        var (pt, tmap) = Transpose();
        _symmetryPlan = BuildUnion(pt, tmap);
        return _symmetryPlan;
    }

    private bool? _structurallySymmetric;

    /// <summary>
    /// Whether the pattern is square and equals its transpose (cached): the one read-only pass of
    /// <see cref="SymmetricTransposeMap"/> without writing the map (a 20 MB array at 5·10⁶ entries, whose first touch
    /// alone costs 40–75 ms on the benchmark VM), or what an earlier transpose or symmetry plan already showed.
    /// </summary>
    public bool IsStructurallySymmetric => _structurallySymmetric ??=
        _symmetryPlan is { } plan ? ReferenceEquals(plan.Pattern, this)
        : _transpose is { } t ? ReferenceEquals(t.Pattern, this) || SymmetricTransposeMap(withMap: false) is not null
        : SymmetricTransposeMap(withMap: false) is not null;

    /// <summary>
    /// The pattern of A + Aᵀ: this pattern itself when it is structurally symmetric (found by
    /// <see cref="IsStructurallySymmetric"/>, with no map built: what the symmetric analyses need), else the union of
    /// <see cref="SymmetryPlan"/>.
    /// </summary>
    public SparsePattern SymmetricPattern() => IsStructurallySymmetric ? this : SymmetryPlan().Pattern;

    /// <summary>
    /// The transposition map of a structurally symmetric square pattern (map[q] = the slot of (j, i) for the slot q of
    /// (i, j)), or null when the pattern is not structurally symmetric; exact, one pass, O(nnz + n), no transpose built.
    /// Rows are visited in ascending order and row j's columns are sorted, so if every (i, j) has its (j, i), the
    /// (j, i) are met in row j's own order: each must be the next slot of row j not yet matched. If every slot finds
    /// its match this way, the matches are distinct slots (next[j] only advances), so the map is a bijection and the
    /// pattern equals its transpose; the first mismatch proves an (i, j) without (j, i). Without
    /// <paramref name="withMap"/> only the test is made (a non-null empty array means symmetric).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int[]? SymmetricTransposeMap(bool withMap)
    {
        if (Rows != Cols) return null;
        int n = Rows;
        var rp = RowPtr; var ci = ColInd;
        var next = GC.AllocateUninitializedArray<int>(n);
        Array.Copy(rp, next, n);
        var map = withMap ? Solvers.Direct.FactorMemory.Allocate<int>(Nnz) : null;
        for (int i = 0; i < n; i++)
            for (int q = rp[i]; q < rp[i + 1]; q++)
            {
                int j = ci[q], t = next[j];
                if (t >= rp[j + 1] || ci[t] != i) return null;
                if (map is not null) map[q] = t;
                next[j] = t + 1;
            }
        return map ?? [];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private UnionPlan BuildUnion(SparsePattern other, int[]? composeB)
    {
        if (Rows != other.Rows || Cols != other.Cols)
            throw new ShapeMismatchException($"patterns of shapes [{Rows}, {Cols}] and [{other.Rows}, {other.Cols}] have no union");
        if (composeB is null && SameAs(other))
        {
            var id = new int[Nnz];
            for (int k = 0; k < id.Length; k++) id[k] = k;
            var m = new IndexMap(id);
            return new UnionPlan(this, m, m);
        }
        var rowPtr = new int[Rows + 1];
        // First pass counts, so that the arrays are allocated once at their final size.
        for (int i = 0; i < Rows; i++)
        {
            int a = RowPtr[i], ae = RowPtr[i + 1], b = other.RowPtr[i], be = other.RowPtr[i + 1], c = 0;
            while (a < ae || b < be)
            {
                int ca = a < ae ? ColInd[a] : int.MaxValue, cb = b < be ? other.ColInd[b] : int.MaxValue;
                if (ca <= cb) a++;
                if (cb <= ca) b++;
                c++;
            }
            rowPtr[i + 1] = checked(rowPtr[i] + c);
        }
        int nnz = rowPtr[Rows];
        var colInd = new int[nnz];
        var mapA = new int[nnz];
        var mapB = new int[nnz];
        for (int i = 0; i < Rows; i++)
        {
            int a = RowPtr[i], ae = RowPtr[i + 1], b = other.RowPtr[i], be = other.RowPtr[i + 1], p = rowPtr[i];
            while (a < ae || b < be)
            {
                int ca = a < ae ? ColInd[a] : int.MaxValue, cb = b < be ? other.ColInd[b] : int.MaxValue;
                colInd[p] = Math.Min(ca, cb);
                mapA[p] = ca <= cb ? a++ : -1;
                mapB[p] = cb <= ca ? (composeB is null ? b : composeB[b]) : -1;
                if (cb <= ca) b++;
                p++;
            }
        }
        // When the union has no more slots than this pattern, the other pattern lies inside it
        // (for the symmetry plan: the pattern is structurally symmetric): share this pattern.
        var union = nnz == Nnz ? this : new SparsePattern(Rows, Cols, rowPtr, colInd);
        return new UnionPlan(union, new IndexMap(mapA), new IndexMap(mapB));
    }
}
