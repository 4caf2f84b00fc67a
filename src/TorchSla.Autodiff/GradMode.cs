namespace TorchSla.Autodiff;

/// <summary>
/// Whether operations are recorded on the tape. Recording is on by default; inside a
/// <see cref="NoGrad"/> scope operations run without building nodes (their results do not
/// require a gradient), which is how inference, parameter updates and the backward pass itself
/// run. The switch is per asynchronous flow (an <see cref="AsyncLocal{T}"/>), so a scope on one
/// thread does not silence another.
/// </summary>
public static class GradMode
{
    private static readonly AsyncLocal<int> Disabled = new();

    /// <summary>Whether operations are recorded now.</summary>
    public static bool IsEnabled => Disabled.Value == 0;

    /// <summary>Turns recording off until the returned scope is disposed (scopes nest).</summary>
    /// <example><code>using (GradMode.NoGrad()) { theta.AxpyInPlace(-lr, theta.Grad!); }</code></example>
    public static IDisposable NoGrad()
    {
        Disabled.Value++;
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            Disabled.Value--;
        }
    }
}
