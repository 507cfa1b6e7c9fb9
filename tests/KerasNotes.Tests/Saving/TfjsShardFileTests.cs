using System.Diagnostics;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// The shard files a TensorFlow.js manifest names are untrusted paths: after every symbolic link is followed they
/// must be regular files inside the model's folder, and nothing at such a path (or at the model path itself) may
/// make the load read another file or block. Links and FIFOs need a Unix file system; on Windows these tests pass vacuously.
/// </summary>
public sealed class TfjsShardFileTests
{
    private static readonly string s_fixture = SavingTestSupport.FixturePath("save_format", "tfjs_layers_model");

    /// <summary>A copy of the tfjs fixture in <c>&lt;temp&gt;/model</c>, with the manifest naming <paramref name="shardName"/>; returns model.json's path.</summary>
    private static string CopyModel(TempFolder temp, string shardName = "weights.bin", bool copyShard = true)
    {
        string folder = Path.Combine(temp.Path, "model");
        Directory.CreateDirectory(folder);
        string json = File.ReadAllText(Path.Combine(s_fixture, "model.json")).Replace("\"weights.bin\"", $"\"{shardName}\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "model.json"), json);
        if (copyShard)
        {
            File.Copy(Path.Combine(s_fixture, "weights.bin"), Path.Combine(folder, "weights.bin"));
        }

        return Path.Combine(folder, "model.json");
    }

    /// <summary>Loads on another thread so a hang fails the test instead of stalling the run; the refusal must come within a second.</summary>
    private static ModelFormatException RefusedQuickly(string path)
    {
        Model.Load(Path.Combine(s_fixture, "model.json")); // warm the loader so the bound measures the refusal, not the JIT
        var attempt = Task.Run(() =>
        {
            var sw = Stopwatch.StartNew();
            try
            {
                Model.Load(path);
                return ((Exception?)null, sw.ElapsedMilliseconds);
            }
            catch (Exception e)
            {
                return (e, sw.ElapsedMilliseconds);
            }
        });
        attempt.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue("loading a hostile tfjs model must not hang");
        var (error, ms) = attempt.Result;
        error.Should().BeOfType<ModelFormatException>();
        ms.Should().BeLessThan(1000);
        return (ModelFormatException)error!;
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        mkfifo.ExitCode.Should().Be(0);
    }

    [Fact]
    public void Shard_symlink_to_an_absolute_path_outside_the_model_folder_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        string model = CopyModel(temp, "evil.bin");
        File.CreateSymbolicLink(Path.Combine(Path.GetDirectoryName(model)!, "evil.bin"), "/etc/passwd");
        var e = RefusedQuickly(model);
        e.Message.Should().Contain("outside the model's folder").And.Contain("evil.bin");
        e.Entry.Should().Be("evil.bin");
    }

    [Fact]
    public void Shard_symlink_to_a_relative_path_outside_the_model_folder_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        string model = CopyModel(temp, "evil.bin");
        File.Copy(Path.Combine(s_fixture, "weights.bin"), temp.File("outside.bin"));
        File.CreateSymbolicLink(Path.Combine(Path.GetDirectoryName(model)!, "evil.bin"), "../outside.bin");
        RefusedQuickly(model).Message.Should().Contain("outside the model's folder");
    }

    [Fact]
    public void Shard_symlink_chain_that_leaves_the_model_folder_in_its_last_hop_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        string model = CopyModel(temp, "first.bin");
        string folder = Path.GetDirectoryName(model)!;
        File.Copy(Path.Combine(s_fixture, "weights.bin"), temp.File("outside.bin"));
        File.CreateSymbolicLink(Path.Combine(folder, "second.bin"), "../outside.bin");
        File.CreateSymbolicLink(Path.Combine(folder, "first.bin"), "second.bin");
        RefusedQuickly(model).Message.Should().Contain("outside the model's folder");
    }

    [Fact]
    public void Shard_symlink_through_a_linked_subfolder_that_leaves_the_model_folder_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        string model = CopyModel(temp, "evil.bin");
        string folder = Path.GetDirectoryName(model)!;
        Directory.CreateDirectory(temp.File("elsewhere"));
        File.Copy(Path.Combine(s_fixture, "weights.bin"), Path.Combine(temp.File("elsewhere"), "w.bin"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "sub"), temp.File("elsewhere"));
        File.CreateSymbolicLink(Path.Combine(folder, "evil.bin"), "sub/w.bin");
        RefusedQuickly(model).Message.Should().Contain("outside the model's folder");
    }

    [Fact]
    public void Shard_symlink_loop_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        string model = CopyModel(temp, "a.bin");
        string folder = Path.GetDirectoryName(model)!;
        File.CreateSymbolicLink(Path.Combine(folder, "a.bin"), "b.bin");
        File.CreateSymbolicLink(Path.Combine(folder, "b.bin"), "a.bin");
        RefusedQuickly(model).Message.Should().Contain("does not resolve");
    }

    [Fact]
    public void Shard_named_like_a_folder_is_refused()
    {
        using var temp = SavingTestSupport.Temp();
        string model = CopyModel(temp, "shard.bin");
        Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(model)!, "shard.bin"));
        RefusedQuickly(model).Message.Should().Contain("is a folder");
    }

    [Fact]
    public void Shard_that_is_a_FIFO_is_refused_without_blocking()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        string model = CopyModel(temp, "fifo.bin");
        MakeFifo(Path.Combine(Path.GetDirectoryName(model)!, "fifo.bin"));
        RefusedQuickly(model).Message.Should().Contain("not a regular file");
    }

    [Fact]
    public void Shard_symlink_to_a_device_is_refused_without_reading_it()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/dev/zero"))
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        string model = CopyModel(temp, "zero.bin");
        File.CreateSymbolicLink(Path.Combine(Path.GetDirectoryName(model)!, "zero.bin"), "/dev/zero");
        RefusedQuickly(model);
    }

    [Fact]
    public void Model_path_that_is_a_FIFO_is_refused_without_blocking()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        MakeFifo(temp.File("model.json"));
        RefusedQuickly(temp.File("model.json")).Message.Should().Contain("not a regular file");
        var target = new Sequential(new Input(3), new Dense(2));
        var act = () => target.LoadWeights(temp.File("model.json"));
        act.Should().Throw<ModelFormatException>();
    }

    [Fact]
    public void Shard_symlink_to_a_shard_inside_the_model_folder_still_loads()
    {
        using var temp = SavingTestSupport.Temp();
        string model = CopyModel(temp, "link.bin");
        string folder = Path.GetDirectoryName(model)!;
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path.Combine(folder, "shards"));
            File.Move(Path.Combine(folder, "weights.bin"), Path.Combine(folder, "shards", "weights.bin"));
            File.CreateSymbolicLink(Path.Combine(folder, "middle.bin"), "shards/weights.bin");
            File.CreateSymbolicLink(Path.Combine(folder, "link.bin"), "middle.bin");
        }
        else
        {
            File.Move(Path.Combine(folder, "weights.bin"), Path.Combine(folder, "link.bin"));
        }

        var loaded = Model.Load(model);
        var reference = Model.Load(Path.Combine(s_fixture, "model.json"));
        loaded.GetWeights().Select(w => w.ToArray()).Should().BeEquivalentTo(reference.GetWeights().Select(w => w.ToArray()), o => o.WithStrictOrdering());
    }
}
