namespace TorchSla.Tests;

/// <summary>
/// Locates the shared folder (test matrices, torch-sla fixtures) from wherever the tests run:
/// the env var TORCHSLA_SHARED, else walking up from the test binaries and checking
/// <c>dir/shared/matrices</c> and <c>dir/../shared/matrices</c> at each level.
/// </summary>
public static class TestPaths
{
    private static readonly Lazy<string> SharedDir = new(Find);

    /// <summary>The shared folder (holding <c>matrices/</c> and <c>fixtures/</c>).</summary>
    public static string Shared => SharedDir.Value;

    /// <summary>A test matrix, e.g. <c>Matrix("494_bus.mtx")</c>.</summary>
    public static string Matrix(string name) => Path.Combine(Shared, "matrices", name);

    /// <summary>A torch-sla fixture, e.g. <c>Fixture("poisson10x10_f64.safetensors")</c>.</summary>
    public static string Fixture(string name) => Path.Combine(Shared, "fixtures", "torch-sla", name);

    private static string Find()
    {
        var env = Environment.GetEnvironmentVariable("TORCHSLA_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "matrices")))
            return Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var inside = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(inside, "matrices"))) return inside;
            var sibling = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            if (Directory.Exists(Path.Combine(sibling, "matrices"))) return sibling;
        }
        throw new DirectoryNotFoundException(
            $"shared folder with matrices/ not found above {AppContext.BaseDirectory}; set TORCHSLA_SHARED");
    }
}
