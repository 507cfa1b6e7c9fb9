using System.Globalization;
using KerasNotes.Callbacks;
using KerasNotes.Data;

namespace KerasNotes.Models;

public abstract partial class Model
{
    private RandomGenerator? _shuffleRng;

    /// <summary>Set by a callback during OnTrainBegin (BackupAndRestore) to resume after a completed epoch.</summary>
    internal int? ResumeAfterEpoch { get; set; }

    /// <summary>The generator behind the per-epoch shuffle (drawn from the global seed at the first Fit).</summary>
    internal RandomGenerator ShuffleGenerator => _shuffleRng ??= KerasNotes.Random.NextGenerator();

    /// <summary>
    /// Trains the model for a number of epochs (Keras <c>fit</c>).
    /// </summary>
    /// <param name="x">Inputs: a Tensor, <c>float[,]</c>, <c>float[][]</c> or MathNet matrix, samples first.</param>
    /// <param name="y">Targets: as <paramref name="x"/>, or <c>int[]</c> class labels.</param>
    /// <param name="batchSize">Samples per step; null means 32, or <c>ceil(n / stepsPerEpoch)</c> when that is given.</param>
    /// <param name="epochs">The epoch index to stop at (absolute, so with <paramref name="initialEpoch"/> fewer run).</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="callbacks">Callbacks; a History and (when verbose) a progress bar are appended.</param>
    /// <param name="validationSplit">Fraction of the data held out for validation: the <b>last</b> rows, taken before shuffling.</param>
    /// <param name="validationData">Held-out <c>(x, y)</c> or <c>(x, y, sampleWeight)</c>; takes precedence over the split.</param>
    /// <param name="shuffle">Shuffle the training rows before each pass.</param>
    /// <param name="classWeight">Weight per class index (missing classes weigh 1), turned into sample weights; training only.</param>
    /// <param name="sampleWeight">Weight per training sample (not with <paramref name="classWeight"/>).</param>
    /// <param name="initialEpoch">The epoch to start from (to resume a run).</param>
    /// <param name="stepsPerEpoch">Batches per epoch; the data pass then continues across epochs.</param>
    /// <param name="cancellationToken">Cancels cleanly between batches: the current epoch ends (without validation), <c>OnTrainEnd</c> runs and the History so far is returned.</param>
    /// <returns>The History of this run.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="ArgumentException">Bad data or arguments; nothing has changed when it is thrown.</exception>
    /// <remarks>
    /// Epoch logs are Keras's: <c>loss</c> and metrics are batch-size-weighted means of values computed
    /// before each step's update (Dropout active, regularization and added losses included); <c>val_*</c>
    /// are computed after the epoch in inference mode. Inputs containing NaN or infinity are rejected.
    /// </remarks>
    public History Fit(
        ArrayLike x,
        ArrayLike y,
        int? batchSize = null,
        int epochs = 1,
        int verbose = 1,
        IEnumerable<Callback>? callbacks = null,
        double validationSplit = 0,
        ValidationData? validationData = null,
        bool shuffle = true,
        IReadOnlyDictionary<int, double>? classWeight = null,
        ArrayLike? sampleWeight = null,
        int initialEpoch = 0,
        int? stepsPerEpoch = null,
        CancellationToken cancellationToken = default)
    {
        using var change = _guard.EnterChange(Name, nameof(Fit));
        EnsureCompiled(nameof(Fit));
        var xt = x.Require(nameof(x));
        var yt = y.Require(nameof(y));
        var swt = sampleWeight?.Tensor;
        CheckFitArguments(batchSize, epochs, verbose, validationSplit, initialEpoch, stepsPerEpoch);
        if (classWeight is not null && swt is not null)
        {
            throw new ArgumentException("Pass either classWeight or sampleWeight, not both (as Keras 3).", nameof(classWeight));
        }

        CheckClassWeight(classWeight);
        CheckData(xt, yt, swt, "x", "y", "sampleWeight");
        CheckNotEmpty(xt, "x", nameof(Fit));

        // Validation: explicit data wins; otherwise the LAST rows, split before any shuffling.
        Tensor? xVal = null, yVal = null, wVal = null;
        if (validationData is not null)
        {
            CheckData(validationData.X, validationData.Y, validationData.SampleWeight, "validationData.X", "validationData.Y", "validationData.SampleWeight");
            CheckNotEmpty(validationData.X, "validationData.X", nameof(Fit));
            (xVal, yVal, wVal) = (validationData.X, validationData.Y, validationData.SampleWeight);
        }
        else if (validationSplit > 0)
        {
            int n = xt.Shape[0];
            int splitAt = (int)Math.Floor(n * (1.0 - validationSplit));
            if (splitAt == 0 || splitAt == n)
            {
                throw new ArgumentException(
                    $"validationSplit {validationSplit.ToString(CultureInfo.InvariantCulture)} of {n} samples leaves {splitAt} for training and {n - splitAt} for validation; both need at least one.",
                    nameof(validationSplit));
            }

            xVal = xt.SliceRows(splitAt, n - splitAt);
            yVal = yt.SliceRows(splitAt, n - splitAt);
            wVal = swt?.SliceRows(splitAt, n - splitAt);
            xt = xt.SliceRows(0, splitAt);
            yt = yt.SliceRows(0, splitAt);
            swt = swt?.SliceRows(0, splitAt);
        }

        if (classWeight is not null)
        {
            swt = ClassWeightsToSampleWeights(yt, classWeight);
        }

        PrepareFor(xt, yt, "x", "y");
        if (xVal is not null)
        {
            PrepareFor(xVal, yVal!, "validationData.X", "validationData.Y");
        }

        int samples = xt.Shape[0];
        int bs = batchSize ?? (stepsPerEpoch is int s ? Math.Max(1, (samples + s - 1) / s) : 32);
        var iterator = new BatchIterator(xt, yt, swt, bs, shuffle, shuffle ? ShuffleGenerator : null);
        int steps = stepsPerEpoch ?? iterator.BatchesPerPass;
        return RunEpochs(
            epochs, initialEpoch, verbose, callbacks, steps,
            (step, _) =>
            {
                if (!iterator.HasNext)
                {
                    iterator.StartPass();
                }

                var (xb, yb, wb) = iterator.Next();
                TrainStep(xb, yb!, wb);
            },
            xVal is null ? null : cb => EvaluateArrays(xVal, yVal!, wVal, bs, cb),
            onEpochEnd: null,
            cancellationToken);
    }

    /// <summary>
    /// Trains on batches from an <see cref="IDataSequence"/> (Keras <c>fit</c> with a <c>PyDataset</c>).
    /// </summary>
    /// <param name="data">The training batches.</param>
    /// <param name="epochs">The epoch index to stop at.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="callbacks">Callbacks.</param>
    /// <param name="validationData">Validation batches, or null.</param>
    /// <param name="shuffle">Visit the batches in a new random order each epoch.</param>
    /// <param name="initialEpoch">The epoch to start from.</param>
    /// <param name="stepsPerEpoch">Batches per epoch (default: <see cref="IDataSequence.Count"/>).</param>
    /// <param name="cancellationToken">Cancels cleanly between batches.</param>
    public History Fit(
        IDataSequence data,
        int epochs = 1,
        int verbose = 1,
        IEnumerable<Callback>? callbacks = null,
        IDataSequence? validationData = null,
        bool shuffle = false,
        int initialEpoch = 0,
        int? stepsPerEpoch = null,
        CancellationToken cancellationToken = default)
    {
        using var change = _guard.EnterChange(Name, nameof(Fit));
        EnsureCompiled(nameof(Fit));
        ArgumentNullException.ThrowIfNull(data);
        CheckFitArguments(null, epochs, verbose, 0, initialEpoch, stepsPerEpoch);
        if (data.Count <= 0)
        {
            throw new ArgumentException($"The data sequence has {data.Count} batches; expected at least one.", nameof(data));
        }

        if (validationData is not null && validationData.Count <= 0)
        {
            throw new ArgumentException($"The validation sequence has {validationData.Count} batches; expected at least one.", nameof(validationData));
        }

        var order = new int[data.Count];
        int position = order.Length;
        var rng = shuffle ? ShuffleGenerator : null;
        int steps = stepsPerEpoch ?? data.Count;
        return RunEpochs(
            epochs, initialEpoch, verbose, callbacks, steps,
            (_, _) =>
            {
                if (position >= order.Length)
                {
                    for (int i = 0; i < order.Length; i++)
                    {
                        order[i] = i;
                    }

                    rng?.Permutation(order);
                    position = 0;
                }

                var batch = data.GetBatch(order[position++]);
                CheckData(batch.X, batch.Y, batch.SampleWeight, "batch.X", "batch.Y", "batch.SampleWeight");
                CheckNotEmpty(batch.X, "batch.X", nameof(Fit));
                PrepareFor(batch.X, batch.Y, "batch.X", "batch.Y");
                TrainStep(batch.X, batch.Y, batch.SampleWeight);
            },
            validationData is null ? null : cb => EvaluateSequence(validationData, cb),
            onEpochEnd: data.OnEpochEnd,
            cancellationToken);
    }

    /// <summary>The epoch loop shared by both Fit overloads, in Keras's exact order of hooks.</summary>
    private History RunEpochs(
        int epochs,
        int initialEpoch,
        int verbose,
        IEnumerable<Callback>? userCallbacks,
        int steps,
        Action<int, int> trainBatch,
        Func<CallbackList, Dictionary<string, double>>? validate,
        Action? onEpochEnd,
        CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["verbose"] = verbose,
            ["epochs"] = epochs,
            ["steps"] = steps,
        };
        var callbacks = new CallbackList(userCallbacks, this, addHistory: true, addProgbar: verbose != 0, parameters);
        bool batchHooks = callbacks.NeedsTrainBatchHooks;
        StopTraining = false;
        ResumeAfterEpoch = null;
        callbacks.OnTrainBegin();
        int first = initialEpoch;
        if (ResumeAfterEpoch is int resumed)
        {
            // A backup was restored: carry on after the last completed epoch.
            first = Math.Max(first, resumed + 1);
            ResumeAfterEpoch = null;
        }

        IDictionary<string, double>? lastLogs = null;
        for (int epoch = first; epoch < epochs; epoch++)
        {
            ResetMetrics();
            callbacks.OnEpochBegin(epoch);
            bool cancelled = false;
            for (int step = 0; step < steps; step++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }

                if (batchHooks)
                {
                    callbacks.OnTrainBatchBegin(step);
                }

                trainBatch(epoch, step);
                if (batchHooks)
                {
                    callbacks.OnTrainBatchEnd(step, MetricResults());
                }

                if (StopTraining)
                {
                    break;
                }
            }

            var epochLogs = MetricResults();
            if (validate is not null && !cancelled)
            {
                var valLogs = validate(callbacks);
                foreach (var (k, v) in valLogs)
                {
                    epochLogs["val_" + k] = v;
                }
            }

            onEpochEnd?.Invoke();
            lastLogs = callbacks.OnEpochEnd(epoch, epochLogs);
            if (StopTraining || cancelled)
            {
                break;
            }
        }

        callbacks.OnTrainEnd(lastLogs);
        History = callbacks.History;
        return callbacks.History!;
    }

    private static void CheckFitArguments(int? batchSize, int epochs, int verbose, double validationSplit, int initialEpoch, int? stepsPerEpoch)
    {
        if (batchSize is int b && b < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be a positive number of samples.");
        }

        if (epochs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be zero or more.");
        }

        if (verbose is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch).");
        }

        if (!(validationSplit >= 0 && validationSplit < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validationSplit must be in [0, 1).");
        }

        if (initialEpoch < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(initialEpoch), initialEpoch, "initialEpoch must be zero or more.");
        }

        if (stepsPerEpoch is int s && s < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), stepsPerEpoch, "stepsPerEpoch must be a positive number of batches.");
        }
    }

    /// <summary>Checks sample counts agree and that the data holds no NaN or infinity.</summary>
    private static void CheckData(Tensor x, Tensor? y, Tensor? w, string xName, string yName, string wName)
    {
        if (x.Rank == 0)
        {
            throw new ArgumentException($"'{xName}' must have a batch axis; got a scalar.", xName);
        }

        int n = x.Shape[0];
        if (y is not null && (y.Rank == 0 || y.Shape[0] != n))
        {
            throw new ArgumentException(
                $"'{xName}' has {n} samples but '{yName}' has {(y.Rank == 0 ? "none (a scalar)" : y.Shape[0].ToString(CultureInfo.InvariantCulture))} (shapes {x.Shape} and {y.Shape}); they must match.",
                yName);
        }

        if (w is not null && (w.Rank == 0 || w.Shape[0] != n))
        {
            throw new ArgumentException($"'{wName}' has shape {w.Shape}; expected one weight per sample ({n}).", wName);
        }

        CheckFinite(x, xName);
        if (y is not null)
        {
            CheckFinite(y, yName);
        }

        if (w is not null)
        {
            CheckFinite(w, wName);
        }
    }

    /// <summary>Refuses data with no samples: a loss or prediction over nothing would be reported as 0.</summary>
    private static void CheckNotEmpty(Tensor x, string name, string method)
    {
        if (x.Shape[0] == 0)
        {
            throw new ArgumentException($"'{name}' has no samples (shape {x.Shape}); {method} needs at least one.", name);
        }
    }

    /// <summary>Each class weight must be a finite number that float32 can hold, or every sample weight turns to NaN or infinity.</summary>
    private static void CheckClassWeight(IReadOnlyDictionary<int, double>? classWeight)
    {
        if (classWeight is null)
        {
            return;
        }

        foreach (var (label, weight) in classWeight)
        {
            if (!double.IsFinite(weight) || Math.Abs(weight) > float.MaxValue)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(classWeight),
                    weight,
                    $"classWeight[{label.ToString(CultureInfo.InvariantCulture)}] is {weight.ToString(CultureInfo.InvariantCulture)}; a class weight must be a finite number within float32's range (|w| <= {float.MaxValue.ToString(CultureInfo.InvariantCulture)}).");
            }
        }
    }

    private static void CheckFinite(Tensor t, string name)
    {
        var span = t.AsSpan();
        int bad = FirstNonFinite(span);
        if (bad >= 0)
        {
            int rowSize = t.Rank <= 1 ? 1 : t.Size / t.Shape[0];
            throw new ArgumentException(
                $"'{name}' contains {span[bad].ToString(CultureInfo.InvariantCulture)} at sample {bad / rowSize} (flat index {bad}); inputs must be finite.",
                name);
        }
    }

    private static int FirstNonFinite(ReadOnlySpan<float> span) => Kernels.Reductions.FirstNonFinite(span);

    /// <summary>
    /// Builds the model for <paramref name="x"/> if needed, then checks that x fits the model and that the targets fit the
    /// compiled loss — all before any state changes.
    /// </summary>
    private void PrepareFor(Tensor x, Tensor y, string xName, string yName)
    {
        CheckInputShape(x.Shape, xName);
        if (CompiledLoss is not null)
        {
            var outShape = ComputeOutputShape(x.Shape.With(0, -1));
            CompiledLoss.ValidateTargets(y, outShape, yName);
        }
    }

    /// <summary>Builds the model from an input shape if it is not built; otherwise checks the shape fits.</summary>
    internal void CheckInputShape(Shape xShape, string xName)
    {
        if (!Built)
        {
            EnsureBuilt(xShape.With(0, -1));
            return;
        }

        var expected = BuildInputShape!.Value;
        bool ok = expected.Rank == xShape.Rank;
        for (int i = 1; ok && i < xShape.Rank; i++)
        {
            ok = expected[i] < 0 || expected[i] == xShape[i];
        }

        if (!ok)
        {
            throw new ArgumentException(
                $"Model '{Name}' expects inputs of shape {expected}, but '{xName}' has shape {xShape}.", xName);
        }
    }

    private static Tensor ClassWeightsToSampleWeights(Tensor y, IReadOnlyDictionary<int, double> classWeight)
    {
        var labels = y;
        if (labels.Rank > 1 && labels.Shape[-1] > 1)
        {
            labels = Ops.ArgMax(labels, -1);
        }
        else if (labels.Rank > 1)
        {
            labels = Ops.Squeeze(labels, -1);
        }

        int n = labels.Shape[0];
        var weights = new float[n];
        var span = labels.AsSpan();
        for (int i = 0; i < n; i++)
        {
            int label = (int)MathF.Round(span[i], MidpointRounding.ToEven);
            weights[i] = classWeight.TryGetValue(label, out double w) ? (float)w : 1f;
        }

        return Tensor.FromArray(weights, n);
    }
}
