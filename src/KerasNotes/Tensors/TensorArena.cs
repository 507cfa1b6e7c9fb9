namespace KerasNotes;

/// <summary>
/// The pool that the temporaries of one training, test or predict step come from.
/// </summary>
/// <remarks>
/// A step creates the same tensors, of the same sizes, every time. The arena hands out
/// buffers and tensor objects during a step and takes all of them back when the step ends,
/// so in steady state a step allocates nothing and the GC stays quiet. Buffers are kept per
/// exact length: a network has only a handful of distinct sizes. Weights, optimizer slots
/// and anything returned to the user are allocated outside the arena.
/// </remarks>
internal sealed class TensorArena
{
    [ThreadStatic]
    private static TensorArena? t_current;

    // A step of any model here uses a few dozen buffer lengths at most; beyond that, stale lengths are trimmed.
    private const int KeepSizes = 32;
    private const long KeepSteps = 8;

    private readonly Dictionary<int, Stack<float[]>> _freeBuffers = [];
    private readonly Dictionary<int, long> _lastUsed = [];
    private long _resets;
    private readonly List<float[]> _usedBuffers = [];
    private readonly Stack<Tensor> _freeTensors = new();
    private readonly List<Tensor> _usedTensors = [];

    /// <summary>The arena of the step running on this thread, if any.</summary>
    public static TensorArena? Current => t_current;

    /// <summary>Makes this arena current until the returned scope is disposed, which also recycles everything rented.</summary>
    public Scope Enter()
    {
        var previous = t_current;
        t_current = this;
        return new Scope(this, previous);
    }

    /// <summary>Runs <paramref name="action"/> with no arena, so what it allocates survives the step.</summary>
    public static T Outside<T>(Func<T> action)
    {
        var previous = t_current;
        t_current = null;
        try
        {
            return action();
        }
        finally
        {
            t_current = previous;
        }
    }

    /// <summary>Suspends the current arena until the returned scope is disposed.</summary>
    public static SuspendScope Suspend()
    {
        var previous = t_current;
        t_current = null;
        return new SuspendScope(previous);
    }

    public Tensor Rent(Shape shape)
    {
        int size = shape.Size;
        float[] buffer;
        if (_freeBuffers.TryGetValue(size, out var stack) && stack.Count > 0)
        {
            buffer = stack.Pop();
        }
        else
        {
            buffer = GC.AllocateUninitializedArray<float>(size);
        }

        _usedBuffers.Add(buffer);
        Tensor tensor;
        if (_freeTensors.Count > 0)
        {
            tensor = _freeTensors.Pop();
            tensor.Reset(buffer, 0, shape);
        }
        else
        {
            tensor = new Tensor(buffer, 0, shape);
        }

        tensor.Pooled = true;
        _usedTensors.Add(tensor);
        return tensor;
    }

    /// <summary>Wraps a view of an existing buffer in a pooled tensor object (no buffer is rented).</summary>
    public Tensor RentView(float[] data, int offset, Shape shape)
    {
        Tensor tensor;
        if (_freeTensors.Count > 0)
        {
            tensor = _freeTensors.Pop();
            tensor.Reset(data, offset, shape);
        }
        else
        {
            tensor = new Tensor(data, offset, shape);
        }

        tensor.Pooled = true;
        _usedTensors.Add(tensor);
        return tensor;
    }

    /// <summary>How many floats the arena holds in free buffers, waiting for the next step (for tests of its trimming).</summary>
    internal long RetainedFloats
    {
        get
        {
            long total = 0;
            foreach (var (length, stack) in _freeBuffers)
            {
                total += (long)length * stack.Count;
            }

            return total;
        }
    }

    /// <summary>Takes back every buffer and tensor handed out since the last reset.</summary>
    /// <remarks>
    /// Buffers of a length that no step has asked for in the last <see cref="KeepSteps"/> steps are let go, so a
    /// caller who predicts batches of ever new sizes does not pile up buffers for each size it ever saw; a training
    /// loop's sizes (and its partial last batch) come back every epoch or every step and stay.
    /// </remarks>
    public void Reset()
    {
        _resets++;
        foreach (var buffer in _usedBuffers)
        {
            if (!_freeBuffers.TryGetValue(buffer.Length, out var stack))
            {
                stack = new Stack<float[]>();
                _freeBuffers[buffer.Length] = stack;
            }

            stack.Push(buffer);
            _lastUsed[buffer.Length] = _resets;
        }

        if (_freeBuffers.Count > KeepSizes)
        {
            foreach (var (length, last) in _lastUsed)
            {
                // Removing while enumerating is allowed for Dictionary since .NET Core 3.0.
                if (_resets - last > KeepSteps)
                {
                    _lastUsed.Remove(length);
                    _freeBuffers.Remove(length);
                }
            }
        }

        _usedBuffers.Clear();
        foreach (var tensor in _usedTensors)
        {
            // Drop references so recycled objects keep nothing alive.
            tensor.Node = null;
            tensor.Grad = null;
            tensor.Logits = null;
            tensor.Owner = null;
            _freeTensors.Push(tensor);
        }

        _usedTensors.Clear();
    }

    /// <summary>Restores the previous arena and recycles this one's step.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly TensorArena _arena;
        private readonly TensorArena? _previous;

        internal Scope(TensorArena arena, TensorArena? previous)
        {
            _arena = arena;
            _previous = previous;
        }

        public void Dispose()
        {
            _arena.Reset();
            t_current = _previous;
        }
    }

    /// <summary>Restores a suspended arena.</summary>
    public readonly struct SuspendScope : IDisposable
    {
        private readonly TensorArena? _previous;

        internal SuspendScope(TensorArena? previous) => _previous = previous;

        public void Dispose() => t_current = _previous;
    }
}
