using KerasNotes.Models;

namespace KerasNotes.Callbacks;

/// <summary>
/// Runs a list of callbacks in order (Keras <c>CallbackList</c>): the user's callbacks, then
/// <see cref="History"/>, then the progress bar when <c>verbose</c> is not 0.
/// </summary>
/// <remarks>
/// Each hook rebuilds the logs once with keys in alphabetical order (Keras converts and sorts them)
/// and passes that same dictionary to every callback, so additions made by earlier callbacks reach
/// later ones.
/// </remarks>
public sealed class CallbackList
{
    private readonly List<Callback> _callbacks;

    /// <summary>Creates the list for a run.</summary>
    /// <param name="callbacks">The user's callbacks.</param>
    /// <param name="model">The model.</param>
    /// <param name="addHistory">Append a new <see cref="History"/> unless one is among <paramref name="callbacks"/>.</param>
    /// <param name="addProgbar">Append a <see cref="ProgbarLogger"/> unless one is among <paramref name="callbacks"/>.</param>
    /// <param name="parameters">The run's parameters (<c>verbose</c>, <c>epochs</c>, <c>steps</c>).</param>
    /// <param name="output">Where the progress bar writes.</param>
    public CallbackList(
        IEnumerable<Callback>? callbacks, Model model, bool addHistory, bool addProgbar,
        IReadOnlyDictionary<string, object?> parameters, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _callbacks = [];
        foreach (var c in callbacks ?? [])
        {
            _callbacks.Add(c ?? throw new ArgumentException("The callbacks list contains null.", nameof(callbacks)));
        }

        History = _callbacks.OfType<History>().FirstOrDefault();
        if (addHistory && History is null)
        {
            History = new History();
            _callbacks.Add(History);
        }

        if (addProgbar && !_callbacks.OfType<ProgbarLogger>().Any())
        {
            _callbacks.Add(new ProgbarLogger(output));
        }

        foreach (var c in _callbacks)
        {
            c.SetModel(model);
            c.SetParams(parameters);
        }
    }

    /// <summary>True if some callback acts on training-batch hooks (otherwise Fit need not build batch logs).</summary>
    internal bool NeedsTrainBatchHooks => _callbacks.Any(c => c.WantsTrainBatchHooks);

    /// <summary>True if some callback acts on evaluation-batch hooks.</summary>
    internal bool NeedsTestBatchHooks => _callbacks.Any(c => c.WantsTestBatchHooks);

    /// <summary>The History that records this run, if any.</summary>
    public History? History { get; }

    /// <summary>The callbacks in the order they run.</summary>
    public IReadOnlyList<Callback> Callbacks => _callbacks;

    /// <summary>Keys sorted alphabetically, as Keras presents logs to callbacks.</summary>
    internal static Dictionary<string, double> Sorted(IDictionary<string, double>? logs)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (logs is null)
        {
            return result;
        }

        var keys = new List<string>(logs.Keys);
        keys.Sort(StringComparer.Ordinal);
        foreach (var k in keys)
        {
            result[k] = logs[k];
        }

        return result;
    }

    /// <summary>Runs <see cref="Callback.OnTrainBegin"/> on every callback.</summary>
    public void OnTrainBegin(IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnTrainBegin(l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnTrainEnd"/> on every callback.</summary>
    public void OnTrainEnd(IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnTrainEnd(l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnEpochBegin"/> on every callback.</summary>
    public void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnEpochBegin(epoch, l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnEpochEnd"/> on every callback; returns the shared logs (with any keys callbacks added).</summary>
    public IDictionary<string, double> OnEpochEnd(int epoch, IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnEpochEnd(epoch, l);
        }

        return l;
    }

    /// <summary>Runs <see cref="Callback.OnTrainBatchBegin"/> on every callback.</summary>
    public void OnTrainBatchBegin(int batch, IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnTrainBatchBegin(batch, l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnTrainBatchEnd"/> on every callback.</summary>
    public void OnTrainBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnTrainBatchEnd(batch, l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnTestBegin"/> on every callback.</summary>
    public void OnTestBegin(IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnTestBegin(l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnTestEnd"/> on every callback.</summary>
    public void OnTestEnd(IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnTestEnd(l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnTestBatchBegin"/> on every callback.</summary>
    public void OnTestBatchBegin(int batch, IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnTestBatchBegin(batch, l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnTestBatchEnd"/> on every callback.</summary>
    public void OnTestBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnTestBatchEnd(batch, l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnPredictBegin"/> on every callback.</summary>
    public void OnPredictBegin(IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnPredictBegin(l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnPredictEnd"/> on every callback.</summary>
    public void OnPredictEnd(IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnPredictEnd(l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnPredictBatchBegin"/> on every callback.</summary>
    public void OnPredictBatchBegin(int batch, IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnPredictBatchBegin(batch, l);
        }
    }

    /// <summary>Runs <see cref="Callback.OnPredictBatchEnd"/> on every callback.</summary>
    public void OnPredictBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
        var l = Sorted(logs);
        foreach (var c in _callbacks)
        {
            c.OnPredictBatchEnd(batch, l);
        }
    }
}
