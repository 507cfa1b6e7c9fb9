namespace KerasNotes.Callbacks;

/// <summary>
/// Saves the model (or its weights) during training (Keras 3 <c>ModelCheckpoint</c>).
/// </summary>
/// <remarks>
/// <para>The path may hold Python format fields filled from the epoch (1-based), the batch (1-based, for
/// batch-level saves) and the logs: <c>"ckpt-{epoch:02d}-{val_loss:.2f}.keras"</c>. A field with no value
/// raises <see cref="KeyNotFoundException"/>.</para>
/// <para>With <c>saveBestOnly</c>, a save happens only when the monitored value improves on the best so
/// far (which starts at <c>initialValueThreshold</c>); when the value is missing (e.g. <c>val_loss</c> at a
/// batch-level save) Keras ≥ 3.10 warns and saves anyway, and so does this. Writes are atomic: a crash mid-save
/// leaves the previous file intact. Missing folders are created.</para>
/// </remarks>
/// <example><code>new ModelCheckpoint("best.keras", monitor: "val_loss", saveBestOnly: true)</code></example>
public sealed class ModelCheckpoint : MonitorCallback
{
    private int _batchesSinceSave;
    private int _currentEpoch;

    /// <summary>Creates the callback.</summary>
    /// <param name="filepath">Where to save: ends in <c>.keras</c>, or <c>.weights.h5</c> with <paramref name="saveWeightsOnly"/>.</param>
    /// <param name="monitor">The logs key for <paramref name="saveBestOnly"/>.</param>
    /// <param name="verbose">1 prints each save decision as Keras does.</param>
    /// <param name="saveBestOnly">Save only when the monitored value improves.</param>
    /// <param name="saveWeightsOnly">Save weights (<c>SaveWeights</c>) instead of the whole model (<c>Save</c>).</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</param>
    /// <param name="saveFreq"><c>"epoch"</c> or a number of batches.</param>
    /// <param name="initialValueThreshold">The value to beat for the first save with <paramref name="saveBestOnly"/>.</param>
    /// <exception cref="ArgumentException">The extension does not fit what is saved (as Keras 3 checks).</exception>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", int verbose = 0, bool saveBestOnly = false, bool saveWeightsOnly = false,
        string mode = "auto", SaveFrequency? saveFreq = null, double? initialValueThreshold = null)
        : base(monitor, mode, 0, null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filepath);
        if (saveWeightsOnly && !filepath.EndsWith(".weights.h5", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"When saveWeightsOnly is true, the filepath must end in .weights.h5 (Keras 3's weights format); got '{filepath}'.", nameof(filepath));
        }

        if (!saveWeightsOnly && !filepath.EndsWith(".keras", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"The filepath must end in .keras to save the whole model (or pass saveWeightsOnly: true with .weights.h5); got '{filepath}'.", nameof(filepath));
        }

        Filepath = filepath;
        Verbose = verbose;
        SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly;
        SaveFreq = saveFreq ?? SaveFrequency.Epoch;
        Best = initialValueThreshold;
    }

    /// <summary>The path template.</summary>
    public string Filepath { get; }

    /// <summary>Verbosity.</summary>
    public int Verbose { get; }

    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Whether only weights are saved.</summary>
    public bool SaveWeightsOnly { get; }

    /// <summary>When saves happen.</summary>
    public SaveFrequency SaveFreq { get; }

    /// <summary>The best monitored value so far (not reset between fits, as Keras).</summary>
    public double? Best { get; private set; }

    /// <summary>The path of the most recent save, or null.</summary>
    public string? LastSavedPath { get; private set; }

    internal override bool WantsTrainBatchHooks => !SaveFreq.IsEpoch;

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null) => _currentEpoch = epoch;

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
        if (SaveFreq.IsEpoch)
        {
            return;
        }

        if (++_batchesSinceSave >= SaveFreq.Batches)
        {
            _batchesSinceSave = 0;
            SaveModel(_currentEpoch, batch, logs);
        }
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null)
    {
        if (SaveFreq.IsEpoch)
        {
            SaveModel(epoch, null, logs);
        }
    }

    private void SaveModel(int epoch, int? batch, IDictionary<string, double>? logs)
    {
        ResolveDirection();
        logs ??= new Dictionary<string, double>();
        string path = FormatPath(epoch, batch, logs);
        if (SaveBestOnly)
        {
            if (!logs.TryGetValue(Monitor, out double current))
            {
                WarnOnce($"Can save best model only with {Monitor} available.");
            }
            else if (IsImprovement(current, Best))
            {
                if (Verbose > 0)
                {
                    string from = Best is double b ? F5(b) : "None";
                    Print($"\nEpoch {epoch + 1}: {Monitor} improved from {from} to {F5(current)}, saving model to {path}");
                }

                Best = current;
            }
            else
            {
                if (Verbose > 0)
                {
                    Print($"\nEpoch {epoch + 1}: {Monitor} did not improve from {F5(Best!.Value)}");
                }

                return;
            }
        }
        else if (Verbose > 0)
        {
            Print($"\nEpoch {epoch + 1}: saving model to {path}");
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"ModelCheckpoint filepath '{path}' is a directory; it must name a file.");
        }

        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        if (SaveWeightsOnly)
        {
            Model!.SaveWeights(path);
        }
        else
        {
            Model!.Save(path);
        }

        LastSavedPath = path;
    }

    private string FormatPath(int epoch, int? batch, IDictionary<string, double> logs)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (k, v) in logs)
        {
            values[k] = v;
        }

        values["epoch"] = epoch + 1;
        if (batch is int b && !values.ContainsKey("batch"))
        {
            values["batch"] = b + 1;
        }

        return PythonFormat.Format(Filepath, values);
    }
}
