using System.Buffers.Binary;
using System.Text;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using static KerasNotes.Tests.Saving.Hdf5Messages;
using NativeWeights = KerasNotes.Saving.Hdf5.NativeWeights;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// The hostile HDF5 files of issue 9, each built once here and named, so the in-process tests
/// (<see cref="HostileHdf5FileTests"/>, which check each refusal's wording) and the child-process tests
/// (<see cref="HostileHdf5ChildProcessTests"/>, which check that nothing takes the process down) attack with the
/// very same bytes.
/// </summary>
internal static class HostileHdf5Files
{
    /// <summary>One attack file.</summary>
    /// <param name="Name">A stable name, used as the theory case.</param>
    /// <param name="Build">Builds the bytes (deterministically).</param>
    /// <param name="RefusedAtOpen">
    /// What the refusal says when the file is refused as soon as it is opened; null when the attack lies in data
    /// decoded only on demand (a string attribute, a dataset's shape), which a loader may refuse earlier for
    /// another reason.
    /// </param>
    public sealed record Attack(string Name, Func<byte[]> Build, string? RefusedAtOpen);

    private static readonly Attack[] s_attacks =
    [
        new("external-storage-absolute", () => ExternalStorage("/etc/passwd"), "external data files"),
        new("external-storage-relative", () => ExternalStorage("passwd"), "external data files"),
        new("external-link", () => NewStyleFile((Link, ExternalLink("x", "/etc/passwd", "/"))), "'x' is an external link"),
        new("virtual-dataset", VirtualDataset, "virtual dataset"),
        new("soft-link-self", () => NewStyleFile((Link, SoftLink("self", "/self"))), "'self' is a soft link"),
        new("soft-link-cycle", () => NewStyleFile((Link, SoftLink("a", "/b")), (Link, SoftLink("b", "/a"))), "soft link"),
        new("soft-link-old-style", SoftLinkOldStyle, "'self' is a soft link"),
        new("hard-link-cycle-group", () => HardLinkCycle(toRoot: false), "hard-link cycle"),
        new("hard-link-cycle-root", () => HardLinkCycle(toRoot: true), "hard-link cycle"),
        new("btree-node-self", BTreeNodeSelf, "B-tree node at offset"),
        new("btree-node-ancestor", BTreeNodeAncestor, "reached twice"),
        new("snod-points-at-root", SymbolNodeAtRoot, "hard-link cycle"),
        new("continuation-loop", ContinuationLoop, "is reached twice"),
        new("continuation-long-chain-loop", ContinuationLongChainLoop, "reached twice"),
        new("continuation-shared-chain", ContinuationSharedChain, "structures overlap or loop"),
        new("chunked-huge-dimensions", ChunkedHugeDimensions, "chunked dataset storage is not supported"),
        new("compressed-dataset", CompressedDataset, "filter pipeline with 1 filter(s)"),
        new("dense-soft-link", () => DenseFile(empty => [.. Groups(empty, 9), SoftLink("loop", "/layers/loop")]), "'loop' is a soft link"),
        new("dense-index-node-self", DenseIndexNodeSelf, "reached twice"),
        new("dense-index-too-many-records", DenseIndexTooManyRecords, "more than a 512-byte node at depth 0 holds"),
        new("dense-heap-id-outside-block", DenseHeapIdOutsideBlock, "does not lie inside its 512-byte block"),
        new("dimensions-patched-huge", DimensionsPatchedHuge, null),
        new("contiguous-size-beyond-file", ContiguousSizeBeyondFile, "contiguous data of 1099511627776 bytes"),
        new("vlen-string-huge-length", () => FileWithStringAttribute(VlenElement(0x7FFF_FFFFu, 0, 1), Encoding.ASCII.GetBytes("dense")), null),
        new("vlen-string-missing-object", () => FileWithStringAttribute(VlenElement(5, 0, 9), Encoding.ASCII.GetBytes("dense")), null),
        new("global-heap-collection-size-huge", () => GlobalHeapSizePatched(8), null),
        new("global-heap-object-size-huge", () => GlobalHeapSizePatched(24), null),
        new("string-list-sharing-one-heap-object", StringListSharingOneObject, null),
        new("attribute-huge-element-count", () => NewStyleFile((AttributeMessage, Attr("big", Float32, Simple(1UL << 40), new byte[8]))), "claims 1099511627776 elements"),
        new("groups-nested-too-deep", () => NestedGroups(10_000), "nested more than 64 groups deep"),
    ];

    private static readonly Dictionary<string, Attack> s_byName = s_attacks.ToDictionary(a => a.Name);

    /// <summary>Every attack's name, as theory data.</summary>
    public static TheoryData<string> Names => [.. s_attacks.Select(a => a.Name)];

    /// <summary>The attack named <paramref name="name"/>.</summary>
    public static Attack Get(string name) => s_byName[name];

    /// <summary>The bytes of the attack named <paramref name="name"/>.</summary>
    public static byte[] Bytes(string name) => s_byName[name].Build();

    /// <summary>A new-style file: root → group 'layers' → float32 dataset 'w' of shape [2], plus the extra root messages given.</summary>
    public static byte[] NewStyleFile(params (byte Type, byte[] Body)[] rootExtras)
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long data = f.Data([.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f)]);
        long w = f.Ohdr((Datatype, Float32), (Dataspace, Simple(2)), (Layout, Contiguous((ulong)data, 8)));
        long layers = f.Ohdr((Link, HardLink("w", (ulong)w)));
        long root = f.Ohdr([(Link, HardLink("layers", (ulong)layers)), .. rootExtras]);
        f.Resolve(1, root);
        return f.Finish();
    }

    /// <summary>An old-style file (h5py's default): the root's symbol table names the given entries through one tree node.</summary>
    public static byte[] OldStyleFile(Func<Hdf5Bytes, ulong[], (ulong, ulong, uint)[]> entries, params string[] names)
    {
        var f = new Hdf5Bytes();
        f.SuperblockV0(Hdf5Bytes.Placeholder(1));
        var (heap, offsets) = f.LocalHeap(["", .. names]);
        var symbols = entries(f, offsets);
        long node = f.SymbolNode(symbols);
        long tree = f.TreeNode(0, (ulong)node);
        long root = f.ObjectHeaderV1((SymbolTable, Symbols((ulong)tree, (ulong)heap)));
        f.Resolve(1, root);
        return f.Finish();
    }

    /// <summary>
    /// A file whose group 'layers' keeps its links in dense storage (as h5py does past 8 links with libver='latest'):
    /// a fractal heap of link messages and a one-leaf name index. <paramref name="links"/> builds the link messages
    /// from the address of an empty group they may point at; <paramref name="tree"/> may replace the name index.
    /// </summary>
    public static byte[] DenseFile(Func<long, byte[][]> links, Func<Hdf5Bytes, byte[][], long>? tree = null)
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long empty = f.Ohdr();
        var (heap, ids) = f.FractalHeap(links(empty));
        long index = tree?.Invoke(f, ids) ?? LeafIndex(f, ids);
        long layers = f.Ohdr((LinkInfo, DenseLinkInfo((ulong)heap, (ulong)index)));
        long root = f.Ohdr((Link, HardLink("layers", (ulong)layers)));
        f.Resolve(1, root);
        return f.Finish();
    }

    public static byte[][] Groups(long target, int count) => [.. Enumerable.Range(0, count).Select(i => HardLink($"dense_{i}", (ulong)target))];

    /// <summary>A root holding one attribute 'name' of a variable-length string whose element is <paramref name="element"/>.</summary>
    public static byte[] FileWithStringAttribute(byte[] element, params byte[][] heapObjects)
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long heap = f.GlobalHeap(heapObjects);
        var data = element.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(4), (ulong)heap);
        long root = f.Ohdr((AttributeMessage, Attr("name", VlenString, Scalar, data)));
        f.Resolve(1, root);
        return f.Finish();
    }

    /// <summary><paramref name="depth"/> groups each holding the next as 'g'.</summary>
    public static byte[] NestedGroups(int depth)
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long child = f.Ohdr();
        for (int i = 0; i < depth; i++)
        {
            child = f.Ohdr((Link, HardLink("g", (ulong)child)));
        }

        f.Resolve(1, child);
        return f.Finish();
    }

    /// <summary>The bytes our own writer produces for a Dense(8) on 4 inputs: kernel [4, 8] (128 bytes) and bias [8].</summary>
    public static (Model Model, byte[] Bytes) WrittenWeights()
    {
        var model = new Sequential([new Input(4), new Dense(8)]);
        return (model, NativeWeights.Write(model));
    }

    /// <summary>Where <paramref name="needle"/> first occurs in <paramref name="haystack"/>; throws when it does not.</summary>
    public static int Find(byte[] haystack, byte[] needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        return at > 0 ? at : throw new InvalidOperationException("the file should hold the pattern being patched");
    }

    private static byte[] ExternalStorage(string target)
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        var (heap, _) = f.LocalHeap(target);
        long d = f.Ohdr((Datatype, UInt8), (Dataspace, Simple(64)), (Layout, Contiguous(ulong.MaxValue, 64)), (External, ExternalFiles((ulong)heap, 64)));
        long root = f.Ohdr((Link, HardLink("d", (ulong)d)));
        f.Resolve(1, root);
        return f.Finish();
    }

    private static byte[] VirtualDataset()
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long heap = f.GlobalHeap(Encoding.ASCII.GetBytes("/etc/passwd"));
        long v = f.Ohdr((Datatype, Float32), (Dataspace, Simple(4)), (Layout, Virtual((ulong)heap)));
        long root = f.Ohdr((Link, HardLink("v", (ulong)v)));
        f.Resolve(1, root);
        return f.Finish();
    }

    // h5py stores a soft link in a symbol-table group as an entry of cache type 2 with no object header.
    private static byte[] SoftLinkOldStyle() => OldStyleFile((_, offsets) => [(offsets[1], ulong.MaxValue, 2)], "self");

    private static byte[] HardLinkCycle(bool toRoot)
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long g = f.Ohdr((Link, HardLink("me", Hdf5Bytes.Placeholder(toRoot ? 1 : 2))));
        long root = f.Ohdr((Link, HardLink("g", (ulong)g)));
        f.Resolve(1, root);
        f.Resolve(2, g);
        return f.Finish();
    }

    private static byte[] BTreeNodeSelf()
    {
        var f = new Hdf5Bytes();
        f.SuperblockV0(Hdf5Bytes.Placeholder(1));
        var (heap, _) = f.LocalHeap(string.Empty);
        long tree = f.TreeNode(1, Hdf5Bytes.Placeholder(2));
        long root = f.ObjectHeaderV1((SymbolTable, Symbols((ulong)tree, (ulong)heap)));
        f.Resolve(1, root);
        f.Resolve(2, tree);
        return f.Finish();
    }

    private static byte[] BTreeNodeAncestor()
    {
        var f = new Hdf5Bytes();
        f.SuperblockV0(Hdf5Bytes.Placeholder(1));
        var (heap, _) = f.LocalHeap(string.Empty);
        long top = f.TreeNode(2, Hdf5Bytes.Placeholder(3));
        long middle = f.TreeNode(1, (ulong)top);
        long root = f.ObjectHeaderV1((SymbolTable, Symbols((ulong)top, (ulong)heap)));
        f.Resolve(1, root);
        f.Resolve(3, middle);
        return f.Finish();
    }

    private static byte[] SymbolNodeAtRoot() => OldStyleFile((_, offsets) => [(offsets[1], Hdf5Bytes.Placeholder(1), 1)], "loop");

    private static byte[] ContinuationLoop()
    {
        var f = new Hdf5Bytes();
        f.SuperblockV0(Hdf5Bytes.Placeholder(1));
        long root = f.ObjectHeaderV1((Continuation, Continue(Hdf5Bytes.Placeholder(2), 24)));
        long a = f.Position;
        f.MessageV1(Continuation, Continue(Hdf5Bytes.Placeholder(3), 24));
        long b = f.Position;
        f.MessageV1(Continuation, Continue(Hdf5Bytes.Placeholder(2), 24));
        f.Resolve(1, root);
        f.Resolve(2, a);
        f.Resolve(3, b);
        return f.Finish();
    }

    private static byte[] ContinuationLongChainLoop()
    {
        const int links = 20_000;
        var f = new Hdf5Bytes();
        f.SuperblockV0(Hdf5Bytes.Placeholder(1));
        long root = f.ObjectHeaderV1((Continuation, Continue((ulong)f.Position + 24 + 16, 24)));
        long first = f.Position;
        for (int i = 0; i < links; i++)
        {
            ulong next = i == links - 1 ? (ulong)first : (ulong)f.Position + 24;
            f.MessageV1(Continuation, Continue(next, 24));
        }

        f.Resolve(1, root);
        return f.Finish();
    }

    // 2,000 headers each continuing into one chain of 20,000 chunks: decoding each header in full would walk
    // 40 million chunks (about a gigabyte) of a 0.6 MB file.
    private static byte[] ContinuationSharedChain()
    {
        const int headers = 2_000, chain = 20_000;
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long start = f.Position;
        for (int i = 0; i < chain; i++)
        {
            f.MessageV1(Continuation, i == chain - 1 ? new byte[16] : Continue((ulong)f.Position + 24, 24));
        }

        var children = new (byte, byte[])[headers];
        for (int i = 0; i < headers; i++)
        {
            long h = f.ObjectHeaderV1((Continuation, Continue((ulong)start, 24)));
            children[i] = (Link, HardLink($"g{i}", (ulong)h));
        }

        long root = f.Ohdr(children);
        f.Resolve(1, root);
        return f.Finish();
    }

    private static byte[] ChunkedHugeDimensions()
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long d = f.Ohdr((Datatype, Float32), (Dataspace, Simple(20_000, 20_000)), (Layout, Chunked(20_000, 20_000, 4)));
        long root = f.Ohdr((Link, HardLink("d", (ulong)d)));
        f.Resolve(1, root);
        return f.Finish();
    }

    // A deflate filter (id 1, level 6): a decompressor sized by the file's claims is exactly what we avoid.
    private static byte[] CompressedDataset()
    {
        byte[] deflate = [1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0];
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long d = f.Ohdr((Datatype, Float32), (Dataspace, Simple(4)), (Layout, Contiguous(ulong.MaxValue, 0)), (FilterPipeline, deflate));
        long root = f.Ohdr((Link, HardLink("d", (ulong)d)));
        f.Resolve(1, root);
        return f.Finish();
    }

    public static long LeafIndex(Hdf5Bytes f, byte[][] ids)
    {
        long leaf = f.BTreeV2Node(5, [.. ids.Select(NameRecord)]);
        return f.BTreeV2Header(5, 11, 0, (ulong)leaf, ids.Length, (ulong)ids.Length);
    }

    private static byte[] DenseIndexNodeSelf() => DenseFile(
        empty => Groups(empty, 3),
        (f, ids) =>
        {
            long node = f.BTreeV2Node(5, [NameRecord(ids[0])], (Hdf5Bytes.Placeholder(4), 1), (Hdf5Bytes.Placeholder(4), 1));
            f.Resolve(4, node);
            return f.BTreeV2Header(5, 11, 1, (ulong)node, 1, 3);
        });

    private static byte[] DenseIndexTooManyRecords() => DenseFile(
        empty => Groups(empty, 3),
        (f, ids) =>
        {
            long leaf = f.BTreeV2Node(5, [.. ids.Select(NameRecord)]);
            return f.BTreeV2Header(5, 11, 0, (ulong)leaf, 65_535, 65_535);
        });

    private static byte[] DenseHeapIdOutsideBlock() => DenseFile(
        empty => Groups(empty, 3),
        (f, ids) =>
        {
            byte[] forged = [0, .. BitConverter.GetBytes(500u), .. BitConverter.GetBytes((ushort)60_000)];
            return LeafIndex(f, [ids[0], forged]);
        });

    // The kernel's dimensions [4, 8] become [20000, 20000]: 1.6 GB of floats claimed by a 1 kB file.
    private static byte[] DimensionsPatchedHuge()
    {
        var (_, bytes) = WrittenWeights();
        int at = Find(bytes, [.. U64(4), .. U64(8)]);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 20_000);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at + 8), 20_000);
        return bytes;
    }

    // The kernel's 128 bytes of contiguous storage become a terabyte.
    private static byte[] ContiguousSizeBeyondFile()
    {
        var (_, bytes) = WrittenWeights();
        int at = Find(bytes, [.. U64(128)]);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 1UL << 40);
        return bytes;
    }

    // Field 8 is the collection's size, field 24 object 1's size.
    private static byte[] GlobalHeapSizePatched(int field)
    {
        var file = FileWithStringAttribute(VlenElement(5, 0, 1), Encoding.ASCII.GetBytes("dense"));
        int gcol = Find(file, "GCOL"u8.ToArray());
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(gcol + field), 1UL << 40);
        return file;
    }

    // 4,000 entries naming one 200 kB object would decode to 800 MB of text from a 260 kB file.
    private static byte[] StringListSharingOneObject()
    {
        const int entries = 4_000, size = 200_000;
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long heap = f.GlobalHeap(Enumerable.Repeat((byte)'a', size).ToArray());
        var data = new List<byte>();
        for (int i = 0; i < entries; i++)
        {
            data.AddRange(VlenElement(size, (ulong)heap, 1));
        }

        long root = f.Ohdr((AttributeMessage, Attr("layer_names", VlenString, Simple(entries), [.. data])));
        f.Resolve(1, root);
        return f.Finish();
    }
}
