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
    public AmgLevel(SparseTensor<T> a, bool ownsA)
    {
        A = a;
        OwnsA = ownsA;
        X = Smoother<T>.Vector(a.Rows, a.Device);
        B = Smoother<T>.Vector(a.Rows, a.Device);
        Residual = Smoother<T>.Vector(a.Rows, a.Device);
    }

    public SparseTensor<T> A { get; set; }
    public bool OwnsA { get; set; }
    public Tensor<T> X { get; }
    public Tensor<T> B { get; }
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
        X.Dispose(); B.Dispose(); Residual.Dispose();
    }
}
