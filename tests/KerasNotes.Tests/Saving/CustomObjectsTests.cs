using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Metrics;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>Custom layers, losses, metrics and activations are saved by name and found again through CustomObjects.</summary>
public sealed class CustomObjectsTests
{
    /// <summary>A custom layer with one configuration value and one weight.</summary>
    private sealed class ScaleLayer(float factor, string? name = null) : Layer(name)
    {
        public float Factor { get; } = factor;

        public Variable? Scale { get; private set; }

        public override void Build(Shape inputShape) => Scale = AddWeight("scale", new Shape(inputShape[-1]), new KerasNotes.Initializers.Ones());

        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        protected override Tensor Call(Tensor inputs, bool training) => Ops.Multiply(Ops.Multiply(inputs, Scale!.Value), Factor);

        public override IDictionary<string, object?> GetConfig()
        {
            var config = base.GetConfig();
            config["factor"] = Factor;
            return config;
        }
    }

    /// <summary>A second custom layer type, registered process-wide (kept apart from the per-call tests' ScaleLayer).</summary>
    private sealed class StaticScaleLayer(float factor, string? name = null) : Layer(name)
    {
        public float Factor { get; } = factor;

        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        protected override Tensor Call(Tensor inputs, bool training) => Ops.Multiply(inputs, Factor);

        public override IDictionary<string, object?> GetConfig()
        {
            var config = base.GetConfig();
            config["factor"] = Factor;
            return config;
        }
    }

    private static Sequential ModelWithScale(string? activation = null) => new(
        new Input(4), new Dense(3, activation: activation), new ScaleLayer(2.5f, name: "scale_" + Guid.NewGuid().ToString("N")[..6]));

    [Fact]
    public void A_custom_layer_loads_through_a_per_call_registration_and_predicts_the_same()
    {
        using var temp = SavingTestSupport.Temp();
        var model = ModelWithScale();
        ((ScaleLayer)model.Layers[1]).Scale!.Assign(Tensor.FromArray([1f, -2f, 3f], 3));
        model.Save(temp.File("m.keras"));

        var custom = new CustomObjects().AddLayer("ScaleLayer", c => new ScaleLayer(c.GetSingle("factor"), c.Name));
        var loaded = Model.Load(temp.File("m.keras"), custom);

        loaded.Layers[1].Should().BeOfType<ScaleLayer>().Which.Factor.Should().Be(2.5f);
        var (x, _) = SavingTestSupport.SmallData(5);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), "predictions");
    }

    [Fact]
    public void A_custom_layer_without_registration_is_refused_naming_it()
    {
        using var temp = SavingTestSupport.Temp();
        ModelWithScale().Save(temp.File("m.keras"));
        var act = () => Model.Load(temp.File("m.keras"));
        act.Should().Throw<ModelFormatException>().WithMessage("*unknown class 'ScaleLayer'*RegisterLayer*");
    }

    [Fact]
    public void A_statically_registered_layer_saves_under_its_registered_name()
    {
        using var temp = SavingTestSupport.Temp();
        CustomObjects.RegisterLayer("tests>StaticScaleLayer", c => new StaticScaleLayer(c.GetSingle("factor"), c.Name));
        new Sequential(new Input(4), new StaticScaleLayer(3f)).Save(temp.File("m.keras"));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(temp.File("m.keras")))
        using (var reader = new StreamReader(zip.GetEntry("config.json")!.Open()))
        {
            reader.ReadToEnd().Should().Contain("\"class_name\": \"StaticScaleLayer\"").And.Contain("\"registered_name\": \"tests>StaticScaleLayer\"");
        }

        Model.Load(temp.File("m.keras")).Layers[0].Should().BeOfType<StaticScaleLayer>().Which.Factor.Should().Be(3f);
    }

    [Fact]
    public void A_loss_function_registered_by_name_is_saved_by_name_and_found_again()
    {
        using var temp = SavingTestSupport.Temp();
        string name = "double_mse_" + Guid.NewGuid().ToString("N")[..8];
        LossFunction doubleMse = (t, p) => Ops.Mean(Ops.Multiply(Ops.Square(Ops.Subtract(t, p)), 2f), axis: -1);
        CustomObjects.RegisterLoss(name, doubleMse);
        var model = new Sequential(new Input(4), new Dense(1));
        model.Compile(optimizer: "sgd", loss: doubleMse);
        model.Save(temp.File("m.keras"));

        var loaded = Model.Load(temp.File("m.keras"));
        loaded.CompiledLoss.Should().BeOfType<LossFunctionWrapper>().Which.Name.Should().Be(name);
        var (x, _) = SavingTestSupport.SmallData(8);
        var y = Tensor.Zeros(8, 1);
        loaded.Evaluate(x, y, verbose: 0)["loss"].Should().Be(model.Evaluate(x, y, verbose: 0)["loss"]);
    }

    [Fact]
    public void A_loss_and_a_metric_given_per_call_are_found_on_load_and_missing_ones_are_named()
    {
        using var temp = SavingTestSupport.Temp();
        string loss = "per_call_loss_" + Guid.NewGuid().ToString("N")[..8];
        string metric = "per_call_metric_" + Guid.NewGuid().ToString("N")[..8];
        LossFunction lossFn = (t, p) => Ops.Mean(Ops.Abs(Ops.Subtract(t, p)), axis: -1);
        MetricFunction metricFn = (t, p) => Ops.Mean(Ops.Square(Ops.Subtract(t, p)), axis: -1);
        var registration = new CustomObjects().AddLoss(loss, lossFn).AddMetric(metric, metricFn);
        var model = new Sequential(new Input(4), new Dense(1));
        using (CustomObjects.Enter(registration))
        {
            model.Compile(optimizer: "adam", loss: lossFn, metrics: [metricFn]);
        }

        model.Save(temp.File("m.keras"));

        ((Action)(() => Model.Load(temp.File("m.keras")))).Should().Throw<ModelFormatException>().WithMessage($"*unknown loss '{loss}'*RegisterLoss*");
        var loaded = Model.Load(temp.File("m.keras"), registration);
        loaded.CompiledLoss!.Name.Should().Be(loss);
        loaded.MetricsNames.Should().Equal("loss", metric);
    }

    [Fact]
    public void A_custom_activation_is_saved_by_name_and_found_through_a_per_call_registration()
    {
        using var temp = SavingTestSupport.Temp();
        string name = "twice_" + Guid.NewGuid().ToString("N")[..8];
        KerasNotes.Activations.ActivationFunction twice = x => Ops.Multiply(x, 2f);
        var registration = new CustomObjects().AddActivation(name, twice);
        Sequential model;
        using (CustomObjects.Enter(registration))
        {
            model = ModelWithScale(name);
        }

        model.Save(temp.File("m.keras"));
        var custom = new CustomObjects().AddActivation(name, twice).AddLayer("ScaleLayer", c => new ScaleLayer(c.GetSingle("factor"), c.Name));
        var loaded = Model.Load(temp.File("m.keras"), custom);

        ((Dense)loaded.Layers[0]).ActivationName.Should().Be(name);
        var (x, _) = SavingTestSupport.SmallData(5);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), "predictions");
        ((Action)(() => Model.Load(temp.File("m.keras"), new CustomObjects().AddLayer("ScaleLayer", c => new ScaleLayer(1f)))))
            .Should().Throw<ModelFormatException>().WithMessage($"*{name}*");
    }

    /// <summary>A custom Loss subclass with a setting of its own, as the CustomLoss lesson's label smoothing.</summary>
    private sealed class ScaledMse(double scale, string name = "scaled_mse") : Loss(name)
    {
        public double Scale { get; } = scale;

        public override Tensor Call(Tensor yTrue, Tensor yPred) => Ops.Mean(Ops.Multiply(Ops.Square(Ops.Subtract(yTrue, yPred)), (float)Scale), axis: -1);

        public override IDictionary<string, object?> GetConfig()
        {
            var config = base.GetConfig();
            config["scale"] = Scale;
            return config;
        }
    }

    [Fact]
    public void A_custom_Loss_subclass_gets_its_saved_settings_back_through_a_config_factory()
    {
        // Keras hands the saved config to from_config; a factory that could not see it had to repeat the value in code.
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(4), new Dense(1));
        model.Compile(optimizer: "sgd", loss: new ScaledMse(3.5));
        model.Save(temp.File("m.keras"));

        var loaded = Model.Load(temp.File("m.keras"), new CustomObjects().AddLoss("ScaledMse", c => new ScaledMse(c.GetDouble("scale"), c.Name ?? "scaled_mse")));

        loaded.CompiledLoss.Should().BeOfType<ScaledMse>().Which.Scale.Should().Be(3.5);
        var (x, _) = SavingTestSupport.SmallData(8);
        var y = Tensor.Zeros(8, 1);
        loaded.Evaluate(x, y, verbose: 0)["loss"].Should().Be(model.Evaluate(x, y, verbose: 0)["loss"]);
    }

    [Fact]
    public void Saving_a_model_whose_loss_is_an_anonymous_function_is_refused_before_any_file_is_written()
    {
        // A lambda in top-level statements compiles to a method like "<<Main>$>b__0_1": nothing a file could name it
        // by, so the file would load nowhere. Built here as a delegate over a method with exactly such a name.
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(4), new Dense(1));
        model.Compile(optimizer: "sgd", loss: TopLevelLambda());
        model.CompiledLoss!.Name.Should().Be("<lambda>", "Keras names a lambda loss '<lambda>' in its logs too");

        var act = () => model.Save(temp.File("m.keras"));

        act.Should().Throw<InvalidOperationException>().WithMessage("*anonymous function*RegisterLoss*");
        Directory.GetFiles(temp.Path).Should().BeEmpty("nothing may be written, not even a temporary file");
        model.SaveWeights(temp.File("w.weights.h5"));
        File.Exists(temp.File("w.weights.h5")).Should().BeTrue("weights do not need the loss");
    }

    private static LossFunction TopLevelLambda()
    {
        var method = new System.Reflection.Emit.DynamicMethod("<<Main>$>b__0_1", typeof(Tensor), [typeof(Tensor), typeof(Tensor)], typeof(CustomObjectsTests).Module);
        var il = method.GetILGenerator();
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_0);
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_1);
        il.Emit(System.Reflection.Emit.OpCodes.Call, typeof(CustomObjectsTests).GetMethod(nameof(AbsoluteError), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!);
        il.Emit(System.Reflection.Emit.OpCodes.Ret);
        return method.CreateDelegate<LossFunction>();
    }

    private static Tensor AbsoluteError(Tensor t, Tensor p) => Ops.Mean(Ops.Abs(Ops.Subtract(t, p)), axis: -1);

    [Fact]
    public void A_lambda_returned_by_a_named_method_is_saved_under_that_method_name()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(4), new Dense(1));
        model.Compile(optimizer: "sgd", loss: FocalLike(2f), metrics: [FocalMetric()]);
        model.CompiledLoss!.Name.Should().Be(nameof(FocalLike));
        model.MetricsNames.Should().Contain(nameof(FocalMetric));
        model.Save(temp.File("m.keras"));

        var loaded = Model.Load(temp.File("m.keras"), new CustomObjects().AddLoss(nameof(FocalLike), FocalLike(2f)).AddMetric(nameof(FocalMetric), FocalMetric()));
        loaded.CompiledLoss!.Name.Should().Be(nameof(FocalLike));
    }

    private static LossFunction FocalLike(float gamma) => (t, p) => Ops.Mean(Ops.Multiply(Ops.Abs(Ops.Subtract(t, p)), gamma), axis: -1);

    private static MetricFunction FocalMetric() => (t, p) => Ops.Mean(Ops.Abs(Ops.Subtract(t, p)), axis: -1);

    [Fact]
    public void LayerConfig_reports_a_value_of_the_wrong_kind_naming_the_key()
    {
        using var temp = SavingTestSupport.Temp();
        ModelWithScale().Save(temp.File("m.keras"));
        var custom = new CustomObjects().AddLayer("ScaleLayer", c => new ScaleLayer(c.GetInt32("name")));
        ((Action)(() => Model.Load(temp.File("m.keras"), custom))).Should().Throw<ModelFormatException>().WithMessage("*'name' should be a whole number*");
    }

    [Fact]
    public void Registering_a_built_in_activation_name_is_refused()
    {
        var act = () => new CustomObjects().AddActivation("relu", x => x);
        act.Should().Throw<ArgumentException>().WithParameterName("name");
    }
}
