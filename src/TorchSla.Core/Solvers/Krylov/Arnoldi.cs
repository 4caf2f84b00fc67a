using System.Numerics;
using TorchSla.Kernels;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// The Arnoldi process of the GMRES family and its small least-squares problem, kept where the vectors live.
/// Orthogonalisation is classical Gram–Schmidt applied twice (CGS2: Giraud, Langou, Rozložník &amp; van den Eshof,
/// Numer. Math. 101 (2005) 87–100: two passes give orthogonality to working precision, "twice is enough"), each pass
/// one fused multi-dot h = V[0..j]ᵀ·w and one fused multi-axpy w −= V[0..j]·h over the basis stored as one block;
/// the second multi-axpy also yields ‖w‖². The Hessenberg column (the two passes' coefficients summed), the Givens
/// rotations that reduce it to triangular form and the residual estimate |g_{j+1}| (Saad &amp; Schultz, SIAM J. Sci.
/// Stat. Comput. 7 (1986) 856–869; Saad, "Iterative Methods", §6.5.3) are updated on the device
/// (<see cref="IVectorSpace{T}.ArnoldiColumn"/>), which also scales the new basis vector by 1/h_{j+1,j}: a step
/// never waits for the host. The host reads the scalar block (<see cref="GmresScalars"/>) when the solver asks
/// (<see cref="Read"/>: every CheckEvery steps and at the end of a cycle) and solves R·y = g there: it is tiny.
/// </summary>
/// <remarks>
/// Against modified Gram–Schmidt (one dot and one axpy per basis vector, each dot a read-back on a GPU), CGS2 moves
/// fewer bytes, (4j + 13)·n values per step against (5j + 10)·n, in 6 launches instead of 2j + 2, and none of them waits.
/// </remarks>
internal sealed class Arnoldi<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IVectorSpace<T> _space;
    private readonly Tensor<T> _scalars, _y;
    private readonly T[] _host, _yHost;
    private readonly double[] _yWork;
    private readonly int _restart;

    public Arnoldi(IVectorSpace<T> space, int restart)
    {
        _space = space;
        _restart = restart;
        V = space.CreateBlock(restart + 1);
        Current = space.Create();
        W = space.Create();
        _scalars = space.CreateScalars(GmresScalars.Length(restart));
        _host = new T[GmresScalars.Length(restart)];
        _y = space.CreateScalars(restart);
        _yHost = new T[restart];
        _yWork = new double[restart];
    }

    /// <summary>The orthonormal basis v_0 … v_m, one block of m + 1 vectors.</summary>
    public Tensor<T> V { get; }

    /// <summary>v_j, the vector the next step multiplies (a copy of block row j that operators can take).</summary>
    public Tensor<T> Current { get; }

    /// <summary>Where a step's caller writes w = A·M⁻¹·v_j before <see cref="Step"/> orthogonalises it.</summary>
    public Tensor<T> W { get; }

    /// <summary>Starts a cycle: v_0 = r/β, g = β·e₁, the status active (one upload, no read-back).</summary>
    public void Start(Tensor<T> r, double beta, double bound)
    {
        Array.Clear(_host);
        _host[GmresScalars.G(_restart)] = T.CreateTruncating(beta);
        _host[GmresScalars.Bound] = T.CreateTruncating(bound);
        _host[GmresScalars.Scale] = T.One / T.CreateTruncating(beta);
        _space.WriteScalars(_host, _scalars);
        _space.ScaleIntoBlock(r, _scalars, GmresScalars.Scale, V, 0, Current);
    }

    /// <summary>
    /// Step <paramref name="j"/> (0-based) on the device: orthogonalises w (in <see cref="W"/>) against v_0 … v_j by CGS2,
    /// adds column j to the triangular factor, and writes v_{j+1} = w/h_{j+1,j} into the block and <see cref="Current"/>
    /// (zeros once the cycle has stopped).
    /// </summary>
    public void Step(int j)
    {
        // Memory traffic, n = vector length: two passes of multi-dot ((j + 2)·n) and multi-axpy ((j + 3)·n), the scale
        // (3n): (4j + 13)·n values, plus the operator.
        int count = j + 1;
        _space.MultiDotInto(V, count, W, _scalars, GmresScalars.FirstPass(_restart));
        _space.MultiAxpy(V, count, _scalars, GmresScalars.FirstPass(_restart), -T.One, W, -1);
        _space.MultiDotInto(V, count, W, _scalars, GmresScalars.SecondPass(_restart));
        _space.MultiAxpy(V, count, _scalars, GmresScalars.SecondPass(_restart), -T.One, W, GmresScalars.NormSquared);
        _space.ArnoldiColumn(_scalars, _restart, j);
        _space.ScaleIntoBlock(W, _scalars, GmresScalars.Scale, V, j + 1, Current);
    }

    /// <summary>Reads the scalar block back (waits for the device): the status, the stop step, the estimates, R and g.</summary>
    public void Read() => _space.ReadScalars(_scalars, _host);

    /// <summary>The status word at the last <see cref="Read"/> (<see cref="GmresScalars.Active"/> or why the cycle stopped).</summary>
    public int Status => int.CreateTruncating(_host[GmresScalars.Status]);

    /// <summary>The steps whose columns count when the cycle stopped (valid when <see cref="Status"/> is not active).</summary>
    public int StopStep => int.CreateTruncating(_host[GmresScalars.StopStep]);

    /// <summary>|g_{j+1}|, the residual norm estimate after step <paramref name="j"/> (0-based), at the last read.</summary>
    public double Estimate(int j) => double.CreateTruncating(_host[GmresScalars.Estimates(_restart) + j]);

    private double R(int i, int j) => double.CreateTruncating(_host[GmresScalars.R(_restart) + j * (_restart + 1) + i]);

    /// <summary>Whether the triangular factor of the first <paramref name="k"/> columns has a zero (or non-finite) pivot.</summary>
    public bool Singular(int k)
    {
        for (int i = 0; i < k; i++) if (!(Math.Abs(R(i, i)) > 0) || !double.IsFinite(R(i, i))) return true;
        return false;
    }

    /// <summary>
    /// Solves R·y = g for the first <paramref name="k"/> columns on the host (from the last <see cref="Read"/>), uploads y
    /// and accumulates target += Σ y_i·basis[i] in one multi-axpy (basis = V for GMRES, Z for FGMRES).
    /// </summary>
    public void Update(int k, Tensor<T> basis, Tensor<T> target)
    {
        if (k == 0) return;
        int g = GmresScalars.G(_restart);
        for (int i = k - 1; i >= 0; i--)
        {
            double s = double.CreateTruncating(_host[g + i]);
            for (int l = i + 1; l < k; l++) s -= R(i, l) * _yWork[l];
            _yWork[i] = s / R(i, i);
        }
        for (int i = 0; i < k; i++) _yHost[i] = T.CreateTruncating(_yWork[i]);
        _space.WriteScalars(_yHost, _y);
        _space.MultiAxpy(basis, k, _y, 0, T.One, target, -1);
    }
}
