using System.Collections;
using KerasNotes.Initializers;
using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Metrics;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Regularizers;
using KerasNotes.Serialization;

namespace KerasNotes.Saving.Json;

/// <summary>
/// Turns a model and the objects in its configuration into Keras 3's serialized form (spec §30): every object
/// as <c>{"module", "class_name", "config", "registered_name"[, "build_config"][, "compile_config"]}</c>.
/// </summary>
internal static class KerasSerializer
{
    private static readonly Dictionary<string, object?> s_float32Policy = DTypePolicy();

    /// <summary>The module Keras saves functional models under (the class is not exported, so its source module is written).</summary>
    public const string FunctionalModule = "keras.src.models.functional";

    // The layers written more than once in the config being written (see SerializeModel), per thread: saves may run at once.
    [ThreadStatic]
    private static SharedLayers? t_shared;

    /// <summary>The content of <c>config.json</c> for <paramref name="model"/>.</summary>
    /// <remarks>
    /// A layer object that appears in two models of the file (a nested model's layer that the outer model calls too)
    /// is written in both, each time with the same <c>shared_object_id</c>, as Keras's <c>ObjectSharingScope</c> does, so
    /// that loading makes it one object again.
    /// </remarks>
    public static Dictionary<string, object?> SerializeModel(Model model)
    {
        var previous = t_shared;
        t_shared = SharedLayers.Of(model);
        try
        {
            return (Dictionary<string, object?>)SerializeLayer(model);
        }
        finally
        {
            t_shared = previous;
        }
    }

    /// <summary>True when the last envelope written for <paramref name="layer"/> was its first with a <c>shared_object_id</c>.</summary>
    public static bool FirstSharedWrite(Layer layer) => t_shared is { } shared && shared.Writes.TryGetValue(layer, out int n) && n == 1;

    /// <summary>The layers (models aside) that appear in more than one layer list of a model and the models nested in it, each with an id.</summary>
    private sealed class SharedLayers
    {
        public Dictionary<Layer, long> Ids { get; } = new(ReferenceEqualityComparer.Instance);

        public Dictionary<Layer, int> Writes { get; } = new(ReferenceEqualityComparer.Instance);

        public static SharedLayers? Of(Model model)
        {
            var counts = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
            var order = new List<Layer>();
            var pending = new Stack<Model>();
            pending.Push(model);
            int visits = 0;
            while (pending.Count > 0 && visits++ < 1_000_000)
            {
                var current = pending.Pop();
                IEnumerable<Layer> listed = current.Graph is { } graph ? graph.Layers
                    : current is Sequential sequential ? (sequential.InputLayer is { } input ? [input, .. sequential.Layers] : sequential.Layers)
                    : [];
                foreach (var layer in listed)
                {
                    if (layer is Model nested)
                    {
                        pending.Push(nested);
                        continue;
                    }

                    counts[layer] = counts.GetValueOrDefault(layer) + 1;
                    if (counts[layer] == 2)
                    {
                        order.Add(layer);
                    }
                }
            }

            if (order.Count == 0)
            {
                return null;
            }

            var shared = new SharedLayers();
            foreach (var layer in order)
            {
                shared.Ids[layer] = shared.Ids.Count + 1;
            }

            return shared;
        }
    }

    /// <summary>True for a model made with <c>new Model(inputs, outputs)</c>: Keras's <c>Functional</c> class.</summary>
    public static bool IsFunctional(Layer layer) => layer is Model { Graph: not null } && layer.GetType() == typeof(Model);

    public static Dictionary<string, object?> DTypePolicy() => new()
    {
        ["module"] = "keras",
        ["class_name"] = "DTypePolicy",
        ["config"] = new Dictionary<string, object?> { ["name"] = "float32" },
        ["registered_name"] = null,
    };

    private static Dictionary<string, object?> Envelope(string? module, string className, object? config, string? registeredName) => new()
    {
        ["module"] = module,
        ["class_name"] = className,
        ["config"] = config,
        ["registered_name"] = registeredName,
    };

    /// <summary>The Keras class name a layer is saved under (and its weights group is named after).</summary>
    public static string ClassNameOf(Layer layer)
    {
        var type = layer.GetType();
        if (IsBuiltIn(type))
        {
            return layer is Input ? "InputLayer" : IsFunctional(layer) ? "Functional" : type.Name;
        }

        string? registered = CustomObjects.NameOfLayerType(type);
        if (registered is null)
        {
            return type.Name;
        }

        int cut = registered.LastIndexOf('>');
        return cut >= 0 ? registered[(cut + 1)..] : registered;
    }

    private static bool IsBuiltIn(Type type) => type.Assembly == typeof(Layer).Assembly;

    public static object SerializeLayer(Layer layer)
    {
        if (IsFunctional(layer))
        {
            return FunctionalSerializer.Serialize((Model)layer);
        }

        var type = layer.GetType();
        var config = ConvertMap(layer.GetConfig(), $"layer '{layer.Name}'");
        if (layer is not Input && config.TryGetValue("dtype", out var dtype) && dtype is "float32")
        {
            config["dtype"] = s_float32Policy;
        }

        Dictionary<string, object?> envelope;
        if (IsBuiltIn(type))
        {
            envelope = Envelope(layer is Sequential ? "keras" : Layer.Table.Module, ClassNameOf(layer), config, null);
        }
        else
        {
            string registered = CustomObjects.NameOfLayerType(type) ?? type.Name;
            envelope = Envelope(type.Namespace, ClassNameOf(layer), config, registered);
        }

        if (layer is not (Input or Model) && layer.Built && layer.BuildInputShapes is { } shapes)
        {
            // A layer built for a list (a merge layer): Keras writes the list of shapes. (Models write their own.)
            envelope["build_config"] = new Dictionary<string, object?> { ["input_shape"] = shapes.Select(s => (object?)ShapeList(s)).ToList() };
        }
        else if (layer is not Input && layer.Built && layer.BuildInputShape is { } shape)
        {
            envelope["build_config"] = new Dictionary<string, object?> { ["input_shape"] = ShapeList(shape) };
        }

        if (layer is Model model)
        {
            // Keras writes a compile_config for every model, nested ones included ({} when not compiled).
            envelope["compile_config"] = CompileConfigOf(model);
        }
        else if (t_shared is { } shared && shared.Ids.TryGetValue(layer, out long id))
        {
            envelope["shared_object_id"] = id;
            shared.Writes[layer] = shared.Writes.GetValueOrDefault(layer) + 1;
        }

        return envelope;
    }

    /// <summary>A model's <c>compile_config</c>: the compile arguments, or an empty object when it is not compiled.</summary>
    public static Dictionary<string, object?> CompileConfigOf(Model model) =>
        model.IsCompiled && model.CompileConfig is { } args ? CompileConfig(model, args) : new Dictionary<string, object?>();

    public static List<object?> ShapeList(Shape shape)
    {
        var list = new List<object?>(shape.Rank);
        for (int i = 0; i < shape.Rank; i++)
        {
            list.Add(shape[i] < 0 ? null : shape[i]);
        }

        return list;
    }

    private static Dictionary<string, object?> ConvertMap(IEnumerable<KeyValuePair<string, object?>> map, string owner)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in map)
        {
            // Shape-like int lists use -1 for an unknown size; Keras writes None (null).
            result[k] = k.EndsWith("shape", StringComparison.Ordinal) && v is IEnumerable<int> dims
                ? dims.Select(d => d < 0 ? null : (object?)d).ToList()
                : Convert(v, $"{owner} key '{k}'");
        }

        return result;
    }

    /// <summary>Converts one configuration value to its JSON form.</summary>
    public static object? Convert(object? value, string owner) => value switch
    {
        null => null,
        bool or string or int or long or double => value,
        float f => (double)f,
        short or byte or sbyte or ushort or uint => System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        Shape s => ShapeList(s),
        Layer l => SerializeLayer(l),
        Initializer i => Envelope(Initializer.Table.Module, i.ClassName, ConvertMap(i.GetConfig(), owner), null),
        Regularizer r => Envelope(Regularizer.Table.Module, r.GetType().Name, ConvertMap(r.GetConfig(), owner), null),
        LearningRateSchedule s => Envelope(LearningRateSchedule.Table.Module, s.GetType().Name, ConvertMap(s.GetConfig(), owner), null),
        Optimizer o => SerializeOptimizer(o),
        IDictionary<string, object?> d => ConvertMap(d, owner),
        IReadOnlyDictionary<string, object?> d => ConvertMap(d, owner),
        IEnumerable e => e.Cast<object?>().Select(x => Convert(x, owner)).ToList(),
        _ => throw new NotSupportedException(
            $"Cannot save {owner}: values of type {value.GetType().Name} have no Keras form; use numbers, strings, booleans, lists or nested dictionaries."),
    };

    public static Dictionary<string, object?> SerializeOptimizer(Optimizer optimizer)
    {
        var type = optimizer.GetType();
        var config = ConvertMap(optimizer.GetConfig(), $"optimizer '{optimizer.Name}'");
        return type.Assembly == typeof(Optimizer).Assembly
            ? Envelope(Optimizer.Table.Module, type.Name, config, null)
            : Envelope(type.Namespace, type.Name, config, type.Name);
    }

    /// <summary>
    /// Refuses, before anything is written, a function the file could not name: <see cref="Model.Load"/> finds a
    /// custom function again only by the name saved for it, and a lambda written in top-level statements has none.
    /// </summary>
    private static string Nameable(string name, string what, string register) => FunctionNames.IsAnonymous(name)
        ? throw new InvalidOperationException(
            $"The model's {what} is an anonymous function (a lambda in top-level code), which a model file cannot name, " +
            $"so Model.Load could never find it again. Register it under a name before Compile " +
            $"(CustomObjects.{register}(\"my_{what}\", fn)) or write it as a named method; SaveWeights does not need it.")
        : name;

    private static Dictionary<string, object?> FunctionEnvelope(string name) => Envelope("builtins", "function", name, "function");

    /// <summary>
    /// Keras's <c>compile_config</c>: the arguments in the shape they were given (trainer.py <c>get_compile_config</c>) —
    /// one loss, a list or a dict of losses; <c>loss_weights</c> as a number, list or dict; metrics as a list (per output,
    /// a metric or a list of metrics) or a dict.
    /// </summary>
    internal static Dictionary<string, object?> CompileConfig(Model model, CompileArguments args) => new()
    {
        ["optimizer"] = SerializeOptimizer(model.Optimizer!),
        ["loss"] = SerializeLosses(args.Loss, args.ResolvedLosses, model.OutputNames),
        ["loss_weights"] = SerializeLossWeights(args.LossWeights),
        ["metrics"] = SerializeMetrics(args.Metrics, args.ResolvedMetrics),
        ["weighted_metrics"] = SerializeMetrics(args.WeightedMetrics, args.ResolvedWeightedMetrics),
        ["run_eagerly"] = false,
        ["steps_per_execution"] = 1,
        ["jit_compile"] = false,
    };

    private static object? SerializeLosses(LossesSpec? spec, Loss?[] compiled, IReadOnlyList<string> outputs)
    {
        if (spec is not { IsDefault: false } s)
        {
            return null;
        }

        if (s.IsOne)
        {
            return SerializeLoss(s[0], Array.Find(compiled, l => l is not null));
        }

        if (s.Names is { } names)
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++)
            {
                int output = IndexOf(outputs, names[i]);
                map[names[i]] = SerializeLoss(s[i], output >= 0 && output < compiled.Length ? compiled[output] : null);
            }

            return map;
        }

        var list = new List<object?>(s.Count);
        for (int i = 0; i < s.Count; i++)
        {
            list.Add(SerializeLoss(s[i], i < compiled.Length ? compiled[i] : null));
        }

        return list;
    }

    private static object? SerializeLossWeights(LossWeightsSpec? spec)
    {
        if (spec is not { Count: > 0 } w)
        {
            return null;
        }

        if (w.IsOne)
        {
            return w[0];
        }

        if (w.Names is { } names)
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++)
            {
                map[names[i]] = w[i];
            }

            return map;
        }

        return Enumerable.Range(0, w.Count).Select(i => (object?)w[i]).ToList();
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static object? SerializeLoss(LossSpec? spec, Loss? compiled)
    {
        if (spec is not { } s)
        {
            return null;
        }

        if (s.Name is not null)
        {
            return s.Name;
        }

        if (s.Function is not null)
        {
            // The name resolved at Compile (which saw any per-call registration) wins over the method name.
            return FunctionEnvelope(Nameable(CustomObjects.NameOfLossFunction(s.Function) ?? (compiled as LossFunctionWrapper)?.Name ?? FunctionNames.Of(s.Function), "loss", "RegisterLoss"));
        }

        var loss = s.Instance!;
        if (loss is ShapeResolvedCrossentropy)
        {
            // The object Loss.Get("crossentropy") returns has no Keras class: it is compile's string, saved as one.
            return loss.Name;
        }

        if (loss is LossFunctionWrapper wrapper)
        {
            return FunctionEnvelope(Nameable(CustomObjects.NameOfLossFunction(wrapper.Function) ?? wrapper.Name, "loss", "RegisterLoss"));
        }

        var type = loss.GetType();
        var config = ConvertMap(loss.GetConfig(), $"loss '{loss.Name}'");
        if (type.Assembly == typeof(Loss).Assembly)
        {
            return Envelope(Loss.Table.Module, type.Name, config, null);
        }

        string registered = CustomObjects.IsRegisteredLoss(loss.Name) ? loss.Name : type.Name;
        return Envelope(type.Namespace, registered, config, registered);
    }

    /// <summary>The metrics in the shape given: a list (an entry a metric, a list of metrics, or null) or a dict by output name.</summary>
    private static object? SerializeMetrics(MetricsSpec? spec, Metric[][] compiled)
    {
        if (spec is not { IsDefault: false } s)
        {
            return null;
        }

        object? Entry(int e)
        {
            var entry = s[e];
            if (entry.IsNone)
            {
                return null;
            }

            var items = new List<object?>(entry.Count);
            for (int k = 0; k < entry.Count; k++)
            {
                items.Add(SerializeMetricItem(entry[k], e < compiled.Length && k < compiled[e].Length ? compiled[e][k] : null));
            }

            return entry.IsList ? items : items[0];
        }

        if (s.Names is { } names)
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (int e = 0; e < names.Count; e++)
            {
                map[names[e]] = Entry(e);
            }

            return map;
        }

        var list = new List<object?>(s.Count);
        for (int e = 0; e < s.Count; e++)
        {
            list.Add(Entry(e));
        }

        return list;
    }

    private static object? SerializeMetricItem(object item, Metric? compiled) => item switch
    {
        string s => s,
        MetricFunction f => FunctionEnvelope(Nameable(CustomObjects.NameOfMetricFunction(f) ?? compiled?.Name ?? FunctionNames.Of(f), "metric", "RegisterMetric")),
        Metric metric => SerializeMetric(metric),
        _ => null,
    };

    private static object SerializeMetric(Metric metric)
    {
        if (metric is ShapeResolvedAccuracy)
        {
            // The object Metric.Get("accuracy") returns has no Keras class: it is compile's string, saved as one.
            return metric.Name;
        }

        var type = metric.GetType();
        var config = ConvertMap(metric.GetConfig(), $"metric '{metric.Name}'");
        if (type.Assembly == typeof(Metric).Assembly && type != typeof(MeanMetricWrapper) && type != typeof(Mean))
        {
            return Envelope(Metric.Table.Module, type.Name, config, null);
        }

        if (CustomObjects.IsRegisteredMetric(metric.Name))
        {
            return Envelope(type.Namespace, metric.Name, config, metric.Name);
        }

        return Envelope(type.Namespace, type.Name, config, type.Name);
    }
}
