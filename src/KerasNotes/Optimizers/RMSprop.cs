using KerasNotes.Serialization;

namespace KerasNotes.Optimizers;

/// <summary>
/// RMSprop (Keras <c>keras.optimizers.RMSprop</c>): <c>v ← ρv + (1−ρ)g²</c>, increment
/// <c>lr·g / sqrt(v + ε)</c> (ε inside the root; centered: <c>sqrt(v − a² + ε)</c>), optional momentum
/// on the increment.
/// </summary>
public sealed class RMSprop : Optimizer
{
    private const double DefaultLearningRate = 0.001;
    private const double DefaultRho = 0.9;
    private const double DefaultMomentum = 0.0;
    private const double DefaultEpsilon = 1e-7;
    private const bool DefaultCentered = false;
    private const string DefaultName = "rmsprop";

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Default 0.001.</param>
    /// <param name="rho">Decay of the squared-gradient average, default 0.9.</param>
    /// <param name="momentum">Momentum on the increment, default 0.</param>
    /// <param name="epsilon">Default 1e-7.</param>
    /// <param name="centered">Normalise by the centred second moment.</param>
    /// <param name="weightDecay">Decoupled weight decay, or null.</param>
    /// <param name="clipNorm">Per-tensor gradient norm clip, or null.</param>
    /// <param name="clipValue">Element-wise gradient clip, or null.</param>
    /// <param name="globalClipNorm">Global gradient norm clip, or null.</param>
    /// <param name="name">The name.</param>
    public RMSprop(double learningRate = DefaultLearningRate, double rho = DefaultRho, double momentum = DefaultMomentum, double epsilon = DefaultEpsilon, bool centered = DefaultCentered,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultName)
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(rho, momentum, epsilon, centered);

    /// <summary>Creates the optimizer with a learning-rate schedule.</summary>
    public RMSprop(LearningRateSchedule learningRate, double rho = DefaultRho, double momentum = DefaultMomentum, double epsilon = DefaultEpsilon, bool centered = DefaultCentered,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultName)
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(rho, momentum, epsilon, centered);

    private RMSprop(Settings settings, ObjectConfig config)
        : base(settings) => Init(
            config.GetDouble("rho", DefaultRho), config.GetDouble("momentum", DefaultMomentum), config.GetDouble("epsilon", DefaultEpsilon), config.GetBoolean("centered", DefaultCentered));

    private void Init(double rho, double momentum, double epsilon, bool centered)
    {
        HyperparameterChecks.Fraction(rho, nameof(RMSprop), nameof(rho), oneAllowed: false);
        HyperparameterChecks.Fraction(momentum, nameof(RMSprop), nameof(momentum), oneAllowed: true);
        HyperparameterChecks.NonNegative(epsilon, nameof(RMSprop), nameof(epsilon));

        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
        Centered = centered;
    }

    /// <summary>Decay of the squared-gradient average.</summary>
    public double Rho { get; private set; }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; private set; }

    /// <summary>The epsilon.</summary>
    public double Epsilon { get; private set; }

    /// <summary>Whether the centred variant is used.</summary>
    public bool Centered { get; private set; }

    /// <inheritdoc />
    protected override int SlotsPerVariable => 1 + (Momentum > 0 ? 1 : 0) + (Centered ? 1 : 0);

    /// <inheritdoc />
    protected override void CreateSlots(Variable variable)
    {
        AddSlot(variable, "velocity");
        if (Momentum > 0)
        {
            AddSlot(variable, "momentum");
        }

        if (Centered)
        {
            AddSlot(variable, "average_gradient");
        }
    }

    /// <inheritdoc />
    protected override void UpdateStep(ReadOnlySpan<float> gradient, Span<float> variable, float learningRate, int index, int offset) =>
        ApplyRule(Rule(learningRate), gradient, variable, index, offset);

    /// <inheritdoc />
    internal override UpdateRule? BuiltInRule(float learningRate) => Rule(learningRate);

    // Slots in CreateSlots's order: velocity, then momentum (when > 0), then the average gradient (centered).
    private UpdateRule Rule(float learningRate) =>
        UpdateRule.RmsProp(learningRate, (float)Rho, (float)(1.0 - Rho), (float)Momentum, (float)Epsilon, withMomentum: Momentum > 0, centered: Centered);

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["rho"] = Rho;
        config["momentum"] = Momentum;
        config["epsilon"] = Epsilon;
        config["centered"] = Centered;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its saved config (Keras <c>from_config</c>; <c>learning_rate</c> may be a schedule).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static RMSprop FromConfig(ObjectConfig config) => new(Settings.Read(config, DefaultLearningRate, DefaultName), config);

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("RMSprop", FromConfig, "rmsprop");
}
