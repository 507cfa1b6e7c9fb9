namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// The links of a group in dense storage: each record of the name index (a version 2 B-tree of type 5: a name
/// hash, then a heap ID) names a link message kept in the group's fractal heap. The messages are decoded like the
/// link messages of a header, so the same refusals (soft, external and user-defined links) apply.
/// </summary>
internal static class DenseLinkStorage
{
    private const int NameIndexType = 5;

    public static List<Hdf5Link> ReadLinks(Hdf5File file, long heapAddress, long nameIndex)
    {
        var heap = FractalHeap.Read(file, heapAddress);
        var records = BTreeV2.Records(file, nameIndex, NameIndexType, 4 + heap.IdLength);
        if (records.Count > Hdf5File.MaxChildren)
        {
            throw new Hdf5FormatException($"v2 B-tree at offset {nameIndex}: {records.Count} links, more than the supported {Hdf5File.MaxChildren}");
        }

        var links = new List<Hdf5Link>(records.Count);
        foreach (long record in records)
        {
            var id = new ReadOnlySpan<byte>(file.Bytes, (int)record + 4, heap.IdLength);
            links.Add(Hdf5Link.Parse(heap.Object(id), file.Length));
        }

        return links;
    }
}
