using KerasNotes.Layers;
using KerasNotes.Saving;
using KerasNotes.Saving.Json;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Layers;

/// <summary>
/// One harness every layer passes (Keras's run_layer_test): it builds on first call, its output shape agrees with
/// ComputeOutputShape, it has the expected weight counts in Keras order, inference is deterministic, training mode
/// differs only where the layer says so, its config survives a save-format round trip with the same outputs for the
/// same weights, and gradients reach the input and every trainable weight.
/// </summary>
public sealed class LayerContractTests
{
    public sealed record Spec(string Name, Func<Layer> Create, int[] InputShape, int[] OutputShape, int Trainable, int NonTrainable, bool TrainingDiffers);

    public static TheoryData<string> Layers => new()
    {
        "Dense", "DenseNoBiasTanh", "DenseSoftmax", "DenseRank3", "Dropout", "BatchNormalization", "BatchNormalizationAxis1", "Activation", "Flatten", "Input", "CustomPenaltyLayer",
        "Conv2D", "Conv2DSameStridedRect", "Conv2DDilatedSame", "MaxPooling2D", "MaxPooling2DSame", "AveragePooling2DSame",
        "GlobalAveragePooling2D", "GlobalMaxPooling2DKeepDims", "Reshape", "Flatten4D", "BatchNormalization4D", "Dense4D", "Dropout4D",
    };

    private static Spec Get(string name) => name switch
    {
        "Dense" => new(name, () => new Dense(5, activation: "relu", kernelInitializer: new KerasNotes.Initializers.GlorotUniform(seed: 11)), [4, 3], [4, 5], 2, 0, false),
        "DenseNoBiasTanh" => new(name, () => new Dense(2, activation: "tanh", useBias: false, kernelInitializer: new KerasNotes.Initializers.GlorotUniform(seed: 12)), [4, 3], [4, 2], 1, 0, false),
        "DenseSoftmax" => new(name, () => new Dense(3, activation: "softmax", kernelInitializer: new KerasNotes.Initializers.GlorotUniform(seed: 13)), [4, 3], [4, 3], 2, 0, false),
        "DenseRank3" => new(name, () => new Dense(2, kernelInitializer: new KerasNotes.Initializers.GlorotUniform(seed: 14)), [2, 3, 4], [2, 3, 2], 2, 0, false),
        "Dropout" => new(name, () => new Dropout(0.5, seed: 3), [8, 16], [8, 16], 0, 0, true),
        "BatchNormalization" => new(name, () => new BatchNormalization(), [6, 4], [6, 4], 2, 2, true),
        "BatchNormalizationAxis1" => new(name, () => new BatchNormalization(axis: 1), [5, 3, 2], [5, 3, 2], 2, 2, true),
        "Activation" => new(name, () => new Activation("elu"), [4, 3], [4, 3], 0, 0, false),
        "Flatten" => new(name, () => new Flatten(), [4, 2, 3], [4, 6], 0, 0, false),
        "Input" => new(name, () => new Input(2, 3), [4, 2, 3], [4, 2, 3], 0, 0, false),
        "CustomPenaltyLayer" => new(name, () => new ScaleLayer(), [4, 3], [4, 3], 1, 0, false),
        "Conv2D" => new(name, () => new Conv2D(4, 3, activation: "relu", kernelInitializer: new KerasNotes.Initializers.GlorotUniform(seed: 21)), [2, 6, 6, 3], [2, 4, 4, 4], 2, 0, false),
        "Conv2DSameStridedRect" => new(name, () => new Conv2D(3, (2, 3), strides: (2, 1), padding: "same", activation: "tanh", useBias: false, kernelInitializer: new KerasNotes.Initializers.GlorotUniform(seed: 22)), [2, 5, 6, 2], [2, 3, 6, 3], 1, 0, false),
        "Conv2DDilatedSame" => new(name, () => new Conv2D(2, 3, padding: "same", dilationRate: 2, activation: "elu", kernelInitializer: new KerasNotes.Initializers.GlorotUniform(seed: 23), biasInitializer: new KerasNotes.Initializers.RandomNormal(seed: 24)), [1, 7, 6, 1], [1, 7, 6, 2], 2, 0, false),
        "MaxPooling2D" => new(name, () => new MaxPooling2D(2), [2, 4, 6, 3], [2, 2, 3, 3], 0, 0, false),
        "MaxPooling2DSame" => new(name, () => new MaxPooling2D((3, 2), strides: (2, 2), padding: "same"), [2, 5, 5, 2], [2, 3, 3, 2], 0, 0, false),
        "AveragePooling2DSame" => new(name, () => new AveragePooling2D(3, 2, "same"), [2, 5, 4, 2], [2, 3, 2, 2], 0, 0, false),
        "GlobalAveragePooling2D" => new(name, () => new GlobalAveragePooling2D(), [2, 3, 4, 5], [2, 5], 0, 0, false),
        "GlobalMaxPooling2DKeepDims" => new(name, () => new GlobalMaxPooling2D(keepDims: true), [2, 3, 4, 5], [2, 1, 1, 5], 0, 0, false),
        "Reshape" => new(name, () => new Reshape(3, -1, 2), [2, 12], [2, 3, 2, 2], 0, 0, false),
        "Flatten4D" => new(name, () => new Flatten(), [2, 3, 4, 2], [2, 24], 0, 0, false),
        "BatchNormalization4D" => new(name, () => new BatchNormalization(), [2, 3, 3, 4], [2, 3, 3, 4], 2, 2, true),
        "Dense4D" => new(name, () => new Dense(3, activation: "sigmoid", kernelInitializer: new KerasNotes.Initializers.GlorotUniform(seed: 25)), [2, 2, 2, 4], [2, 2, 2, 3], 2, 0, false),
        "Dropout4D" => new(name, () => new Dropout(0.3, seed: 5), [2, 3, 3, 4], [2, 3, 3, 4], 0, 0, true),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Layer_builds_on_first_call_with_shapes_and_weight_counts_as_declared(string name)
    {
        var spec = Get(name);
        var layer = spec.Create();
        layer.Built.Should().BeFalse();
        var x = GradientCheck.Random(1, -1f, 1f, spec.InputShape);
        var y = layer.Apply(x);
        layer.Built.Should().BeTrue();
        y.Shape.Dims.Should().Equal(spec.OutputShape);
        var declared = layer.ComputeOutputShape(new Shape(spec.InputShape).With(0, -1));
        declared.Should().Be(new Shape(spec.OutputShape).With(0, -1));
        layer.TrainableWeights.Should().HaveCount(spec.Trainable);
        layer.NonTrainableWeights.Should().HaveCount(spec.NonTrainable);
        layer.Weights.Should().HaveCount(spec.Trainable + spec.NonTrainable);
        layer.GetWeights().Should().HaveCount(spec.Trainable + spec.NonTrainable);
        layer.GetConfig()["name"].Should().Be(layer.Name);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Layer_is_deterministic_at_inference_and_training_mode_differs_only_where_declared(string name)
    {
        var spec = Get(name);
        var layer = spec.Create();
        var x = GradientCheck.Random(2, -1f, 1f, spec.InputShape);
        var first = layer.Apply(x, training: false).ToArray();
        var second = layer.Apply(x, training: false).ToArray();
        TensorAssert.BitEqual(first, second, $"{name} inference twice");
        var trained = layer.Apply(x, training: true).ToArray();
        bool differs = !first.SequenceEqual(trained);
        differs.Should().Be(spec.TrainingDiffers, $"{name} training-mode output {(spec.TrainingDiffers ? "should" : "should not")} differ");
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Layer_gradients_match_finite_differences_for_input_and_weights(string name)
    {
        var spec = Get(name);
        if (name.StartsWith("Dropout", StringComparison.Ordinal))
        {
            return; // training mode is random; its inference mode is the identity (covered by the parity fixture).
        }

        var layer = spec.Create();
        var x = GradientCheck.Random(3, -1f, 1f, spec.InputShape);
        GradientCheck.CheckLayer(layer, x, training: name.StartsWith("BatchNormalization", StringComparison.Ordinal), what: name);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Layer_config_round_trips_to_the_same_config_and_the_same_outputs_for_the_same_weights(string name)
    {
        // Keras's run_class_serialization_test: serialize, deserialize, compare the configs, then give the copy
        // the original's weights and compare the outputs. A custom layer needs its registration, tested in Saving.
        if (name == "CustomPenaltyLayer")
        {
            return;
        }

        var spec = Get(name);
        var layer = spec.Create();
        var x = GradientCheck.Random(2, -1f, 1f, spec.InputShape);
        var expected = layer.Apply(x);
        string json = PythonJson.Serialize(KerasSerializer.SerializeLayer(layer));
        var context = new LoadContext("contract-test");
        var node = ConfigJson.Root(System.Text.Encoding.UTF8.GetBytes(json), "layer", "$", context);
        var copy = KerasDeserializer.BuildLayer(node);

        copy.GetType().Should().Be(layer.GetType());
        copy.Apply(x); // built for the same input, so its build_config is written too
        PythonJson.Serialize(KerasSerializer.SerializeLayer(copy)).Should().Be(json, "the config must survive the round trip");
        copy.SetWeights(layer.GetWeights());
        var actual = copy.Apply(x);
        actual.Shape.Should().Be(expected.Shape);
        TensorAssert.BitEqual(expected.AsSpan(), actual.AsSpan(), $"{name} output after the round trip");
    }

    [Fact]
    public void A_frozen_BatchNormalization_runs_in_inference_mode_and_keeps_its_statistics()
    {
        var bn = new BatchNormalization();
        var x = GradientCheck.Random(4, -2f, 2f, 8, 3);
        bn.Apply(x, training: false);
        bn.Trainable = false;
        var before = bn.MovingMean!.ToArray();
        var inference = bn.Apply(x, training: false).ToArray();
        var frozenTraining = bn.Apply(x, training: true).ToArray();
        TensorAssert.BitEqual(inference, frozenTraining, "frozen BN in training mode");
        bn.MovingMean.ToArray().Should().Equal(before);
        bn.TrainableWeights.Should().BeEmpty();
        bn.NonTrainableWeights.Should().HaveCount(4);
    }

    [Fact]
    public void Layer_auto_names_are_snake_case_and_unique_across_the_process()
    {
        Layer.ToSnakeCase("BatchNormalization").Should().Be("batch_normalization");
        Layer.ToSnakeCase("Dense").Should().Be("dense");
        Layer.ToSnakeCase("MyHTTPLayer2D").Should().Be("my_http_layer2d");
        var a = new Dense(1);
        var b = new Dense(1);
        a.Name.Should().StartWith("dense");
        b.Name.Should().NotBe(a.Name);
    }

    [Fact]
    public void Snake_case_by_hand_for_ASCII_names_equals_Kerass_three_regexes()
    {
        // The hand-written scan must agree with the regexes on every class name of the library and on 200,000 random
        // strings over the characters that decide the result (upper, lower, digit, underscore).
        var names = typeof(Layer).Assembly.GetTypes().Select(t => t.Name).ToList();
        var rng = new Random(12);
        const string alphabet = "aAbBzZ09_";
        for (int i = 0; i < 200_000; i++)
        {
            names.Add(new string([.. Enumerable.Range(0, rng.Next(0, 12)).Select(_ => alphabet[rng.Next(alphabet.Length)])]));
        }

        foreach (string name in names.Where(n => n.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
        {
            Layer.ToSnakeCase(name).Should().Be(Layer.ToSnakeCaseByRegex(name), $"'{name}'");
        }

        Layer.ToSnakeCase("Ünïcode-Layer").Should().Be(Layer.ToSnakeCaseByRegex("Ünïcode-Layer"), "other names keep the regexes");
    }

    /// <summary>A custom layer with its own weight, written with Ops only.</summary>
    private sealed class ScaleLayer : Layer
    {
        private Variable? _scale;

        public override void Build(Shape inputShape) =>
            _scale = AddWeight("scale", new Shape(inputShape[-1]), new KerasNotes.Initializers.Constant(1.5));

        protected override Tensor Call(Tensor inputs, bool training) => Ops.Multiply(inputs, _scale!);
    }
}
