namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// Links and attributes in dense storage: each record of a name index (a version 2 B-tree) names, by heap ID, a
/// link or attribute message kept in a fractal heap. The messages are decoded like the ones in an object header,
/// so the same refusals (soft, external and user-defined links; shared or oversized attributes) apply.
/// </summary>
internal static class DenseStorage
{
    private const int LinkNameIndex = 5;
    private const int AttributeNameIndex = 8;

    /// <summary>A group's links: name index records are a 4-byte name hash, then the heap ID.</summary>
    public static List<Hdf5Link> ReadLinks(Hdf5File file, long heapAddress, long nameIndex)
    {
        var heap = FractalHeap.Read(file, heapAddress);
        var records = Records(file, nameIndex, LinkNameIndex, 4 + heap.IdLength);
        var links = new List<Hdf5Link>(records.Count);
        foreach (long record in records)
        {
            var id = new ReadOnlySpan<byte>(file.Bytes, (int)record + 4, heap.IdLength);
            links.Add(Hdf5Link.Parse(heap.Object(id), file.Length));
        }

        return links;
    }

    /// <summary>An object's attributes: records are the heap ID, message flags, creation order and name hash.</summary>
    public static List<Hdf5Attribute> ReadAttributes(Hdf5File file, long heapAddress, long nameIndex)
    {
        var heap = FractalHeap.Read(file, heapAddress);
        var records = Records(file, nameIndex, AttributeNameIndex, heap.IdLength + 9);
        var attributes = new List<Hdf5Attribute>(records.Count);
        foreach (long record in records)
        {
            var id = new ReadOnlySpan<byte>(file.Bytes, (int)record, heap.IdLength);
            if ((file.Bytes[record + heap.IdLength] & 0x02) != 0)
            {
                throw new Hdf5FormatException($"v2 B-tree at offset {nameIndex}: a shared attribute message, which is not supported");
            }

            attributes.Add(Hdf5Attribute.Parse(heap.Object(id)));
        }

        return attributes;
    }

    private static List<long> Records(Hdf5File file, long index, int type, int recordSize)
    {
        var records = BTreeV2.Records(file, index, type, recordSize);
        if (records.Count > Hdf5File.MaxChildren)
        {
            throw new Hdf5FormatException($"v2 B-tree at offset {index}: {records.Count} records, more than the supported {Hdf5File.MaxChildren}");
        }

        return records;
    }
}
