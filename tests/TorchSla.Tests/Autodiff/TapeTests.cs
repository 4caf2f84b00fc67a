using TorchSla.Autodiff;
using TorchSla.Solvers;
using Xunit;

namespace TorchSla.Tests.Autodiff;

/// <summary>The tape itself: accumulation, ordering, scopes, detaching, and its errors.</summary>
public class TapeTests
{
    private static Tensor<double> Vec(params double[] v) => Tensor<double>.FromArray(v);

    [Fact]
    public void GradientAccumulatesOverUsesAndPasses()
    {
        var x = Vec(1, -2, 3).RequireGrad();
        // y = Σ (x∘x + 3x) ⇒ ∂y/∂x = 2x + 3, x used three times.
        TensorMath.Sum(x * x + x * 3.0).Backward();
        Assert.Equal([5, -1, 9], x.Grad!.ToArray());
        TensorMath.Sum(x * x + x * 3.0).Backward();
        Assert.Equal([10, -2, 18], x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void DiamondGraphRunsEachNodeOnce()
    {
        var x = Vec(2).RequireGrad();
        var a = x * 3.0;          // shared by two branches
        var y = a * a + a;        // ∂y/∂x = (2a + 1)·3 = 39
        y.Backward();
        Assert.Equal(39, x.Grad!.ToArray()[0], 12);
    }

    [Fact]
    public void NoGradScopeRecordsNothing()
    {
        var x = Vec(1, 2).RequireGrad();
        Tensor<double> y;
        using (GradMode.NoGrad()) y = x * 2.0 + x;
        Assert.False(y.RequiresGrad);
        Assert.True(GradMode.IsEnabled);
        Assert.Throws<InvalidOperationException>(() => TensorMath.Sum(y).Backward());
    }

    [Fact]
    public void DetachStopsTheGradient()
    {
        var x = Vec(1, 2).RequireGrad();
        var y = TensorMath.Sum(x * x.Detach()); // ∂/∂x = x (the detached factor is a constant)
        y.Backward();
        Assert.Equal([1, 2], x.Grad!.ToArray());
    }

    [Fact]
    public void SecondBackwardThroughFreedGraphIsRefused()
    {
        var x = Vec(1, 2).RequireGrad();
        var y = TensorMath.Sum(x * x);
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("freed", e.Message);
        Assert.Equal([2, 4], x.Grad!.ToArray()); // unchanged by the refused call
    }

    [Fact]
    public void RetainGraphAllowsASecondPass()
    {
        var x = Vec(1, 2).RequireGrad();
        var y = TensorMath.Sum(x * x);
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal([4, 8], x.Grad!.ToArray());
    }

    [Fact]
    public void NonScalarNeedsASeed()
    {
        var x = Vec(1, 2, 3).RequireGrad();
        var y = x * 2.0;
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("[3]", e.Message);
        Assert.Throws<ShapeMismatchException>(() => y.Backward(Vec(1, 1)));
        y.Backward(Vec(1, 10, 100));
        Assert.Equal([2, 20, 200], x.Grad!.ToArray());
    }

    [Fact]
    public void InPlaceChangesAreCaught()
    {
        var x = Vec(1, 2).RequireGrad();
        Assert.Throws<InvalidOperationException>(() => x.ScaleInPlace(2));
        var c = Vec(3, 4);
        var y = TensorMath.Sum(x * c);
        c.FillInPlace(0); // the saved factor changed after it was used
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("in place", e.Message);
        using (GradMode.NoGrad()) x.ScaleInPlace(2); // a parameter update is fine
        Assert.Equal([2, 4], x.ToArray());
    }

    [Fact]
    public void LongChainDoesNotOverflowTheStack()
    {
        var x = Vec(1).RequireGrad();
        var y = x;
        for (int i = 0; i < 20_000; i++) y = y + 0.0;
        y.Backward();
        Assert.Equal(1, x.Grad!.ToArray()[0]);
        Assert.Equal(20_001, Tape.CountNodes(y.GradFn!));
    }

    [Fact]
    public void RequiresGradCannotBeDroppedOnAResult()
    {
        var x = Vec(1).RequireGrad();
        var y = x * 2.0;
        Assert.False(y.IsLeaf);
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        x.RequiresGrad = false;
        Assert.False(x.RequiresGrad);
    }

    [Fact]
    public void SolveAddsOneNodeWhateverTheIterationCount()
    {
        var a = SparseTensor.Poisson2D<double>(12).RequireGrad();
        var b = Tensor<double>.Ones([144]).RequireGrad();
        var result = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-10 });
        Assert.True(result.Iterations > 10);
        var loss = TensorMath.Sum(result.Solution);
        // leaf A, leaf b, the solve, the sum
        Assert.Equal(4, Tape.CountNodes(loss.GradFn!));
        loss.Backward();
        Assert.NotNull(a.Grad);
        Assert.NotNull(b.Grad);
    }
}
