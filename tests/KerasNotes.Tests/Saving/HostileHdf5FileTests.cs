using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using static KerasNotes.Tests.Saving.Hdf5Messages;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// HDF5 files built to attack the reader (issue 9): links and storage that name other host files, link and tree
/// cycles, continuation loops, and size fields far beyond the file. Each is refused with a
/// <see cref="ModelFormatException"/> within a second and without allocating more than the file could hold,
/// instead of reading another file, overflowing the stack, hanging or allocating gigabytes.
/// </summary>
public sealed class HostileHdf5FileTests
{
    private const long MaxAllocation = 100_000_000;

    /// <summary>
    /// Opens <paramref name="file"/> (then runs <paramref name="use"/> on it) on a worker thread and returns the
    /// refusal, asserting it came quickly and cheaply. A hang fails the test after 10 s instead of blocking the run.
    /// </summary>
    private static async Task<ModelFormatException> Refused(byte[] file, Action<H5Reader>? use = null)
    {
        var attempt = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            ModelFormatException? refusal = null;
            try
            {
                using var reader = new H5Reader(file, new LoadContext("hostile.h5"), string.Empty);
                use?.Invoke(reader);
            }
            catch (ModelFormatException e)
            {
                refusal = e;
            }

            return (refusal, clock.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
        });
        (await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(10)))).Should().BeSameAs(attempt, "the reader must not hang");
        var (e, elapsed, allocated) = await attempt;
        e.Should().NotBeNull("the hostile file must be refused");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
        allocated.Should().BeLessThan(MaxAllocation, $"a {file.Length}-byte file must not cost more");
        e!.FilePath.Should().Be("hostile.h5");
        return e;
    }

    private static H5Reader Open(byte[] file) => new(file, new LoadContext("good.h5"), string.Empty);

    // A new-style file: root → group 'layers' → float32 dataset 'w' of shape [2], plus the extra root messages given.
    private static byte[] NewStyleFile(params (byte Type, byte[] Body)[] rootExtras)
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

    // An old-style file (h5py's default): the root's symbol table names the given entries through one tree node.
    private static byte[] OldStyleFile(Func<Hdf5Bytes, ulong[], (ulong, ulong, uint)[]> entries, params string[] names)
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

    [Fact]
    public void A_hand_built_new_style_file_is_read()
    {
        using var reader = Open(NewStyleFile());

        reader.IsGroup("layers").Should().BeTrue();
        reader.ChildNames("layers").Should().Equal("w");
        reader.ReadFloats("layers/w", new Shape(2), "test").Should().Equal(1.5f, -2f);
    }

    [Fact]
    public void A_hand_built_old_style_file_with_a_symbol_table_is_read()
    {
        var file = OldStyleFile(
            (f, offsets) =>
            {
                long data = f.Data(BitConverter.GetBytes(0.25f));
                long w = f.ObjectHeaderV1((Datatype, Float32), (Dataspace, Simple(1)), (Layout, Contiguous((ulong)data, 4)));
                return [(offsets[1], (ulong)w, 0)];
            },
            "w");
        using var reader = Open(file);

        reader.ChildNames(string.Empty).Should().Equal("w");
        reader.ReadFloats("w", new Shape(1), "test").Should().Equal(0.25f);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("passwd")]
    public async Task External_storage_message_is_refused_with_ModelFormatException(string target)
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        var (heap, _) = f.LocalHeap(target);
        long d = f.Ohdr((Datatype, UInt8), (Dataspace, Simple(64)), (Layout, Contiguous(ulong.MaxValue, 64)), (External, ExternalFiles((ulong)heap, 64)));
        long root = f.Ohdr((Link, HardLink("d", (ulong)d)));
        f.Resolve(1, root);

        var e = await Refused(f.Finish());

        e.Message.Should().Contain("external data files").And.Contain("another file");
    }

    [Fact]
    public async Task External_link_is_refused_with_ModelFormatException()
    {
        var e = await Refused(NewStyleFile((Link, ExternalLink("x", "/etc/passwd", "/"))));

        e.Message.Should().Contain("'x' is an external link");
    }

    [Fact]
    public async Task Virtual_dataset_layout_is_refused_with_ModelFormatException()
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long heap = f.GlobalHeap(Encoding.ASCII.GetBytes("/etc/passwd"));
        long v = f.Ohdr((Datatype, Float32), (Dataspace, Simple(4)), (Layout, Virtual((ulong)heap)));
        long root = f.Ohdr((Link, HardLink("v", (ulong)v)));
        f.Resolve(1, root);

        var e = await Refused(f.Finish());

        e.Message.Should().Contain("virtual dataset");
    }

    [Fact]
    public async Task Soft_link_to_itself_is_refused_with_ModelFormatException()
    {
        var e = await Refused(NewStyleFile((Link, SoftLink("self", "/self"))));

        e.Message.Should().Contain("'self' is a soft link");
    }

    [Fact]
    public async Task Soft_link_cycle_is_refused_with_ModelFormatException()
    {
        var e = await Refused(NewStyleFile((Link, SoftLink("a", "/b")), (Link, SoftLink("b", "/a"))));

        e.Message.Should().Contain("soft link");
    }

    [Fact]
    public async Task Soft_link_in_an_old_style_group_is_refused_with_ModelFormatException()
    {
        // h5py stores a soft link in a symbol-table group as an entry of cache type 2 with no object header.
        var e = await Refused(OldStyleFile((_, offsets) => [(offsets[1], ulong.MaxValue, 2)], "self"));

        e.Message.Should().Contain("'self' is a soft link");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Hard_link_group_cycle_is_refused_with_ModelFormatException(bool toRoot)
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long g = f.Ohdr((Link, HardLink("me", Hdf5Bytes.Placeholder(toRoot ? 1 : 2))));
        long root = f.Ohdr((Link, HardLink("g", (ulong)g)));
        f.Resolve(1, root);
        f.Resolve(2, g);

        var e = await Refused(f.Finish());

        e.Message.Should().Contain("/g/me").And.Contain("hard-link cycle");
    }

    [Fact]
    public async Task BTree_node_pointing_to_itself_is_refused_with_ModelFormatException()
    {
        var f = new Hdf5Bytes();
        f.SuperblockV0(Hdf5Bytes.Placeholder(1));
        var (heap, _) = f.LocalHeap(string.Empty);
        long tree = f.TreeNode(1, Hdf5Bytes.Placeholder(2));
        long root = f.ObjectHeaderV1((SymbolTable, Symbols((ulong)tree, (ulong)heap)));
        f.Resolve(1, root);
        f.Resolve(2, tree);

        var e = await Refused(f.Finish());

        e.Message.Should().Contain($"B-tree node at offset {tree}");
    }

    [Fact]
    public async Task BTree_node_pointing_to_its_ancestor_is_refused_with_ModelFormatException()
    {
        var f = new Hdf5Bytes();
        f.SuperblockV0(Hdf5Bytes.Placeholder(1));
        var (heap, _) = f.LocalHeap(string.Empty);
        long top = f.TreeNode(2, Hdf5Bytes.Placeholder(3));
        long middle = f.TreeNode(1, (ulong)top);
        long root = f.ObjectHeaderV1((SymbolTable, Symbols((ulong)top, (ulong)heap)));
        f.Resolve(1, root);
        f.Resolve(3, middle);

        var e = await Refused(f.Finish());

        e.Message.Should().Contain("B-tree node").And.Contain("reached twice");
    }

    [Fact]
    public async Task Symbol_table_node_pointing_at_the_root_is_refused_with_ModelFormatException()
    {
        var e = await Refused(OldStyleFile((_, offsets) => [(offsets[1], Hdf5Bytes.Placeholder(1), 1)], "loop"));

        e.Message.Should().Contain("'/loop' links back").And.Contain("hard-link cycle");
    }

    [Fact]
    public async Task Continuation_messages_pointing_at_each_other_are_refused_with_ModelFormatException()
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

        var e = await Refused(f.Finish());

        e.Message.Should().Contain($"continuation chunk at offset {a} is reached twice");
    }

    [Fact]
    public async Task A_long_chain_of_continuations_ending_in_a_loop_is_refused_in_linear_time()
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

        var e = await Refused(f.Finish());

        e.Message.Should().Contain("reached twice");
    }

    [Fact]
    public async Task Many_headers_sharing_one_long_continuation_chain_exhaust_the_work_budget()
    {
        // 2,000 headers each continuing into one chain of 20,000 chunks: decoding each header in full would walk
        // 40 million chunks (about a gigabyte) of a 0.6 MB file.
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

        var e = await Refused(f.Finish());

        e.Message.Should().Contain("structures overlap or loop");
    }

    [Fact]
    public async Task Chunked_layout_with_huge_chunk_dimensions_is_refused_without_allocating()
    {
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long d = f.Ohdr((Datatype, Float32), (Dataspace, Simple(20_000, 20_000)), (Layout, Chunked(20_000, 20_000, 4)));
        long root = f.Ohdr((Link, HardLink("d", (ulong)d)));
        f.Resolve(1, root);

        var e = await Refused(f.Finish());

        e.Message.Should().Contain("chunked dataset storage is not supported");
    }

    [Fact]
    public async Task Compressed_dataset_is_refused_with_ModelFormatException()
    {
        // A deflate filter (id 1, level 6): a decompressor sized by the file's claims is exactly what we avoid.
        byte[] deflate = [1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0];
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        long d = f.Ohdr((Datatype, Float32), (Dataspace, Simple(4)), (Layout, Contiguous(ulong.MaxValue, 0)), (FilterPipeline, deflate));
        long root = f.Ohdr((Link, HardLink("d", (ulong)d)));
        f.Resolve(1, root);

        var e = await Refused(f.Finish());

        e.Message.Should().Contain("at '/d'").And.Contain("filter pipeline with 1 filter(s)");
    }

    // A file whose group 'layers' keeps its links in dense storage (as h5py does past 8 links with libver='latest'):
    // a fractal heap of link messages and a one-leaf name index. `links` builds the link messages from the
    // address of an empty group they may point at; `tree` may replace the name index.
    private static byte[] DenseFile(Func<long, byte[][]> links, Func<Hdf5Bytes, byte[][], long>? tree = null)
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

    private static long LeafIndex(Hdf5Bytes f, byte[][] ids)
    {
        long leaf = f.BTreeV2Node(5, [.. ids.Select(NameRecord)]);
        return f.BTreeV2Header(5, 11, 0, (ulong)leaf, ids.Length, (ulong)ids.Length);
    }

    private static byte[][] Groups(long target, int count) => [.. Enumerable.Range(0, count).Select(i => HardLink($"dense_{i}", (ulong)target))];

    [Fact]
    public void Dense_link_storage_is_read()
    {
        using var reader = Open(DenseFile(empty => Groups(empty, 12)));

        reader.ChildNames("layers").Should().BeEquivalentTo(Enumerable.Range(0, 12).Select(i => $"dense_{i}"));
        reader.IsGroup("layers/dense_11").Should().BeTrue();
    }

    [Fact]
    public void Dense_attribute_storage_is_read()
    {
        // Ten attributes, as h5py with libver='latest' keeps them past 8: attribute messages in a fractal heap,
        // indexed by a v2 B-tree of type 8 (heap ID, message flags, creation order, name hash).
        byte[] FixedString(string text) => [0x13, 0, 0, 0, .. BitConverter.GetBytes((uint)text.Length)];
        var f = new Hdf5Bytes();
        f.SuperblockV2(Hdf5Bytes.Placeholder(1));
        var (heap, ids) = f.FractalHeap([.. Enumerable.Range(0, 10).Select(i => Attr($"a{i}", FixedString($"value{i}"), Scalar, Encoding.ASCII.GetBytes($"value{i}")))]);
        long leaf = f.BTreeV2Node(8, [.. ids.Select(id => (byte[])[.. id, 0, 0, 0, 0, 0, 0, 0, 0, 0])]);
        long index = f.BTreeV2Header(8, 16, 0, (ulong)leaf, ids.Length, (ulong)ids.Length);
        long root = f.Ohdr((AttributeInfo, DenseAttributeInfo((ulong)heap, (ulong)index)));
        f.Resolve(1, root);
        using var reader = Open(f.Finish());

        reader.ReadStringAttribute(string.Empty, "a7").Should().Be("value7");
        reader.ReadStringAttribute(string.Empty, "a10").Should().BeNull();
    }

    [Fact]
    public async Task Soft_link_in_dense_storage_is_refused_with_ModelFormatException()
    {
        var e = await Refused(DenseFile(empty => [.. Groups(empty, 9), SoftLink("loop", "/layers/loop")]));

        e.Message.Should().Contain("at '/layers'").And.Contain("'loop' is a soft link");
    }

    [Fact]
    public async Task Dense_name_index_node_pointing_to_itself_is_refused_with_ModelFormatException()
    {
        var file = DenseFile(
            empty => Groups(empty, 3),
            (f, ids) =>
            {
                long node = f.BTreeV2Node(5, [NameRecord(ids[0])], (Hdf5Bytes.Placeholder(4), 1), (Hdf5Bytes.Placeholder(4), 1));
                f.Resolve(4, node);
                return f.BTreeV2Header(5, 11, 1, (ulong)node, 1, 3);
            });

        var e = await Refused(file);

        e.Message.Should().Contain("v2 B-tree node").And.Contain("reached twice");
    }

    [Fact]
    public async Task Dense_name_index_claiming_more_records_than_its_node_holds_is_refused()
    {
        var file = DenseFile(
            empty => Groups(empty, 3),
            (f, ids) =>
            {
                long leaf = f.BTreeV2Node(5, [.. ids.Select(NameRecord)]);
                return f.BTreeV2Header(5, 11, 0, (ulong)leaf, 65_535, 65_535);
            });

        var e = await Refused(file);

        e.Message.Should().Contain("65535 records, more than a 512-byte node at depth 0 holds (45)");
    }

    [Fact]
    public async Task Dense_heap_ID_pointing_outside_its_block_is_refused()
    {
        var file = DenseFile(
            empty => Groups(empty, 3),
            (f, ids) =>
            {
                byte[] forged = [0, .. BitConverter.GetBytes(500u), .. BitConverter.GetBytes((ushort)60_000)];
                return LeafIndex(f, [ids[0], forged]);
            });

        var e = await Refused(file);

        e.Message.Should().Contain("object of 60000 bytes at heap offset 500 does not lie inside its 512-byte block");
    }

    // The bytes our own writer produces for a Dense(8) on 4 inputs: kernel [4, 8] (128 bytes) and bias [8].
    private static (Model Model, byte[] Bytes) WrittenWeights()
    {
        var model = new Sequential([new Input(4), new Dense(8)]);
        return (model, NativeWeights.Write(model));
    }

    private static int Find(byte[] haystack, byte[] needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        at.Should().BeGreaterThan(0, "the written file should hold the pattern being patched");
        return at;
    }

    [Fact]
    public async Task Dimensions_patched_huge_in_a_written_weights_file_are_refused_without_allocating()
    {
        var (model, bytes) = WrittenWeights();
        int at = Find(bytes, [.. U64(4), .. U64(8)]);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 20_000);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at + 8), 20_000);

        var e = await Refused(bytes, reader => NativeWeights.Read(reader, model, new WeightStage()));

        e.Message.Should().Contain("expected shape [4, 8], found [20000, 20000]");
    }

    [Fact]
    public async Task Contiguous_size_patched_beyond_the_file_is_refused()
    {
        var (_, bytes) = WrittenWeights();
        int at = Find(bytes, [.. U64(128)]);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 1UL << 40);

        var e = await Refused(bytes);

        e.Message.Should().Contain("contiguous data of 1099511627776 bytes").And.Contain("outside the");
    }

    private static byte[] FileWithStringAttribute(byte[] element, params byte[][] heapObjects)
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

    [Fact]
    public void A_variable_length_string_attribute_is_read_from_the_global_heap()
    {
        using var reader = Open(FileWithStringAttribute(VlenElement(5, 0, 1), Encoding.ASCII.GetBytes("dense")));

        reader.ReadStringAttribute(string.Empty, "name").Should().Be("dense");
    }

    [Theory]
    [InlineData(0x7FFF_FFFFu, "variable-length string of 2147483647 bytes")]
    [InlineData(5u, "no object 9")]
    public async Task Vlen_string_length_or_index_beyond_its_heap_object_is_refused(uint length, string expected)
    {
        var file = FileWithStringAttribute(VlenElement(length, 0, expected.Contains("object 9", StringComparison.Ordinal) ? 9u : 1u), Encoding.ASCII.GetBytes("dense"));

        var e = await Refused(file, reader => reader.ReadStringAttribute(string.Empty, "name"));

        e.Message.Should().Contain(expected).And.Contain("[/]");
    }

    [Theory]
    [InlineData(8, "collection size")]
    [InlineData(24, "object 1 claims")]
    public async Task Global_heap_sizes_beyond_the_file_are_refused(int field, string expected)
    {
        var file = FileWithStringAttribute(VlenElement(5, 0, 1), Encoding.ASCII.GetBytes("dense"));
        int gcol = Find(file, "GCOL"u8.ToArray());
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(gcol + field), 1UL << 40);

        var e = await Refused(file, reader => reader.ReadStringAttribute(string.Empty, "name"));

        e.Message.Should().Contain(expected);
    }

    [Fact]
    public async Task A_list_whose_strings_share_one_heap_object_is_refused_before_allocating_it_per_entry()
    {
        // 4,000 entries naming one 200 kB object would decode to 800 MB of text from a 260 kB file.
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

        var e = await Refused(f.Finish(), reader => reader.ReadStringListAttribute(string.Empty, "layer_names"));

        e.Message.Should().Contain("more text than the");
    }

    [Fact]
    public async Task Attribute_claiming_more_elements_than_its_message_holds_is_refused()
    {
        var e = await Refused(NewStyleFile((AttributeMessage, Attr("big", Float32, Simple(1UL << 40), new byte[8]))));

        e.Message.Should().Contain("attribute 'big' claims 1099511627776 elements");
    }

    private static byte[] NestedGroups(int depth)
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

    [Fact]
    public void Groups_nested_within_the_depth_limit_are_read()
    {
        using var reader = Open(NestedGroups(60));

        reader.IsGroup(string.Join('/', Enumerable.Repeat("g", 60))).Should().BeTrue();
    }

    [Fact]
    public async Task Groups_nested_beyond_the_depth_limit_are_refused_with_ModelFormatException()
    {
        var e = await Refused(NestedGroups(10_000));

        e.Message.Should().Contain("nested more than 64 groups deep");
    }

    [Fact]
    public void LoadWeights_refuses_a_weights_file_with_an_external_link_naming_file_and_link()
    {
        using var temp = SavingTestSupport.Temp();
        string path = temp.File("hostile.weights.h5");
        File.WriteAllBytes(path, NewStyleFile((Link, ExternalLink("vars", "/etc/passwd", "/"))));
        var model = new Sequential([new Input(4), new Dense(8)]);

        var act = () => model.LoadWeights(path);

        act.Should().Throw<ModelFormatException>().WithMessage($"{path}*not a readable HDF5 file*'vars' is an external link*");
    }
}
