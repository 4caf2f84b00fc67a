using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TorchSla.Kernels.Cpu;

namespace TorchSla.Bench;

/// <summary>
/// y ← A·x through <see cref="SparseTensor{T}.Apply"/> on the benchmark matrices, float64 and
/// float32, with each row kernel forced (the AVX2 gather kernel and the portable scalar one). A short job
/// (3 warm-ups, 10 iterations) keeps the whole suite to a few minutes; the GB/s column divides
/// the minimum bytes of a CSR SpMV by the median time.
/// </summary>
[Config(typeof(Config))]
public class SpMVBench
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1));
            AddColumn(new GBPerSecondColumn());
            AddColumn(StatisticColumn.Median);
        }
    }

    [Params("poisson2d:1000", "cryg2500.mtx")]
    public string Matrix { get; set; } = "";

    [Params("float64", "float32")]
    public string DType { get; set; } = "";

    /// <summary>The row kernel, forced (by default the mean row length picks it: scalar for all matrices here).</summary>
    [Params("scalar", "gather")]
    public string Kernel { get; set; } = "";

    private SparseTensor<double>? _a64; private Tensor<double>? _x64, _y64;
    private SparseTensor<float>? _a32; private Tensor<float>? _x32, _y32;

    [GlobalSetup]
    public void Setup()
    {
        CsrKernels.GatherMinMeanRowLength = Kernel == "gather" ? 0 : int.MaxValue;
        if (DType == "float64")
        {
            _a64 = MatrixCatalog.Load<double>(Matrix);
            _x64 = Tensor<double>.Random([_a64.Cols], 1); _y64 = Tensor<double>.Zeros([_a64.Rows]);
        }
        else
        {
            _a32 = MatrixCatalog.Load<float>(Matrix);
            _x32 = Tensor<float>.Random([_a32.Cols], 1); _y32 = Tensor<float>.Zeros([_a32.Rows]);
        }
    }

    [Benchmark]
    public void SpMV()
    {
        if (_a64 != null) _a64.Apply(_x64!, _y64!);
        else _a32!.Apply(_x32!, _y32!);
    }

    /// <summary>GB/s = minimum SpMV bytes (see <see cref="MatrixCatalog.SpMVBytes"/>) / median time.</summary>
    private sealed class GBPerSecondColumn : IColumn
    {
        private static readonly Dictionary<string, (int Rows, int Cols, int Nnz)> Sizes = [];

        public string Id => nameof(GBPerSecondColumn);
        public string ColumnName => "GB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "minimum bytes of a CSR SpMV, (s+4)·nnz + 4·(rows+1) + s·(rows+cols) with s the value size, over the median time";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            if (stats == null) return "-";
            string matrix = (string)benchmarkCase.Parameters["Matrix"];
            string dtype = (string)benchmarkCase.Parameters["DType"];
            if (!Sizes.TryGetValue(matrix, out var s))
            {
                var a = MatrixCatalog.Load<float>(matrix);
                Sizes[matrix] = s = (a.Rows, a.Cols, a.Nnz);
            }
            long bytes = MatrixCatalog.SpMVBytes(s.Rows, s.Cols, s.Nnz, dtype == "float64" ? 8 : 4);
            return (bytes / stats.Median).ToString("F1"); // bytes per ns = GB/s
        }
    }
}
