namespace KerasNotes.Data;

/// <summary>
/// One batch as the training loop sees it: one array per input, one target and one sample weight per output (null
/// entries where an output has none). An adapter fills the same instance for every batch, so a step allocates nothing.
/// </summary>
internal sealed class Batch
{
    public Batch(int inputs, int outputs)
    {
        X = new Tensor[inputs];
        Y = new Tensor?[outputs];
        W = new Tensor?[outputs];
    }

    /// <summary>One array per input.</summary>
    public Tensor[] X { get; }

    /// <summary>One target per output, null where there is none.</summary>
    public Tensor?[] Y { get; }

    /// <summary>One sample weight per output, null where there is none.</summary>
    public Tensor?[] W { get; }

    /// <summary>The number of samples in the batch.</summary>
    public int Size => X[0].Shape[0];
}
