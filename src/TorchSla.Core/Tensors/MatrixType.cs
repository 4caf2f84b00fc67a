namespace TorchSla;

/// <summary>
/// The most specialised class a real matrix belongs to, as torch-sla's <c>detect_matrix_type</c>
/// reports it (the cuDSS matrix-type labels). For real values torch-sla returns only
/// <c>"general"</c>, <c>"symmetric"</c> and <c>"spd"</c>; its <c>"hermitian"</c>/<c>"hpd"</c>
/// labels concern complex matrices, which this library does not store.
/// </summary>
public enum MatrixType
{
    /// <summary>Neither of the below (also every non-square matrix and a matrix with no stored entry): torch-sla <c>"general"</c>.</summary>
    General,
    /// <summary>A = Aᵀ but not positive definite: torch-sla <c>"symmetric"</c>.</summary>
    Symmetric,
    /// <summary>A = Aᵀ and xᵀAx &gt; 0 for all x ≠ 0: torch-sla <c>"spd"</c>.</summary>
    SymmetricPositiveDefinite,
}

/// <summary>Conversions of <see cref="MatrixType"/> to and from torch-sla's labels.</summary>
public static class MatrixTypes
{
    /// <summary>torch-sla's label: <c>"general"</c>, <c>"symmetric"</c> or <c>"spd"</c>.</summary>
    public static string ToTorchSlaString(this MatrixType type) => type switch
    {
        MatrixType.General => "general",
        MatrixType.Symmetric => "symmetric",
        MatrixType.SymmetricPositiveDefinite => "spd",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown matrix type"),
    };

    /// <summary>Parses torch-sla's real-matrix labels <c>"general"</c>, <c>"symmetric"</c>, <c>"spd"</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Any other text, including the complex-only <c>"hermitian"</c> and <c>"hpd"</c>.</exception>
    public static MatrixType ParseTorchSla(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "general" => MatrixType.General,
            "symmetric" => MatrixType.Symmetric,
            "spd" => MatrixType.SymmetricPositiveDefinite,
            _ => throw new ArgumentException($"unknown matrix type '{text}': expected 'general', 'symmetric' or 'spd' ('hermitian' and 'hpd' are for complex matrices)", nameof(text)),
        };
    }
}
