using System.Numerics;
using TorchSla.Solvers;

namespace TorchSla.Tests.Solvers.Amg;

/// <summary>
/// A plain preconditioned CG (Saad, 2nd ed., Algorithm 9.1) for the AMG tests only, until the
/// library's PCG lands: it stops on the recurrence residual and the tests check the true residual.
/// </summary>
internal static class LocalPcg
{
    public static (Tensor<T> X, int Iterations, double TrueRelativeResidual) Solve<T>(
        ILinearOperator<T> a, ILinearOperator<T> m, Tensor<T> b, double rtol, int maxIter = 500)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = a.Rows;
        var x = Tensor<T>.Zeros([n]);
        var r = b.Clone();
        var z = Tensor<T>.Zeros([n]);
        var q = Tensor<T>.Zeros([n]);
        m.Apply(r, z);
        var p = z.Clone();
        T rz = r.Dot(z);
        double bNorm = double.CreateTruncating(b.Norm());
        int k = 0;
        while (k < maxIter && double.CreateTruncating(r.Norm()) > rtol * bNorm)
        {
            a.Apply(p, q);
            T alpha = rz / p.Dot(q);
            x.AxpyInPlace(alpha, p);
            r.AxpyInPlace(-alpha, q);
            m.Apply(r, z);
            T rzNew = r.Dot(z);
            p.AxpbyInPlace(T.One, z, rzNew / rz); // p = z + β·p
            rz = rzNew;
            k++;
        }
        a.Apply(x, q);
        var res = b - q;
        return (x, k, double.CreateTruncating(res.Norm()) / bNorm);
    }
}
