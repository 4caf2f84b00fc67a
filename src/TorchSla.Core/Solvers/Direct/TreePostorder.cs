using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// Postorder of a forest given by parent pointers (Davis 2006, §4.3, cs_post): children are
/// numbered before their parent and every subtree gets consecutive numbers, which is what
/// lets a supernode's columns be contiguous and makes the elimination order of a front
/// follow its children. Iterative depth-first search, O(n).
/// </summary>
internal static class TreePostorder
{
    /// <summary>post[k] = the node numbered k (−1 parents are roots).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Compute(int[] parent, IndexScratch? scratch = null)
    {
        int n = parent.Length;
        scratch ??= new IndexScratch(n);
        var head = scratch.RentFilled(-1); var next = scratch.Rent(); var stack = scratch.Rent();
        // Children lists in increasing order: push in reverse so that the smallest comes first.
        for (int j = n - 1; j >= 0; j--)
        {
            int p = parent[j];
            if (p == -1) continue;
            next[j] = head[p]; head[p] = j;
        }
        var post = scratch.Rent();
        int k = 0;
        for (int root = 0; root < n; root++)
        {
            if (parent[root] != -1) continue;
            int top = 0;
            stack[0] = root;
            while (top >= 0)
            {
                int p = stack[top];
                int c = head[p];
                if (c == -1) { top--; post[k++] = p; }
                else { head[p] = next[c]; stack[++top] = c; }
            }
        }
        scratch.Return(head, next, stack);
        return post;
    }
}
