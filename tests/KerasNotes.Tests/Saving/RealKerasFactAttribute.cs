namespace KerasNotes.Tests.Saving;

/// <summary>
/// A fact that needs a real-Keras file which may not be copied into the repository (no licence stated): it
/// reads the file in place from <c>shared/fixtures/real_keras</c> next to the repository, and is skipped, with
/// that reason, when the folder is absent.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RealKerasFactAttribute : FactAttribute
{
    public RealKerasFactAttribute(string file)
    {
        File = file;
        string? path = SavingTestSupport.RealKerasFile(file);
        if (path is null || !System.IO.File.Exists(path))
        {
            Skip = $"{file} is read in place from shared/fixtures/real_keras beside the repository (its licence does not allow copying it), and that folder was not found above {AppContext.BaseDirectory}.";
        }
    }

    public string File { get; }
}
