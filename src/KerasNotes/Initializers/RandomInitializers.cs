using KerasNotes.Serialization;

using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace KerasNotes.Initializers;

/// <summary>Normal distribution N(mean, stddev²) (Keras <c>RandomNormal(mean=0.0, stddev=0.05)</c>).</summary>
public sealed class RandomNormal(double mean = RandomNormal.DefaultMean, double stddev = RandomNormal.DefaultStddev, int? seed = null) : Initializer
{
    /// <summary>The mean.</summary>
    public double MeanValue { get; } = HyperparameterChecks.Finite(mean, nameof(RandomNormal), nameof(mean));

    /// <summary>The standard deviation.</summary>
    public double Stddev { get; } = HyperparameterChecks.NonNegative(stddev, nameof(RandomNormal), nameof(stddev));

    /// <summary>The seed, or null to draw from the global seed.</summary>
    public int? Seed { get; } = seed;

    /// <inheritdoc />
    public override void Fill(Span<float> destination, Shape shape)
    {
        var rng = GeneratorFor(Seed);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)Normal.Sample(rng, MeanValue, Stddev);
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["seed"] = Seed, ["mean"] = MeanValue, ["stddev"] = Stddev };

    private const double DefaultMean = 0.0;
    private const double DefaultStddev = 0.05;

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static RandomNormal FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new RandomNormal(config.GetDouble("mean", DefaultMean), config.GetDouble("stddev", DefaultStddev), config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("RandomNormal", FromConfig, "random_normal", "normal");
}

/// <summary>Uniform distribution on [minval, maxval) (Keras <c>RandomUniform(minval=-0.05, maxval=0.05)</c>).</summary>
public sealed class RandomUniform(double minval = RandomUniform.DefaultMinval, double maxval = RandomUniform.DefaultMaxval, int? seed = null) : Initializer
{
    /// <summary>The lower bound.</summary>
    public double Minval { get; } = HyperparameterChecks.Finite(minval, nameof(RandomUniform), nameof(minval));

    /// <summary>The upper bound.</summary>
    public double Maxval { get; } = HyperparameterChecks.Range(minval, maxval, nameof(RandomUniform), nameof(minval), nameof(maxval));

    /// <summary>The seed, or null to draw from the global seed.</summary>
    public int? Seed { get; } = seed;

    /// <inheritdoc />
    public override void Fill(Span<float> destination, Shape shape)
    {
        var rng = GeneratorFor(Seed);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)ContinuousUniform.Sample(rng, Minval, Maxval);
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["seed"] = Seed, ["minval"] = Minval, ["maxval"] = Maxval };

    private const double DefaultMinval = -0.05;
    private const double DefaultMaxval = 0.05;

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static RandomUniform FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new RandomUniform(config.GetDouble("minval", DefaultMinval), config.GetDouble("maxval", DefaultMaxval), config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("RandomUniform", FromConfig, "random_uniform", "uniform");
}

/// <summary>
/// Normal distribution truncated at ±2·stddev by redrawing out-of-range values, with no rescaling
/// (Keras <c>TruncatedNormal(mean=0.0, stddev=0.05)</c>).
/// </summary>
public sealed class TruncatedNormal(double mean = TruncatedNormal.DefaultMean, double stddev = TruncatedNormal.DefaultStddev, int? seed = null) : Initializer
{
    /// <summary>The mean.</summary>
    public double MeanValue { get; } = HyperparameterChecks.Finite(mean, nameof(TruncatedNormal), nameof(mean));

    /// <summary>The standard deviation before truncation.</summary>
    public double Stddev { get; } = HyperparameterChecks.NonNegative(stddev, nameof(TruncatedNormal), nameof(stddev));

    /// <summary>The seed, or null to draw from the global seed.</summary>
    public int? Seed { get; } = seed;

    /// <inheritdoc />
    public override void Fill(Span<float> destination, Shape shape) =>
        FillTruncated(destination, GeneratorFor(Seed), MeanValue, Stddev);

    internal static void FillTruncated(Span<float> destination, System.Random rng, double mean, double stddev)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            double v;
            do
            {
                v = Normal.Sample(rng, 0.0, 1.0);
            }
            while (v < -2.0 || v > 2.0);

            destination[i] = (float)(mean + (stddev * v));
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["seed"] = Seed, ["mean"] = MeanValue, ["stddev"] = Stddev };

    private const double DefaultMean = 0.0;
    private const double DefaultStddev = 0.05;

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static TruncatedNormal FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new TruncatedNormal(config.GetDouble("mean", DefaultMean), config.GetDouble("stddev", DefaultStddev), config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("TruncatedNormal", FromConfig, "truncated_normal");
}

/// <summary>
/// Scales its distribution to the weight's fans (Keras <c>VarianceScaling</c>): with
/// <c>s = scale / max(1, n)</c> (n = fan_in, fan_out or their mean), a uniform draw on ±sqrt(3s),
/// a truncated normal with σ = sqrt(s)/0.8796…, or a plain normal with σ = sqrt(s).
/// </summary>
public class VarianceScaling : Initializer
{
    // Standard deviation of a unit normal truncated to [-2, 2]; Keras divides by it so the variance is s.
    private const double TruncatedStd = 0.87962566103423978;

    /// <summary>Creates the initializer.</summary>
    /// <param name="scale">Positive scaling factor.</param>
    /// <param name="mode"><c>"fan_in"</c>, <c>"fan_out"</c> or <c>"fan_avg"</c>.</param>
    /// <param name="distribution"><c>"truncated_normal"</c> (alias <c>"normal"</c>), <c>"untruncated_normal"</c> or <c>"uniform"</c>.</param>
    /// <param name="seed">The seed, or null to draw from the global seed.</param>
    /// <exception cref="ArgumentException">An argument is outside the values Keras accepts.</exception>
    public VarianceScaling(double scale = DefaultScale, string mode = DefaultMode, string distribution = DefaultDistribution, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(distribution);
        HyperparameterChecks.Positive(scale, nameof(VarianceScaling), nameof(scale));

        if (mode is not ("fan_in" or "fan_out" or "fan_avg"))
        {
            throw new ArgumentException($"VarianceScaling 'mode' is \"{mode}\"; expected \"fan_in\", \"fan_out\" or \"fan_avg\".", nameof(mode));
        }

        if (distribution == "normal")
        {
            distribution = "truncated_normal";
        }

        if (distribution is not ("truncated_normal" or "untruncated_normal" or "uniform"))
        {
            throw new ArgumentException(
                $"VarianceScaling 'distribution' is \"{distribution}\"; expected \"truncated_normal\", \"untruncated_normal\" or \"uniform\".", nameof(distribution));
        }

        Scale = scale;
        Mode = mode;
        Distribution = distribution;
        Seed = seed;
    }

    /// <summary>The scaling factor.</summary>
    public double Scale { get; }

    /// <summary>The fan mode.</summary>
    public string Mode { get; }

    /// <summary>The distribution.</summary>
    public string Distribution { get; }

    /// <summary>The seed, or null to draw from the global seed.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override void Fill(Span<float> destination, Shape shape)
    {
        var (fanIn, fanOut) = ComputeFans(shape);
        double n = Mode switch
        {
            "fan_in" => fanIn,
            "fan_out" => fanOut,
            _ => (fanIn + fanOut) / 2.0,
        };
        double s = Scale / Math.Max(1.0, n);
        var rng = GeneratorFor(Seed);
        switch (Distribution)
        {
            case "uniform":
                double limit = Math.Sqrt(3.0 * s);
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)ContinuousUniform.Sample(rng, -limit, limit);
                }

                break;
            case "untruncated_normal":
                double sd = Math.Sqrt(s);
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)Normal.Sample(rng, 0.0, sd);
                }

                break;
            default:
                TruncatedNormal.FillTruncated(destination, rng, 0.0, Math.Sqrt(s) / TruncatedStd);
                break;
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["seed"] = Seed,
        ["scale"] = Scale,
        ["mode"] = Mode,
        ["distribution"] = Distribution,
        ["input_axes"] = null,
        ["output_axes"] = null,
    };

    private const double DefaultScale = 1.0;
    private const string DefaultMode = "fan_in";
    private const string DefaultDistribution = "truncated_normal";

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static VarianceScaling FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RejectFanAxes(config, nameof(VarianceScaling));
        return new VarianceScaling(config.GetDouble("scale", DefaultScale), config.GetString("mode", DefaultMode)!, config.GetString("distribution", DefaultDistribution)!, config.GetNullableInt32("seed"));
    }

    /// <summary>The config Keras 3.15 writes for the Glorot, He and LeCun initializers: the seed and null fan axes.</summary>
    private protected static Dictionary<string, object?> FanAxesConfig(int? seed) => new()
    {
        ["seed"] = seed,
        ["input_axes"] = null,
        ["output_axes"] = null,
    };

    /// <summary>
    /// Refuses explicit fan axes (Keras 3.15 <c>input_axes</c> / <c>output_axes</c>): KerasNotes computes the fans
    /// from the weight's shape, which is what Keras does when they are null.
    /// </summary>
    private protected static void RejectFanAxes(ObjectConfig config, string owner)
    {
        config.RejectUnlessNull("input_axes", owner, "explicit fan-in axes");
        config.RejectUnlessNull("output_axes", owner, "explicit fan-out axes");
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("VarianceScaling", FromConfig, "variance_scaling");
}

/// <summary>Glorot (Xavier) uniform: U(±sqrt(6 / (fan_in + fan_out))). The Dense kernel default.</summary>
public sealed class GlorotUniform(int? seed = null) : VarianceScaling(1.0, "fan_avg", "uniform", seed)
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => FanAxesConfig(Seed);

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static new GlorotUniform FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RejectFanAxes(config, nameof(GlorotUniform));
        return new GlorotUniform(config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static new void Register() => Table.Add("GlorotUniform", FromConfig, "glorot_uniform");
}

/// <summary>Glorot (Xavier) normal: truncated normal with σ = sqrt(2 / (fan_in + fan_out)) / 0.8796….</summary>
public sealed class GlorotNormal(int? seed = null) : VarianceScaling(1.0, "fan_avg", "truncated_normal", seed)
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => FanAxesConfig(Seed);

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static new GlorotNormal FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RejectFanAxes(config, nameof(GlorotNormal));
        return new GlorotNormal(config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static new void Register() => Table.Add("GlorotNormal", FromConfig, "glorot_normal");
}

/// <summary>He uniform: U(±sqrt(6 / fan_in)).</summary>
public sealed class HeUniform(int? seed = null) : VarianceScaling(2.0, "fan_in", "uniform", seed)
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => FanAxesConfig(Seed);

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static new HeUniform FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RejectFanAxes(config, nameof(HeUniform));
        return new HeUniform(config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static new void Register() => Table.Add("HeUniform", FromConfig, "he_uniform");
}

/// <summary>He normal: truncated normal with σ = sqrt(2 / fan_in) / 0.8796… (Keras truncates; PyTorch does not).</summary>
public sealed class HeNormal(int? seed = null) : VarianceScaling(2.0, "fan_in", "truncated_normal", seed)
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => FanAxesConfig(Seed);

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static new HeNormal FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RejectFanAxes(config, nameof(HeNormal));
        return new HeNormal(config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static new void Register() => Table.Add("HeNormal", FromConfig, "he_normal");
}

/// <summary>LeCun uniform: U(±sqrt(3 / fan_in)).</summary>
public sealed class LecunUniform(int? seed = null) : VarianceScaling(1.0, "fan_in", "uniform", seed)
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => FanAxesConfig(Seed);

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static new LecunUniform FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RejectFanAxes(config, nameof(LecunUniform));
        return new LecunUniform(config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static new void Register() => Table.Add("LecunUniform", FromConfig, "lecun_uniform");
}

/// <summary>LeCun normal: truncated normal with σ = sqrt(1 / fan_in) / 0.8796….</summary>
public sealed class LecunNormal(int? seed = null) : VarianceScaling(1.0, "fan_in", "truncated_normal", seed)
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => FanAxesConfig(Seed);

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static new LecunNormal FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RejectFanAxes(config, nameof(LecunNormal));
        return new LecunNormal(config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static new void Register() => Table.Add("LecunNormal", FromConfig, "lecun_normal");
}

/// <summary>A random orthogonal matrix times <see cref="Gain"/> (Keras <c>Orthogonal(gain=1.0)</c>), from the QR decomposition of a normal draw.</summary>
public sealed class Orthogonal(double gain = Orthogonal.DefaultGain, int? seed = null) : Initializer
{
    /// <summary>The multiplicative factor.</summary>
    public double Gain { get; } = HyperparameterChecks.Finite(gain, nameof(Orthogonal), nameof(gain));

    /// <summary>The seed, or null to draw from the global seed.</summary>
    public int? Seed { get; } = seed;

    /// <inheritdoc />
    public override void Fill(Span<float> destination, Shape shape)
    {
        if (shape.Rank < 2)
        {
            throw new ArgumentException($"Orthogonal initializer needs a shape of rank 2 or more; got {shape}.", nameof(shape));
        }

        int cols = shape[-1];
        int rows = shape.Size / cols;
        var rng = GeneratorFor(Seed);
        int big = Math.Max(rows, cols), small = Math.Min(rows, cols);
        var a = Matrix<double>.Build.Dense(big, small, (_, _) => Normal.Sample(rng, 0.0, 1.0));
        var qr = a.QR();
        var q = qr.Q.SubMatrix(0, big, 0, small);
        // Make the decomposition unique (as Keras does): multiply columns by the sign of R's diagonal.
        for (int j = 0; j < small; j++)
        {
            if (qr.R[j, j] < 0)
            {
                q.SetColumn(j, q.Column(j).Negate());
            }
        }

        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double v = rows >= cols ? q[i, j] : q[j, i];
                destination[(i * cols) + j] = (float)(Gain * v);
            }
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?> { ["seed"] = Seed, ["gain"] = Gain };

    private const double DefaultGain = 1.0;

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static Orthogonal FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Orthogonal(config.GetDouble("gain", DefaultGain), config.GetNullableInt32("seed"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Orthogonal", FromConfig, "orthogonal");
}
