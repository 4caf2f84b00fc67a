namespace TorchSla.Solvers.Direct;

/// <summary>
/// Index arrays of one length n, lent to the stages of one symbolic analysis (elimination tree, postorder, column counts,
/// supernodes, row structures) and to the first factorization that follows it, and taken back as each stage finishes, so
/// that the next stage writes memory that is already mapped. Each of those stages needs a few arrays of n entries for a
/// moment; allocated fresh, they were ~60 MB of first touches in the analysis of a 10⁶-unknown matrix, and on the
/// benchmark VM a first touch costs 2–3.8 ms per MB (bench/RESULTS.md, session 7). Arrays a stage keeps as its result
/// are rented and simply never returned. Contents of a rented array are undefined (<see cref="RentZeroed"/>,
/// <see cref="RentFilled"/> when it must start known). Thread-safe (the factorization's workers rent their maps).
/// </summary>
internal sealed class IndexScratch(int n)
{
    private readonly Stack<int[]> _free = new();

    /// <summary>An array of n entries, contents undefined.</summary>
    public int[] Rent()
    {
        lock (_free) if (_free.Count > 0) return _free.Pop();
        return FactorMemory.Allocate<int>(n);
    }

    /// <summary>An array of n entries, all <paramref name="value"/>.</summary>
    public int[] RentFilled(int value)
    {
        var a = Rent();
        Array.Fill(a, value);
        return a;
    }

    /// <summary>An array of n zeros.</summary>
    public int[] RentZeroed() => RentFilled(0);

    /// <summary>Drops all but <paramref name="keep"/> of the free arrays (to the garbage collector, which can hand their memory to the next allocations).</summary>
    public void Trim(int keep)
    {
        lock (_free) while (_free.Count > keep) _free.Pop();
    }

    /// <summary>Takes arrays back for the next stage (the caller no longer reads or writes them).</summary>
    public void Return(params ReadOnlySpan<int[]> arrays)
    {
        lock (_free)
            foreach (var a in arrays)
            {
                if (a.Length != n) throw new ArgumentException($"an array of {a.Length} entries returned to a scratch of {n}", nameof(arrays));
                _free.Push(a);
            }
    }
}
