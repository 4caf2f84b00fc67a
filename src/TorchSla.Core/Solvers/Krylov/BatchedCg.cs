using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// CG for many systems at once: the B matrices of a batch sharing one pattern ([B, n] right-hand sides) or the
/// K right-hand sides of one matrix ([n, K]). The systems advance together, one launch per fused step across
/// the batch (<see cref="Cg.Step{T}"/> on a batch-laid-out <see cref="SingleDeviceVectorSpace{T}"/>), each with
/// its own scalars and status word in the scalar block: a system that converged or broke down is frozen on
/// the device while the others go on, and the host reads the block back every CheckEvery iterations.
/// </summary>
/// <remarks>
/// Each system gets what a separate solve would: its own bound max(rtol·‖b_i‖, atol), iteration count,
/// residual history, reason and true residual. A system whose recurrence claims convergence while its true
/// residual misses the bound (rare: a tolerance near the rounding floor) is finished by a single-system
/// <see cref="Cg.Solve{T}"/> from its batched iterate, which does the residual replacement and has the
/// stagnation guard (the recurrence residual itself keeps falling, so the batched part needs none); its
/// iterations and history are the sum of both parts.
/// </remarks>
internal static class BatchedCg
{
    /// <summary>Solves A_i·x_i = b_i for every system of <paramref name="layout"/>; the i-th result holds x_i.</summary>
    /// <param name="a">A batched matrix (contiguous layout, one member per system) or one matrix (interleaved layout, [n, K]).</param>
    /// <param name="layout">Where system i's entries are in b, x₀ and the solution.</param>
    /// <param name="b">The right-hand sides, <c>layout.Count·n</c> values.</param>
    /// <param name="x0">Initial guesses in the same layout, or null for 0.</param>
    /// <param name="jacobi">Whether to precondition by the inverse diagonal of each system's matrix.</param>
    /// <param name="options">Tolerances, limits, check interval, progress (reported with the system's index), cancellation.</param>
    public static (Tensor<T> X, SolveResult<T>[] Items) Solve<T>(SparseTensor<T> a, VectorBatch layout, Tensor<T> b, Tensor<T>? x0,
        bool jacobi, SolveOptions options) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = layout.Length, count = layout.Count;
        var s = new SingleDeviceVectorSpace<T>(layout, a.Device);
        int ring = options.CheckEvery ?? s.DefaultCheckEvery, stride = CgScalars.Stride(ring), max = options.MaxIterationsFor(n);
        var scalars = s.CreateScalars(count * stride);
        var host = new T[count * stride];
        var d = jacobi ? InverseDiagonals(a, layout) : null;
        var x = s.Create();
        if (x0 is not null) s.Copy(x0, x);
        var r = s.Create(); var p = s.Create(); var q = s.Create();

        var sys = new Member[count];
        double rtol = options.RelativeToleranceFor<T>();
        ReadNorms(s, b, b, scalars, stride, host);
        for (int i = 0; i < count; i++)
        {
            double bn = Math.Sqrt(double.CreateTruncating(host[i * stride + CgScalars.ResidualSquared]));
            sys[i] = new Member(i, bn, Math.Max(rtol * bn, options.AbsoluteTolerance), rtol * bn >= options.AbsoluteTolerance, Math.Min(max, 1 << 16) + 1);
        }
        Residual(s, a, b, x, r, scalars, stride);
        ReadNorms(s, r, r, scalars, stride, host);
        var r0s = new double[count];
        for (int i = 0; i < count; i++) r0s[i] = Math.Sqrt(double.CreateTruncating(host[i * stride + CgScalars.ResidualSquared]));
        Array.Clear(host);
        for (int i = 0; i < count; i++)
        {
            var m = sys[i];
            double r0 = r0s[i];
            host[i * stride + CgScalars.BoundSquared] = T.CreateTruncating(m.Bound * m.Bound);
            if (m.BNorm == 0) { m.Record(0, 0, options); m.End(0, ConvergenceReason.ZeroRightHandSide); }
            else
            {
                m.Record(0, r0, options);
                if (r0 <= m.Bound) m.End(0, m.Met);
                else if (!double.IsFinite(r0)) m.End(0, ConvergenceReason.NonFiniteValues);
            }
            if (m.Done) host[i * stride + CgScalars.Status] = T.CreateTruncating(CgScalars.Converged); // frozen from the start
        }
        s.WriteScalars(host, scalars);
        if (sys.Any(m => m.BNorm == 0)) ZeroSystems(s, x, layout, sys);

        Cg.Start(s, null, d, r, r, p, scalars, stride, 0);

        int k = 0;
        var judged = new T[count * stride];
        bool running = sys.Any(m => !m.Done);
        while (running)
        {
            bool cancelled = options.CancellationToken.IsCancellationRequested;
            if (!cancelled && k < max)
            {
                k++;
                Cg.Step(s, a, null, d, x, p, r, q, r, scalars, stride, k);
                if (k % ring != 0 && k < max) continue;
            }
            s.ReadScalars(scalars, host);
            bool claims = false;
            foreach (var m in sys)
            {
                if (m.Done) continue;
                int o = m.Index * stride;
                int status = int.CreateTruncating(host[o + CgScalars.Status]);
                int upTo = status == CgScalars.Active ? k : int.CreateTruncating(host[o + CgScalars.StopIteration]);
                for (int j = m.Recorded + 1; j <= upTo; j++)
                    m.Record(j, Math.Sqrt(double.CreateTruncating(host[o + CgScalars.History + (j - 1) % ring])), options);
                if (status == CgScalars.Converged) { m.Claim(upTo); claims = true; }
                else if (status != CgScalars.Active) m.End(upTo, Cg.ReasonOf(status));
            }
            if (claims)
            {
                // True residuals of all systems (q is free between iterations); the claimants are judged by them.
                Residual(s, a, b, x, q, scalars, stride);
                ReadNorms(s, q, q, scalars, stride, judged);
                foreach (var m in sys)
                {
                    if (!m.Claimed || m.Done) continue;
                    double trueNorm = Math.Sqrt(double.CreateTruncating(judged[m.Index * stride + CgScalars.ResidualSquared]));
                    if (trueNorm <= m.Bound) m.End(m.Iterations, m.Met);
                    else m.EndForFinishing();
                }
            }
            if (cancelled || k >= max)
            {
                foreach (var m in sys.Where(m => !m.Done)) m.End(k, cancelled ? ConvergenceReason.Cancelled : ConvergenceReason.MaxIterations);
                break;
            }
            running = false;
            foreach (var m in sys) running |= !m.Done;
        }

        // Final true residuals, then the results (finishing the rare claimants whose true residual missed).
        Residual(s, a, b, x, q, scalars, stride);
        ReadNorms(s, q, q, scalars, stride, host);
        var xHost = layout.IsUnitStride ? null : x.ToArray();
        var items = new SolveResult<T>[count];
        string name = jacobi ? "jacobi" : "none";
        foreach (var m in sys)
        {
            var xi = Slice(x, xHost, layout, m.Index);
            double trueNorm = Math.Sqrt(double.CreateTruncating(host[m.Index * stride + CgScalars.ResidualSquared]));
            if (m.NeedsFinishing)
            {
                var op = (ILinearOperator<T>)(a.IsBatched ? new BatchMemberOperator<T>(a, m.Index) : a);
                var bi = Slice(b, layout.IsUnitStride ? null : b.ToArray(), layout, m.Index);
                ILinearOperator<T>? mi = jacobi ? new JacobiPreconditioner<T>(a, a.IsBatched ? m.Index : 0) : null;
                var rest = Cg.Solve(op, bi, null, options with { MaxIterations = Math.Max(0, max - m.Iterations), Progress = null }, xi, mi);
                items[m.Index] = new SolveResult<T>(rest.Solution, m.Iterations + rest.Iterations, [.. m.History, .. rest.ResidualHistory.Skip(1)],
                    rest.Reason, SolveMethod.CG, name, rest.FinalResidualNorm, rest.FinalRelativeResidual);
                Place(rest.Solution, x, layout, m.Index);
                continue;
            }
            var reason = m.Reason;
            if (reason is not (ConvergenceReason.Cancelled or ConvergenceReason.ZeroRightHandSide) && trueNorm <= m.Bound) reason = m.Met;
            double rel = m.BNorm == 0 ? 0 : trueNorm / m.BNorm;
            items[m.Index] = new SolveResult<T>(xi, m.Iterations, m.History, reason, SolveMethod.CG, name, trueNorm, rel);
        }
        return (x, items);
    }

    /// <summary>target ← b − A·x for every system (the dot ApplyDot also forms lands in the curvature slot, rewritten before use).</summary>
    private static void Residual<T>(SingleDeviceVectorSpace<T> s, SparseTensor<T> a, Tensor<T> b, Tensor<T> x, Tensor<T> target,
        Tensor<T> scalars, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        s.ApplyDot(a, x, target, scalars, stride, CgScalars.Curvature);
        s.Axpby(T.One, b, -T.One, target);
    }

    /// <summary>uᵀv of every system into its ‖r‖² slot, then the block read back into <paramref name="host"/>.</summary>
    private static void ReadNorms<T>(SingleDeviceVectorSpace<T> s, Tensor<T> u, Tensor<T> v, Tensor<T> scalars, int stride, T[] host)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        s.DotInto(u, v, scalars, stride, CgScalars.ResidualSquared);
        s.ReadScalars(scalars, host);
    }

    /// <summary>The inverse diagonals of every system's matrix, laid out like the vectors (Jacobi of each member, or of the one matrix repeated per column).</summary>
    private static Tensor<T> InverseDiagonals<T>(SparseTensor<T> a, VectorBatch layout) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = layout.Length;
        var d = Tensor<T>.Zeros([layout.Count * n], a.Device);
        if (a.IsBatched)
        {
            for (int i = 0; i < layout.Count; i++)
                a.Backend.Copy(new JacobiPreconditioner<T>(a, i).InverseDiagonal.Storage, 0, d.Storage, i * n, n);
            return d;
        }
        var one = new JacobiPreconditioner<T>(a).InverseDiagonal.ToArray();
        var all = new T[layout.Count * n];
        for (int r = 0; r < n; r++) all.AsSpan(r * layout.Count, layout.Count).Fill(one[r]);
        d.Storage.CopyFrom(all);
        return d;
    }

    /// <summary>x_i = 0 for the systems with b_i = 0 (whatever their initial guess).</summary>
    private static void ZeroSystems<T>(SingleDeviceVectorSpace<T> s, Tensor<T> x, VectorBatch layout, Member[] sys)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var h = x.ToArray();
        foreach (var m in sys.Where(m => m.BNorm == 0))
            for (int e = 0; e < layout.Length; e++) h[m.Index * layout.SystemStride + e * layout.ElementStride] = T.Zero;
        x.Storage.CopyFrom(h);
        _ = s;
    }

    private static Tensor<T> Slice<T>(Tensor<T> v, T[]? host, VectorBatch layout, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = Tensor<T>.Zeros([layout.Length], v.Device);
        if (host is null) v.Backend.Copy(v.Storage, i * layout.SystemStride, t.Storage, 0, layout.Length);
        else
        {
            var col = new T[layout.Length];
            for (int e = 0; e < col.Length; e++) col[e] = host[i * layout.SystemStride + e * layout.ElementStride];
            t.Storage.CopyFrom(col);
        }
        return t;
    }

    private static void Place<T>(Tensor<T> xi, Tensor<T> x, VectorBatch layout, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (layout.IsUnitStride) { x.Backend.Copy(xi.Storage, 0, x.Storage, i * layout.SystemStride, layout.Length); return; }
        var h = x.ToArray(); var c = xi.ToArray();
        for (int e = 0; e < c.Length; e++) h[i * layout.SystemStride + e * layout.ElementStride] = c[e];
        x.Storage.CopyFrom(h);
    }

    /// <summary>One system's bookkeeping on the host: bound, history, stagnation guard, outcome.</summary>
    private sealed class Member(int index, double bNorm, double bound, bool relative, int capacity)
    {
        public int Index { get; } = index;
        public double BNorm { get; } = bNorm;
        public double Bound { get; } = bound;
        public ConvergenceReason Met { get; } = relative ? ConvergenceReason.RelativeTolerance : ConvergenceReason.AbsoluteTolerance;
        public List<double> History { get; } = new(capacity);
        public int Recorded { get; private set; }
        public int Iterations { get; private set; }
        public bool Done { get; private set; }
        public bool Claimed { get; private set; }
        public bool NeedsFinishing { get; private set; }
        public ConvergenceReason Reason { get; private set; }

        public void Record(int k, double norm, SolveOptions options)
        {
            History.Add(norm);
            Recorded = k;
            options.Progress?.Report(new IterationReport(k, norm, BNorm == 0 ? 0 : norm / BNorm, Index));
        }

        public void Claim(int k) { Claimed = true; Iterations = k; }
        public void End(int k, ConvergenceReason reason) { Done = true; Iterations = k; Reason = reason; }
        public void EndForFinishing() { Done = true; NeedsFinishing = true; }
    }
}
