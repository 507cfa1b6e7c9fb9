using KerasNotes.Callbacks;
using KerasNotes.Data;

namespace KerasNotes.Models;

public abstract partial class Model
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
    public Dictionary<string, double> Evaluate(
        ArrayLike x, ArrayLike y, int? batchSize = null, int verbose = 0, ArrayLike? sampleWeight = null, IEnumerable<Callback>? callbacks = null)
    {
        using var use = _guard.EnterInference(Name, nameof(Evaluate));
        EnsureCompiled(nameof(Evaluate));
        var xt = x.Require(nameof(x));
        var yt = y.Require(nameof(y));
        var wt = sampleWeight?.Tensor;
        if (batchSize is int b && b < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be a positive number of samples.");
        }

        CheckData(xt, yt, wt, "x", "y", "sampleWeight");
        CheckNotEmpty(xt, "x", nameof(Evaluate));
        lock (_metricsGate)
        {
            PrepareFor(xt, yt, "x", "y");
            var list = StandaloneCallbacks(callbacks, verbose, (xt.Shape[0] + (batchSize ?? 32) - 1) / (batchSize ?? 32));
            return EvaluateArrays(xt, yt, wt, batchSize ?? 32, list);
        }
    }

    /// <summary>Evaluates on batches from an <see cref="IDataSequence"/>.</summary>
    public Dictionary<string, double> Evaluate(IDataSequence data, int verbose = 0, IEnumerable<Callback>? callbacks = null)
    {
        using var use = _guard.EnterInference(Name, nameof(Evaluate));
        EnsureCompiled(nameof(Evaluate));
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count <= 0)
        {
            throw new ArgumentException($"The data sequence has {data.Count} batches; expected at least one.", nameof(data));
        }

        lock (_metricsGate)
        {
            return EvaluateSequence(data, StandaloneCallbacks(callbacks, verbose, data.Count));
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

    private Dictionary<string, double> EvaluateArrays(Tensor x, Tensor y, Tensor? w, int batchSize, CallbackList callbacks)
    {
        var iterator = new BatchIterator(x, y, w, batchSize, shuffle: false, rng: null);
        iterator.StartPass();
        ResetMetrics();
        callbacks.OnTestBegin();
        bool batchHooks = callbacks.NeedsTestBatchHooks;
        int step = 0;
        var arena = RentArena();
        try
        {
            while (iterator.HasNext)
            {
                if (batchHooks)
                {
                    callbacks.OnTestBatchBegin(step);
                }

                var (xb, yb, wb) = iterator.Next();
                TestStep(arena, xb, yb!, wb);
                if (batchHooks)
                {
                    callbacks.OnTestBatchEnd(step, MetricResults());
                }

                step++;
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

    private Dictionary<string, double> EvaluateSequence(IDataSequence data, CallbackList callbacks)
    {
        ResetMetrics();
        callbacks.OnTestBegin();
        var arena = RentArena();
        try
        {
            for (int step = 0; step < data.Count; step++)
            {
                callbacks.OnTestBatchBegin(step);
                var batch = data.GetBatch(step);
                CheckData(batch.X, batch.Y, batch.SampleWeight, "batch.X", "batch.Y", "batch.SampleWeight");
                CheckNotEmpty(batch.X, "batch.X", nameof(Evaluate));
                PrepareFor(batch.X, batch.Y, "batch.X", "batch.Y");
                TestStep(arena, batch.X, batch.Y, batch.SampleWeight);
                callbacks.OnTestBatchEnd(step, MetricResults());
            }
        }
        finally
        {
            ReturnArena(arena);
        }

        var results = MetricResults();
        callbacks.OnTestEnd(results);
        return results;
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
        using var use = _guard.EnterInference(Name, nameof(Predict));
        var xt = x.Require(nameof(x));
        if (batchSize is int b && b < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be a positive number of samples.");
        }

        CheckData(xt, null, null, "x", "y", "sampleWeight");
        CheckNotEmpty(xt, "x", nameof(Predict));
        CheckInputShape(xt.Shape, "x");
        int bs = batchSize ?? 32;
        var iterator = new BatchIterator(xt, null, null, bs, shuffle: false, rng: null);
        var callbackList = StandaloneCallbacks(callbacks, verbose, iterator.BatchesPerPass);
        iterator.StartPass();
        callbackList.OnPredictBegin();
        Tensor? result = null;
        int row = 0, step = 0;
        var arena = RentArena();
        try
        {
            while (iterator.HasNext)
            {
                callbackList.OnPredictBatchBegin(step);
                var (xb, _, _) = iterator.Next();
                PredictStep(arena, xb, ref result, iterator.Samples, row);
                row += xb.Shape[0];
                callbackList.OnPredictBatchEnd(step);
                step++;
            }
        }
        finally
        {
            ReturnArena(arena);
        }

        callbackList.OnPredictEnd();
        return result!;
    }

    /// <summary>One training step on one batch (Keras <c>train_on_batch</c>); returns the logs of that batch alone.</summary>
    /// <exception cref="InvalidOperationException">The model is not compiled, or another thread is using it.</exception>
    /// <exception cref="ArgumentException">Bad data (including an empty batch or a non-finite class weight); the model is unchanged.</exception>
    public Dictionary<string, double> TrainOnBatch(ArrayLike x, ArrayLike y, ArrayLike? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null)
    {
        using var change = _guard.EnterChange(Name, nameof(TrainOnBatch));
        EnsureCompiled(nameof(TrainOnBatch));
        var xt = x.Require(nameof(x));
        var yt = y.Require(nameof(y));
        var wt = sampleWeight?.Tensor;
        if (classWeight is not null && wt is not null)
        {
            throw new ArgumentException("Pass either classWeight or sampleWeight, not both.", nameof(classWeight));
        }

        CheckClassWeight(classWeight);
        CheckData(xt, yt, wt, "x", "y", "sampleWeight");
        CheckNotEmpty(xt, "x", nameof(TrainOnBatch));
        PrepareFor(xt, yt, "x", "y");
        if (classWeight is not null)
        {
            wt = ClassWeightsToSampleWeights(yt, classWeight);
        }

        ResetMetrics();
        TrainStep(xt, yt, wt);
        return MetricResults();
    }

    /// <summary>One evaluation step on one batch (Keras <c>test_on_batch</c>).</summary>
    /// <exception cref="InvalidOperationException">The model is not compiled, or another thread is training it.</exception>
    /// <exception cref="ArgumentException">Bad data, or an empty batch.</exception>
    public Dictionary<string, double> TestOnBatch(ArrayLike x, ArrayLike y, ArrayLike? sampleWeight = null)
    {
        using var use = _guard.EnterInference(Name, nameof(TestOnBatch));
        EnsureCompiled(nameof(TestOnBatch));
        var xt = x.Require(nameof(x));
        var yt = y.Require(nameof(y));
        var wt = sampleWeight?.Tensor;
        CheckData(xt, yt, wt, "x", "y", "sampleWeight");
        CheckNotEmpty(xt, "x", nameof(TestOnBatch));
        lock (_metricsGate)
        {
            PrepareFor(xt, yt, "x", "y");
            ResetMetrics();
            var arena = RentArena();
            try
            {
                TestStep(arena, xt, yt, wt);
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
    /// <exception cref="InvalidOperationException">Another thread is training or changing the model.</exception>
    public Tensor PredictOnBatch(ArrayLike x)
    {
        using var use = _guard.EnterInference(Name, nameof(PredictOnBatch));
        var xt = x.Require(nameof(x));
        CheckData(xt, null, null, "x", "y", "sampleWeight");
        CheckNotEmpty(xt, "x", nameof(PredictOnBatch));
        CheckInputShape(xt.Shape, "x");
        Tensor? result = null;
        var arena = RentArena();
        try
        {
            PredictStep(arena, xt, ref result, xt.Shape[0], 0);
        }
        finally
        {
            ReturnArena(arena);
        }

        return result!;
    }
}
