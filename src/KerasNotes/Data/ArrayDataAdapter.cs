namespace KerasNotes.Data;

/// <summary>
/// Cuts arrays into batches for <c>Fit</c>/<c>Evaluate</c>/<c>Predict</c> (Keras's array data adapter): a fresh
/// uniform permutation per pass when shuffling, a partial last batch kept. <see cref="ForFit"/> also owns what
/// <c>Fit</c> does to arrays before training: the checks, the validation split and class weights.
/// </summary>
/// <remarks>
/// Rows are gathered into buffers allocated once, so a step copies data but allocates nothing;
/// without shuffling a batch is a view of the data itself.
/// </remarks>
internal sealed class ArrayDataAdapter : DataAdapter
{
    private readonly Tensor _x;
    private readonly Tensor? _y;
    private readonly Tensor? _w;
    private readonly int _batchSize;
    private readonly bool _shuffle;
    private readonly RandomGenerator? _rng;
    private readonly int[] _order;
    private readonly Tensor _xBuffer;
    private readonly Tensor? _yBuffer;
    private readonly Tensor? _wBuffer;

    // Batch views are re-pointed at each step instead of allocated.
    private readonly Tensor _xView;
    private readonly Tensor? _yView;
    private readonly Tensor? _wView;

    public ArrayDataAdapter(Tensor x, Tensor? y, Tensor? sampleWeight, int batchSize, bool shuffle, RandomGenerator? rng)
    {
        _x = x;
        _y = y;
        _w = sampleWeight;
        Samples = x.Shape[0];
        _batchSize = Math.Max(1, Math.Min(batchSize, Math.Max(Samples, 1)));
        _shuffle = shuffle && Samples > 1;
        _rng = rng;
        // Only a shuffled pass needs an order; without shuffling a batch is a view at its row offset.
        _order = _shuffle ? new int[Samples] : [];
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        if (_shuffle)
        {
            _xBuffer = Tensor.AllocatePersistent(x.Shape.With(0, _batchSize));
            _yBuffer = y is null ? null : Tensor.AllocatePersistent(y.Shape.With(0, _batchSize));
            _wBuffer = sampleWeight is null ? null : Tensor.AllocatePersistent(sampleWeight.Shape.With(0, _batchSize));
        }
        else
        {
            _xBuffer = x;
            _yBuffer = y;
            _wBuffer = sampleWeight;
        }

        Count = Samples == 0 ? 0 : (Samples + _batchSize - 1) / _batchSize;
        _xView = x.SliceRows(0, 0);
        _yView = y?.SliceRows(0, 0);
        _wView = sampleWeight?.SliceRows(0, 0);
    }

    /// <summary>
    /// Everything <c>Fit</c> does to arrays before the first step, in Keras's order: checks (finite values,
    /// matching sample counts, no empty data, finite class weights), the validation split (the <b>last</b> rows,
    /// taken before any shuffling) unless validation data is given, and class weights turned into sample weights.
    /// Nothing is changed when it throws.
    /// </summary>
    /// <returns>The training adapter and, when there is validation data, its adapter.</returns>
    public static (ArrayDataAdapter Train, ArrayDataAdapter? Validation) ForFit(
        Tensor x,
        Tensor y,
        Tensor? sampleWeight,
        IReadOnlyDictionary<int, double>? classWeight,
        double validationSplit,
        (Tensor X, Tensor Y, Tensor? SampleWeight)? validationData,
        int? batchSize,
        int? stepsPerEpoch,
        bool shuffle,
        RandomGenerator? rng)
    {
        if (classWeight is not null && sampleWeight is not null)
        {
            throw new ArgumentException("Pass either classWeight or sampleWeight, not both (as Keras 3).", nameof(classWeight));
        }

        DataChecks.CheckClassWeight(classWeight);
        DataChecks.CheckArrays(x, y, sampleWeight, "x", "y", "sampleWeight");
        DataChecks.CheckNotEmpty(x, "x", "Fit");

        Tensor? xVal = null, yVal = null, wVal = null;
        if (validationData is var (vx, vy, vw))
        {
            DataChecks.CheckArrays(vx, vy, vw, "validationData.X", "validationData.Y", "validationData.SampleWeight");
            DataChecks.CheckNotEmpty(vx, "validationData.X", "Fit");
            (xVal, yVal, wVal) = (vx, vy, vw);
        }
        else if (validationSplit > 0)
        {
            int n = x.Shape[0];
            int splitAt = (int)Math.Floor(n * (1.0 - validationSplit));
            if (splitAt == 0 || splitAt == n)
            {
                throw new ArgumentException(
                    $"validationSplit {validationSplit.ToString(System.Globalization.CultureInfo.InvariantCulture)} of {n} samples leaves {splitAt} for training and {n - splitAt} for validation; both need at least one.",
                    nameof(validationSplit));
            }

            xVal = x.SliceRows(splitAt, n - splitAt);
            yVal = y.SliceRows(splitAt, n - splitAt);
            wVal = sampleWeight?.SliceRows(splitAt, n - splitAt);
            x = x.SliceRows(0, splitAt);
            y = y.SliceRows(0, splitAt);
            sampleWeight = sampleWeight?.SliceRows(0, splitAt);
        }

        if (classWeight is not null)
        {
            sampleWeight = DataChecks.ClassWeightsToSampleWeights(y, classWeight);
        }

        int samples = x.Shape[0];
        int size = batchSize ?? (stepsPerEpoch is int s ? Math.Max(1, (samples + s - 1) / s) : DefaultBatchSize);
        var train = new ArrayDataAdapter(x, y, sampleWeight, size, shuffle, shuffle ? rng : null);
        var validation = xVal is null ? null : new ArrayDataAdapter(xVal, yVal, wVal, size, shuffle: false, rng: null);
        return (train, validation);
    }

    /// <summary>The number of samples.</summary>
    public int Samples { get; }

    /// <summary>The inputs, whole.</summary>
    public Tensor X => _x;

    /// <summary>The targets, whole, or null.</summary>
    public Tensor? Y => _y;

    /// <summary>The sample weights, whole, or null.</summary>
    public Tensor? SampleWeight => _w;

    /// <inheritdoc />
    public override int Count { get; }

    /// <inheritdoc />
    public override void StartPass()
    {
        if (_shuffle)
        {
            _rng!.Permutation(_order);
        }
    }

    /// <summary>Batch <paramref name="index"/> of the current pass (views of the data or of the reused buffers).</summary>
    public override (Tensor X, Tensor? Y, Tensor? SampleWeight) GetBatch(int index)
    {
        int start = index * _batchSize;
        int count = Math.Min(_batchSize, Samples - start);
        if (!_shuffle)
        {
            return (Point(_xView, _x, start, count)!, Point(_yView, _y, start, count), Point(_wView, _w, start, count));
        }

        var indices = _order.AsSpan(start, count);
        Gather(_x, _xBuffer, indices);
        if (_y is not null)
        {
            Gather(_y, _yBuffer!, indices);
        }

        if (_w is not null)
        {
            Gather(_w, _wBuffer!, indices);
        }

        return (Point(_xView, _xBuffer, 0, count)!, Point(_yView, _yBuffer, 0, count), Point(_wView, _wBuffer, 0, count));
    }

    /// <summary>Re-points a reusable view at rows [start, start + count) of <paramref name="source"/>.</summary>
    private static Tensor? Point(Tensor? view, Tensor? source, int start, int count)
    {
        if (view is null || source is null)
        {
            return null;
        }

        int rows = source.Shape[0];
        int rowSize = rows == 0 ? 0 : source.Size / rows;
        view.Reset(source.Data, source.Offset + (start * rowSize), source.Shape.With(0, count));
        return view;
    }

    private static void Gather(Tensor source, Tensor destination, ReadOnlySpan<int> indices)
    {
        int rows = source.Shape[0];
        int rowSize = rows == 0 ? 0 : source.Size / rows;
        var src = source.AsSpan();
        var dst = destination.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            src.Slice(indices[i] * rowSize, rowSize).CopyTo(dst.Slice(i * rowSize, rowSize));
        }
    }
}
