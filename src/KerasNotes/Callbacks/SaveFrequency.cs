namespace KerasNotes.Callbacks;

/// <summary>When <see cref="ModelCheckpoint"/> saves: <c>"epoch"</c> (every epoch end) or a number of training batches.</summary>
public readonly struct SaveFrequency : IEquatable<SaveFrequency>
{
    private SaveFrequency(int batches) => Batches = batches;

    /// <summary>Save every this many training batches (counted across epochs), or 0 for every epoch end.</summary>
    public int Batches { get; }

    /// <summary>True for "every epoch".</summary>
    public bool IsEpoch => Batches == 0;

    /// <summary>Every epoch end (Keras <c>save_freq="epoch"</c>).</summary>
    public static SaveFrequency Epoch => default;

    /// <summary>From <c>"epoch"</c>.</summary>
    /// <exception cref="ArgumentException">Any other string (Keras raises ValueError).</exception>
    public static implicit operator SaveFrequency(string value) => value == "epoch"
        ? Epoch
        : throw new ArgumentException($"saveFreq '{value}' is not understood; expected \"epoch\" or a positive number of batches.", nameof(value));

    /// <summary>From a positive number of batches.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public static implicit operator SaveFrequency(int batches) => batches > 0
        ? new SaveFrequency(batches)
        : throw new ArgumentOutOfRangeException(nameof(batches), batches, "saveFreq must be \"epoch\" or a positive number of batches.");

    /// <summary>Named alternative to the implicit conversion from a batch count.</summary>
    public static SaveFrequency EveryBatches(int batches) => batches;

    /// <inheritdoc />
    public bool Equals(SaveFrequency other) => Batches == other.Batches;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SaveFrequency f && Equals(f);

    /// <inheritdoc />
    public override int GetHashCode() => Batches;

    /// <summary>Equality.</summary>
    public static bool operator ==(SaveFrequency left, SaveFrequency right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(SaveFrequency left, SaveFrequency right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsEpoch ? "epoch" : Batches.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
