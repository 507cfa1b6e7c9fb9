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
        if (batchSize is int b && b < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be a positive number of samples.");
        }

        DataChecks.CheckArrays(xt, yt, wt, "x", "y", "sampleWeight");
        DataChecks.CheckNotEmpty(xt, "x", nameof(Evaluate));
        lock (_metricsGate)
        {
            PrepareFor(xt, yt, wt, "x", "y", "sampleWeight");
            var data = new ArrayDataAdapter(xt, yt, wt, batchSize ?? DataAdapter.DefaultBatchSize, shuffle: false, rng: null);
            return EvaluateAdapter(data, StandaloneCallbacks(callbacks, verbose, data.Count));
        }
    }

    /// <summary>Evaluates on batches from an <see cref="IDataSequence"/>.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(IDataSequence data, int verbose = 0, IEnumerable<Callback>? callbacks = null)
    {
        using var use = UseGuard.Enter(this, nameof(Evaluate), change: false);
        EnsureCompiled(nameof(Evaluate));
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
        try
        {
            data.StartPass();
            for (int step = 0; step < data.Count; step++)
            {
                if (batchHooks)
                {
                    callbacks.OnTestBatchBegin(step);
                }

                var (xb, yb, wb) = data.GetBatch(step);
                if (data.ChecksEachBatch)
                {
                    PrepareFor(xb, yb!, wb, "batch.X", "batch.Y", "batch.SampleWeight");
                }

                TestStep(arena, xb, yb!, wb);
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
        if (batchSize is int b && b < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be a positive number of samples.");
        }

        DataChecks.CheckArrays(xt, null, null, "x", "y", "sampleWeight");
        DataChecks.CheckNotEmpty(xt, "x", nameof(Predict));
        CheckInputShape(xt.Shape, "x");
        var data = new ArrayDataAdapter(xt, null, null, batchSize ?? DataAdapter.DefaultBatchSize, shuffle: false, rng: null);
        var callbackList = StandaloneCallbacks(callbacks, verbose, data.Count);
        callbackList.OnPredictBegin();
        Tensor? result = null;
        int row = 0;
        var arena = RentArena();
        try
        {
            data.StartPass();
            for (int step = 0; step < data.Count; step++)
            {
                callbackList.OnPredictBatchBegin(step);
                var (xb, _, _) = data.GetBatch(step);
                PredictStep(arena, xb, ref result, data.Samples, row);
                row += xb.Shape[0];
                callbackList.OnPredictBatchEnd(step);
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
    public IReadOnlyDictionary<string, double> TrainOnBatch(ArrayLike x, ArrayLike y, ArrayLike? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null)
    {
        using var change = UseGuard.Enter(this, nameof(TrainOnBatch), change: true);
        EnsureCompiled(nameof(TrainOnBatch));
        var xt = x.Require(nameof(x));
        var yt = y.Require(nameof(y));
        var wt = sampleWeight?.Tensor;
        if (classWeight is not null && wt is not null)
        {
            throw new ArgumentException("Pass either classWeight or sampleWeight, not both.", nameof(classWeight));
        }

        DataChecks.CheckClassWeight(classWeight);
        DataChecks.CheckArrays(xt, yt, wt, "x", "y", "sampleWeight");
        DataChecks.CheckNotEmpty(xt, "x", nameof(TrainOnBatch));
        PrepareFor(xt, yt, wt, "x", "y", "sampleWeight");
        if (classWeight is not null)
        {
            wt = DataChecks.ClassWeightsToSampleWeights(yt, classWeight);
        }

        ResetMetrics();
        TrainStep(xt, yt, wt);
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
        var wt = sampleWeight?.Tensor;
        DataChecks.CheckArrays(xt, yt, wt, "x", "y", "sampleWeight");
        DataChecks.CheckNotEmpty(xt, "x", nameof(TestOnBatch));
        lock (_metricsGate)
        {
            PrepareFor(xt, yt, wt, "x", "y", "sampleWeight");
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
        using var use = UseGuard.Enter(this, nameof(PredictOnBatch), change: false);
        var xt = x.Require(nameof(x));
        DataChecks.CheckArrays(xt, null, null, "x", "y", "sampleWeight");
        DataChecks.CheckNotEmpty(xt, "x", nameof(PredictOnBatch));
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
