using KerasNotes.Models;

namespace KerasNotes.Callbacks;

/// <summary>
/// The base of every callback (Keras <c>keras.callbacks.Callback</c>): hooks called by
/// <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> with 0-based epoch/batch indices and the logs of the moment.
/// </summary>
/// <remarks>
/// <para>Batch logs hold the running averages since the epoch (or evaluation) began; epoch logs hold
/// the epoch's values plus <c>val_*</c>. Keys are in alphabetical order, and all callbacks of one
/// hook share one dictionary, so a callback can add a key (e.g. <c>learning_rate</c>) that later
/// ones — History among them — see.</para>
/// <para>A callback can be driven by hand: <see cref="SetModel"/>, then the hooks in order.</para>
/// </remarks>
public abstract class Callback
{
    /// <summary>The model being trained, evaluated or used for prediction (set by <see cref="SetModel"/>).</summary>
    public Model? Model { get; private set; }

    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    /// <summary>Where verbose messages and warnings go (Keras prints them); the console by default.</summary>
    public TextWriter Output { get; set; } = Console.Out;

    /// <summary>Writes a verbose message (a line, as Keras's <c>print_msg</c>).</summary>
    protected void Print(string message)
    {
        Output.WriteLine(message);
        Output.Flush();
    }

    /// <summary>Writes a warning once per distinct text, as Python's warnings module shows it once.</summary>
    protected void WarnOnce(string message)
    {
        if (_warned.Add(message))
        {
            Output.WriteLine("WARNING: " + message);
            Output.Flush();
        }
    }

    /// <summary>The run's parameters: <c>verbose</c>, <c>epochs</c>, <c>steps</c> (Keras <c>params</c>).</summary>
    public IReadOnlyDictionary<string, object?> Params { get; private set; } = new Dictionary<string, object?>();

    /// <summary>
    /// True if this callback does something with training-batch hooks. When no callback does, Fit skips building
    /// per-batch logs entirely (as Keras skips its batch hooks), so a step allocates nothing for callbacks.
    /// </summary>
    internal virtual bool WantsTrainBatchHooks =>
        Overrides(OnTrainBatchBegin) || Overrides(OnTrainBatchEnd) || Overrides(OnBatchBegin) || Overrides(OnBatchEnd);

    /// <summary>True if this callback does something with evaluation-batch hooks.</summary>
    internal virtual bool WantsTestBatchHooks => Overrides(OnTestBatchBegin) || Overrides(OnTestBatchEnd);

    // A delegate bound to a virtual hook resolves to the most derived override, so its declaring type says whether a
    // subclass overrides the hook — without looking methods up by name, which trimming and native AOT do not keep.
    private static bool Overrides(Action<int, IDictionary<string, double>?> hook) => hook.Method.DeclaringType != typeof(Callback);

    /// <summary>Attaches the callback to a model.</summary>
    public virtual void SetModel(Model model) => Model = model;

    /// <summary>Sets the run's parameters.</summary>
    public virtual void SetParams(IReadOnlyDictionary<string, object?> parameters) => Params = parameters ?? new Dictionary<string, object?>();

    /// <summary>Called once before training starts.</summary>
    public virtual void OnTrainBegin(IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called once after training ends, with the last epoch's logs.</summary>
    public virtual void OnTrainEnd(IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called at the start of each epoch (absolute, 0-based index) with empty logs.</summary>
    public virtual void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called at the end of each epoch with the epoch's logs (including <c>val_*</c>).</summary>
    public virtual void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called before each training batch; by default forwards to <see cref="OnBatchBegin"/> (as Keras).</summary>
    public virtual void OnTrainBatchBegin(int batch, IDictionary<string, double>? logs = null) => OnBatchBegin(batch, logs);

    /// <summary>Called after each training batch with the running averages; by default forwards to <see cref="OnBatchEnd"/>.</summary>
    public virtual void OnTrainBatchEnd(int batch, IDictionary<string, double>? logs = null) => OnBatchEnd(batch, logs);

    /// <summary>Legacy alias run for training batches only.</summary>
    public virtual void OnBatchBegin(int batch, IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Legacy alias run for training batches only.</summary>
    public virtual void OnBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called before evaluation (also validation inside <c>Fit</c>).</summary>
    public virtual void OnTestBegin(IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called after evaluation with its results.</summary>
    public virtual void OnTestEnd(IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called before each evaluation batch.</summary>
    public virtual void OnTestBatchBegin(int batch, IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called after each evaluation batch with the running averages.</summary>
    public virtual void OnTestBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called before prediction.</summary>
    public virtual void OnPredictBegin(IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called after prediction.</summary>
    public virtual void OnPredictEnd(IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called before each prediction batch.</summary>
    public virtual void OnPredictBatchBegin(int batch, IDictionary<string, double>? logs = null)
    {
    }

    /// <summary>Called after each prediction batch.</summary>
    public virtual void OnPredictBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
    }
}
