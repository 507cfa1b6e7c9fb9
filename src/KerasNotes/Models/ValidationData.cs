namespace KerasNotes.Models;

/// <summary>
/// Held-out data that <c>Fit</c> evaluates after each epoch (Keras <c>validation_data</c>): pass a tuple
/// <c>(x, y)</c> or <c>(x, y, sampleWeight)</c>.
/// </summary>
public sealed class ValidationData
{
    /// <summary>Creates validation data.</summary>
    public ValidationData(Tensor x, Tensor y, Tensor? sampleWeight = null)
    {
        X = x ?? throw new ArgumentNullException(nameof(x));
        Y = y ?? throw new ArgumentNullException(nameof(y));
        SampleWeight = sampleWeight;
    }

    /// <summary>The inputs.</summary>
    public Tensor X { get; }

    /// <summary>The targets.</summary>
    public Tensor Y { get; }

    /// <summary>Per-sample weights, or null.</summary>
    public Tensor? SampleWeight { get; }

    /// <summary>From <c>(x, y)</c>.</summary>
    public static implicit operator ValidationData((Tensor X, Tensor Y) data) => new(data.X, data.Y);

    /// <summary>From <c>(x, y, sampleWeight)</c>.</summary>
    public static implicit operator ValidationData((Tensor X, Tensor Y, Tensor SampleWeight) data) => new(data.X, data.Y, data.SampleWeight);

    /// <summary>Named alternative to the tuple conversion.</summary>
    public static ValidationData FromTuple((Tensor X, Tensor Y) data) => data;
}
