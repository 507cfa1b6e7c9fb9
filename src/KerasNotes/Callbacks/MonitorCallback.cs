using System.Globalization;
using KerasNotes.Metrics;

namespace KerasNotes.Callbacks;

/// <summary>
/// The monitored quantity shared by <see cref="EarlyStopping"/>, <see cref="ReduceLROnPlateau"/> and
/// <c>ModelCheckpoint</c> (Keras 3's <c>MonitorCallback</c>): which log key, which direction, by how much.
/// </summary>
/// <remarks>
/// <para><c>mode</c> "min" compares with less-than, "max" with greater-than; "auto" decides at the first
/// epoch end: a monitor of <c>loss</c> or <c>val_loss</c> is minimised, and so is an output's loss of a model with
/// several outputs (<c>dense_1_loss</c>); otherwise the compiled metric logged under that key (without <c>val_</c>,
/// e.g. <c>accuracy</c> or <c>dense_1_accuracy</c>) gives its direction (accuracies up, errors down). A metric with no
/// direction (a custom function) cannot be monitored in auto mode: that raises, as Keras does. (Keras 3 also raises
/// for the per-output keys of a model with several outputs; here they resolve.)</para>
/// <para>Improvement is strict: <c>current &lt; reference − |minDelta|</c> (min) or
/// <c>current &gt; reference + |minDelta|</c> (max); a null reference always improves.</para>
/// </remarks>
public abstract class MonitorCallback : Callback
{
    private bool? _greater;

    /// <summary>Creates the monitor.</summary>
    /// <param name="monitor">The logs key to watch (default <c>val_loss</c>).</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement (its absolute value is used).</param>
    /// <param name="baseline">A value the monitor must beat (how each callback uses it differs; see each).</param>
    /// <exception cref="ArgumentException">Unknown mode (Keras warns and falls back to auto; a typo is better caught).</exception>
    protected MonitorCallback(string monitor, string mode, double minDelta, double? baseline)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        ArgumentNullException.ThrowIfNull(mode);
        if (mode is not ("auto" or "min" or "max"))
        {
            throw new ArgumentException($"Unknown mode \"{mode}\"; expected \"auto\", \"min\" or \"max\".", nameof(mode));
        }

        if (!double.IsFinite(minDelta))
        {
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite number.");
        }

        Monitor = monitor;
        Mode = mode;
        MinDelta = Math.Abs(minDelta);
        Baseline = baseline;
    }

    /// <summary>The watched logs key.</summary>
    public string Monitor { get; }

    /// <summary>The mode as given.</summary>
    public string Mode { get; }

    /// <summary>The improvement threshold (non-negative).</summary>
    public double MinDelta { get; }

    /// <summary>The baseline, or null.</summary>
    public double? Baseline { get; }

    /// <summary>True once the direction is known: greater-is-better, or less-is-better when false.</summary>
    protected bool? GreaterIsBetter => _greater;

    /// <summary>Resolves the direction (Keras does this at the first epoch end, when the metrics exist).</summary>
    /// <exception cref="InvalidOperationException">Auto mode with a monitor whose direction is unknown.</exception>
    protected void ResolveDirection()
    {
        if (_greater is not null)
        {
            return;
        }

        if (Mode != "auto")
        {
            _greater = Mode == "max";
            return;
        }

        string name = Monitor.StartsWith("val_", StringComparison.Ordinal) ? Monitor[4..] : Monitor;
        if (name == "loss" || Model?.IsLossLogKey(name) == true)
        {
            _greater = false;
            return;
        }

        var metric = Model?.MetricOfLogKey(name);
        _greater = metric?.Direction switch
        {
            MetricDirection.Up => true,
            MetricDirection.Down => false,
            _ => throw new InvalidOperationException(
                $"{GetType().Name} callback isn't able to automatically determine whether monitor '{Monitor}' should be maximized or minimized: pass mode: \"max\" or mode: \"min\"."),
        };
    }

    /// <summary>Keras's <c>_is_improvement</c>: strict, with the min delta; a null reference always improves.</summary>
    protected bool IsImprovement(double current, double? reference)
    {
        ResolveDirection();
        if (reference is not double r)
        {
            return true;
        }

        return _greater == true ? current - MinDelta > r : current + MinDelta < r;
    }

    /// <summary>The monitored value in <paramref name="logs"/>, or null (with a one-time warning naming the keys that exist).</summary>
    protected double? GetMonitorValue(IDictionary<string, double>? logs, string what)
    {
        if (logs is not null && logs.TryGetValue(Monitor, out double v))
        {
            return v;
        }

        WarnOnce($"{what} conditioned on metric `{Monitor}` which is not available. Available metrics are: {string.Join(",", logs?.Keys ?? [])}.");
        return null;
    }

    /// <summary>Python's <c>{:.5f}</c>.</summary>
    internal static string F5(double v) => v.ToString("F5", CultureInfo.InvariantCulture);
}
