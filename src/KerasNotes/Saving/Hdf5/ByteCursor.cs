using System.Buffers.Binary;

namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// A little-endian reader over one window of the file's bytes. Every read is checked against the window, so a
/// length or offset field from the file can never make us read outside the structure it belongs to; the failure
/// names the structure (<see cref="What"/>) and the offsets involved.
/// </summary>
internal struct ByteCursor
{
    /// <summary>The value HDF5 uses for "no address" (all bits set).</summary>
    public const ulong Undefined = ulong.MaxValue;

    private readonly byte[] _data;
    private readonly long _end;
    private readonly string _what;

    // A part of the structure (a message inside a header, say) and where it starts, joined to _what only when a
    // message needs it: building that text for every message of a long header would cost more than decoding.
    private readonly string? _part;
    private readonly long _partAt;

    /// <summary>A cursor over <paramref name="length"/> bytes from <paramref name="start"/>, refused when that window leaves the file.</summary>
    public ByteCursor(byte[] data, long start, long length, string what)
    {
        _data = data;
        _what = what;
        if (start < 0 || length < 0 || start > data.LongLength || length > data.LongLength - start)
        {
            throw new Hdf5FormatException($"{what}: {length} bytes at offset {start} lie outside the {data.LongLength}-byte file");
        }

        Position = start;
        _end = start + length;
    }

    private ByteCursor(byte[] data, long start, long length, string what, string part)
        : this(data, start, length, what)
    {
        _part = part;
        _partAt = start;
    }

    /// <summary>The structure being read, for messages (e.g. <c>object header at offset 1234, link message at offset 1250</c>).</summary>
    public readonly string What => _part is null ? _what : $"{_what}, {_part} at offset {_partAt}";

    /// <summary>The absolute file offset of the next byte to read.</summary>
    public long Position { get; private set; }

    /// <summary>The absolute file offset just past the window.</summary>
    public readonly long End => _end;

    /// <summary>How many bytes of the window are left.</summary>
    public readonly long Remaining => _end - Position;

    public byte U8() => Take(1)[0];

    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>An unsigned field of 1, 2, 4 or 8 bytes, as the variable-width fields of version 2 structures are.</summary>
    public ulong Sized(int width) => width switch
    {
        1 => U8(),
        2 => U16(),
        4 => U32(),
        _ => U64(),
    };

    /// <summary>An unsigned little-endian field of any width from 1 to 8 bytes (v2 B-tree record counts are sized to fit).</summary>
    public ulong Unsigned(int width)
    {
        var bytes = Take(width is >= 1 and <= 8 ? width : throw new Hdf5FormatException($"{What}: a field of {width} bytes; expected 1 to 8"));
        ulong value = 0;
        for (int i = width - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    /// <summary>Skips <paramref name="count"/> bytes, which must lie inside the window.</summary>
    public void Skip(long count) => Take(count);

    /// <summary>The next <paramref name="count"/> bytes; never reaches past the window.</summary>
    public ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > _end - Position)
        {
            throw new Hdf5FormatException($"{What}: needs {count} bytes at offset {Position}, but only {Math.Max(0, _end - Position)} remain of the structure");
        }

        var span = new ReadOnlySpan<byte>(_data, (int)Position, (int)count);
        Position += count;
        return span;
    }

    /// <summary>True when the next bytes are the 4-character signature <paramref name="signature"/>; consumes nothing.</summary>
    public readonly bool StartsWith(string signature)
    {
        if (_end - Position < 4)
        {
            return false;
        }

        int p = (int)Position;
        return _data[p] == signature[0] && _data[p + 1] == signature[1] && _data[p + 2] == signature[2] && _data[p + 3] == signature[3];
    }

    /// <summary>True when the next bytes are the 4-character signature <paramref name="signature"/>; consumes them either way.</summary>
    public bool Signature(string signature)
    {
        var s = Take(4);
        return s[0] == signature[0] && s[1] == signature[1] && s[2] == signature[2] && s[3] == signature[3];
    }

    /// <summary>
    /// A cursor over the next <paramref name="count"/> bytes (which this cursor skips), described as
    /// <paramref name="part"/> of this structure; <paramref name="part"/> should be a constant, not built per call.
    /// </summary>
    public ByteCursor Slice(long count, string part)
    {
        long start = Position;
        Take(count);
        return new ByteCursor(_data, start, count, _what, part);
    }

    /// <summary>A cursor over <paramref name="length"/> bytes from <paramref name="start"/>, described as <paramref name="part"/> of <paramref name="what"/>.</summary>
    public static ByteCursor Part(byte[] data, long start, long length, string what, string part) => new(data, start, length, what, part);
}
