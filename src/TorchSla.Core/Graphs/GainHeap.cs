namespace TorchSla.Graphs;

/// <summary>
/// An addressable binary max-heap of vertices keyed by an integer gain: insert, update, remove and pop in
/// O(log size). Fiduccia–Mattheyses used bucket lists for unit weights; the edge weights of coarse graphs are
/// unbounded, so a heap is kept instead (as METIS's priority queues do).
/// </summary>
internal sealed class GainHeap
{
    private readonly int[] _heap;   // vertices in heap order
    private readonly int[] _key;    // key of each heap slot
    private readonly int[] _where;  // slot of each vertex, −1 when absent
    private int _count;

    public GainHeap(int capacity)
    {
        _heap = new int[capacity]; _key = new int[capacity]; _where = new int[capacity];
        Array.Fill(_where, -1);
    }

    public int Count => _count;
    public bool Contains(int v) => _where[v] >= 0;
    public int TopKey => _key[0];
    public int Top => _heap[0];

    public void Clear()
    {
        for (int i = 0; i < _count; i++) _where[_heap[i]] = -1;
        _count = 0;
    }

    public void Insert(int v, int key)
    {
        int i = _count++;
        _heap[i] = v; _key[i] = key; _where[v] = i;
        Up(i);
    }

    public void Update(int v, int key)
    {
        int i = _where[v];
        int old = _key[i];
        _key[i] = key;
        if (key > old) Up(i); else if (key < old) Down(i);
    }

    public void Remove(int v)
    {
        int i = _where[v];
        _where[v] = -1;
        if (--_count == i) return;
        int old = _key[i];
        _heap[i] = _heap[_count]; _key[i] = _key[_count]; _where[_heap[i]] = i;
        if (_key[i] > old) Up(i); else Down(i);
    }

    public int Pop()
    {
        int v = _heap[0];
        Remove(v);
        return v;
    }

    private void Up(int i)
    {
        int v = _heap[i], k = _key[i];
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            if (_key[p] >= k) break;
            _heap[i] = _heap[p]; _key[i] = _key[p]; _where[_heap[i]] = i;
            i = p;
        }
        _heap[i] = v; _key[i] = k; _where[v] = i;
    }

    private void Down(int i)
    {
        int v = _heap[i], k = _key[i];
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= _count) break;
            if (c + 1 < _count && _key[c + 1] > _key[c]) c++;
            if (_key[c] <= k) break;
            _heap[i] = _heap[c]; _key[i] = _key[c]; _where[_heap[i]] = i;
            i = c;
        }
        _heap[i] = v; _key[i] = k; _where[v] = i;
    }
}
