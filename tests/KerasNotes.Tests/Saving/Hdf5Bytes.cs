using System.Buffers.Binary;
using System.Text;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Builds small HDF5 files byte by byte, for tests that need structures no honest writer produces (loops,
/// links to other files, absurd sizes). Addresses that are not known yet are written as a placeholder
/// (<see cref="Placeholder"/>) and filled in with <see cref="Resolve"/> once the target is written. Checksums
/// are left zero: the reader under test does not verify them.
/// </summary>
internal sealed class Hdf5Bytes
{
    private const ulong Undefined = ulong.MaxValue;
    private readonly List<byte> _b = [];

    /// <summary>The offset the next structure will be written at.</summary>
    public long Position => _b.Count;

    /// <summary>A distinctive 8-byte value standing for an address to be filled in later.</summary>
    public static ulong Placeholder(int n) => 0x5EED_0000_0000_0000UL + (ulong)n;

    /// <summary>Replaces every occurrence of placeholder <paramref name="n"/> with <paramref name="address"/>.</summary>
    public void Resolve(int n, long address)
    {
        var bytes = _b.ToArray();
        for (int i = 0; i + 8 <= bytes.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i, 8)) == Placeholder(n))
            {
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i, 8), (ulong)address);
            }
        }

        _b.Clear();
        _b.AddRange(bytes);
    }

    public byte[] ToArray() => [.. _b];

    /// <summary>Superblock version 2 (as our writer makes) whose root object header is <paramref name="root"/>.</summary>
    public void SuperblockV2(ulong root)
    {
        Magic();
        Bytes(2, 8, 8, 0);
        U64(0);
        U64(Undefined);
        U64(Placeholder(9999));
        U64(root);
        U32(0);
    }

    /// <summary>Superblock version 0 (as h5py makes) whose root symbol table entry names the header <paramref name="root"/>.</summary>
    public void SuperblockV0(ulong root)
    {
        Magic();
        Bytes(0, 0, 0, 0, 0, 8, 8, 0);
        U16(4);
        U16(16);
        U32(0);
        U64(0);
        U64(Undefined);
        U64(Placeholder(9999));
        U64(Undefined);
        U64(0);
        U64(root);
        U32(0);
        U32(0);
        Zeros(16);
    }

    /// <summary>Sets the end-of-file address in the superblock (placeholder 9999) to the current length.</summary>
    public byte[] Finish()
    {
        Resolve(9999, Position);
        return ToArray();
    }

    /// <summary>A version 2 object header (<c>OHDR</c>) holding <paramref name="messages"/>; returns its address.</summary>
    public long Ohdr(params (byte Type, byte[] Body)[] messages)
    {
        long at = Position;
        Bytes((byte)'O', (byte)'H', (byte)'D', (byte)'R', 2, 0x02);
        int size = 0;
        foreach (var (_, body) in messages)
        {
            size += 4 + body.Length;
        }

        U32((uint)size);
        foreach (var (type, body) in messages)
        {
            Bytes(type);
            U16((ushort)body.Length);
            Bytes(0);
            Bytes(body);
        }

        U32(0);
        return at;
    }

    /// <summary>A version 1 object header (h5py's default) holding <paramref name="messages"/>; returns its address.</summary>
    public long ObjectHeaderV1(params (ushort Type, byte[] Body)[] messages)
    {
        long at = Position;
        int size = 0;
        foreach (var (_, body) in messages)
        {
            size += 8 + Pad8(body.Length);
        }

        Bytes(1, 0);
        U16((ushort)messages.Length);
        U32(1);
        U32((uint)size);
        U32(0);
        foreach (var (type, body) in messages)
        {
            MessageV1(type, body);
        }

        return at;
    }

    /// <summary>One version 1 message (also what a version 1 continuation chunk is made of).</summary>
    public void MessageV1(ushort type, byte[] body)
    {
        U16(type);
        U16((ushort)Pad8(body.Length));
        U32(0);
        Bytes(body);
        Zeros(Pad8(body.Length) - body.Length);
    }

    /// <summary>A local heap holding <paramref name="names"/> (NUL-terminated, 8-byte aligned) and their offsets.</summary>
    public (long Address, ulong[] Offsets) LocalHeap(params string[] names)
    {
        var data = new List<byte>();
        var offsets = new ulong[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            offsets[i] = (ulong)data.Count;
            data.AddRange(Encoding.UTF8.GetBytes(names[i]));
            data.Add(0);
            while (data.Count % 8 != 0)
            {
                data.Add(0);
            }
        }

        long at = Position;
        Bytes((byte)'H', (byte)'E', (byte)'A', (byte)'P', 0, 0, 0, 0);
        U64((ulong)data.Count);
        U64(Undefined);
        U64((ulong)(at + 32));
        Bytes([.. data]);
        return (at, offsets);
    }

    /// <summary>A version 1 B-tree group node of <paramref name="level"/> whose children are <paramref name="children"/>.</summary>
    public long TreeNode(int level, params ulong[] children)
    {
        long at = Position;
        Bytes((byte)'T', (byte)'R', (byte)'E', (byte)'E', 0, (byte)level);
        U16((ushort)children.Length);
        U64(Undefined);
        U64(Undefined);
        foreach (ulong child in children)
        {
            U64(0);
            U64(child);
        }

        U64(0);
        return at;
    }

    /// <summary>A symbol table node whose entries name (heap offset, header address, cache type).</summary>
    public long SymbolNode(params (ulong NameOffset, ulong Header, uint CacheType)[] entries)
    {
        long at = Position;
        Bytes((byte)'S', (byte)'N', (byte)'O', (byte)'D', 1, 0);
        U16((ushort)entries.Length);
        foreach (var (name, header, cache) in entries)
        {
            U64(name);
            U64(header);
            U32(cache);
            U32(0);
            Zeros(16);
        }

        return at;
    }

    /// <summary>A global heap collection holding <paramref name="objects"/> as objects 1, 2, …; returns its address.</summary>
    public long GlobalHeap(params byte[][] objects)
    {
        long at = Position;
        long size = 16;
        foreach (var o in objects)
        {
            size += 16 + Pad8(o.Length);
        }

        size += 16; // the free-space object
        Bytes((byte)'G', (byte)'C', (byte)'O', (byte)'L', 1, 0, 0, 0);
        U64((ulong)size);
        for (int i = 0; i < objects.Length; i++)
        {
            U16((ushort)(i + 1));
            U16(1);
            U32(0);
            U64((ulong)objects[i].Length);
            Bytes(objects[i]);
            Zeros(Pad8(objects[i].Length) - objects[i].Length);
        }

        U16(0);
        U16(0);
        U32(0);
        U64(16);
        return at;
    }

    /// <summary>
    /// A fractal heap (as HDF5 keeps a group's dense links) whose root direct block of 512 bytes holds
    /// <paramref name="objects"/>; returns the heap's address and the 7-byte heap ID of each object.
    /// </summary>
    public (long Heap, byte[][] Ids) FractalHeap(params byte[][] objects)
    {
        long at = Position;
        Bytes((byte)'F', (byte)'R', (byte)'H', (byte)'P', 0);
        U16(7);
        U16(0);
        Bytes(0);
        U32(4096);
        U64(0);
        U64(Undefined);
        Zeros(8 * 10);
        U16(4);
        U64(512);
        U64(65536);
        U16(32);
        U16(1);
        U64((ulong)(at + 146));
        U16(0);
        U32(0);
        long block = Position;
        Bytes((byte)'F', (byte)'H', (byte)'D', (byte)'B', 0);
        U64((ulong)at);
        U32(0);
        var ids = new byte[objects.Length][];
        for (int i = 0; i < objects.Length; i++)
        {
            long offset = Position - block;
            ids[i] = [0, .. BitConverter.GetBytes((uint)offset), .. BitConverter.GetBytes((ushort)objects[i].Length)];
            Bytes(objects[i]);
        }

        Zeros((int)(512 - (Position - block)));
        return (at, ids);
    }

    /// <summary>A version 2 B-tree header of <paramref name="depth"/> with 512-byte nodes whose root is at <paramref name="root"/>.</summary>
    public long BTreeV2Header(int type, int recordSize, int depth, ulong root, int rootRecords, ulong total)
    {
        long at = Position;
        Bytes((byte)'B', (byte)'T', (byte)'H', (byte)'D', 0, (byte)type);
        U32(512);
        U16((ushort)recordSize);
        U16((ushort)depth);
        Bytes(100, 40);
        U64(root);
        U16((ushort)rootRecords);
        U64(total);
        U32(0);
        return at;
    }

    /// <summary>A version 2 B-tree node of 512 bytes: a leaf, or an internal node when <paramref name="children"/> are given.</summary>
    public long BTreeV2Node(int type, byte[][] records, params (ulong Address, byte Records)[] children)
    {
        long at = Position;
        Bytes((byte)'B', (byte)'T', (byte)(children.Length == 0 ? 'L' : 'I'), (byte)(children.Length == 0 ? 'F' : 'N'), 0, (byte)type);
        foreach (var r in records)
        {
            Bytes(r);
        }

        foreach (var (address, count) in children)
        {
            U64(address);
            Bytes(count);
        }

        Zeros((int)(512 - (Position - at)));
        return at;
    }

    /// <summary>Raw bytes (float data, say) at the current position; returns their address.</summary>
    public long Data(byte[] data)
    {
        long at = Position;
        Bytes(data);
        return at;
    }

    public void Bytes(params byte[] bytes) => _b.AddRange(bytes);

    public void Zeros(int count) => _b.AddRange(new byte[count]);

    public void U16(ushort v) => Bytes((byte)v, (byte)(v >> 8));

    public void U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        Bytes(b);
    }

    public void U64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        Bytes(b);
    }

    private void Magic() => Bytes(0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A);

    private static int Pad8(int n) => (n + 7) & ~7;
}

/// <summary>Bodies of the object header messages the hostile-file tests assemble.</summary>
internal static class Hdf5Messages
{
    public const byte Dataspace = 0x01, LinkInfo = 0x02, Datatype = 0x03, Layout = 0x08, External = 0x07, Link = 0x06;
    public const byte FilterPipeline = 0x0B, AttributeMessage = 0x0C, Continuation = 0x10, SymbolTable = 0x11, AttributeInfo = 0x15;

    public static byte[] Simple(params ulong[] dims)
    {
        var b = new List<byte> { 2, (byte)dims.Length, 0, 1 };
        foreach (ulong d in dims)
        {
            b.AddRange(BitConverter.GetBytes(d));
        }

        return [.. b];
    }

    public static byte[] Scalar => [2, 0, 0, 0];

    public static byte[] Float32 => [0x11, 0x20, 0x1F, 0x00, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0];

    public static byte[] UInt8 => [0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0];

    /// <summary>A variable-length string datatype (base: unsigned bytes).</summary>
    public static byte[] VlenString => [0x19, 0x01, 0, 0, 16, 0, 0, 0, .. UInt8];

    public static byte[] Contiguous(ulong address, ulong size) => [3, 1, .. U64(address), .. U64(size)];

    public static byte[] Chunked(params uint[] dims)
    {
        var b = new List<byte> { 3, 2, (byte)dims.Length };
        b.AddRange(U64(ulong.MaxValue));
        foreach (uint d in dims)
        {
            b.AddRange(BitConverter.GetBytes(d));
        }

        return [.. b];
    }

    public static byte[] Virtual(ulong heap) => [4, 3, .. U64(heap), 0, 0, 0, 0];

    /// <summary>An External Data Files message naming heap offset 0 of <paramref name="heap"/> as the file to read.</summary>
    public static byte[] ExternalFiles(ulong heap, ulong size) => [1, 0, 0, 0, 1, 0, 1, 0, .. U64(heap), .. U64(0), .. U64(0), .. U64(size)];

    public static byte[] HardLink(string name, ulong address) => [1, 0, (byte)name.Length, .. Encoding.ASCII.GetBytes(name), .. U64(address)];

    public static byte[] SoftLink(string name, string target) =>
        [1, 0x08, 1, (byte)name.Length, .. Encoding.ASCII.GetBytes(name), (byte)target.Length, 0, .. Encoding.ASCII.GetBytes(target)];

    public static byte[] ExternalLink(string name, string file, string path)
    {
        byte[] info = [0, .. Encoding.ASCII.GetBytes(file), 0, .. Encoding.ASCII.GetBytes(path), 0];
        return [1, 0x08, 64, (byte)name.Length, .. Encoding.ASCII.GetBytes(name), (byte)info.Length, 0, .. info];
    }

    public static byte[] Continue(ulong address, ulong length) => [.. U64(address), .. U64(length)];

    public static byte[] Symbols(ulong btree, ulong heap) => [.. U64(btree), .. U64(heap)];

    /// <summary>A link info message pointing at dense storage: a fractal heap and its name index.</summary>
    public static byte[] DenseLinkInfo(ulong heap, ulong nameIndex) => [0, 0, .. U64(heap), .. U64(nameIndex)];

    /// <summary>An attribute info message pointing at dense storage: a fractal heap and its name index.</summary>
    public static byte[] DenseAttributeInfo(ulong heap, ulong nameIndex) => [0, 0, .. U64(heap), .. U64(nameIndex), .. U64(ulong.MaxValue)];

    /// <summary>A name index record (v2 B-tree type 5): a name hash (unused by the reader), then the heap ID.</summary>
    public static byte[] NameRecord(byte[] heapId) => [0, 0, 0, 0, .. heapId];

    /// <summary>An attribute message (version 3) named <paramref name="name"/> with the given type, space and raw data.</summary>
    public static byte[] Attr(string name, byte[] type, byte[] space, byte[] data)
    {
        var b = new List<byte> { 3, 0 };
        b.AddRange(BitConverter.GetBytes((ushort)(name.Length + 1)));
        b.AddRange(BitConverter.GetBytes((ushort)type.Length));
        b.AddRange(BitConverter.GetBytes((ushort)space.Length));
        b.Add(0);
        b.AddRange(Encoding.ASCII.GetBytes(name));
        b.Add(0);
        b.AddRange(type);
        b.AddRange(space);
        b.AddRange(data);
        return [.. b];
    }

    /// <summary>One variable-length element: length, global heap collection address, object index.</summary>
    public static byte[] VlenElement(uint length, ulong heap, uint index) => [.. BitConverter.GetBytes(length), .. U64(heap), .. BitConverter.GetBytes(index)];

    public static byte[] U64(ulong v) => BitConverter.GetBytes(v);
}
