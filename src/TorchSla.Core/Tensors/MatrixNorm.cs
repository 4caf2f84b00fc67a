namespace TorchSla;

/// <summary>The matrix norms <see cref="SparseTensor{T}.Norm(MatrixNorm, double, int)"/> computes.</summary>
public enum MatrixNorm
{
    /// <summary>‖A‖_F = (Σ_ij a_ij²)^½ (torch-sla <c>'fro'</c>).</summary>
    Frobenius,
    /// <summary>‖A‖₁ = max_j Σ_i |a_ij|, the largest column sum of |A| (torch-sla <c>1</c>).</summary>
    One,
    /// <summary>‖A‖₂ = σ_max(A), the largest singular value (torch-sla <c>2</c>), by power iteration on AᵀA.</summary>
    Two,
    /// <summary>‖A‖_∞ = max_i Σ_j |a_ij|, the largest row sum of |A| (torch-sla <c>inf</c>).</summary>
    Infinity,
}

/// <summary>Parsing of torch-sla's norm names.</summary>
public static class MatrixNorms
{
    /// <summary>Parses <c>fro</c>, <c>1</c>, <c>2</c>, <c>inf</c> (also <c>frobenius</c>, <c>one</c>, <c>two</c>, <c>infinity</c>, <c>∞</c>), case-insensitive.</summary>
    /// <exception cref="ArgumentException">The text names no supported norm.</exception>
    public static MatrixNorm Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "fro" or "frobenius" or "f" => MatrixNorm.Frobenius,
            "1" or "one" => MatrixNorm.One,
            "2" or "two" or "spectral" => MatrixNorm.Two,
            "inf" or "infinity" or "∞" => MatrixNorm.Infinity,
            _ => throw new ArgumentException($"unknown matrix norm '{text}': expected 'fro', '1', '2' or 'inf'", nameof(text)),
        };
    }
}
