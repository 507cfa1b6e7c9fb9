namespace KerasNotes.Callbacks;

/// <summary>
/// Stops training when a monitored quantity has stopped improving (Keras 3 <c>keras.callbacks.EarlyStopping</c>).
/// </summary>
/// <remarks>
/// <para>Per epoch (from <c>startFromEpoch</c> on): <c>wait += 1</c>; if the value improves on the best so far,
/// it becomes the best and <c>wait</c> resets — but only if it also beats <c>baseline</c> when one is given;
/// an improving epoch never stops training. Otherwise training stops once <c>wait ≥ patience</c> (never at
/// epoch 0). So <c>patience: 0</c> stops at the first non-improving epoch.</para>
/// <para><c>restoreBestWeights</c>: the weights at the end of the best epoch are restored when training ends,
/// whether or not this callback stopped it (Keras 3; Keras 2 restored only on its own stop).
/// <see cref="StoppedEpoch"/> and <see cref="BestEpoch"/> tell what happened.</para>
/// </remarks>
public sealed class EarlyStopping : MonitorCallback
{
    private IReadOnlyList<Tensor>? _bestWeights;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The logs key to watch.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    /// <param name="patience">Non-improving epochs to wait before stopping (≥ 0).</param>
    /// <param name="verbose">1 prints when it stops and restores.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</param>
    /// <param name="baseline">A value the monitor must beat for <c>wait</c> to reset.</param>
    /// <param name="restoreBestWeights">Restore the best epoch's weights when training ends.</param>
    /// <param name="startFromEpoch">Epochs to ignore at the start (warm-up).</param>
    /// <exception cref="ArgumentOutOfRangeException">Negative patience or startFromEpoch.</exception>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, int verbose = 0, string mode = "auto",
        double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
        : base(monitor, mode, minDelta, baseline)
    {
        if (patience < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be zero or more epochs.");
        }

        if (startFromEpoch < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(startFromEpoch), startFromEpoch, "startFromEpoch must be zero or more.");
        }

        Patience = patience;
        Verbose = verbose;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
    }

    /// <summary>Non-improving epochs to wait.</summary>
    public int Patience { get; }

    /// <summary>Verbosity.</summary>
    public int Verbose { get; }

    /// <summary>Whether the best weights are restored at the end.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>Epochs ignored at the start.</summary>
    public int StartFromEpoch { get; }

    /// <summary>Epochs counted since the last reset (Keras <c>wait</c>).</summary>
    public int Wait { get; private set; }

    /// <summary>The epoch (0-based) at whose end this callback stopped training, or 0 if it did not.</summary>
    public int StoppedEpoch { get; private set; }

    /// <summary>The epoch (0-based) with the best value so far.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The best value so far, or null before the first monitored epoch.</summary>
    public double? Best { get; private set; }

    /// <summary>The epoch whose weights were restored at the end of training, or null.</summary>
    public int? RestoredEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double>? logs = null)
    {
        Wait = 0;
        StoppedEpoch = 0;
        Best = null;
        _bestWeights = null;
        BestEpoch = 0;
        RestoredEpoch = null;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null)
    {
        ResolveDirection();
        var current = GetMonitorValue(logs, "Early stopping");
        if (current is not double value || epoch < StartFromEpoch)
        {
            return;
        }

        if (RestoreBestWeights && _bestWeights is null)
        {
            // The first monitored epoch always counts as the best so far.
            _bestWeights = Model!.GetWeights();
            BestEpoch = epoch;
        }

        Wait++;
        if (IsImprovement(value, Best))
        {
            Best = value;
            BestEpoch = epoch;
            if (RestoreBestWeights)
            {
                _bestWeights = Model!.GetWeights();
            }

            if (Baseline is null || IsImprovement(value, Baseline))
            {
                Wait = 0;
            }

            return;
        }

        if (Wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Model!.StopTraining = true;
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double>? logs = null)
    {
        if (StoppedEpoch > 0 && Verbose > 0)
        {
            Print($"Epoch {StoppedEpoch + 1}: early stopping");
        }

        if (RestoreBestWeights && _bestWeights is not null)
        {
            if (Verbose > 0)
            {
                Print($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.");
            }

            Model!.SetWeights(_bestWeights);
            RestoredEpoch = BestEpoch;
        }
    }
}
