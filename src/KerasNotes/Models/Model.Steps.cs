using KerasNotes.Metrics;

namespace KerasNotes.Models;

public partial class Model
{
    // One step pool and one tape for training, reused every step so steady-state steps allocate nothing. Training
    // is one call at a time (UseGuard); inference calls rent their own pools below, so they can run on many threads.
    private readonly TensorArena _arena = new();
    private readonly Stack<TensorArena> _spareArenas = new();
    private readonly UseGuard _guard = new();

    /// <summary>Keeps inference and training calls on this model apart across threads.</summary>
    internal UseGuard Guard => _guard;

    // Evaluate and TestOnBatch accumulate into the compiled metrics, which are the model's own: such calls run one
    // at a time, while Predict calls (which touch no metric) run side by side.
    private readonly Lock _metricsGate = new();
    private readonly List<Tensor> _extraLosses = [];
    private readonly List<(Tensor, Variable)> _pairs = [];
    private GradientTape? _tape;
    private IReadOnlyList<Variable>? _sourcesFor;
    private Tensor[] _sources = [];
    private Tensor?[] _grads = [];

    // A step's arrays for the single-array entry points (benchmarks), and the training step's outputs and per-output
    // loss values: reused, so a steady-state step allocates nothing.
    private readonly Tensor[] _oneX = new Tensor[1];
    private readonly Tensor?[] _oneY = new Tensor?[1];
    private readonly Tensor?[] _oneW = new Tensor?[1];
    private Tensor[] _trainOutputs = [];
    private float[] _trainLossValues = [];

    /// <summary>
    /// The total loss of a step (Keras <c>compute_loss</c>): each output's compiled loss (with its sample weights) times
    /// its loss weight, summed in output order, plus every <c>AddLoss</c>, activity and weight-regularization term,
    /// unweighted. Each output's unweighted loss goes to <paramref name="outputLosses"/> (for its <c>&lt;output&gt;_loss</c> log).
    /// </summary>
    private Tensor ComputeLoss(Tensor?[] y, Tensor[] yPred, Tensor?[] sampleWeight, IReadOnlyList<Variable> trainable, float[] outputLosses)
    {
        Tensor? total = null;
        bool track = _outputLossTrackers is not null;
        for (int i = 0; i < _losses.Length; i++)
        {
            if (_losses[i] is not { } lossFn || y[i] is not { } target)
            {
                continue;
            }

            var value = lossFn.Apply(target, yPred[i], sampleWeight[i]);
            if (track)
            {
                outputLosses[i] = value.Item();
            }

            if (_lossWeights is { } weights)
            {
                value = Ops.Multiply(value, weights[i]);
            }

            total = total is null ? value : Ops.Add(total, value);
        }

        _extraLosses.Clear();
        CollectLosses(_extraLosses, trainable);
        Tensor? extraSum = null;
        foreach (var term in _extraLosses)
        {
            var scalar = term.Rank == 0 ? term : Ops.Sum(term);
            extraSum = extraSum is null ? scalar : Ops.Add(extraSum, scalar);
        }

        if (extraSum is not null)
        {
            total = total is null ? extraSum : Ops.Add(total, extraSum);
        }

        return total ?? throw new InvalidOperationException(
            $"Model '{Name}' has no loss to compute: compile it with a loss, or add losses with AddLoss in a layer.");
    }

    /// <summary>One training step on a batch of one input and one target (what the benchmarks time).</summary>
    internal void TrainStep(Tensor x, Tensor y, Tensor? sampleWeight)
    {
        _oneX[0] = x;
        _oneY[0] = y;
        _oneW[0] = sampleWeight;
        try
        {
            TrainStep(_oneX, _oneY, _oneW);
        }
        finally
        {
            _oneX[0] = null!;
            _oneY[0] = null;
            _oneW[0] = null;
        }
    }

    /// <summary>
    /// One training step on a batch: one array per input, one target and weight per output (null where none).
    /// Everything temporary comes from the step pool; nothing is allocated in steady state.
    /// </summary>
    internal void TrainStep(Tensor[] x, Tensor?[] y, Tensor?[] sampleWeight)
    {
        var trainable = TrainableForStep;
        var optimizer = Optimizer!;
        if (_trainOutputs.Length != OutputCount)
        {
            _trainOutputs = new Tensor[OutputCount];
            _trainLossValues = new float[OutputCount];
        }

        var yPred = _trainOutputs;
        using (_arena.Enter())
        {
            _tape ??= new GradientTape(persistent: false);
            _tape.Reset();
            _tape.Resume();
            Tensor loss;
            try
            {
                RunOutputs(x, training: true, yPred);
                loss = ComputeLoss(y, yPred, sampleWeight, trainable, _trainLossValues);
            }
            finally
            {
                _tape.Dispose();
            }

            if (loss.Size != 1)
            {
                throw new InvalidOperationException($"The loss of model '{Name}' must be a scalar; it has shape {loss.Shape}.");
            }

            float lossValue = loss.Item();
            if (!ReferenceEquals(_sourcesFor, trainable))
            {
                _sourcesFor = trainable;
                _sources = new Tensor[trainable.Count];
                _grads = new Tensor?[trainable.Count];
                for (int i = 0; i < _sources.Length; i++)
                {
                    _sources[i] = trainable[i].Value;
                }
            }

            _tape.ComputeGradients(loss, _sources, _grads);
            _pairs.Clear();
            for (int i = 0; i < _grads.Length; i++)
            {
                // Keras drops variables without a gradient (with a warning) rather than feeding zeros.
                if (_grads[i] is Tensor g)
                {
                    _pairs.Add((g, trainable[i]));
                }
            }

            if (_pairs.Count > 0)
            {
                optimizer.ApplyGradients(_pairs);
            }
            else if (trainable.Count > 0)
            {
                throw new InvalidOperationException(
                    $"No gradients provided for any variable of model '{Name}': the loss does not depend on the trainable weights.");
            }

            _lossTracker.UpdateScalar(lossValue, x[0].Shape[0]);
            UpdateOutputLosses(yPred, _trainLossValues);
            UpdateMetrics(y, yPred, sampleWeight);
            _tape.Reset();
            _pairs.Clear();
            Array.Clear(_grads);
            Array.Clear(yPred);
        }
    }

    /// <summary>
    /// A step pool for one inference call. A caller that predicts again and again on one thread gets the same pool
    /// back each time (no allocation in steady state); concurrent callers each get their own.
    /// </summary>
    private TensorArena RentArena()
    {
        lock (_spareArenas)
        {
            if (_spareArenas.Count > 0)
            {
                return _spareArenas.Pop();
            }
        }

        return new TensorArena();
    }

    private void ReturnArena(TensorArena arena)
    {
        lock (_spareArenas)
        {
            // Keep as many pools as threads ever predicted at once, within reason; the rest go to the GC.
            if (_spareArenas.Count < 2 * Environment.ProcessorCount)
            {
                _spareArenas.Push(arena);
            }
        }
    }

    /// <summary>The floats the spare inference arenas hold between calls (for tests of their trimming).</summary>
    internal long SpareScratchFloats()
    {
        lock (_spareArenas)
        {
            long total = 0;
            foreach (var arena in _spareArenas)
            {
                total += arena.RetainedFloats;
            }

            return total;
        }
    }

    /// <summary>One evaluation step on a batch (inference mode); <paramref name="yPred"/> and <paramref name="outputLosses"/> are the call's scratch.</summary>
    private void TestStep(TensorArena arena, Tensor[] x, Tensor?[] y, Tensor?[] sampleWeight, Tensor[] yPred, float[] outputLosses)
    {
        using (arena.Enter())
        using (GradientTape.Pause())
        {
            RunOutputs(x, training: false, yPred);
            var loss = ComputeLoss(y, yPred, sampleWeight, TrainableForStep, outputLosses);
            _lossTracker.UpdateScalar(loss.Item(), x[0].Shape[0]);
            UpdateOutputLosses(yPred, outputLosses);
            UpdateMetrics(y, yPred, sampleWeight);
            Array.Clear(yPred);
        }
    }

    /// <summary>
    /// Runs the model on a batch in inference mode and copies each output into <paramref name="results"/> at
    /// <paramref name="row"/>, allocating each result (for <paramref name="totalRows"/> rows) on first use.
    /// </summary>
    private void PredictStep(TensorArena arena, Tensor[] x, Tensor[] yPred, Tensor?[] results, int totalRows, int row)
    {
        using (arena.Enter())
        using (GradientTape.Pause())
        {
            RunOutputs(x, training: false, yPred);
            for (int k = 0; k < yPred.Length; k++)
            {
                var output = yPred[k];
                if (output.Rank == 0 || output.Shape[0] != x[0].Shape[0])
                {
                    // Predict joins the batches' outputs row for row; an output that is not one row per sample
                    // (Concatenate on the batch axis, a reduction over it) cannot be joined that way.
                    throw new InvalidOperationException(
                        $"Model '{Name}' output {k} ('{OutputNames[k]}') has shape {output.Shape} for a batch of {x[0].Shape[0]} samples; " +
                        "Predict needs one output row per input sample. Call the model on the batch itself (Apply/ApplyOutputs) for other outputs.");
                }

                var result = results[k] ??= Tensor.AllocatePersistent(output.Shape.With(0, totalRows));
                int rowSize = output.Shape[0] == 0 ? 0 : output.Size / output.Shape[0];
                output.AsSpan().CopyTo(result.Span.Slice(row * rowSize, output.Size));
            }

            Array.Clear(yPred);
        }
    }

    private void UpdateOutputLosses(Tensor[] yPred, float[] outputLosses)
    {
        if (_outputLossTrackers is not { } trackers)
        {
            return;
        }

        for (int i = 0; i < trackers.Length; i++)
        {
            // Keras: each output's unweighted loss, weighted by that output's batch size.
            trackers[i]?.UpdateScalar(outputLosses[i], yPred[i].Shape[0]);
        }
    }

    private void UpdateMetrics(Tensor?[] y, Tensor[] yPred, Tensor?[] sampleWeight)
    {
        using var pause = GradientTape.Pause();
        for (int i = 0; i < _metrics.Count; i++)
        {
            int output = _metricOutput[i];
            _metrics[i].UpdateState(y[output]!, yPred[output], _metricWeighted[i] ? sampleWeight[output] : null);
        }
    }
}
