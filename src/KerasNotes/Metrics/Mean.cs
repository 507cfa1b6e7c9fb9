using KerasNotes.Losses;

namespace KerasNotes.Metrics;

/// <summary>
/// The (sample-weighted) mean of every value seen since the last reset (Keras <c>keras.metrics.Mean</c>).
/// </summary>
/// <remarks>
/// Keeps float32 <c>total</c> and <c>count</c> as Keras does. Values are first reduced to one per
/// sample by a mean over the non-batch axes; with weights, <c>total += Σ v·w</c> and
/// <c>count += Σ w</c>, otherwise <c>count += number of samples</c>. So a per-sample metric gives the
/// mean over all samples seen, not the mean of per-batch means.
/// </remarks>
public class Mean : Metric
{
    private float _total;
    private float _count;

    /// <summary>Creates the metric.</summary>
    public Mean(string name = "mean")
        : base(name)
    {
    }

    /// <summary>Accumulates <paramref name="values"/> (one per sample, or more to be averaged per sample).</summary>
    public void UpdateValues(Tensor values, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var pause = GradientTape.Pause();
        if (sampleWeight is not null)
        {
            var (v, w) = Loss.AlignRanks(values, sampleWeight);
            int wRank = w.Rank;
            if (v.Rank > wRank)
            {
                v = Ops.Mean(v, AxesFrom(wRank, v.Rank));
            }

            w = Ops.BroadcastTo(w, v.Shape);
            v = Ops.Multiply(v, w);
            if (wRank > 1)
            {
                w = Ops.Mean(w, AxesFrom(1, wRank));
            }

            if (v.Rank > 1)
            {
                v = Ops.Mean(v, AxesFrom(1, v.Rank));
            }

            _total += Ops.SumOf(v.AsSpan());
            _count += Ops.SumOf(w.AsSpan());
            return;
        }

        if (values.Rank > 1)
        {
            values = Ops.Mean(values, AxesFrom(1, values.Rank));
        }

        _total += Ops.SumOf(values.AsSpan());
        _count += values.Rank == 0 ? 1 : values.Shape[0];
    }

    /// <summary>Accumulates one scalar value with a weight (how the loss tracker records a batch loss with weight = batch size).</summary>
    public void UpdateScalar(float value, float weight)
    {
        _total += value * weight;
        _count += weight;
    }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) =>
        throw new NotSupportedException("Mean accumulates values: call UpdateValues(values, sampleWeight).");

    /// <inheritdoc />
    public override double Result() => _count == 0f ? 0.0 : (double)(_total / _count);

    /// <inheritdoc />
    public override void ResetState()
    {
        _total = 0f;
        _count = 0f;
    }

    /// <summary>The float32 state (total, count), as Keras stores it.</summary>
    internal (float Total, float Count) State
    {
        get => (_total, _count);
        set => (_total, _count) = value;
    }

    private static int[] AxesFrom(int start, int end)
    {
        var axes = new int[end - start];
        for (int i = 0; i < axes.Length; i++)
        {
            axes[i] = start + i;
        }

        return axes;
    }
}

/// <summary>
/// Averages a per-sample function of (labels, predictions) over every sample seen (Keras <c>MeanMetricWrapper</c>).
/// </summary>
public class MeanMetricWrapper : Mean
{
    private readonly MetricFunction _fn;
    private readonly MetricDirection _direction;

    /// <summary>Wraps <paramref name="function"/>.</summary>
    /// <param name="function">Returns per-sample (or per-element) values.</param>
    /// <param name="name">The logs key.</param>
    /// <param name="direction">Whether larger is better; None for an arbitrary function (callbacks in auto mode then refuse it, as Keras).</param>
    public MeanMetricWrapper(MetricFunction function, string name, MetricDirection direction = MetricDirection.None)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(function);
        _fn = function;
        _direction = direction;
    }

    /// <inheritdoc />
    public override MetricDirection Direction => _direction;

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        using var pause = GradientTape.Pause();
        UpdateValues(_fn(yTrue, yPred), sampleWeight);
    }
}
