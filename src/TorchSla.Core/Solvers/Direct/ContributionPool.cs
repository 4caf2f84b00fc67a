using System.Buffers;
using System.Numerics;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// The update (contribution) blocks of one multifrontal factorization: arrays of power-of-two lengths, kept on free
/// lists by length and handed out again, whose fresh ones come from <see cref="FactorMemory.Allocate{T}"/> with their
/// pages already mapped. The shared <see cref="ArrayPool{T}"/> allocates its fresh arrays plainly, and on the VM of the
/// benchmarks the page faults of those first touches cost more than the memory traffic of the blocks (bench/RESULTS.md,
/// session direct5). The lengths are those of <see cref="ArrayPool{T}.Shared"/>'s buckets, so a block may also be
/// returned there (as <see cref="MultifrontalFactor.Traverse(SupernodalSymbolic, Action{int, bool}, double[][])"/> does
/// with what is left after a failure). Thread-safe: each thread keeps its own free lists (a subtree's blocks are rented
/// and returned by the worker that factors it, so a shared lock would be taken twice per front by both workers for
/// nothing); the arrays are garbage once the pool is.
/// </summary>
internal sealed class ContributionPool : IDisposable
{
    private readonly ThreadLocal<Stack<double[]>?[]> _free = new(() => new Stack<double[]>?[32]);

    /// <summary>An array of at least <paramref name="length"/> entries (a power of two, at least 16), contents undefined.</summary>
    public double[] Rent(int length)
    {
        if (length > MaxPooled) return FactorMemory.Allocate<double>(length);
        int bucket = Bucket(length);
        if (_free.Value![bucket] is { Count: > 0 } stack) return stack.Pop();
        return FactorMemory.Allocate<double>(1 << bucket);
    }

    /// <summary>Gives an array from <see cref="Rent"/> back for reuse (by this thread).</summary>
    public void Return(double[] array)
    {
        if (array.Length > MaxPooled) return;
        int bucket = Bucket(array.Length);
        (_free.Value![bucket] ??= new Stack<double[]>()).Push(array);
    }

    /// <summary>Drops the free lists.</summary>
    public void Dispose() => _free.Dispose();

    /// <summary>The longest pooled array (the shared pool's largest bucket); longer ones are allocated at their length and dropped.</summary>
    private const int MaxPooled = 1 << 30;

    private static int Bucket(int length) => Math.Max(4, BitOperations.Log2((uint)Math.Max(1, length) - 1) + 1);
}
