namespace TorchSla.IO;

/// <summary>How a Matrix Market file stores its entries.</summary>
public enum MatrixMarketFormat
{
    /// <summary>Sparse: one <c>row column [value]</c> line per stored entry.</summary>
    Coordinate,
    /// <summary>Dense: every value, one per line, column after column.</summary>
    Array,
}

/// <summary>The type of the values of a Matrix Market file.</summary>
public enum MatrixMarketField
{
    /// <summary>Floating-point values.</summary>
    Real,
    /// <summary>Integer values (converted to floating point when read).</summary>
    Integer,
    /// <summary>No values: every stored entry is 1 (coordinate format only).</summary>
    Pattern,
    /// <summary>Pairs (real, imaginary). Not supported yet by the readers, which say so.</summary>
    Complex,
}

/// <summary>Which part of the matrix a Matrix Market file stores.</summary>
public enum MatrixMarketSymmetry
{
    /// <summary>Every entry is stored.</summary>
    General,
    /// <summary>A = Aᵀ: only the lower triangle (with the diagonal) is stored.</summary>
    Symmetric,
    /// <summary>A = −Aᵀ: only the strictly lower triangle is stored (the diagonal is zero).</summary>
    SkewSymmetric,
    /// <summary>A = Aᴴ: only the lower triangle is stored; for real values the same as <see cref="Symmetric"/>.</summary>
    Hermitian,
}

/// <summary>The banner and size line of a Matrix Market file.</summary>
/// <param name="Format">Coordinate (sparse) or array (dense).</param>
/// <param name="Field">Type of the values.</param>
/// <param name="Symmetry">Which part of the matrix is stored.</param>
/// <param name="Rows">Number of rows M.</param>
/// <param name="Cols">Number of columns N.</param>
/// <param name="Entries">Number of entry lines the file holds: the declared count for coordinate
/// files; for array files M·N (general), N(N+1)/2 (symmetric, hermitian) or N(N−1)/2 (skew-symmetric).</param>
public sealed record MatrixMarketHeader(
    MatrixMarketFormat Format,
    MatrixMarketField Field,
    MatrixMarketSymmetry Symmetry,
    int Rows,
    int Cols,
    long Entries);
