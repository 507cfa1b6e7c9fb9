using KerasNotes.Activations;
using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Metrics;
using KerasNotes.Serialization;

namespace KerasNotes.Saving;

/// <summary>
/// The registry of user-defined pieces that should survive save and load (Keras <c>custom_objects</c> /
/// <c>register_keras_serializable</c>).
/// </summary>
/// <remarks>
/// <para>Custom activations, losses, metrics and layers are saved by the name they are registered
/// under and found again by that name on load. Loading never creates a type that is neither
/// built in nor registered, and never evaluates anything read from a file.</para>
/// <para>Registrations go into the same per-concept tables that hold the built-ins (the ones behind
/// <c>Loss.Get</c>, <c>Metric.Get</c>, <c>ActivationFunctions.Get</c> and loading); built-in names win.</para>
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
    private readonly CustomEntries<ActivationFunction> _activations = ActivationFunctions.Table.NewEntries();
    private readonly CustomEntries<Loss> _losses = Loss.Table.NewEntries();
    private readonly CustomEntries<Metric> _metrics = Metric.Table.NewEntries();
    private readonly CustomEntries<Layer> _layers = Layer.Table.NewEntries();

    // ----- per-call registrations (Keras custom_objects) -----

    /// <summary>Adds a custom activation usable by name in the loaded layers.</summary>
    /// <param name="name">The name the file uses (e.g. in a Dense layer's <c>activation</c>).</param>
    /// <param name="activation">The function.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or names a built-in activation.</exception>
    public CustomObjects AddActivation(string name, ActivationFunction activation)
    {
        CheckActivation(name, activation);
        _activations.Add(name, _ => activation, activation);
        return this;
    }

    /// <summary>Adds a loss function under <paramref name="name"/> (the name a model compiled with it saved).</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or names a built-in loss.</exception>
    public CustomObjects AddLoss(string name, LossFunction loss)
    {
        var (key, factory) = LossEntry(name, loss);
        _losses.Add(key, factory, loss);
        return this;
    }

    /// <summary>Adds a factory for a custom <see cref="Loss"/> subclass saved under <paramref name="name"/>.</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or names a built-in loss.</exception>
    public CustomObjects AddLoss(string name, Func<Loss> factory)
    {
        _losses.Add(name, Checked(Loss.Table, name, factory), null);
        return this;
    }

    /// <summary>
    /// Adds a custom <see cref="Loss"/> subclass saved under <paramref name="name"/>, rebuilt from the settings its
    /// <see cref="Loss.GetConfig"/> wrote (Keras's <c>from_config</c>): e.g. a label-smoothing loss gets its saved
    /// smoothing back.
    /// </summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or names a built-in loss.</exception>
    public CustomObjects AddLoss(string name, Func<ObjectConfig, Loss> fromConfig)
    {
        _losses.Add(name, Checked(Loss.Table, name, fromConfig), null);
        return this;
    }

    /// <summary>Adds a metric function under <paramref name="name"/> (its per-sample values are averaged).</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or names a built-in metric.</exception>
    public CustomObjects AddMetric(string name, MetricFunction metric)
    {
        var (key, factory) = MetricEntry(name, metric);
        _metrics.Add(key, factory, metric);
        return this;
    }

    /// <summary>Adds a factory for a custom <see cref="Metric"/> subclass saved under <paramref name="name"/>.</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or names a built-in metric.</exception>
    public CustomObjects AddMetric(string name, Func<Metric> factory)
    {
        _metrics.Add(name, Checked(Metric.Table, name, factory), null);
        return this;
    }

    /// <summary>
    /// Adds a custom <see cref="Metric"/> subclass saved under <paramref name="name"/>, rebuilt from the settings its
    /// <see cref="Metric.GetConfig"/> wrote.
    /// </summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or names a built-in metric.</exception>
    public CustomObjects AddMetric(string name, Func<ObjectConfig, Metric> fromConfig)
    {
        _metrics.Add(name, Checked(Metric.Table, name, fromConfig), null);
        return this;
    }

    /// <summary>
    /// Adds a custom layer class: layers of type <typeparamref name="TLayer"/> are saved with class name
    /// <paramref name="name"/>, and a file entry with that class name is rebuilt by <paramref name="factory"/>
    /// from its saved configuration (whatever the layer's <see cref="Layer.GetConfig"/> wrote).
    /// </summary>
    /// <typeparam name="TLayer">The layer type.</typeparam>
    /// <param name="name">The Keras class name (e.g. <c>"ActivityPenalty"</c>, or <c>"package&gt;ActivityPenalty"</c>).</param>
    /// <param name="factory">Creates the layer from its saved configuration (a static <c>FromConfig</c> fits); the
    /// name, trainable flag and build shape are applied by the loader afterwards.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or is a built-in layer's class name.</exception>
    public CustomObjects AddLayer<TLayer>(string name, Func<ObjectConfig, TLayer> factory)
        where TLayer : Layer
    {
        _layers.Add(name, LayerFactory(name, factory), typeof(TLayer));
        return this;
    }

    // ----- process-wide registrations (Keras register_keras_serializable) -----

    /// <summary>Registers a custom activation under <paramref name="name"/> so layers can use it by name.</summary>
    /// <exception cref="ArgumentException">The name is empty or already names a built-in activation.</exception>
    public static void RegisterActivation(string name, ActivationFunction activation)
    {
        CheckActivation(name, activation);
        ActivationFunctions.Table.RegisterGlobal(name, _ => activation, activation);
    }

    /// <summary>Registers a loss function under <paramref name="name"/>; a model compiled with it saves that name.</summary>
    /// <exception cref="ArgumentException">The name is empty or names a built-in loss.</exception>
    public static void RegisterLoss(string name, LossFunction loss)
    {
        var (key, factory) = LossEntry(name, loss);
        Loss.Table.RegisterGlobal(key, factory, loss);
    }

    /// <summary>Registers a factory for a custom <see cref="Loss"/> subclass under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or names a built-in loss.</exception>
    public static void RegisterLoss(string name, Func<Loss> factory) => Loss.Table.RegisterGlobal(name, Checked(Loss.Table, name, factory));

    /// <summary>Registers a custom <see cref="Loss"/> subclass rebuilt from its saved settings (see <see cref="AddLoss(string, Func{ObjectConfig, Loss})"/>).</summary>
    /// <exception cref="ArgumentException">The name is empty or names a built-in loss.</exception>
    public static void RegisterLoss(string name, Func<ObjectConfig, Loss> fromConfig) => Loss.Table.RegisterGlobal(name, Checked(Loss.Table, name, fromConfig));

    /// <summary>Registers a metric function under <paramref name="name"/> (its per-sample values are averaged).</summary>
    /// <exception cref="ArgumentException">The name is empty or names a built-in metric.</exception>
    public static void RegisterMetric(string name, MetricFunction metric)
    {
        var (key, factory) = MetricEntry(name, metric);
        Metric.Table.RegisterGlobal(key, factory, metric);
    }

    /// <summary>Registers a factory for a custom <see cref="Metric"/> subclass under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or names a built-in metric.</exception>
    public static void RegisterMetric(string name, Func<Metric> factory) => Metric.Table.RegisterGlobal(name, Checked(Metric.Table, name, factory));

    /// <summary>Registers a custom <see cref="Metric"/> subclass rebuilt from its saved settings (see <see cref="AddMetric(string, Func{ObjectConfig, Metric})"/>).</summary>
    /// <exception cref="ArgumentException">The name is empty or names a built-in metric.</exception>
    public static void RegisterMetric(string name, Func<ObjectConfig, Metric> fromConfig) => Metric.Table.RegisterGlobal(name, Checked(Metric.Table, name, fromConfig));

    /// <summary>
    /// Registers a custom layer class for the whole process: see <see cref="AddLayer{TLayer}"/>.
    /// </summary>
    /// <typeparam name="TLayer">The layer type.</typeparam>
    /// <param name="name">The Keras class name the layer is saved under.</param>
    /// <param name="factory">Creates the layer from its saved configuration.</param>
    /// <exception cref="ArgumentException">The name is empty or is a built-in layer's class name.</exception>
    public static void RegisterLayer<TLayer>(string name, Func<ObjectConfig, TLayer> factory)
        where TLayer : Layer => Layer.Table.RegisterGlobal(name, LayerFactory(name, factory), typeof(TLayer));

    private static void CheckActivation(string name, ActivationFunction activation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(activation);
        if (ActivationFunctions.Names.Contains(name))
        {
            throw new ArgumentException($"'{name}' is a built-in activation and cannot be re-registered.", nameof(name));
        }
    }

    /// <summary>
    /// Refuses a name a built-in already has: a built-in name always wins (in <c>Get</c>, in <c>Compile</c> and in
    /// loading), so a registration under it would be ignored by some paths and honoured by none — or, before this
    /// check, honoured by loading only, which gave a loaded model another loss than the one it was saved with.
    /// </summary>
    private static void CheckNotBuiltIn<T>(Registry<T> table, string name)
        where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (table.IsBuiltIn(name))
        {
            throw new ArgumentException($"'{name}' is a built-in {table.Concept} and cannot be re-registered; choose another name.", nameof(name));
        }
    }

    private static (string Name, Func<ObjectConfig, Loss> Factory) LossEntry(string name, LossFunction loss)
    {
        CheckNotBuiltIn(Loss.Table, name);
        ArgumentNullException.ThrowIfNull(loss);
        return (name, _ => new LossFunctionWrapper(loss, name));
    }

    private static (string Name, Func<ObjectConfig, Metric> Factory) MetricEntry(string name, MetricFunction metric)
    {
        CheckNotBuiltIn(Metric.Table, name);
        ArgumentNullException.ThrowIfNull(metric);
        return (name, _ => new MeanMetricWrapper(metric, name));
    }

    private static Func<ObjectConfig, T> Checked<T>(Registry<T> table, string name, Func<T> factory)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Checked(table, name, _ => factory());
    }

    private static Func<ObjectConfig, T> Checked<T>(Registry<T> table, string name, Func<ObjectConfig, T> fromConfig)
        where T : class
    {
        CheckNotBuiltIn(table, name);
        ArgumentNullException.ThrowIfNull(fromConfig);
        return config => fromConfig(config) ?? throw new InvalidOperationException($"the factory registered for '{name}' returned null.");
    }

    private static Func<ObjectConfig, Layer> LayerFactory<TLayer>(string name, Func<ObjectConfig, TLayer> factory)
        where TLayer : Layer => Checked<Layer>(Layer.Table, name, factory);

    // ----- lookups: the per-call scope first, then the process-wide registrations -----

    /// <summary>Makes <paramref name="objects"/> visible to every registry's lookups until the returned scope is disposed.</summary>
    internal static Scope Enter(CustomObjects? objects) => new(
        ActivationFunctions.Table.EnterScope(objects?._activations),
        Loss.Table.EnterScope(objects?._losses),
        Metric.Table.EnterScope(objects?._metrics),
        Layer.Table.EnterScope(objects?._layers));

    internal readonly struct Scope(
        CustomEntries<ActivationFunction>? activations, CustomEntries<Loss>? losses, CustomEntries<Metric>? metrics, CustomEntries<Layer>? layers) : IDisposable
    {
        public void Dispose()
        {
            ActivationFunctions.Table.EnterScope(activations);
            Loss.Table.EnterScope(losses);
            Metric.Table.EnterScope(metrics);
            Layer.Table.EnterScope(layers);
        }
    }

    internal static string? NameOfLossFunction(LossFunction function) => Loss.Table.CustomNameOf(function);

    internal static string? NameOfMetricFunction(MetricFunction function) => Metric.Table.CustomNameOf(function);

    internal static bool IsRegisteredLoss(string name) => Loss.Table.IsCustom(name);

    internal static bool IsRegisteredMetric(string name) => Metric.Table.IsCustom(name);

    /// <summary>The name a custom layer type is registered under, or null.</summary>
    internal static string? NameOfLayerType(Type type) => Layer.Table.CustomNameOf(type);
}
