namespace KerasNotes.Callbacks;

/// <summary>
/// The per-epoch record of a <c>Fit</c> run (Keras <c>History</c>): <c>history["val_loss"]</c> is the
/// list of that key's values, one per epoch in which it appeared.
/// </summary>
/// <remarks>
/// <c>Fit</c> creates a new History per call and returns it. Pass your own History among the
/// callbacks to accumulate several calls. A key that first appears in a later epoch has a shorter
/// list, as in Keras.
/// </remarks>
public sealed class History : Callback
{
    private readonly Dictionary<string, List<double>> _history = new(StringComparer.Ordinal);
    private readonly List<int> _epochs = [];

    /// <summary>The values of <paramref name="key"/>, one per epoch.</summary>
    /// <exception cref="KeyNotFoundException">No epoch logged that key; the message lists the keys that exist.</exception>
    public IReadOnlyList<double> this[string key] =>
        _history.TryGetValue(key, out var values)
            ? values
            : throw new KeyNotFoundException($"History has no key '{key}'; it has: {string.Join(", ", _history.Keys)}.");

    /// <summary>The logged keys, in the order they first appeared.</summary>
    public IReadOnlyCollection<string> Keys => _history.Keys;

    /// <summary>The epoch indices that ran (0-based, absolute).</summary>
    public IReadOnlyList<int> Epochs => _epochs;

    /// <summary>True if <paramref name="key"/> was logged.</summary>
    public bool ContainsKey(string key) => _history.ContainsKey(key);

    /// <summary>The whole record as a dictionary (Keras <c>history.history</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> ToDictionary()
    {
        var result = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal);
        foreach (var (k, v) in _history)
        {
            result[k] = v.ToArray();
        }

        return result;
    }

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double>? logs = null) => _epochs.Clear();

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null)
    {
        _epochs.Add(epoch);
        foreach (var (k, v) in logs ?? new Dictionary<string, double>())
        {
            if (!_history.TryGetValue(k, out var list))
            {
                list = [];
                _history[k] = list;
            }

            list.Add(v);
        }

        if (Model is not null)
        {
            Model.History = this;
        }
    }
}
