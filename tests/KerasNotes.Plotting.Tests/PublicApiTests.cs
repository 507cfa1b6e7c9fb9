using PublicApiGenerator;

namespace KerasNotes.Plotting.Tests;

/// <summary>
/// The public surface of KerasNotes.Plotting, written out as C#, must equal the approved snapshot
/// <c>PublicApi/KerasNotes.Plotting.approved.txt</c>, so every change to it shows in review (as the core's
/// PublicApiTests do for KerasNotes). After a deliberate change, copy the <c>.received.txt</c> file the failing test
/// writes next to the snapshot over the approved one.
/// </summary>
public sealed class PublicApiTests
{
    private static string SnapshotFolder([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "PublicApi");

    [Fact]
    public void The_public_API_matches_the_approved_snapshot()
    {
        string api = typeof(HistoryPlot).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false })
            .ReplaceLineEndings("\n");
        string approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", "KerasNotes.Plotting.approved.txt");
        string folder = Directory.Exists(SnapshotFolder()) ? SnapshotFolder() : Path.Combine(AppContext.BaseDirectory, "PublicApi");
        string receivedPath = Path.Combine(folder, "KerasNotes.Plotting.received.txt");
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        if (api == approved)
        {
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(receivedPath, api);
        api.Should().Be(approved, $"the public API changed: review {receivedPath} and, if the change is meant, copy it over {approvedPath}");
    }
}
