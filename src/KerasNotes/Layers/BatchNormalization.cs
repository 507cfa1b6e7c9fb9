using KerasNotes.Initializers;
using KerasNotes.Regularizers;
using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// Normalises its input per feature (Keras <c>keras.layers.BatchNormalization</c>).
/// </summary>
/// <remarks>
/// <para>Training mode (<c>training</c> true and the layer trainable): normalises with the batch
/// mean and the <b>biased</b> batch variance (÷N), and updates
/// <c>moving ← momentum·moving + (1 − momentum)·batch</c> with the same biased variance (Keras 3;
/// PyTorch feeds the unbiased one and counts momentum the other way round).</para>
/// <para>Inference mode (everything else, including a frozen layer during <c>Fit</c>): normalises
/// with the moving statistics and leaves them unchanged.</para>
/// <para>Weights, in Keras order: gamma (if scale), beta (if center), moving_mean, moving_variance.</para>
/// </remarks>
public sealed class BatchNormalization : Layer
{
    private const int DefaultAxis = -1;
    private const double DefaultMomentum = 0.99;
    private const double DefaultEpsilon = 1e-3;
    private const bool DefaultCenter = true;
    private const bool DefaultScale = true;
    private const double DefaultRenormMomentum = 0.99;

    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The feature axis (default the last).</param>
    /// <param name="momentum">Weight of the old value in the moving averages (default 0.99).</param>
    /// <param name="epsilon">Added to the variance inside the square root (default 1e-3).</param>
    /// <param name="center">Whether to learn an offset beta.</param>
    /// <param name="scale">Whether to learn a scale gamma.</param>
    /// <param name="betaInitializer">Default zeros.</param>
    /// <param name="gammaInitializer">Default ones.</param>
    /// <param name="movingMeanInitializer">Default zeros.</param>
    /// <param name="movingVarianceInitializer">Default ones.</param>
    /// <param name="betaRegularizer">Penalty on beta.</param>
    /// <param name="gammaRegularizer">Penalty on gamma.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">False freezes the layer and makes it run in inference mode.</param>
    public BatchNormalization(
        int axis = DefaultAxis,
        double momentum = DefaultMomentum,
        double epsilon = DefaultEpsilon,
        bool center = DefaultCenter,
        bool scale = DefaultScale,
        Initializer? betaInitializer = null,
        Initializer? gammaInitializer = null,
        Initializer? movingMeanInitializer = null,
        Initializer? movingVarianceInitializer = null,
        Regularizer? betaRegularizer = null,
        Regularizer? gammaRegularizer = null,
        string? name = null,
        bool trainable = true)
        : base(name, trainable)
    {
        HyperparameterChecks.Fraction(momentum, nameof(BatchNormalization), nameof(momentum), oneAllowed: true);
        HyperparameterChecks.Positive(epsilon, nameof(BatchNormalization), nameof(epsilon));

        Axis = axis;
        Momentum = momentum;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = betaInitializer ?? new Zeros();
        GammaInitializer = gammaInitializer ?? new Ones();
        MovingMeanInitializer = movingMeanInitializer ?? new Zeros();
        MovingVarianceInitializer = movingVarianceInitializer ?? new Ones();
        BetaRegularizer = betaRegularizer;
        GammaRegularizer = gammaRegularizer;
    }

    /// <summary>The feature axis as given.</summary>
    public int Axis { get; }

    /// <summary>The moving-average momentum.</summary>
    public double Momentum { get; }

    /// <summary>The variance epsilon.</summary>
    public double Epsilon { get; }

    /// <summary>Whether beta exists.</summary>
    public bool Center { get; }

    /// <summary>Whether gamma exists.</summary>
    public bool Scale { get; }

    /// <summary>Beta's initializer.</summary>
    public Initializer BetaInitializer { get; }

    /// <summary>Gamma's initializer.</summary>
    public Initializer GammaInitializer { get; }

    /// <summary>The moving mean's initializer.</summary>
    public Initializer MovingMeanInitializer { get; }

    /// <summary>The moving variance's initializer.</summary>
    public Initializer MovingVarianceInitializer { get; }

    /// <summary>Beta's penalty, if any.</summary>
    public Regularizer? BetaRegularizer { get; }

    /// <summary>Gamma's penalty, if any.</summary>
    public Regularizer? GammaRegularizer { get; }

    /// <summary>The learned scale; null before build or when <see cref="Scale"/> is false.</summary>
    public Variable? Gamma { get; private set; }

    /// <summary>The learned offset; null before build or when <see cref="Center"/> is false.</summary>
    public Variable? Beta { get; private set; }

    /// <summary>The moving mean; null before build.</summary>
    public Variable? MovingMean { get; private set; }

    /// <summary>The moving variance; null before build.</summary>
    public Variable? MovingVariance { get; private set; }

    private int _axis;

    /// <inheritdoc />
    public override void Build(Shape inputShape)
    {
        int axis = Axis < 0 ? Axis + inputShape.Rank : Axis;
        if (inputShape.Rank < 1 || (uint)axis >= (uint)inputShape.Rank || inputShape[axis] <= 0)
        {
            throw new ArgumentException(
                $"BatchNormalization '{Name}' with axis {Axis} cannot normalise inputs of shape {inputShape}.", nameof(inputShape));
        }

        _axis = axis;
        var paramShape = new Shape(inputShape[axis]);
        if (Scale)
        {
            Gamma = AddWeight("gamma", paramShape, GammaInitializer, GammaRegularizer);
        }

        if (Center)
        {
            Beta = AddWeight("beta", paramShape, BetaInitializer, BetaRegularizer);
        }

        MovingMean = AddWeight("moving_mean", paramShape, MovingMeanInitializer, trainable: false);
        MovingVariance = AddWeight("moving_variance", paramShape, MovingVarianceInitializer, trainable: false);
    }

    /// <inheritdoc />
    protected override void ValidateInput(Shape inputShape)
    {
        int features = MovingMean!.Shape[0];
        if (inputShape.Rank != BuildInputShape!.Value.Rank || inputShape[_axis] != features)
        {
            throw new ArgumentException(
                $"BatchNormalization '{Name}' expects inputs of rank {BuildInputShape.Value.Rank} with {features} features on axis {Axis}, got {inputShape}.", nameof(inputShape));
        }
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training)
    {
        int last = inputs.Rank - 1;
        if (_axis == last)
        {
            return Normalize(inputs, training);
        }

        // Move the feature axis last, normalise, move it back.
        var perm = new int[inputs.Rank];
        for (int i = 0, j = 0; i < perm.Length; i++)
        {
            if (i != _axis)
            {
                perm[j++] = i;
            }
        }

        perm[^1] = _axis;
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++)
        {
            inverse[perm[i]] = i;
        }

        return Ops.Transpose(Normalize(Ops.Transpose(inputs, perm), training), inverse);
    }

    private Tensor Normalize(Tensor x, bool training)
    {
        if (training && Trainable)
        {
            return Ops.BatchNormTraining(x, Gamma?.Value, Beta?.Value, MovingMean!, MovingVariance!, (float)Momentum, (float)Epsilon);
        }

        return Ops.BatchNormInference(x, Gamma?.Value, Beta?.Value, MovingMean!.Value, MovingVariance!.Value, (float)Epsilon);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        config["momentum"] = Momentum;
        config["epsilon"] = Epsilon;
        config["center"] = Center;
        config["scale"] = Scale;
        config["beta_initializer"] = BetaInitializer;
        config["gamma_initializer"] = GammaInitializer;
        config["moving_mean_initializer"] = MovingMeanInitializer;
        config["moving_variance_initializer"] = MovingVarianceInitializer;
        config["beta_regularizer"] = BetaRegularizer;
        config["gamma_regularizer"] = GammaRegularizer;
        config["beta_constraint"] = null;
        config["gamma_constraint"] = null;
        config["synchronized"] = false;
        // Keras 3.14+ (keras/src/layers/normalization/batch_normalization.py get_config): batch renormalization, off.
        config["renorm"] = false;
        config["renorm_clipping"] = null;
        config["renorm_momentum"] = DefaultRenormMomentum;
        return config;
    }

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape)
    {
        int a = Axis < 0 ? Axis + inputShape.Length : Axis;
        long size = a >= 0 && a < inputShape.Length && inputShape[a] > 0 ? inputShape[a] : 0;
        return new LayerPlan(checked(4 * size), inputShape);
    }

    /// <summary>
    /// Rebuilds the layer from its saved config (Keras <c>from_config</c>); one normalization axis, no
    /// renormalization (<c>renorm</c> false; then <c>renorm_clipping</c> and <c>renorm_momentum</c> are read and
    /// ignored, as Keras does) and no weight constraints.
    /// </summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static BatchNormalization FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.RejectConstraint("beta_constraint");
        config.RejectConstraint("gamma_constraint");
        if (config.GetBoolean("renorm"))
        {
            throw config.Fail("renorm", $"BatchNormalization '{config.Name}': renorm = true (batch renormalization) is not supported; expected false.");
        }

        // Without renorm, Keras keeps renorm_clipping and renorm_momentum but never reads them; so do we.
        if (config["renorm_clipping"] is { IsNull: false, IsObject: false } clipping)
        {
            throw clipping.Fail($"BatchNormalization '{config.Name}': renorm_clipping should be null or an object, found {clipping.Text}.");
        }

        _ = config.GetNullableDouble("renorm_momentum");

        var axisNode = config["axis"];
        int axis = DefaultAxis;
        if (axisNode.IsArray)
        {
            var items = axisNode.Items();
            axis = items.Count == 1 ? items[0].Int() : throw axisNode.Fail($"only a single normalization axis is supported, found {items.Count}.");
        }
        else if (!axisNode.IsNull)
        {
            axis = axisNode.Int();
        }

        return new BatchNormalization(
            axis,
            config.GetDouble("momentum", DefaultMomentum),
            config.GetDouble("epsilon", DefaultEpsilon),
            config.GetBoolean("center", DefaultCenter),
            config.GetBoolean("scale", DefaultScale),
            config.GetObject<Initializer>("beta_initializer"),
            config.GetObject<Initializer>("gamma_initializer"),
            config.GetObject<Initializer>("moving_mean_initializer"),
            config.GetObject<Initializer>("moving_variance_initializer"),
            config.GetObject<Regularizer>("beta_regularizer"),
            config.GetObject<Regularizer>("gamma_regularizer"),
            config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("BatchNormalization", FromConfig);
}
