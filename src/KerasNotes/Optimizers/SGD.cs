using KerasNotes.Serialization;

namespace KerasNotes.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum and Nesterov momentum (Keras <c>keras.optimizers.SGD</c>).
/// </summary>
/// <remarks>
/// Keras keeps the learning rate inside the momentum buffer: <c>m ← μ·m − lr·g; w ← w + m</c>
/// (Nesterov: <c>w ← w + μ·m − lr·g</c>). PyTorch keeps it outside, so the two differ after a
/// learning-rate change.
/// </remarks>
public sealed class SGD : Optimizer
{
    private const double DefaultLearningRate = 0.01;
    private const double DefaultMomentum = 0.0;
    private const bool DefaultNesterov = false;
    private const string DefaultName = "SGD";

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Default 0.01.</param>
    /// <param name="momentum">In [0, 1]; 0 means plain SGD (no slot).</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    /// <param name="weightDecay">Decoupled weight decay, or null.</param>
    /// <param name="clipNorm">Per-tensor gradient norm clip, or null.</param>
    /// <param name="clipValue">Element-wise gradient clip, or null.</param>
    /// <param name="globalClipNorm">Global gradient norm clip, or null.</param>
    /// <param name="name">The name (Keras default <c>SGD</c>).</param>
    public SGD(double learningRate = DefaultLearningRate, double momentum = DefaultMomentum, bool nesterov = DefaultNesterov, double? weightDecay = null,
        double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultName)
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(momentum, nesterov);

    /// <summary>Creates the optimizer with a learning-rate schedule.</summary>
    public SGD(LearningRateSchedule learningRate, double momentum = DefaultMomentum, bool nesterov = DefaultNesterov, double? weightDecay = null,
        double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultName)
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(momentum, nesterov);

    private SGD(Settings settings, ObjectConfig config)
        : base(settings) => Init(config.GetDouble("momentum", DefaultMomentum), config.GetBoolean("nesterov", DefaultNesterov));

    private void Init(double momentum, bool nesterov)
    {
        HyperparameterChecks.Fraction(momentum, nameof(SGD), nameof(momentum), oneAllowed: true);

        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>The momentum factor.</summary>
    public double Momentum { get; private set; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; private set; }

    /// <inheritdoc />
    protected override int SlotsPerVariable => Momentum > 0 ? 1 : 0;

    /// <inheritdoc />
    protected override void CreateSlots(Variable variable)
    {
        if (Momentum > 0)
        {
            AddSlot(variable, "momentum");
        }
    }

    /// <inheritdoc />
    protected override void UpdateStep(ReadOnlySpan<float> gradient, Span<float> variable, float learningRate, int index, int offset) =>
        ApplyRule(Rule(learningRate), gradient, variable, index, offset);

    /// <inheritdoc />
    internal override UpdateRule? BuiltInRule(float learningRate) => Rule(learningRate);

    private UpdateRule Rule(float learningRate) =>
        Momentum > 0 ? UpdateRule.SgdMomentum(learningRate, (float)Momentum, Nesterov) : UpdateRule.Sgd(learningRate);

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["momentum"] = Momentum;
        config["nesterov"] = Nesterov;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its saved config (Keras <c>from_config</c>; <c>learning_rate</c> may be a schedule).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static SGD FromConfig(ObjectConfig config) => new(Settings.Read(config, DefaultLearningRate, DefaultName), config);

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("SGD", FromConfig, "sgd");
}
