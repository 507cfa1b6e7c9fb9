using KerasNotes.Serialization;

namespace KerasNotes.Optimizers;

/// <summary>
/// Adam (Keras <c>keras.optimizers.Adam</c>), with Keras 3's epsilon placement:
/// <c>w ← w − α·m / (sqrt(v) + ε)</c> where <c>α = lr·sqrt(1 − β2ᵗ) / (1 − β1ᵗ)</c>.
/// </summary>
/// <remarks>
/// ε is added to the uncorrected <c>sqrt(v)</c> (PyTorch adds it after bias correction), which
/// matters for tiny gradients. A <c>weightDecay</c> here is decoupled, as everywhere in Keras 3.
/// </remarks>
public class Adam : Optimizer
{
    private protected const double DefaultLearningRate = 0.001;
    private protected const double DefaultBeta1 = 0.9;
    private protected const double DefaultBeta2 = 0.999;
    private protected const double DefaultEpsilon = 1e-7;
    private protected const bool DefaultAmsgrad = false;
    private const string DefaultName = "adam";

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Default 0.001.</param>
    /// <param name="beta1">Decay of the first moment, default 0.9.</param>
    /// <param name="beta2">Decay of the second moment, default 0.999.</param>
    /// <param name="epsilon">Default 1e-7.</param>
    /// <param name="amsgrad">Use the AMSGrad variant (a running maximum of v).</param>
    /// <param name="weightDecay">Decoupled weight decay, or null.</param>
    /// <param name="clipNorm">Per-tensor gradient norm clip, or null.</param>
    /// <param name="clipValue">Element-wise gradient clip, or null.</param>
    /// <param name="globalClipNorm">Global gradient norm clip, or null.</param>
    /// <param name="name">The name.</param>
    public Adam(double learningRate = DefaultLearningRate, double beta1 = DefaultBeta1, double beta2 = DefaultBeta2, double epsilon = DefaultEpsilon, bool amsgrad = DefaultAmsgrad,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultName)
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(beta1, beta2, epsilon, amsgrad);

    /// <summary>Creates the optimizer with a learning-rate schedule.</summary>
    public Adam(LearningRateSchedule learningRate, double beta1 = DefaultBeta1, double beta2 = DefaultBeta2, double epsilon = DefaultEpsilon, bool amsgrad = DefaultAmsgrad,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultName)
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(beta1, beta2, epsilon, amsgrad);

    /// <summary>Creates the optimizer from a saved config's settings (<see cref="FromConfig"/>).</summary>
    private protected Adam(Settings settings, ObjectConfig config)
        : base(settings) => Init(
            config.GetDouble("beta_1", DefaultBeta1), config.GetDouble("beta_2", DefaultBeta2), config.GetDouble("epsilon", DefaultEpsilon), config.GetBoolean("amsgrad", DefaultAmsgrad));

    private void Init(double beta1, double beta2, double epsilon, bool amsgrad)
    {
        string owner = GetType().Name;
        HyperparameterChecks.Fraction(beta1, owner, nameof(beta1), oneAllowed: false);
        HyperparameterChecks.Fraction(beta2, owner, nameof(beta2), oneAllowed: false);
        HyperparameterChecks.NonNegative(epsilon, owner, nameof(epsilon));

        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        Amsgrad = amsgrad;
    }

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; private set; }

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; private set; }

    /// <summary>The epsilon.</summary>
    public double Epsilon { get; private set; }

    /// <summary>Whether AMSGrad is used.</summary>
    public bool Amsgrad { get; private set; }

    /// <inheritdoc />
    protected override int SlotsPerVariable => Amsgrad ? 3 : 2;

    /// <inheritdoc />
    protected override void CreateSlots(Variable variable)
    {
        AddSlot(variable, "momentum");
        AddSlot(variable, "velocity");
        if (Amsgrad)
        {
            AddSlot(variable, "velocity_hat");
        }
    }

    /// <inheritdoc />
    protected override void UpdateStep(ReadOnlySpan<float> gradient, Span<float> variable, float learningRate, int index, int offset) =>
        ApplyRule(Rule(learningRate), gradient, variable, index, offset);

    /// <inheritdoc />
    internal override UpdateRule? BuiltInRule(float learningRate) => Rule(learningRate);

    private UpdateRule Rule(float learningRate)
    {
        // Keras computes these in the variable dtype (float32).
        float t = Iterations + 1;
        float beta1Power = MathF.Pow((float)Beta1, t);
        float beta2Power = MathF.Pow((float)Beta2, t);
        float alpha = learningRate * MathF.Sqrt(1f - beta2Power) / (1f - beta1Power);
        return UpdateRule.Adam(learningRate, (float)(1.0 - Beta1), (float)(1.0 - Beta2), alpha, (float)Epsilon, Amsgrad);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["beta_1"] = Beta1;
        config["beta_2"] = Beta2;
        config["epsilon"] = Epsilon;
        config["amsgrad"] = Amsgrad;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its saved config (Keras <c>from_config</c>; <c>learning_rate</c> may be a schedule).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Adam FromConfig(ObjectConfig config) => new(Settings.Read(config, DefaultLearningRate, DefaultName), config);

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Adam", FromConfig, "adam");
}

/// <summary>
/// AdamW: Adam with decoupled weight decay on by default (Keras default 0.004; PyTorch's is 0.01).
/// </summary>
public sealed class AdamW : Adam
{
    private const double DefaultWeightDecay = 0.004;
    private const string DefaultWName = "adamw";

    /// <summary>Creates the optimizer.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="weightDecay"/> is null (Keras raises too).</exception>
    public AdamW(double learningRate = DefaultLearningRate, double? weightDecay = DefaultWeightDecay, double beta1 = DefaultBeta1, double beta2 = DefaultBeta2, double epsilon = DefaultEpsilon,
        bool amsgrad = DefaultAmsgrad, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultWName)
        : base(learningRate, beta1, beta2, epsilon, amsgrad, weightDecay ?? throw new ArgumentNullException(nameof(weightDecay), "AdamW needs a weightDecay."), clipNorm, clipValue, globalClipNorm, name)
    {
    }

    /// <summary>Creates the optimizer with a learning-rate schedule.</summary>
    public AdamW(LearningRateSchedule learningRate, double? weightDecay = DefaultWeightDecay, double beta1 = DefaultBeta1, double beta2 = DefaultBeta2, double epsilon = DefaultEpsilon,
        bool amsgrad = DefaultAmsgrad, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = DefaultWName)
        : base(learningRate, beta1, beta2, epsilon, amsgrad, weightDecay ?? throw new ArgumentNullException(nameof(weightDecay), "AdamW needs a weightDecay."), clipNorm, clipValue, globalClipNorm, name)
    {
    }

    private AdamW(Settings settings, ObjectConfig config)
        : base(settings, config)
    {
    }

    /// <summary>Rebuilds the optimizer from its saved config (Keras <c>from_config</c>; <c>learning_rate</c> may be a schedule).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static new AdamW FromConfig(ObjectConfig config) => new(Settings.Read(config, DefaultLearningRate, DefaultWName, DefaultWeightDecay), config);

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static new void Register() => Table.Add("AdamW", FromConfig, "adamw");
}
