using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Metrics;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Serialization;

namespace KerasNotes.Saving.Json;

/// <summary>
/// The envelope of Keras JSON (spec §30; also the legacy Keras 2 and TensorFlow.js forms without <c>module</c>):
/// unwraps <c>module</c>/<c>class_name</c>/<c>config</c>/<c>registered_name</c>, checks sizes before anything is
/// built, and hands each object's config to its concept's registry, where each class's own <c>FromConfig</c>
/// reads it. Nothing outside the registries is ever instantiated, and no name read from a file is ever resolved
/// to a .NET type.
/// </summary>
internal static class KerasDeserializer
{
    /// <summary>
    /// The most layers a Sequential configuration may list, besides its InputLayer: generous (loading this many
    /// takes seconds), yet it refuses a hostile list of millions before a single layer is created.
    /// </summary>
    internal const int MaxLayers = 100_000;

    // tf.keras 2.11+ saves built-in optimizers of its new API as "Custom>Adam".
    private const string LegacyCustomPrefix = "Custom>";

    private readonly record struct Serialized(string ClassName, string? RegisteredName, ConfigNode Config);

    private static Serialized Unwrap(ConfigNode node)
    {
        var cls = node["class_name"];
        if (cls.IsNull)
        {
            throw node.Fail("expected an object with a 'class_name'.");
        }

        var reg = node["registered_name"];
        return new Serialized(cls.String(), reg.IsString ? reg.String() : null, node["config"]);
    }

    internal static T Construct<T>(ConfigNode where, string what, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ModelFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
        {
            throw where.Fail($"cannot create {what}: {e.Message}");
        }
    }

    /// <summary>
    /// The object serialized at <paramref name="node"/>: a name users type (<c>"glorot_uniform"</c>) or a Keras
    /// envelope, looked up in <typeparamref name="T"/>'s registry; null for a null node.
    /// </summary>
    public static T? Resolve<T>(ConfigNode node)
        where T : class, IRegistered<T>
    {
        if (node.IsNull)
        {
            return null;
        }

        var registry = T.Registry;
        if (node.IsString)
        {
            string id = node.String();
            return Construct(node, $"{registry.Concept} '{id}'", () => registry.TryGet(id))
                ?? throw node.Fail($"unknown {registry.Concept} '{id}'; expected one of {string.Join(", ", registry.KnownNames)}{registry.CustomHint(id)}.");
        }

        var s = Unwrap(node);
        if (!s.Config.IsNull && !s.Config.IsObject)
        {
            throw s.Config.Fail($"expected the {registry.Concept}'s config object, found {s.Config.Kind} {s.Config.Text}.");
        }

        string cls = s.ClassName.StartsWith(LegacyCustomPrefix, StringComparison.Ordinal) ? s.ClassName[LegacyCustomPrefix.Length..] : s.ClassName;
        var config = new ObjectConfig(s.Config);
        return Construct(node, $"{registry.Concept} '{s.ClassName}'", () => registry.TryFromConfig(cls, config, s.RegisteredName, s.ClassName))
            ?? throw node.Fail($"unknown {registry.Concept} class '{s.ClassName}'{registry.CustomHint(s.RegisteredName ?? s.ClassName)}.");
    }

    // ---------------------------------------------------------------- models and layers

    /// <summary>Builds the model described by a serialized object (the root of config.json, or a legacy model_config).</summary>
    public static Model BuildModel(ConfigNode envelope)
    {
        var s = Unwrap(envelope);
        var layer = BuildLayer(envelope);
        return layer as Model ?? throw envelope.Fail(
            $"class '{s.ClassName}' is registered as a layer, but the file's top-level object must be a model.");
    }

    private static Sequential BuildSequential(ConfigNode config, ConfigNode envelopeBuildShape)
    {
        if (!config.IsObject)
        {
            throw config.Fail($"expected the Sequential model's config object, found {config.Kind} {config.Text}.");
        }

        string? name = config["name"].OptString();
        bool trainable = config["trainable"].OptBool(true);
        var entries = config["layers"].Items();
        int counted = entries.Count > 0 && entries[0].IsObject && entries[0]["class_name"].IsString && entries[0]["class_name"].String() == "InputLayer" ? entries.Count - 1 : entries.Count;
        if (counted > MaxLayers)
        {
            throw config["layers"].Fail($"{counted} layers (besides the InputLayer) is beyond the supported {MaxLayers}.");
        }

        // Every layer is created (no weights yet) and the sizes they imply are checked before any is built.
        var layers = new List<Layer>(entries.Count);
        Input? input = null;
        for (int i = 0; i < entries.Count; i++)
        {
            var s = Unwrap(entries[i]);
            if (s.ClassName == "InputLayer" && i != 0)
            {
                throw entries[i].Fail("an InputLayer can only be the first layer of a Sequential model.");
            }

            if (i == 0 && s.ClassName != "InputLayer" && !s.Config.IsNull)
            {
                // Legacy files put the input shape on the first layer instead of an InputLayer.
                var legacyShape = s.Config.Has("batch_input_shape") ? s.Config["batch_input_shape"] : s.Config["batch_shape"];
                if (!legacyShape.IsNull)
                {
                    var dims = legacyShape.ShapeDims();
                    input = Construct(legacyShape, "the input layer", () => new Input(dims[1..], dims.Length > 0 && dims[0] > 0 ? dims[0] : null));
                }
            }

            layers.Add(BuildLayer(entries[i]));
        }

        // A nested Sequential written by Keras has its input shape in the envelope's build_config too.
        var buildShape = config["build_input_shape"].IsNull ? envelopeBuildShape : config["build_input_shape"];
        CheckSizes(config, entries, input is not null ? [input, .. layers] : layers, buildShape);
        var model = Construct(config, "the Sequential model", () => new Sequential(null, name));
        int entry = input is null ? 0 : -1;
        foreach (var layer in input is not null ? [input, .. layers] : layers)
        {
            var where = entries[Math.Max(entry++, 0)];
            Construct(where, layer is Input ? "the input layer" : $"layer '{layer.Name}'", () => { model.Add(layer); return 0; });
        }

        if (!model.Built && !buildShape.IsNull && model.Layers.Count > 0)
        {
            var dims = buildShape.ShapeDims();
            Construct(buildShape, $"model '{model.Name}' for input shape [{string.Join(", ", dims)}]", () => { model.EnsureBuilt(new Shape(dims)); return 0; });
        }

        if (!trainable)
        {
            model.Trainable = false;
        }

        return model;
    }

    /// <summary>
    /// Follows the shapes through the layers (each layer says what it would create, <see cref="Layer.PlanFor"/>)
    /// before anything is built, and refuses a configuration whose weights could not fit in the file or whose
    /// per-sample activations are absurdly large: building allocates weights and probe tensors from these
    /// numbers, so they must not be taken on trust.
    /// </summary>
    private static void CheckSizes(ConfigNode config, IReadOnlyList<ConfigNode> entries, List<Layer> layers, ConfigNode buildShape)
    {
        long budget = ((LoadContext)config.Source).WeightBudgetBytes;
        long activationBudget = Math.Max(budget, 64L << 20);
        var context = (LoadContext)config.Source;
        long[]? shape = buildShape.IsNull ? null : [.. buildShape.ShapeDims().Select(d => (long)d)];
        long weights = context.PlannedWeights;
        int offset = layers.Count - entries.Count;
        for (int i = 0; i < layers.Count; i++)
        {
            var where = entries[Math.Max(i - offset, 0)];
            if (layers[i] is Input input)
            {
                shape = new long[input.BatchShape.Rank];
                for (int k = 0; k < shape.Length; k++)
                {
                    shape[k] = input.BatchShape[k];
                }

                continue;
            }

            if (shape is not null)
            {
                try
                {
                    var plan = PlanOf(layers[i], shape);
                    weights = plan is { } p ? checked(weights + p.Weights) : weights;
                    shape = plan?.OutputShape;
                }
                catch (OverflowException)
                {
                    throw where.Fail($"{Who(layers[i])}: the layer sizes overflow: the configuration is not plausible.");
                }
            }

            if (weights > budget / 4)
            {
                throw where.Fail($"{Who(layers[i])}: the layers up to this one need {weights} weights ({weights * 4L} bytes), more than the file's {budget} bytes of weights can hold.");
            }

            if (shape is not null)
            {
                CheckActivations(shape, activationBudget, where, layers[i]);
            }
        }

        context.PlannedWeights = weights;
    }

    /// <summary>The most bytes of activations one sample may need: the weights' budget, and at least 64 MB.</summary>
    internal static long ActivationBudget(LoadContext context) => Math.Max(context.WeightBudgetBytes, 64L << 20);

    /// <summary>Refuses a shape whose values for one sample exceed the activation budget (building probes allocate that much).</summary>
    internal static void CheckActivations(long[] shape, long activationBudget, ConfigNode where, Layer layer)
    {
        long perSample = 1;
        for (int k = 1; k < shape.Length; k++)
        {
            perSample = shape[k] > 0 ? checked(perSample * shape[k]) : perSample;
            if (perSample > activationBudget / 4)
            {
                throw where.Fail($"{Who(layer)}: the activations of one sample would have more than {activationBudget / 4} values; the configuration is not plausible.");
            }
        }
    }

    /// <summary>
    /// What building <paramref name="layer"/> for inputs of <paramref name="shape"/> would create (see
    /// <see cref="Layer.PlanFor"/>); an unbuilt Sequential is followed layer by layer, and a built model creates nothing
    /// (its weights were counted when it was built). Null when the layer cannot say.
    /// </summary>
    /// <exception cref="OverflowException">The sizes overflow a long.</exception>
    internal static LayerPlan? PlanOf(Layer layer, long[] shape)
    {
        if (layer is Sequential sequential)
        {
            long weights = 0;
            long[] current = shape;
            foreach (var inner in sequential.Layers)
            {
                if (PlanOf(inner, current) is not { } plan)
                {
                    return null;
                }

                weights = checked(weights + plan.Weights);
                current = plan.OutputShape;
            }

            return new LayerPlan(sequential.Built ? 0 : weights, current);
        }

        if (layer is Model model)
        {
            if (!model.Built || model.OutputCount != 1 || shape.Any(d => d > int.MaxValue))
            {
                return null;
            }

            try
            {
                var output = model.ComputeOutputShape(new Shape([.. shape.Select(d => (int)d)]));
                return new LayerPlan(0, [.. output.Dims.Select(d => (long)d)]);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return null; // the build itself reports the misfit
            }
        }

        var own = layer.PlanFor(shape);
        return layer.Built && own is { } p ? p with { Weights = 0 } : own;
    }

    // Every size refusal names the layer, as the classes' own checks do: the JSON path alone does not say which
    // layer it is. A hostile file's layer name can be megabytes long; the message names its start.
    private static string Who(Layer layer) =>
        $"layer '{(layer.Name.Length > 80 ? layer.Name[..80] + "…" : layer.Name)}' ({KerasSerializer.ClassNameOf(layer)})";

    /// <summary>Builds one layer from its serialized object: the envelope here, the config read by the layer class.</summary>
    public static Layer BuildLayer(ConfigNode envelope)
    {
        var s = Unwrap(envelope);
        var c = s.Config;
        if (!c.IsNull && !c.IsObject)
        {
            throw c.Fail($"expected the layer's config object, found {c.Kind} {c.Text}.");
        }

        // Models nest: a Sequential or functional model is a layer of another. Nesting is bounded by the JSON depth
        // limit (each level takes four), so this recursion is too.
        switch (s.ClassName)
        {
            case "Sequential":
                var buildConfig = envelope["build_config"];
                return BuildSequential(c, buildConfig.IsObject ? buildConfig["input_shape"] : buildConfig);
            case "Functional" or "Model":
                return FunctionalDeserializer.Build(c);
        }

        // Keras writes one layer object used in two models (an inner model's layer the outer one calls too) twice, each
        // with the same shared_object_id; the first creates it, the others are that object again.
        var context = envelope.Source as LoadContext;
        string? sharedId = context is not null && envelope.Has("shared_object_id") ? SharedId(envelope["shared_object_id"]) : null;
        if (sharedId is not null && context!.SharedLayers.TryGetValue(sharedId, out var shared))
        {
            return shared;
        }

        if (s.ClassName != "InputLayer" && context is not null && ++context.LayersCreated > MaxLayers)
        {
            throw envelope.Fail($"the file describes more than {MaxLayers} layers (over all its models); at most {MaxLayers} are supported.");
        }

        CheckFloat32(c);
        string? name = s.ClassName is "InputLayer" || c.IsNull ? null : c["name"].OptString();
        var config = new ObjectConfig(c);
        var layer = Construct(envelope, name is null ? $"{s.ClassName}" : $"{s.ClassName} '{name}'", () => Layer.Table.TryFromConfig(s.ClassName, config, s.RegisteredName, s.ClassName));
        if (layer is null)
        {
            string shown = s.RegisteredName is not null && s.RegisteredName != s.ClassName ? $"'{s.ClassName}' (registered as '{s.RegisteredName}')" : $"'{s.ClassName}'";
            string key = s.RegisteredName ?? s.ClassName;
            throw envelope.Fail(
                $"unknown class {shown}. KerasNotes creates only its built-in layers and classes registered by name; " +
                $"register it with CustomObjects.RegisterLayer<TLayer>(\"{key}\", config => new TLayer(...)) " +
                $"or pass new CustomObjects().AddLayer<TLayer>(\"{key}\", ...) to Model.Load.");
        }

        if (layer is Model model && !model.Built && envelope.Has("build_config") && !envelope["build_config"]["input_shape"].IsNull)
        {
            var dims = envelope["build_config"]["input_shape"].ShapeDims();
            Construct(envelope, $"model '{model.Name}'", () => { model.EnsureBuilt(new Shape(dims)); return 0; });
        }

        if (!c.IsNull && c.Has("trainable") && !c["trainable"].Bool())
        {
            layer.Trainable = false;
        }

        if (sharedId is not null)
        {
            context!.SharedLayers[sharedId] = layer;
        }

        return layer;
    }

    private static string SharedId(ConfigNode id) => id.TryDouble(out double value) && value == Math.Floor(value)
        ? id.Node!.ToJsonString()
        : throw id.Fail($"expected a whole number, found {id.Kind} {id.Text}.");

    private static void CheckFloat32(ConfigNode c)
    {
        if (c.IsNull || !c.Has("dtype"))
        {
            return;
        }

        var d = c["dtype"];
        string? dtype = d.IsNull ? null : d.IsString ? d.String() : d.IsObject ? d["config"]["name"].OptString() : null;
        if (dtype is not null and not "float32")
        {
            throw d.Fail($"only float32 layers are supported, found dtype '{dtype}'.");
        }
    }

    // ---------------------------------------------------------------- compile arguments

    /// <summary>The arguments of a saved compile config, for <c>Model.Compile</c>.</summary>
    internal sealed record CompileRequest(OptimizerSpec Optimizer, LossesSpec? Loss, MetricsSpec? Metrics, MetricsSpec? WeightedMetrics, LossWeightsSpec? LossWeights);

    /// <summary>
    /// The arguments of a saved compile config, in the shape saved: one loss, a list or a dict of losses (per output);
    /// <c>loss_weights</c> as a number, list or dict; metrics as a list (an entry a metric or a list) or a dict.
    /// Whether they fit the model's outputs is checked by Compile.
    /// </summary>
    public static CompileRequest Compile(ConfigNode cc, ConfigNode optimizerNode)
    {
        var optimizer = optimizerNode.IsNull ? Optimizers.Optimizer.Get("rmsprop") : Resolve<Optimizer>(optimizerNode)!;
        var loss = Losses(cc["loss"]);
        var metrics = Metrics(cc["metrics"]);
        var weighted = Metrics(cc["weighted_metrics"]);
        var weights = LossWeights(cc["loss_weights"]);
        return new CompileRequest(optimizer, loss, metrics, weighted, weights);
    }

    private static LossesSpec? Losses(ConfigNode node)
    {
        if (node.IsNull)
        {
            return null;
        }

        if (node.IsArray)
        {
            // One loss per output, in output order (null for none).
            var items = node.Items();
            var list = new LossSpec?[items.Count];
            for (int i = 0; i < list.Length; i++)
            {
                list[i] = Loss(items[i]);
            }

            return list;
        }

        if (node.IsObject && !node.Has("class_name"))
        {
            // Losses by output name.
            var map = new Dictionary<string, LossSpec?>(StringComparer.Ordinal);
            foreach (var (key, _) in node.AsObject())
            {
                map[key] = Loss(node[key]);
            }

            return LossesSpec.FromNames(map);
        }

        return Loss(node) is { } one ? (LossesSpec?)one : null;
    }

    private static LossWeightsSpec? LossWeights(ConfigNode node)
    {
        if (node.IsNull)
        {
            return null;
        }

        if (node.IsArray)
        {
            return node.Items().Select(Weight).ToArray();
        }

        if (node.IsObject)
        {
            var map = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (key, _) in node.AsObject())
            {
                map[key] = Weight(node[key]);
            }

            return LossWeightsSpec.FromNames(map);
        }

        return Weight(node);
    }

    private static double Weight(ConfigNode node)
    {
        double w = node.Double();
        if (!double.IsFinite(w) || Math.Abs(w) > float.MaxValue)
        {
            throw node.Fail($"a loss weight must be a finite number within float32's range, found {node.Text}.");
        }

        return w;
    }

    private static LossSpec? Loss(ConfigNode node)
    {
        if (node.IsNull)
        {
            return null;
        }

        if (node.IsString)
        {
            return LossByName(node, node.String());
        }

        if (!node.IsObject || !node.Has("class_name"))
        {
            throw node.Fail("expected a loss name or one serialized loss (a list or dict of losses holds one per output).");
        }

        var s = Unwrap(node);
        if (s.ClassName == "function")
        {
            return LossByName(node, s.Config.IsString ? s.Config.String() : s.RegisteredName ?? s.ClassName);
        }

        string? name = s.Config.IsObject ? s.Config["name"].OptString() : null;
        var config = new ObjectConfig(s.Config);
        return Construct(node, $"loss '{s.ClassName}'", () => KerasNotes.Losses.Loss.Table.TryFromConfig(s.ClassName, config, s.RegisteredName, s.ClassName, name))
            ?? throw node.Fail(
                $"unknown loss class '{s.ClassName}'; register it with CustomObjects.RegisterLoss(\"{s.RegisteredName ?? s.ClassName}\", ...) " +
                "or pass new CustomObjects().AddLoss(...) to Model.Load.");
    }

    private static LossSpec LossByName(ConfigNode node, string name)
    {
        // A built-in name always wins, as in Compile and Loss.Get.
        if (KerasNotes.Losses.Loss.Table.IsBuiltIn(name))
        {
            return name;
        }

        if (KerasNotes.Losses.Loss.Table.TryGetCustomValue<LossFunction>(name, out var fn))
        {
            return fn;
        }

        if (!KerasNotes.Losses.Loss.Table.IsBuiltIn(name) && !KerasNotes.Losses.Loss.Table.IsCustom(name))
        {
            throw node.Fail(
                $"unknown loss '{name}'; register it with CustomObjects.RegisterLoss(\"{name}\", ...) or pass new CustomObjects().AddLoss(\"{name}\", ...) to Model.Load.");
        }

        return name;
    }

    private static MetricsSpec? Metrics(ConfigNode node)
    {
        if (node.IsNull)
        {
            return null;
        }

        if (node.IsObject && !node.Has("class_name"))
        {
            // Metrics by output name.
            var map = new Dictionary<string, OutputMetrics>(StringComparer.Ordinal);
            foreach (var (key, _) in node.AsObject())
            {
                map[key] = MetricEntry(node[key]);
            }

            return MetricsSpec.FromNames(map);
        }

        if (!node.IsArray)
        {
            throw node.Fail($"expected a list or a dict of metrics, found {node.Kind}.");
        }

        // A list: metrics of the one output, or one entry per output (tf.keras 2 writes one list per output; a model with
        // one output has one list, which Compile flattens).
        var items = node.Items();
        var entries = new OutputMetrics[items.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = MetricEntry(items[i]);
        }

        return entries;
    }

    private static OutputMetrics MetricEntry(ConfigNode node)
    {
        if (node.IsNull)
        {
            return default;
        }

        if (!node.IsArray)
        {
            return OutputMetrics.FromItem(Metric(node));
        }

        var result = new List<object>();
        foreach (var inner in node.Items())
        {
            if (!inner.IsNull)
            {
                result.Add(Metric(inner));
            }
        }

        return OutputMetrics.FromList(result);
    }

    private static object Metric(ConfigNode node)
    {
        if (node.IsString)
        {
            return MetricByName(node, node.String());
        }

        var s = Unwrap(node);
        var c = s.Config;
        if (s.ClassName == "function")
        {
            return MetricByName(node, c.IsString ? c.String() : s.RegisteredName ?? s.ClassName);
        }

        string? name = c.IsObject ? c["name"].OptString() : null;
        if (s.ClassName == "MeanMetricWrapper")
        {
            // tf.keras 2: {"name": "mae", "fn": "mean_absolute_error"}.
            string? fn = c["fn"].IsString ? c["fn"].String() : null;
            if (name is not null && KerasNotes.Metrics.Metric.Table.IsBuiltIn(name))
            {
                return name;
            }

            return MetricByName(node, fn ?? name ?? "MeanMetricWrapper");
        }

        var config = new ObjectConfig(c);
        var metric = Construct(node, $"metric '{s.ClassName}'", () => KerasNotes.Metrics.Metric.Table.TryFromConfig(s.ClassName, config, s.RegisteredName, s.ClassName, name))
            ?? throw node.Fail(
                $"unknown metric class '{s.ClassName}'; register it with CustomObjects.RegisterMetric(\"{s.RegisteredName ?? s.ClassName}\", ...) " +
                "or pass new CustomObjects().AddMetric(...) to Model.Load.");
        return metric;
    }

    private static object MetricByName(ConfigNode node, string name)
    {
        // A built-in name always wins, as in Compile and Metric.Get.
        if (KerasNotes.Metrics.Metric.Table.IsBuiltIn(name))
        {
            return name;
        }

        if (KerasNotes.Metrics.Metric.Table.TryGetCustomValue<MetricFunction>(name, out var fn))
        {
            return fn;
        }

        if (!KerasNotes.Metrics.Metric.Table.IsBuiltIn(name) && !KerasNotes.Metrics.Metric.Table.IsCustom(name))
        {
            throw node.Fail(
                $"unknown metric '{name}'; register it with CustomObjects.RegisterMetric(\"{name}\", ...) or pass new CustomObjects().AddMetric(\"{name}\", ...) to Model.Load.");
        }

        return name;
    }
}
