using System.Globalization;

namespace KerasNotes.Callbacks;

/// <summary>
/// Lowers the learning rate when a monitored quantity has stopped improving (Keras 3 <c>ReduceLROnPlateau</c>).
/// </summary>
/// <remarks>
/// <para>At each epoch end it first writes <c>learning_rate</c> (the rate used in that epoch) into the logs.
/// Then: during cooldown the counter drops by one and <c>wait</c> resets; an improvement (by more than the
/// absolute <c>minDelta</c>) becomes the best and resets <c>wait</c>; otherwise, once out of cooldown,
/// <c>wait</c> grows and at <c>wait ≥ patience</c> the rate becomes <c>max(lr·factor, minLr)</c>, cooldown
/// starts and <c>wait</c> resets. A rate already at <c>minLr</c> (compared in float32) is left alone.</para>
/// <para>Keras's off-by-one is kept: the cooldown counter is decremented at the start of the check, so
/// <c>cooldown: c</c> suppresses counting for c − 1 epochs and <c>cooldown: 1</c> has no effect. PyTorch
/// reduces after patience + 1 bad epochs, Keras after patience.</para>
/// </remarks>
public sealed class ReduceLROnPlateau : MonitorCallback
{
    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The logs key to watch.</param>
    /// <param name="factor">The multiplier, in (0, 1).</param>
    /// <param name="patience">Non-improving epochs before a reduction (≥ 0).</param>
    /// <param name="verbose">1 prints each reduction.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</param>
    /// <param name="minDelta">Absolute improvement threshold (default 1e-4).</param>
    /// <param name="cooldown">Epochs after a reduction before counting resumes (see remarks).</param>
    /// <param name="minLr">The lower bound on the learning rate.</param>
    /// <exception cref="ArgumentOutOfRangeException">factor outside (0, 1), negative patience, cooldown or minLr.</exception>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, int verbose = 0, string mode = "auto",
        double minDelta = 1e-4, int cooldown = 0, double minLr = 0)
        : base(monitor, mode, minDelta, baseline: null)
    {
        if (!(factor < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLROnPlateau does not support a factor >= 1.0.");
        }

        if (!(factor > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be positive (a learning rate of 0 stops learning).");
        }

        if (patience < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be zero or more epochs.");
        }

        if (cooldown < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "cooldown must be zero or more epochs.");
        }

        if (!(minLr >= 0) || !double.IsFinite(minLr))
        {
            throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "minLr must be a non-negative finite number.");
        }

        Factor = factor;
        Patience = patience;
        Verbose = verbose;
        Cooldown = cooldown;
        MinLr = minLr;
    }

    /// <summary>The multiplier.</summary>
    public double Factor { get; }

    /// <summary>Non-improving epochs before a reduction.</summary>
    public int Patience { get; }

    /// <summary>Verbosity.</summary>
    public int Verbose { get; }

    /// <summary>Cooldown epochs.</summary>
    public int Cooldown { get; }

    /// <summary>The lower bound.</summary>
    public double MinLr { get; }

    /// <summary>Epochs counted since the last reset.</summary>
    public int Wait { get; private set; }

    /// <summary>Cooldown epochs remaining.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>The best value so far, or null.</summary>
    public double? Best { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double>? logs = null)
    {
        Best = null;
        CooldownCounter = 0;
        Wait = 0;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null)
    {
        ResolveDirection();
        var optimizer = Model?.Optimizer ?? throw new InvalidOperationException("ReduceLROnPlateau needs a compiled model with an optimizer.");
        if (logs is not null)
        {
            logs["learning_rate"] = optimizer.LearningRate;
        }

        var current = GetMonitorValue(logs, "Learning rate reduction is");
        if (current is not double value)
        {
            return;
        }

        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            Wait = 0;
        }

        if (IsImprovement(value, Best))
        {
            Best = value;
            Wait = 0;
        }
        else if (CooldownCounter <= 0)
        {
            Wait++;
            if (Wait >= Patience)
            {
                double old = optimizer.LearningRate;
                if (old > (float)MinLr)
                {
                    double reduced = Math.Max(old * Factor, MinLr);
                    optimizer.LearningRate = reduced;
                    if (Verbose > 0)
                    {
                        Print(string.Create(CultureInfo.InvariantCulture, $"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {PythonFloat.Repr(reduced)}."));
                    }

                    CooldownCounter = Cooldown;
                    Wait = 0;
                }
            }
        }
    }
}
