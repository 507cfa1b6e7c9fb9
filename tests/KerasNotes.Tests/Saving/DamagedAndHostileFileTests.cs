using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Damaged and hostile files raise ModelFormatException (with the path, the entry and what was wrong), never
/// another exception type, and a failed load leaves the target model exactly as it was.
/// </summary>
public sealed class DamagedAndHostileFileTests
{
    private static string SaveSmall(TempFolder temp, string name = "good.keras")
    {
        var model = SavingTestSupport.SmallModel(dropout: false);
        var (x, y) = SavingTestSupport.SmallData(16);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        string path = temp.File(name);
        model.Save(path);
        return path;
    }

    private static Dictionary<string, byte[]> Members(string archive)
    {
        using var zip = ZipFile.OpenRead(archive);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return ms.ToArray();
        });
    }

    private static string WriteArchive(TempFolder temp, string name, IEnumerable<(string Name, byte[] Data)> members)
    {
        string path = temp.File(name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (member, data) in members)
        {
            using var s = zip.CreateEntry(member, CompressionLevel.NoCompression).Open();
            s.Write(data);
        }

        return path;
    }

    private static ModelFormatException LoadFails(string path)
    {
        var act = () => Model.Load(path);
        return act.Should().Throw<ModelFormatException>().Which;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(30)]
    [InlineData(500)]
    [InlineData(-22)]
    [InlineData(-1)]
    public void A_truncated_archive_is_refused(int keep)
    {
        using var temp = SavingTestSupport.Temp();
        var bytes = File.ReadAllBytes(SaveSmall(temp));
        int length = keep >= 0 ? keep : bytes.Length + keep;
        File.WriteAllBytes(temp.File("cut.keras"), bytes[..length]);

        var e = LoadFails(temp.File("cut.keras"));
        e.FilePath.Should().Be(temp.File("cut.keras"));
        e.Message.Should().StartWith(temp.File("cut.keras"));
    }

    [Fact]
    public void A_file_with_the_wrong_magic_is_refused_as_such()
    {
        using var temp = SavingTestSupport.Temp();
        File.WriteAllText(temp.File("notes.keras"), "these are not the weights you are looking for");
        LoadFails(temp.File("notes.keras")).Message.Should().Contain("wrong magic");

        var model = new Sequential(new Input(2), new Dense(1));
        ((Action)(() => model.LoadWeights(temp.File("notes.keras")))).Should().Throw<ModelFormatException>().WithMessage("*wrong magic*");
    }

    [Theory]
    [InlineData("../config.json")]
    [InlineData("a/../../etc/passwd")]
    [InlineData("/abs/path")]
    [InlineData("c:evil")]
    [InlineData("dir\\x")]
    public void A_member_with_an_unsafe_path_is_refused(string memberName)
    {
        using var temp = SavingTestSupport.Temp();
        var members = Members(SaveSmall(temp)).Select(kv => (kv.Key, kv.Value)).Append((memberName, new byte[] { 1, 2, 3 }));
        var e = LoadFails(WriteArchive(temp, "evil.keras", members));
        e.Entry.Should().Be(memberName);
        e.Message.Should().Contain("unsafe member path");
    }

    [Fact]
    public void A_duplicate_member_is_refused()
    {
        using var temp = SavingTestSupport.Temp();
        var members = Members(SaveSmall(temp)).Select(kv => (kv.Key, kv.Value)).ToList();
        members.Add(("config.json", Encoding.UTF8.GetBytes("{}")));
        LoadFails(WriteArchive(temp, "dup.keras", members)).Message.Should().Contain("twice");
    }

    [Theory]
    [InlineData(0x7FFF_FFFFu)]
    [InlineData(0xFFFF_FFFEu)]
    [InlineData(50_000_000u)]
    public void A_member_declaring_a_huge_size_is_refused_before_inflating(uint declared)
    {
        using var temp = SavingTestSupport.Temp();
        var bytes = File.ReadAllBytes(SaveSmall(temp));
        // Patch the uncompressed size of config.json in the central directory (what readers trust).
        int at = IndexOf(bytes, "PK\u0001\u0002"u8, "config.json"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 24), declared);
        File.WriteAllBytes(temp.File("bomb.keras"), bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = LoadFails(temp.File("bomb.keras"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        e.Entry.Should().Be("config.json");
        e.Message.Should().Contain("zip bomb");
        allocated.Should().BeLessThan(16L << 20, "nothing is inflated or allocated from the declared size");
    }

    [Fact]
    public void A_deflated_member_that_inflates_beyond_its_declared_size_is_refused()
    {
        using var temp = SavingTestSupport.Temp();
        var members = Members(SaveSmall(temp));
        string path = temp.File("deflated.keras");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, data) in members)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                s.Write(data);
            }
        }

        Model.Load(path).Should().NotBeNull("a deflated archive is still a valid one");
        var bytes = File.ReadAllBytes(path);
        int at = IndexOf(bytes, "PK\u0001\u0002"u8, "config.json"u8);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 24));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 24), size - 10);
        File.WriteAllBytes(path, bytes);
        LoadFails(path).Entry.Should().Be("config.json");
    }

    [Theory]
    [InlineData("[]", "expected an object")]
    [InlineData("{\"class_name\": 5}", "expected a string")]
    [InlineData("{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"layers\": 7}}", "$.config.layers: expected a list")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": \"many\"}}]}}", "$.config.layers[0].config.units: expected a number")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": -3}}]}}", "units")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Conv3D\", \"config\": {}}]}}", "unknown class 'Conv3D'")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Conv2D\", \"config\": {}}]}}", "$.config.layers[0].config.filters: expected a number")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"activation\": \"os.system\"}}]}}", "os.system")]
    [InlineData("{\"class_name\": \"Functional\", \"config\": {}}", "functional")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 2}}], \"build_input_shape\": [null, 0]}}", "positive dimension")]
    [InlineData("{\"class_name\": \"Seq", "not valid JSON")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 784]}}, {\"class_name\": \"Dense\", \"config\": {\"units\": 2000000000}}]}}", "more than the file's")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 100000, 100000]}}, {\"class_name\": \"Flatten\", \"config\": {}}]}}", "not plausible")]
    public void A_config_of_the_wrong_shape_is_refused_with_the_JSON_path(string config, string expected)
    {
        using var temp = SavingTestSupport.Temp();
        var members = Members(SaveSmall(temp));
        members["config.json"] = Encoding.UTF8.GetBytes(config);
        var e = LoadFails(WriteArchive(temp, "bad.keras", members.Select(kv => (kv.Key, kv.Value))));
        e.Entry.Should().Be("config.json");
        e.Message.Should().Contain(expected);
    }

    [Fact]
    public void A_deeply_nested_config_is_refused_without_exhausting_the_stack()
    {
        using var temp = SavingTestSupport.Temp();
        var members = Members(SaveSmall(temp));
        members["config.json"] = Encoding.UTF8.GetBytes(new string('[', 100_000) + new string(']', 100_000));
        LoadFails(WriteArchive(temp, "deep.keras", members.Select(kv => (kv.Key, kv.Value)))).Message.Should().Contain("JSON");
    }

    [Fact]
    public void Weights_that_do_not_fit_the_config_are_refused_naming_layer_and_shapes()
    {
        using var temp = SavingTestSupport.Temp();
        var good = Members(SaveSmall(temp));
        var other = new Sequential(new Input(5), new Dense(8), new BatchNormalization(), new Dense(3));
        other.Save(temp.File("other.keras"));
        good["model.weights.h5"] = Members(temp.File("other.keras"))["model.weights.h5"];

        var e = LoadFails(WriteArchive(temp, "mismatch.keras", good.Select(kv => (kv.Key, kv.Value))));
        e.Entry.Should().Be("model.weights.h5:/layers/dense/vars/0");
        e.Message.Should().Contain("(Dense) weight 0 'kernel': expected shape [4, 8], found [5, 8]");
    }

    [Fact]
    public void A_failed_LoadWeights_leaves_every_weight_and_the_optimizer_as_they_were()
    {
        using var temp = SavingTestSupport.Temp();
        var source = new Sequential(new Input(4), new Dense(8), new BatchNormalization(), new Dense(2));
        source.SaveWeights(temp.File("w.weights.h5"));

        // Same first two layers, a last layer of another size: the first layers fit, the last does not.
        var target = new Sequential(new Input(4), new Dense(8), new BatchNormalization(), new Dense(3));
        target.Compile(optimizer: "adam", loss: "mse");
        var (x, _) = SavingTestSupport.SmallData(8);
        target.Fit(x, Tensor.Zeros(8, 3), batchSize: 8, epochs: 1, verbose: 0);
        var before = target.GetWeights();
        var slots = target.Optimizer!.SlotVariables.Select(s => s.Value.ToArray()).ToList();
        long iterations = target.Optimizer.Iterations;

        var act = () => target.LoadWeights(temp.File("w.weights.h5"));
        var e = act.Should().Throw<ModelFormatException>().Which;
        e.Message.Should().Contain($"layer '{target.Layers[2].Name}' (Dense) weight 0 'kernel': expected shape [8, 3], found [8, 2]");

        var after = target.GetWeights();
        for (int i = 0; i < before.Count; i++)
        {
            TensorAssert.BitEqual(before[i].AsSpan(), after[i].AsSpan(), $"weight {i}");
        }

        target.Optimizer.Iterations.Should().Be(iterations);
        for (int i = 0; i < slots.Count; i++)
        {
            TensorAssert.BitEqual(slots[i], target.Optimizer.SlotVariables[i].Value.AsSpan(), $"slot {i}");
        }
    }

    [Fact]
    public void LoadWeights_into_a_model_with_fewer_layers_names_the_extra_group()
    {
        using var temp = SavingTestSupport.Temp();
        new Sequential(new Input(4), new Dense(3), new Dense(2)).SaveWeights(temp.File("w.weights.h5"));
        var small = new Sequential(new Input(4), new Dense(3));
        var act = () => small.LoadWeights(temp.File("w.weights.h5"));
        act.Should().Throw<ModelFormatException>().WithMessage("*'dense_1'*does not have*");
    }

    [Fact]
    public void LoadWeights_of_a_legacy_file_into_a_model_with_another_layer_count_is_refused()
    {
        var model = new Sequential(new Input(3), new Dense(4), new Dense(2));
        var act = () => model.LoadWeights(SavingTestSupport.FixturePath("save_format", "legacy_keras2_model.h5"));
        act.Should().Throw<ModelFormatException>().WithMessage("*layer count mismatch*3 layers*2 layers*");
    }

    [Fact]
    public void SaveWeights_needs_the_weights_h5_extension_and_a_built_model()
    {
        var model = new Sequential(new Input(3), new Dense(2));
        ((Action)(() => model.SaveWeights("model.h5"))).Should().Throw<ArgumentException>().WithParameterName("path").WithMessage("*.weights.h5*model.h5*");
        var unbuilt = new Sequential(new Dense(2));
        ((Action)(() => unbuilt.SaveWeights("x.weights.h5"))).Should().Throw<InvalidOperationException>().WithMessage("*not built*");
    }

    [Fact]
    public void A_TensorFlow_js_manifest_pointing_outside_its_folder_is_refused()
    {
        using var temp = SavingTestSupport.Temp();
        string folder = SavingTestSupport.FixturePath("save_format", "tfjs_layers_model");
        string json = File.ReadAllText(Path.Combine(folder, "model.json")).Replace("\"weights.bin\"", "\"../weights.bin\"", StringComparison.Ordinal);
        File.WriteAllText(temp.File("model.json"), json);
        LoadFails(temp.File("model.json")).Message.Should().Contain("not a plain file name");

        File.WriteAllText(temp.File("model.json"), File.ReadAllText(Path.Combine(folder, "model.json")));
        File.WriteAllBytes(temp.File("weights.bin"), File.ReadAllBytes(Path.Combine(folder, "weights.bin"))[..100]);
        LoadFails(temp.File("model.json")).Message.Should().Contain("more than the file's 100 bytes of weights can hold");
        var model = new Sequential(new Input(3), new Dense(4, name: "dense"), new BatchNormalization(name: "batch_normalization"), new Dense(2, name: "dense_1"));
        ((Action)(() => model.LoadWeights(temp.File("model.json")))).Should().Throw<ModelFormatException>().WithMessage("*168 bytes of weights, the files hold 100*");
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> name)
    {
        for (int i = 0; i + 46 + name.Length <= bytes.Length; i++)
        {
            if (bytes.AsSpan(i).StartsWith(signature) && bytes.AsSpan(i + 46).StartsWith(name))
            {
                return i;
            }
        }

        throw new InvalidOperationException("central directory entry not found");
    }
}
