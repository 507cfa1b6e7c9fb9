namespace KerasNotes.Models;

/// <summary>
/// Cuts arrays into batches for <c>Fit</c>/<c>Evaluate</c>/<c>Predict</c> (Keras's array data adapter and
/// epoch iterator): a fresh uniform permutation per pass when shuffling, a partial last batch kept,
/// and, with a fixed number of steps per epoch, a pass that continues across epoch boundaries.
/// </summary>
/// <remarks>
/// Rows are gathered into buffers allocated once, so a step copies data but allocates nothing;
/// without shuffling a batch is a view of the data itself.
/// </remarks>
internal sealed class BatchIterator
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
    private int _position;

    // Batch views are re-pointed at each step instead of allocated.
    private readonly Tensor _xView;
    private readonly Tensor? _yView;
    private readonly Tensor? _wView;

    public BatchIterator(Tensor x, Tensor? y, Tensor? sampleWeight, int batchSize, bool shuffle, RandomGenerator? rng)
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

        BatchesPerPass = Samples == 0 ? 0 : (Samples + _batchSize - 1) / _batchSize;
        _xView = x.SliceRows(0, 0);
        _yView = y?.SliceRows(0, 0);
        _wView = sampleWeight?.SliceRows(0, 0);
        _position = BatchesPerPass; // the first Next() starts a pass
    }

    /// <summary>The number of samples.</summary>
    public int Samples { get; }

    /// <summary>Batches in one full pass over the data.</summary>
    public int BatchesPerPass { get; }

    /// <summary>Starts a new pass (with a new permutation when shuffling).</summary>
    public void StartPass()
    {
        _position = 0;
        if (_shuffle)
        {
            _rng!.Permutation(_order);
        }
    }

    /// <summary>True if the current pass has batches left.</summary>
    public bool HasNext => _position < BatchesPerPass;

    /// <summary>The next batch of the current pass (views of the data or of the reused buffers).</summary>
    public (Tensor X, Tensor? Y, Tensor? W) Next()
    {
        int start = _position * _batchSize;
        int count = Math.Min(_batchSize, Samples - start);
        _position++;
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
