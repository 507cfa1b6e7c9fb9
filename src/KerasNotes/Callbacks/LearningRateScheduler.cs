using System.Globalization;

namespace KerasNotes.Callbacks;

/// <summary>
/// Sets the learning rate at the start of every epoch from a schedule (Keras <c>LearningRateScheduler</c>).
/// </summary>
/// <remarks>
/// The schedule gets the absolute 0-based epoch index (continuing from <c>initialEpoch</c>) and the current
/// rate as the double of its float32 value, and its result is stored as float32 — so a compounding schedule
/// such as <c>lr * 0.9</c> compounds float32 rounding exactly as in Keras. At each epoch end the rate is written
/// to the logs as <c>learning_rate</c>; put this callback before any callback that should see that key.
/// </remarks>
/// <example><code>new LearningRateScheduler((epoch, lr) => epoch &lt; 10 ? lr : lr * Math.Exp(-0.1))</code></example>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, double, double> _schedule;

    /// <summary>Creates the callback with a schedule of (epoch, current learning rate).</summary>
    public LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0)
    {
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        Verbose = verbose;
    }

    /// <summary>Creates the callback with a schedule of the epoch alone (Keras's legacy one-argument form).</summary>
    public LearningRateScheduler(Func<int, double> schedule, int verbose = 0)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _schedule = (epoch, _) => schedule(epoch);
        Verbose = verbose;
    }

    /// <summary>Verbosity.</summary>
    public int Verbose { get; }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null)
    {
        var optimizer = Model?.Optimizer ?? throw new InvalidOperationException("LearningRateScheduler needs a compiled model with an optimizer.");
        double lr = _schedule(epoch, optimizer.LearningRate);
        if (!double.IsFinite(lr) || lr < 0)
        {
            throw new InvalidOperationException(
                $"The learning rate schedule returned {lr.ToString(CultureInfo.InvariantCulture)} for epoch {epoch}; expected a non-negative finite number.");
        }

        optimizer.LearningRate = lr;
        if (Verbose > 0)
        {
            Print($"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {PythonFloat.Repr(lr)}.");
        }
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null)
    {
        if (logs is not null && Model?.Optimizer is { } optimizer)
        {
            logs["learning_rate"] = optimizer.LearningRate;
        }
    }
}
