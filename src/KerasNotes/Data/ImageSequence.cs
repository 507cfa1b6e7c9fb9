namespace KerasNotes.Data;

/// <summary>
/// Batches of 8-bit images converted to float and scaled on the fly (what Keras users do with
/// <c>x / 255</c>, without holding a float copy of the whole data set): a quarter of the memory.
/// </summary>
/// <remarks>
/// Each batch is written into buffers reused from batch to batch, so do not keep a batch beyond the step.
/// With <c>shuffle</c>, the samples are visited in a new uniform random order every epoch (drawn from the
/// global seed), exactly like <c>Fit</c>'s own shuffling of in-memory arrays.
/// </remarks>
public sealed class ImageSequence : IDataSequence
{
    private readonly byte[] _pixels;
    private readonly int[] _labels;
    private readonly int _sampleSize;
    private readonly int _batchSize;
    private readonly float _scale;
    private readonly int[] _order;
    private readonly RandomGenerator? _rng;
    private readonly float[] _x;
    private readonly float[] _y;

    /// <summary>Creates the sequence.</summary>
    /// <param name="pixels">The images, sample after sample (each <paramref name="sampleShape"/> values).</param>
    /// <param name="labels">One class index per sample.</param>
    /// <param name="sampleShape">The shape of one sample as the model sees it, e.g. <c>[784]</c> or <c>[28, 28]</c>.</param>
    /// <param name="batchSize">Samples per batch (the last batch may be smaller).</param>
    /// <param name="shuffle">Visit samples in a new random order each epoch.</param>
    /// <param name="scale">The factor applied to each pixel (default 1/255).</param>
    /// <exception cref="ArgumentException">The pixel count is not a whole number of samples, or it disagrees with the labels.</exception>
    public ImageSequence(byte[] pixels, int[] labels, int[] sampleShape, int batchSize = 32, bool shuffle = false, float scale = 1f / 255f)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var shape = new Shape(sampleShape);
        _sampleSize = shape.Size;
        if (_sampleSize == 0 || pixels.Length % _sampleSize != 0 || pixels.Length / _sampleSize != labels.Length)
        {
            throw new ArgumentException(
                $"'pixels' holds {pixels.Length} values, which is not {labels.Length} samples (the label count) of shape {shape}.", nameof(pixels));
        }

        _pixels = pixels;
        _labels = labels;
        SampleShape = shape;
        _batchSize = batchSize;
        _scale = scale;
        _order = new int[labels.Length];
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        if (shuffle)
        {
            _rng = KerasNotes.RandomSeed.NextGenerator();
            _rng.Permutation(_order);
        }

        _x = new float[Math.Min(batchSize, labels.Length) * _sampleSize];
        _y = new float[Math.Min(batchSize, labels.Length)];
        Count = (labels.Length + batchSize - 1) / batchSize;
    }

    /// <summary>The shape of one sample.</summary>
    public Shape SampleShape { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <summary>The number of samples.</summary>
    public int Samples => _labels.Length;

    /// <inheritdoc />
    public DataBatch GetBatch(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int start = index * _batchSize;
        int count = Math.Min(_batchSize, _labels.Length - start);
        for (int i = 0; i < count; i++)
        {
            int sample = _order[start + i];
            Ops.ScaleBytes(_pixels.AsSpan(sample * _sampleSize, _sampleSize), _scale, _x.AsSpan(i * _sampleSize, _sampleSize));

            _y[i] = _labels[sample];
        }

        var x = new Tensor(_x, 0, SampleShape.Prepend(count));
        var y = new Tensor(_y, 0, new Shape(count));
        return new DataBatch(x, y);
    }

    /// <inheritdoc />
    public void OnEpochEnd() => _rng?.Permutation(_order);
}
