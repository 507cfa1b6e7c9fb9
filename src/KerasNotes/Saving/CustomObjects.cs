using KerasNotes.Activations;
using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Metrics;

namespace KerasNotes.Saving;

/// <summary>
/// The registry of user-defined pieces that should survive save and load (Keras <c>custom_objects</c> /
/// <c>register_keras_serializable</c>).
/// </summary>
/// <remarks>
/// <para>Custom activations, losses, metrics and layers are saved by the name they are registered
/// under and found again by that name on load. Loading never creates a type that is neither
/// built in nor registered, and never evaluates anything read from a file.</para>
/// <para>Two ways to register, as in Keras: the static <c>Register*</c> methods register for the whole
/// process (Keras <c>register_keras_serializable</c>); an instance filled with the <c>Add*</c> methods is
/// passed to one <see cref="Models.Model.Load"/> call (Keras <c>custom_objects=</c>) and wins over the
/// static registrations for that call.</para>
/// <example><code>
/// CustomObjects.RegisterLoss("weighted_mse", WeightedMse(2f));                     // for every load
/// var custom = new CustomObjects()
///     .AddLayer("ActivityPenalty", config => new ActivityPenalty(config.GetSingle("rate")))
///     .AddActivation("swish2", x => x * Ops.Sigmoid(2f * x));
/// var model = Model.Load("model.keras", custom);                                    // for this load
/// </code></example>
/// </remarks>
public sealed class CustomObjects
{
    private static readonly Lock s_gate = new();
    private static readonly CustomObjects s_global = new();
    private static readonly AsyncLocal<CustomObjects?> s_scope = new();

    private readonly Dictionary<string, ActivationFunction> _activations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<Loss>> _losses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LossFunction> _lossFunctions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MetricFunction> _metricFunctions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<Metric>> _metrics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<LayerConfig, Layer>> _layers = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _layerNames = [];

    /// <summary>The names registered in this instance, for messages.</summary>
    internal IEnumerable<string> LayerNames => _layers.Keys;

    // ----- per-call registrations (Keras custom_objects) -----

    /// <summary>Adds a custom activation usable by name in the loaded layers.</summary>
    /// <param name="name">The name the file uses (e.g. in a Dense layer's <c>activation</c>).</param>
    /// <param name="activation">The function.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or names a built-in activation.</exception>
    public CustomObjects AddActivation(string name, ActivationFunction activation)
    {
        CheckActivation(name, activation);
        _activations[name] = activation;
        return this;
    }

    /// <summary>Adds a loss function under <paramref name="name"/> (the name a model compiled with it saved).</summary>
    /// <returns>This instance, for chaining.</returns>
    public CustomObjects AddLoss(string name, LossFunction loss)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(loss);
        _losses[name] = () => new LossFunctionWrapper(loss, name);
        _lossFunctions[name] = loss;
        return this;
    }

    /// <summary>Adds a factory for a custom <see cref="Loss"/> subclass saved under <paramref name="name"/>.</summary>
    /// <returns>This instance, for chaining.</returns>
    public CustomObjects AddLoss(string name, Func<Loss> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        _losses[name] = factory;
        return this;
    }

    /// <summary>Adds a metric function under <paramref name="name"/> (its per-sample values are averaged).</summary>
    /// <returns>This instance, for chaining.</returns>
    public CustomObjects AddMetric(string name, MetricFunction metric)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(metric);
        _metrics[name] = () => new MeanMetricWrapper(metric, name);
        _metricFunctions[name] = metric;
        return this;
    }

    /// <summary>Adds a factory for a custom <see cref="Metric"/> subclass saved under <paramref name="name"/>.</summary>
    /// <returns>This instance, for chaining.</returns>
    public CustomObjects AddMetric(string name, Func<Metric> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        _metrics[name] = factory;
        return this;
    }

    /// <summary>
    /// Adds a custom layer class: layers of type <typeparamref name="TLayer"/> are saved with class name
    /// <paramref name="name"/>, and a file entry with that class name is rebuilt by <paramref name="factory"/>
    /// from its saved configuration (whatever the layer's <see cref="Layer.GetConfig"/> wrote).
    /// </summary>
    /// <typeparam name="TLayer">The layer type.</typeparam>
    /// <param name="name">The Keras class name (e.g. <c>"ActivityPenalty"</c>, or <c>"package&gt;ActivityPenalty"</c>).</param>
    /// <param name="factory">Creates the layer from its saved configuration; the name, trainable flag and
    /// build shape are applied by the loader afterwards.</param>
    /// <returns>This instance, for chaining.</returns>
    public CustomObjects AddLayer<TLayer>(string name, Func<LayerConfig, TLayer> factory)
        where TLayer : Layer
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        _layers[name] = config => factory(config);
        _layerNames[typeof(TLayer)] = name;
        return this;
    }

    // ----- process-wide registrations (Keras register_keras_serializable) -----

    /// <summary>Registers a custom activation under <paramref name="name"/> so layers can use it by name.</summary>
    /// <exception cref="ArgumentException">The name is empty or already names a built-in activation.</exception>
    public static void RegisterActivation(string name, ActivationFunction activation)
    {
        CheckActivation(name, activation);
        lock (s_gate)
        {
            s_global._activations[name] = activation;
        }
    }

    /// <summary>Registers a loss function under <paramref name="name"/>; a model compiled with it saves that name.</summary>
    public static void RegisterLoss(string name, LossFunction loss)
    {
        lock (s_gate)
        {
            s_global.AddLoss(name, loss);
        }
    }

    /// <summary>Registers a factory for a custom <see cref="Loss"/> subclass under <paramref name="name"/>.</summary>
    public static void RegisterLoss(string name, Func<Loss> factory)
    {
        lock (s_gate)
        {
            s_global.AddLoss(name, factory);
        }
    }

    /// <summary>Registers a metric function under <paramref name="name"/> (its per-sample values are averaged).</summary>
    public static void RegisterMetric(string name, MetricFunction metric)
    {
        lock (s_gate)
        {
            s_global.AddMetric(name, metric);
        }
    }

    /// <summary>Registers a factory for a custom <see cref="Metric"/> subclass under <paramref name="name"/>.</summary>
    public static void RegisterMetric(string name, Func<Metric> factory)
    {
        lock (s_gate)
        {
            s_global.AddMetric(name, factory);
        }
    }

    /// <summary>
    /// Registers a custom layer class for the whole process: see <see cref="AddLayer{TLayer}"/>.
    /// </summary>
    /// <typeparam name="TLayer">The layer type.</typeparam>
    /// <param name="name">The Keras class name the layer is saved under.</param>
    /// <param name="factory">Creates the layer from its saved configuration.</param>
    public static void RegisterLayer<TLayer>(string name, Func<LayerConfig, TLayer> factory)
        where TLayer : Layer
    {
        lock (s_gate)
        {
            s_global.AddLayer(name, factory);
        }
    }

    private static void CheckActivation(string name, ActivationFunction activation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(activation);
        if (ActivationFunctions.Names.Contains(name))
        {
            throw new ArgumentException($"'{name}' is a built-in activation and cannot be re-registered.", nameof(name));
        }
    }

    // ----- lookups: the per-call scope first, then the process-wide registrations -----

    /// <summary>Makes <paramref name="objects"/> visible to the lookups below until the returned scope is disposed.</summary>
    internal static Scope Enter(CustomObjects? objects)
    {
        var previous = s_scope.Value;
        s_scope.Value = objects;
        return new Scope(previous);
    }

    internal readonly struct Scope(CustomObjects? previous) : IDisposable
    {
        public void Dispose() => s_scope.Value = previous;
    }

    private static bool Find<T>(Func<CustomObjects, Dictionary<string, T>> select, string name, out T value)
    {
        var scoped = s_scope.Value;
        if (scoped is not null && select(scoped).TryGetValue(name, out value!))
        {
            return true;
        }

        lock (s_gate)
        {
            return select(s_global).TryGetValue(name, out value!);
        }
    }

    private static string? FindName<T>(Func<CustomObjects, Dictionary<string, T>> select, T target)
        where T : class
    {
        var scoped = s_scope.Value;
        if (scoped is not null)
        {
            foreach (var (name, fn) in select(scoped))
            {
                if (Equals(fn, target))
                {
                    return name;
                }
            }
        }

        lock (s_gate)
        {
            foreach (var (name, fn) in select(s_global))
            {
                if (Equals(fn, target))
                {
                    return name;
                }
            }
        }

        return null;
    }

    internal static string? NameOfLossFunction(LossFunction function) => FindName(c => c._lossFunctions, function);

    internal static string? NameOfMetricFunction(MetricFunction function) => FindName(c => c._metricFunctions, function);

    internal static string? NameOfActivation(ActivationFunction activation) => FindName(c => c._activations, activation);

    internal static bool TryGetLoss(string name, out Loss loss)
    {
        bool found = Find(c => c._losses, name, out var factory);
        loss = found ? factory() : null!;
        return found;
    }

    internal static bool TryGetLossFunction(string name, out LossFunction function) => Find(c => c._lossFunctions, name, out function);

    internal static bool TryGetMetricFunction(string name, out MetricFunction function) => Find(c => c._metricFunctions, name, out function);

    internal static bool IsRegisteredLoss(string name) => Find(c => c._losses, name, out _);

    internal static bool IsRegisteredMetric(string name) => Find(c => c._metrics, name, out _);

    internal static bool TryGetMetric(string name, out Metric metric)
    {
        bool found = Find(c => c._metrics, name, out var factory);
        metric = found ? factory() : null!;
        return found;
    }

    internal static bool TryGetActivation(string name, out ActivationFunction activation) => Find(c => c._activations, name, out activation);

    internal static bool TryGetLayer(string name, out Func<LayerConfig, Layer> factory) => Find(c => c._layers, name, out factory);

    /// <summary>The name a custom layer type is registered under, or null.</summary>
    internal static string? NameOfLayerType(Type type)
    {
        var scoped = s_scope.Value;
        if (scoped is not null && scoped._layerNames.TryGetValue(type, out var name))
        {
            return name;
        }

        lock (s_gate)
        {
            return s_global._layerNames.GetValueOrDefault(type);
        }
    }
}
