using System.Text.RegularExpressions;
using KerasNotes.Initializers;
using KerasNotes.Regularizers;

namespace KerasNotes.Layers;

/// <summary>
/// The base of every layer, with Keras's lifecycle (<c>keras.layers.Layer</c>).
/// </summary>
/// <remarks>
/// <para>The constructor holds configuration only. <see cref="Build(Shape)"/> creates the weights with
/// <see cref="AddWeight"/> once the input shape is known; <see cref="Call(Tensor, bool)"/> computes the output
/// with <see cref="Ops"/> (so gradients come for free) and may add losses with
/// <see cref="AddLoss"/>; <see cref="GetConfig"/> describes the layer for saving.
/// <see cref="Apply(Tensor, bool)"/> (Keras <c>layer(x)</c>) builds the layer on first use and runs it.</para>
/// <para>Names: a layer without a name gets the snake-cased class name, made unique across the
/// process (<c>dense</c>, <c>dense_1</c>, …) as in Keras.</para>
/// <example><code>
/// sealed class ActivityPenalty(float rate) : Layer {
///     protected override Tensor Call(Tensor inputs, bool training) {
///         AddLoss(rate * Ops.Sum(Ops.Square(inputs)));
///         return inputs;
///     }
/// }
/// </code></example>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Reliability",
    "CA1001",
    Justification = "The per-thread loss lists hold no native resource; ThreadLocal's finalizer frees its slot, and a disposable Layer would burden every user.")]
public abstract partial class Layer
{
    private static readonly Dictionary<string, int> s_nameCounts = new(StringComparer.Ordinal);
    private static readonly Lock s_nameGate = new();

    [ThreadStatic]
    private static int t_callDepth;

    private readonly List<Variable> _trainable = [];
    private readonly List<Variable> _nonTrainable = [];
    // Loss terms belong to the call that added them, so each thread keeps its own list: two threads predicting
    // with one model never write to the same list (see the thread-safety remarks on Model).
    private readonly ThreadLocal<List<Tensor>> _losses = new(static () => []);
    private readonly Lock _buildGate = new();
    private static int s_structureVersion;
    private volatile bool _built;
    private bool _trainableFlag = true;
    private WeightLists? _lists;

    /// <summary>Creates a layer.</summary>
    /// <param name="name">The name; null for an automatic unique one.</param>
    /// <param name="trainable">Whether the layer's weights are trained.</param>
    /// <param name="activityRegularizer">A penalty on the layer's output, divided by the batch size and added to the loss.</param>
    protected Layer(string? name = null, bool trainable = true, Regularizer? activityRegularizer = null)
    {
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A layer name must not be empty or blank.", nameof(name));
        }

        // Keras refuses '/' too: weight files use it to separate the layers in a path.
        if (name is not null && name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A layer name cannot contain '/'; got '{name}'.", nameof(name));
        }

        Name = name ?? UniqueName(ToSnakeCase(GetType().Name));
        _trainableFlag = trainable;
        ActivityRegularizer = activityRegularizer;
    }

    /// <summary>The layer's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Whether the layer's weights are trained. Setting it to false freezes the weights (they leave
    /// <see cref="TrainableWeights"/>); a frozen BatchNormalization also runs in inference mode. As in
    /// Keras, a model picks up a change at its next <c>Compile</c>.
    /// </summary>
    public virtual bool Trainable
    {
        get => _trainableFlag;
        set
        {
            _trainableFlag = value;
            foreach (var v in _trainable)
            {
                v.Trainable = value;
            }

            StructureChanged();
        }
    }

    /// <summary>True once <see cref="Build(Shape)"/> has run.</summary>
    public bool Built => _built;

    /// <summary>The input shape the layer was built for (batch axis included, possibly unknown), or null before it is built.</summary>
    public Shape? BuildInputShape { get; private set; }

    /// <summary>The penalty on the layer's output, if any.</summary>
    public Regularizer? ActivityRegularizer { get; }

    /// <summary>All weights: trainable ones, then non-trainable ones, each in creation order (Keras <c>weights</c>).</summary>
    /// <remarks>The list is built once and reused until a weight is added or a trainable flag changes.</remarks>
    public virtual IReadOnlyList<Variable> Weights => Lists().All;

    /// <summary>The weights the optimizer updates: none while the layer is frozen.</summary>
    public virtual IReadOnlyList<Variable> TrainableWeights => Lists().Trainable;

    /// <summary>The weights the optimizer does not update (all of them while the layer is frozen).</summary>
    public virtual IReadOnlyList<Variable> NonTrainableWeights => Lists().NonTrainable;

    /// <summary>
    /// Counts changes to any layer's weight lists or trainable flags (and to a model's layers), so cached weight
    /// lists can tell cheaply whether they are stale. One counter for all layers: a change is rare, a read is not.
    /// </summary>
    internal static int StructureVersion => Volatile.Read(ref s_structureVersion);

    /// <summary>Marks every cached weight list stale (a weight was added, a flag or a model's layers changed).</summary>
    internal static void StructureChanged() => Interlocked.Increment(ref s_structureVersion);

    private WeightLists Lists()
    {
        int version = StructureVersion;
        var lists = _lists;
        if (lists is not null && lists.Version == version)
        {
            return lists;
        }

        var all = new Variable[_trainable.Count + _nonTrainable.Count];
        _trainable.CopyTo(all);
        _nonTrainable.CopyTo(all, _trainable.Count);
        var allList = Array.AsReadOnly(all);
        lists = Trainable
            ? new WeightLists(version, allList, _trainable.ToArray().AsReadOnly(), _nonTrainable.ToArray().AsReadOnly())
            : new WeightLists(version, allList, Array.AsReadOnly(Array.Empty<Variable>()), allList);
        _lists = lists;
        return lists;
    }

    /// <summary>Read-only weight lists stamped with the <see cref="StructureVersion"/> they were built at.</summary>
    internal sealed record WeightLists(int Version, IReadOnlyList<Variable> All, IReadOnlyList<Variable> Trainable, IReadOnlyList<Variable> NonTrainable);

    /// <summary>
    /// The losses added by the most recent call on the current thread (<see cref="AddLoss"/> and the activity penalty).
    /// </summary>
    public virtual IReadOnlyList<Tensor> Losses => _losses.Value!;

    /// <summary>The number of scalars in the layer's weights.</summary>
    public int CountParams()
    {
        int total = 0;
        foreach (var v in Weights)
        {
            total += v.Shape.Size;
        }

        return total;
    }

    /// <summary>
    /// Runs the layer (Keras <c>layer(x)</c>): builds it on first use, checks the input, calls
    /// <see cref="Call(Tensor, bool)"/> and applies the activity regularizer.
    /// </summary>
    /// <param name="inputs">The input batch.</param>
    /// <param name="training">True during training (Dropout active, BatchNormalization on batch statistics).</param>
    /// <exception cref="ArgumentException">The input does not fit the layer; the message names the layer and both shapes.</exception>
    public Tensor Apply(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        EnsureBuilt(inputs.Shape);
        ValidateInput(inputs.Shape);
        EnterCall();
        Tensor output;
        try
        {
            output = Call(inputs, training);
        }
        finally
        {
            t_callDepth--;
        }

        return AddActivityPenalty(output);
    }

    /// <summary>
    /// Runs a layer that takes several inputs (Keras <c>layer([a, b])</c>), such as a merge layer or a model with
    /// several inputs: builds it on first use, checks the inputs, calls <see cref="Call(IReadOnlyList{Tensor}, bool)"/>.
    /// </summary>
    /// <param name="inputs">The input batches, in the order the layer expects them.</param>
    /// <param name="training">True during training.</param>
    /// <exception cref="ArgumentException">No inputs, a null input, or inputs that do not fit the layer (the message names the layer and the shapes).</exception>
    public Tensor Apply(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        var shapes = ShapesOf(inputs, nameof(inputs));
        EnsureBuilt(shapes);
        ValidateInputs(shapes);
        EnterCall();
        Tensor output;
        try
        {
            output = Call(inputs, training);
        }
        finally
        {
            t_callDepth--;
        }

        return AddActivityPenalty(output);
    }

    /// <summary>
    /// Runs <paramref name="call"/> as the layer's own call: the outermost call clears the losses of the previous one,
    /// nested calls keep them (what <see cref="Apply(Tensor, bool)"/> does around <see cref="Call(Tensor, bool)"/>).
    /// </summary>
    internal void RunAsCall<TState>(TState state, Action<TState> call)
    {
        EnterCall();
        try
        {
            call(state);
        }
        finally
        {
            t_callDepth--;
        }
    }

    // The outermost call forgets the losses of the previous one; the caller leaves with t_callDepth-- in a finally.
    private void EnterCall()
    {
        if (t_callDepth == 0)
        {
            ClearLosses();
        }

        t_callDepth++;
    }

    private Tensor AddActivityPenalty(Tensor output)
    {
        if (ActivityRegularizer is not null)
        {
            var penalty = ActivityRegularizer.Call(output);
            if (output.Rank >= 1)
            {
                // Keras ≥ 3.14 divides by the batch size (0 when the batch is empty).
                int batch = output.Shape[0];
                penalty = batch == 0 ? Ops.Multiply(penalty, 0f) : Ops.Divide(penalty, batch);
            }

            _losses.Value!.Add(penalty);
        }

        return output;
    }

    /// <summary>The shapes of a list of input batches; refuses a null or empty list and null items, naming <paramref name="argument"/>.</summary>
    private protected static Shape[] ShapesOf(IReadOnlyList<Tensor> inputs, string argument)
    {
        ArgumentNullException.ThrowIfNull(inputs, argument);
        if (inputs.Count == 0)
        {
            throw new ArgumentException("The list of inputs is empty; a layer needs at least one input.", argument);
        }

        var shapes = new Shape[inputs.Count];
        for (int i = 0; i < shapes.Length; i++)
        {
            shapes[i] = (inputs[i] ?? throw new ArgumentException($"Input {i} of {inputs.Count} is null.", argument)).Shape;
        }

        return shapes;
    }

    /// <summary>Builds the layer for <paramref name="inputShape"/> if it is not built yet.</summary>
    /// <remarks>Two threads that run an unbuilt layer at once build it once: the second waits for the first.</remarks>
    internal void EnsureBuilt(Shape inputShape)
    {
        if (!_built)
        {
            EnsureBuiltCore(inputShape, null);
        }
    }

    /// <summary>Builds the layer for inputs of <paramref name="inputShapes"/> (one shape per input) if it is not built yet.</summary>
    internal void EnsureBuilt(IReadOnlyList<Shape> inputShapes)
    {
        if (!_built)
        {
            EnsureBuiltCore(inputShapes[0], inputShapes);
        }
    }

    private void EnsureBuiltCore(Shape first, IReadOnlyList<Shape>? all)
    {
        lock (_buildGate)
        {
            if (_built)
            {
                return;
            }

            // A direct call to Build (as Keras users sometimes make) already created the weights: do not build twice.
            if (_trainable.Count + _nonTrainable.Count > 0)
            {
                BuildInputShape ??= WithFreeBatch(first);
                BuildInputShapes ??= all is null ? null : Array.ConvertAll([.. all], WithFreeBatch);
                _built = true;
                return;
            }

            // Weights outlive the step: create them outside any step pool.
            int trainableBefore = _trainable.Count, nonTrainableBefore = _nonTrainable.Count;
            try
            {
                using (TensorArena.Suspend())
                using (GradientTape.Pause())
                {
                    if (all is null)
                    {
                        Build(first);
                    }
                    else
                    {
                        Build(all);
                    }
                }
            }
            catch
            {
                // A Build that fails halfway must not leave half its weights behind: the next call builds afresh.
                _trainable.RemoveRange(trainableBefore, _trainable.Count - trainableBefore);
                _nonTrainable.RemoveRange(nonTrainableBefore, _nonTrainable.Count - nonTrainableBefore);
                StructureChanged();
                throw;
            }

            BuildInputShape = WithFreeBatch(first);
            BuildInputShapes = all is null ? null : Array.ConvertAll([.. all], WithFreeBatch);
            _built = true;
        }
    }

    private static Shape WithFreeBatch(Shape shape) => shape.Rank > 0 ? shape.With(0, -1) : shape;

    /// <summary>
    /// The input shapes the layer was built for when it takes several inputs (a merge layer, a model with several
    /// inputs), batch axes free; null for a layer built for one input (see <see cref="BuildInputShape"/>).
    /// </summary>
    public IReadOnlyList<Shape>? BuildInputShapes { get; private set; }

    /// <summary>
    /// Creates the layer's weights for several inputs (one shape per input). The default accepts exactly one input and
    /// calls <see cref="Build(Shape)"/>; layers that take several inputs override it.
    /// </summary>
    /// <exception cref="ArgumentException">The layer takes one input and was given several.</exception>
    public virtual void Build(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        Build(SingleShape(inputShapes, nameof(inputShapes)));
    }

    /// <summary>
    /// Computes the output for several inputs (Keras <c>call</c> with a list). The default accepts exactly one input
    /// and calls <see cref="Call(Tensor, bool)"/>; layers that take several inputs override it.
    /// </summary>
    /// <param name="inputs">The input batches.</param>
    /// <param name="training">True during training.</param>
    protected virtual Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != 1)
        {
            throw TakesOneInput(inputs.Count, nameof(inputs));
        }

        return Call(inputs[0], training);
    }

    /// <summary>Checks several input shapes against what the layer expects; the default accepts one input and checks it with <see cref="ValidateInput"/>.</summary>
    protected virtual void ValidateInputs(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        ValidateInput(SingleShape(inputShapes, nameof(inputShapes)));
    }

    /// <summary>
    /// The output shape for several inputs (one shape per input). The default accepts one input and calls
    /// <see cref="ComputeOutputShape(Shape)"/>; layers that take several inputs override it.
    /// </summary>
    public virtual Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        return ComputeOutputShape(SingleShape(inputShapes, nameof(inputShapes)));
    }

    private Shape SingleShape(IReadOnlyList<Shape> inputShapes, string argument) =>
        inputShapes.Count == 1 ? inputShapes[0] : throw TakesOneInput(inputShapes.Count, argument);

    private ArgumentException TakesOneInput(int count, string argument) =>
        new($"Layer '{Name}' ({GetType().Name}) takes one input; it was given {count}.", argument);

    /// <summary>
    /// Creates the layer's weights for inputs of <paramref name="inputShape"/> (batch axis first, possibly -1).
    /// Overrides create weights with <see cref="AddWeight"/>; they need not call the base method.
    /// </summary>
    public virtual void Build(Shape inputShape)
    {
    }

    /// <summary>Computes the layer's output (Keras <c>call</c>). Use <see cref="Ops"/> so gradients flow.</summary>
    /// <param name="inputs">The input batch.</param>
    /// <param name="training">True during training.</param>
    protected abstract Tensor Call(Tensor inputs, bool training);

    /// <summary>Checks an input shape against what the built layer expects; throws <see cref="ArgumentException"/> if it does not fit.</summary>
    protected virtual void ValidateInput(Shape inputShape)
    {
    }

    /// <summary>
    /// The output shape for inputs of <paramref name="inputShape"/>. The default runs the layer on a zero
    /// batch (unknown dimensions taken as 1) in inference mode and reads the shape.
    /// </summary>
    public virtual Shape ComputeOutputShape(Shape inputShape)
    {
        Span<int> dims = stackalloc int[inputShape.Rank];
        inputShape.CopyTo(dims);
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                dims[i] = 1;
            }
        }

        var probeShape = new Shape(dims);
        if (probeShape.SaturatedProduct(0, probeShape.Rank) > Array.MaxLength)
        {
            throw new ArgumentException(
                $"Layer '{Name}' works out its output shape by running on a zero batch of shape {probeShape}, which is more than a tensor can hold; override ComputeOutputShape for inputs this large.",
                nameof(inputShape));
        }

        using (GradientTape.Pause())
        {
            var probe = Tensor.Zeros(probeShape);
            var losses = _losses.Value!;
            var saved = losses.ToArray();
            int depth = t_callDepth;
            t_callDepth++;
            Tensor output;
            try
            {
                // Nested depth: the probe must not clear the losses of a call in progress.
                output = Apply(probe, training: false);
            }
            finally
            {
                t_callDepth = depth;
            }

            losses.Clear();
            losses.AddRange(saved);
            var outShape = output.Shape;
            return inputShape.Rank > 0 && inputShape[0] < 0 && outShape.Rank > 0 ? outShape.With(0, -1) : outShape;
        }
    }

    /// <summary>
    /// The layer's configuration as Keras writes it (<c>get_config</c>): the base keys <c>name</c>,
    /// <c>trainable</c>, <c>dtype</c>, then the layer's own constructor arguments.
    /// </summary>
    public virtual IDictionary<string, object?> GetConfig()
    {
        var config = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = Name,
            ["trainable"] = Trainable,
            ["dtype"] = "float32",
        };
        if (ActivityRegularizer is not null)
        {
            config["activity_regularizer"] = ActivityRegularizer;
        }

        return config;
    }

    /// <summary>
    /// Creates a weight of the layer (Keras <c>add_weight</c>). Call it from <see cref="Build(Shape)"/>.
    /// </summary>
    /// <param name="name">The weight's name, e.g. <c>kernel</c>.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="initializer">How to fill it; glorot_uniform by default, as Keras.</param>
    /// <param name="regularizer">A penalty added to the loss while the weight is trainable.</param>
    /// <param name="trainable">Whether the optimizer updates it.</param>
    protected Variable AddWeight(string name, Shape shape, Initializer? initializer = null, Regularizer? regularizer = null, bool trainable = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!shape.IsFullyDefined)
        {
            throw new ArgumentException($"Layer '{Name}': weight '{name}' needs a fully known shape, got {shape}.", nameof(shape));
        }

        if (shape.SaturatedProduct(0, shape.Rank) > Array.MaxLength)
        {
            throw new ArgumentException(
                $"Layer '{Name}': weight '{name}' of shape {shape} would hold more values than a weight can (at most {Array.MaxLength}).", nameof(shape));
        }

        initializer ??= new GlorotUniform();
        Tensor value;
        using (TensorArena.Suspend())
        {
            value = initializer.Call(shape);
        }

        var variable = new Variable(value, name, trainable && Trainable) { Path = $"{Name}/{name}" };
        if (regularizer is not null)
        {
            WeightPenalties.Set(variable, regularizer);
        }

        (trainable ? _trainable : _nonTrainable).Add(variable);
        StructureChanged();
        return variable;
    }

    /// <summary>Adds a scalar loss term (Keras <c>add_loss</c>); it joins the model's total loss for this step.</summary>
    protected void AddLoss(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        _losses.Value!.Add(loss);
    }

    /// <summary>Forgets the losses of the previous call; the outermost call does this for every layer it contains.</summary>
    internal virtual void ClearLosses() => _losses.Value!.Clear();

    /// <summary>Copies of the layer's weights in Keras order (trainable, then non-trainable).</summary>
    public IReadOnlyList<Tensor> GetWeights()
    {
        var weights = Weights;
        var result = new Tensor[weights.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = weights[i].Value.Clone();
        }

        return result;
    }

    /// <summary>Sets the layer's weights from tensors in Keras order; nothing changes unless every shape fits.</summary>
    /// <exception cref="ArgumentException">The count or a shape differs; the message names the layer and the weight.</exception>
    public void SetWeights(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var own = Weights;
        if (weights.Count != own.Count)
        {
            throw new ArgumentException(
                $"Layer '{Name}' has {own.Count} weights; SetWeights got {weights.Count}.", nameof(weights));
        }

        for (int i = 0; i < own.Count; i++)
        {
            if (weights[i] is null || weights[i].Shape != own[i].Shape)
            {
                throw new ArgumentException(
                    $"Layer '{Name}' weight {i} ('{own[i].Name}') has shape {own[i].Shape}; SetWeights got {(weights[i] is null ? "null" : weights[i].Shape.ToString())}.",
                    nameof(weights));
            }
        }

        for (int i = 0; i < own.Count; i++)
        {
            own[i].Assign(weights[i]);
        }
    }

    /// <summary>Keras's snake-casing of a class name (<c>BatchNormalization</c> → <c>batch_normalization</c>).</summary>
    public static string ToSnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Every layer's constructor names itself with this, so a plain ASCII identifier (every class name in practice)
        // takes a scan that does what the three regexes do: starting the regex engine cost a fresh process ~15 ms
        // before its first model existed. Anything else keeps Keras's regexes (Unicode word characters).
        return IsAsciiIdentifier(name) ? SnakeCaseAscii(name) : ToSnakeCaseByRegex(name);
    }

    /// <summary>Keras's <c>to_snake_case</c> as its three regular expressions, for any name.</summary>
    internal static string ToSnakeCaseByRegex(string name)
    {
        name = NonWord().Replace(name, string.Empty);
        name = UpperWord().Replace(name, "$1_$2");
        name = LowerUpper().Replace(name, "$1_$2");
        return name.ToLowerInvariant();
    }

    private static bool IsAsciiIdentifier(string name)
    {
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    // The regexes' passes by hand (no \W to remove in an ASCII identifier): "(.)([A-Z][a-z]+)" → "$1_$2", then
    // "([a-z])([A-Z])" → "$1_$2", each left to right without overlapping matches, then lower case.
    private static string SnakeCaseAscii(string name)
    {
        var first = new System.Text.StringBuilder(name.Length + 8);
        for (int p = 0; p < name.Length;)
        {
            if (p + 2 < name.Length && char.IsAsciiLetterUpper(name[p + 1]) && char.IsAsciiLetterLower(name[p + 2]))
            {
                int end = p + 3;
                while (end < name.Length && char.IsAsciiLetterLower(name[end]))
                {
                    end++;
                }

                first.Append(name[p]).Append('_').Append(name, p + 1, end - p - 1);
                p = end;
            }
            else
            {
                first.Append(name[p++]);
            }
        }

        var second = new System.Text.StringBuilder(first.Length + 8);
        for (int p = 0; p < first.Length;)
        {
            if (p + 1 < first.Length && char.IsAsciiLetterLower(first[p]) && char.IsAsciiLetterUpper(first[p + 1]))
            {
                second.Append(first[p]).Append('_').Append(first[p + 1]);
                p += 2;
            }
            else
            {
                second.Append(first[p++]);
            }
        }

        return second.ToString().ToLowerInvariant();
    }

    /// <summary>Makes a process-unique name from a base (<c>dense</c>, <c>dense_1</c>, …).</summary>
    internal static string UniqueName(string baseName)
    {
        lock (s_nameGate)
        {
            s_nameCounts.TryGetValue(baseName, out int count);
            s_nameCounts[baseName] = count + 1;
            return count == 0 ? baseName : $"{baseName}_{count}";
        }
    }

    [GeneratedRegex(@"\W+")]
    private static partial Regex NonWord();

    [GeneratedRegex("(.)([A-Z][a-z]+)")]
    private static partial Regex UpperWord();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex LowerUpper();

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}('{Name}')";
}
