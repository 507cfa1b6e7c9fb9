using System.Buffers.Binary;
using System.Text;

namespace KerasNotes.Tests.Saving.Fuzzing;

/// <summary>
/// Mutates the structures of an HDF5 file rather than its bytes at random: it locates the signed structures
/// (<c>OHDR</c>, <c>TREE</c>, <c>SNOD</c>, …), the version 1 object headers reached from the superblock and from
/// symbol table nodes, their messages (following continuations), and every 8-byte field that holds the address
/// of one of those structures. It then does what an attacker would: points an address at its own structure, at
/// a structure that points at it, at the root, at another structure, at a random offset or past the end; turns a
/// message into another kind (external data files, a continuation, a link); switches a link to soft or external,
/// a layout to virtual or chunked; sets sizes, counts and dimensions to zero or to huge values; and makes
/// continuations share or loop. Byte-level mutation almost never produces such a file with its surroundings intact.
/// </summary>
internal sealed class Hdf5StructureMutator : IMutator
{
    private static readonly string[] s_signatures = ["OHDR", "OCHK", "TREE", "SNOD", "HEAP", "GCOL", "FRHP", "FHDB", "FHIB", "BTHD", "BTLF", "BTIN"];

    // The message types worth turning a message into: those that name other files or storage, change what an
    // object is, or chain to more of the header.
    private static readonly int[] s_messageTypes = [0x01, 0x02, 0x03, 0x06, 0x07, 0x08, 0x0B, 0x0C, 0x10, 0x11, 0x15, 0x0A, 0x0E, 0xFF];

    public string Name => "hdf5-structure";

    /// <summary>One message of an object header: where its type, size and body lie.</summary>
    private readonly record struct Message(int Header, int TypeAt, int TypeWidth, int SizeAt, int BodyAt, int BodySize, int Type);

    /// <summary>What the scan found.</summary>
    private sealed class Layout
    {
        public int Root = -1;
        public int RootSlot = -1;
        public readonly SortedSet<int> Structures = [];
        public readonly List<(int At, string Signature)> Signed = [];
        public readonly List<int> HeadersV1 = [];
        public readonly List<Message> Messages = [];
        public readonly List<(int Slot, int Target)> Pointers = [];

        /// <summary>Hard-link messages kept as fractal heap objects (dense link storage): where each starts and ends.</summary>
        public readonly List<(int Start, int End)> HeapLinks = [];
    }

    public Mutant Mutate(byte[] source, System.Random rng)
    {
        var b = source.ToArray();
        var layout = Scan(b);
        // Try the chosen kind of mutation; when the file holds nothing it applies to, try another kind.
        for (int attempt = 0; attempt < 8; attempt++)
        {
            string? done = rng.Next(9) switch
            {
                0 or 1 => RetargetPointer(b, layout, rng),
                2 => PatchMessageType(b, layout, rng),
                3 or 4 => PatchMessageBody(b, layout, rng),
                5 => PatchMessageSize(b, layout, rng),
                6 => PatchStructureField(b, layout, rng),
                7 => ShareContinuation(b, layout, rng),
                _ => SwapSignature(b, layout, rng),
            };
            if (done is not null)
            {
                return new Mutant(b, done);
            }
        }

        return new Mutant(b, "nothing HDF5-shaped to mutate");
    }

    private static Layout Scan(byte[] b)
    {
        var layout = new Layout();
        for (int i = 0; i + 4 <= b.Length; i++)
        {
            foreach (string s in s_signatures)
            {
                if (b[i] == s[0] && b[i + 1] == s[1] && b[i + 2] == s[2] && b[i + 3] == s[3])
                {
                    layout.Signed.Add((i, s));
                    layout.Structures.Add(i);
                }
            }
        }

        // The superblock names the root: version 0/1 in the root symbol table entry, version 2/3 directly.
        if (b.Length >= 72 && b.AsSpan(0, 8).SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            layout.RootSlot = b[8] <= 1 ? 64 : 36;
            layout.Root = Address(b, layout.RootSlot);
        }

        var pending = new Queue<int>();
        var seen = new HashSet<int>();
        if (layout.Root >= 0)
        {
            pending.Enqueue(layout.Root);
        }

        foreach (var (at, sig) in layout.Signed)
        {
            if (sig == "SNOD")
            {
                int count = U16(b, at + 6);
                for (int e = 0; e < Math.Min(count, 256) && at + 8 + (e * 40) + 40 <= b.Length; e++)
                {
                    int header = Address(b, at + 8 + (e * 40) + 8);
                    if (header >= 0)
                    {
                        pending.Enqueue(header);
                    }
                }
            }
            else if (sig == "OHDR")
            {
                pending.Enqueue(at);
            }
        }

        while (pending.Count > 0 && seen.Count < 4096)
        {
            int h = pending.Dequeue();
            if (seen.Add(h))
            {
                ScanHeader(b, h, layout);
            }
        }

        foreach (var h in layout.HeadersV1)
        {
            layout.Structures.Add(h);
        }

        // Any 8-byte field holding the address of a known structure is a pointer worth retargeting.
        for (int i = 0; i + 8 <= b.Length; i++)
        {
            int target = Address(b, i);
            if (target > 0 && layout.Structures.Contains(target))
            {
                layout.Pointers.Add((i, target));
            }
        }

        FindHeapLinks(b, layout);
        return layout;
    }

    // A group with dense link storage (our writer's groups) keeps its link messages in fractal heap blocks, with
    // no message header around them: find each hard link backwards from its address (a pointer inside an FHDB
    // block) — a version byte 1, flags, the optional fields the flags announce, a 1-byte name length, the name.
    private static void FindHeapLinks(byte[] b, Layout layout)
    {
        var blocks = layout.Signed.Where(s => s.Signature == "FHDB").Select(s => s.At).ToHashSet();
        foreach (var (slot, _) in layout.Pointers)
        {
            if (!blocks.Contains(Container(layout, slot)))
            {
                continue;
            }

            for (int n = 1; n <= 64 && slot - n - 3 >= 0; n++)
            {
                if (b[slot - n - 1] != n || !b.AsSpan(slot - n, n).ToArray().All(c => c is >= 0x20 and < 0x7F))
                {
                    continue;
                }

                foreach (int extra in (int[])[0, 1, 8, 9, 10, 11])
                {
                    int start = slot - n - 1 - extra - 2;
                    if (start < 0 || b[start] != 1)
                    {
                        continue;
                    }

                    int flags = b[start + 1];
                    int expected = ((flags & 0x08) != 0 ? 1 : 0) + ((flags & 0x04) != 0 ? 8 : 0) + ((flags & 0x10) != 0 ? 1 : 0);
                    if ((flags & 0xE3) == 0 && expected == extra && ((flags & 0x08) == 0 || b[start + 2] == 0))
                    {
                        layout.HeapLinks.Add((start, slot + 8));
                    }
                }
            }
        }
    }

    private static void ScanHeader(byte[] b, int h, Layout layout)
    {
        if (h + 16 > b.Length)
        {
            return;
        }

        var chunks = new Queue<(int Start, int End)>();
        bool v2 = b.AsSpan(h).StartsWith("OHDR"u8);
        if (v2)
        {
            if (h + 7 > b.Length)
            {
                return;
            }

            int flags = b[h + 5];
            int at = h + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            int width = 1 << (flags & 3);
            if (at + width > b.Length)
            {
                return;
            }

            long size = width switch { 1 => b[at], 2 => U16(b, at), 4 => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at)), _ => (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at)) };
            at += width;
            chunks.Enqueue((at, (int)Math.Min(b.Length, at + Math.Max(0, Math.Min(size, b.Length)))));
        }
        else if (b[h] == 1 && b[h + 1] == 0)
        {
            layout.HeadersV1.Add(h);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(h + 8));
            chunks.Enqueue((h + 16, (int)Math.Min(b.Length, h + 16 + Math.Min(size, b.Length))));
        }
        else
        {
            return;
        }

        bool creationOrder = v2 && (b[h + 5] & 0x04) != 0;
        var visited = new HashSet<int>();
        while (chunks.Count > 0 && visited.Count < 64)
        {
            var (start, end) = chunks.Dequeue();
            if (!visited.Add(start))
            {
                continue;
            }

            int at = start;
            int prefix = v2 ? 4 + (creationOrder ? 2 : 0) : 8;
            while (at + prefix <= end && layout.Messages.Count < 100_000)
            {
                int type = v2 ? b[at] : U16(b, at);
                int sizeAt = v2 ? at + 1 : at + 2;
                int size = U16(b, sizeAt);
                int body = at + prefix;
                if (body + size > b.Length)
                {
                    break;
                }

                layout.Messages.Add(new Message(h, at, v2 ? 1 : 2, sizeAt, body, size, type));
                if (type == 0x10 && size >= 16)
                {
                    int chunk = Address(b, body);
                    long length = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(body + 8)), (ulong)b.Length);
                    if (chunk >= 0 && chunk + length <= b.Length)
                    {
                        layout.Structures.Add(chunk);
                        // A version 2 chunk starts with OCHK and ends with a checksum.
                        chunks.Enqueue(v2 ? (chunk + 4, (int)(chunk + length - 4)) : (chunk, (int)(chunk + length)));
                    }
                }

                at = body + size;
            }
        }
    }

    private static string? RetargetPointer(byte[] b, Layout layout, System.Random rng)
    {
        if (layout.Pointers.Count == 0)
        {
            return null;
        }

        var (slot, target) = layout.Pointers[rng.Next(layout.Pointers.Count)];
        int container = Container(layout, slot);
        (ulong value, string what) = rng.Next(9) switch
        {
            0 when container >= 0 => ((ulong)container, "its own structure"),
            1 when Parent(layout, container) is int parent => ((ulong)parent, "the structure pointing at its own"),
            2 when layout.Root >= 0 => ((ulong)layout.Root, "the root"),
            3 => ((ulong)layout.Structures.ElementAt(rng.Next(layout.Structures.Count)), "another structure"),
            4 => ((ulong)rng.Next(b.Length), "a random offset"),
            5 => ((ulong)b.Length + (ulong)rng.Next(0, 1 << 20), "past the end"),
            6 => (ulong.MaxValue, "the undefined address"),
            7 => ((ulong)target + (ulong)(rng.Next(1, 64) * (rng.Next(2) == 0 ? 1 : -1)), "a few bytes off its target"),
            _ => (Extreme(rng, b.Length), "an extreme value"),
        };
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(slot), value);
        return $"address at {slot} (to {target}) → {value} ({what})";
    }

    private static string? PatchMessageType(byte[] b, Layout layout, System.Random rng)
    {
        if (layout.Messages.Count == 0)
        {
            return null;
        }

        var m = layout.Messages[rng.Next(layout.Messages.Count)];
        int type = s_messageTypes[rng.Next(s_messageTypes.Length)];
        if (m.TypeWidth == 1)
        {
            b[m.TypeAt] = (byte)type;
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(m.TypeAt), (ushort)type);
        }

        return $"message type 0x{m.Type:X2} at {m.TypeAt} → 0x{type:X2}";
    }

    private static string? PatchMessageSize(byte[] b, Layout layout, System.Random rng)
    {
        if (layout.Messages.Count == 0)
        {
            return null;
        }

        var m = layout.Messages[rng.Next(layout.Messages.Count)];
        ushort size = (ushort)(rng.Next(4) switch { 0 => 0, 1 => 0xFFFF, 2 => m.BodySize + 8, _ => Math.Max(0, m.BodySize - 8) });
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(m.SizeAt), size);
        return $"size of message 0x{m.Type:X2} at {m.TypeAt}: {m.BodySize} → {size}";
    }

    private static string? PatchMessageBody(byte[] b, Layout layout, System.Random rng)
    {
        if (layout.HeapLinks.Count > 0 && rng.Next(4) == 0)
        {
            var (start, end) = layout.HeapLinks[rng.Next(layout.HeapLinks.Count)];
            return RewriteLink(b.AsSpan(start, end - start), rng) is string heapLink ? $"heap link at {start}: {heapLink}" : null;
        }

        var candidates = layout.Messages.Where(m => m.BodySize >= 2).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var m = candidates[rng.Next(candidates.Count)];
        var body = b.AsSpan(m.BodyAt, m.BodySize);
        string where = $"message 0x{m.Type:X2} at {m.TypeAt}";
        switch (m.Type)
        {
            case 0x08: // layout: version 3/4, class at byte 1
                int layoutClass = rng.Next(4);
                body[1] = (byte)layoutClass;
                if (rng.Next(2) == 0 && m.BodySize >= 18)
                {
                    // Contiguous: address and size; chunked: rank and chunk dimensions follow.
                    BinaryPrimitives.WriteUInt64LittleEndian(body[(m.BodySize - 8)..], Extreme(rng, b.Length));
                }

                return $"{where}: layout class → {layoutClass}" + (layoutClass == 3 ? " (virtual)" : layoutClass == 2 ? " (chunked)" : string.Empty);
            case 0x01: // dataspace: version, rank; dimensions from byte 8 (version 1) or 4 (version 2)
                int first = body[0] == 1 ? 8 : 4;
                int rank = body[1];
                if (rng.Next(4) == 0 || rank == 0 || first + 8 > m.BodySize)
                {
                    body[1] = (byte)(rng.Next(2) == 0 ? 32 : 255);
                    return $"{where}: rank {rank} → {body[1]}";
                }

                int dim = rng.Next(Math.Min(rank, (m.BodySize - first) / 8));
                ulong value = rng.Next(3) == 0 ? 0 : Extreme(rng, b.Length);
                BinaryPrimitives.WriteUInt64LittleEndian(body[(first + (dim * 8))..], value);
                return $"{where}: dimension {dim} → {value}";
            case 0x10 when m.BodySize >= 16: // continuation: address, length
                if (rng.Next(2) == 0)
                {
                    ulong length = rng.Next(3) switch { 0 => 0, 1 => Extreme(rng, b.Length), _ => BinaryPrimitives.ReadUInt64LittleEndian(body[8..]) + 8 };
                    BinaryPrimitives.WriteUInt64LittleEndian(body[8..], length);
                    return $"{where}: continuation length → {length}";
                }

                BinaryPrimitives.WriteUInt64LittleEndian(body, (ulong)m.Header);
                return $"{where}: continuation → its own header at {m.Header}";
            case 0x06 when m.BodySize >= 3: // link
                return RewriteLink(body, rng) is string link ? $"{where}: {link}" : null;
            case 0x03 when m.BodySize >= 8: // datatype: class and version, bit fields, size
                uint typeSize = rng.Next(2) == 0 ? 0 : (uint)Extreme(rng, b.Length);
                if (rng.Next(3) == 0)
                {
                    body[0] = (byte)((body[0] & 0xF0) | rng.Next(16));
                    return $"{where}: datatype class → {body[0] & 0x0F}";
                }

                BinaryPrimitives.WriteUInt32LittleEndian(body[4..], typeSize);
                return $"{where}: datatype size → {typeSize}";
            case 0x0C when m.BodySize >= 8: // attribute: name, datatype and dataspace sizes (16-bit) from byte 2
                int field = 2 + (2 * rng.Next(3));
                ushort fieldValue = (ushort)(rng.Next(2) == 0 ? 0 : 0xFFFF);
                BinaryPrimitives.WriteUInt16LittleEndian(body[field..], fieldValue);
                return $"{where}: attribute field at {field} → {fieldValue}";
            default:
                int width = m.BodySize >= 8 ? 8 : m.BodySize >= 4 ? 4 : 2;
                int offset = rng.Next(m.BodySize - width + 1);
                ulong v = Extreme(rng, b.Length);
                Write(body[offset..], width, v);
                return $"{where}: {width} bytes at {offset} → {v}";
        }
    }

    // Rewrites a link message in place (its size fixed) as a soft link or an external link of the same name, or
    // gives it an unknown link type: flipping the type flag alone would shift every field after it.
    private static string? RewriteLink(Span<byte> body, System.Random rng)
    {
        int flags = body[1];
        int at = 2 + ((flags & 0x08) != 0 ? 1 : 0) + ((flags & 0x04) != 0 ? 8 : 0) + ((flags & 0x10) != 0 ? 1 : 0);
        int width = 1 << (flags & 3); // the name length's width (our writer uses 4 bytes)
        if (at + width > body.Length)
        {
            return null;
        }

        long length = width == 1 ? body[at] : width == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(body[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(body[at..]);
        string name = Encoding.ASCII.GetString(body.Slice(at + width, (int)Math.Min(length, body.Length - at - width)));
        name = name.Length == 0 ? "x" : name;
        int kind = rng.Next(3);
        // Soft (kind 0) or unknown type (2): version, flags (type present), type, name length, name, value length,
        // value (a path). External (1): type 64, and a value of a flags byte, "file\0/\0". 6 or 10 bytes besides.
        int fixedBytes = kind == 1 ? 10 : 6;
        int nameLength = Math.Min(name.Length, Math.Max(1, (body.Length - fixedBytes) / 2));
        int valueRoom = body.Length - fixedBytes - nameLength;
        if (valueRoom < 1)
        {
            return null;
        }

        name = name[..nameLength];
        string value = kind == 1 ? "/etc/passwd" : kind == 0 ? "/" + name : name;
        value = value[..Math.Min(value.Length, valueRoom)];
        body.Clear();
        body[0] = 1;
        body[1] = 0x08;
        body[2] = kind == 2 ? (byte)rng.Next(2, 64) : kind == 1 ? (byte)64 : (byte)1;
        body[3] = (byte)name.Length;
        Encoding.ASCII.GetBytes(name, body[4..]);
        int info = 4 + name.Length;
        if (kind == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(body[info..], (ushort)(value.Length + 4));
            Encoding.ASCII.GetBytes(value, body[(info + 3)..]);
            body[info + 3 + value.Length + 1] = (byte)'/';
            return $"link '{name}' → external link to {value}:/";
        }

        BinaryPrimitives.WriteUInt16LittleEndian(body[info..], (ushort)value.Length);
        Encoding.ASCII.GetBytes(value, body[(info + 2)..]);
        return kind == 0 ? $"link '{name}' → soft link to '{value}'" : $"link '{name}' → link of type {body[2]}";
    }

    private static string? PatchStructureField(byte[] b, Layout layout, System.Random rng)
    {
        var starts = layout.Signed.Select(s => (s.At, s.Signature)).Concat(layout.HeadersV1.Select(h => (At: h, Signature: "v1 header"))).ToList();
        if (starts.Count == 0)
        {
            return null;
        }

        var (at, sig) = starts[rng.Next(starts.Count)];
        // The counts, sizes and levels each structure leads with (spec III), and a random field otherwise.
        (int offset, int width) = sig switch
        {
            "TREE" => rng.Next(2) == 0 ? (5, 1) : (6, 2),
            "SNOD" => rng.Next(2) == 0 ? (6, 2) : (8 + (40 * rng.Next(4)) + 16, 4), // entry count, or an entry's cache type (2: soft link)
            "HEAP" => rng.Next(2) == 0 ? (8, 8) : (24, 8),
            "GCOL" => rng.Next(2) == 0 ? (8, 8) : (24, 8),
            "BTHD" => rng.Next(5) switch { 0 => (6, 4), 1 => (10, 2), 2 => (12, 2), 3 => (24, 2), _ => (26, 8) },
            "FRHP" => rng.Next(4) switch { 0 => (5, 2), 1 => (7, 2), 2 => (110, 2), _ => (112, 8) },
            "v1 header" => rng.Next(2) == 0 ? (2, 2) : (8, 4),
            _ => (4 + rng.Next(28), 1 << rng.Next(4)),
        };
        if (at + offset + width > b.Length)
        {
            return null;
        }

        ulong value = sig == "SNOD" && width == 4 ? (ulong)rng.Next(4) : rng.Next(3) == 0 ? 0 : Extreme(rng, b.Length);
        Write(b.AsSpan(at + offset), width, value);
        return $"{sig} at {at}: {width}-byte field at +{offset} → {value}";
    }

    // Makes a message (of room enough) a continuation into a chunk some header already continues into, or into
    // its own header's messages: two headers sharing one chain, or a chain that loops.
    private static string? ShareContinuation(byte[] b, Layout layout, System.Random rng)
    {
        var roomy = layout.Messages.Where(m => m.BodySize >= 16).ToList();
        if (roomy.Count == 0)
        {
            return null;
        }

        var m = roomy[rng.Next(roomy.Count)];
        var continuations = layout.Messages.Where(c => c.Type == 0x10 && c.BodySize >= 16 && c.TypeAt != m.TypeAt).ToList();
        ulong address, length;
        string what;
        if (continuations.Count > 0 && rng.Next(3) != 0)
        {
            var c = continuations[rng.Next(continuations.Count)];
            address = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(c.BodyAt));
            length = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(c.BodyAt + 8));
            what = $"the chunk the continuation at {c.TypeAt} names";
        }
        else
        {
            address = (ulong)m.TypeAt;
            length = (ulong)(m.BodyAt - m.TypeAt + m.BodySize);
            what = "itself";
        }

        if (m.TypeWidth == 1)
        {
            b[m.TypeAt] = 0x10;
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(m.TypeAt), 0x10);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(m.BodyAt), address);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(m.BodyAt + 8), length);
        return $"message 0x{m.Type:X2} at {m.TypeAt} → continuation into {what} ({address}, {length} bytes)";
    }

    private static string? SwapSignature(byte[] b, Layout layout, System.Random rng)
    {
        if (layout.Signed.Count == 0)
        {
            return null;
        }

        var (at, sig) = layout.Signed[rng.Next(layout.Signed.Count)];
        string other = s_signatures[rng.Next(s_signatures.Length)];
        Encoding.ASCII.GetBytes(other).CopyTo(b, at);
        return $"signature {sig} at {at} → {other}";
    }

    // The structure an offset lies in: the nearest known structure at or before it.
    private static int Container(Layout layout, int offset)
    {
        var before = layout.Structures.GetViewBetween(0, offset);
        return before.Count == 0 ? -1 : before.Max;
    }

    // A structure holding a pointer to <paramref name="structure"/>, if any.
    private static int? Parent(Layout layout, int structure)
    {
        foreach (var (slot, target) in layout.Pointers)
        {
            if (target == structure && Container(layout, slot) is int c && c >= 0 && c != structure)
            {
                return c;
            }
        }

        return null;
    }

    private static ulong Extreme(System.Random rng, int length) => rng.Next(10) switch
    {
        0 => 1,
        1 => (ulong)length,
        2 => (ulong)length + 1,
        3 => 0x7FFF_FFFF,
        4 => 0xFFFF_FFFF,
        5 => 1UL << 32,
        6 => 1UL << 40,
        7 => long.MaxValue,
        8 => ulong.MaxValue - 1,
        _ => (ulong)rng.Next(1, 1 << 20),
    };

    private static void Write(Span<byte> at, int width, ulong value)
    {
        switch (width)
        {
            case 1: at[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(at, (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(at, value); break;
        }
    }

    private static int U16(byte[] b, int at) => at + 2 <= b.Length ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at)) : 0;

    // An 8-byte address inside the file, or -1.
    private static int Address(byte[] b, int at)
    {
        if (at < 0 || at + 8 > b.Length)
        {
            return -1;
        }

        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));
        return v < (ulong)b.Length ? (int)v : -1;
    }
}
