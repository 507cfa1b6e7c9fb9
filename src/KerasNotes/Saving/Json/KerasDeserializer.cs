using KerasNotes.Initializers;
using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Metrics;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Optimizers.Schedules;
using KerasNotes.Regularizers;

namespace KerasNotes.Saving.Json;

/// <summary>
/// Rebuilds models and the objects in their configuration from Keras JSON (spec §30; also the legacy Keras 2
/// and TensorFlow.js forms without <c>module</c>). Classes are looked up in a fixed table of built-in
/// constructors, then in <see cref="CustomObjects"/>; nothing else is ever instantiated, and no name read from a
/// file is ever resolved to a .NET type.
/// </summary>
internal static class KerasDeserializer
{
    /// <summary>
    /// The most layers a Sequential configuration may list, besides its InputLayer: generous (loading this many
    /// takes seconds), yet it refuses a hostile list of millions before a single layer is created.
    /// </summary>
    internal const int MaxLayers = 100_000;

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

    private static T Construct<T>(ConfigNode where, string what, Func<T> create)
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

    // ---------------------------------------------------------------- models and layers

    /// <summary>Builds the model described by a serialized object (the root of config.json, or a legacy model_config).</summary>
    public static Model BuildModel(ConfigNode envelope)
    {
        var s = Unwrap(envelope);
        switch (s.ClassName)
        {
            case "Sequential":
                return BuildSequential(s.Config);
            case "Functional" or "Model":
                throw envelope.Fail($"'{s.ClassName}' (functional) models are not supported yet; KerasNotes loads Sequential models.");
        }

        var layer = BuildCustomLayer(envelope, s);
        return layer as Model ?? throw envelope.Fail(
            $"class '{s.ClassName}' is registered as a layer, but the file's top-level object must be a model.");
    }

    private static Sequential BuildSequential(ConfigNode config)
    {
        string? name = config["name"].OptString();
        bool trainable = config["trainable"].OptBool(true);
        var layers = config["layers"].Items();
        int counted = layers.Count > 0 && layers[0].IsObject && layers[0]["class_name"].IsString && layers[0]["class_name"].String() == "InputLayer" ? layers.Count - 1 : layers.Count;
        if (counted > MaxLayers)
        {
            throw config["layers"].Fail($"{counted} layers (besides the InputLayer) is beyond the supported {MaxLayers}.");
        }

        CheckSizes(config, layers);
        var model = Construct(config, "the Sequential model", () => new Sequential(null, name));
        for (int i = 0; i < layers.Count; i++)
        {
            var s = Unwrap(layers[i]);
            if (s.ClassName == "InputLayer")
            {
                if (i != 0)
                {
                    throw layers[i].Fail("an InputLayer can only be the first layer of a Sequential model.");
                }

                var input = BuildInput(s.Config);
                Construct(layers[i], "the input layer", () => { model.Add(input); return 0; });
                continue;
            }

            if (i == 0 && model.InputLayer is null)
            {
                // Legacy files put the input shape on the first layer instead of an InputLayer.
                var legacyShape = s.Config.Has("batch_input_shape") ? s.Config["batch_input_shape"] : s.Config["batch_shape"];
                if (!legacyShape.IsNull)
                {
                    var dims = legacyShape.ShapeDims();
                    var input = Construct(legacyShape, "the input layer", () => new Input(dims[1..], dims.Length > 0 && dims[0] > 0 ? dims[0] : null));
                    Construct(layers[i], "the input layer", () => { model.Add(input); return 0; });
                }
            }

            var layer = BuildLayer(layers[i]);
            Construct(layers[i], $"layer '{layer.Name}'", () => { model.Add(layer); return 0; });
        }

        var buildShape = config["build_input_shape"];
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
    /// Follows the shapes through the built-in layers before anything is built, and refuses a configuration
    /// whose weights could not fit in the file or whose per-sample activations are absurdly large: building
    /// allocates weights and probe tensors from these numbers, so they must not be taken on trust.
    /// </summary>
    private static void CheckSizes(ConfigNode config, IReadOnlyList<ConfigNode> layers)
    {
        long budget = config.Context.WeightBudgetBytes;
        long activationBudget = Math.Max(budget, 64L << 20);
        long[]? shape = null;
        var buildShape = config["build_input_shape"];
        if (!buildShape.IsNull)
        {
            shape = [.. buildShape.ShapeDims().Select(d => (long)d)];
        }

        long weights = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            var s = Unwrap(layers[i]);
            var c = s.Config;
            if (c.IsNull)
            {
                shape = null;
                continue;
            }

            var declared = s.ClassName == "InputLayer" || i == 0
                ? (c.Has("batch_shape") ? c["batch_shape"] : c["batch_input_shape"])
                : default;
            if (declared.Node is not null)
            {
                shape = [.. declared.ShapeDims().Select(d => (long)d)];
            }

            if (shape is not null)
            {
                shape = Follow(s.ClassName, c, shape, ref weights);
            }

            if (weights > budget / 4)
            {
                throw layers[i].Fail($"the layers up to here need {weights} weights ({weights * 4L} bytes), more than the file's {budget} bytes of weights can hold.");
            }

            if (shape is not null)
            {
                long perSample = 1;
                for (int k = 1; k < shape.Length; k++)
                {
                    perSample = shape[k] > 0 ? checked(perSample * shape[k]) : perSample;
                    if (perSample > activationBudget / 4)
                    {
                        throw layers[i].Fail($"the activations of one sample would have more than {activationBudget / 4} values; the configuration is not plausible.");
                    }
                }
            }
        }
    }

    private static long[]? Follow(string className, ConfigNode c, long[] shape, ref long weights)
    {
        try
        {
            switch (className)
            {
                case "InputLayer" or "Dropout" or "Activation":
                    return shape;
                case "Dense":
                    {
                        long units = c["units"].Int();
                        long last = shape.Length > 0 ? shape[^1] : -1;
                        if (last > 0 && units > 0)
                        {
                            weights = checked(weights + (last * units) + (c["use_bias"].OptBool(true) ? units : 0));
                        }

                        var next = (long[])shape.Clone();
                        if (next.Length > 0)
                        {
                            next[^1] = units;
                        }

                        return next;
                    }

                case "BatchNormalization":
                    {
                        var axisNode = c["axis"];
                        int axis = axisNode.IsArray ? (axisNode.Items() is [var only] ? only.Int() : -1) : axisNode.OptInt(-1);
                        int a = axis < 0 ? axis + shape.Length : axis;
                        if (a >= 0 && a < shape.Length && shape[a] > 0)
                        {
                            weights = checked(weights + (4 * shape[a]));
                        }

                        return shape;
                    }

                case "Flatten":
                    {
                        long product = 1;
                        for (int k = 1; k < shape.Length; k++)
                        {
                            product = shape[k] > 0 ? checked(product * shape[k]) : -1;
                            if (product < 0)
                            {
                                break;
                            }
                        }

                        return [shape.Length > 0 ? shape[0] : -1, product];
                    }

                default:
                    return null; // a registered layer: its shapes are its own business
            }
        }
        catch (OverflowException)
        {
            throw c.Fail("the layer sizes overflow: the configuration is not plausible.");
        }
    }

    private static Input BuildInput(ConfigNode config)
    {
        var shapeNode = config.Has("batch_shape") ? config["batch_shape"] : config["batch_input_shape"];
        int[] dims;
        if (!shapeNode.IsNull)
        {
            dims = shapeNode.ShapeDims();
        }
        else if (!config["shape"].IsNull)
        {
            dims = [-1, .. config["shape"].ShapeDims()];
        }
        else
        {
            throw config.Fail("an InputLayer needs 'batch_shape' (or 'batch_input_shape').");
        }

        if (dims.Length < 2)
        {
            throw config.Fail($"an InputLayer shape needs a batch axis and at least one more, found [{string.Join(", ", dims)}].");
        }

        string? dtype = config["dtype"].IsString ? config["dtype"].String() : null;
        if (dtype is not null and not "float32")
        {
            throw config["dtype"].Fail($"only float32 inputs are supported, found '{dtype}'.");
        }

        string? name = config["name"].OptString();
        return Construct(config, "the input layer", () => new Input(dims[1..], dims[0] > 0 ? dims[0] : null, name));
    }

    /// <summary>Builds one layer from its serialized object.</summary>
    public static Layer BuildLayer(ConfigNode envelope)
    {
        var s = Unwrap(envelope);
        var c = s.Config;
        string? name = s.ClassName is "InputLayer" ? null : c["name"].OptString();
        CheckFloat32(c);
        Layer layer = s.ClassName switch
        {
            "Dense" => BuildDense(c, name),
            "Dropout" => Construct(c, $"Dropout '{name}'", () => new Dropout(
                c["rate"].Double(),
                c["noise_shape"].IsNull ? null : c["noise_shape"].ShapeDims(),
                c["seed"].NullableInt(),
                name)),
            "BatchNormalization" => BuildBatchNormalization(c, name),
            "Activation" => Construct(c, $"Activation '{name}'", () => new Activation(ActivationName(c["activation"]), name)),
            "Flatten" => Construct(c, $"Flatten '{name}'", () => new Flatten(c["data_format"].OptString("channels_last"), name)),
            "InputLayer" => BuildInput(c),
            _ => BuildCustomLayer(envelope, s),
        };

        if (!c.IsNull && c.Has("trainable") && !c["trainable"].Bool())
        {
            layer.Trainable = false;
        }

        return layer;
    }

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

    private static Layer BuildCustomLayer(ConfigNode envelope, Serialized s)
    {
        Func<LayerConfig, Layer>? factory = null;
        if (s.RegisteredName is not null && CustomObjects.TryGetLayer(s.RegisteredName, out var byRegistered))
        {
            factory = byRegistered;
        }
        else if (CustomObjects.TryGetLayer(s.ClassName, out var byClass))
        {
            factory = byClass;
        }

        if (factory is null)
        {
            string shown = s.RegisteredName is not null && s.RegisteredName != s.ClassName ? $"'{s.ClassName}' (registered as '{s.RegisteredName}')" : $"'{s.ClassName}'";
            string key = s.RegisteredName ?? s.ClassName;
            throw envelope.Fail(
                $"unknown class {shown}. KerasNotes creates only its built-in layers and classes registered by name; " +
                $"register it with CustomObjects.RegisterLayer<TLayer>(\"{key}\", config => new TLayer(...)) " +
                $"or pass new CustomObjects().AddLayer<TLayer>(\"{key}\", ...) to Model.Load.");
        }

        var configObject = s.Config.IsNull ? [] : s.Config.AsObject();
        var layer = Construct(envelope, $"custom layer '{s.ClassName}'", () => factory(new LayerConfig(configObject, envelope.Context.Path, envelope.Context.Entry)))
            ?? throw envelope.Fail($"the factory registered for '{s.ClassName}' returned null.");
        if (layer is Model model && !model.Built && envelope.Has("build_config") && !envelope["build_config"]["input_shape"].IsNull)
        {
            var dims = envelope["build_config"]["input_shape"].ShapeDims();
            Construct(envelope, $"model '{model.Name}'", () => { model.EnsureBuilt(new Shape(dims)); return 0; });
        }

        return layer;
    }

    private static string ActivationName(ConfigNode node)
    {
        if (node.IsNull)
        {
            return "linear";
        }

        if (node.IsString)
        {
            return node.String();
        }

        // A function serialized as an object: {"class_name": "function", "config": "<name>"}.
        var s = Unwrap(node);
        return s.Config.IsString ? s.Config.String() : s.RegisteredName ?? s.ClassName;
    }

    private static Dense BuildDense(ConfigNode c, string? name)
    {
        RejectConstraint(c, "kernel_constraint");
        RejectConstraint(c, "bias_constraint");
        int units = c["units"].Int();
        string activation = ActivationName(c["activation"]);
        bool useBias = c["use_bias"].OptBool(true);
        var ki = Initializer(c["kernel_initializer"]);
        var bi = Initializer(c["bias_initializer"]);
        var kr = Regularizer(c["kernel_regularizer"]);
        var br = Regularizer(c["bias_regularizer"]);
        var ar = Regularizer(c["activity_regularizer"]);
        return Construct(c, $"Dense '{name}'", () => new Dense(units, activation, useBias, ki, bi, kr, br, ar, name));
    }

    private static BatchNormalization BuildBatchNormalization(ConfigNode c, string? name)
    {
        RejectConstraint(c, "beta_constraint");
        RejectConstraint(c, "gamma_constraint");
        if (c["renorm"].OptBool(false))
        {
            throw c["renorm"].Fail("batch renormalization (renorm=true) is not supported.");
        }

        var axisNode = c["axis"];
        int axis = -1;
        if (axisNode.IsArray)
        {
            var items = axisNode.Items();
            if (items.Count != 1)
            {
                throw axisNode.Fail($"only a single normalization axis is supported, found {items.Count}.");
            }

            axis = items[0].Int();
        }
        else if (!axisNode.IsNull)
        {
            axis = axisNode.Int();
        }

        double momentum = c["momentum"].OptDouble(0.99);
        double epsilon = c["epsilon"].OptDouble(1e-3);
        bool center = c["center"].OptBool(true);
        bool scale = c["scale"].OptBool(true);
        var bi = Initializer(c["beta_initializer"]);
        var gi = Initializer(c["gamma_initializer"]);
        var mmi = Initializer(c["moving_mean_initializer"]);
        var mvi = Initializer(c["moving_variance_initializer"]);
        var br = Regularizer(c["beta_regularizer"]);
        var gr = Regularizer(c["gamma_regularizer"]);
        return Construct(c, $"BatchNormalization '{name}'", () => new BatchNormalization(axis, momentum, epsilon, center, scale, bi, gi, mmi, mvi, br, gr, name));
    }

    private static void RejectConstraint(ConfigNode c, string key)
    {
        if (!c[key].IsNull)
        {
            throw c[key].Fail("weight constraints are not supported yet; the layer would train differently.");
        }
    }

    // ---------------------------------------------------------------- initializers and regularizers

    public static Initializer? Initializer(ConfigNode node)
    {
        if (node.IsNull)
        {
            return null;
        }

        if (node.IsString)
        {
            string id = node.String();
            return Construct(node, $"initializer '{id}'", () => KerasNotes.Initializers.Initializer.Get(id));
        }

        var s = Unwrap(node);
        var c = s.Config;
        int? seed = c.IsNull ? null : c["seed"].NullableInt();
        return s.ClassName switch
        {
            "GlorotUniform" => new GlorotUniform(seed),
            "GlorotNormal" => new GlorotNormal(seed),
            "HeUniform" => new HeUniform(seed),
            "HeNormal" => new HeNormal(seed),
            "LecunUniform" => new LecunUniform(seed),
            "LecunNormal" => new LecunNormal(seed),
            "Zeros" => new Zeros(),
            "Ones" => new Ones(),
            "Constant" => Construct(node, "Constant", () => new Constant(c["value"].OptDouble(0))),
            "Identity" => Construct(node, "Identity", () => new Identity(c["gain"].OptDouble(1))),
            "Orthogonal" => Construct(node, "Orthogonal", () => new Orthogonal(c["gain"].OptDouble(1), seed)),
            "RandomNormal" => Construct(node, "RandomNormal", () => new RandomNormal(c["mean"].OptDouble(0), c["stddev"].OptDouble(0.05), seed)),
            "RandomUniform" => Construct(node, "RandomUniform", () => new RandomUniform(c["minval"].OptDouble(-0.05), c["maxval"].OptDouble(0.05), seed)),
            "TruncatedNormal" => Construct(node, "TruncatedNormal", () => new TruncatedNormal(c["mean"].OptDouble(0), c["stddev"].OptDouble(0.05), seed)),
            "VarianceScaling" => Construct(node, "VarianceScaling", () => new VarianceScaling(
                c["scale"].OptDouble(1), c["mode"].OptString("fan_in"), c["distribution"].OptString("truncated_normal"), seed)),
            _ => throw node.Fail($"unknown initializer class '{s.ClassName}'; custom initializers cannot be loaded."),
        };
    }

    public static Regularizer? Regularizer(ConfigNode node)
    {
        if (node.IsNull)
        {
            return null;
        }

        if (node.IsString)
        {
            string id = node.String();
            return Construct(node, $"regularizer '{id}'", () => KerasNotes.Regularizers.Regularizer.Get(id));
        }

        var s = Unwrap(node);
        var c = s.Config;
        return s.ClassName switch
        {
            "L1" => Construct(node, "L1", () => new L1(c["l1"].OptDouble(0.01))),
            "L2" => Construct(node, "L2", () => new L2(c["l2"].OptDouble(0.01))),
            "L1L2" => Construct(node, "L1L2", () => new L1L2(c["l1"].OptDouble(0), c["l2"].OptDouble(0))),
            _ => throw node.Fail($"unknown regularizer class '{s.ClassName}'; custom regularizers cannot be loaded."),
        };
    }

    // ---------------------------------------------------------------- optimizers

    public static Optimizer Optimizer(ConfigNode node)
    {
        if (node.IsString)
        {
            string id = node.String();
            return Construct(node, $"optimizer '{id}'", () => KerasNotes.Optimizers.Optimizer.Get(id));
        }

        var s = Unwrap(node);
        var c = s.Config;
        string cls = s.ClassName.StartsWith("Custom>", StringComparison.Ordinal) ? s.ClassName["Custom>".Length..] : s.ClassName;
        if (c["use_ema"].OptBool(false))
        {
            throw c["use_ema"].Fail("optimizers with use_ema=true are not supported yet.");
        }

        if (!c["gradient_accumulation_steps"].IsNull)
        {
            throw c["gradient_accumulation_steps"].Fail("gradient accumulation is not supported yet.");
        }

        if (!c["loss_scale_factor"].IsNull)
        {
            throw c["loss_scale_factor"].Fail("loss scaling is not supported yet.");
        }

        var lrNode = c.Has("learning_rate") ? c["learning_rate"] : c["lr"];
        var schedule = lrNode.IsObject ? Schedule(lrNode) : null;
        double? lr = schedule is null ? lrNode.NullableDouble() : null;
        double? wd = c["weight_decay"].NullableDouble();
        double? clipNorm = c["clipnorm"].NullableDouble();
        double? clipValue = c["clipvalue"].NullableDouble();
        double? globalClipNorm = c["global_clipnorm"].NullableDouble();
        string? name = c["name"].OptString();
        return cls.ToUpperInvariant() switch
        {
            "ADAM" => Construct(node, "Adam", () => schedule is null
                ? new Adam(lr ?? 0.001, c["beta_1"].OptDouble(0.9), c["beta_2"].OptDouble(0.999), c["epsilon"].OptDouble(1e-7), c["amsgrad"].OptBool(false), wd, clipNorm, clipValue, globalClipNorm, name ?? "adam")
                : new Adam(schedule, c["beta_1"].OptDouble(0.9), c["beta_2"].OptDouble(0.999), c["epsilon"].OptDouble(1e-7), c["amsgrad"].OptBool(false), wd, clipNorm, clipValue, globalClipNorm, name ?? "adam")),
            "ADAMW" => Construct(node, "AdamW", () => schedule is null
                ? new AdamW(lr ?? 0.001, wd ?? 0.004, c["beta_1"].OptDouble(0.9), c["beta_2"].OptDouble(0.999), c["epsilon"].OptDouble(1e-7), c["amsgrad"].OptBool(false), clipNorm, clipValue, globalClipNorm, name ?? "adamw")
                : new AdamW(schedule, wd ?? 0.004, c["beta_1"].OptDouble(0.9), c["beta_2"].OptDouble(0.999), c["epsilon"].OptDouble(1e-7), c["amsgrad"].OptBool(false), clipNorm, clipValue, globalClipNorm, name ?? "adamw")),
            "SGD" => Construct(node, "SGD", () => schedule is null
                ? new SGD(lr ?? 0.01, c["momentum"].OptDouble(0), c["nesterov"].OptBool(false), wd, clipNorm, clipValue, globalClipNorm, name ?? "SGD")
                : new SGD(schedule, c["momentum"].OptDouble(0), c["nesterov"].OptBool(false), wd, clipNorm, clipValue, globalClipNorm, name ?? "SGD")),
            "RMSPROP" => Construct(node, "RMSprop", () => schedule is null
                ? new RMSprop(lr ?? 0.001, c["rho"].OptDouble(0.9), c["momentum"].OptDouble(0), c["epsilon"].OptDouble(1e-7), c["centered"].OptBool(false), wd, clipNorm, clipValue, globalClipNorm, name ?? "rmsprop")
                : new RMSprop(schedule, c["rho"].OptDouble(0.9), c["momentum"].OptDouble(0), c["epsilon"].OptDouble(1e-7), c["centered"].OptBool(false), wd, clipNorm, clipValue, globalClipNorm, name ?? "rmsprop")),
            "ADAGRAD" => Construct(node, "Adagrad", () => schedule is null
                ? new Adagrad(lr ?? 0.001, c["initial_accumulator_value"].OptDouble(0.1), c["epsilon"].OptDouble(1e-7), wd, clipNorm, clipValue, globalClipNorm, name ?? "adagrad")
                : new Adagrad(schedule, c["initial_accumulator_value"].OptDouble(0.1), c["epsilon"].OptDouble(1e-7), wd, clipNorm, clipValue, globalClipNorm, name ?? "adagrad")),
            _ => throw node.Fail($"unknown optimizer class '{s.ClassName}'; expected Adam, AdamW, SGD, RMSprop or Adagrad."),
        };
    }

    /// <summary>The built-in learning-rate schedules (Keras keras.optimizers.schedules), by class name.</summary>
    private static LearningRateSchedule Schedule(ConfigNode node)
    {
        var s = Unwrap(node);
        var c = s.Config;
        return s.ClassName switch
        {
            "ExponentialDecay" => Construct(node, "ExponentialDecay", () => new ExponentialDecay(
                c["initial_learning_rate"].Double(), c["decay_steps"].Int(), c["decay_rate"].Double(), c["staircase"].OptBool(false))),
            "InverseTimeDecay" => Construct(node, "InverseTimeDecay", () => new InverseTimeDecay(
                c["initial_learning_rate"].Double(), c["decay_steps"].Int(), c["decay_rate"].Double(), c["staircase"].OptBool(false))),
            "PolynomialDecay" => Construct(node, "PolynomialDecay", () => new PolynomialDecay(
                c["initial_learning_rate"].Double(), c["decay_steps"].Int(), c["end_learning_rate"].OptDouble(0.0001), c["power"].OptDouble(1.0), c["cycle"].OptBool(false))),
            "CosineDecay" => Construct(node, "CosineDecay", () => new CosineDecay(
                c["initial_learning_rate"].Double(), c["decay_steps"].Int(), c["alpha"].OptDouble(0.0), c["warmup_target"].NullableDouble(), c["warmup_steps"].OptInt(0))),
            "PiecewiseConstantDecay" => Construct(node, "PiecewiseConstantDecay", () => new PiecewiseConstantDecay(
                c["boundaries"].Items().Select(b => (long)b.Int()).ToArray(), c["values"].Items().Select(v => v.Double()).ToArray())),
            _ => throw node.Fail($"unknown learning-rate schedule '{s.ClassName}'; expected ExponentialDecay, InverseTimeDecay, PolynomialDecay, CosineDecay or PiecewiseConstantDecay."),
        };
    }

    // ---------------------------------------------------------------- compile arguments

    public static (OptimizerSpec Optimizer, LossSpec? Loss, object[]? Metrics, object[]? WeightedMetrics) Compile(ConfigNode cc, ConfigNode optimizerNode)
    {
        var optimizer = optimizerNode.IsNull ? KerasNotes.Optimizers.Optimizer.Get("rmsprop") : Optimizer(optimizerNode);
        var loss = Loss(cc["loss"]);
        var metrics = Metrics(cc["metrics"]);
        var weighted = Metrics(cc["weighted_metrics"]);
        if (!cc["loss_weights"].IsNull)
        {
            throw cc["loss_weights"].Fail("loss_weights (multi-output models) are not supported.");
        }

        return (optimizer, loss, metrics, weighted);
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
            throw node.Fail("expected a loss name or one serialized loss; multi-output losses are not supported.");
        }

        var s = Unwrap(node);
        var c = s.Config;
        if (s.ClassName == "function")
        {
            return LossByName(node, c.IsString ? c.String() : s.RegisteredName ?? s.ClassName);
        }

        string reduction = c.IsNull ? "sum_over_batch_size" : c["reduction"].OptString("sum_over_batch_size");
        if (reduction is "auto" or "sum_over_batch_size" || reduction.Length == 0)
        {
            reduction = "sum_over_batch_size";
        }

        string? name = c.IsNull ? null : c["name"].OptString();
        bool fromLogits = !c.IsNull && c["from_logits"].OptBool(false);
        double smoothing = c.IsNull ? 0 : c["label_smoothing"].OptDouble(0);
        Loss? loss = s.ClassName switch
        {
            "MeanSquaredError" => Construct(node, "MeanSquaredError", () => new Losses.MeanSquaredError(reduction, name ?? "mean_squared_error")),
            "MeanAbsoluteError" => Construct(node, "MeanAbsoluteError", () => new Losses.MeanAbsoluteError(reduction, name ?? "mean_absolute_error")),
            "MeanAbsolutePercentageError" => Construct(node, "MeanAbsolutePercentageError", () => new Losses.MeanAbsolutePercentageError(reduction, name ?? "mean_absolute_percentage_error")),
            "MeanSquaredLogarithmicError" => Construct(node, "MeanSquaredLogarithmicError", () => new Losses.MeanSquaredLogarithmicError(reduction, name ?? "mean_squared_logarithmic_error")),
            "BinaryCrossentropy" => Construct(node, "BinaryCrossentropy", () => new Losses.BinaryCrossentropy(fromLogits, smoothing, reduction, name ?? "binary_crossentropy")),
            "CategoricalCrossentropy" => Construct(node, "CategoricalCrossentropy", () => new Losses.CategoricalCrossentropy(fromLogits, smoothing, reduction, name ?? "categorical_crossentropy")),
            "SparseCategoricalCrossentropy" => Construct(node, "SparseCategoricalCrossentropy", () => new Losses.SparseCategoricalCrossentropy(fromLogits, reduction, name ?? "sparse_categorical_crossentropy")),
            "Huber" => Construct(node, "Huber", () => new Losses.Huber(c["delta"].OptDouble(1.0), reduction, name ?? "huber_loss")),
            "LogCosh" => Construct(node, "LogCosh", () => new Losses.LogCosh(reduction, name ?? "log_cosh")),
            "KLDivergence" => Construct(node, "KLDivergence", () => new Losses.KLDivergence(reduction, name ?? "kl_divergence")),
            "Poisson" => Construct(node, "Poisson", () => new Losses.Poisson(reduction, name ?? "poisson")),
            "Hinge" => Construct(node, "Hinge", () => new Losses.Hinge(reduction, name ?? "hinge")),
            "SquaredHinge" => Construct(node, "SquaredHinge", () => new Losses.SquaredHinge(reduction, name ?? "squared_hinge")),
            "CategoricalHinge" => Construct(node, "CategoricalHinge", () => new Losses.CategoricalHinge(reduction, name ?? "categorical_hinge")),
            _ => null,
        };
        if (loss is not null)
        {
            return loss;
        }

        foreach (string? key in new[] { s.RegisteredName, s.ClassName, name })
        {
            if (key is not null && CustomObjects.TryGetLoss(key, out var custom))
            {
                return custom;
            }
        }

        throw node.Fail(
            $"unknown loss class '{s.ClassName}'; register it with CustomObjects.RegisterLoss(\"{s.RegisteredName ?? s.ClassName}\", ...) " +
            "or pass new CustomObjects().AddLoss(...) to Model.Load.");
    }

    private static LossSpec LossByName(ConfigNode node, string name)
    {
        if (CustomObjects.TryGetLossFunction(name, out var fn))
        {
            return fn;
        }

        if (LossRegistry.TryGet(name) is null && !CustomObjects.IsRegisteredLoss(name))
        {
            throw node.Fail(
                $"unknown loss '{name}'; register it with CustomObjects.RegisterLoss(\"{name}\", ...) or pass new CustomObjects().AddLoss(\"{name}\", ...) to Model.Load.");
        }

        return name;
    }

    private static object[]? Metrics(ConfigNode node)
    {
        if (node.IsNull)
        {
            return null;
        }

        if (node.IsObject)
        {
            throw node.Fail("per-output metric dictionaries (multi-output models) are not supported.");
        }

        var result = new List<object>();
        foreach (var item in node.Items())
        {
            if (item.IsArray)
            {
                // tf.keras 2 writes one list per output; a single-output model has one.
                foreach (var inner in item.Items())
                {
                    result.Add(Metric(inner));
                }
            }
            else if (!item.IsNull)
            {
                result.Add(Metric(item));
            }
        }

        return [.. result];
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

        string? name = c.IsNull ? null : c["name"].OptString();
        if (s.ClassName == "MeanMetricWrapper")
        {
            // tf.keras 2: {"name": "mae", "fn": "mean_absolute_error"}.
            string? fn = c["fn"].IsString ? c["fn"].String() : null;
            if (name is not null && MetricRegistry.TryGet(name) is not null)
            {
                return name;
            }

            return MetricByName(node, fn ?? name ?? "MeanMetricWrapper");
        }

        Metric? metric = s.ClassName switch
        {
            "BinaryAccuracy" => Construct(node, "BinaryAccuracy", () => new BinaryAccuracy(c["threshold"].OptDouble(0.5), name ?? "binary_accuracy")),
            "TopKCategoricalAccuracy" => Construct(node, "TopKCategoricalAccuracy", () => new TopKCategoricalAccuracy(c["k"].OptInt(5), name ?? "top_k_categorical_accuracy")),
            "SparseTopKCategoricalAccuracy" => Construct(node, "SparseTopKCategoricalAccuracy", () => new SparseTopKCategoricalAccuracy(c["k"].OptInt(5), name ?? "sparse_top_k_categorical_accuracy")),
            "Accuracy" => new Accuracy(name ?? "accuracy"),
            "CategoricalAccuracy" => new CategoricalAccuracy(name ?? "categorical_accuracy"),
            "SparseCategoricalAccuracy" => new SparseCategoricalAccuracy(name ?? "sparse_categorical_accuracy"),
            _ => MetricRegistry.TryGet(s.ClassName),
        };
        if (metric is not null)
        {
            if (name is not null)
            {
                metric.Name = name;
            }

            return metric;
        }

        foreach (string? key in new[] { s.RegisteredName, s.ClassName, name })
        {
            if (key is not null && CustomObjects.TryGetMetric(key, out var custom))
            {
                return custom;
            }
        }

        throw node.Fail(
            $"unknown metric class '{s.ClassName}'; register it with CustomObjects.RegisterMetric(\"{s.RegisteredName ?? s.ClassName}\", ...) " +
            "or pass new CustomObjects().AddMetric(...) to Model.Load.");
    }

    private static object MetricByName(ConfigNode node, string name)
    {
        if (CustomObjects.TryGetMetricFunction(name, out var fn))
        {
            return fn;
        }

        if (MetricRegistry.TryGet(name) is null && !CustomObjects.IsRegisteredMetric(name))
        {
            throw node.Fail(
                $"unknown metric '{name}'; register it with CustomObjects.RegisterMetric(\"{name}\", ...) or pass new CustomObjects().AddMetric(\"{name}\", ...) to Model.Load.");
        }

        return name;
    }
}
