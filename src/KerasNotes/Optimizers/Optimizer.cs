using System.Text.RegularExpressions;

namespace KerasNotes.Optimizers;

/// <summary>
/// The base of every optimizer, with Keras 3's shared machinery (<c>keras.optimizers.Optimizer</c>):
/// gradient clipping, decoupled weight decay, a float32 learning rate, an iteration counter, and
/// per-variable slots created on the first update.
/// </summary>
/// <remarks>
/// <para>Order inside one <see cref="ApplyGradients"/> (as Keras): clip (<c>clipNorm</c> per tensor,
/// else <c>globalClipNorm</c>, else <c>clipValue</c>), then decoupled weight decay
/// <c>w ← w − w·wd·lr</c>, then the update rule, then <c>iterations += 1</c>.</para>
/// <para>The learning rate is held in float32 and read back as its double, so 0.001 reads
/// 0.0010000000474974513, exactly what Keras callbacks and configs show.</para>
/// </remarks>
public abstract partial class Optimizer
{
    private readonly List<Variable> _slotVariables = [];
    private readonly Dictionary<Variable, int> _index = new(ReferenceEqualityComparer.Instance);
    private readonly List<Variable> _built = [];
    private readonly HashSet<Variable> _excludedFromDecay = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _excludedNames = [];
    private readonly UpdatePlan _plan = new();
    private bool? _isBuiltIn;
    private float _learningRate;

    /// <summary>Creates an optimizer with a constant learning rate.</summary>
    protected Optimizer(double learningRate, string name, double? weightDecay, double? clipNorm, double? clipValue, double? globalClipNorm)
        : this(name, weightDecay, clipNorm, clipValue, globalClipNorm)
    {
        HyperparameterChecks.NonNegative(learningRate, GetType().Name, nameof(learningRate));
        _learningRate = (float)learningRate;
    }

    /// <summary>Creates an optimizer whose learning rate follows a schedule.</summary>
    protected Optimizer(LearningRateSchedule learningRate, string name, double? weightDecay, double? clipNorm, double? clipValue, double? globalClipNorm)
        : this(name, weightDecay, clipNorm, clipValue, globalClipNorm)
    {
        Schedule = learningRate ?? throw new ArgumentNullException(nameof(learningRate));
    }

    private Optimizer(string name, double? weightDecay, double? clipNorm, double? clipValue, double? globalClipNorm)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        int clips = (clipNorm is null ? 0 : 1) + (clipValue is null ? 0 : 1) + (globalClipNorm is null ? 0 : 1);
        if (clips > 1)
        {
            throw new ArgumentException(
                $"Only one of clipNorm ({clipNorm}), clipValue ({clipValue}) and globalClipNorm ({globalClipNorm}) may be set.", nameof(clipNorm));
        }

        string owner = GetType().Name;
        HyperparameterChecks.NonNegativeOrNull(weightDecay, owner, nameof(weightDecay));
        HyperparameterChecks.NonNegativeOrNull(clipNorm, owner, nameof(clipNorm));
        HyperparameterChecks.NonNegativeOrNull(clipValue, owner, nameof(clipValue));
        HyperparameterChecks.NonNegativeOrNull(globalClipNorm, owner, nameof(globalClipNorm));
        Name = name;
        WeightDecay = weightDecay;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
        GlobalClipNorm = globalClipNorm;
    }

    /// <summary>The optimizer's name (Keras default: the snake-cased class name, e.g. <c>adam</c>).</summary>
    public string Name { get; }

    /// <summary>The decoupled weight decay factor, or null.</summary>
    public double? WeightDecay { get; }

    /// <summary>Per-tensor gradient norm clip, or null.</summary>
    public double? ClipNorm { get; }

    /// <summary>Element-wise gradient clip, or null.</summary>
    public double? ClipValue { get; }

    /// <summary>Global gradient norm clip, or null.</summary>
    public double? GlobalClipNorm { get; }

    /// <summary>The schedule driving the learning rate, or null for a constant rate.</summary>
    public LearningRateSchedule? Schedule { get; }

    /// <summary>How many updates have been applied (Keras <c>iterations</c>).</summary>
    public long Iterations { get; internal set; }

    /// <summary>True once the slots exist (after the first update or <see cref="Build"/>).</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>
    /// The current learning rate: the float32 value widened to double, or the schedule's value at the current step.
    /// Settable between epochs (callbacks do this); the value is stored as float32.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set while a schedule drives the rate (as Keras, which raises TypeError).</exception>
    public double LearningRate
    {
        get => CurrentLearningRate;
        set
        {
            if (Schedule is not null)
            {
                throw new InvalidOperationException(
                    $"Optimizer '{Name}' takes its learning rate from a {Schedule.GetType().Name}; it cannot be set to {value}.");
            }

            HyperparameterChecks.NonNegative(value, GetType().Name, nameof(LearningRate));
            _learningRate = (float)value;
        }
    }

    /// <summary>
    /// The learning rate used by the next update, in float32: the one expression for it. <see cref="LearningRate"/>
    /// (read by callbacks and logs), <see cref="ApplyGradients"/> and the <c>learning_rate</c> state variable all read it.
    /// </summary>
    internal float CurrentLearningRate => Schedule is null ? _learningRate : (float)Schedule.Call(Iterations);

    /// <summary>The variables the optimizer was built for, in order.</summary>
    internal IReadOnlyList<Variable> BuiltVariables => _built;

    /// <summary>
    /// The optimizer's state in Keras's order and names: <c>iteration</c> and <c>learning_rate</c> (as
    /// snapshots), then the slots interleaved per model variable.
    /// </summary>
    public IReadOnlyList<Variable> Variables
    {
        get
        {
            var list = new List<Variable>(_slotVariables.Count + 2)
            {
                new(Tensor.Scalar(Iterations), "iteration", trainable: false),
            };
            if (Schedule is null)
            {
                list.Add(new Variable(Tensor.Scalar(CurrentLearningRate), "learning_rate", trainable: false));
            }

            list.AddRange(_slotVariables);
            return list;
        }
    }

    /// <summary>The slot variables only, interleaved per model variable.</summary>
    internal IReadOnlyList<Variable> SlotVariables => _slotVariables;

    /// <summary>The number of slots each model variable gets.</summary>
    protected abstract int SlotsPerVariable { get; }

    /// <summary>How many slot variables <see cref="Build"/> creates per model variable (saving checks a file against it before building).</summary>
    internal int SlotCountPerVariable => SlotsPerVariable;

    /// <summary>Excludes variables (by reference or by a regex fragment of their name) from weight decay; call before the first update.</summary>
    public void ExcludeFromWeightDecay(IEnumerable<Variable>? variables = null, IEnumerable<string>? variableNames = null)
    {
        if (IsBuilt)
        {
            throw new InvalidOperationException("ExcludeFromWeightDecay must be called before the optimizer is built.");
        }

        foreach (var v in variables ?? [])
        {
            _excludedFromDecay.Add(v);
        }

        _excludedNames.AddRange(variableNames ?? []);
    }

    /// <summary>Creates the slots for <paramref name="variables"/> (Keras <c>optimizer.build</c>).</summary>
    public void Build(IReadOnlyList<Variable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        if (IsBuilt)
        {
            return;
        }

        using (TensorArena.Suspend())
        {
            foreach (var v in variables)
            {
                _index[v] = _built.Count;
                _built.Add(v);
                CreateSlots(v);
            }
        }

        IsBuilt = true;
    }

    /// <summary>Creates the slots of one variable with <see cref="AddSlot"/>, in Keras's order.</summary>
    protected abstract void CreateSlots(Variable variable);

    /// <summary>Adds a slot for <paramref name="variable"/>, named <c>{path with '/' → '_'}_{slot}</c>.</summary>
    protected Variable AddSlot(Variable variable, string slot, float initialValue = 0f)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var value = Tensor.AllocatePersistent(variable.Shape);
        value.Span.Fill(initialValue);
        string baseName = (variable.Path.Length > 0 ? variable.Path : variable.Name).Replace('/', '_');
        var slotVariable = new Variable(value, $"{baseName}_{slot}", trainable: false);
        _slotVariables.Add(slotVariable);
        return slotVariable;
    }

    /// <summary>Slot <paramref name="k"/> of the model variable at <paramref name="index"/>.</summary>
    protected Variable Slot(int index, int k) => _slotVariables[(index * SlotsPerVariable) + k];

    /// <summary>The part of slot <paramref name="k"/> of variable <paramref name="index"/> that matches the range being updated.</summary>
    protected Span<float> SlotSpan(int index, int k, int offset, int length) => Slot(index, k).Value.Span.Slice(offset, length);

    /// <summary>
    /// Applies one update (Keras <c>apply_gradients</c>). Variables must be the same on every call (the
    /// optimizer is built for the first list it sees).
    /// </summary>
    /// <exception cref="ArgumentException">A gradient's shape differs from its variable's, or a variable is new after the first update.</exception>
    public void ApplyGradients(IEnumerable<(Tensor Gradient, Variable Variable)> gradientsAndVariables)
    {
        ArgumentNullException.ThrowIfNull(gradientsAndVariables);
        var pairs = gradientsAndVariables as IReadOnlyList<(Tensor Gradient, Variable Variable)> ?? gradientsAndVariables.ToList();
        if (pairs.Count == 0)
        {
            throw new ArgumentException("No gradients provided for any variable.", nameof(gradientsAndVariables));
        }

        for (int i = 0; i < pairs.Count; i++)
        {
            var (g, v) = pairs[i];
            ArgumentNullException.ThrowIfNull(g, nameof(gradientsAndVariables));
            ArgumentNullException.ThrowIfNull(v, nameof(gradientsAndVariables));
            if (g.Shape != v.Shape)
            {
                throw new ArgumentException(
                    $"Gradient for variable '{v.DisplayName}' has shape {g.Shape}; expected {v.Shape}.", nameof(gradientsAndVariables));
            }
        }

        if (!IsBuilt)
        {
            var variables = new Variable[pairs.Count];
            for (int i = 0; i < variables.Length; i++)
            {
                variables[i] = pairs[i].Variable;
            }

            Build(variables);
        }

        for (int i = 0; i < pairs.Count; i++)
        {
            if (!_index.ContainsKey(pairs[i].Variable))
            {
                throw new ArgumentException(
                    $"Variable '{pairs[i].Variable.DisplayName}' was not among the variables optimizer '{Name}' was built for.", nameof(gradientsAndVariables));
            }
        }

        Span<float> scales = pairs.Count <= 256 ? stackalloc float[pairs.Count] : new float[pairs.Count];
        ComputeClipScales(pairs, scales);
        float lr = CurrentLearningRate;
        if (IsBuiltIn && BuiltInRule(lr) is UpdateRule rule)
        {
            // A plain plan run over the kernel threads: each element is updated by exactly one thread with the
            // same arithmetic, so the result does not depend on the split; nothing calls back into the optimizer.
            _plan.Begin(rule, WeightDecay is double wd ? (float)wd : 0f);
            for (int i = 0; i < pairs.Count; i++)
            {
                var (g, v) = pairs[i];
                int index = _index[v];
                _plan.Add(ClipGradient(g, scales[i]), v.Value, SlotValue(index, 0), SlotValue(index, 1), SlotValue(index, 2), Decays(v));
            }

            try
            {
                Ops.ApplyUpdates(_plan);
            }
            finally
            {
                _plan.Clear();
            }
        }
        else
        {
            // An optimizer written outside the library: its UpdateStep, once per variable, on this thread.
            for (int i = 0; i < pairs.Count; i++)
            {
                var (g, v) = pairs[i];
                var clipped = ClipGradient(g, scales[i]);
                var w = v.Value.Span;
                if (Decays(v))
                {
                    Ops.DecoupledWeightDecay(w, (float)WeightDecay!.Value, lr);
                }

                UpdateStep(clipped.AsSpan(), w, lr, _index[v], 0);
            }
        }

        Iterations++;
    }

    /// <summary>Applies the update rule to one variable (Keras <c>update_step</c>), in float32.</summary>
    /// <remarks>
    /// <para>The optimizers of this library do not call this method from <see cref="ApplyGradients"/>: they give their
    /// rule to the kernels as data, which update all variables over the kernel threads. <see cref="ApplyGradients"/>
    /// calls it for every other optimizer (a class derived outside the library, including one derived from a built-in
    /// optimizer), after clipping and decoupled weight decay: once per variable, on the calling thread, with the whole
    /// variable (<paramref name="offset"/> 0).</para>
    /// <para>The built-in overrides apply the same rule as their kernels, so a derived optimizer that calls
    /// <c>base.UpdateStep</c> gets the built-in numbers.</para>
    /// </remarks>
    /// <param name="gradient">The (clipped) gradient of the range being updated.</param>
    /// <param name="variable">The variable's values in that range, updated in place.</param>
    /// <param name="learningRate">The learning rate for this step.</param>
    /// <param name="index">The variable's position (for <see cref="Slot"/> and <see cref="SlotSpan"/>).</param>
    /// <param name="offset">Where the range starts within the variable (0 when called by <see cref="ApplyGradients"/>).</param>
    protected abstract void UpdateStep(ReadOnlySpan<float> gradient, Span<float> variable, float learningRate, int index, int offset);

    /// <summary>
    /// The built-in optimizer's update rule for the coming step, as data (null for an optimizer that updates through
    /// <see cref="UpdateStep"/> only). Read on the calling thread before the step, with <see cref="Iterations"/> not yet advanced.
    /// </summary>
    internal virtual UpdateRule? BuiltInRule(float learningRate) => null;

    /// <summary>Runs <paramref name="rule"/> on a range of variable <paramref name="index"/> and its slots (the built-in <see cref="UpdateStep"/> overrides).</summary>
    private protected void ApplyRule(in UpdateRule rule, ReadOnlySpan<float> gradient, Span<float> variable, int index, int offset)
    {
        int n = gradient.Length;
        int slots = SlotsPerVariable;
        Ops.ApplyUpdateRule(
            rule, gradient, variable,
            slots > 0 ? SlotSpan(index, 0, offset, n) : default,
            slots > 1 ? SlotSpan(index, 1, offset, n) : default,
            slots > 2 ? SlotSpan(index, 2, offset, n) : default);
    }

    // The optimizers of this library run their rule as a plan; a class derived elsewhere runs its UpdateStep.
    private bool IsBuiltIn => _isBuiltIn ??= GetType().Assembly == typeof(Optimizer).Assembly;

    private Tensor? SlotValue(int index, int k) => k < SlotsPerVariable ? Slot(index, k).Value : null;

    private bool Decays(Variable v) => WeightDecay is not null && UsesWeightDecay(v);

    private bool UsesWeightDecay(Variable v)
    {
        if (_excludedFromDecay.Contains(v))
        {
            return false;
        }

        foreach (var pattern in _excludedNames)
        {
            if (Regex.IsMatch(v.Name, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                return false;
            }
        }

        return true;
    }

    // Multipliers for clipnorm / global_clipnorm (NaN scale when the global norm is not finite, as Keras).
    private void ComputeClipScales(IReadOnlyList<(Tensor Gradient, Variable Variable)> pairs, Span<float> scales)
    {
        scales.Fill(float.NaN);
        if (ClipNorm is double cn && cn > 0)
        {
            return;
        }

        if (GlobalClipNorm is double gcn && gcn > 0)
        {
            float sumSquares = 0f;
            foreach (var (g, _) in pairs)
            {
                sumSquares += Ops.SumOfSquaresOf(g.AsSpan());
            }

            float norm = MathF.Sqrt(sumSquares);
            float clip = (float)gcn;
            float scale = clip * MathF.Min(1f / norm, 1f / clip);
            scale += norm - norm;
            scales.Fill(scale);
        }
    }

    private Tensor ClipGradient(Tensor g, float globalScale)
    {
        if (ClipNorm is double cn && cn > 0)
        {
            float clip = (float)cn;
            float sumSquares = Ops.SumOfSquaresOf(g.AsSpan());
            float norm = sumSquares > 0 ? MathF.Sqrt(sumSquares) : sumSquares;
            var clipped = Tensor.Allocate(g.Shape);
            Ops.ScaleThenDivide(g.AsSpan(), clip, MathF.Max(norm, clip), clipped.Span);
            return clipped;
        }

        if (GlobalClipNorm is double gcn && gcn > 0)
        {
            var clipped = Tensor.Allocate(g.Shape);
            Ops.Scale(g.AsSpan(), globalScale, clipped.Span);
            return clipped;
        }

        if (ClipValue is double cv && cv > 0)
        {
            var clipped = Tensor.Allocate(g.Shape);
            Ops.ClipByValue(g.AsSpan(), (float)cv, clipped.Span);
            return clipped;
        }

        return g;
    }

    /// <summary>
    /// The configuration Keras writes (<c>get_config</c>): the base keys, then the optimizer's own arguments.
    /// </summary>
    public virtual IDictionary<string, object?> GetConfig() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["name"] = Name,
        ["learning_rate"] = Schedule is null ? (double)_learningRate : Schedule,
        ["weight_decay"] = WeightDecay,
        ["clipnorm"] = ClipNorm,
        ["global_clipnorm"] = GlobalClipNorm,
        ["clipvalue"] = ClipValue,
        ["use_ema"] = false,
        ["ema_momentum"] = 0.99,
        ["ema_overwrite_frequency"] = null,
        ["loss_scale_factor"] = null,
        ["gradient_accumulation_steps"] = null,
    };

    /// <summary>
    /// Resolves an optimizer by Keras name, case-insensitively (<c>"adam"</c>, <c>"sgd"</c>, <c>"rmsprop"</c>,
    /// <c>"adagrad"</c>, <c>"adamw"</c>), with default hyperparameters.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static Optimizer Get(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return Table.TryGet(identifier.Trim()) ?? throw new ArgumentException(
            $"Unknown optimizer '{identifier}'; expected one of {string.Join(", ", Table.KnownNames.Select(n => $"\"{n}\""))} or an Optimizer instance.",
            nameof(identifier));
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}('{Name}', learning_rate={LearningRate})";
}
