using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// The kernel choice for one CSR pattern, computed once from its row-length statistics and kept
/// in <see cref="CsrIndices.BackendCache"/>:
/// <list type="bullet">
/// <item>uniform rows (max ≤ 8·mean + 32): one launch of the sub-warp kernel with S lanes per row,
/// S = 1 (thread per row) when the mean is under 8, else the largest power of two ≤ the mean, at most 32;</item>
/// <item>skewed rows (power-law graphs): rows binned by length (≤ 4 → S = 1, then S = 4, 8, 16, 32
/// by the largest power of two ≤ the length, and rows over <see cref="BlockRowThreshold"/> entries to
/// the block-per-row kernel), one launch per non-empty bin (ACSR, Ashari et al. SC 2014).</item>
/// </list>
/// Large patterns, patterns with longer rows (mean ≥ 6) and skewed ones use the CSR-stream kernel
/// (<see cref="CsrStreamKernels"/>) instead (see <see cref="UseStream"/>); the sub-warp widths and
/// the binned plan remain selectable for benchmarks.
/// </summary>
internal sealed class SpMVPlan : IDisposable
{
    /// <summary>Rows longer than this go to the block-per-row kernel in the binned plan.</summary>
    public const int BlockRowThreshold = 2048;

    /// <summary>Number of bins: S = 1, 2, 4, 8, 16, 32, and block per row.</summary>
    public const int BinCount = 7;

    private SpMVPlan() { }

    public int Rows { get; private init; }
    public int Nnz { get; private init; }
    public double MeanRowLength { get; private init; }
    public int MaxRowLength { get; private init; }
    /// <summary>Whether the binned, load-balanced plan is used.</summary>
    public bool Skewed { get; private init; }
    /// <summary>log2 of the lanes per row of the uniform plan.</summary>
    public int UniformLogS { get; private init; }

    /// <summary>Row ids of all bins, bin after bin, on the device (null until built).</summary>
    public Storage<int>? BinRows { get; private set; }
    /// <summary>Start of each bin in <see cref="BinRows"/> (BinCount + 1 entries).</summary>
    public int[] BinStart { get; private set; } = [];

    /// <summary>Human-readable choice, e.g. "thread-per-row" or "binned (…)".</summary>
    public string Describe() => UseStream && StreamBlocks is not null
        ? $"CSR-stream ({StreamBlockCount} blocks, {LongRowCount} split rows)"
        : Skewed
        ? $"binned ACSR ({string.Join(", ", Enumerable.Range(0, BinCount).Where(b => BinStart.Length > b + 1 && BinStart[b + 1] > BinStart[b]).Select(b => $"{(b < 6 ? $"S={1 << b}" : "block")}:{BinStart[b + 1] - BinStart[b]}"))})"
        : UniformLogS == 0 ? "thread-per-row" : $"{1 << UniformLogS} lanes per row";

    /// <summary>Lanes per row for a row of <paramref name="len"/> entries (power of two, at most <paramref name="warp"/>).</summary>
    public static int LogLanesFor(double len, int warp)
    {
        if (len < 8) return 0;
        int log = 0;
        while ((2 << log) <= len && (2 << log) <= Math.Min(32, warp)) log++;
        return log;
    }

    public static SpMVPlan Build(int[] rowPtr, int cols, int warpSize, Func<int[], Storage<int>> upload)
    {
        int rows = rowPtr.Length - 1;
        int nnz = rowPtr[rows];
        int max = 0;
        for (int r = 0; r < rows; r++) max = Math.Max(max, rowPtr[r + 1] - rowPtr[r]);
        double mean = rows == 0 ? 0 : (double)nnz / rows;
        bool skewed = max > 8 * mean + 32;
        var plan = new SpMVPlan
        {
            Rows = rows, Nnz = nnz, MeanRowLength = mean, MaxRowLength = max, Skewed = skewed,
            UniformLogS = LogLanesFor(mean, warpSize),
        };
        if (skewed) plan.BuildBins(rowPtr, warpSize, upload);
        return plan;
    }

    /// <summary>Sorts the rows into bins by length (a counting sort: rows keep their order within a bin).</summary>
    public void BuildBins(int[] rowPtr, int warpSize, Func<int[], Storage<int>> upload)
    {
        if (BinRows is not null) return;
        int rows = rowPtr.Length - 1;
        var bin = new byte[rows];
        var count = new int[BinCount + 1];
        int maxLog = LogLanesFor(32, warpSize);
        for (int r = 0; r < rows; r++)
        {
            int len = rowPtr[r + 1] - rowPtr[r];
            int b;
            if (len > BlockRowThreshold) b = BinCount - 1;
            else if (len <= 4) b = 0;
            else { int l = LogLanesFor(len, warpSize); b = Math.Min(maxLog, l == 0 ? 2 : l); }
            bin[r] = (byte)b;
            count[b + 1]++;
        }
        for (int b = 0; b < BinCount; b++) count[b + 1] += count[b];
        var start = (int[])count.Clone();
        var list = new int[rows];
        var next = (int[])count.Clone();
        for (int r = 0; r < rows; r++) list[next[bin[r]]++] = r;
        BinStart = start;
        BinRows = upload(list);
    }

    /// <summary>Below this many stored entries the single-launch sub-warp kernel is kept (launch-bound sizes).</summary>
    public const int StreamMinNnz = 1 << 16;

    /// <summary>
    /// Whether the automatic choice is the CSR-stream kernel: for skewed rows, rows of 6 or more
    /// entries, and every pattern of at least <see cref="StreamMinNnz"/> entries. Measured on an
    /// H100 (bench/RESULTS.md, GPU section) it matched or beat thread-per-row on 2D Poisson
    /// (460 vs 474 µs at 16.8M rows), beat the best sub-warp width on the 27-point stencil
    /// (979 vs 1080 µs) and the ACSR bins on R-MAT (615 vs 761 µs).
    /// </summary>
    public bool UseStream => Skewed || MeanRowLength >= 6 || Nnz >= StreamMinNnz;

    /// <summary>CSR-stream block descriptors (row0, row1, kStart, slot), 4 ints each, on the device.</summary>
    public Storage<int>? StreamBlocks { get; private set; }
    /// <summary>Number of CSR-stream blocks.</summary>
    public int StreamBlockCount { get; private set; }
    /// <summary>(row, firstSlot, slotCount) of each row split into chunks, on the device (null if none).</summary>
    public Storage<int>? LongRows { get; private set; }
    /// <summary>Number of split rows.</summary>
    public int LongRowCount { get; private set; }
    /// <summary>Chunk partial sums per matrix.</summary>
    public int Slots { get; private set; }

    /// <summary>Cuts the rows into CSR-stream blocks (greedy, in row order).</summary>
    public void BuildStream(int[] rowPtr, Func<int[], Storage<int>> upload)
    {
        if (StreamBlocks is not null) return;
        int rows = rowPtr.Length - 1;
        var blocks = new List<int>(4 * (rowPtr[rows] / CsrStreamKernels.Capacity + rows / CsrStreamKernels.Threads + 2));
        var longRows = new List<int>();
        int slots = 0, r = 0;
        while (r < rows)
        {
            int len = rowPtr[r + 1] - rowPtr[r];
            if (len > CsrStreamKernels.Capacity)
            {
                int chunks = (len + CsrStreamKernels.LongChunk - 1) / CsrStreamKernels.LongChunk;
                longRows.AddRange([r, slots, chunks]);
                for (int c = 0; c < chunks; c++) blocks.AddRange([r, r + 1, rowPtr[r] + c * CsrStreamKernels.LongChunk, slots + c]);
                slots += chunks;
                r++;
                continue;
            }
            int r1 = r, nnz = 0;
            while (r1 < rows && r1 - r < CsrStreamKernels.Threads)
            {
                int l = rowPtr[r1 + 1] - rowPtr[r1];
                if (l > CsrStreamKernels.Capacity || nnz + l > CsrStreamKernels.Capacity) break;
                nnz += l; r1++;
            }
            blocks.AddRange([r, r1, 0, -1]);
            r = r1;
        }
        StreamBlockCount = blocks.Count / 4;
        Slots = slots;
        LongRowCount = longRows.Count / 3;
        LongRows = LongRowCount > 0 ? upload([.. longRows]) : null;
        StreamBlocks = upload([.. blocks]);
    }

    /// <summary>
    /// The plan of a pattern that is not skewed, from its size and longest row alone (found on the device), with
    /// CSR-stream blocks of a fixed number of rows made on the device (<see cref="SetUniformStreamBlocks"/>): no
    /// host copy of the row pointers. Null for a skewed pattern (its bins need the host's pass over the rows).
    /// </summary>
    public static SpMVPlan? FromMaxRowLength(int rows, int nnz, int maxRowLength, int warpSize)
    {
        double mean = rows == 0 ? 0 : (double)nnz / rows;
        if (maxRowLength > 8 * mean + 32) return null;
        return new SpMVPlan { Rows = rows, Nnz = nnz, MeanRowLength = mean, MaxRowLength = maxRowLength, UniformLogS = LogLanesFor(mean, warpSize) };
    }

    /// <summary>
    /// Rows per CSR-stream block when every block holds the same number of rows: as many as fit the group's
    /// <see cref="CsrStreamKernels.Capacity"/> at the longest row, at most <see cref="CsrStreamKernels.Threads"/>.
    /// </summary>
    public static int UniformRowsPerBlock(int maxRowLength) =>
        Math.Clamp(CsrStreamKernels.Capacity / Math.Max(maxRowLength, 1), 1, CsrStreamKernels.Threads);

    /// <summary>Adopts stream blocks of <see cref="UniformRowsPerBlock"/> rows each, built on the device.</summary>
    public void SetUniformStreamBlocks(Storage<int> blocks, int count)
    {
        StreamBlocks = blocks;
        StreamBlockCount = count;
        Slots = 0;
        LongRowCount = 0;
    }

    public void Dispose()
    {
        BinRows?.Dispose();
        StreamBlocks?.Dispose();
        LongRows?.Dispose();
    }
}
