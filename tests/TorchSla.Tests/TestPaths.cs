namespace TorchSla.Tests;

/// <summary>Finds the shared folder (test matrices, torch-sla fixtures) from wherever the tests run.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> SharedDir = new(Locate);

    /// <summary>The shared folder: $TORCHSLA_SHARED, or the first <c>shared</c> (or sibling <c>../shared</c>) holding <c>matrices</c> above the test binaries.</summary>
    public static string Shared => SharedDir.Value;

    /// <summary>Path of a test matrix in shared/matrices.</summary>
    public static string Matrix(string name) => Path.Combine(Shared, "matrices", name);

    /// <summary>Path of a torch-sla fixture in shared/fixtures/torch-sla.</summary>
    public static string Fixture(string name) => Path.Combine(Shared, "fixtures", "torch-sla", name);

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("TORCHSLA_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "matrices"))) return Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var inside = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(inside, "matrices"))) return inside;
            var sibling = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            if (Directory.Exists(Path.Combine(sibling, "matrices"))) return sibling;
        }
        throw new DirectoryNotFoundException($"no shared/matrices folder above {AppContext.BaseDirectory}; set TORCHSLA_SHARED");
    }
}
