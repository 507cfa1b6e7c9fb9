namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// A fractal heap (spec III.G) as HDF5 uses it for a group's dense link storage: link messages stored as
/// "managed" objects in direct blocks, reached from a root direct block or from one root indirect block. Nested
/// indirect blocks (a group of many thousands of links), filtered heaps and "huge" objects (stored outside the
/// blocks) are refused. An object is found by arithmetic on its heap ID, never by a search, and is accepted only
/// when it lies inside its block and the block inside the file.
/// </summary>
internal sealed class FractalHeap
{
    private readonly Hdf5File _file;
    private readonly string _what;
    private readonly int _idLength;
    private readonly int _offsetBytes;
    private readonly int _width;
    private readonly long _startBlock;
    private readonly int _rows;
    private readonly long _root;
    private readonly long[] _blocks; // direct block addresses of the root indirect block, row by row; empty for a direct root
    private readonly int _blockPrefix;

    private FractalHeap(Hdf5File file, string what, int idLength, int offsetBytes, int width, long startBlock, int rows, long root, long[] blocks, int blockPrefix)
    {
        _file = file;
        _what = what;
        _idLength = idLength;
        _offsetBytes = offsetBytes;
        _width = width;
        _startBlock = startBlock;
        _rows = rows;
        _root = root;
        _blocks = blocks;
        _blockPrefix = blockPrefix;
    }

    /// <summary>Bytes in a heap ID (what a B-tree record stores to name an object).</summary>
    public int IdLength => _idLength;

    public static FractalHeap Read(Hdf5File file, long address)
    {
        string what = $"fractal heap at offset {address}";
        var c = new ByteCursor(file.Bytes, Math.Min(address, file.Length), Math.Max(0, file.Length - address), what);
        if (!c.StartsWith("FRHP"))
        {
            throw new Hdf5FormatException($"{what}: expected the signature FRHP");
        }

        c.Skip(4);
        byte version = c.U8();
        int idLength = c.U16(), filterLength = c.U16();
        byte flags = c.U8();
        c.Skip(4 + (8 * 12)); // max managed object size, huge-object bookkeeping, space and object counts
        int width = c.U16();
        ulong startBlock = c.U64(), maxDirect = c.U64();
        int maxHeapBits = c.U16();
        c.U16(); // starting rows of the root indirect block
        ulong root = c.U64();
        int rows = c.U16();
        if (version != 0 || filterLength != 0)
        {
            throw new Hdf5FormatException($"{what}: version {version} with {filterLength} bytes of filters; expected version 0 without filters");
        }

        bool powers = width > 0 && (width & (width - 1)) == 0 && startBlock >= 64 && (startBlock & (startBlock - 1)) == 0 &&
            maxDirect >= startBlock && (maxDirect & (maxDirect - 1)) == 0 && maxDirect <= (1UL << 32);
        int offsetBytes = (maxHeapBits + 7) / 8;
        if (!powers || maxHeapBits is < 8 or > 64 || idLength < 2 + offsetBytes || idLength > 1 + offsetBytes + 8)
        {
            throw new Hdf5FormatException($"{what}: doubling table (width {width}, blocks {startBlock} to {maxDirect} bytes, {maxHeapBits}-bit offsets, {idLength}-byte IDs) is malformed");
        }

        if (root >= (ulong)file.Length)
        {
            throw new Hdf5FormatException($"{what}: root block at offset {root} lies outside the {file.Length}-byte file");
        }

        file.Charge(146, what);

        // A direct block starts with its signature, version, heap address, block offset and (when the heap says
        // so) a checksum; objects' heap offsets count from the block's first byte.
        int blockPrefix = 4 + 1 + 8 + offsetBytes + ((flags & 0x02) != 0 ? 4 : 0);
        int maxDirectRows = System.Numerics.BitOperations.Log2(maxDirect) - System.Numerics.BitOperations.Log2(startBlock) + 2;
        if (rows == 0)
        {
            return new FractalHeap(file, what, idLength, offsetBytes, width, (long)startBlock, 0, (long)root, [], blockPrefix);
        }

        if (rows > maxDirectRows)
        {
            throw new Hdf5FormatException($"{what}: {rows} rows need nested indirect blocks (more than {maxDirectRows} rows of direct blocks), which are not supported");
        }

        string blockWhat = $"fractal heap indirect block at offset {root}";
        var b = new ByteCursor(file.Bytes, (long)root, file.Length - (long)root, blockWhat);
        if (!b.StartsWith("FHIB"))
        {
            throw new Hdf5FormatException($"{blockWhat}: expected the signature FHIB");
        }

        b.Skip(4 + 1 + 8 + offsetBytes);
        long count = (long)rows * width;
        if (count * 8 > b.Remaining)
        {
            throw new Hdf5FormatException($"{blockWhat}: {count} block addresses do not fit in the file");
        }

        file.Charge(count * 8, blockWhat);
        var blocks = new long[count];
        for (int i = 0; i < count; i++)
        {
            ulong child = b.U64();
            blocks[i] = child == ByteCursor.Undefined ? -1 : child < (ulong)file.Length ? (long)child : throw new Hdf5FormatException($"{blockWhat}: direct block {i} at offset {child} lies outside the {file.Length}-byte file");
        }

        return new FractalHeap(file, what, idLength, offsetBytes, width, (long)startBlock, rows, (long)root, blocks, blockPrefix);
    }

    /// <summary>The bytes of the managed object a heap ID names.</summary>
    public ByteCursor Object(ReadOnlySpan<byte> id)
    {
        int kind = (id[0] >> 4) & 0x03;
        if ((id[0] & 0xC0) != 0 || kind != 0)
        {
            throw new Hdf5FormatException($"{_what}: heap ID of version {id[0] >> 6}, type {kind}; only managed objects (type 0) are supported");
        }

        ulong offset = 0, length = 0;
        for (int i = _offsetBytes; i >= 1; i--)
        {
            offset = (offset << 8) | id[i];
        }

        for (int i = _idLength - 1; i > _offsetBytes; i--)
        {
            length = (length << 8) | id[i];
        }

        var (blockAddress, blockOffset, blockSize) = Block(offset);
        if (offset - blockOffset < (ulong)_blockPrefix || length > blockSize - (offset - blockOffset))
        {
            throw new Hdf5FormatException($"{_what}: object of {length} bytes at heap offset {offset} does not lie inside its {blockSize}-byte block");
        }

        _file.Charge((long)length, _what);
        var c = new ByteCursor(_file.Bytes, blockAddress, Math.Max(0, _file.Length - blockAddress), _what);
        if (!c.StartsWith("FHDB"))
        {
            throw new Hdf5FormatException($"{_what}: the direct block at offset {blockAddress} lacks the signature FHDB");
        }

        return ByteCursor.Part(_file.Bytes, blockAddress + (long)(offset - blockOffset), (long)length, _what, "heap object");
    }

    // The direct block holding heap offset `offset`: row 0 and row 1 hold blocks of the starting size, each later
    // row blocks twice the size of the row before, `width` blocks to a row.
    private (long Address, ulong Offset, ulong Size) Block(ulong offset)
    {
        if (_rows == 0)
        {
            if (offset >= (ulong)_startBlock)
            {
                throw new Hdf5FormatException($"{_what}: heap offset {offset} lies beyond the {_startBlock}-byte root block");
            }

            return (_root, 0, (ulong)_startBlock);
        }

        ulong rowStart = 0;
        for (int row = 0; row < _rows; row++)
        {
            ulong size = row <= 1 ? (ulong)_startBlock : (ulong)_startBlock << (row - 1);
            ulong rowSize = size * (ulong)_width;
            if (offset < rowStart + rowSize)
            {
                ulong column = (offset - rowStart) / size;
                long address = _blocks[(row * _width) + (int)column];
                if (address < 0)
                {
                    throw new Hdf5FormatException($"{_what}: heap offset {offset} falls in a block that was never allocated");
                }

                return (address, rowStart + (column * size), size);
            }

            rowStart += rowSize;
        }

        throw new Hdf5FormatException($"{_what}: heap offset {offset} lies beyond the heap's {_rows} rows of blocks");
    }
}
