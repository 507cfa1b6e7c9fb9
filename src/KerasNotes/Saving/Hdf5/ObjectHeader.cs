namespace KerasNotes.Saving.Hdf5;

/// <summary>What an object header describes.</summary>
internal enum ObjectKind
{
    Group,
    Dataset,

    /// <summary>Neither (a committed datatype, say): it can be linked but not read.</summary>
    Other,
}

/// <summary>
/// An object header (spec IV.A), version 1 (h5py's default) or 2 (<c>OHDR</c>, what our writer produces), with its
/// continuation chunks. Chunks are walked with a queue and a visited set, never by recursion, and every chunk's
/// bytes are charged to the file's work budget, so continuation messages that point at each other (or at one
/// long chain) cost at most a few passes over the file. Each message is decoded and checked here, once; the
/// messages that would make a read leave the file (external data files, virtual layouts, external and soft links)
/// and the features outside our subset (filters, shared messages) are refused on sight.
/// </summary>
internal sealed class ObjectHeader
{
    private const int MaxMessages = 1 << 20;

    private Dictionary<string, Hdf5Attribute>? _byName;

    private ObjectHeader(long address) => Address = address;

    public long Address { get; }

    public ObjectKind Kind { get; private set; } = ObjectKind.Other;

    public Datatype? Type { get; private set; }

    public Dataspace? Space { get; private set; }

    public DataLayout? Layout { get; private set; }

    public List<Hdf5Attribute> Attributes { get; } = [];

    /// <summary>Links held as link messages (new-style compact groups).</summary>
    public List<Hdf5Link> Links { get; } = [];

    /// <summary>The fractal heap and name index B-tree of a group's dense links (link info message); (-1, -1) for none; null without link info.</summary>
    public (long Heap, long NameIndex)? DenseLinks { get; private set; }

    /// <summary>The fractal heap and name index of attributes kept in dense storage (attribute info message), or null.</summary>
    public (long Heap, long NameIndex)? DenseAttributes { get; private set; }

    /// <summary>The B-tree and local heap of an old-style group (symbol table message), or null.</summary>
    public (long BTree, long Heap)? SymbolTable { get; private set; }

    /// <summary>Finds the attribute called <paramref name="name"/> (the first, if a hostile header repeats it), or null.</summary>
    public Hdf5Attribute? Attribute(string name)
    {
        // A dictionary, built on first use: callers probe name0, name1, … up to 10,000 times, and a crafted header
        // can hold tens of thousands of attributes.
        if (_byName is null)
        {
            _byName = new Dictionary<string, Hdf5Attribute>(StringComparer.Ordinal);
            foreach (var a in Attributes)
            {
                _byName.TryAdd(a.Name, a);
            }
        }

        return _byName.GetValueOrDefault(name);
    }

    public static ObjectHeader Read(Hdf5File file, long address)
    {
        string what = $"object header at offset {address}";
        var header = new ObjectHeader(address);
        // Callers pass addresses inside the file (link targets and the root are checked where they are decoded).
        var c = new ByteCursor(file.Bytes, address, file.Length - address, what);
        var chunks = new Queue<(long Start, long Length, bool First)>();
        bool v2 = c.StartsWith("OHDR"), creationOrder = false;
        if (v2)
        {
            c.Skip(4);
            byte version = c.U8();
            if (version != 2)
            {
                throw new Hdf5FormatException($"{what}: OHDR version {version} is not 2");
            }

            byte flags = c.U8();
            if ((flags & 0x20) != 0)
            {
                c.Skip(16); // access, modification, change and birth times
            }

            if ((flags & 0x10) != 0)
            {
                c.Skip(4); // attribute storage phase change values
            }

            creationOrder = (flags & 0x04) != 0;
            ulong size = c.Sized(1 << (flags & 0x03));
            if (size > (ulong)c.Remaining)
            {
                throw new Hdf5FormatException($"{what}: first chunk of {size} bytes lies outside the {file.Length}-byte file");
            }

            chunks.Enqueue((c.Position, (long)size, true));
        }
        else
        {
            byte version = c.U8();
            if (version != 1)
            {
                throw new Hdf5FormatException($"{what}: expected a version 1 object header or the signature OHDR, found version byte {version}");
            }

            c.Skip(7); // reserved, message count, reference count
            uint size = c.U32();
            c.Skip(4); // padding: messages start 8-byte aligned
            chunks.Enqueue((c.Position, size, true));
        }

        var seen = new HashSet<long>();
        int messages = 0;
        while (chunks.Count > 0)
        {
            var (at, length, first) = chunks.Dequeue();
            if (!seen.Add(at))
            {
                throw new Hdf5FormatException($"{what}: continuation chunk at offset {at} is reached twice (continuation messages form a loop)");
            }

            var chunk = ByteCursor.Part(file.Bytes, at, length, what, first ? "first chunk" : "continuation chunk");
            file.Charge(length, what);
            if (v2 && !first)
            {
                if (length < 8 || !chunk.Signature("OCHK"))
                {
                    throw new Hdf5FormatException($"{chunk.What}: expected the signature OCHK");
                }

                chunk = ByteCursor.Part(file.Bytes, at + 4, length - 8, what, "continuation chunk"); // messages sit between the signature and the checksum
            }

            int prefix = v2 ? (creationOrder ? 6 : 4) : 8;
            while (chunk.Remaining >= prefix)
            {
                int type = v2 ? chunk.U8() : chunk.U16();
                int size = chunk.U16();
                byte flags = chunk.U8();
                chunk.Skip(prefix - (v2 ? 4 : 5));
                var body = chunk.Slice(size, MessageName(type));
                if (++messages > MaxMessages)
                {
                    throw new Hdf5FormatException($"{what}: more than {MaxMessages} messages");
                }

                header.Decode(file, type, flags, body, chunks);
            }
        }

        if (header.DenseAttributes is { } dense)
        {
            header.Attributes.AddRange(DenseStorage.ReadAttributes(file, dense.Heap, dense.NameIndex));
        }

        header.Classify(what);
        return header;
    }

    private void Decode(Hdf5File file, int type, byte flags, ByteCursor body, Queue<(long, long, bool)> chunks)
    {
        if ((flags & 0x02) != 0 && type is not 0)
        {
            throw new Hdf5FormatException($"{body.What}: shared object header messages are not supported");
        }

        switch (type)
        {
            case 0x00: // NIL
            case 0x04: // old fill value
            case 0x05: // fill value
            case 0x0A: // group info
            case 0x0D: // comment
            case 0x0E: // old modification time
            case 0x12: // modification time
            case 0x13: // B-tree 'K' values
            case 0x14: // driver info
            case 0x16: // reference count
            case 0x17: // file space info
                break;
            case 0x01:
                Space = Space is null ? Dataspace.Parse(ref body) : throw Twice(body, "dataspace");
                break;
            case 0x03:
                Type = Type is null ? Datatype.Parse(ref body) : throw Twice(body, "datatype");
                break;
            case 0x08:
                Layout = Layout is null ? DataLayout.Parse(ref body, file.Length) : throw Twice(body, "data layout");
                break;
            case 0x02:
                DenseLinks = DenseLinks is null ? LinkInfo(body) : throw Twice(body, "link info");
                break;
            case 0x06:
                Links.Add(Hdf5Link.Parse(body, file.Length));
                break;
            case 0x07:
                throw new Hdf5FormatException($"{body.What}: refused, as the dataset's data would be read from another file");
            case 0x0B:
                CheckFilters(body);
                break;
            case 0x0C:
                Attributes.Add(Hdf5Attribute.Parse(body));
                break;
            case 0x10:
                {
                    ulong at = body.U64(), length = body.U64();
                    if (at >= (ulong)file.Length || length > (ulong)file.Length - at)
                    {
                        throw new Hdf5FormatException($"{body.What}: continuation of {length} bytes at offset {at} lies outside the {file.Length}-byte file");
                    }

                    chunks.Enqueue(((long)at, (long)length, false));
                    break;
                }

            case 0x11:
                {
                    ulong tree = body.U64(), heap = body.U64();
                    SymbolTable = SymbolTable is null ? ((long)Math.Min(tree, long.MaxValue), (long)Math.Min(heap, long.MaxValue)) : throw Twice(body, "symbol table");
                    break;
                }

            case 0x15:
                DenseAttributes = DenseAttributes is null ? AttributeInfo(body) : throw Twice(body, "attribute info");
                break;
            default:
                if ((flags & 0x80) != 0)
                {
                    throw new Hdf5FormatException($"{body.What}: unknown message type 0x{type:X4} that readers must understand");
                }

                break;
        }
    }

    private static string MessageName(int type) => type switch
    {
        0x01 => "dataspace message",
        0x02 => "link info message",
        0x03 => "datatype message",
        0x06 => "link message",
        0x07 => "external data files message",
        0x08 => "data layout message",
        0x0B => "filter pipeline message",
        0x0C => "attribute message",
        0x10 => "continuation message",
        0x11 => "symbol table message",
        0x15 => "attribute info message",
        _ => "message",
    };

    private static Hdf5FormatException Twice(ByteCursor body, string what) => new($"{body.What}: a second {what} message in one object header");

    // Link info: where a group keeps its links once it has too many for its header (h5py with libver='latest' or
    // track_order moves past 8 links into a fractal heap indexed by a version 2 B-tree); (-1, -1) while they are
    // still link messages in the header.
    private static (long Heap, long NameIndex) LinkInfo(ByteCursor c)
    {
        c.U8();
        byte flags = c.U8();
        if ((flags & 0x01) != 0)
        {
            c.Skip(8); // maximum creation index
        }

        ulong heap = c.U64(), names = c.U64();
        if (heap == ByteCursor.Undefined)
        {
            return (-1, -1);
        }

        if (heap >= long.MaxValue || names >= long.MaxValue)
        {
            throw new Hdf5FormatException($"{c.What}: dense link storage with an undefined name index");
        }

        return ((long)heap, (long)names);
    }

    // Attribute info: like link info, where attributes go once there are too many (or too large ones) for the
    // header under libver='latest'; null while they are attribute messages in the header.
    private static (long Heap, long NameIndex)? AttributeInfo(ByteCursor c)
    {
        c.U8();
        byte flags = c.U8();
        if ((flags & 0x01) != 0)
        {
            c.Skip(2); // maximum creation index
        }

        ulong heap = c.U64(), names = c.U64();
        if (heap == ByteCursor.Undefined)
        {
            return null;
        }

        if (heap >= long.MaxValue || names >= long.MaxValue)
        {
            throw new Hdf5FormatException($"{c.What}: dense attribute storage with an undefined name index");
        }

        return ((long)heap, (long)names);
    }

    private static void CheckFilters(ByteCursor c)
    {
        c.U8();
        int count = c.U8();
        if (count != 0)
        {
            throw new Hdf5FormatException($"{c.What}: a filter pipeline with {count} filter(s) (compression or checksums) is not supported; Keras writes unfiltered datasets");
        }
    }

    private void Classify(string what)
    {
        if (Layout is not null)
        {
            if (Type is null || Space is null)
            {
                throw new Hdf5FormatException($"{what}: a dataset without a {(Type is null ? "datatype" : "dataspace")} message");
            }

            if (SymbolTable is not null || Links.Count > 0)
            {
                throw new Hdf5FormatException($"{what}: an object that is both a dataset and a group");
            }

            Kind = ObjectKind.Dataset;
        }
        else if (SymbolTable is not null || Links.Count > 0 || Type is null)
        {
            bool dense = DenseLinks is { Heap: >= 0 };
            if ((SymbolTable is not null ? 1 : 0) + (Links.Count > 0 ? 1 : 0) + (dense ? 1 : 0) > 1)
            {
                throw new Hdf5FormatException($"{what}: a group keeping links in more than one of a symbol table, link messages and dense storage");
            }

            Kind = ObjectKind.Group;
        }
    }
}
