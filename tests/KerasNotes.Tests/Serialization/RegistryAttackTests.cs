using KerasNotes.Activations;
using KerasNotes.Initializers;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Optimizers.Schedules;
using KerasNotes.Regularizers;
using KerasNotes.Saving;
using KerasNotes.Tests.Saving;
using KLosses = KerasNotes.Losses;
using KMetrics = KerasNotes.Metrics;

namespace KerasNotes.Tests.Serialization;

/// <summary>
/// An outside attack on the per-concept registries through the public API: every name that resolved before the
/// registries still resolves to the same class, lookups ignore case only where Keras does, a custom name cannot
/// shadow a built-in, registrations from many threads do not disturb loads, and configs survive a file.
/// </summary>
public sealed class RegistryAttackTests
{
    [Theory]
    [InlineData("mean_squared_error", typeof(KLosses.MeanSquaredError))]
    [InlineData("mse", typeof(KLosses.MeanSquaredError))]
    [InlineData("MeanSquaredError", typeof(KLosses.MeanSquaredError))]
    [InlineData("mae", typeof(KLosses.MeanAbsoluteError))]
    [InlineData("mape", typeof(KLosses.MeanAbsolutePercentageError))]
    [InlineData("msle", typeof(KLosses.MeanSquaredLogarithmicError))]
    [InlineData("bce", typeof(KLosses.BinaryCrossentropy))]
    [InlineData("binary_crossentropy", typeof(KLosses.BinaryCrossentropy))]
    [InlineData("BinaryCrossentropy", typeof(KLosses.BinaryCrossentropy))]
    [InlineData("categorical_crossentropy", typeof(KLosses.CategoricalCrossentropy))]
    [InlineData("sparse_categorical_crossentropy", typeof(KLosses.SparseCategoricalCrossentropy))]
    [InlineData("huber", typeof(KLosses.Huber))]
    [InlineData("huber_loss", typeof(KLosses.Huber))]
    [InlineData("log_cosh", typeof(KLosses.LogCosh))]
    [InlineData("logcosh", typeof(KLosses.LogCosh))]
    [InlineData("kld", typeof(KLosses.KLDivergence))]
    [InlineData("kl_divergence", typeof(KLosses.KLDivergence))]
    [InlineData("kullback_leibler_divergence", typeof(KLosses.KLDivergence))]
    [InlineData("KLDivergence", typeof(KLosses.KLDivergence))]
    [InlineData("poisson", typeof(KLosses.Poisson))]
    [InlineData("hinge", typeof(KLosses.Hinge))]
    [InlineData("squared_hinge", typeof(KLosses.SquaredHinge))]
    [InlineData("categorical_hinge", typeof(KLosses.CategoricalHinge))]
    [InlineData(" mse ", typeof(KLosses.MeanSquaredError))]
    public void Every_loss_name_that_resolved_before_the_registries_still_resolves_to_its_class(string name, Type expected) =>
        KLosses.Loss.Get(name).Should().BeOfType(expected);

    [Theory]
    [InlineData("crossentropy")]
    [InlineData("ce")]
    public void The_shape_resolved_crossentropy_names_still_resolve_and_keep_the_name(string name) =>
        KLosses.Loss.Get(name).Name.Should().Be(name);

    [Theory]
    [InlineData("acc", "acc")]
    [InlineData("accuracy", "accuracy")]
    [InlineData("mse", "mse")]
    [InlineData("mae", "mae")]
    [InlineData("MeanSquaredError", "mean_squared_error")]
    [InlineData("bce", "bce")]
    [InlineData("kld", "kld")]
    [InlineData("logcosh", "logcosh")]
    [InlineData("root_mean_squared_error", "root_mean_squared_error")]
    [InlineData("sparse_top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy")]
    [InlineData(" acc ", "acc")]
    public void Every_metric_name_that_resolved_before_the_registries_keeps_its_log_key(string name, string key) =>
        KMetrics.Metric.Get(name).Name.Should().Be(key);

    [Theory]
    [InlineData("adam", typeof(Adam))]
    [InlineData("Adam", typeof(Adam))]
    [InlineData("ADAM", typeof(Adam))]
    [InlineData(" adam ", typeof(Adam))]
    [InlineData("adamw", typeof(AdamW))]
    [InlineData("AdamW", typeof(AdamW))]
    [InlineData("sgd", typeof(SGD))]
    [InlineData("SGD", typeof(SGD))]
    [InlineData("rmsprop", typeof(RMSprop))]
    [InlineData("RMSProp", typeof(RMSprop))]
    [InlineData("adagrad", typeof(Adagrad))]
    public void Optimizer_names_ignore_case_as_before(string name, Type expected) =>
        Optimizer.Get(name).Should().BeOfType(expected);

    [Theory]
    [InlineData("glorot_uniform", typeof(GlorotUniform))]
    [InlineData("GlorotUniform", typeof(GlorotUniform))]
    [InlineData("GLOROT_UNIFORM", typeof(GlorotUniform))]
    [InlineData("glorotuniform", typeof(GlorotUniform))]
    [InlineData("he_normal", typeof(HeNormal))]
    [InlineData("zeros", typeof(Zeros))]
    [InlineData("zero", typeof(Zeros))]
    [InlineData("one", typeof(Ones))]
    [InlineData("normal", typeof(RandomNormal))]
    [InlineData("uniform", typeof(RandomUniform))]
    [InlineData("random_uniform", typeof(RandomUniform))]
    [InlineData("truncated_normal", typeof(TruncatedNormal))]
    [InlineData("orthogonal", typeof(Orthogonal))]
    [InlineData("identity", typeof(Identity))]
    [InlineData("VarianceScaling", typeof(VarianceScaling))]
    [InlineData("constant", typeof(Constant))]
    public void Initializer_names_ignore_case_and_underscores_as_before(string name, Type expected) =>
        Initializer.Get(name).Should().BeOfType(expected);

    [Theory]
    [InlineData("l1", typeof(L1))]
    [InlineData("L1", typeof(L1))]
    [InlineData("l2", typeof(L2))]
    [InlineData("l1_l2", typeof(L1L2))]
    [InlineData("L1L2", typeof(L1L2))]
    [InlineData("L1_L2", typeof(L1L2))]
    public void Regularizer_names_resolve_as_before(string name, Type expected) =>
        Regularizer.Get(name).Should().BeOfType(expected);

    [Fact]
    public void The_l1_l2_alias_keeps_Keras_3_factors_of_zero()
    {
        var r = (L1L2)Regularizer.Get("l1_l2");
        r.L1Factor.Should().Be(0);
        r.L2Factor.Should().Be(0);
        ((L1)Regularizer.Get("l1")).Factor.Should().Be(0.01);
    }

    [Fact]
    public void Unknown_names_are_refused_with_the_known_names_listed()
    {
        FluentActions.Invoking(() => KLosses.Loss.Get("msee")).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("msee").And.Contain("mse").And.Contain("categorical_crossentropy");
        FluentActions.Invoking(() => KMetrics.Metric.Get("acuracy")).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("acuracy").And.Contain("accuracy");
        FluentActions.Invoking(() => Optimizer.Get("adamax")).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("adamax").And.Contain("\"adam\"").And.Contain("\"sgd\"");
        FluentActions.Invoking(() => Initializer.Get("glorot")).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("glorot_uniform");
        FluentActions.Invoking(() => Regularizer.Get("l3")).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("l1_l2");
        FluentActions.Invoking(() => ActivationFunctions.Get("rellu")).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("relu");
    }

    [Fact]
    public void Loss_and_metric_names_stay_case_sensitive_beyond_the_aliases_Keras_has()
    {
        FluentActions.Invoking(() => KLosses.Loss.Get("Mse")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => KMetrics.Metric.Get("Mae")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Accuracy_and_crossentropy_in_any_case_are_resolved_from_the_shapes_as_Keras_compile_does()
    {
        var model = new Sequential(new Input(4), new Dense(3, activation: "softmax", kernelInitializer: new GlorotUniform(2)));
        model.Compile("sgd", "CE", ["Accuracy", "ACC", "sparse_categorical_accuracy"]);
        var (x, _) = SavingTestSupport.SmallData(12);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => (float)(i % 3))], 12);
        var logs = model.Evaluate(x, y);
        logs.Keys.Should().Equal("loss", "Accuracy", "ACC", "sparse_categorical_accuracy");
        logs["Accuracy"].Should().Be(logs["sparse_categorical_accuracy"]);
        logs["ACC"].Should().Be(logs["sparse_categorical_accuracy"]);
        model.Compile("sgd", "sparse_categorical_crossentropy");
        model.Evaluate(x, y)["loss"].Should().Be(logs["loss"]);
    }

    // ----- a custom name that collides with a built-in

    private static Tensor Doubled(Tensor yTrue, Tensor yPred) => Ops.Mean(100f * Ops.Square(yTrue - yPred), axis: -1);

    [Fact]
    public void A_per_load_loss_named_like_a_built_in_does_not_replace_the_built_in_of_a_file()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(4), new Dense(1, kernelInitializer: new GlorotUniform(3)));
        model.Compile("sgd", "mse");
        var (x, _) = SavingTestSupport.SmallData(16);
        var y = Tensor.FromArray(new float[16], 16, 1);
        double before = model.Evaluate(x, y)["loss"];
        model.Save(temp.File("m.keras"));

        // Either the registration is refused (a built-in name always wins), or the built-in is what the file gets.
        CustomObjects custom;
        try
        {
            custom = new CustomObjects().AddLoss("mse", Doubled);
        }
        catch (ArgumentException e)
        {
            e.Message.Should().Contain("mse");
            return;
        }

        var loaded = Model.Load(temp.File("m.keras"), custom);
        loaded.Evaluate(x, y)["loss"].Should().Be(before);
    }

    [Fact]
    public void A_per_load_metric_named_like_a_built_in_does_not_replace_the_built_in_of_a_file()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(4), new Dense(1, kernelInitializer: new GlorotUniform(3)));
        model.Compile("sgd", "mse", ["mae"]);
        var (x, _) = SavingTestSupport.SmallData(16);
        var y = Tensor.FromArray(new float[16], 16, 1);
        double before = model.Evaluate(x, y)["mae"];
        model.Save(temp.File("m.keras"));

        CustomObjects custom;
        try
        {
            custom = new CustomObjects().AddMetric("mae", (t, p) => Ops.Mean(100f * Ops.Abs(t - p), axis: -1));
        }
        catch (ArgumentException e)
        {
            e.Message.Should().Contain("mae");
            return;
        }

        var loaded = Model.Load(temp.File("m.keras"), custom);
        loaded.Evaluate(x, y)["mae"].Should().Be(before);
    }

    private sealed class FakeDense(int units) : Layer
    {
        public int Units { get; } = units;

        protected override Tensor Call(Tensor inputs, bool training) => inputs;

        public override IDictionary<string, object?> GetConfig()
        {
            var config = base.GetConfig();
            config["units_of_fake"] = Units;
            return config;
        }
    }

    [Fact]
    public void A_custom_layer_registered_under_a_built_in_class_name_is_refused()
    {
        FluentActions.Invoking(() => new CustomObjects().AddLayer("Dense", c => new FakeDense(c.GetInt32("units_of_fake"))))
            .Should().Throw<ArgumentException>().Which.Message.Should().Contain("Dense");
    }

    [Fact]
    public void A_custom_loss_registered_under_a_built_in_name_is_refused()
    {
        FluentActions.Invoking(() => new CustomObjects().AddLoss("mse", Doubled)).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("mse");
        FluentActions.Invoking(() => new CustomObjects().AddLoss("Huber", () => new KLosses.Huber(3))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new CustomObjects().AddMetric("accuracy", (t, p) => t)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new CustomObjects().AddMetric("BinaryAccuracy", () => new KMetrics.BinaryAccuracy())).Should().Throw<ArgumentException>();
    }

    // ----- configs through a file

    /// <summary>A config as one comparable string: nested initializers, regularizers and schedules by class and config.</summary>
    private static string Canonical(object? value) => value switch
    {
        null => "null",
        string str => $"'{str}'",
        bool b => b ? "true" : "false",
        float f => ((double)f).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        int or long => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
        Initializer i => $"{i.ClassName}{Canonical(i.GetConfig())}",
        Regularizer r => $"{r.GetType().Name}{Canonical(r.GetConfig())}",
        LearningRateSchedule s => $"{s.GetType().Name}{Canonical(s.GetConfig())}",
        IEnumerable<KeyValuePair<string, object?>> map => "{" + string.Join(", ", map.Select(kv => $"{kv.Key}: {Canonical(kv.Value)}")) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Canonical)) + "]",
        _ => value.ToString()!,
    };

    public static TheoryData<string> CompiledSetups => ["adam-schedule", "sgd-nesterov", "rmsprop-centered", "adamw-clip", "adagrad-piecewise"];

    internal static Sequential BuildCompiled(string setup)
    {
        var model = new Sequential(
            new Input(6, 6, 2),
            new Conv2D(3, (2, 3), strides: (1, 2), padding: "same", activation: "tanh",
                kernelInitializer: new VarianceScaling(2.0, "fan_out", "uniform", seed: 3), biasInitializer: new Constant(0.25),
                kernelRegularizer: new L1L2(0.001, 0.002), biasRegularizer: new L1(0.003), activityRegularizer: new L2(0.0004)),
            new MaxPooling2D((2, 1), strides: (1, 1), padding: "same"),
            new Conv2D(2, 3, dilationRate: 2, padding: "same", useBias: false, kernelInitializer: new Orthogonal(1.5, seed: 4)),
            new AveragePooling2D(2),
            new Flatten(),
            new Dense(3, activation: "softmax", kernelInitializer: new TruncatedNormal(0.1, 0.2, seed: 5), biasInitializer: new RandomUniform(-0.2, 0.3, seed: 6)));
        switch (setup)
        {
            case "adam-schedule":
                model.Compile(new Adam(new ExponentialDecay(0.01, 7, 0.5, staircase: true), beta1: 0.8, beta2: 0.95, epsilon: 1e-5, amsgrad: true),
                    new KLosses.CategoricalCrossentropy(fromLogits: false, labelSmoothing: 0.1, reduction: "sum"),
                    [new KMetrics.CategoricalCrossentropy(name: "cce_logits", fromLogits: true), new KMetrics.TopKCategoricalAccuracy(k: 2), "acc"]);
                break;
            case "sgd-nesterov":
                model.Compile(new SGD(0.05, momentum: 0.7, nesterov: true, clipValue: 0.5),
                    new KLosses.Huber(delta: 0.3, reduction: "mean_with_sample_weight"),
                    [new KMetrics.BinaryAccuracy(threshold: 0.7), new KMetrics.BinaryCrossentropy(fromLogits: true)]);
                break;
            case "rmsprop-centered":
                model.Compile(new RMSprop(0.002, rho: 0.8, momentum: 0.1, centered: true, globalClipNorm: 1.5),
                    new KLosses.BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.2),
                    [new KMetrics.MeanSquaredError(name: "m"), "mae", new KMetrics.RootMeanSquaredError()]);
                break;
            case "adamw-clip":
                model.Compile(new AdamW(new CosineDecay(0.01, 100, alpha: 0.1, warmupTarget: 0.02, warmupSteps: 5), weightDecay: 0.01, clipNorm: 2),
                    new KLosses.SparseCategoricalCrossentropy(fromLogits: true),
                    [new KMetrics.SparseCategoricalCrossentropy(fromLogits: true), new KMetrics.SparseTopKCategoricalAccuracy(k: 1)]);
                break;
            default:
                model.Compile(new Adagrad(new PiecewiseConstantDecay([3, 9], [0.1, 0.05, 0.01]), initialAccumulatorValue: 0.2, epsilon: 1e-6),
                    new KLosses.MeanSquaredError(reduction: "sum"),
                    weightedMetrics: [new KMetrics.KLDivergence(), "mse"]);
                break;
        }

        return model;
    }

    [Theory]
    [MemberData(nameof(CompiledSetups))]
    public void Every_config_of_a_compiled_CNN_survives_save_and_load(string setup)
    {
        using var temp = SavingTestSupport.Temp();
        var model = BuildCompiled(setup);
        model.Save(temp.File("m.keras"));
        var loaded = Model.Load(temp.File("m.keras"));

        Canonical(loaded.Optimizer!.GetConfig()).Should().Be(Canonical(model.Optimizer!.GetConfig()), "the optimizer config");
        loaded.Optimizer!.GetType().Should().Be(model.Optimizer!.GetType());
        Canonical(loaded.CompiledLoss!.GetConfig()).Should().Be(Canonical(model.CompiledLoss!.GetConfig()), "the loss config");
        loaded.CompiledLoss!.GetType().Should().Be(model.CompiledLoss!.GetType());
        loaded.CompiledMetrics.Select(m => m.GetType()).Should().Equal(model.CompiledMetrics.Select(m => m.GetType()));
        loaded.CompiledMetrics.Select(m => Canonical(m.GetConfig())).Should().Equal(model.CompiledMetrics.Select(m => Canonical(m.GetConfig())));
        loaded.MetricsNames.Should().Equal(model.MetricsNames);
        for (int i = 0; i < model.Layers.Count; i++)
        {
            Canonical(loaded.Layers[i].GetConfig()).Should().Be(Canonical(model.Layers[i].GetConfig()), $"layer {i}");
        }
    }

    // ----- custom factories and the per-load scope

    private sealed class Scaled(float factor, string? name = null) : Layer(name)
    {
        public float Factor { get; } = factor;

        protected override Tensor Call(Tensor inputs, bool training) => Ops.Multiply(inputs, Factor);

        public override IDictionary<string, object?> GetConfig()
        {
            var config = base.GetConfig();
            config["factor"] = Factor;
            return config;
        }
    }

    private static string SaveScaledModel(TempFolder temp, string layerName)
    {
        var model = new Sequential(new Input(3), new Scaled(2f), new Dense(2, kernelInitializer: new GlorotUniform(1)));
        model.Compile("sgd", "mse");
        string path = temp.File("scaled.keras");
        var register = new CustomObjects().AddLayer(layerName, c => new Scaled(c.GetSingle("factor")));
        _ = register;
        // The layer type is saved under its .NET name unless registered; per-load registrations never affect saving.
        model.Save(path);
        return path;
    }

    [Fact]
    public void A_layer_factory_that_returns_null_is_reported_as_a_format_error_naming_the_class()
    {
        using var temp = SavingTestSupport.Temp();
        string path = SaveScaledModel(temp, "Scaled");
        var e = FluentActions.Invoking(() => Model.Load(path, new CustomObjects().AddLayer<Scaled>("Scaled", _ => null!)))
            .Should().Throw<ModelFormatException>().Which;
        e.Message.Should().Contain("Scaled").And.Contain("null");
    }

    [Fact]
    public void A_layer_factory_that_throws_an_argument_error_is_reported_as_a_format_error()
    {
        using var temp = SavingTestSupport.Temp();
        string path = SaveScaledModel(temp, "Scaled");
        FluentActions.Invoking(() => Model.Load(path, new CustomObjects().AddLayer<Scaled>("Scaled", _ => throw new ArgumentOutOfRangeException("factor"))))
            .Should().Throw<ModelFormatException>().Which.Message.Should().Contain("Scaled");
    }

    [Fact]
    public void A_loss_factory_that_returns_null_for_a_loss_saved_by_name_is_reported_as_a_format_error()
    {
        using var temp = SavingTestSupport.Temp();
        string name = "attack_null_loss_" + Guid.NewGuid().ToString("N");
        var model = new Sequential(new Input(3), new Dense(1));
        var good = new CustomObjects().AddLoss(name, () => new KLosses.MeanSquaredError(name: name));
        // Compile resolves the name through the process-wide table, so register the working factory there.
        CustomObjects.RegisterLoss(name, () => new KLosses.MeanSquaredError(name: name));
        model.Compile("sgd", name);
        model.Save(temp.File("m.keras"));
        _ = good;

        FluentActions.Invoking(() => Model.Load(temp.File("m.keras"), new CustomObjects().AddLoss(name, () => null!)))
            .Should().Throw<ModelFormatException>().Which.Message.Should().Contain(name);
    }

    [Fact]
    public void A_per_load_registration_is_gone_once_the_load_returns()
    {
        using var temp = SavingTestSupport.Temp();
        string path = SaveScaledModel(temp, "Scaled");
        Model.Load(path, new CustomObjects().AddLayer("Scaled", c => new Scaled(c.GetSingle("factor")))).Layers[0].Should().BeOfType<Scaled>();
        FluentActions.Invoking(() => Model.Load(path)).Should().Throw<ModelFormatException>().Which.Message.Should().Contain("Scaled");
    }

    [Fact]
    public void A_per_load_registration_is_gone_after_a_load_that_failed()
    {
        using var temp = SavingTestSupport.Temp();
        string path = SaveScaledModel(temp, "Scaled");
        FluentActions.Invoking(() => Model.Load(path, new CustomObjects().AddLayer<Scaled>("Scaled", _ => throw new InvalidOperationException("boom"))))
            .Should().Throw<Exception>();
        FluentActions.Invoking(() => Model.Load(path)).Should().Throw<ModelFormatException>();
    }

    [Fact]
    public async Task Concurrent_loads_each_see_only_their_own_per_load_registrations()
    {
        using var temp = SavingTestSupport.Temp();
        string path = SaveScaledModel(temp, "Scaled");
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();

        // Load A stops inside its factory (its scope is active) while load B, without registrations, runs to the end.
        var a = Task.Run(() => Model.Load(path, new CustomObjects().AddLayer("Scaled", c =>
        {
            inside.Set();
            release.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
            return new Scaled(c.GetSingle("factor") * 10);
        })));
        inside.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        var b = Task.Run(() => Model.Load(path));
        await FluentActions.Awaiting(() => b).Should().ThrowAsync<ModelFormatException>();
        var c = await Task.Run(() => Model.Load(path, new CustomObjects().AddLayer("Scaled", cfg => new Scaled(cfg.GetSingle("factor") * 100))));
        ((Scaled)c.Layers[0]).Factor.Should().Be(200f);
        release.Set();
        ((Scaled)(await a).Layers[0]).Factor.Should().Be(20f);
    }

    [Fact]
    public void Registering_from_many_threads_while_others_load_loses_no_registration_and_fails_no_load()
    {
        using var temp = SavingTestSupport.Temp();
        string path = SaveScaledModel(temp, "Scaled");
        var model = new Sequential(new Input(3), new Dense(2, activation: "relu"));
        model.Compile("adam", "mse", ["mae"]);
        model.Save(temp.File("plain.keras"));
        string prefix = "attack_conc_" + Guid.NewGuid().ToString("N") + "_";
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = new List<Thread>();
        for (int t = 0; t < 4; t++)
        {
            int id = t;
            threads.Add(new Thread(() =>
            {
                try
                {
                    for (int i = 0; i < 200; i++)
                    {
                        CustomObjects.RegisterLoss($"{prefix}loss_{id}_{i}", (yt, yp) => Ops.Mean(Ops.Abs(yt - yp), axis: -1));
                        CustomObjects.RegisterMetric($"{prefix}metric_{id}_{i}", (yt, yp) => Ops.Mean(Ops.Abs(yt - yp), axis: -1));
                        CustomObjects.RegisterActivation($"{prefix}act_{id}_{i}", x => x);
                    }
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            }));
            threads.Add(new Thread(() =>
            {
                try
                {
                    for (int i = 0; i < 15; i++)
                    {
                        Model.Load(temp.File("plain.keras")).CompiledLoss.Should().NotBeNull();
                        var scaled = Model.Load(path, new CustomObjects().AddLayer("Scaled", c => new Scaled(c.GetSingle("factor") + id)));
                        ((Scaled)scaled.Layers[0]).Factor.Should().Be(2f + id);
                    }
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            }));
        }

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        errors.Should().BeEmpty();
        for (int id = 0; id < 4; id++)
        {
            for (int i = 0; i < 200; i++)
            {
                KLosses.Loss.Get($"{prefix}loss_{id}_{i}").Name.Should().Be($"{prefix}loss_{id}_{i}");
                KMetrics.Metric.Get($"{prefix}metric_{id}_{i}").Name.Should().Be($"{prefix}metric_{id}_{i}");
                ActivationFunctions.Get($"{prefix}act_{id}_{i}").Should().NotBeNull();
            }
        }
    }

    private sealed class PackagedScaled(float factor, string? name = null) : Layer(name)
    {
        public float Factor { get; } = factor;

        protected override Tensor Call(Tensor inputs, bool training) => Ops.Multiply(inputs, Factor);

        public override IDictionary<string, object?> GetConfig()
        {
            var config = base.GetConfig();
            config["factor"] = Factor;
            return config;
        }
    }

    [Fact]
    public void A_custom_layer_registered_as_package_and_built_in_class_name_loads_as_itself()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(3), new PackagedScaled(4f), new Dense(2, kernelInitializer: new GlorotUniform(1)));

        // Keras's "package>Class" form: the file's class_name is "Dense", its registered_name says which Dense it is.
        CustomObjects.RegisterLayer("attack_pkg>Dense", c => new PackagedScaled(c.GetSingle("factor")));
        model.Save(temp.File("m.keras"));
        var loaded = Model.Load(temp.File("m.keras"));
        loaded.Layers[0].Should().BeOfType<PackagedScaled>().Which.Factor.Should().Be(4f);
        loaded.Layers[1].Should().BeOfType<Dense>();
    }

    [Fact]
    public void A_model_compiled_with_the_objects_that_Get_returns_for_crossentropy_and_accuracy_loads_again()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(4), new Dense(3, activation: "softmax", kernelInitializer: new GlorotUniform(2)));
        model.Compile("adam", KLosses.Loss.Get("crossentropy"), [KMetrics.Metric.Get("accuracy"), KMetrics.Metric.Get("acc")]);
        var (x, _) = SavingTestSupport.SmallData(12);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => (float)(i % 3))], 12);
        var before = model.Evaluate(x, y);
        model.Save(temp.File("m.keras"));

        var loaded = Model.Load(temp.File("m.keras"));
        loaded.Evaluate(x, y).Should().Equal(before);
        loaded.MetricsNames.Should().Equal(model.MetricsNames);
    }

    [Theory]
    [InlineData("MSE")]
    [InlineData("MAE")]
    [InlineData("MAPE")]
    [InlineData("MSLE")]
    [InlineData("BCE")]
    [InlineData("KLD")]
    public void The_upper_case_loss_aliases_of_Keras_3_resolve(string name) =>
        FluentActions.Invoking(() => KLosses.Loss.Get(name)).Should().NotThrow();

    [Theory]
    [InlineData("MSE")]
    [InlineData("MAE")]
    [InlineData("MAPE")]
    [InlineData("MSLE")]
    [InlineData("BCE")]
    [InlineData("log_cosh_error")]
    [InlineData("accuracy")]
    public void The_metric_names_of_Keras_3_resolve(string name) =>
        FluentActions.Invoking(() => KMetrics.Metric.Get(name)).Should().NotThrow();
}
