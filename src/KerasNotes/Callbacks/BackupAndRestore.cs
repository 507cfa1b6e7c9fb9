using KerasNotes.Saving.Files;
using KerasNotes.Saving;

namespace KerasNotes.Callbacks;

/// <summary>
/// Makes training survive a crash (Keras <c>BackupAndRestore</c>): at every epoch end it saves the model, the
/// optimizer state, the epoch and the random generators' state to <c>backupDir</c>; a <c>Fit</c> that finds
/// such a backup restores it and resumes after the last completed epoch; the backup is deleted when training
/// finishes.
/// </summary>
/// <remarks>
/// The backup is one <c>.keras</c> archive written atomically (temporary file, flush, rename), so a process
/// killed at any moment leaves either the previous backup or the new one, never half of one. Because the
/// shuffle order and the Dropout masks come from generators whose state is saved with it, a resumed run ends
/// with bit-for-bit the weights of an uninterrupted one. Put the same callback (same folder) in the
/// <c>Fit</c> call you restart. A process killed during a write can leave a hidden
/// <c>.backup.keras.kerasnotes-tmp-&lt;hex&gt;</c> file in the folder; the next run removes it once it is
/// ten minutes old and no process has it open.
/// </remarks>
/// <example><code>model.Fit(x, y, epochs: 20, callbacks: [new BackupAndRestore("backup")]);</code></example>
public sealed class BackupAndRestore : Callback
{
    /// <summary>The file name of the backup inside the folder.</summary>
    public const string BackupFileName = "backup.keras";

    /// <summary>Creates the callback.</summary>
    /// <param name="backupDir">The folder that holds the backup (created when needed).</param>
    /// <param name="deleteCheckpoint">Delete the backup when training finishes.</param>
    public BackupAndRestore(string backupDir, bool deleteCheckpoint = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupDir);
        BackupDir = backupDir;
        DeleteCheckpoint = deleteCheckpoint;
    }

    /// <summary>The backup folder.</summary>
    public string BackupDir { get; }

    /// <summary>Whether the backup is deleted at the end of training.</summary>
    public bool DeleteCheckpoint { get; }

    /// <summary>The epoch training resumed after (0-based), or null if no backup was found.</summary>
    public int? RestoredEpoch { get; private set; }

    private string BackupPath => Path.Combine(BackupDir, BackupFileName);

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double>? logs = null)
    {
        RestoredEpoch = null;

        // A run killed while writing its backup leaves a temporary file beside it; the restarted run tidies up.
        StaleTemporaries.Remove(Path.GetFullPath(BackupPath));
        if (!File.Exists(BackupPath))
        {
            return;
        }

        var model = Model ?? throw new InvalidOperationException("BackupAndRestore needs a model.");
        if (!model.Built)
        {
            throw new InvalidOperationException("BackupAndRestore can restore only into a built model (give it an Input).");
        }

        int epoch = ModelFiles.RestoreTrainingState(model, BackupPath)
            ?? throw new ModelFormatException(BackupPath, "metadata.json", "the backup does not record the epoch it was taken at.");
        RestoredEpoch = epoch;
        model.ResumeAfterEpoch = epoch;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null)
    {
        Directory.CreateDirectory(BackupDir);
        ModelFiles.Save(Model!, BackupPath, new Dictionary<string, object?> { ["epoch"] = epoch });
    }

    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double>? logs = null)
    {
        if (DeleteCheckpoint && File.Exists(BackupPath))
        {
            File.Delete(BackupPath);
        }

        StaleTemporaries.Remove(Path.GetFullPath(BackupPath));
    }
}
