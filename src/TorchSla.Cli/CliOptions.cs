using System.Globalization;

namespace TorchSla.Cli;

/// <summary>
/// Hand-written parser of <c>COMMAND POSITIONAL [--name value | --name=value | --flag]...</c>.
/// Each command declares which options take a value and which are flags; anything else is
/// refused by name, so a typo never silently falls back to a default.
/// </summary>
internal sealed class CliOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    public static CliOptions Parse(string command, IReadOnlyList<string> args, IReadOnlySet<string> valued, IReadOnlySet<string> flags)
    {
        var o = new CliOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                string name = a[2..], value = "";
                int eq = name.IndexOf('=', StringComparison.Ordinal);
                bool inline = eq >= 0;
                if (inline) { value = name[(eq + 1)..]; name = name[..eq]; }
                if (flags.Contains(name))
                {
                    if (inline) throw new CliUsageException($"option --{name} takes no value");
                    o._flags.Add(name);
                }
                else if (valued.Contains(name))
                {
                    if (!inline)
                    {
                        if (i + 1 >= args.Count) throw new CliUsageException($"option --{name} needs a value");
                        value = args[++i];
                    }
                    if (!o._values.TryAdd(name, value)) throw new CliUsageException($"option --{name} is given twice");
                }
                else throw new CliUsageException($"unknown option '--{name}' for '{command}' (see torchsla {command} --help)");
            }
            else if (a.StartsWith('-') && a.Length > 1 && !double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                throw new CliUsageException($"unknown option '{a}' for '{command}' (see torchsla {command} --help)");
            else o.Positionals.Add(a);
        }
        return o;
    }

    public bool Flag(string name) => _flags.Contains(name);

    public string? Text(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public double Double(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out var v)) return fallback;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d))
            throw new CliUsageException($"--{name}: '{v}' is not a number");
        if (d < 0) throw new CliUsageException($"--{name}: must be ≥ 0, got {v}");
        return d;
    }

    public int? Int(string name)
    {
        if (!_values.TryGetValue(name, out var v)) return null;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
            throw new CliUsageException($"--{name}: '{v}' is not an integer");
        if (n < 0) throw new CliUsageException($"--{name}: must be ≥ 0, got {v}");
        return n;
    }
}
