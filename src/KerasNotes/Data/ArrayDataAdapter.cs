namespace KerasNotes.Data;

/// <summary>
/// Cuts arrays into batches for <c>Fit</c>/<c>Evaluate</c>/<c>Predict</c> (Keras's array data adapter): a fresh
/// uniform permutation per pass when shuffling, a partial last batch kept. <see cref="ForFit"/> also owns what
/// <c>Fit</c> does to arrays before training: the checks, the validation split and class weights. Every input, target
/// and weight array is cut the same way, so a model with one input and one output is the 1-element case.
/// </summary>
/// <remarks>
/// Rows are gathered into buffers allocated once, so a step copies data but allocates nothing;
/// without shuffling a batch is a view of the data itself.
/// </remarks>
internal sealed class ArrayDataAdapter : DataAdapter
{
    private readonly ModelArrays _data;
    private readonly int _batchSize;
    private readonly bool _shuffle;
    private readonly RandomGenerator? _rng;
    private readonly int[] _order;
    private readonly Column[] _columns;
    private readonly Batch _batch;

    public ArrayDataAdapter(Tensor x, Tensor? y, Tensor? sampleWeight, int batchSize, bool shuffle, RandomGenerator? rng)
        : this(ModelArrays.Single(x, y, sampleWeight), batchSize, shuffle, rng)
    {
    }

    public ArrayDataAdapter(ModelArrays data, int batchSize, bool shuffle, RandomGenerator? rng)
    {
        _data = data;
        Samples = data.Samples;
        _batchSize = Math.Max(1, Math.Min(batchSize, Math.Max(Samples, 1)));
        _shuffle = shuffle && Samples > 1;
        _rng = rng;
        // Only a shuffled pass needs an order; without shuffling a batch is a view at its row offset.
        _order = _shuffle ? new int[Samples] : [];
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        int outputs = data.Y?.Length ?? data.W?.Length ?? 0;
        _batch = new Batch(data.X.Length, outputs);
        var columns = new List<Column>();
        for (int i = 0; i < data.X.Length; i++)
        {
            columns.Add(new Column(data.X[i], _batch.X, i, _shuffle, _batchSize));
        }

        for (int i = 0; data.Y is not null && i < data.Y.Length; i++)
        {
            if (data.Y[i] is { } y)
            {
                columns.Add(new Column(y, _batch.Y, i, _shuffle, _batchSize));
            }
        }

        for (int i = 0; data.W is not null && i < data.W.Length; i++)
        {
            if (data.W[i] is { } w)
            {
                columns.Add(new Column(w, _batch.W, i, _shuffle, _batchSize));
            }
        }

        _columns = [.. columns];
        Count = Samples == 0 ? 0 : (Samples + _batchSize - 1) / _batchSize;
    }

    /// <summary>
    /// Everything <c>Fit</c> does to arrays before the first step, in Keras's order: checks (finite values,
    /// matching sample counts, no empty data, finite class weights), the validation split (the <b>last</b> rows,
    /// taken before any shuffling) unless validation data is given, and class weights turned into sample weights.
    /// Nothing is changed when it throws.
    /// </summary>
    /// <returns>The training adapter and, when there is validation data, its adapter.</returns>
    public static (ArrayDataAdapter Train, ArrayDataAdapter? Validation) ForFit(
        ModelArrays data,
        IReadOnlyDictionary<int, double>? classWeight,
        double validationSplit,
        ModelArrays? validationData,
        int? batchSize,
        int? stepsPerEpoch,
        bool shuffle,
        RandomGenerator? rng)
    {
        if (classWeight is not null && data.W is not null)
        {
            throw new ArgumentException("Pass either classWeight or sampleWeight, not both (as Keras 3).", nameof(classWeight));
        }

        DataChecks.CheckClassWeight(classWeight);
        DataChecks.CheckArrays(data);
        DataChecks.CheckNotEmpty(data.X[0], data.XNames[0], "Fit");

        ModelArrays? validation = null;
        if (validationData is not null)
        {
            DataChecks.CheckArrays(validationData);
            DataChecks.CheckNotEmpty(validationData.X[0], validationData.XNames[0], "Fit");
            validation = validationData;
        }
        else if (validationSplit > 0)
        {
            int n = data.Samples;
            int splitAt = (int)Math.Floor(n * (1.0 - validationSplit));
            if (splitAt == 0 || splitAt == n)
            {
                throw new ArgumentException(
                    $"validationSplit {validationSplit.ToString(System.Globalization.CultureInfo.InvariantCulture)} of {n} samples leaves {splitAt} for training and {n - splitAt} for validation; both need at least one.",
                    nameof(validationSplit));
            }

            validation = data.Slice(splitAt, n - splitAt);
            data = data.Slice(0, splitAt);
        }

        if (classWeight is not null)
        {
            data = data.WithWeights([DataChecks.ClassWeightsToSampleWeights(data.Y![0]!, classWeight)]);
        }

        int samples = data.Samples;
        int size = batchSize ?? (stepsPerEpoch is int s ? Math.Max(1, (samples + s - 1) / s) : DefaultBatchSize);
        var train = new ArrayDataAdapter(data, size, shuffle, shuffle ? rng : null);
        var validationAdapter = validation is null ? null : new ArrayDataAdapter(validation, size, shuffle: false, rng: null);
        return (train, validationAdapter);
    }

    /// <summary>The number of samples.</summary>
    public int Samples { get; }

    /// <summary>The arrays, whole.</summary>
    public ModelArrays Data => _data;

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
    public override Batch GetBatch(int index)
    {
        int start = index * _batchSize;
        int count = Math.Min(_batchSize, Samples - start);
        if (!_shuffle)
        {
            foreach (var column in _columns)
            {
                column.Point(column.Source, start, count);
            }

            return _batch;
        }

        var indices = _order.AsSpan(start, count);
        foreach (var column in _columns)
        {
            Gather(column.Source, column.Buffer, indices);
            column.Point(column.Buffer, 0, count);
        }

        return _batch;
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

    /// <summary>One array cut into batches: its data, its gather buffer when shuffling, and the reusable view in its batch slot.</summary>
    private sealed class Column
    {
        private readonly Tensor?[] _slots;
        private readonly int _slot;
        private readonly Tensor _view;

        public Column(Tensor source, Tensor?[] slots, int slot, bool shuffle, int batchSize)
        {
            Source = source;
            Buffer = shuffle ? Tensor.AllocatePersistent(source.Shape.With(0, batchSize)) : source;
            _slots = slots;
            _slot = slot;
            // Batch views are re-pointed at each step instead of allocated.
            _view = source.SliceRows(0, 0);
        }

        public Tensor Source { get; }

        public Tensor Buffer { get; }

        /// <summary>Re-points the view at rows [start, start + count) of <paramref name="data"/> and puts it in the batch.</summary>
        public void Point(Tensor data, int start, int count)
        {
            int rows = data.Shape[0];
            int rowSize = rows == 0 ? 0 : data.Size / rows;
            _view.Reset(data.Data, data.Offset + (start * rowSize), data.Shape.With(0, count));
            _slots[_slot] = _view;
        }
    }
}
