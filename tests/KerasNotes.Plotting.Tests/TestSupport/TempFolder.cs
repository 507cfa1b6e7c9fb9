namespace KerasNotes.Plotting.Tests.TestSupport;

/// <summary>A fresh folder under the system temp folder, removed with everything in it at the end of a test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kerasnotes-plot-" + Guid.NewGuid().ToString("N"));

    /// <summary>The path of <paramref name="name"/> in this folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the folder is in the temp folder.
        }
    }
}
