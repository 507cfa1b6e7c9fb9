using System.Globalization;
using KerasNotes.Callbacks;
using KerasNotes.Data;

namespace KerasNotes.Models;

public partial class Model
{
    private RandomGenerator? _shuffleRng;

    /// <summary>Set by a callback during OnTrainBegin (BackupAndRestore) to resume after a completed epoch.</summary>
    internal int? ResumeAfterEpoch { get; set; }

    /// <summary>The generator behind the per-epoch shuffle (drawn from the global seed at the first Fit).</summary>
    internal RandomGenerator ShuffleGenerator => _shuffleRng ??= KerasNotes.RandomSeed.NextGenerator();

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
    /// <exception cref="InvalidOperationException">The model is not compiled, or another thread is using it.</exception>
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
        using var change = UseGuard.Enter(this, nameof(Fit), change: true);
        EnsureCompiled(nameof(Fit));
        var xt = x.Require(nameof(x));
        var yt = y.Require(nameof(y));
        CheckFitArguments(batchSize, epochs, verbose, validationSplit, initialEpoch, stepsPerEpoch);
        var (train, validation) = ArrayDataAdapter.ForFit(
            xt,
            yt,
            sampleWeight?.Tensor,
            classWeight,
            validationSplit,
            validationData is null ? null : (validationData.X, validationData.Y, validationData.SampleWeight),
            batchSize,
            stepsPerEpoch,
            shuffle,
            shuffle ? ShuffleGenerator : null);

        // Everything that can be refused is refused before the first step: the model's shapes and the loss's targets too.
        PrepareFor(train.X, train.Y!, train.SampleWeight, "x", "y", classWeight is null ? "sampleWeight" : "classWeight");
        if (validation is not null)
        {
            PrepareFor(validation.X, validation.Y!, validation.SampleWeight, "validationData.X", "validationData.Y", "validationData.SampleWeight");
        }

        return RunEpochs(train, validation, epochs, initialEpoch, verbose, callbacks, stepsPerEpoch, cancellationToken);
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
    /// <exception cref="InvalidOperationException">The model is not compiled, or another thread is using it.</exception>
    /// <exception cref="ArgumentException">Bad arguments (nothing has changed), or a bad batch. A sequence's batches are
    /// seen only as training reaches them, so a bad batch after the first is refused after earlier batches have
    /// already trained the model.</exception>
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
        using var change = UseGuard.Enter(this, nameof(Fit), change: true);
        EnsureCompiled(nameof(Fit));
        ArgumentNullException.ThrowIfNull(data);
        CheckFitArguments(null, epochs, verbose, 0, initialEpoch, stepsPerEpoch);
        var train = new SequenceDataAdapter(data, shuffle ? ShuffleGenerator : null, nameof(data), nameof(Fit));
        var validation = validationData is null ? null : new SequenceDataAdapter(validationData, null, nameof(validationData), nameof(Fit));
        return RunEpochs(train, validation, epochs, initialEpoch, verbose, callbacks, stepsPerEpoch, cancellationToken);
    }

    /// <summary>The epoch loop shared by both Fit overloads, in Keras's exact order of hooks.</summary>
    private History RunEpochs(
        DataAdapter train,
        DataAdapter? validation,
        int epochs,
        int initialEpoch,
        int verbose,
        IEnumerable<Callback>? userCallbacks,
        int? stepsPerEpoch,
        CancellationToken cancellationToken)
    {
        int steps = stepsPerEpoch ?? train.Count;
        var batches = new EpochIterator(train);
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
            // Cancelled between epochs: stop before the next one begins, so no epoch without a step is logged.
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            ResetMetrics();
            callbacks.OnEpochBegin(epoch);
            bool cancelled = false;
            int stepsRun = 0;
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

                var (xb, yb, wb) = batches.Next();
                if (train.ChecksEachBatch)
                {
                    PrepareFor(xb, yb!, wb, "batch.X", "batch.Y", "batch.SampleWeight");
                }

                TrainStep(xb, yb!, wb);
                stepsRun++;
                if (batchHooks)
                {
                    callbacks.OnTrainBatchEnd(step, MetricResults());
                }

                if (StopTraining)
                {
                    break;
                }
            }

            if (cancelled && stepsRun == 0)
            {
                // Nothing was trained in this epoch: logging it would report loss 0, which a checkpoint or
                // EarlyStopping would take for the best epoch.
                break;
            }

            var epochLogs = MetricResults();
            if (validation is not null && !cancelled)
            {
                var valLogs = EvaluateAdapter(validation, callbacks);
                foreach (var (k, v) in valLogs)
                {
                    epochLogs["val_" + k] = v;
                }
            }

            train.OnEpochEnd();
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

    /// <summary>
    /// Builds the model for <paramref name="x"/> if needed, then checks that x fits the model and that the targets fit the
    /// compiled loss — all before any state changes.
    /// </summary>
    private void PrepareFor(Tensor x, Tensor y, Tensor? w, string xName, string yName, string wName)
    {
        CheckInputShape(x.Shape, xName);
        if (CompiledLoss is not null || w is not null)
        {
            var outShape = ComputeOutputShape(x.Shape.With(0, -1));
            CompiledLoss?.ValidateTargets(y, outShape, yName);
            if (w is not null)
            {
                CheckSampleWeight(w, outShape, wName);
            }
        }
    }

    /// <summary>
    /// Sample weights weigh the per-sample losses, whose shape is the output's without its last axis: one weight
    /// per sample (<c>[N]</c> or <c>[N, 1]</c>), or one per step of a sequence output (<c>[N, T]</c>).
    /// </summary>
    private static void CheckSampleWeight(Tensor w, Shape outShape, string wName)
    {
        int rank = w.Rank;
        while (rank > 1 && w.Shape[rank - 1] == 1)
        {
            rank--;
        }

        bool ok = rank <= Math.Max(1, outShape.Rank - 1);
        for (int i = 1; ok && i < rank; i++)
        {
            ok = w.Shape[i] == outShape[i];
        }

        if (!ok)
        {
            throw new ArgumentException(
                $"'{wName}' has shape {w.Shape}; for predictions of shape {outShape} expected one weight per sample ([N] or [N, 1]).", wName);
        }
    }

    /// <summary>Builds the model from an input shape if it is not built; otherwise checks the shape fits.</summary>
    internal void CheckInputShape(Shape xShape, string xName)
    {
        if (!Built)
        {
            // Another thread may build the model for another shape at the same moment, so the shape is checked
            // against what was built, not taken for granted.
            EnsureBuilt(xShape.With(0, -1));
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
}
