using System.Buffers.Binary;

namespace KerasNotes.Saving;

/// <summary>
/// Cheap checks on the raw bytes of an HDF5 file before the HDF5 reader sees them. They reject length fields
/// that would make the reader allocate far more than the file holds (global heap collections and objects,
/// local heap data segments, attribute and fill-value messages in object headers), which is how a small crafted
/// file could otherwise cost gigabytes of memory.
/// </summary>
internal static class Hdf5Precheck
{
    private static ReadOnlySpan<byte> Magic => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Returns why the bytes are not an HDF5 file we accept, or null when they pass.</summary>
    public static string? Check(ReadOnlySpan<byte> d)
    {
        try
        {
            return CheckCore(d);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Every read above is bounds-checked by the span; a structure that points outside it is malformed.
            return "a structure points outside the file";
        }
    }

    private static string? CheckCore(ReadOnlySpan<byte> d)
    {
        long n = d.Length;
        if (n < 96)
        {
            return $"the file is {n} bytes long, too short for an HDF5 superblock";
        }

        if (!d[..8].SequenceEqual(Magic))
        {
            return "the HDF5 signature is missing at offset 0 (wrong magic)";
        }

        byte version = d[8];
        if (version is 0 or 1)
        {
            if (d[13] != 8 || d[14] != 8)
            {
                return $"offset/length sizes {d[13]}/{d[14]} are not 8/8";
            }
        }
        else if (version is 2 or 3)
        {
            if (d[9] != 8 || d[10] != 8)
            {
                return $"offset/length sizes {d[9]}/{d[10]} are not 8/8";
            }
        }
        else
        {
            return $"superblock version {version} is not supported";
        }

        if (version is 2 or 3)
        {
            string? why = CheckTarget(d, (long)U64(d, 36));
            if (why is not null)
            {
                return why;
            }
        }

        if (version is 0 or 1)
        {
            string? why = CheckObjectHeaderV1(d, (long)U64(d, 64), 0);
            if (why is not null)
            {
                return why;
            }
        }

        for (int i = 0; i + 32 <= n; i++)
        {
            byte b = d[i];
            if (b == (byte)'S' && Sig(d, i, "SNOD") && d[i + 4] == 1)
            {
                int entries = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(i + 6, 2));
                for (int k = 0; k < entries && i + 8 + ((k + 1) * 40) <= n; k++)
                {
                    string? why = CheckObjectHeaderV1(d, (long)U64(d, i + 8 + (k * 40) + 8), 0);
                    if (why is not null)
                    {
                        return why;
                    }
                }

                continue;
            }

            if (b == (byte)'G' && Sig(d, i, "GCOL") && d[i + 4] == 1)
            {
                string? why = CheckGlobalHeap(d, i);
                if (why is not null)
                {
                    return why;
                }
            }
            else if (b == (byte)'H' && Sig(d, i, "HEAP") && d[i + 4] == 0)
            {
                ulong seg = U64(d, i + 8), addr = U64(d, i + 24);
                if (seg > (ulong)n || addr > (ulong)n || addr + seg > (ulong)n)
                {
                    return $"local heap at {i}: data segment of {seg} bytes at {addr} lies outside the {n}-byte file";
                }
            }
            else if (b == (byte)'O' && Sig(d, i, "OHDR") && d[i + 4] == 2)
            {
                string? why = CheckObjectHeaderV2(d, i);
                if (why is not null)
                {
                    return why;
                }
            }
        }

        return null;
    }

    private static string? CheckGlobalHeap(ReadOnlySpan<byte> d, int i)
    {
        long n = d.Length;
        ulong size = U64(d, i + 8);
        if (size < 4096 || size > (ulong)(n - i))
        {
            return $"global heap at {i}: collection size {size} lies outside the {n}-byte file";
        }

        long pos = i + 16, end = i + (long)size;
        while (pos + 16 <= end)
        {
            if (BinaryPrimitives.ReadUInt16LittleEndian(d.Slice((int)pos, 2)) == 0)
            {
                break;
            }

            ulong objectSize = U64(d, (int)pos + 8);
            if (objectSize > (ulong)(end - pos - 16))
            {
                return $"global heap at {i}: object at {pos} claims {objectSize} bytes, more than its collection holds";
            }

            pos += 16 + (long)((objectSize + 7) & ~7UL);
        }

        return null;
    }

    // Version 2 object headers (written by PureHDF and HDF5 ≥ 1.10 with libver latest): walk the messages of the
    // first chunk and check that attribute data and fill values fit inside their message.
    private static string? CheckObjectHeaderV2(ReadOnlySpan<byte> d, int start)
    {
        int p = start + 5;
        byte flags = d[p++];
        if ((flags & 0x20) != 0)
        {
            p += 16;
        }

        if ((flags & 0x10) != 0)
        {
            p += 4;
        }

        int sizeBytes = 1 << (flags & 0x03);
        if (p + sizeBytes > d.Length)
        {
            return null;
        }

        ulong chunk = sizeBytes switch
        {
            1 => d[p],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(p, 2)),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(p, 4)),
            _ => U64(d, p),
        };
        p += sizeBytes;
        if (chunk > (ulong)(d.Length - p))
        {
            return $"object header at {start}: first chunk of {chunk} bytes lies outside the file";
        }

        int end = p + (int)chunk; // the checksum follows the chunk
        bool creationOrder = (flags & 0x04) != 0;
        while (p + 4 <= end)
        {
            byte type = d[p];
            int size = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(p + 1, 2));
            int body = p + 4 + (creationOrder ? 2 : 0);
            if (body + size > end)
            {
                return $"object header at {start}: message of {size} bytes overruns its chunk";
            }

            string? why = type switch
            {
                0x0C => CheckAttribute(d.Slice(body, size), start),
                0x05 => CheckFillValue(d.Slice(body, size), start),
                0x04 => CheckOldFillValue(d.Slice(body, size), start),
                0x08 => CheckLayout(d.Slice(body, size), start),
                0x06 => CheckLink(d, d.Slice(body, size), start),
                _ => null,
            };
            if (why is not null)
            {
                return why;
            }

            p = body + size;
        }

        return null;
    }

    // Version 1 object headers (h5py's default): no signature, reached from the root entry and symbol-table nodes.
    private static string? CheckObjectHeaderV1(ReadOnlySpan<byte> d, long address, int depth)
    {
        if (address <= 0 || address + 16 > d.Length || d[(int)address] != 1 || depth > 4)
        {
            return null;
        }

        int start = (int)address;
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(start + 8, 4));
        return CheckMessagesV1(d, start + 16, headerSize, start, depth);
    }

    private static string? CheckMessagesV1(ReadOnlySpan<byte> d, long p, ulong length, int owner, int depth)
    {
        if (p < 0 || p > d.Length || length > (ulong)(d.Length - p))
        {
            return $"object header at {owner}: {length} bytes of messages lie outside the file";
        }

        long end = p + (long)length;
        int guard = 0;
        while (p + 8 <= end && guard++ < 4096)
        {
            int type = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice((int)p, 2));
            int size = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice((int)p + 2, 2));
            long body = p + 8;
            if (body + size > end)
            {
                return $"object header at {owner}: message of {size} bytes overruns its header";
            }

            var m = d.Slice((int)body, size);
            string? why = type switch
            {
                0x0C => CheckAttribute(m, owner),
                0x05 => CheckFillValue(m, owner),
                0x04 => CheckOldFillValue(m, owner),
                0x08 => CheckLayout(m, owner),
                0x10 when size >= 16 && depth < 4 => CheckMessagesV1(d, (long)U64(m, 0), U64(m, 8), owner, depth + 1),
                _ => null,
            };
            if (why is not null)
            {
                return why;
            }

            p = body + size;
        }

        return null;
    }

    /// <summary>A link message: the link name must fit inside the message, and a hard link's target must pass too.</summary>
    private static string? CheckLink(ReadOnlySpan<byte> d, ReadOnlySpan<byte> m, int owner)
    {
        if (m.Length < 2)
        {
            return $"object header at {owner}: link message of {m.Length} bytes is too short";
        }

        byte flags = m[1];
        int p = 2 + ((flags & 0x08) != 0 ? 1 : 0) + ((flags & 0x04) != 0 ? 8 : 0) + ((flags & 0x10) != 0 ? 1 : 0);
        int width = 1 << (flags & 0x03);
        if (p + width > m.Length)
        {
            return $"object header at {owner}: link message layout does not fit its {m.Length} bytes";
        }

        ulong length = width switch
        {
            1 => m[p],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(m.Slice(p, 2)),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(m.Slice(p, 4)),
            _ => U64(m, p),
        };
        if (length > (ulong)(m.Length - p - width))
        {
            return $"object header at {owner}: link name claims {length} bytes, more than its message holds";
        }

        // A hard link (type 0) ends with the address of the object it names: whatever sits there is decoded as
        // an object header, so it must pass the same checks.
        int target = p + width + (int)length;
        bool hard = (flags & 0x08) == 0 || m[2] == 0;
        return hard && target + 8 <= m.Length ? CheckTarget(d, (long)U64(m, target)) : null;
    }

    /// <summary>An address the reader will decode as an object header: a v2 header (checked by the scan) or a v1 one.</summary>
    private static string? CheckTarget(ReadOnlySpan<byte> d, long address)
    {
        if (address < 0 || address + 4 > d.Length)
        {
            return null; // the reader fails cleanly on an address outside the file
        }

        return Sig(d, (int)address, "OHDR") ? null : CheckObjectHeaderV1(d, address, 0);
    }

    /// <summary>A version 1/2 data layout message: compact data must fit inside the message.</summary>
    private static string? CheckLayout(ReadOnlySpan<byte> m, int owner)
    {
        if (m.Length < 1 || m[0] is not (1 or 2))
        {
            return null; // versions 3 and 4 carry at most 64 KiB of compact data by construction
        }

        if (m.Length < 8)
        {
            return $"object header at {owner}: data layout message of {m.Length} bytes is too short for its fields";
        }

        int dims = m[1], layoutClass = m[2];
        long p = 8 + (layoutClass != 0 ? 8 : 0) + (dims * 4L) + (layoutClass == 2 ? 4 : 0);
        if (layoutClass != 0)
        {
            return p > m.Length ? $"object header at {owner}: data layout message of {m.Length} bytes is too short for {dims} dimensions" : null;
        }

        if (p + 4 > m.Length)
        {
            return $"object header at {owner}: data layout message of {m.Length} bytes is too short for {dims} dimensions";
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(m.Slice((int)p, 4));
        return size > m.Length - p - 4 ? $"object header at {owner}: compact data claims {size} bytes, more than its message holds" : null;
    }

    /// <summary>An old fill-value message: a size, then that many bytes.</summary>
    private static string? CheckOldFillValue(ReadOnlySpan<byte> m, int owner)
    {
        if (m.Length < 4)
        {
            return $"object header at {owner}: fill value message of {m.Length} bytes is too short for its size field";
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(m[..4]);
        return size > (uint)(m.Length - 4) ? $"object header at {owner}: fill value claims {size} bytes, more than its message holds" : null;
    }

    /// <summary>A fill-value message: the value it carries must fit inside the message.</summary>
    private static string? CheckFillValue(ReadOnlySpan<byte> m, int owner)
    {
        string tooShort = $"object header at {owner}: fill value message of {m.Length} bytes is too short for its fields";
        if (m.Length < 2)
        {
            return tooShort;
        }

        byte version = m[0];
        int at;
        if (version is 1 or 2)
        {
            if (m.Length < 4)
            {
                return tooShort;
            }

            if (version == 2 && m[3] == 0)
            {
                return null;
            }

            at = 4;
        }
        else if (version == 3)
        {
            if ((m[1] & 0x20) == 0)
            {
                return null;
            }

            at = 2;
        }
        else
        {
            return null;
        }

        if (at + 4 > m.Length)
        {
            return tooShort;
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(m.Slice(at, 4));
        return size > (uint)(m.Length - at - 4) ? $"object header at {owner}: fill value claims {size} bytes, more than its message holds" : null;
    }

    /// <summary>An attribute message: its data (dims × element size) must fit inside the message.</summary>
    internal static string? CheckAttribute(ReadOnlySpan<byte> m, int owner)
    {
        if (m.Length < 8)
        {
            return $"object header at {owner}: attribute message of {m.Length} bytes is too short for its fields";
        }

        byte version = m[0];
        int nameSize = BinaryPrimitives.ReadUInt16LittleEndian(m.Slice(2, 2));
        int typeSize = BinaryPrimitives.ReadUInt16LittleEndian(m.Slice(4, 2));
        int spaceSize = BinaryPrimitives.ReadUInt16LittleEndian(m.Slice(6, 2));
        int p = version == 3 ? 9 : 8;
        static int Pad(int x, int version) => version == 1 ? (x + 7) & ~7 : x;
        int typeAt = p + Pad(nameSize, version);
        int spaceAt = typeAt + Pad(typeSize, version);
        int dataAt = spaceAt + Pad(spaceSize, version);
        if (typeAt + 8 > m.Length || spaceAt + 8 > m.Length || dataAt > m.Length)
        {
            return $"object header at {owner}: attribute message layout does not fit its {m.Length} bytes";
        }

        ulong elementSize = BinaryPrimitives.ReadUInt32LittleEndian(m.Slice(typeAt + 4, 4));
        byte typeClass = (byte)(m[typeAt] & 0x0F);
        if (typeClass == 9 && elementSize != 16)
        {
            return $"object header at {owner}: variable-length attribute elements of {elementSize} bytes (expected 16)";
        }

        ulong count = DataspaceCount(m[spaceAt..], out bool ok);
        if (!ok)
        {
            return $"object header at {owner}: attribute dataspace is malformed";
        }

        ulong bytes = count * elementSize;
        if (count != 0 && (bytes / count != elementSize || bytes > (ulong)(m.Length - dataAt)))
        {
            return $"object header at {owner}: attribute claims {count} elements of {elementSize} bytes, more than its {m.Length}-byte message holds";
        }

        return null;
    }

    private static ulong DataspaceCount(ReadOnlySpan<byte> s, out bool ok)
    {
        ok = false;
        byte version = s[0];
        byte rank = s[1];
        byte flags = s[2];
        int p;
        if (version == 1)
        {
            p = 8;
        }
        else if (version == 2)
        {
            if (s[3] == 2)
            {
                ok = true;
                return 0; // null dataspace
            }

            p = 4;
        }
        else
        {
            return 0;
        }

        if (rank > 32 || p + (rank * 8) > s.Length)
        {
            return 0;
        }

        ulong count = 1;
        for (int i = 0; i < rank; i++)
        {
            ulong dim = U64(s, p + (i * 8));
            if (dim != 0 && count > ulong.MaxValue / dim)
            {
                return 0;
            }

            count *= dim;
        }

        _ = flags;
        ok = true;
        return count;
    }

    private static ulong U64(ReadOnlySpan<byte> d, int p) => BinaryPrimitives.ReadUInt64LittleEndian(d.Slice(p, 8));

    private static bool Sig(ReadOnlySpan<byte> d, int i, string s) => d[i] == s[0] && d[i + 1] == s[1] && d[i + 2] == s[2] && d[i + 3] == s[3];
}
