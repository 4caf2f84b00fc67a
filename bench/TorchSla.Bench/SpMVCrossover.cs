using TorchSla.Kernels.Cpu;

namespace TorchSla.Bench;

/// <summary>
/// Where does splitting SpMV across threads start to pay? Times Poisson2D SpMV on growing grids
/// on the calling thread alone and with the fork/join over nnz-balanced row blocks (BlockJob).
/// </summary>
internal static class SpMVCrossover
{
    public static int Run()
    {
        Console.WriteLine("| grid | nnz | 1 thread µs | parallel µs | parallel/1 |");
        Console.WriteLine("|---|---|---|---|---|");
        int saved = CpuBackend.SpMVParallelMinNnz;
        try
        {
            foreach (int g in new[] { 32, 45, 64, 90, 128, 180, 256, 362 })
            {
                var a = SparseTensor.Poisson2D<double>(g);
                var x = Tensor<double>.Random([a.Cols], 1); var y = Tensor<double>.Zeros([a.Rows]);
                void Op() => a.Apply(x, y);
                double one = 0, par = 0;
                var ones = new List<double>(); var pars = new List<double>();
                CpuBackend.SpMVParallelMinNnz = int.MaxValue;
                int number = Timing.Calibrate(Op, 0.005);
                // interleave the two settings so that load from other processes hits both alike
                for (int round = 0; round < 5; round++)
                {
                    CpuBackend.SpMVParallelMinNnz = int.MaxValue;
                    ones.AddRange(Timing.Samples(Op, number, 3));
                    CpuBackend.SpMVParallelMinNnz = 0;
                    pars.AddRange(Timing.Samples(Op, number, 3));
                }
                one = Timing.Median(ones) * 1e6; par = Timing.Median(pars) * 1e6;
                Console.WriteLine($"| {g}² | {a.Nnz} | {one:F2} | {par:F2} | {par / one:F2} |");
            }
        }
        finally { CpuBackend.SpMVParallelMinNnz = saved; }
        return 0;
    }
}
