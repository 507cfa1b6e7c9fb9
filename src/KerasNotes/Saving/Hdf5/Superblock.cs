namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// The superblock (spec II.A), versions 0 and 1 (h5py's default) and 2 and 3 (our writer's), at offset 0 with
/// 8-byte offsets and lengths and a zero base address: the forms every Keras file has. All it yields is where the
/// root group's object header is.
/// </summary>
internal static class Superblock
{
    private static ReadOnlySpan<byte> Magic => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The offset of the root group's object header.</summary>
    public static long RootAddress(byte[] bytes)
    {
        const string what = "superblock";
        if (bytes.Length < 48 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new Hdf5FormatException(bytes.Length < 8 ? $"the file is {bytes.Length} bytes long, too short for an HDF5 superblock" : "the HDF5 signature is missing at offset 0 (wrong magic)");
        }

        var c = new ByteCursor(bytes, 8, bytes.Length - 8, what);
        byte version = c.U8();
        ulong root;
        if (version is 0 or 1)
        {
            c.Skip(4); // free space, root entry and shared header versions, reserved
            byte offsets = c.U8(), lengths = c.U8();
            CheckSizes(offsets, lengths);
            c.Skip(1 + 4 + 4 + (version == 1 ? 4 : 0)); // reserved, B-tree K values, flags, (v1) indexed storage K
            CheckBase(c.U64());
            c.Skip(24); // free space, end of file and driver information addresses
            c.U64(); // root entry: link name offset
            root = c.U64();
        }
        else if (version is 2 or 3)
        {
            byte offsets = c.U8(), lengths = c.U8();
            CheckSizes(offsets, lengths);
            c.U8(); // flags
            CheckBase(c.U64());
            c.Skip(16); // superblock extension and end of file addresses
            root = c.U64();
        }
        else
        {
            throw new Hdf5FormatException($"{what}: version {version} is not supported; expected 0 to 3");
        }

        if (root >= (ulong)bytes.Length)
        {
            throw new Hdf5FormatException($"{what}: the root group at offset {root} lies outside the {bytes.Length}-byte file");
        }

        return (long)root;
    }

    private static void CheckSizes(byte offsets, byte lengths)
    {
        if (offsets != 8 || lengths != 8)
        {
            throw new Hdf5FormatException($"superblock: offset/length sizes {offsets}/{lengths} are not 8/8");
        }
    }

    private static void CheckBase(ulong baseAddress)
    {
        if (baseAddress != 0)
        {
            throw new Hdf5FormatException($"superblock: base address {baseAddress} is not 0 (files with a user block are not supported)");
        }
    }
}
