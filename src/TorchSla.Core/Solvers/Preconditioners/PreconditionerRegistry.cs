using System.Collections.Concurrent;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Preconditioner factories by name (case-insensitive). The built-in ones (<c>none</c>,
/// <c>jacobi</c>, <c>block-jacobi</c>, <c>ilu0</c>, <c>ic0</c>, <c>chebyshev</c>, <c>amg</c>) are present
/// from the start; other components (AMG) add theirs with <see cref="Register"/>.
/// </summary>
public static class PreconditionerRegistry
{
    private static readonly ConcurrentDictionary<string, IPreconditionerFactory> Factories = new(StringComparer.OrdinalIgnoreCase);

    static PreconditionerRegistry()
    {
        foreach (var f in (IPreconditionerFactory[])[new IdentityPreconditionerFactory(), new JacobiPreconditionerFactory(),
                     new BlockJacobiPreconditionerFactory(), new Ilu0PreconditionerFactory(), new Ic0PreconditionerFactory(),
                     new ChebyshevPreconditionerFactory(), new AmgPreconditionerFactory()])
            Factories[f.Name] = f;
    }

    /// <summary>Adds (or replaces) the factory under its <see cref="IPreconditionerFactory.Name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or whitespace.</exception>
    public static void Register(IPreconditionerFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrWhiteSpace(factory.Name))
            throw new ArgumentException("a preconditioner factory needs a non-empty name", nameof(factory));
        Factories[factory.Name.Trim()] = factory;
    }

    /// <summary>Every registered name, sorted.</summary>
    public static IReadOnlyList<string> Names => [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether <paramref name="name"/> is registered (null counts as <c>none</c>).</summary>
    public static bool Contains(string? name) => name is null || Factories.ContainsKey(name.Trim());

    /// <summary>The factory registered as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No factory has that name (the registered names are listed).</exception>
    public static IPreconditionerFactory Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Factories.TryGetValue(name.Trim(), out var f)) return f;
        throw new ArgumentException($"unknown preconditioner '{name}': registered are {string.Join(", ", Names)}", nameof(name));
    }
}
