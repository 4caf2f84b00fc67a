using System.Runtime.CompilerServices;

namespace TorchSla;

/// <summary>
/// Inverses of the slot maps behind transposition and the union of patterns, for the backward
/// rules: if result slot u takes its value from source slot map[u], the gradient of source slot s
/// is the gradient of the u with map[u] = s. Each source slot feeds at most one result slot in these
/// maps, so the inverse is again a gather map (−1 for a source slot no result slot uses).
/// Computed once per map and kept as long as the map lives.
/// </summary>
internal static class IndexMapInverse
{
    private static readonly ConditionalWeakTable<IndexMap, IndexMap> Cache = [];

    public static IndexMap Of(IndexMap map, int sourceLength)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(map, out var inv) && inv.Length == sourceLength) return inv;
            var host = new int[sourceLength];
            Array.Fill(host, -1);
            var m = map.Host;
            for (int u = 0; u < m.Length; u++)
                if (m[u] >= 0)
                {
                    if (host[m[u]] >= 0) throw new InvalidOperationException($"slot map is not one-to-one: source slot {m[u]} feeds result slots {host[m[u]]} and {u}");
                    host[m[u]] = u;
                }
            inv = new IndexMap(host);
            Cache.AddOrUpdate(map, inv);
            return inv;
        }
    }
}
