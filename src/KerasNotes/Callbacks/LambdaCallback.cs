namespace KerasNotes.Callbacks;

/// <summary>
/// A callback made of delegates (Keras <c>LambdaCallback</c>): each one given replaces that hook; the others do nothing.
/// </summary>
/// <example><code>new LambdaCallback(onEpochEnd: (epoch, logs) => Console.WriteLine($"{epoch}: {logs!["loss"]}"))</code></example>
public sealed class LambdaCallback(
    Action<int, IDictionary<string, double>?>? onEpochBegin = null,
    Action<int, IDictionary<string, double>?>? onEpochEnd = null,
    Action<IDictionary<string, double>?>? onTrainBegin = null,
    Action<IDictionary<string, double>?>? onTrainEnd = null,
    Action<int, IDictionary<string, double>?>? onTrainBatchBegin = null,
    Action<int, IDictionary<string, double>?>? onTrainBatchEnd = null,
    Action<IDictionary<string, double>?>? onTestBegin = null,
    Action<IDictionary<string, double>?>? onTestEnd = null,
    Action<int, IDictionary<string, double>?>? onTestBatchEnd = null,
    Action<IDictionary<string, double>?>? onPredictBegin = null,
    Action<IDictionary<string, double>?>? onPredictEnd = null) : Callback
{
    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null) => onEpochBegin?.Invoke(epoch, logs);

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null) => onEpochEnd?.Invoke(epoch, logs);

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double>? logs = null) => onTrainBegin?.Invoke(logs);

    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double>? logs = null) => onTrainEnd?.Invoke(logs);

    /// <inheritdoc />
    public override void OnTrainBatchBegin(int batch, IDictionary<string, double>? logs = null) => onTrainBatchBegin?.Invoke(batch, logs);

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double>? logs = null) => onTrainBatchEnd?.Invoke(batch, logs);

    /// <inheritdoc />
    public override void OnTestBegin(IDictionary<string, double>? logs = null) => onTestBegin?.Invoke(logs);

    /// <inheritdoc />
    public override void OnTestEnd(IDictionary<string, double>? logs = null) => onTestEnd?.Invoke(logs);

    /// <inheritdoc />
    public override void OnTestBatchEnd(int batch, IDictionary<string, double>? logs = null) => onTestBatchEnd?.Invoke(batch, logs);

    /// <inheritdoc />
    public override void OnPredictBegin(IDictionary<string, double>? logs = null) => onPredictBegin?.Invoke(logs);

    /// <inheritdoc />
    public override void OnPredictEnd(IDictionary<string, double>? logs = null) => onPredictEnd?.Invoke(logs);
}
