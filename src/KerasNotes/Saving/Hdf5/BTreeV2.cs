namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// A version 2 B-tree (spec III.A.2), walked to list its records: the name index of a group's dense links. The
/// walk uses an explicit stack; every node must sit one level below its parent, may be visited once in the whole
/// file, and may hold no more records than its size allows, so self-references, loops and inflated counts are
/// refused. Records are returned as offsets into the file, in no particular order.
/// </summary>
internal static class BTreeV2
{
    private const int MaxDepth = 16;

    /// <summary>The file offsets of every record of the tree at <paramref name="address"/>, which must be of <paramref name="type"/>.</summary>
    public static List<long> Records(Hdf5File file, long address, int type, int recordSize)
    {
        string what = $"v2 B-tree at offset {address}";
        var c = new ByteCursor(file.Bytes, Math.Min(address, file.Length), Math.Max(0, file.Length - address), what);
        if (!c.StartsWith("BTHD"))
        {
            throw new Hdf5FormatException($"{what}: expected the signature BTHD");
        }

        c.Skip(4);
        byte version = c.U8(), treeType = c.U8();
        uint nodeSize = c.U32();
        int size = c.U16(), depth = c.U16();
        c.Skip(2); // split and merge percentages
        ulong root = c.U64();
        int rootRecords = c.U16();
        file.Charge(38, what);
        if (version != 0 || treeType != type || size != recordSize)
        {
            throw new Hdf5FormatException($"{what}: version {version}, type {treeType}, {size}-byte records; expected version 0, type {type}, {recordSize}-byte records");
        }

        if (depth > MaxDepth || nodeSize < 64 || nodeSize > 1 << 20)
        {
            throw new Hdf5FormatException($"{what}: depth {depth} with {nodeSize}-byte nodes is outside the supported depth {MaxDepth} and node sizes 64 B to 1 MiB");
        }

        var records = new List<long>();
        if (root == ByteCursor.Undefined || rootRecords == 0)
        {
            return records;
        }

        var (maxRecords, countBytes, totalBytes) = Layout((int)nodeSize, recordSize, depth);
        var stack = new Stack<(ulong Address, int Depth, int Records)>();
        stack.Push((root, depth, rootRecords));
        while (stack.Count > 0)
        {
            var (node, level, count) = stack.Pop();
            string nodeWhat = $"v2 B-tree node at offset {node}";
            if (node >= (ulong)file.Length)
            {
                throw new Hdf5FormatException($"{nodeWhat}: lies outside the {file.Length}-byte file");
            }

            file.VisitNode((long)node, nodeWhat);
            if (count > maxRecords[level])
            {
                throw new Hdf5FormatException($"{nodeWhat}: {count} records, more than a {nodeSize}-byte node at depth {level} holds ({maxRecords[level]})");
            }

            var n = new ByteCursor(file.Bytes, (long)node, Math.Min(nodeSize, file.Length - (long)node), nodeWhat);
            string signature = level == 0 ? "BTLF" : "BTIN";
            if (!n.StartsWith(signature))
            {
                throw new Hdf5FormatException($"{nodeWhat}: expected the signature {signature} for depth {level}");
            }

            n.Skip(4);
            if (n.U8() != 0 || n.U8() != type)
            {
                throw new Hdf5FormatException($"{nodeWhat}: expected version 0 and type {type}");
            }

            file.Charge(nodeSize, nodeWhat);
            for (int i = 0; i < count; i++)
            {
                records.Add(n.Position);
                n.Skip(recordSize);
            }

            if (level == 0)
            {
                continue;
            }

            for (int i = 0; i <= count; i++)
            {
                ulong child = n.U64();
                int childRecords = (int)Math.Min(int.MaxValue, n.Unsigned(countBytes[level]));
                if (totalBytes[level] > 0)
                {
                    n.Skip(totalBytes[level]);
                }

                stack.Push((child, level - 1, childRecords));
            }
        }

        return records;
    }

    // How many records a node at each depth holds, and the widths of the child pointer fields of internal nodes:
    // a node has a 10-byte frame (signature, version, type, checksum); an internal node at depth d also has one
    // more child pointer than records, each an address, the child's record count (as wide as the child's maximum
    // needs) and, below depth 1, the child subtree's total record count (as wide as that subtree's maximum needs).
    private static (int[] MaxRecords, int[] CountBytes, int[] TotalBytes) Layout(int nodeSize, int recordSize, int depth)
    {
        var max = new int[depth + 1];
        var countBytes = new int[depth + 1];
        var totalBytes = new int[depth + 1];
        var cumulative = new ulong[depth + 1];
        max[0] = (nodeSize - 10) / recordSize;
        cumulative[0] = (ulong)max[0];
        for (int d = 1; d <= depth; d++)
        {
            countBytes[d] = BytesFor((ulong)max[d - 1]);
            totalBytes[d] = d > 1 ? BytesFor(cumulative[d - 1]) : 0;
            int pointer = 8 + countBytes[d] + totalBytes[d];
            max[d] = Math.Max(0, (nodeSize - 10 - pointer) / (recordSize + pointer));
            ulong grown = ((ulong)max[d] + 1) * cumulative[d - 1];
            cumulative[d] = grown / ((ulong)max[d] + 1) != cumulative[d - 1] ? ulong.MaxValue : Math.Min(ulong.MaxValue - (ulong)max[d], grown) + (ulong)max[d];
        }

        return (max, countBytes, totalBytes);
    }

    private static int BytesFor(ulong value) => Math.Max(1, (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8);
}
