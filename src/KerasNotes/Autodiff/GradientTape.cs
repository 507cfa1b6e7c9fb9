namespace KerasNotes;

/// <summary>
/// Records the <see cref="Ops"/> applied to trainable variables (and watched tensors) so their
/// gradients can be computed by reverse-mode automatic differentiation (TensorFlow <c>tf.GradientTape</c>).
/// </summary>
/// <remarks>
/// <para>Recording starts when the tape is created and stops when it is disposed. While it is
/// active, an op is recorded only if one of its inputs is a trainable <see cref="Variable"/>,
/// a tensor passed to <see cref="Watch"/>, or the result of another recorded op, so inference
/// code run under a tape costs nothing extra.</para>
/// <para>Tapes nest: ops are recorded on the innermost active tape of the current thread.
/// Gradients of gradients are not supported (the backward pass is not recorded).</para>
/// <example><code>
/// using var tape = new GradientTape();
/// var w = new Variable(Tensor.Zeros(3, 1), name: "w");
/// var loss = Ops.Mean(Ops.Square(Ops.MatMul(x, w)));
/// Tensor[] grads = tape.Gradient(loss, new[] { w });
/// </code></example>
/// </remarks>
public sealed class GradientTape : IDisposable
{
    [ThreadStatic]
    private static GradientTape? t_active;

    private readonly List<TapeNode> _nodes = [];
    private readonly bool _persistent;
    private GradientTape? _outer;
    private HashSet<Tensor>? _watched;
    private Dictionary<Tensor, Tensor>? _leafGrads;
    private int _count;
    private int _generation;
    private bool _paused;
    private bool _used;
    private bool _disposed;

    /// <summary>Starts recording on the current thread.</summary>
    /// <param name="persistent">If true, <see cref="Gradient(Tensor, IReadOnlyList{Variable})"/> may be called more than once.</param>
    public GradientTape(bool persistent = false)
    {
        _persistent = persistent;
        _outer = t_active;
        t_active = this;
    }

    /// <summary>The innermost tape recording on this thread, if any.</summary>
    internal static GradientTape? Active => t_active is { _paused: false } tape ? tape : null;

    /// <summary>The number of ops recorded so far.</summary>
    public int RecordedOpCount => _count;

    /// <summary>Asks the tape to track gradients with respect to <paramref name="tensor"/> (a tensor that is not a variable).</summary>
    public void Watch(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _watched ??= new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        _watched.Add(tensor);
    }

    /// <summary>
    /// The gradients of <paramref name="target"/> with respect to each variable; a variable the
    /// target does not depend on gets a zero gradient.
    /// </summary>
    /// <param name="target">The tensor to differentiate, usually a scalar loss. A non-scalar target is summed (as TensorFlow does).</param>
    /// <param name="sources">The variables to differentiate with respect to.</param>
    /// <exception cref="InvalidOperationException">A non-persistent tape was already used.</exception>
    public Tensor[] Gradient(Tensor target, IReadOnlyList<Variable> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var tensors = new Tensor[sources.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            tensors[i] = sources[i] ?? throw new ArgumentException($"sources[{i}] is null.", nameof(sources));
        }

        return Gradient(target, tensors);
    }

    /// <summary>
    /// The gradients of <paramref name="target"/> with respect to each tensor (variables' values or
    /// watched tensors); a tensor the target does not depend on gets a zero gradient.
    /// </summary>
    public Tensor[] Gradient(Tensor target, IReadOnlyList<Tensor> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var raw = ComputeGradients(target, sources);
        var result = new Tensor[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            result[i] = raw[i] ?? Tensor.Zeros(sources[i].Shape);
        }

        return result;
    }

    /// <summary>The gradients, with null for sources the target does not depend on (Keras then skips those variables).</summary>
    internal Tensor?[] ComputeGradients(Tensor target, IReadOnlyList<Tensor> sources)
    {
        var result = new Tensor?[sources.Count];
        ComputeGradients(target, sources, result);
        return result;
    }

    /// <summary>Writes the gradients (null where the target does not depend on a source) into <paramref name="result"/>.</summary>
    internal void ComputeGradients(Tensor target, IReadOnlyList<Tensor> sources, Span<Tensor?> result)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_used && !_persistent)
        {
            throw new InvalidOperationException(
                "A non-persistent GradientTape can compute gradients only once; create it with persistent: true to call Gradient again.");
        }

        _used = true;
        result.Clear();
        if (!IsTracked(target))
        {
            return;
        }

        bool wasPaused = _paused;
        _paused = true;
        try
        {
            var seed = Tensor.Allocate(target.Shape);
            seed.Span.Fill(1f);
            Accumulate(target, seed);
            for (int i = _count - 1; i >= 0; i--)
            {
                var node = _nodes[i];
                var upstream = node.Output.Grad;
                if (upstream is not null)
                {
                    node.Backward(node, upstream);
                }
            }

            for (int i = 0; i < result.Length; i++)
            {
                result[i] = GradientOf(sources[i]);
            }
        }
        finally
        {
            ClearGradients();
            _paused = wasPaused;
        }
    }

    // Gradients of tensors this tape computed live on the tensors themselves (no other thread sees them); gradients
    // of everything else — variables, watched inputs — live in this tape's own table, because those tensors may be
    // shared with a tape on another thread differentiating the same weights at the same time.
    private bool OwnsOutput(Tensor tensor) =>
        tensor.Node is { } node && node.Tape == this && node.Generation == _generation && ReferenceEquals(node.Output, tensor);

    private Tensor? GradientOf(Tensor tensor) =>
        OwnsOutput(tensor) ? tensor.Grad : _leafGrads is not null && _leafGrads.TryGetValue(tensor, out var g) ? g : null;

    private void ClearGradients()
    {
        for (int i = 0; i < _count; i++)
        {
            _nodes[i].Output.Grad = null;
        }

        _leafGrads?.Clear();
    }

    /// <summary>True if gradients flow to <paramref name="tensor"/> on this tape.</summary>
    internal bool IsTracked(Tensor? tensor)
    {
        if (tensor is null)
        {
            return false;
        }

        if (tensor.Owner is { Trainable: true })
        {
            return true;
        }

        var node = tensor.Node;
        if (node is not null && node.Tape == this && node.Generation == _generation && ReferenceEquals(node.Output, tensor))
        {
            return true;
        }

        return _watched is not null && _watched.Contains(tensor);
    }

    /// <summary>The tape that should record an op with these inputs, or null.</summary>
    internal static GradientTape? ShouldRecord(Tensor a, Tensor? b = null, Tensor? c = null)
    {
        var tape = Active;
        if (tape is null)
        {
            return null;
        }

        return tape.IsTracked(a) || tape.IsTracked(b) || tape.IsTracked(c) ? tape : null;
    }

    /// <summary>The tape that should record an op with these inputs, or null.</summary>
    internal static GradientTape? ShouldRecord(ReadOnlySpan<Tensor> inputs)
    {
        var tape = Active;
        if (tape is null)
        {
            return null;
        }

        foreach (var t in inputs)
        {
            if (tape.IsTracked(t))
            {
                return tape;
            }
        }

        return null;
    }

    /// <summary>Records that <paramref name="output"/> was computed from the inputs; returns the node for saving extra state.</summary>
    internal TapeNode Record(Tensor output, BackwardFn backward, Tensor a, Tensor? b = null, Tensor? c = null)
    {
        TapeNode node;
        if (_count < _nodes.Count)
        {
            node = _nodes[_count];
            node.Clear();
        }
        else
        {
            node = new TapeNode(this);
            _nodes.Add(node);
        }

        _count++;
        node.Generation = _generation;
        node.Output = output;
        node.Backward = backward;
        node.A = a;
        node.B = b;
        node.C = c;
        output.Node = node;
        return node;
    }

    /// <summary>Adds <paramref name="grad"/> to the gradient of <paramref name="input"/>, summing over broadcast axes.</summary>
    internal void Accumulate(Tensor? input, Tensor grad)
    {
        if (input is null || !IsTracked(input))
        {
            return;
        }

        if (grad.Shape != input.Shape)
        {
            grad = Ops.SumToShape(grad, input.Shape);
        }

        if (OwnsOutput(input))
        {
            input.Grad = input.Grad is null ? grad : Ops.Add(input.Grad, grad);
            return;
        }

        _leafGrads ??= new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        _leafGrads[input] = _leafGrads.TryGetValue(input, out var sum) ? Ops.Add(sum, grad) : grad;
    }

    /// <summary>Forgets every recorded op so the tape can record the next step (used by the training loop).</summary>
    internal void Reset()
    {
        for (int i = 0; i < _count; i++)
        {
            _nodes[i].Clear();
        }

        _count = 0;
        _generation++;
        _used = false;
        _watched?.Clear();
    }

    /// <summary>Re-activates a tape owned by the training loop for one more step.</summary>
    internal void Resume()
    {
        if (!ReferenceEquals(t_active, this))
        {
            _outer = t_active;
            t_active = this;
        }

        _disposed = false;
    }

    /// <summary>Stops recording; the gradients can still be computed (once, unless persistent).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (ReferenceEquals(t_active, this))
        {
            t_active = _outer;
        }

        _outer = null;
    }

    /// <summary>Pauses recording on the active tape until the returned scope is disposed.</summary>
    internal static PauseScope Pause()
    {
        var tape = t_active;
        bool was = tape?._paused ?? false;
        if (tape is not null)
        {
            tape._paused = true;
        }

        return new PauseScope(tape, was);
    }

    internal readonly struct PauseScope : IDisposable
    {
        private readonly GradientTape? _tape;
        private readonly bool _was;

        internal PauseScope(GradientTape? tape, bool was)
        {
            _tape = tape;
            _was = was;
        }

        public void Dispose()
        {
            if (_tape is not null)
            {
                _tape._paused = _was;
            }
        }
    }
}
