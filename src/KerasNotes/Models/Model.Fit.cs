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
        var layout = Layout();
        var data = layout.Resolve(xt, yt, LoneOrNull(sampleWeight?.Tensor));
        return FitArrays(layout, data, batchSize, epochs, verbose, callbacks, validationSplit, validationData, shuffle, classWeight, initialEpoch, stepsPerEpoch, cancellationToken);
    }

    /// <summary>
    /// Trains a model with several inputs or outputs (Keras <c>fit</c> with lists or dicts of arrays): inputs in input
    /// order or by input name, targets in output order or by output name. The arguments are those of
    /// <see cref="Fit(ArrayLike, ArrayLike, int?, int, int, IEnumerable{Callback}?, double, ValidationData?, bool, IReadOnlyDictionary{int, double}?, ArrayLike?, int, int?, CancellationToken)"/>.
    /// </summary>
    /// <param name="x">One array per input: a collection expression <c>[images, hints]</c> in input order, or a
    /// <c>Dictionary&lt;string, ArrayLike&gt;</c> keyed by <see cref="InputNames"/>.</param>
    /// <param name="y">One target array per output, in output order or keyed by <see cref="OutputNames"/>; as in Keras,
    /// outputs without a loss and metrics may be left out.</param>
    /// <param name="batchSize">Samples per step; null means 32, or <c>ceil(n / stepsPerEpoch)</c> when that is given.</param>
    /// <param name="epochs">The epoch index to stop at.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="callbacks">Callbacks; they may monitor any logs key, e.g. <c>val_dense_1_loss</c>.</param>
    /// <param name="validationSplit">Fraction held out for validation: the <b>last</b> rows of every array, taken before shuffling.</param>
    /// <param name="validationData">Held-out data in the same form (<c>new ValidationData([xa, xb], [ya, yb])</c> or a tuple); takes precedence over the split.</param>
    /// <param name="shuffle">Shuffle the training rows (of every array alike) before each pass.</param>
    /// <param name="classWeight">Weight per class index, for a model with <b>one</b> output only (as Keras).</param>
    /// <param name="sampleWeight">One weight array per output (in order or by name), or one array used for every output
    /// (then of shape <c>[N]</c> or <c>[N, 1]</c>, as Keras requires).</param>
    /// <param name="initialEpoch">The epoch to start from.</param>
    /// <param name="stepsPerEpoch">Batches per epoch; the data pass then continues across epochs.</param>
    /// <param name="cancellationToken">Cancels cleanly between batches.</param>
    /// <returns>The History of this run; with several outputs its keys are Keras's: <c>loss</c>, <c>dense_1_loss</c>,
    /// <c>dense_1_accuracy</c>, … and their <c>val_</c> versions.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled, or another thread is using it.</exception>
    /// <exception cref="ArgumentException">Arrays that do not match the model's inputs or outputs (wrong count, unknown or
    /// missing name, differing sample counts), class weights with several outputs, or bad values; nothing has changed.</exception>
    /// <example><code>
    /// model.Compile("adam", ["sparse_categorical_crossentropy", "binary_crossentropy"], metrics: [["accuracy"], ["accuracy"]]);
    /// var history = model.Fit([images, hints], [labels, footwear], epochs: 5, validationSplit: 0.1);
    /// </code></example>
    public History Fit(
        ArrayGroup x,
        ArrayGroup y,
        int? batchSize = null,
        int epochs = 1,
        int verbose = 1,
        IEnumerable<Callback>? callbacks = null,
        double validationSplit = 0,
        ValidationData? validationData = null,
        bool shuffle = true,
        IReadOnlyDictionary<int, double>? classWeight = null,
        ArrayGroup? sampleWeight = null,
        int initialEpoch = 0,
        int? stepsPerEpoch = null,
        CancellationToken cancellationToken = default)
    {
        using var change = UseGuard.Enter(this, nameof(Fit), change: true);
        EnsureCompiled(nameof(Fit));
        CheckFitArguments(batchSize, epochs, verbose, validationSplit, initialEpoch, stepsPerEpoch);
        var layout = Layout();
        var data = layout.Resolve(x, y, sampleWeight);
        return FitArrays(layout, data, batchSize, epochs, verbose, callbacks, validationSplit, validationData, shuffle, classWeight, initialEpoch, stepsPerEpoch, cancellationToken);
    }

    /// <summary>What both array overloads of Fit do once the arrays are matched to the model.</summary>
    private History FitArrays(
        DataLayout layout,
        ModelArrays data,
        int? batchSize,
        int epochs,
        int verbose,
        IEnumerable<Callback>? callbacks,
        double validationSplit,
        ValidationData? validationData,
        bool shuffle,
        IReadOnlyDictionary<int, double>? classWeight,
        int initialEpoch,
        int? stepsPerEpoch,
        CancellationToken cancellationToken)
    {
        if (classWeight is not null && OutputCount > 1)
        {
            throw new ArgumentException(
                $"`class_weight` is only supported for Models with a single output. Model '{Name}' has {OutputCount} outputs ({string.Join(", ", OutputNames)}): " +
                "weigh samples per output with sampleWeight instead.",
                nameof(classWeight));
        }

        var validation = validationData is null
            ? null
            : layout.Resolve(validationData.Inputs, validationData.Targets, validationData.SampleWeights, "validationData.X", "validationData.Y", "validationData.SampleWeight");
        var (train, validationAdapter) = ArrayDataAdapter.ForFit(
            data,
            classWeight,
            validationSplit,
            validation,
            batchSize,
            stepsPerEpoch,
            shuffle,
            shuffle ? ShuffleGenerator : null);

        // Everything that can be refused is refused before the first step: the model's shapes and the loss's targets too.
        var trainData = train.Data;
        PrepareFor(trainData.X, trainData.Y!, trainData.W, trainData.XNames, trainData.YNames, classWeight is null ? trainData.WNames : [nameof(classWeight)]);
        if (validationAdapter is not null)
        {
            var v = validationAdapter.Data;
            PrepareFor(v.X, v.Y!, v.W, v.XNames, v.YNames, v.WNames);
        }

        return RunEpochs(train, validationAdapter, epochs, initialEpoch, verbose, callbacks, stepsPerEpoch, cancellationToken);
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
        RefuseSequenceIfSeveral(nameof(data));
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

                var batch = batches.Next();
                if (train.ChecksEachBatch)
                {
                    PrepareFor(batch.X, batch.Y, batch.W, s_batchX, s_batchY, s_batchW);
                }

                TrainStep(batch.X, batch.Y, batch.W);
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

    private static ArrayGroup? LoneOrNull(Tensor? array) => array is null ? null : (ArrayGroup?)(ArrayGroup)array;

    private static readonly string[] s_batchX = ["batch.X"];
    private static readonly string[] s_batchY = ["batch.Y"];
    private static readonly string[] s_batchW = ["batch.SampleWeight"];

    /// <summary>
    /// Builds the model for <paramref name="x"/> if needed, then checks that x fits the model and that the targets fit the
    /// compiled losses and the weights the outputs — all before any state changes.
    /// </summary>
    private void PrepareFor(Tensor[] x, Tensor?[] y, Tensor?[]? w, string[] xNames, string[] yNames, string[] wNames)
    {
        CheckInputShapes(x, xNames);
        bool anyLoss = false;
        for (int i = 0; i < _losses.Length; i++)
        {
            anyLoss |= _losses[i] is not null && y[i] is not null;
        }

        bool anyWeight = w is not null && Array.Exists(w, t => t is not null);
        if (!anyLoss && !anyWeight)
        {
            return;
        }

        IReadOnlyList<Shape> outShapes;
        if (x.Length == 1)
        {
            outShapes = _graph is null ? [ComputeOutputShape(x[0].Shape.With(0, -1))] : ComputeOutputShapes([x[0].Shape.With(0, -1)]);
        }
        else
        {
            outShapes = ComputeOutputShapes(Array.ConvertAll(x, t => t.Shape.With(0, -1)));
        }

        for (int i = 0; i < outShapes.Count; i++)
        {
            if (i < _losses.Length && _losses[i] is { } loss && y[i] is { } target)
            {
                loss.ValidateTargets(target, outShapes[i], yNames[i]);
            }

            if (w?[i] is { } weight)
            {
                CheckSampleWeight(weight, outShapes[i], wNames.Length == 1 ? wNames[0] : wNames[i]);
            }
        }
    }

    /// <summary>
    /// Refuses an <see cref="IDataSequence"/> for a model with several inputs or outputs: a sequence's batches hold one
    /// input array and one target array.
    /// </summary>
    private void RefuseSequenceIfSeveral(string argument)
    {
        if (InputCount != 1 || OutputCount != 1)
        {
            throw new ArgumentException(
                $"An IDataSequence gives one input array and one target array per batch, but model '{Name}' has {InputCount} input(s) ({string.Join(", ", InputNames)}) " +
                $"and {OutputCount} output(s) ({string.Join(", ", OutputNames)}); pass the arrays instead: Fit([a, b], [y1, y2]).",
                argument);
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

    /// <summary>Builds the model (one input) or checks each input's shape against the model's, naming the data argument.</summary>
    internal void CheckInputShapes(Tensor[] x, string[] xNames)
    {
        if (x.Length == 1 && InputCount == 1)
        {
            CheckInputShape(x[0].Shape, xNames[0]);
            return;
        }

        var expectedShapes = BuildInputShapes;
        var inputNames = InputNames;
        for (int i = 0; i < x.Length; i++)
        {
            var expected = expectedShapes is not null && i < expectedShapes.Count ? expectedShapes[i] : (Shape?)null;
            var actual = x[i].Shape;
            if (expected is not { } e || !e.Accepts(actual, firstAxis: 1))
            {
                throw new ArgumentException(
                    $"Model '{Name}' expects input '{inputNames[i]}' of shape {(expected is { } s ? s.ToString() : "?")}, but '{xNames[i]}' has shape {actual}.", xNames[i]);
            }
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
        if (!expected.Accepts(xShape, firstAxis: 1))
        {
            throw new ArgumentException(
                $"Model '{Name}' expects inputs of shape {expected}, but '{xName}' has shape {xShape}.", xName);
        }
    }
}
