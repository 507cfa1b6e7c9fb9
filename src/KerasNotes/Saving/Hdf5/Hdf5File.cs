namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// One HDF5 file held in memory, read through the bounded subset in this folder. Opening it checks the whole
/// reachable tree (<see cref="TreeCheck"/>), so a hostile structure anywhere is refused up front, not only on the
/// paths a model happens to ask for. Object headers and group link tables are decoded once and cached; every
/// structure decoded is charged to one work budget of a few times the file's length, which makes the total work
/// of any load linear in the file size whatever the file's pointers do.
/// </summary>
internal sealed class Hdf5File
{
    /// <summary>The most links one group may have.</summary>
    public const int MaxChildren = 100_000;

    /// <summary>How deep groups may nest below the root (Keras files nest fewer than ten levels).</summary>
    public const int MaxDepth = 64;

    private readonly Dictionary<long, ObjectHeader> _headers = [];
    private readonly Dictionary<long, GroupLinks> _groups = [];
    private readonly HashSet<long> _nodes = [];
    private long _budget;

    private Hdf5File(byte[] bytes)
    {
        Bytes = bytes;
        Length = bytes.LongLength;
        _budget = (4 * Length) + 65_536;
        GlobalHeap = new GlobalHeap(this);
    }

    public byte[] Bytes { get; }

    public long Length { get; }

    public GlobalHeap GlobalHeap { get; }

    public ObjectHeader Root { get; private set; } = null!;

    /// <summary>Decodes the superblock and checks every object reachable from the root.</summary>
    public static Hdf5File Open(byte[] bytes)
    {
        var file = new Hdf5File(bytes);
        long root = Superblock.RootAddress(bytes);
        TreeCheck.Run(file, root);
        file.Root = file.Header(root); // decoded and cached by the check
        return file;
    }

    /// <summary>Charges <paramref name="bytes"/> of decoding work; refuses the file once it needs more than a few passes over itself.</summary>
    public void Charge(long bytes, string what)
    {
        _budget -= bytes;
        if (_budget < 0)
        {
            throw new Hdf5FormatException($"{what}: decoding needs more than {(4 * Length) + 65_536} bytes of structure for a {Length}-byte file; its structures overlap or loop");
        }
    }

    /// <summary>Marks a B-tree or symbol table node as read; a node reached twice means the tree loops or is shared.</summary>
    public void VisitNode(long address, string what)
    {
        if (!_nodes.Add(address))
        {
            throw new Hdf5FormatException($"{what}: reached twice (the group's B-tree points back at itself, at an ancestor or at another group's node)");
        }
    }

    /// <summary>The object header at <paramref name="address"/>, decoded once.</summary>
    public ObjectHeader Header(long address)
    {
        if (!_headers.TryGetValue(address, out var header))
        {
            header = ObjectHeader.Read(this, address);
            _headers[address] = header;
        }

        return header;
    }

    /// <summary>The links of a group, decoded once, by name and in file order.</summary>
    public GroupLinks Links(ObjectHeader group)
    {
        if (!_groups.TryGetValue(group.Address, out var links))
        {
            var list = group.SymbolTable is { } table ? SymbolTableGroup.ReadLinks(this, table.BTree, table.Heap)
                : group.DenseLinks is { Heap: >= 0 } dense ? DenseStorage.ReadLinks(this, dense.Heap, dense.NameIndex)
                : group.Links;
            links = new GroupLinks(list, $"group at offset {group.Address}");
            _groups[group.Address] = links;
        }

        return links;
    }

    /// <summary>The object at a slash-separated path from the root ("" is the root), or null when a part is missing or not a group.</summary>
    public ObjectHeader? Find(string path)
    {
        var current = Root;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.Kind != ObjectKind.Group || !Links(current).TryGet(part, out long address))
            {
                return null;
            }

            current = Header(address);
        }

        return current;
    }
}

/// <summary>A group's links, in file order and by name (two links with one name are refused).</summary>
internal sealed class GroupLinks
{
    private readonly Dictionary<string, long> _byName = new(StringComparer.Ordinal);

    public GroupLinks(List<Hdf5Link> links, string what)
    {
        if (links.Count > Hdf5File.MaxChildren)
        {
            throw new Hdf5FormatException($"{what}: {links.Count} links, more than the supported {Hdf5File.MaxChildren}");
        }

        foreach (var link in links)
        {
            if (!_byName.TryAdd(link.Name, link.Address))
            {
                throw new Hdf5FormatException($"{what}: two links named '{link.Name}'");
            }
        }

        All = links;
    }

    public IReadOnlyList<Hdf5Link> All { get; }

    public bool TryGet(string name, out long address) => _byName.TryGetValue(name, out address);
}
