namespace KerasNotes.Data;

/// <summary>One batch from an <see cref="IDataSequence"/>.</summary>
/// <param name="X">The inputs, batch axis first.</param>
/// <param name="Y">The targets.</param>
/// <param name="SampleWeight">Per-sample weights, or null.</param>
public readonly record struct DataBatch(Tensor X, Tensor Y, Tensor? SampleWeight = null);

/// <summary>
/// Data delivered batch by batch, for data sets that do not fit in memory (Keras <c>keras.utils.PyDataset</c>).
/// </summary>
/// <remarks>
/// <c>Fit</c> asks for batches <c>0 .. Count-1</c> each epoch (in a shuffled order when asked) and
/// calls <see cref="OnEpochEnd"/> after each epoch so the sequence can reshuffle or reload.
/// A batch holds one input array and one target array, so a sequence feeds models with one input and one output;
/// a model with several inputs or outputs refuses it (give it arrays: <c>Fit([a, b], [y1, y2])</c>).
/// </remarks>
public interface IDataSequence
{
    /// <summary>The number of batches in one pass.</summary>
    int Count { get; }

    /// <summary>Batch <paramref name="index"/> (0-based).</summary>
    DataBatch GetBatch(int index);

    /// <summary>Called at the end of every epoch.</summary>
    void OnEpochEnd()
    {
    }
}
