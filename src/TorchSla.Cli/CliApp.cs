using TorchSla.Solvers;

namespace TorchSla.Cli;

/// <summary>
/// The <c>torchsla</c> command line: <c>solve</c>, <c>info</c>, <c>backends</c>, <c>--help</c>,
/// <c>--version</c>. Exit codes: 0 success, 2 bad input (one line on stderr, no stack trace),
/// 3 a solve that did not converge (its summary is still printed), 1 an internal error.
/// </summary>
public static class CliApp
{
    /// <summary>Exit code of a successful command.</summary>
    public const int Ok = 0;
    /// <summary>Exit code of an unexpected failure (a bug: reported in one line).</summary>
    public const int InternalError = 1;
    /// <summary>Exit code of bad input: unknown option, malformed value, missing or malformed file.</summary>
    public const int BadInput = 2;
    /// <summary>Exit code of a solve that stopped without meeting its tolerance.</summary>
    public const int NotConverged = 3;

    /// <summary>The usage text of <c>torchsla --help</c>.</summary>
    public static string Usage => $"""
        torchsla {Backends.LibraryVersion} — sparse linear solves from the command line

        usage:
          torchsla solve MATRIX [--rhs ones|random|FILE.mtx] [--seed S] [--method auto|cg|bicgstab|gmres|fgmres|minres|amg|cholesky|ldlt|lu]
                                [--precond auto|none|jacobi|block-jacobi|ilu0|ic0|chebyshev|amg] [--restart M]
                                [--ordering auto|amd|nd|rcm|natural]
                                [--rtol R] [--atol A] [--maxiter N] [--device cpu|cuda[:N]] [--dtype float64|float32]
                                [--json] [--progress]
          torchsla info MATRIX [--dtype float64|float32] [--json]
          torchsla backends [--json]
          torchsla --help | --version

        MATRIX is a Matrix Market (.mtx) or torch-sla safetensors (.safetensors) file, or poisson2d:N / poisson3d:N
        (the 5- or 7-point Laplacian on an N×N or N×N×N grid). --rhs FILE.mtx reads b from a Matrix Market vector.
        solve stops when the true residual meets ‖b − Ax‖ ≤ max(rtol·‖b‖, atol) (defaults: rtol 1e-8 in float64, 1e-4 in float32, atol 0, maxiter 10·n).
        auto picks CG + Jacobi for symmetric matrices with a positive diagonal, MINRES for other symmetric ones and
        GMRES(30) + ILU(0) for nonsymmetric ones (see the README's table); --restart sets m of GMRES(m)/FGMRES(m).
        Direct methods: cholesky (SPD, supernodal), ldlt (symmetric indefinite, 1×1/2×2 delayed pivoting), lu (square,
        threshold partial pivoting); --ordering picks their fill-reducing ordering; --json then adds "nnz_factor" and
        seconds "analyse"/"factor"/"triangular_solve".
        amg: smoothed-aggregation algebraic multigrid, as --precond (for cg/fgmres) or as --method (standalone V-cycles);
        --json then adds "levels", "operator_complexity", "grid_complexity" and seconds "setup".
        --json prints one JSON object; --progress prints iteration/residual lines to stderr (default when stderr is a terminal).
        exit codes: 0 ok, 2 bad input, 3 not converged.
        """;

    /// <summary>Runs the command line <paramref name="args"/>, writing results to <paramref name="stdout"/> and
    /// diagnostics to <paramref name="stderr"/>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            if (args.Length == 0) { stderr.WriteLine("torchsla: missing command (solve, info, backends); see torchsla --help"); return BadInput; }
            var rest = args.Skip(1).ToArray();
            bool help = rest.Contains("--help") || rest.Contains("-h");
            switch (args[0])
            {
                case "--help" or "-h" or "help": stdout.WriteLine(Usage); return Ok;
                case "--version": stdout.WriteLine($"torchsla {Backends.LibraryVersion}"); return Ok;
                case "solve": if (help) { stdout.WriteLine(Usage); return Ok; } return SolveCommand.Run(rest, stdout, stderr, ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected);
                case "info": if (help) { stdout.WriteLine(Usage); return Ok; } return InfoCommand.Run(rest, stdout);
                case "backends": if (help) { stdout.WriteLine(Usage); return Ok; } return BackendsCommand.Run(rest, stdout);
                default: throw new CliUsageException($"unknown command '{args[0]}' (expected solve, info or backends; see torchsla --help)");
            }
        }
        catch (NotConvergedException e)
        {
            // A factorization that cannot reach an acceptable answer (e.g. LDLᵀ with static pivoting on a
            // matrix that needs 2×2 pivots) throws instead of returning a result: same exit code as a Krylov miss.
            stderr.WriteLine($"torchsla: did not converge: {OneLine(e.Message)}");
            return NotConverged;
        }
        catch (Exception e) when (BadInputMessage(e) is { } message)
        {
            stderr.WriteLine($"torchsla: {message}");
            return BadInput;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"torchsla: internal error: {e.GetType().Name}: {OneLine(e.Message)}");
            return InternalError;
        }
    }

    /// <summary>The one line to show for an exception caused by the input, or null for an internal error.</summary>
    private static string? BadInputMessage(Exception e) => e switch
    {
        CliUsageException => OneLine(e.Message),
        FileNotFoundException f => $"file not found: {f.FileName ?? OneLine(f.Message)}",
        DirectoryNotFoundException => OneLine(e.Message),
        UnauthorizedAccessException => OneLine(e.Message),
        InvalidDataException => OneLine(e.Message),       // malformed files
        FormatException => OneLine(e.Message),            // malformed device, dtype, method names
        NonFiniteValueException => OneLine(e.Message),
        ShapeMismatchException => OneLine(e.Message),
        ArgumentException => OneLine(e.Message),
        NotSupportedException => OneLine(e.Message),      // no method for this matrix, no backend for this device
        DeviceOutOfMemoryException => OneLine(e.Message),
        TorchSlaException and not NotConvergedException => OneLine(e.Message),
        _ => null,
    };

    private static string OneLine(string s)
    {
        // ArgumentException appends " (Parameter 'x')" on a new line; keep one line.
        var line = s.ReplaceLineEndings(" ").Trim();
        return line.Length == 0 ? "(no message)" : line;
    }

    internal static Device ParseDevice(string? text)
    {
        var device = Device.Parse(text ?? "cpu");
        if (device.IsCpu) return device;
        try { _ = Kernels.BackendRegistry.Get(device); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string why = OneLine(e.Message);
            throw new CliUsageException(why.StartsWith("no CUDA device", StringComparison.Ordinal) ? why : $"no CUDA device: {why}");
        }
        return device;
    }

    internal static DType ParseDType(string? text) => text is null ? DType.Float64 : DTypes.Parse(text);

    internal static SolveMethod ParseMethod(string? text) => text is null ? SolveMethod.Auto : SolveMethods.Parse(text);
}
