namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// The links of an old-style group (h5py's default): a version 1 B-tree of group nodes whose leaves point at
/// symbol table nodes (<c>SNOD</c>), whose entries name objects through the group's local heap. The tree is
/// walked with an explicit stack; every node must sit one level below its parent and may be visited once in the
/// whole file, so a node pointing at itself, at an ancestor or at another group's node is refused.
/// </summary>
internal static class SymbolTableGroup
{
    private const int EntrySize = 40;

    public static List<Hdf5Link> ReadLinks(Hdf5File file, long btree, long heapAddress)
    {
        var heap = LocalHeap.Read(file, heapAddress);
        var links = new List<Hdf5Link>();
        var stack = new Stack<(long Address, int Level)>();
        stack.Push((btree, -1));
        while (stack.Count > 0)
        {
            var (address, expectedLevel) = stack.Pop();
            string what = $"B-tree node at offset {address}";
            file.VisitNode(address, what);
            var c = new ByteCursor(file.Bytes, Math.Min(address, file.Length), Math.Min(24, file.Length - Math.Min(address, file.Length)), what);
            if (c.Remaining < 24 || !c.Signature("TREE"))
            {
                throw new Hdf5FormatException($"{what}: expected the signature TREE");
            }

            byte type = c.U8();
            int level = c.U8();
            int entries = c.U16();
            if (type != 0)
            {
                throw new Hdf5FormatException($"{what}: node type {type} is not a group node (0)");
            }

            if (expectedLevel >= 0 && level != expectedLevel)
            {
                throw new Hdf5FormatException($"{what}: level {level} where its parent expects level {expectedLevel}");
            }

            long bodyLength = (entries * 16L) + 8;
            file.Charge(24 + bodyLength, what);
            var body = new ByteCursor(file.Bytes, address + 24, Math.Min(bodyLength, file.Length - address - 24), what);
            for (int i = 0; i < entries; i++)
            {
                body.U64(); // key: heap offset of the largest name in the child
                ulong child = body.U64();
                if (child >= (ulong)file.Length)
                {
                    throw new Hdf5FormatException($"{what}: child {i} at offset {child} lies outside the {file.Length}-byte file");
                }

                if (level == 0)
                {
                    ReadSymbols(file, heap, (long)child, links);
                }
                else
                {
                    stack.Push(((long)child, level - 1));
                }
            }
        }

        return links;
    }

    private static void ReadSymbols(Hdf5File file, LocalHeap heap, long address, List<Hdf5Link> links)
    {
        string what = $"symbol table node at offset {address}";
        file.VisitNode(address, what);
        var c = new ByteCursor(file.Bytes, address, Math.Min(8, file.Length - address), what);
        if (c.Remaining < 8 || !c.Signature("SNOD"))
        {
            throw new Hdf5FormatException($"{what}: expected the signature SNOD");
        }

        byte version = c.U8();
        if (version != 1)
        {
            throw new Hdf5FormatException($"{what}: version {version} is not 1");
        }

        c.U8();
        int count = c.U16();
        file.Charge(8 + (count * (long)EntrySize), what);
        var entries = new ByteCursor(file.Bytes, address + 8, Math.Min(count * (long)EntrySize, file.Length - address - 8), what);
        for (int i = 0; i < count; i++)
        {
            ulong nameOffset = entries.U64();
            ulong target = entries.U64();
            uint cacheType = entries.U32();
            entries.Skip(20); // reserved, scratch pad
            string name = heap.Name(nameOffset);
            if (cacheType == 2)
            {
                throw new Hdf5FormatException($"{what}: '{name}' is a soft link; soft links are refused (Keras does not write them, and they can form cycles)");
            }

            if (cacheType > 2)
            {
                throw new Hdf5FormatException($"{what}: entry '{name}' has cache type {cacheType}; expected 0 or 1");
            }

            if (links.Count >= Hdf5File.MaxChildren)
            {
                throw new Hdf5FormatException($"{what}: more than {Hdf5File.MaxChildren} links in one group");
            }

            links.Add(new Hdf5Link(name, Hdf5Link.CheckTarget(target, file.Length, what, name)));
        }
    }
}
