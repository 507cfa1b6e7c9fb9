using System.Text;
using KerasNotes.Tests.TestSupport;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Every hostile HDF5 file of <see cref="HostileHdf5Files"/> loaded in a child process (see <see cref="HostileFile"/>):
/// in-process tests cannot see a stack overflow or an out-of-memory kill, which would take the whole run down.
/// Each must be refused with ModelFormatException within the harness's default bounds (1 s of processor time,
/// 100 MB allocated).
/// </summary>
[Collection(TimedRuns.Name)]
public sealed class HostileHdf5ChildProcessTests(ITestOutputHelper output)
{
    public static TheoryData<string> Attacks => HostileHdf5Files.Names;

    /// <summary>A few attacks of each kind (a link to another file, a loop, a size, a depth) to wrap in a .keras archive.</summary>
    public static TheoryData<string> ArchiveAttacks =>
    [
        "external-storage-absolute", "external-link", "soft-link-cycle", "hard-link-cycle-root", "btree-node-self",
        "continuation-long-chain-loop", "continuation-shared-chain", "contiguous-size-beyond-file", "groups-nested-too-deep",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Each_hostile_HDF5_file_as_a_weights_file_is_refused_in_a_child_process(string attack)
    {
        var expected = HostileHdf5Files.Get(attack);
        var report = HostileFile.AssertRefusedInChildProcess(expected.Build(), "hostile.weights.h5", mode: HostileFile.Mode.LoadWeights);
        output.WriteLine(report.ToString());
        report.Message.Should().Contain("hostile.weights.h5");
        if (expected.RefusedAtOpen is string reason)
        {
            report.Message.Should().Contain(reason);
        }
    }

    [Theory]
    [MemberData(nameof(ArchiveAttacks))]
    public void Each_hostile_HDF5_file_as_the_weights_of_a_keras_archive_is_refused_in_a_child_process(string attack)
    {
        var expected = HostileHdf5Files.Get(attack);
        byte[] archive = HostileArchives.Archive(
            ("metadata.json", Encoding.UTF8.GetBytes("{\"keras_version\": \"3.15.0\"}")),
            ("config.json", HostileArchives.ManyActivationsConfig(1)),
            ("model.weights.h5", expected.Build()));
        var report = HostileFile.AssertRefusedInChildProcess(archive, "hostile.keras");
        output.WriteLine(report.ToString());
        report.Message.Should().Contain("model.weights.h5").And.Contain(expected.RefusedAtOpen!);
    }
}
