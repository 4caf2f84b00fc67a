using System.Text.Json;
using TorchSla.IO;
using Xunit;

namespace TorchSla.Tests.IO;

/// <summary>
/// torch-sla's <c>save_distributed</c> of a 64×64 Poisson matrix into two partitions: every file
/// loads with the general reader, and the partitions are consistent with each other and with
/// our own Poisson2D(8).
/// </summary>
public class DistributedFixtureTests
{
    private sealed record Part(long[] Owned, long[] Halo, long[] LocalToGlobal, long[] GlobalToLocal, long[] Row, long[] Col, double[] Val,
        Dictionary<int, long[]> SendTo, Dictionary<int, long[]> RecvFrom, IReadOnlyDictionary<string, string> Meta);

    private static Part Load(int p)
    {
        var f = SafeTensorsFile.Read(TestPaths.Fixture($"poisson8x8_dist2/partition_{p}.safetensors"));
        var send = new Dictionary<int, long[]>(); var recv = new Dictionary<int, long[]>();
        foreach (var t in f.Tensors)
        {
            if (t.Name.StartsWith("send_to_", StringComparison.Ordinal)) send[int.Parse(t.Name[8..], System.Globalization.CultureInfo.InvariantCulture)] = f.GetInt64(t.Name);
            if (t.Name.StartsWith("recv_from_", StringComparison.Ordinal)) recv[int.Parse(t.Name[10..], System.Globalization.CultureInfo.InvariantCulture)] = f.GetInt64(t.Name);
        }
        return new Part(f.GetInt64("owned_nodes"), f.GetInt64("halo_nodes"), f.GetInt64("local_to_global"), f.GetInt64("global_to_local"),
            f.GetInt64("row_indices"), f.GetInt64("col_indices"), f.GetDouble("values"), send, recv, f.Metadata);
    }

    [Fact]
    public void PartitionsAreConsistentWithEachOtherAndWithPoisson2D()
    {
        using var meta = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("poisson8x8_dist2/metadata.json")));
        var root = meta.RootElement;
        int n = root.GetProperty("shape")[0].GetInt32();
        Assert.Equal(2, root.GetProperty("num_partitions").GetInt32());
        var parts = new[] { Load(0), Load(1) };
        var global = SparseTensor.Poisson2D<double>(8).ToDense().ToArray2D();
        Assert.Equal(64, n);

        // owned nodes: disjoint, covering 0..n-1
        var all = parts.SelectMany(p => p.Owned).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), all);

        long ownedRowEntries = 0;
        for (int p = 0; p < 2; p++)
        {
            var part = parts[p];
            var pm = root.GetProperty("partitions")[p];
            Assert.Equal(pm.GetProperty("num_owned").GetInt32(), part.Owned.Length);
            Assert.Equal(pm.GetProperty("num_halo").GetInt32(), part.Halo.Length);
            Assert.Equal(pm.GetProperty("num_local").GetInt32(), part.LocalToGlobal.Length);
            Assert.Equal(pm.GetProperty("nnz").GetInt32(), part.Val.Length);
            Assert.Equal(part.Owned.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), part.Meta["num_owned"]);

            // local numbering: owned nodes first, then the halo (both lists hold global ids);
            // global_to_local inverts local_to_global and is -1 elsewhere
            Assert.Equal(part.Owned, part.LocalToGlobal[..part.Owned.Length]);
            Assert.Equal(part.Halo, part.LocalToGlobal[part.Owned.Length..]);
            for (int l = 0; l < part.LocalToGlobal.Length; l++) Assert.Equal(l, part.GlobalToLocal[part.LocalToGlobal[l]]);
            Assert.Equal(n - part.LocalToGlobal.Length, part.GlobalToLocal.Count(g => g == -1));
            // the halo: exactly the non-owned neighbours of owned nodes in the global graph
            var owned = part.Owned.ToHashSet();
            var neighbours = new SortedSet<long>();
            foreach (long i in part.Owned) for (int j = 0; j < n; j++) if (global[i, j] != 0 && !owned.Contains(j)) neighbours.Add(j);
            Assert.Equal(neighbours, part.Halo);

            // the local matrix is A restricted to local × local, entry for entry (zeros included)
            int nl = part.LocalToGlobal.Length;
            var local = new double[nl, nl];
            for (int k = 0; k < part.Val.Length; k++) local[part.Row[k], part.Col[k]] += part.Val[k];
            for (int i = 0; i < nl; i++)
                for (int j = 0; j < nl; j++)
                    Assert.Equal(global[part.LocalToGlobal[i], part.LocalToGlobal[j]], local[i, j]);
            ownedRowEntries += part.Row.Count(r => r < part.Owned.Length);
        }
        // owned rows hold every entry of A exactly once
        Assert.Equal(root.GetProperty("nnz").GetInt64(), ownedRowEntries);
        Assert.Equal(SparseTensor.Poisson2D<double>(8).Nnz, ownedRowEntries);

        // what p sends to q (its local indices) is what q receives into its halo (q's local indices), node for node
        for (int p = 0; p < 2; p++)
        {
            int q = 1 - p;
            var send = parts[p].SendTo[q].Select(l => parts[p].LocalToGlobal[l]).ToArray();
            var recv = parts[q].RecvFrom[p].Select(l => parts[q].LocalToGlobal[l]).ToArray();
            Assert.Equal(send, recv);
            Assert.All(parts[p].SendTo[q], l => Assert.True(l < parts[p].Owned.Length));
            Assert.All(parts[q].RecvFrom[p], l => Assert.True(l >= parts[q].Owned.Length));
        }
    }
}
