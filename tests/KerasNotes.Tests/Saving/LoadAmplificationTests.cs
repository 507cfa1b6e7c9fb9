using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving.Files;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// What an outside attack on model loading found: small files that made the loader read another file in a race,
/// read one shard thousands of times, inflate a gigabyte of JSON, decode one group again and again, or name
/// metrics in quadratic time. Each is now refused (or cheap) and stays so.
/// </summary>
[Collection(TimedRuns.Name)]
public sealed class LoadAmplificationTests
{
    private static readonly string s_tfjs = SavingTestSupport.FixturePath("save_format", "tfjs_layers_model");

    [Fact]
    public void A_shard_opened_outside_the_folder_it_was_checked_in_is_refused_after_the_open()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // What a swapped folder achieves: the check saw a file inside the model's folder, the open reached one
        // outside it. The post-open check asks the kernel where the opened file is.
        using var temp = SavingTestSupport.Temp();
        string folder = Directory.CreateDirectory(Path.Combine(temp.Path, "model")).FullName;
        string outside = temp.File("secret.bin");
        File.WriteAllBytes(outside, new byte[16]);
        var checkedFile = new UntrustedFile.Resolved(outside, 16, folder);
        var buffer = new byte[16];
        var act = () => UntrustedFile.ReadExactly(checkedFile, buffer, reason => new ModelFormatException(outside, "secret.bin", reason));
        act.Should().Throw<ModelFormatException>().WithMessage("*outside the model's folder*");
    }

    [Fact]
    public void A_tfjs_shard_listed_many_times_is_refused_before_anything_is_read()
    {
        using var temp = SavingTestSupport.Temp();
        string folder = Directory.CreateDirectory(Path.Combine(temp.Path, "model")).FullName;
        File.Copy(Path.Combine(s_tfjs, "weights.bin"), Path.Combine(folder, "weights.bin"));
        string many = string.Join(", ", Enumerable.Repeat("\"weights.bin\"", 16_000));
        string json = File.ReadAllText(Path.Combine(s_tfjs, "model.json")).Replace("\"weights.bin\"", many, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "model.json"), json);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var act = () => Model.Load(Path.Combine(folder, "model.json"));
        act.Should().Throw<ModelFormatException>().WithMessage("*listed more than once*");
        sw.ElapsedMilliseconds.Should().BeLessThan(5_000);
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(100L << 20);
    }

    [Fact]
    public void A_deflate_bomb_config_is_refused_without_being_inflated()
    {
        using var temp = SavingTestSupport.Temp();
        var spaces = new byte[64 << 20];
        spaces.AsSpan().Fill((byte)' ');
        spaces[0] = (byte)'{';
        spaces[^1] = (byte)'}';
        byte[] archive = HostileArchives.Archive(
            ("metadata.json", "{}"u8.ToArray()), ("config.json", spaces), ("model.weights.h5", HostileArchives.EmptyWeights));
        archive.Length.Should().BeLessThan(1 << 20, "64 MiB of spaces deflate to well under a megabyte");
        string path = temp.File("bomb.keras");
        File.WriteAllBytes(path, archive);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var act = () => Model.Load(path);
        act.Should().Throw<ModelFormatException>().WithMessage("*zip bomb*not inflated*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(16L << 20, "nothing may be inflated");
    }

    [Fact]
    public void LoadWeights_from_a_keras_archive_does_not_inflate_its_config()
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel();
        string path = temp.File("model.keras");
        model.Save(path);

        // A config member that is not even JSON: weights alone never read it.
        byte[] weights;
        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("model.weights.h5")!.Open())
        using (var copy = new MemoryStream())
        {
            s.CopyTo(copy);
            weights = copy.ToArray();
        }

        string odd = temp.File("odd.keras");
        File.WriteAllBytes(odd, HostileArchives.StoredArchive(("config.json", "not json at all"u8.ToArray()), ("model.weights.h5", weights)));
        var fresh = SavingTestSupport.SmallModel();
        fresh.LoadWeights(odd);
        SavingTestSupport.AssertSameWeights(model, fresh);
    }

    [Fact]
    public void A_legacy_file_listing_one_layer_many_times_is_refused_before_decoding_it_again_and_again()
    {
        // Built with h5py's layout by our own writer: a legacy weights file whose layer_names repeats 'a'.
        var model = new Sequential(new Input(3), new Dense(2, name: "a"));
        var bytes = LegacyWeightsFile(Enumerable.Repeat("a", 2_000).ToArray());
        using var temp = SavingTestSupport.Temp();
        string path = temp.File("repeat.h5");
        File.WriteAllBytes(path, bytes);
        var sw = Stopwatch.StartNew();
        var act = () => model.LoadWeights(path);
        act.Should().Throw<ModelFormatException>().WithMessage("*layer count mismatch*");
        sw.ElapsedMilliseconds.Should().BeLessThan(2_000);

        var twice = LegacyWeightsFile(["a", "a"]);
        File.WriteAllBytes(path, twice);
        act.Should().Throw<ModelFormatException>().WithMessage("*lists 'a' more than once*");
    }

    // A legacy (Keras 2) weights file: root attribute layer_names, one group per name with weight_names, written
    // with PureHDF in the layout Keras 2 uses.
    private static byte[] LegacyWeightsFile(string[] layerNames)
    {
        var file = new PureHDF.H5File { Attributes = new() { ["layer_names"] = layerNames, ["backend"] = "tensorflow", ["keras_version"] = "2.15.0" } };
        file["a"] = new PureHDF.H5Group
        {
            Attributes = new() { ["weight_names"] = new[] { "a/kernel:0", "a/bias:0" } },
            ["a"] = new PureHDF.H5Group
            {
                ["kernel:0"] = new float[3, 2],
                ["bias:0"] = new float[2],
            },
        };
        using var stream = new MemoryStream();
        file.Write(stream);
        return stream.ToArray();
    }

    [Fact]
    public void Compiling_with_a_hundred_thousand_metrics_of_one_name_takes_linear_time()
    {
        var model = new Sequential(new Input(3), new Dense(2, activation: "softmax"));
        var metrics = Enumerable.Repeat<object>("accuracy", 100_000).ToArray();
        var sw = Stopwatch.StartNew();
        model.Compile("adam", "sparse_categorical_crossentropy", metrics);
        sw.ElapsedMilliseconds.Should().BeLessThan(5_000);
        model.MetricsNames.Should().Contain("accuracy_99999");
    }
}
