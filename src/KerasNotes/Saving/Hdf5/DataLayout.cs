namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// A data layout message (spec IV.A.2.i), versions 3 and 4, for the two layouts Keras and our writer use:
/// compact (the bytes sit in the message) and contiguous (one extent of the file). Chunked storage (and with it
/// every chunk-size field a crafted file could inflate), virtual datasets (which map data from other files) and
/// the pre-1.8 versions 1 and 2 are refused.
/// </summary>
internal sealed class DataLayout
{
    private DataLayout(bool compact, long address, long size)
    {
        IsCompact = compact;
        Address = address;
        Size = size;
    }

    public bool IsCompact { get; }

    /// <summary>File offset of the data; -1 for a contiguous dataset whose storage was never allocated.</summary>
    public long Address { get; }

    /// <summary>Bytes of data stored.</summary>
    public long Size { get; }

    public static DataLayout Parse(ref ByteCursor c, long fileLength)
    {
        byte version = c.U8();
        if (version is not (3 or 4))
        {
            throw new Hdf5FormatException($"{c.What}: data layout message version {version} is not supported; expected 3 or 4 (HDF5 1.8 and later)");
        }

        byte cls = c.U8();
        switch (cls)
        {
            case 0:
                {
                    int size = c.U16();
                    long at = c.Position;
                    c.Skip(size);
                    return new DataLayout(true, at, size);
                }

            case 1:
                {
                    ulong address = c.U64(), size = c.U64();
                    if (address == ByteCursor.Undefined)
                    {
                        // Storage never allocated: only an empty dataset may be read from it (as zero elements).
                        return new DataLayout(false, -1, 0);
                    }

                    if (address > (ulong)fileLength || size > (ulong)fileLength - address)
                    {
                        throw new Hdf5FormatException($"{c.What}: contiguous data of {size} bytes at offset {address} lies outside the {fileLength}-byte file");
                    }

                    return new DataLayout(false, (long)address, (long)size);
                }

            case 2:
                throw new Hdf5FormatException($"{c.What}: chunked dataset storage is not supported; Keras writes contiguous datasets");
            case 3:
                throw new Hdf5FormatException($"{c.What}: virtual dataset layout refused: its data would be read from other files");
            default:
                throw new Hdf5FormatException($"{c.What}: data layout class {cls} is not compact (0) or contiguous (1)");
        }
    }
}
