using System.Text;

namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// A local heap (spec III.D): the names of an old-style group's links, as NUL-terminated strings in one data
/// segment. The segment must lie inside the file; every name lookup stays inside it and is charged to the
/// file's work budget, so many entries naming one huge unterminated string cannot cost quadratic time.
/// </summary>
internal sealed class LocalHeap
{
    private readonly Hdf5File _file;
    private readonly long _data;
    private readonly long _size;
    private readonly string _what;

    private LocalHeap(Hdf5File file, long data, long size, string what)
    {
        _file = file;
        _data = data;
        _size = size;
        _what = what;
    }

    public static LocalHeap Read(Hdf5File file, long address)
    {
        string what = $"local heap at offset {address}";
        var c = new ByteCursor(file.Bytes, Math.Min(address, file.Length), Math.Min(32, file.Length - Math.Min(address, file.Length)), what);
        if (c.Remaining < 32 || !c.Signature("HEAP"))
        {
            throw new Hdf5FormatException($"{what}: expected the signature HEAP");
        }

        byte version = c.U8();
        if (version != 0)
        {
            throw new Hdf5FormatException($"{what}: version {version} is not 0");
        }

        c.Skip(3);
        ulong size = c.U64();
        c.U64(); // free list head
        ulong data = c.U64();
        if (data >= (ulong)file.Length || size > (ulong)file.Length - data)
        {
            throw new Hdf5FormatException($"{what}: data segment of {size} bytes at offset {data} lies outside the {file.Length}-byte file");
        }

        return new LocalHeap(file, (long)data, (long)size, what);
    }

    /// <summary>The NUL-terminated name at <paramref name="offset"/> in the data segment.</summary>
    public string Name(ulong offset)
    {
        if (offset >= (ulong)_size)
        {
            throw new Hdf5FormatException($"{_what}: name offset {offset} is outside its {_size}-byte data segment");
        }

        var rest = new ReadOnlySpan<byte>(_file.Bytes, (int)(_data + (long)offset), (int)(_size - (long)offset));
        int end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw new Hdf5FormatException($"{_what}: the name at offset {offset} is not terminated inside the data segment");
        }

        _file.Charge(end + 1, _what);
        return Encoding.UTF8.GetString(rest[..end]);
    }
}
