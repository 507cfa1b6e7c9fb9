using KerasNotes.Callbacks;
using KerasNotes.Data;

namespace KerasNotes.Models;

public partial class Model
{
    /// <summary>
    /// Computes the loss and metrics on data in inference mode (Keras <c>evaluate</c> with <c>return_dict=True</c>).
    /// </summary>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Targets.</param>
    /// <param name="batchSize">Samples per step (default 32).</param>
    /// <param name="verbose">0 silent, 1 progress bar.</param>
    /// <param name="sampleWeight">Per-sample weights (for the loss and weighted metrics).</param>
    /// <param name="callbacks">Callbacks receiving the test hooks.</param>
    /// <returns><c>loss</c> first, then each compiled metric.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="ArgumentException">Bad data; the model is unchanged.</exception>
    public IReadOnlyDictionary<string, double> Evaluate(
        ArrayLike x, ArrayLike y, int? batchSize = null, int verbose = 0, ArrayLike? sampleWeight = null, IEnumerable<Callback>? callbacks = null)
    {
        using var use = UseGuard.Enter(this, nameof(Evaluate), change: false);
        EnsureCompiled(nameof(Evaluate));
        var xt = x.Require(nameof(x));
        var yt = y.Require(nameof(y));
        var wt = sampleWeight?.Tensor;
        CheckBatchSize(batchSize);
        return EvaluateArrays(Layout().Resolve(xt, yt, LoneOrNull(wt)), batchSize, verbose, callbacks);
    }

    /// <summary>
    /// Computes the loss and metrics of a model with several inputs or outputs (Keras <c>evaluate</c> with lists or dicts of
    /// arrays, <c>return_dict=True</c>).
    /// </summary>
    /// <param name="x">One array per input, in input order or keyed by <see cref="InputNames"/>.</param>
    /// <param name="y">One target array per output, in output order or keyed by <see cref="OutputNames"/>.</param>
    /// <param name="batchSize">Samples per step (default 32).</param>
    /// <param name="verbose">0 silent, 1 progress bar.</param>
    /// <param name="sampleWeight">One weight array per output, or one for all outputs.</param>
    /// <param name="callbacks">Callbacks receiving the test hooks.</param>
    /// <returns>In Keras's <c>evaluate</c> order: <c>loss</c>, each output's <c>&lt;output&gt;_loss</c>, then the metrics' keys sorted.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="ArgumentException">Arrays that do not match the model, or bad data; the model is unchanged.</exception>
    public IReadOnlyDictionary<string, double> Evaluate(
        ArrayGroup x, ArrayGroup y, int? batchSize = null, int verbose = 0, ArrayGroup? sampleWeight = null, IEnumerable<Callback>? callbacks = null)
    {
        using var use = UseGuard.Enter(this, nameof(Evaluate), change: false);
        EnsureCompiled(nameof(Evaluate));
        CheckBatchSize(batchSize);
        return EvaluateArrays(Layout().Resolve(x, y, sampleWeight), batchSize, verbose, callbacks);
    }

    private Dictionary<string, double> EvaluateArrays(ModelArrays data, int? batchSize, int verbose, IEnumerable<Callback>? callbacks)
    {
        DataChecks.CheckArrays(data);
        DataChecks.CheckNotEmpty(data.X[0], data.XNames[0], nameof(Evaluate));
        lock (_metricsGate)
        {
            PrepareFor(data.X, data.Y!, data.W, data.XNames, data.YNames, data.WNames);
            var adapter = new ArrayDataAdapter(data, batchSize ?? DataAdapter.DefaultBatchSize, shuffle: false, rng: null);
            return EvaluateAdapter(adapter, StandaloneCallbacks(callbacks, verbose, adapter.Count));
        }
    }

    private static void CheckBatchSize(int? batchSize)
    {
        if (batchSize is int b && b < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be a positive number of samples.");
        }
    }

    /// <summary>Evaluates on batches from an <see cref="IDataSequence"/>.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(IDataSequence data, int verbose = 0, IEnumerable<Callback>? callbacks = null)
    {
        using var use = UseGuard.Enter(this, nameof(Evaluate), change: false);
        EnsureCompiled(nameof(Evaluate));
        RefuseSequenceIfSeveral(nameof(data));
        var adapter = new SequenceDataAdapter(data, null, nameof(data), nameof(Evaluate));
        lock (_metricsGate)
        {
            return EvaluateAdapter(adapter, StandaloneCallbacks(callbacks, verbose, adapter.Count));
        }
    }

    private CallbackList StandaloneCallbacks(IEnumerable<Callback>? callbacks, int verbose, int steps)
    {
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["verbose"] = verbose,
            ["epochs"] = 1,
            ["steps"] = steps,
        };
        return new CallbackList(callbacks, this, addHistory: false, addProgbar: verbose != 0, parameters);
    }

    /// <summary>The one evaluation loop: every batch in inference mode into the compiled metrics.</summary>
    private Dictionary<string, double> EvaluateAdapter(DataAdapter data, CallbackList callbacks)
    {
        ResetMetrics();
        callbacks.OnTestBegin();
        bool batchHooks = callbacks.NeedsTestBatchHooks;
        var arena = RentArena();
        var yPred = new Tensor[OutputCount];
        var outputLosses = new float[OutputCount];
        try
        {
            data.StartPass();
            for (int step = 0; step < data.Count; step++)
            {
                if (batchHooks)
                {
                    callbacks.OnTestBatchBegin(step);
                }

                var batch = data.GetBatch(step);
                if (data.ChecksEachBatch)
                {
                    PrepareFor(batch.X, batch.Y, batch.W, s_batchX, s_batchY, s_batchW);
                }

                TestStep(arena, batch.X, batch.Y, batch.W, yPred, outputLosses);
                if (batchHooks)
                {
                    callbacks.OnTestBatchEnd(step, MetricResults());
                }
            }
        }
        finally
        {
            ReturnArena(arena);
        }

        var logs = MetricResults();
        callbacks.OnTestEnd(logs);
        return logs;
    }

    /// <summary>
    /// Runs the model on data in inference mode, batch by batch, and returns the outputs joined along the
    /// batch axis (Keras <c>predict</c>). The model need not be compiled.
    /// </summary>
    /// <param name="x">Inputs.</param>
    /// <param name="batchSize">Samples per step (default 32).</param>
    /// <param name="verbose">0 silent, 1 progress bar.</param>
    /// <param name="callbacks">Callbacks receiving the predict hooks.</param>
    /// <remarks>Safe to call from many threads at once on one model; see the thread-safety remarks on <see cref="Model"/>.</remarks>
    /// <exception cref="ArgumentException">The inputs do not fit the model, or hold no samples.</exception>
    /// <exception cref="InvalidOperationException">Another thread is training or changing the model.</exception>
    public Tensor Predict(ArrayLike x, int? batchSize = null, int verbose = 0, IEnumerable<Callback>? callbacks = null)
    {
        using var use = UseGuard.Enter(this, nameof(Predict), change: false);
        var xt = x.Require(nameof(x));
        RefuseOneOutputCall(nameof(Predict), "model.Predict([x])");
        CheckBatchSize(batchSize);
        return PredictArrays(Layout().Resolve(xt, null, null), batchSize, verbose, callbacks)[0];
    }

    /// <summary>
    /// Runs a model with several inputs or outputs on data in inference mode (Keras <c>predict</c> with a list or dict of
    /// arrays) and returns one array per output, in output order. The model need not be compiled.
    /// </summary>
    /// <param name="x">One array per input, in input order or keyed by <see cref="InputNames"/>.</param>
    /// <param name="batchSize">Samples per step (default 32).</param>
    /// <param name="verbose">0 silent, 1 progress bar.</param>
    /// <param name="callbacks">Callbacks receiving the predict hooks.</param>
    /// <returns>One tensor per output (one for a model with one output), each joined along the batch axis.</returns>
    /// <remarks>Safe to call from many threads at once on one model; see the thread-safety remarks on <see cref="Model"/>.</remarks>
    /// <exception cref="ArgumentException">The arrays do not match the model's inputs, or hold no samples.</exception>
    /// <exception cref="InvalidOperationException">Another thread is training or changing the model.</exception>
    /// <example><code>
    /// var outputs = model.Predict([images, hints]);
    /// Tensor classes = outputs[0], footwear = outputs[1];
    /// </code></example>
    public IReadOnlyList<Tensor> Predict(ArrayGroup x, int? batchSize = null, int verbose = 0, IEnumerable<Callback>? callbacks = null)
    {
        using var use = UseGuard.Enter(this, nameof(Predict), change: false);
        CheckBatchSize(batchSize);
        return PredictArrays(Layout().Resolve(x, null, null), batchSize, verbose, callbacks);
    }

    private Tensor[] PredictArrays(ModelArrays inputs, int? batchSize, int verbose, IEnumerable<Callback>? callbacks)
    {
        DataChecks.CheckArrays(inputs);
        DataChecks.CheckNotEmpty(inputs.X[0], inputs.XNames[0], nameof(Predict));
        CheckInputShapes(inputs.X, inputs.XNames);
        var data = new ArrayDataAdapter(inputs, batchSize ?? DataAdapter.DefaultBatchSize, shuffle: false, rng: null);
        var callbackList = StandaloneCallbacks(callbacks, verbose, data.Count);
        callbackList.OnPredictBegin();
        var results = new Tensor?[OutputCount];
        var yPred = new Tensor[OutputCount];
        int row = 0;
        var arena = RentArena();
        try
        {
            data.StartPass();
            for (int step = 0; step < data.Count; step++)
            {
                callbackList.OnPredictBatchBegin(step);
                var batch = data.GetBatch(step);
                PredictStep(arena, batch.X, yPred, results, data.Samples, row);
                row += batch.Size;
                callbackList.OnPredictBatchEnd(step);
            }
        }
        finally
        {
            ReturnArena(arena);
        }

        callbackList.OnPredictEnd();
        return Array.ConvertAll(results, r => r!);
    }

    /// <summary>A call that returns one tensor, on a model with several outputs: refused, pointing at the list form.</summary>
    private void RefuseOneOutputCall(string method, string listForm)
    {
        if (OutputCount > 1)
        {
            throw new InvalidOperationException(
                $"Model '{Name}' has {OutputCount} outputs ({string.Join(", ", OutputNames)}); {method}(ArrayLike) returns one tensor. " +
                $"Pass the inputs as a list to get every output: {listForm} returns one tensor per output.");
        }
    }

    /// <summary>One training step on one batch (Keras <c>train_on_batch</c>); returns the logs of that batch alone.</summary>
    /// <exception cref="InvalidOperationException">The model is not compiled, or another thread is using it.</exception>
    /// <exception cref="ArgumentException">Bad data (including an empty batch or a non-finite class weight); the model is unchanged.</exception>
    public IReadOnlyDictionary<string, double> TrainOnBatch(ArrayLike x, ArrayLike y, ArrayLike? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null)
    {
        using var change = UseGuard.Enter(this, nameof(TrainOnBatch), change: true);
        EnsureCompiled(nameof(TrainOnBatch));
        var xt = x.Require(nameof(x));
        var yt = y.Require(nameof(y));
        var wt = sampleWeight?.Tensor;
        RefuseBothWeights(classWeight, wt is not null);
        return TrainOnBatchCore(Layout().Resolve(xt, yt, LoneOrNull(wt)), classWeight);
    }

    /// <summary>
    /// One training step on one batch of a model with several inputs or outputs (Keras <c>train_on_batch</c> with lists or
    /// dicts): arrays in input/output order or by name, as <c>Fit</c> takes them.
    /// </summary>
    /// <param name="x">One batch per input, in order or by input name.</param>
    /// <param name="y">One target batch per output, in order or by output name.</param>
    /// <param name="sampleWeight">One weight array per output, or one for all.</param>
    /// <param name="classWeight">Weight per class index, for a model with one output only.</param>
    /// <exception cref="InvalidOperationException">The model is not compiled, or another thread is using it.</exception>
    /// <exception cref="ArgumentException">Arrays that do not fit the model's inputs or outputs; the model is unchanged.</exception>
    public IReadOnlyDictionary<string, double> TrainOnBatch(ArrayGroup x, ArrayGroup y, ArrayGroup? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null)
    {
        using var change = UseGuard.Enter(this, nameof(TrainOnBatch), change: true);
        EnsureCompiled(nameof(TrainOnBatch));
        RefuseBothWeights(classWeight, sampleWeight is not null);
        return TrainOnBatchCore(Layout().Resolve(x, y, sampleWeight), classWeight);
    }

    private void RefuseBothWeights(IReadOnlyDictionary<int, double>? classWeight, bool hasSampleWeight)
    {
        if (classWeight is not null && hasSampleWeight)
        {
            throw new ArgumentException("Pass either classWeight or sampleWeight, not both.", nameof(classWeight));
        }

        if (classWeight is not null && OutputCount > 1)
        {
            throw new ArgumentException($"`class_weight` is only supported for Models with a single output; model '{Name}' has {OutputCount}.", nameof(classWeight));
        }

        DataChecks.CheckClassWeight(classWeight);
    }

    private Dictionary<string, double> TrainOnBatchCore(ModelArrays data, IReadOnlyDictionary<int, double>? classWeight)
    {
        DataChecks.CheckArrays(data);
        DataChecks.CheckNotEmpty(data.X[0], data.XNames[0], nameof(TrainOnBatch));
        PrepareFor(data.X, data.Y!, data.W, data.XNames, data.YNames, data.WNames);
        var weights = data.W ?? new Tensor?[OutputCount];
        if (classWeight is not null)
        {
            weights[0] = DataChecks.ClassWeightsToSampleWeights(data.Y![0]!, classWeight);
        }

        ResetMetrics();
        TrainStep(data.X, data.Y!, weights);
        return MetricResults();
    }

    /// <summary>One evaluation step on one batch (Keras <c>test_on_batch</c>).</summary>
    /// <exception cref="InvalidOperationException">The model is not compiled, or another thread is training it.</exception>
    /// <exception cref="ArgumentException">Bad data, or an empty batch.</exception>
    public IReadOnlyDictionary<string, double> TestOnBatch(ArrayLike x, ArrayLike y, ArrayLike? sampleWeight = null)
    {
        using var use = UseGuard.Enter(this, nameof(TestOnBatch), change: false);
        EnsureCompiled(nameof(TestOnBatch));
        var xt = x.Require(nameof(x));
        var yt = y.Require(nameof(y));
        return TestOnBatchCore(Layout().Resolve(xt, yt, LoneOrNull(sampleWeight?.Tensor)));
    }

    /// <summary>One evaluation step on one batch of a model with several inputs or outputs (arrays in order or by name).</summary>
    /// <param name="x">One batch per input.</param>
    /// <param name="y">One target batch per output.</param>
    /// <param name="sampleWeight">One weight array per output, or one for all.</param>
    /// <exception cref="InvalidOperationException">The model is not compiled, or another thread is training it.</exception>
    /// <exception cref="ArgumentException">Arrays that do not fit the model, or an empty batch.</exception>
    public IReadOnlyDictionary<string, double> TestOnBatch(ArrayGroup x, ArrayGroup y, ArrayGroup? sampleWeight = null)
    {
        using var use = UseGuard.Enter(this, nameof(TestOnBatch), change: false);
        EnsureCompiled(nameof(TestOnBatch));
        return TestOnBatchCore(Layout().Resolve(x, y, sampleWeight));
    }

    private Dictionary<string, double> TestOnBatchCore(ModelArrays data)
    {
        DataChecks.CheckArrays(data);
        DataChecks.CheckNotEmpty(data.X[0], data.XNames[0], nameof(TestOnBatch));
        lock (_metricsGate)
        {
            PrepareFor(data.X, data.Y!, data.W, data.XNames, data.YNames, data.WNames);
            ResetMetrics();
            var arena = RentArena();
            try
            {
                TestStep(arena, data.X, data.Y!, data.W ?? new Tensor?[OutputCount], new Tensor[OutputCount], new float[OutputCount]);
            }
            finally
            {
                ReturnArena(arena);
            }

            return MetricResults();
        }
    }

    /// <summary>The model's output for one batch in inference mode (Keras <c>predict_on_batch</c>).</summary>
    /// <remarks>Safe to call from many threads at once on one model; see the thread-safety remarks on <see cref="Model"/>.</remarks>
    /// <exception cref="ArgumentException">The inputs do not fit the model, or hold no samples.</exception>
    /// <exception cref="InvalidOperationException">Another thread is training or changing the model, or the model has several
    /// outputs (use <see cref="PredictOnBatch(ArrayGroup)"/>).</exception>
    public Tensor PredictOnBatch(ArrayLike x)
    {
        using var use = UseGuard.Enter(this, nameof(PredictOnBatch), change: false);
        var xt = x.Require(nameof(x));
        RefuseOneOutputCall(nameof(PredictOnBatch), "model.PredictOnBatch([x])");
        return PredictOnBatchCore(Layout().Resolve(xt, null, null))[0];
    }

    /// <summary>
    /// The outputs of a model with several inputs or outputs for one batch in inference mode (Keras <c>predict_on_batch</c>
    /// with a list): one tensor per output.
    /// </summary>
    /// <param name="x">One batch per input, in order or by input name.</param>
    /// <exception cref="ArgumentException">The inputs do not fit the model, or hold no samples.</exception>
    /// <exception cref="InvalidOperationException">Another thread is training or changing the model.</exception>
    public IReadOnlyList<Tensor> PredictOnBatch(ArrayGroup x)
    {
        using var use = UseGuard.Enter(this, nameof(PredictOnBatch), change: false);
        return PredictOnBatchCore(Layout().Resolve(x, null, null));
    }

    private Tensor[] PredictOnBatchCore(ModelArrays inputs)
    {
        DataChecks.CheckArrays(inputs);
        DataChecks.CheckNotEmpty(inputs.X[0], inputs.XNames[0], nameof(PredictOnBatch));
        CheckInputShapes(inputs.X, inputs.XNames);
        var results = new Tensor?[OutputCount];
        var arena = RentArena();
        try
        {
            PredictStep(arena, inputs.X, new Tensor[OutputCount], results, inputs.X[0].Shape[0], 0);
        }
        finally
        {
            ReturnArena(arena);
        }

        return Array.ConvertAll(results, r => r!);
    }
}
