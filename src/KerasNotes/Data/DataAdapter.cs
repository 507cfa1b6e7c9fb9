namespace KerasNotes.Data;

/// <summary>
/// What <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> loop over (Keras's data adapters): batches numbered
/// <c>0 .. Count-1</c> within a pass, like an <see cref="IDataSequence"/>, plus the start of a new pass (where
/// shuffling happens) and the end of an epoch.
/// </summary>
/// <remarks>
/// Arrays (<see cref="ArrayDataAdapter"/>) are checked whole before training starts; a sequence
/// (<see cref="SequenceDataAdapter"/>) delivers batches nobody has seen yet, so each is checked as it arrives and
/// <see cref="ChecksEachBatch"/> tells the model to check its shapes against the model too.
/// </remarks>
internal abstract class DataAdapter
{
    /// <summary>Keras's default batch size, used wherever a call is given none.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>Batches in one pass over the data.</summary>
    public abstract int Count { get; }

    /// <summary>True when each batch is new to the model and must be checked against it before use.</summary>
    public virtual bool ChecksEachBatch => false;

    /// <summary>Starts a pass: a new order when shuffling.</summary>
    public abstract void StartPass();

    /// <summary>Batch <paramref name="index"/> of the current pass. Targets and weights are null where there are none.</summary>
    /// <remarks>The batch and its tensors may be reused by the next call: use them before asking for another batch.</remarks>
    public abstract Batch GetBatch(int index);

    /// <summary>Called at the end of every training epoch.</summary>
    public virtual void OnEpochEnd()
    {
    }
}
