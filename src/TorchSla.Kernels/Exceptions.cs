namespace TorchSla;

/// <summary>Base of the numerical failures TorchSla reports (singular matrix, no convergence, ...).</summary>
public class TorchSlaException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public TorchSlaException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the cause.</summary>
    public TorchSlaException(string message, Exception inner) : base(message, inner) { }
    /// <summary>Creates the exception.</summary>
    public TorchSlaException() { }
}

/// <summary>Operands whose shapes do not fit the operation (e.g. A is 3×4 and x has 5 entries).</summary>
public class ShapeMismatchException : ArgumentException
{
    /// <summary>Creates the exception with a message naming both shapes.</summary>
    public ShapeMismatchException(string message) : base(message) { }
    /// <summary>Creates the exception with a message naming both shapes and the parameter.</summary>
    public ShapeMismatchException(string message, string? paramName) : base(message, paramName) { }
    /// <summary>Creates the exception.</summary>
    public ShapeMismatchException() { }
    /// <summary>Creates the exception with a message and the cause.</summary>
    public ShapeMismatchException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Formats a shape as <c>[a, b, c]</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}

/// <summary>A value that is NaN or infinite where only finite values are accepted.</summary>
public class NonFiniteValueException : ArgumentException
{
    /// <summary>Creates the exception with a message naming the offending entry.</summary>
    public NonFiniteValueException(string message, long index) : base(message) { Index = index; }
    /// <summary>Creates the exception.</summary>
    public NonFiniteValueException() { }
    /// <summary>Creates the exception with a message.</summary>
    public NonFiniteValueException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the cause.</summary>
    public NonFiniteValueException(string message, Exception inner) : base(message, inner) { }
    /// <summary>Position of the first non-finite value in the input it came from.</summary>
    public long Index { get; } = -1;
}

/// <summary>A device allocation that did not fit. Names the requested size and what was free.</summary>
public class DeviceOutOfMemoryException : TorchSlaException
{
    /// <summary>Creates the exception.</summary>
    public DeviceOutOfMemoryException(Device device, long requestedBytes, long freeBytes, Exception? inner = null)
        : base($"out of memory on {device}: requested {requestedBytes:N0} bytes, {freeBytes:N0} bytes free", inner ?? new OutOfMemoryException())
    {
        Device = device; RequestedBytes = requestedBytes; FreeBytes = freeBytes;
    }
    /// <summary>Creates the exception.</summary>
    public DeviceOutOfMemoryException() { }
    /// <summary>Creates the exception with a message.</summary>
    public DeviceOutOfMemoryException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the cause.</summary>
    public DeviceOutOfMemoryException(string message, Exception inner) : base(message, inner) { }
    /// <summary>The device that ran out.</summary>
    public Device Device { get; }
    /// <summary>Bytes asked for.</summary>
    public long RequestedBytes { get; }
    /// <summary>Bytes free when the request failed (-1 if unknown).</summary>
    public long FreeBytes { get; } = -1;
}

/// <summary>
/// An iteration (power iteration, Lanczos, a Krylov solve, Newton) that stopped at its
/// iteration cap before meeting its tolerance. Carries how far it got, so that callers can
/// decide whether the estimate is still useful.
/// </summary>
public class NotConvergedException : TorchSlaException
{
    /// <summary>Creates the exception with a message, the iterations done and the residual reached.</summary>
    public NotConvergedException(string message, int iterations, double residual) : base(message)
    {
        Iterations = iterations; Residual = residual;
    }
    /// <summary>Creates the exception.</summary>
    public NotConvergedException() { }
    /// <summary>Creates the exception with a message.</summary>
    public NotConvergedException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the cause.</summary>
    public NotConvergedException(string message, Exception inner) : base(message, inner) { }
    /// <summary>Iterations performed before giving up.</summary>
    public int Iterations { get; }
    /// <summary>The (method-specific, documented by the thrower) residual or change at the last iteration; NaN if unknown.</summary>
    public double Residual { get; } = double.NaN;
}

/// <summary>
/// A matrix that a Cholesky factorization found not positive definite: the pivot of
/// <see cref="Column"/> was not positive (or not above the pivot tolerance).
/// </summary>
public class NotPositiveDefiniteException : TorchSlaException
{
    /// <summary>Creates the exception with a message naming the column and the failing pivot value.</summary>
    public NotPositiveDefiniteException(string message, int column, double pivot) : base(message)
    {
        Column = column; Pivot = pivot;
    }
    /// <summary>Creates the exception.</summary>
    public NotPositiveDefiniteException() { }
    /// <summary>Creates the exception with a message.</summary>
    public NotPositiveDefiniteException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the cause.</summary>
    public NotPositiveDefiniteException(string message, Exception inner) : base(message, inner) { }
    /// <summary>Column (of the caller's matrix, before any fill-reducing permutation) whose pivot failed; −1 if unknown.</summary>
    public int Column { get; } = -1;
    /// <summary>The value d = a_kk − Σ l_kj² that was not positive (NaN if unknown).</summary>
    public double Pivot { get; } = double.NaN;
}
