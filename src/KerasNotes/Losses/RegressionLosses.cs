using KerasNotes.Serialization;

namespace KerasNotes.Losses;

/// <summary>Mean of squared errors over the last axis (Keras <c>mean_squared_error</c>, alias <c>mse</c>).</summary>
public sealed class MeanSquaredError(string reduction = Loss.DefaultReduction, string name = "mean_squared_error") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        return Ops.Mean(Ops.Square(Ops.Subtract(t, p)), axis: -1);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static MeanSquaredError FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new MeanSquaredError(reduction, name) : new MeanSquaredError(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("MeanSquaredError", FromConfig, "mean_squared_error", "mse", "MSE");
}

/// <summary>Mean of absolute errors over the last axis (Keras <c>mean_absolute_error</c>, alias <c>mae</c>).</summary>
public sealed class MeanAbsoluteError(string reduction = Loss.DefaultReduction, string name = "mean_absolute_error") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        return Ops.Mean(Ops.Abs(Ops.Subtract(p, t)), axis: -1);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static MeanAbsoluteError FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new MeanAbsoluteError(reduction, name) : new MeanAbsoluteError(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("MeanAbsoluteError", FromConfig, "mean_absolute_error", "mae", "MAE");
}

/// <summary><c>100 · mean(|y − p| / max(|y|, 1e-7))</c> over the last axis (Keras <c>mape</c>).</summary>
public sealed class MeanAbsolutePercentageError(string reduction = Loss.DefaultReduction, string name = "mean_absolute_percentage_error") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        var diff = Ops.Abs(Ops.Divide(Ops.Subtract(t, p), Ops.Maximum(Ops.Abs(t), Ops.Epsilon)));
        return Ops.Multiply(Ops.Mean(diff, axis: -1), 100f);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static MeanAbsolutePercentageError FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new MeanAbsolutePercentageError(reduction, name) : new MeanAbsolutePercentageError(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("MeanAbsolutePercentageError", FromConfig, "mean_absolute_percentage_error", "mape", "MAPE");
}

/// <summary><c>mean((log(max(p, 1e-7) + 1) − log(max(y, 1e-7) + 1))²)</c> over the last axis (Keras <c>msle</c>).</summary>
public sealed class MeanSquaredLogarithmicError(string reduction = Loss.DefaultReduction, string name = "mean_squared_logarithmic_error") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        var first = Ops.Log(Ops.Add(Ops.Maximum(p, Ops.Epsilon), 1f));
        var second = Ops.Log(Ops.Add(Ops.Maximum(t, Ops.Epsilon), 1f));
        return Ops.Mean(Ops.Square(Ops.Subtract(first, second)), axis: -1);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static MeanSquaredLogarithmicError FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new MeanSquaredLogarithmicError(reduction, name) : new MeanSquaredLogarithmicError(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("MeanSquaredLogarithmicError", FromConfig, "mean_squared_logarithmic_error", "msle", "MSLE");
}

/// <summary>
/// Huber loss over the last axis: <c>½e²</c> where <c>|e| ≤ δ</c>, else <c>δ·|e| − ½δ²</c>, with e = p − y (Keras <c>huber</c>).
/// </summary>
public sealed class Huber : Loss
{
    private const double DefaultDelta = 1.0;

    /// <summary>Creates the loss.</summary>
    /// <param name="delta">The switch point (positive; default 1).</param>
    /// <param name="reduction">The reduction.</param>
    /// <param name="name">The name.</param>
    public Huber(double delta = DefaultDelta, string reduction = DefaultReduction, string name = "huber_loss")
        : base(name, reduction)
    {
        if (!(delta > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber 'delta' must be positive.");
        }

        Delta = delta;
    }

    /// <summary>The switch point between quadratic and linear.</summary>
    public double Delta { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        float delta = (float)Delta;
        var error = Ops.Subtract(p, t);
        var absError = Ops.Abs(error);
        var quadratic = Ops.Multiply(Ops.Square(error), 0.5f);
        var linear = Ops.Subtract(Ops.Multiply(absError, delta), 0.5f * delta * delta);
        return Ops.Mean(Ops.Where(Ops.LessEqual(absError, delta), quadratic, linear), axis: -1);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["delta"] = Delta;
        return config;
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Huber FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new Huber(config.GetDouble("delta", DefaultDelta), reduction, name) : new Huber(config.GetDouble("delta", DefaultDelta), reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Huber", FromConfig, "huber", "huber_loss");
}

/// <summary>Log of the hyperbolic cosine of the error, averaged over the last axis (Keras <c>log_cosh</c>).</summary>
public sealed class LogCosh(string reduction = Loss.DefaultReduction, string name = "log_cosh") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        var e = Ops.Subtract(p, t);
        // log(cosh(e)) = e + softplus(−2e) − log 2, stable for large |e|.
        var v = Ops.Subtract(Ops.Add(e, Ops.Softplus(Ops.Multiply(e, -2f))), MathF.Log(2f));
        return Ops.Mean(v, axis: -1);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static LogCosh FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new LogCosh(reduction, name) : new LogCosh(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("LogCosh", FromConfig, "log_cosh", "logcosh");
}

/// <summary>Kullback–Leibler divergence <c>Σ y·log(y/p)</c> with both clipped to [1e-7, 1] (Keras <c>kl_divergence</c>, alias <c>kld</c>).</summary>
public sealed class KLDivergence(string reduction = Loss.DefaultReduction, string name = "kl_divergence") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        var tc = Ops.Clip(t, Ops.Epsilon, 1f);
        var pc = Ops.Clip(p, Ops.Epsilon, 1f);
        return Ops.Sum(Ops.Multiply(tc, Ops.Log(Ops.Divide(tc, pc))), axis: -1);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static KLDivergence FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new KLDivergence(reduction, name) : new KLDivergence(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("KLDivergence", FromConfig, "kl_divergence", "kld", "KLD", "kullback_leibler_divergence");
}

/// <summary>Poisson loss <c>mean(p − y·log(p + 1e-7))</c> over the last axis (Keras <c>poisson</c>).</summary>
public sealed class Poisson(string reduction = Loss.DefaultReduction, string name = "poisson") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        return Ops.Mean(Ops.Subtract(p, Ops.Multiply(t, Ops.Log(Ops.Add(p, Ops.Epsilon)))), axis: -1);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Poisson FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new Poisson(reduction, name) : new Poisson(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Poisson", FromConfig, "poisson");
}
