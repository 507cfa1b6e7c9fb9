namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// Global heap collections (spec III.E), where variable-length strings keep their bytes. A collection is walked
/// once, bounded by its own size (which must lie inside the file), and its object table cached; an object is
/// accepted only when its bytes lie inside its collection.
/// </summary>
internal sealed class GlobalHeap(Hdf5File file)
{
    private readonly Dictionary<long, Dictionary<int, (long At, long Length)>> _collections = [];

    /// <summary>The bytes of object <paramref name="index"/> of the collection at <paramref name="address"/>.</summary>
    public ReadOnlySpan<byte> Object(ulong address, uint index)
    {
        if (address >= (ulong)file.Length)
        {
            throw new Hdf5FormatException($"variable-length data points at a global heap at offset {address}, outside the {file.Length}-byte file");
        }

        var objects = Collection((long)address);
        if (index > int.MaxValue || !objects.TryGetValue((int)index, out var found))
        {
            throw new Hdf5FormatException($"global heap at offset {address}: no object {index}");
        }

        return new ReadOnlySpan<byte>(file.Bytes, (int)found.At, (int)found.Length);
    }

    private Dictionary<int, (long At, long Length)> Collection(long address)
    {
        if (_collections.TryGetValue(address, out var cached))
        {
            return cached;
        }

        string what = $"global heap at offset {address}";
        var head = new ByteCursor(file.Bytes, address, Math.Min(16, file.Length - address), what);
        if (head.Remaining < 16 || !head.Signature("GCOL"))
        {
            throw new Hdf5FormatException($"{what}: expected the signature GCOL");
        }

        byte version = head.U8();
        if (version != 1)
        {
            throw new Hdf5FormatException($"{what}: version {version} is not 1");
        }

        head.Skip(3);
        ulong size = head.U64();
        if (size < 16 || size > (ulong)(file.Length - address))
        {
            throw new Hdf5FormatException($"{what}: collection size {size} lies outside the {file.Length}-byte file");
        }

        file.Charge((long)size, what);
        var c = new ByteCursor(file.Bytes, address + 16, (long)size - 16, what);
        var objects = new Dictionary<int, (long, long)>();
        while (c.Remaining >= 16)
        {
            int index = c.U16();
            if (index == 0)
            {
                break; // free space: the rest of the collection
            }

            c.Skip(6); // reference count, reserved
            ulong length = c.U64();
            if (length > (ulong)c.Remaining)
            {
                throw new Hdf5FormatException($"{what}: object {index} claims {length} bytes, but only {c.Remaining} remain in its collection");
            }

            objects.TryAdd(index, (c.Position, (long)length));
            c.Skip(Math.Min(c.Remaining, (long)((length + 7) & ~7UL)));
        }

        _collections[address] = objects;
        return objects;
    }
}
