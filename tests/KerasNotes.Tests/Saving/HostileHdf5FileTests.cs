using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using static KerasNotes.Tests.Saving.Hdf5Messages;
using H5Reader = KerasNotes.Saving.Hdf5.H5Reader;
using NativeWeights = KerasNotes.Saving.Hdf5.NativeWeights;

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

    private const int Hdf5SuperblockV0Length = 96;

    private static H5Reader Open(byte[] file) => new(file, new LoadContext("good.h5"), string.Empty);

    private static byte[] NewStyleFile(params (byte Type, byte[] Body)[] rootExtras) => HostileHdf5Files.NewStyleFile(rootExtras);

    private static byte[] OldStyleFile(Func<Hdf5Bytes, ulong[], (ulong, ulong, uint)[]> entries, params string[] names) =>
        HostileHdf5Files.OldStyleFile(entries, names);

    private static Task<ModelFormatException> RefusedAttack(string name, Action<H5Reader>? use = null) => Refused(HostileHdf5Files.Bytes(name), use);

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
    [InlineData("external-storage-absolute")]
    [InlineData("external-storage-relative")]
    public async Task External_storage_message_is_refused_with_ModelFormatException(string attack)
    {
        var e = await RefusedAttack(attack);

        e.Message.Should().Contain("external data files").And.Contain("another file");
    }

    [Fact]
    public async Task External_link_is_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("external-link");

        e.Message.Should().Contain("'x' is an external link");
    }

    [Fact]
    public async Task Virtual_dataset_layout_is_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("virtual-dataset");

        e.Message.Should().Contain("virtual dataset");
    }

    [Fact]
    public async Task Soft_link_to_itself_is_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("soft-link-self");

        e.Message.Should().Contain("'self' is a soft link");
    }

    [Fact]
    public async Task Soft_link_cycle_is_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("soft-link-cycle");

        e.Message.Should().Contain("soft link");
    }

    [Fact]
    public async Task Soft_link_in_an_old_style_group_is_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("soft-link-old-style");

        e.Message.Should().Contain("'self' is a soft link");
    }

    [Theory]
    [InlineData("hard-link-cycle-group")]
    [InlineData("hard-link-cycle-root")]
    public async Task Hard_link_group_cycle_is_refused_with_ModelFormatException(string attack)
    {
        var e = await RefusedAttack(attack);

        e.Message.Should().Contain("/g/me").And.Contain("hard-link cycle");
    }

    [Fact]
    public async Task BTree_node_pointing_to_itself_is_refused_with_ModelFormatException()
    {
        byte[] file = HostileHdf5Files.Bytes("btree-node-self");
        int tree = HostileHdf5Files.Find(file, "TREE"u8.ToArray());

        var e = await Refused(file);

        e.Message.Should().Contain($"B-tree node at offset {tree}");
    }

    [Fact]
    public async Task BTree_node_pointing_to_its_ancestor_is_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("btree-node-ancestor");

        e.Message.Should().Contain("B-tree node").And.Contain("reached twice");
    }

    [Fact]
    public async Task Symbol_table_node_pointing_at_the_root_is_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("snod-points-at-root");

        e.Message.Should().Contain("'/loop' links back").And.Contain("hard-link cycle");
    }

    [Fact]
    public async Task Continuation_messages_pointing_at_each_other_are_refused_with_ModelFormatException()
    {
        // The first chunk lies right after the root's one-message v1 header (16 + 8 + 16 bytes) past the superblock.
        byte[] file = HostileHdf5Files.Bytes("continuation-loop");
        long a = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(Hdf5SuperblockV0Length + 24));

        var e = await Refused(file);

        e.Message.Should().Contain($"continuation chunk at offset {a} is reached twice");
    }

    [Fact]
    public async Task A_long_chain_of_continuations_ending_in_a_loop_is_refused_in_linear_time()
    {
        var e = await RefusedAttack("continuation-long-chain-loop");

        e.Message.Should().Contain("reached twice");
    }

    [Fact]
    public async Task Many_headers_sharing_one_long_continuation_chain_exhaust_the_work_budget()
    {
        var e = await RefusedAttack("continuation-shared-chain");

        e.Message.Should().Contain("structures overlap or loop");
    }

    [Fact]
    public async Task Chunked_layout_with_huge_chunk_dimensions_is_refused_without_allocating()
    {
        var e = await RefusedAttack("chunked-huge-dimensions");

        e.Message.Should().Contain("chunked dataset storage is not supported");
    }

    [Fact]
    public async Task Compressed_dataset_is_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("compressed-dataset");

        e.Message.Should().Contain("at '/d'").And.Contain("filter pipeline with 1 filter(s)");
    }

    private static byte[] DenseFile(Func<long, byte[][]> links) => HostileHdf5Files.DenseFile(links);

    private static byte[][] Groups(long target, int count) => HostileHdf5Files.Groups(target, count);

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
        var e = await RefusedAttack("dense-soft-link");

        e.Message.Should().Contain("at '/layers'").And.Contain("'loop' is a soft link");
    }

    [Fact]
    public async Task Dense_name_index_node_pointing_to_itself_is_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("dense-index-node-self");

        e.Message.Should().Contain("v2 B-tree node").And.Contain("reached twice");
    }

    [Fact]
    public async Task Dense_name_index_claiming_more_records_than_its_node_holds_is_refused()
    {
        var e = await RefusedAttack("dense-index-too-many-records");

        e.Message.Should().Contain("65535 records, more than a 512-byte node at depth 0 holds (45)");
    }

    [Fact]
    public async Task Dense_heap_ID_pointing_outside_its_block_is_refused()
    {
        var e = await RefusedAttack("dense-heap-id-outside-block");

        e.Message.Should().Contain("object of 60000 bytes at heap offset 500 does not lie inside its 512-byte block");
    }

    [Fact]
    public async Task Dimensions_patched_huge_in_a_written_weights_file_are_refused_without_allocating()
    {
        var (model, _) = HostileHdf5Files.WrittenWeights();

        var e = await RefusedAttack("dimensions-patched-huge", reader => NativeWeights.Read(reader, model, new WeightStage()));

        e.Message.Should().Contain("expected shape [4, 8], found [20000, 20000]");
    }

    [Fact]
    public async Task Contiguous_size_patched_beyond_the_file_is_refused()
    {
        var e = await RefusedAttack("contiguous-size-beyond-file");

        e.Message.Should().Contain("contiguous data of 1099511627776 bytes").And.Contain("outside the");
    }

    private static byte[] FileWithStringAttribute(byte[] element, params byte[][] heapObjects) =>
        HostileHdf5Files.FileWithStringAttribute(element, heapObjects);

    [Fact]
    public void A_variable_length_string_attribute_is_read_from_the_global_heap()
    {
        using var reader = Open(FileWithStringAttribute(VlenElement(5, 0, 1), Encoding.ASCII.GetBytes("dense")));

        reader.ReadStringAttribute(string.Empty, "name").Should().Be("dense");
    }

    [Theory]
    [InlineData("vlen-string-huge-length", "variable-length string of 2147483647 bytes")]
    [InlineData("vlen-string-missing-object", "no object 9")]
    public async Task Vlen_string_length_or_index_beyond_its_heap_object_is_refused(string attack, string expected)
    {
        var e = await RefusedAttack(attack, reader => reader.ReadStringAttribute(string.Empty, "name"));

        e.Message.Should().Contain(expected).And.Contain("[/]");
    }

    [Theory]
    [InlineData("global-heap-collection-size-huge", "collection size")]
    [InlineData("global-heap-object-size-huge", "object 1 claims")]
    public async Task Global_heap_sizes_beyond_the_file_are_refused(string attack, string expected)
    {
        var e = await RefusedAttack(attack, reader => reader.ReadStringAttribute(string.Empty, "name"));

        e.Message.Should().Contain(expected);
    }

    [Fact]
    public async Task A_list_whose_strings_share_one_heap_object_is_refused_before_allocating_it_per_entry()
    {
        var e = await RefusedAttack("string-list-sharing-one-heap-object", reader => reader.ReadStringListAttribute(string.Empty, "layer_names"));

        e.Message.Should().Contain("more text than the");
    }

    [Fact]
    public async Task Attribute_claiming_more_elements_than_its_message_holds_is_refused()
    {
        var e = await RefusedAttack("attribute-huge-element-count");

        e.Message.Should().Contain("attribute 'big' claims 1099511627776 elements");
    }

    [Fact]
    public void Groups_nested_within_the_depth_limit_are_read()
    {
        using var reader = Open(HostileHdf5Files.NestedGroups(60));

        reader.IsGroup(string.Join('/', Enumerable.Repeat("g", 60))).Should().BeTrue();
    }

    [Fact]
    public async Task Groups_nested_beyond_the_depth_limit_are_refused_with_ModelFormatException()
    {
        var e = await RefusedAttack("groups-nested-too-deep");

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
