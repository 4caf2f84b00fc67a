// Inverse problem: recover a diffusion coefficient field κ(x, y) on an n×n grid from observed
// solutions of −∇·(κ∇u) = f (Dirichlet boundary), by gradient descent through Solve.
//
// The parameters are θ = ln κ (one per grid node, so κ stays positive). The finite-volume matrix
// has, for each face between nodes i and j, the face coefficient k_ij = (κ_i + κ_j)/2 entering as
// +k at (i, i) and (j, j) and −k at (i, j) and (j, i); a boundary face of node i adds κ_i at (i, i).
// Those entries are a fixed linear map P of κ (entries = P·κ, duplicates summed into the slots),
// so the whole chain θ → κ → A(κ) → u = A⁻¹f → loss is recorded on the tape, and one Backward()
// gives ∂loss/∂θ with one adjoint CG solve per right-hand side.
//
// Usage: dotnet run --project samples/DiffusionFit -c Release [-- [--device cpu|cuda] n iterations [device] [lr]]
using System.Globalization;
using TorchSla;
using TorchSla.Autodiff;
using TorchSla.Solvers;

// `--device D` may stand anywhere; the remaining arguments are positional (n, iterations, device, learning rate).
var device = Device.Cpu;
var positional = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--device" && i + 1 < args.Length) device = Device.Parse(args[++i]);
    else positional.Add(args[i]);
}
args = [.. positional];
int n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 16;
int iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
if (args.Length > 2) device = Device.Parse(args[2]);
int nodes = n * n;

// ---- the stencil's entries as a linear map of κ: entry e gets Σ_i P[e, i]·κ_i
var rows = new List<int>(); var cols = new List<int>();
var pRow = new List<int>(); var pCol = new List<int>(); var pVal = new List<double>();
void Entry(int r, int c, (int Node, double Weight)[] terms)
{
    int e = rows.Count;
    rows.Add(r); cols.Add(c);
    foreach (var (node, w) in terms) { pRow.Add(e); pCol.Add(node); pVal.Add(w); }
}
for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
    {
        int i = y * n + x;
        foreach (var (dx, dy) in new[] { (1, 0), (-1, 0), (0, 1), (0, -1) })
        {
            int xx = x + dx, yy = y + dy;
            if (xx < 0 || yy < 0 || xx >= n || yy >= n) { Entry(i, i, [(i, 1.0)]); continue; } // boundary face
            int j = yy * n + xx;
            if (j < i) continue; // each interior face once
            var k = new[] { (i, 0.5), (j, 0.5) };
            Entry(i, i, k); Entry(j, j, k); Entry(i, j, [(i, -0.5), (j, -0.5)]); Entry(j, i, [(i, -0.5), (j, -0.5)]);
        }
    }
var p = SparseTensor.FromCoo<double>(pVal.ToArray(), pRow.ToArray(), pCol.ToArray(), [rows.Count, nodes], device: device);
// The pattern and entry layout of A (values replaced at every step by WithValues).
var template = SparseTensor.FromCoo<double>(new double[rows.Count], rows.ToArray(), cols.ToArray(), [nodes, nodes], device: device);

SparseTensor<double> Operator(Tensor<double> kappa) => template.WithValues(p.Matmul(kappa));

// ---- ground truth: a smooth field with a high-conductivity blob; two sources
var trueKappa = new double[nodes];
for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
    {
        double u = (x + 0.5) / n - 0.65, v = (y + 0.5) / n - 0.35;
        trueKappa[y * n + x] = 1.0 + 2.0 * Math.Exp(-(u * u + v * v) / 0.02);
    }
var sources = new[]
{
    Tensor<double>.Ones([nodes], device),
    Tensor<double>.FromArray(Enumerable.Range(0, nodes).Select(i => (double)(i % n) / n).ToArray()).To(device),
};
var options = new SolveOptions { RelativeTolerance = 1e-10 };
Tensor<double>[] observed;
using (GradMode.NoGrad())
{
    var aTrue = Operator(Tensor<double>.FromArray(trueKappa).To(device));
    observed = sources.Select(f => aTrue.Solve(f, options).EnsureConverged()).ToArray();
}

// ---- gradient descent on θ = ln κ from κ = 1
var theta = Tensor<double>.Zeros([nodes], device).RequireGrad();
double lr = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 2.0;
Console.WriteLine($"fitting κ on a {n}×{n} grid ({nodes} unknowns, {rows.Count} matrix entries) on {device}, {sources.Length} sources");
Console.WriteLine(" step       loss      ‖κ − κ_true‖/‖κ_true‖");
double first = double.NaN, last = double.NaN, previous = double.PositiveInfinity;
double eta = 0.05 * lr; // largest change of any θ_i per step, adapted below
for (int step = 0; step <= iterations; step++)
{
    var a = Operator(theta.Exp());
    Tensor<double>? loss = null;
    for (int s = 0; s < sources.Length; s++)
    {
        var u = a.Solve(sources[s], options).EnsureConverged();
        var misfit = TensorMath.Sum((u - observed[s]).Square()) * (1.0 / TensorMath.Sum(observed[s].Square().Detach()).ToScalar());
        loss = loss is null ? misfit : loss + misfit;
    }
    theta.ZeroGrad();
    loss!.Backward();
    last = loss.ToScalar();
    if (step == 0) first = last;
    if (step % 10 == 0 || step == iterations)
    {
        var k = theta.ToArray().Select(Math.Exp).ToArray();
        double err = Math.Sqrt(k.Zip(trueKappa, (q, t) => (q - t) * (q - t)).Sum() / trueKappa.Sum(t => t * t));
        Console.WriteLine($"{step,5}  {last,12:E4}  {err,10:F4}");
    }
    // θ ← θ − η·g/‖g‖∞: a normalised step (the misfit's scale varies by orders of magnitude along the
    // path) whose length grows while the loss falls and halves when it rises.
    eta = last > previous ? eta * 0.5 : eta * 1.1;
    previous = last;
    using (GradMode.NoGrad())
    {
        var g = theta.Grad!;
        double gmax = g.NormInf();
        if (gmax > 0) theta.AxpyInPlace(-eta / gmax, g);
    }
}
Console.WriteLine($"loss fell from {first:E3} to {last:E3} ({first / last:F0}× smaller)");
return last < first ? 0 : 1;
