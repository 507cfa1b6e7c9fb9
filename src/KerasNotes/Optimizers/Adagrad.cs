using KerasNotes.Serialization;

namespace KerasNotes.Optimizers;

/// <summary>
/// Adagrad (Keras <c>keras.optimizers.Adagrad</c>): <c>acc ← acc + g²; w ← w − lr·g / sqrt(acc + ε)</c>,
/// with the accumulator starting at 0.1 (PyTorch starts at 0 and puts ε outside the root).
/// </summary>
public sealed class Adagrad : Optimizer
{
    private const double DefaultLearningRate = 0.001;
    private const double DefaultInitialAccumulatorValue = 0.1;
    private const double DefaultEpsilon = 1e-7;
    private const string DefaultName = "adagrad";

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Default 0.001.</param>
    /// <param name="initialAccumulatorValue">Starting value of the accumulator, default 0.1.</param>
    /// <param name="epsilon">Default 1e-7.</param>
    /// <param name="weightDecay">Decoupled weight decay, or null.</param>
    /// <param name="clipNorm">Per-tensor gradient norm clip, or null.</param>
    /// <param name="clipValue">Element-wise gradient clip, or null.</param>
    /// <param name="globalClipNorm">Global gradient norm clip, or null.</param>
    /// <param name="name">The name.</param>
    public Adagrad(double learningRate = DefaultLearningRate, double initialAccumulatorValue = DefaultInitialAccumulatorValue, double epsilon = DefaultEpsilon,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultName)
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(initialAccumulatorValue, epsilon);

    /// <summary>Creates the optimizer with a learning-rate schedule.</summary>
    public Adagrad(LearningRateSchedule learningRate, double initialAccumulatorValue = DefaultInitialAccumulatorValue, double epsilon = DefaultEpsilon,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultName)
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(initialAccumulatorValue, epsilon);

    private Adagrad(Settings settings, ObjectConfig config)
        : base(settings) => Init(config.GetDouble("initial_accumulator_value", DefaultInitialAccumulatorValue), config.GetDouble("epsilon", DefaultEpsilon));

    private void Init(double initialAccumulatorValue, double epsilon)
    {
        HyperparameterChecks.NonNegative(initialAccumulatorValue, nameof(Adagrad), nameof(initialAccumulatorValue));
        HyperparameterChecks.NonNegative(epsilon, nameof(Adagrad), nameof(epsilon));

        InitialAccumulatorValue = initialAccumulatorValue;
        Epsilon = epsilon;
    }

    /// <summary>Starting value of the accumulator.</summary>
    public double InitialAccumulatorValue { get; private set; }

    /// <summary>The epsilon.</summary>
    public double Epsilon { get; private set; }

    /// <inheritdoc />
    protected override int SlotsPerVariable => 1;

    /// <inheritdoc />
    protected override void CreateSlots(Variable variable) => AddSlot(variable, "accumulator", (float)InitialAccumulatorValue);

    /// <inheritdoc />
    protected override void UpdateStep(ReadOnlySpan<float> gradient, Span<float> variable, float learningRate, int index, int offset) =>
        ApplyRule(Rule(learningRate), gradient, variable, index, offset);

    /// <inheritdoc />
    internal override UpdateRule? BuiltInRule(float learningRate) => Rule(learningRate);

    private UpdateRule Rule(float learningRate) => UpdateRule.Adagrad(learningRate, (float)Epsilon);

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["initial_accumulator_value"] = InitialAccumulatorValue;
        config["epsilon"] = Epsilon;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its saved config (Keras <c>from_config</c>; <c>learning_rate</c> may be a schedule).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Adagrad FromConfig(ObjectConfig config) => new(Settings.Read(config, DefaultLearningRate, DefaultName), config);

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Adagrad", FromConfig, "adagrad");
}
