using System.Diagnostics;
using TorchSla.Solvers;
using TorchSla.Solvers.Direct;

namespace TorchSla;

public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// A·x = b by a sparse factorization on the host (float64), for <see cref="SolveMethod.Cholesky"/>,
    /// <see cref="SolveMethod.Ldlt"/> and <see cref="SolveMethod.Lu"/>. A CUDA tensor is factored on the
    /// CPU; a Cholesky factorization with a float64 vector b is then uploaded and solved on the GPU (supernodal sweeps,
    /// one launch per level of the assembly tree: see <see cref="CholeskyFactorization{T}.DeviceSolveMinRows"/>), the
    /// other cases are solved on the CPU and x is copied back to b's device.
    /// b is [N] (the same for every matrix of a batch) or [B…, N]. The factorization is released, or handed to
    /// <paramref name="keepFactorization"/> (the adjoint of a recorded solve reuses it for the transpose solve).
    /// </summary>
    private SolveResult<T> SolveDirect(Tensor<T> b, SolveOptions options, SolveMethod method, Action<SparseFactorization<T>>? keepFactorization)
    {
        var host = Device == Device.Cpu ? this : Cpu();
        SparseFactorization<T> f = method switch
        {
            SolveMethod.Cholesky => host.Cholesky(options.Ordering),
            SolveMethod.Ldlt => host.Ldlt(options.Ordering),
            _ => host.Lu(options.Ordering),
        };
        try { return SolveDirect(f, b, options, method); }
        finally { if (keepFactorization is null) f.Dispose(); else keepFactorization(f); }
    }

    private SolveResult<T> SolveDirect(SparseFactorization<T> f, Tensor<T> b, SolveOptions options, SolveMethod method)
    {
        var sw = Stopwatch.StartNew();
        Tensor<T> x;
        if (IsBatched && b.Rank == 1)
        {
            var bh = b.Cpu().ToArray();
            var all = new T[BatchSize * Rows];
            for (int i = 0; i < BatchSize; i++) f.Solve(bh, i).CopyTo(all, i * Rows);
            x = Tensor<T>.FromArray(all, [.. _batchShape, Rows]);
        }
        else x = f.Solve(b); // on b's device: solved there when the factorization can (see SolveOnDevice), else via the host
        double solveSeconds = sw.Elapsed.TotalSeconds;
        if (!IsBatched && b.Rank == 1 && x.Device != Device.Cpu && x.Device == Device)
        {
            // The true residual on the device, as the iterative methods compute it (nothing crosses the bus).
            var r = Tensor<T>.Zeros(x.Shape, Device);
            Apply(x, r);
            double bn = double.CreateTruncating(b.Norm());
            var d = b.Backend;
            d.Axpby(T.One, b.Storage, 0, -T.One, r.Storage, 0, Rows);
            double rn = double.CreateTruncating(r.Norm());
            r.Dispose();
            return DirectResult(f, x, options, method, solveSeconds, rn, bn > 0 ? rn / bn : rn);
        }
        if (b.Device != Device.Cpu && x.Device != b.Device) x = x.To(b.Device);
        // The true residual of the result, as the iterative methods report it.
        double rr = 0, bb = 0;
        var xh = x.Cpu().ToArray();
        var bAll = b.Cpu().ToArray();
        var rp = Pattern.RowPtr; var ci = Pattern.ColInd;
        var vals = Values.ToArray(); // copied to the host
        for (int k = 0; k < BatchSize; k++)
            for (int i = 0; i < Rows; i++)
            {
                double s = double.CreateChecked(bAll[b.Rank == 1 ? i : k * Rows + i]);
                bb += s * s;
                for (int q = rp[i]; q < rp[i + 1]; q++) s -= double.CreateChecked(vals[(long)k * Nnz + q]) * double.CreateChecked(xh[k * Rows + ci[q]]);
                rr += s * s;
            }
        double rel = bb > 0 ? Math.Sqrt(rr / bb) : Math.Sqrt(rr);
        return DirectResult(f, x, options, method, solveSeconds, Math.Sqrt(rr), rel);
    }

    private static SolveResult<T> DirectResult(SparseFactorization<T> f, Tensor<T> x, SolveOptions options, SolveMethod method,
        double solveSeconds, double residual, double relative) =>
        new(x, 0, [], ConvergenceReason.Factorized, method, "none", residual, relative)
        {
            Direct = new DirectSolveInfo(f.NnzFactor, f.Flops, options.Ordering, f.AnalyzeSeconds, f.FactorSeconds, solveSeconds),
        };
}
