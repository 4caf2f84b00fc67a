using System.Text.Json;

namespace TorchSla.Cli;

/// <summary><c>torchsla backends [--json]</c>: the devices of this machine, their methods and versions.</summary>
internal static class BackendsCommand
{
    public static int Run(string[] args, TextWriter stdout)
    {
        var o = CliOptions.Parse("backends", args, new HashSet<string>(), new HashSet<string> { "json" });
        if (o.Positionals.Count > 0) throw new CliUsageException($"backends takes no argument, got '{o.Positionals[0]}'");
        if (!o.Flag("json")) { stdout.Write(Backends.Show()); return CliApp.Ok; }
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("version", Backends.LibraryVersion);
            w.WriteString("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
            w.WriteStartArray("backends");
            foreach (var b in Backends.Available())
            {
                w.WriteStartObject();
                w.WriteString("name", b.Name);
                w.WriteString("device", b.Device.ToString());
                w.WriteString("description", b.Description);
                w.WriteStartArray("methods");
                foreach (var m in b.Methods) w.WriteStringValue(m);
                w.WriteEndArray();
                w.WriteString("version", b.Version);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        return CliApp.Ok;
    }
}
