namespace KerasNotes.Data;

/// <summary>
/// Hands out training batches across epochs (Keras's <c>epoch_iterator</c>): a new pass starts when the last one
/// is used up, so with a fixed number of steps per epoch the pass continues across epoch boundaries.
/// </summary>
internal sealed class EpochIterator(DataAdapter data)
{
    private int _position = data.Count; // the first batch starts a pass

    /// <summary>The next batch, starting a new pass first when the current one is used up.</summary>
    public Batch Next()
    {
        if (_position >= data.Count)
        {
            data.StartPass();
            _position = 0;
        }

        return data.GetBatch(_position++);
    }
}
