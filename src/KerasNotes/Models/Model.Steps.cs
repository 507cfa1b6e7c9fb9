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

    /// <summary>
    /// The total loss of a step (Keras <c>compute_loss</c>): the compiled loss (with sample weights), plus every
    /// <c>AddLoss</c>, activity and weight-regularization term, unweighted.
    /// </summary>
    private Tensor ComputeLoss(Tensor y, Tensor yPred, Tensor? sampleWeight, IReadOnlyList<Variable> trainable)
    {
        Tensor? total = CompiledLoss?.Apply(y, yPred, sampleWeight);
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

    /// <summary>One training step on a batch. Everything temporary comes from the step pool; nothing is allocated in steady state.</summary>
    internal void TrainStep(Tensor x, Tensor y, Tensor? sampleWeight)
    {
        var trainable = TrainableForStep;
        var optimizer = Optimizer!;
        using (_arena.Enter())
        {
            _tape ??= new GradientTape(persistent: false);
            _tape.Reset();
            _tape.Resume();
            Tensor yPred;
            Tensor loss;
            try
            {
                yPred = Apply(x, training: true);
                loss = ComputeLoss(y, yPred, sampleWeight, trainable);
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

            _lossTracker.UpdateScalar(lossValue, x.Shape[0]);
            UpdateMetrics(y, yPred, sampleWeight);
            _tape.Reset();
            _pairs.Clear();
            Array.Clear(_grads);
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

    /// <summary>One evaluation step on a batch (inference mode).</summary>
    private void TestStep(TensorArena arena, Tensor x, Tensor y, Tensor? sampleWeight)
    {
        using (arena.Enter())
        using (GradientTape.Pause())
        {
            var yPred = Apply(x, training: false);
            var loss = ComputeLoss(y, yPred, sampleWeight, TrainableForStep);
            _lossTracker.UpdateScalar(loss.Item(), x.Shape[0]);
            UpdateMetrics(y, yPred, sampleWeight);
        }
    }

    /// <summary>
    /// Runs the model on a batch in inference mode and copies the output into <paramref name="result"/> at
    /// <paramref name="row"/>, allocating <paramref name="result"/> (for <paramref name="totalRows"/> rows) on first use.
    /// </summary>
    private void PredictStep(TensorArena arena, Tensor x, ref Tensor? result, int totalRows, int row)
    {
        using (arena.Enter())
        using (GradientTape.Pause())
        {
            var yPred = Apply(x, training: false);
            result ??= Tensor.AllocatePersistent(yPred.Shape.With(0, totalRows));
            int rowSize = yPred.Shape[0] == 0 ? 0 : yPred.Size / yPred.Shape[0];
            yPred.AsSpan().CopyTo(result.Span.Slice(row * rowSize, yPred.Size));
        }
    }

    private void UpdateMetrics(Tensor y, Tensor yPred, Tensor? sampleWeight)
    {
        using var pause = GradientTape.Pause();
        for (int i = 0; i < _metrics.Count; i++)
        {
            _metrics[i].UpdateState(y, yPred, _metricWeighted[i] ? sampleWeight : null);
        }
    }
}
