using System.Diagnostics;
using TorchSla.Graphs;

namespace TorchSla.Bench;

/// <summary>
/// Partition quality and time of the multilevel graph partitioner, for comparison with METIS's gpmetis/ndmetis on the same
/// graph: <c>partition poisson2d N | poisson3d N | file.mtx [k...]</c>. For each k prints the edge cut, the heaviest part
/// relative to W/k and the seconds (wall, and the process's CPU time after a warm-up call); then the top-level vertex separator's size and side weights. With
/// <c>--write-graph PATH</c> it also writes the graph in METIS's format.
/// </summary>
internal static class PartitionBench
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) { Console.Error.WriteLine("usage: partition poisson2d N | poisson3d N | file.mtx [k...] [--write-graph PATH]"); return 2; }
        var a = Direct.OrderingBench.ReadProblem(args, out int at);
        var sym = a.Pattern.SymmetryPlan().Pattern;
        var g = WeightedGraph.FromPattern(a.Rows, sym.RowPtr, sym.ColInd);
        var ks = new List<int>();
        for (; at < args.Length; at++)
        {
            if (args[at] == "--write-graph") { WriteMetis(g, args[++at]); continue; }
            ks.Add(int.Parse(args[at]));
        }
        Console.WriteLine($"graph: n={g.VertexCount} edges={g.AdjacencyCount / 2}");
        foreach (int k in ks)
        {
            GraphPartitioner.Partition(g, k);   // warm-up (JIT)
            var proc = Process.GetCurrentProcess();
            var cpu0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var p = GraphPartitioner.Partition(g, k);
            double s = sw.Elapsed.TotalSeconds;
            proc.Refresh();
            double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
            Console.WriteLine($"  k={k}: cut={p.EdgeCut} maxpart/(W/k)={p.PartWeights.Max() * (double)k / g.TotalVertexWeight:F3} seconds={s:F3} cpu={cpu:F3}");
        }
        int[] label = [];
        double st = double.MaxValue, ct = double.MaxValue;
        for (int rep = 0; rep < 3; rep++)
        {
            var t = Stopwatch.StartNew();
            MultilevelBisection.Coarsen(g, new Random(1));
            ct = Math.Min(ct, t.Elapsed.TotalSeconds);
            t.Restart();
            label = GraphPartitioner.Separator(g, Solvers.Direct.NestedDissection.SeparatorImbalance);
            st = Math.Min(st, t.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"  coarsening alone: {ct:F3}s (best of 3)");
        Console.WriteLine($"  separator: size={label.Count(x => x == 2)} sides={label.Count(x => x == 0)}/{label.Count(x => x == 1)} seconds={st:F3} (best of 3)");
        return 0;
    }

    private static void WriteMetis(WeightedGraph g, string path)
    {
        using var w = new StreamWriter(path);
        w.WriteLine($"{g.VertexCount} {g.AdjacencyCount / 2}");
        var sb = new System.Text.StringBuilder();
        for (int v = 0; v < g.VertexCount; v++)
        {
            sb.Clear();
            for (int q = g.XAdj[v]; q < g.XAdj[v + 1]; q++) { if (q > g.XAdj[v]) sb.Append(' '); sb.Append(g.Adjacency[q] + 1); }
            w.WriteLine(sb.ToString());
        }
    }
}
