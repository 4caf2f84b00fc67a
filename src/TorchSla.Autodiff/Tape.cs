namespace TorchSla.Autodiff;

/// <summary>
/// Reverse-mode differentiation over the graph of <see cref="GradNode"/>s (Griewank &amp; Walther,
/// "Evaluating Derivatives", 2nd ed., §3.2: the reverse sweep visits each node once, after every
/// node that uses it). <see cref="Backward{TGrad}"/> orders the nodes reachable from the root
/// topologically (an iterative depth-first post-order, so deep chains do not overflow the stack),
/// then runs each node's closure once, in reverse order, with the sum of the gradients its users
/// sent it. Leaves keep their summed gradient; interior gradients are released as soon as they
/// have been pushed on. The sweep itself runs with recording off.
/// </summary>
public static class Tape
{
    /// <summary>
    /// Propagates <paramref name="seed"/> = ∂L/∂(root's value) back to every leaf reachable from
    /// <paramref name="root"/>, adding ∂L/∂leaf to each leaf's <see cref="GradNode{TGrad}.Gradient"/>.
    /// </summary>
    /// <param name="root">The node of the value to differentiate.</param>
    /// <param name="seed">The gradient with respect to that value (ones for a scalar loss).</param>
    /// <param name="retainGraph">Keep the closures so that another backward pass can run through the same graph.</param>
    /// <exception cref="InvalidOperationException">The graph was freed by an earlier backward pass (the operation is named).</exception>
    public static void Backward<TGrad>(GradNode<TGrad> root, TGrad seed, bool retainGraph = false) where TGrad : class
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(seed);
        var order = TopologicalOrder(root);
        // Refuse before touching any gradient, so a failed call leaves the leaves as they were.
        foreach (var n in order)
            if (n.IsFreed) throw FreedError(n);
        using (GradMode.NoGrad())
        {
            try
            {
                root.Accumulate(seed);
                foreach (var n in order) n.Propagate(retainGraph);
            }
            catch
            {
                foreach (var n in order) n.DiscardPending();
                throw;
            }
        }
    }

    /// <summary>The nodes reachable from <paramref name="root"/> (root included), users before the nodes they use.</summary>
    public static IReadOnlyList<GradNode> TopologicalOrder(GradNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var visited = new HashSet<GradNode>(ReferenceEqualityComparer.Instance);
        var postOrder = new List<GradNode>();
        var stack = new Stack<(GradNode Node, int Next)>();
        visited.Add(root);
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var inputs = node.InputArray;
            if (next < inputs.Length)
            {
                stack.Push((node, next + 1));
                var child = inputs[next];
                if (visited.Add(child)) stack.Push((child, 0));
            }
            else postOrder.Add(node);
        }
        postOrder.Reverse();
        return postOrder;
    }

    /// <summary>How many nodes the graph behind <paramref name="root"/> holds (leaves included).</summary>
    public static int CountNodes(GradNode root) => TopologicalOrder(root).Count;

    internal static InvalidOperationException FreedError(GradNode n) => new(
        $"backward through the graph a second time: the node of '{n.Operation}' was freed by an earlier Backward(); " +
        "pass retainGraph: true to the first call to keep the graph");
}
