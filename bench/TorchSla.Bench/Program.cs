using BenchmarkDotNet.Running;
using TorchSla.Bench;

// Harness modes that are not BenchmarkDotNet suites (see bench/RESULTS.md for the commands):
//   spmv-compare [--quick]   ours vs SciPy's A @ x in one process run, markdown table on stdout
//   membw                    this machine's memory bandwidth (copy and triad, 1 and all threads)
//   spmv-crossover           single-thread vs two-thread (BlockJob) SpMV over matrix sizes
//   krylov-compare [M...] [--rounds R]   Jacobi-PCG on poisson2d:M (default 500 1000) vs SciPy cg, same run
//   cg-passes [M] [--reps R]  the CPU primitives of one Jacobi-PCG iteration: three passes vs two (poisson2d:M)
//   autodiff-solve [n] [--method M] [--device D]   backward vs forward of a solve through the tape (2D Poisson n², default 500, CG)
//   autodiff-logdet [n] [--method M]   log|det| forward vs its gradient by the selected inverse (2D Poisson n²)
//   gpu-gen / gpu-spmv       the GPU benchmark (bench/gpu/run.sh; GPU section of bench/RESULTS.md)
//   gpu-pcg [M...]           Jacobi-PCG on poisson2d:M on cuda:0 (bench/gpu/torch_pcg.py is the anchor)
//   direct METHOD MATRIX     direct solvers (cholesky|ldlt|lu|analyze|profile), CHOLMOD-anchor format
//   ordering MATRIX [--iperm F]  nested dissection (multilevel, level-structure), AMD and METIS orderings: time, nnz(L), flops
//   amd-compare [2d:N 3d:N X.mtx] our approximate minimum degree vs SuiteSparse amd_order (/tmp/amd_order_bench): time, nnz(L), flops
//   partition MATRIX [k...]   multilevel partitioner: k-way edge cut and the vertex separator (compare gpmetis)
//   amg-compare [2d:N|3d:N]  AMG-PCG vs Jacobi-PCG vs hypre BoomerAMG-PCG, whole solves, markdown rows
//   amg-iterations [--coarse N] [--rho-steps N] [--large]  AMG-PCG iterations on the AmgTests problems (both smoothers)
//   amg-first [2d:N|3d:N] [--runs K] [--no-warmup]   first vs later AMG-PCG solves of a process: JIT, faults, allocations per stage
//   amg-parts N [REPS]       the CPU AMG setup's products (plan vs one sweep), transpositions and ρ on 3D Poisson N³
//   amg-crossover [2d:N|3d:N] AMG-PCG vs Jacobi-PCG vs Cholesky through A.Solve, best of 3 (auto-choice rule)
//   direct-crossover [2d:N|3d:N|cd2d:N|MATRIX] direct vs iterative whole solves through A.Solve (auto-choice rule)
//   direct-device [2d:N|3d:N] [--device D]    Cholesky solve of a GPU right-hand side: host solve + copies vs upload + device sweeps
//   amg-gpu [2d:N|3d:N]      AMG-PCG vs Jacobi-PCG on cuda:0 (bench/gpu/batch/amg2.sh), whole solves, markdown rows
//   gmres [2d:N|cd2d:N|MATRIX] [--device D] [--check C] [--maxiter K] [--cg]   GMRES(m)/FGMRES(m) whole solves, read-backs per iteration
// Anything else goes to BenchmarkDotNet's switcher, e.g. `-- --filter "*SpMVBench*"`.
if (args.FirstOrDefault() == "gpu-pcg") return TorchSla.Bench.Gpu.GpuPcgBench.Run(args.Skip(1).ToArray());
if (args.Length > 0 && args[0].StartsWith("gpu-", StringComparison.Ordinal)) return TorchSla.Bench.Gpu.GpuSpmvHarness.Run(args);
switch (args.FirstOrDefault())
{
    case "spmv-compare": return SpMVCompare.Run(args.Skip(1).ToArray());
    case "membw": return MemoryBandwidth.Run();
    case "spmv-crossover": return SpMVCrossover.Run();
    case "krylov-compare": return KrylovCompare.Run(args.Skip(1).ToArray());
    case "cg-passes": return CgPassesBench.Run(args.Skip(1).ToArray());
    case "cg-bytes": return CgBytesBench.Run(args.Skip(1).ToArray());
    case "direct": return TorchSla.Bench.Direct.DirectBench.Run(args.Skip(1).ToArray());
    case "partition": return PartitionBench.Run(args.Skip(1).ToArray());
    case "ordering": return TorchSla.Bench.Direct.OrderingBench.Run(args.Skip(1).ToArray());
    case "amd-compare": return TorchSla.Bench.Direct.AmdCompare.Run(args.Skip(1).ToArray());
    case "amg-compare": return AmgCompare.Run(args.Skip(1).ToArray());
    case "amg-first": return AmgFirstCall.Run(args.Skip(1).ToArray());
    case "amg-iterations": return AmgIterations.Run(args.Skip(1).ToArray());
    case "amg-parts": return AmgSetupParts.Run(args.Skip(1).ToArray());
    case "amg-gpu": return AmgGpu.Run(args.Skip(1).ToArray());
    case "gmres": return GmresBench.Run(args.Skip(1).ToArray());
    case "amg-crossover": return AmgCrossover.Run(args.Skip(1).ToArray());
    case "direct-crossover": return DirectCrossover.Run(args.Skip(1).ToArray());
    case "direct-device": return TorchSla.Bench.Direct.DirectDeviceBench.Run(args.Skip(1).ToArray());
    case "autodiff-solve": return AutodiffSolveBench.Run(args.Skip(1).ToArray());
    case "autodiff-logdet": return AutodiffLogDetBench.Run(args.Skip(1).ToArray());
    default:
        BenchmarkSwitcher.FromAssembly(typeof(SpMVBench).Assembly).Run(args);
        return 0;
}
