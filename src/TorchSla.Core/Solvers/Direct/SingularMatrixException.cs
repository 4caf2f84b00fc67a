namespace TorchSla;

/// <summary>
/// A factorization met a column with no usable pivot: the matrix is (numerically) singular.
/// <see cref="Column"/> names the column of the caller's matrix where elimination broke down.
/// </summary>
public class SingularMatrixException : TorchSlaException
{
    /// <summary>Creates the exception with a message naming the column.</summary>
    public SingularMatrixException(string message, int column) : base(message) { Column = column; }
    /// <summary>Creates the exception.</summary>
    public SingularMatrixException() { }
    /// <summary>Creates the exception with a message.</summary>
    public SingularMatrixException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the cause.</summary>
    public SingularMatrixException(string message, Exception inner) : base(message, inner) { }
    /// <summary>Column of the caller's matrix (before any permutation) with no nonzero pivot; −1 if unknown.</summary>
    public int Column { get; } = -1;
}
