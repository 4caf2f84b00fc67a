using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// One level of the hierarchy: its operator, the transfers to the next coarser level, its
/// smoother, and the vectors a cycle works in (allocated once). The tentative prolongator
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
        X = ownVectors ? Smoother<T>.Vector(a.Rows, a.Device) : null!;
        B = ownVectors ? Smoother<T>.Vector(a.Rows, a.Device) : null!;
        Residual = Smoother<T>.Vector(a.Rows, a.Device);
    }

    private readonly bool _ownVectors;

    public SparseTensor<T> A { get; set; }
    public bool OwnsA { get; set; }
    /// <summary>The level's solution vector (on the finest level: the caller's output, set for the cycle).</summary>
    public Tensor<T> X { get; set; }
    /// <summary>The level's right-hand side (on the finest level: the caller's input, never written).</summary>
    public Tensor<T> B { get; set; }
    /// <summary>Work vector of the level: the residual before restriction, and the smoother's residual while it runs.</summary>
    public Tensor<T> Residual { get; }

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
        if (_ownVectors) { X.Dispose(); B.Dispose(); }
        Residual.Dispose();
    }
}
