using KerasNotes.Activations;
using KerasNotes.Losses;
using KerasNotes.Metrics;

namespace KerasNotes.Saving;

/// <summary>
/// The registry of user-defined pieces that should survive save and load (Keras <c>custom_objects</c> /
/// <c>register_keras_serializable</c>).
/// </summary>
/// <remarks>
/// Custom activations, losses, metrics and layers are saved by the name they are registered
/// under and found again by that name on load. Loading never creates a type that is neither
/// built in nor registered, and never evaluates anything read from a file.
/// </remarks>
public sealed class CustomObjects
{
    private static readonly Lock s_gate = new();
    private static readonly Dictionary<string, ActivationFunction> s_activations = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Func<Loss>> s_losses = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, LossFunction> s_lossFunctions = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, MetricFunction> s_metricFunctions = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Func<Metric>> s_metrics = new(StringComparer.Ordinal);

    /// <summary>Registers a custom activation under <paramref name="name"/> so layers can use it by name.</summary>
    /// <exception cref="ArgumentException">The name is empty or already names a built-in activation.</exception>
    public static void RegisterActivation(string name, ActivationFunction activation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(activation);
        lock (s_gate)
        {
            if (ActivationFunctions.Names.Contains(name))
            {
                throw new ArgumentException($"'{name}' is a built-in activation and cannot be re-registered.", nameof(name));
            }

            s_activations[name] = activation;
        }
    }

    /// <summary>Registers a loss function under <paramref name="name"/>; a model compiled with it saves that name.</summary>
    public static void RegisterLoss(string name, LossFunction loss)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(loss);
        lock (s_gate)
        {
            s_losses[name] = () => new LossFunctionWrapper(loss, name);
            s_lossFunctions[name] = loss;
        }
    }

    internal static string? NameOfLossFunction(LossFunction function)
    {
        lock (s_gate)
        {
            foreach (var (name, fn) in s_lossFunctions)
            {
                if (fn == function)
                {
                    return name;
                }
            }
        }

        return null;
    }

    /// <summary>Registers a factory for a custom <see cref="Loss"/> subclass under <paramref name="name"/>.</summary>
    public static void RegisterLoss(string name, Func<Loss> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (s_gate)
        {
            s_losses[name] = factory;
        }
    }

    /// <summary>Registers a metric function under <paramref name="name"/> (its per-sample values are averaged).</summary>
    public static void RegisterMetric(string name, MetricFunction metric)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(metric);
        lock (s_gate)
        {
            s_metrics[name] = () => new MeanMetricWrapper(metric, name);
            s_metricFunctions[name] = metric;
        }
    }

    internal static string? NameOfMetricFunction(MetricFunction function)
    {
        lock (s_gate)
        {
            foreach (var (name, fn) in s_metricFunctions)
            {
                if (fn == function)
                {
                    return name;
                }
            }
        }

        return null;
    }

    /// <summary>Registers a factory for a custom <see cref="Metric"/> subclass under <paramref name="name"/>.</summary>
    public static void RegisterMetric(string name, Func<Metric> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (s_gate)
        {
            s_metrics[name] = factory;
        }
    }

    internal static bool TryGetLoss(string name, out Loss loss)
    {
        Func<Loss>? factory;
        lock (s_gate)
        {
            s_losses.TryGetValue(name, out factory);
        }

        loss = factory?.Invoke()!;
        return factory is not null;
    }

    internal static bool TryGetMetric(string name, out Metric metric)
    {
        Func<Metric>? factory;
        lock (s_gate)
        {
            s_metrics.TryGetValue(name, out factory);
        }

        metric = factory?.Invoke()!;
        return factory is not null;
    }

    internal static bool TryGetActivation(string name, out ActivationFunction activation)
    {
        lock (s_gate)
        {
            return s_activations.TryGetValue(name, out activation!);
        }
    }

    internal static string? NameOfActivation(ActivationFunction activation)
    {
        lock (s_gate)
        {
            foreach (var (name, fn) in s_activations)
            {
                if (fn == activation)
                {
                    return name;
                }
            }
        }

        return null;
    }
}
