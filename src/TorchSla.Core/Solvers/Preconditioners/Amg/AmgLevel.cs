using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// One level of the hierarchy: its operator, the transfers to the next coarser level, its
/// smoother, and the vectors a cycle works in (allocated once, on first use). The tentative prolongator
/// depends only on the pattern and the near-null space (through the aggregation), so a refresh
/// with new values keeps it.
/// </summary>
internal sealed class AmgLevel<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <param name="a">The level's operator.</param>
    /// <param name="ownsA">Whether disposing the level disposes A.</param>
    /// <param name="ownVectors">Whether X and B are allocated here; the finest level works in the caller's vectors instead (set per cycle).</param>
    public AmgLevel(SparseTensor<T> a, bool ownsA, bool ownVectors)
    {
        A = a;
        OwnsA = ownsA;
        _ownVectors = ownVectors;
    }

    private readonly bool _ownVectors;
    private Tensor<T>? _x, _b, _residual;

    public SparseTensor<T> A { get; set; }
    public bool OwnsA { get; set; }

    // The vectors are allocated on first use (the first cycle, or a smoother that borrows the residual), not when the level
    // is made: by then the setup's scratch vectors of the same length (ρ's Lanczos vectors, the diagonal) have been handed
    // back, and on the CPU the allocation takes their warm memory instead of faulting in fresh pages (HostArrays).

    /// <summary>The level's solution vector (on the finest level: the caller's output, set for the cycle).</summary>
    public Tensor<T> X { get => _x ??= _ownVectors ? Smoother<T>.Vector(A.Rows, A.Device) : null!; set => _x = value; }
    /// <summary>The level's right-hand side (on the finest level: the caller's input, never written).</summary>
    public Tensor<T> B { get => _b ??= _ownVectors ? Smoother<T>.Vector(A.Rows, A.Device) : null!; set => _b = value; }
    /// <summary>Work vector of the level: the residual before restriction, and the smoother's residual while it runs.</summary>
    public Tensor<T> Residual => _residual ??= Smoother<T>.Vector(A.Rows, A.Device);

    public SparseTensor<T>? Tentative { get; set; }
    public SparseTensor<T>? P { get; set; }
    public SparseTensor<T>? R { get; set; }
    public Smoother<T>? Smoother { get; set; }
    public double SpectralRadius { get; set; }

    /// <summary>Frees what a refresh rebuilds (P, R, the smoother), keeping the tentative prolongator.</summary>
    public void DisposeNumeric()
    {
        if (!ReferenceEquals(P, Tentative)) P?.Dispose();
        P = null;
        R?.Dispose(); R = null;
        Smoother?.Dispose(); Smoother = null;
    }

    public void Dispose()
    {
        DisposeNumeric();
        Tentative?.Dispose();
        if (OwnsA) A.Dispose();
        if (_ownVectors) { _x?.Dispose(); _b?.Dispose(); }
        _residual?.Dispose();
    }
}
