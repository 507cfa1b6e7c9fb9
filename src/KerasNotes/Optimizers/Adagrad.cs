namespace KerasNotes.Optimizers;

/// <summary>
/// Adagrad (Keras <c>keras.optimizers.Adagrad</c>): <c>acc ← acc + g²; w ← w − lr·g / sqrt(acc + ε)</c>,
/// with the accumulator starting at 0.1 (PyTorch starts at 0 and puts ε outside the root).
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Default 0.001.</param>
    /// <param name="initialAccumulatorValue">Starting value of the accumulator, default 0.1.</param>
    /// <param name="epsilon">Default 1e-7.</param>
    /// <param name="weightDecay">Decoupled weight decay, or null.</param>
    /// <param name="clipNorm">Per-tensor gradient norm clip, or null.</param>
    /// <param name="clipValue">Element-wise gradient clip, or null.</param>
    /// <param name="globalClipNorm">Global gradient norm clip, or null.</param>
    /// <param name="name">The name.</param>
    public Adagrad(double learningRate = 0.001, double initialAccumulatorValue = 0.1, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "adagrad")
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(initialAccumulatorValue, epsilon);

    /// <summary>Creates the optimizer with a learning-rate schedule.</summary>
    public Adagrad(LearningRateSchedule learningRate, double initialAccumulatorValue = 0.1, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "adagrad")
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(initialAccumulatorValue, epsilon);

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
}
