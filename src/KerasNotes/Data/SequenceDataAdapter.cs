namespace KerasNotes.Data;

/// <summary>
/// Adapts an <see cref="IDataSequence"/>: batches in order, or in a fresh random order each pass when shuffling;
/// every batch is checked (finite, matching sample counts, not empty) as it arrives. A sequence's batches hold one
/// input array and one target array, so it feeds models with one input and one output.
/// </summary>
internal sealed class SequenceDataAdapter : DataAdapter
{
    private readonly IDataSequence _data;
    private readonly RandomGenerator? _rng;
    private readonly int[] _order;
    private readonly string _method;
    private readonly Batch _batch = new(1, 1);

    /// <summary>Adapts <paramref name="data"/>, refusing a sequence with no batches.</summary>
    /// <param name="data">The sequence.</param>
    /// <param name="rng">The generator that shuffles the batch order each pass, or null to keep it.</param>
    /// <param name="argument">The argument that holds the sequence, for messages.</param>
    /// <param name="method">The calling method, for messages.</param>
    public SequenceDataAdapter(IDataSequence data, RandomGenerator? rng, string argument, string method)
    {
        ArgumentNullException.ThrowIfNull(data, argument);
        int count = data.Count;
        if (count <= 0)
        {
            throw new ArgumentException($"The data sequence '{argument}' has {count} batches; {method} needs at least one.", argument);
        }

        _data = data;
        _rng = rng;
        _method = method;
        _order = new int[count];
        for (int i = 0; i < count; i++)
        {
            _order[i] = i;
        }
    }

    /// <inheritdoc />
    public override int Count => _order.Length;

    /// <inheritdoc />
    public override bool ChecksEachBatch => true;

    /// <inheritdoc />
    public override void StartPass()
    {
        if (_rng is not null)
        {
            for (int i = 0; i < _order.Length; i++)
            {
                _order[i] = i;
            }

            _rng.Permutation(_order);
        }
    }

    /// <inheritdoc />
    public override Batch GetBatch(int index)
    {
        var batch = _data.GetBatch(_order[index]);
        if (batch.X is null || batch.Y is null)
        {
            throw new ArgumentException(
                $"Batch {_order[index]} of the data sequence has no {(batch.X is null ? "X" : "Y")}; {_method} needs inputs and targets in every batch.", batch.X is null ? "batch.X" : "batch.Y");
        }

        DataChecks.CheckArrays(batch.X, batch.Y, batch.SampleWeight, "batch.X", "batch.Y", "batch.SampleWeight");
        DataChecks.CheckNotEmpty(batch.X, "batch.X", _method);
        _batch.X[0] = batch.X;
        _batch.Y[0] = batch.Y;
        _batch.W[0] = batch.SampleWeight;
        return _batch;
    }

    /// <inheritdoc />
    public override void OnEpochEnd() => _data.OnEpochEnd();
}
