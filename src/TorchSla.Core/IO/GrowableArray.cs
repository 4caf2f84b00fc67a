namespace TorchSla.IO;

/// <summary>
/// An append-only array that grows by doubling from a small start, so that a file declaring
/// 10⁹ entries costs memory only for the entries it really holds (a lying header cannot make
/// the reader allocate gigabytes up front).
/// </summary>
internal struct GrowableArray<T>
{
    /// <summary>Initial capacity cap: larger declared counts are reached by growth.</summary>
    public const int InitialCapacityCap = 1 << 16;

    private T[] _items;

    public GrowableArray(long expected)
    {
        _items = new T[(int)Math.Clamp(expected, 4, InitialCapacityCap)];
        Count = 0;
    }

    public int Count { readonly get; private set; }

    /// <summary>Appends; false when the array already holds <see cref="Array.MaxLength"/> items.</summary>
    public bool TryAdd(T item)
    {
        if (Count == _items.Length)
        {
            if (Count == Array.MaxLength) return false;
            Array.Resize(ref _items, (int)Math.Min((long)_items.Length * 2, Array.MaxLength));
        }
        _items[Count++] = item;
        return true;
    }

    public readonly ReadOnlySpan<T> AsSpan() => new(_items, 0, Count);

    public readonly T this[int index] => _items[index];
}
