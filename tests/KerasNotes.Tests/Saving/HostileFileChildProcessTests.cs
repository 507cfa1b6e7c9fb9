using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using KerasNotes.Saving.Json;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Hostile files loaded in a child process (see <see cref="HostileFile"/>): each must be refused with
/// ModelFormatException (or, for the long model, load) within a time and memory bound, and must never hang or
/// crash the process. New attack files plug in with <see cref="HostileFile.AssertRefusedInChildProcess"/>.
/// </summary>
[Collection(TimedRuns.Name)]
public sealed class HostileFileChildProcessTests(ITestOutputHelper output)
{
    private static readonly string s_tfjsFixture = SavingTestSupport.FixturePath("save_format", "tfjs_layers_model");

    public static TheoryData<string, bool> NestedMembers => new()
    {
        { "config.json", false },
        { "config.json", true },
        { "metadata.json", false },
        { "metadata.json", true },
    };

    [Theory]
    [MemberData(nameof(NestedMembers))]
    public void Deeply_nested_JSON_in_a_keras_archive_is_refused_without_overflowing_the_stack(string member, bool objects)
    {
        using var temp = SavingTestSupport.Temp();
        byte[] nested = HostileArchives.DeeplyNested(100_000, objects);
        // Stored, as Keras stores members: deflated, 100,000 brackets would be refused as a zip bomb before the
        // JSON parser is reached, and the parser's depth limit is what this test is about.
        byte[] archive = member == "config.json"
            ? HostileArchives.StoredArchive(("metadata.json", "{}"u8.ToArray()), ("config.json", nested), ("model.weights.h5", HostileArchives.EmptyWeights))
            : HostileArchives.StoredArchive(("metadata.json", nested), ("config.json", HostileArchives.ManyActivationsConfig(1)), ("model.weights.h5", HostileArchives.EmptyWeights));
        var report = HostileFile.AssertRefusedInChildProcess(HostileFile.Write(temp.Path, "deep.keras", archive));
        report.Message.Should().Contain(member).And.Contain("JSON");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Deeply_nested_JSON_in_a_tfjs_model_json_is_refused_without_overflowing_the_stack(bool objects)
    {
        using var temp = SavingTestSupport.Temp();
        byte[] nested = HostileArchives.DeeplyNested(100_000, objects);
        byte[] json = objects ? nested : [.. "{\"modelTopology\": "u8, .. nested, .. "}"u8];
        HostileFile.AssertRefusedInChildProcess(HostileFile.Write(temp.Path, "model.json", json));
        HostileFile.AssertRefusedInChildProcess(Path.Combine(temp.Path, "model.json"), mode: HostileFile.Mode.LoadWeights);
    }

    [Fact]
    public void A_keras_file_of_100000_layers_loads_within_ten_seconds_and_500_MB()
    {
        using var temp = SavingTestSupport.Temp();
        byte[] archive = HostileArchives.WithConfig(HostileArchives.ManyActivationsConfig(KerasDeserializer.MaxLayers));
        var report = HostileFile.AssertLoadsOrRefusedInChildProcess(
            HostileFile.Write(temp.Path, "long.keras", archive), maxMs: 10_000, maxAllocatedBytes: 4L << 30, maxWorkingSetBytes: 500L << 20);
        output.WriteLine(report.ToString());
        report.Outcome.Should().Be("ok", "the limit is generous: {0}", report);
    }

    [Fact]
    public void A_keras_file_of_ten_times_the_layer_limit_is_refused_before_any_layer_is_built()
    {
        using var temp = SavingTestSupport.Temp();
        byte[] archive = HostileArchives.WithConfig(HostileArchives.ManyActivationsConfig(KerasDeserializer.MaxLayers * 10));
        var report = HostileFile.Run(HostileFile.Write(temp.Path, "longer.keras", archive));
        output.WriteLine(report.ToString());
        report.Refused.Should().BeTrue(report.ToString());
        report.Message.Should().Contain("at most 100000 layers");
        report.CpuMs.Should().BeLessThan(5_000, report.ToString());
        report.PeakWorkingSetBytes.Should().BeLessThan(500L << 20, report.ToString());
    }

    [Fact]
    public void A_member_declaring_a_huge_size_is_refused_in_bounded_memory()
    {
        var bytes = HostileArchives.WithConfig(HostileArchives.ManyActivationsConfig(2));
        int at = CentralEntry(bytes, "config.json"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 24), 0xFFFF_FFF0u);
        HostileFile.AssertRefusedInChildProcess(bytes, "bomb.keras").Message.Should().Contain("zip bomb");
    }

    [Fact]
    public void Tfjs_shard_symlink_to_etc_passwd_is_refused_in_a_child_process()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        string model = TfjsModelNaming(temp, "passwd.bin");
        File.CreateSymbolicLink(temp.File("passwd.bin"), "/etc/passwd");
        HostileFile.AssertRefusedInChildProcess(model).Message.Should().Contain("outside the model's folder");
        HostileFile.AssertRefusedInChildProcess(model, mode: HostileFile.Mode.LoadWeights).Message.Should().Contain("outside the model's folder");
    }

    [Fact]
    public void Tfjs_shard_and_model_path_that_are_FIFOs_are_refused_in_a_child_process()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = SavingTestSupport.Temp();
        string model = TfjsModelNaming(temp, "fifo.bin");
        MakeFifo(temp.File("fifo.bin"));
        HostileFile.AssertRefusedInChildProcess(model).Message.Should().Contain("not a regular file");
        MakeFifo(temp.File("fifo.keras"));
        HostileFile.AssertRefusedInChildProcess(temp.File("fifo.keras")).Message.Should().Contain("not a regular file");
        HostileFile.AssertRefusedInChildProcess(temp.File("fifo.keras"), mode: HostileFile.Mode.LoadWeights).Message.Should().Contain("not a regular file");
    }

    private static string TfjsModelNaming(TempFolder temp, string shard)
    {
        string json = File.ReadAllText(Path.Combine(s_tfjsFixture, "model.json")).Replace("\"weights.bin\"", $"\"{shard}\"", StringComparison.Ordinal);
        File.WriteAllText(temp.File("model.json"), json, new UTF8Encoding(false));
        return temp.File("model.json");
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        mkfifo.ExitCode.Should().Be(0);
    }

    private static int CentralEntry(byte[] bytes, ReadOnlySpan<byte> name)
    {
        for (int i = 0; i + 46 + name.Length <= bytes.Length; i++)
        {
            if (bytes.AsSpan(i).StartsWith("PK\u0001\u0002"u8) && bytes.AsSpan(i + 46).StartsWith(name))
            {
                return i;
            }
        }

        throw new InvalidOperationException("central directory entry not found");
    }
}
