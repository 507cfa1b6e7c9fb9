using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving.Onnx;
using KerasNotes.Tests.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace KerasNotes.Tests.Saving.Onnx;

/// <summary>Every exported model runs in ONNX Runtime and gives Predict's numbers (max abs difference ≤ 1e-5).</summary>
public sealed class OnnxExportTests
{
    private static Tensor RandomInput(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        int n = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray([.. Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 4) - 2))], shape);
    }

    /// <summary>Exports <paramref name="model"/>, runs the file in ONNX Runtime on <paramref name="x"/>, and compares.</summary>
    private static void MatchesPredict(Model model, Tensor x, int opset = 17)
    {
        using var file = new MemoryStream();
        model.ExportOnnx(file, opset);
        using var session = new InferenceSession(file.ToArray());
        session.InputMetadata.Keys.Should().Equal("input");
        session.InputMetadata["input"].Dimensions[0].Should().Be(-1, "the batch dimension is symbolic");
        var input = new DenseTensor<float>(x.ToArray(), x.Shape.Dims);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var actual = results.Single().AsTensor<float>();
        var expected = model.Predict(x, verbose: 0);
        actual.Dimensions.ToArray().Should().Equal(expected.Shape.Dims);
        TensorAssert.Close(expected.AsSpan(), actual.ToArray(), 1e-5, 0, "ONNX Runtime vs Predict");
    }

    public static TheoryData<string> Activations => new()
    {
        "linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "elu", "selu", "softplus", "softsign",
        "exponential", "leaky_relu", "hard_sigmoid", "swish", "silu", "hard_silu", "mish", "relu6", "gelu",
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void Dense_with_each_activation_matches_Predict_through_ONNX_Runtime(string activation)
    {
        KerasNotes.RandomSeed.Set(3);
        var model = new Sequential(new Input(5), new Dense(4, activation: activation));
        MatchesPredict(model, RandomInput(1, 7, 5));
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void An_Activation_layer_matches_Predict(string activation)
    {
        var model = new Sequential(new Input(6), new Activation(activation));
        MatchesPredict(model, RandomInput(2, 3, 6));
    }

    [Fact]
    public void Dense_without_bias_on_a_rank_3_input_multiplies_the_last_axis()
    {
        KerasNotes.RandomSeed.Set(4);
        var model = new Sequential(new Input(3, 5), new Dense(2, useBias: false));
        MatchesPredict(model, RandomInput(3, 4, 3, 5));
    }

    [Fact]
    public void Dropout_Flatten_and_Reshape_match_Predict()
    {
        KerasNotes.RandomSeed.Set(5);
        var model = new Sequential(new Input(4, 3), new Dropout(0.5), new Flatten(), new Reshape(2, 6), new Reshape(-1), new Dense(3));
        MatchesPredict(model, RandomInput(4, 5, 4, 3));
    }

    [Fact]
    public void BatchNormalization_exports_its_inference_form_with_trained_statistics()
    {
        KerasNotes.RandomSeed.Set(6);
        var model = new Sequential(new Input(4), new Dense(6), new BatchNormalization(), new Dense(2, activation: "softmax"));
        model.Compile("adam", "sparse_categorical_crossentropy");
        var x = RandomInput(5, 32, 4);
        model.Fit(x, Enumerable.Range(0, 32).Select(i => i % 2).ToArray(), epochs: 3, batchSize: 8, verbose: 0);
        var bn = (BatchNormalization)model.Layers[1];
        bn.MovingMean!.Value.AsSpan().ToArray().Should().Contain(v => v != 0, "training moved the statistics");
        MatchesPredict(model, RandomInput(6, 9, 4));
    }

    [Fact]
    public void The_sample_MLP_matches_Predict_at_batch_1_and_256_and_for_every_opset()
    {
        KerasNotes.RandomSeed.Set(7);
        var model = new Sequential(
            new Input(784), new Dense(256, activation: "relu"), new BatchNormalization(), new Dropout(0.2),
            new Dense(128, activation: "relu"), new BatchNormalization(), new Dropout(0.2), new Dense(10, activation: "softmax"));
        MatchesPredict(model, RandomInput(7, 1, 784));
        MatchesPredict(model, RandomInput(8, 256, 784));
        var (_, (testImages, _)) = KerasNotes.Data.FashionMnist.Load();
        MatchesPredict(model, Ops.Reshape(testImages.SliceRows(0, 256) / 255f, -1, 784));
        for (int opset = 13; opset <= 21; opset++)
        {
            MatchesPredict(model, RandomInput(9, 2, 784), opset);
        }
    }

    public static TheoryData<string, int, int, int, string?, bool> Convolutions => new()
    {
        // padding, kernel, stride, dilation, activation, bias — on a 9×7 image, so "same" pads unevenly.
        { "valid", 3, 1, 1, "relu", true },
        { "same", 3, 1, 1, null, true },
        { "same", 3, 2, 1, "tanh", false },
        { "valid", 2, 2, 1, "softmax", true },
        { "same", 4, 3, 1, "sigmoid", true },
        { "same", 3, 1, 2, "relu", true },
        { "valid", 3, 1, 2, null, false },
    };

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void Conv2D_matches_Predict_through_ONNX_Runtime(string padding, int kernel, int stride, int dilation, string? activation, bool bias)
    {
        KerasNotes.RandomSeed.Set(11);
        var model = new Sequential(new Input(9, 7, 3),
            new Conv2D(4, (kernel, kernel + 1 > 4 ? kernel : kernel + 1), (stride, stride), padding, (dilation, dilation), activation, useBias: bias));
        MatchesPredict(model, RandomInput(11, 2, 9, 7, 3));
    }

    [Theory]
    [InlineData("valid", 2, 2)]
    [InlineData("same", 2, 2)]
    [InlineData("same", 3, 2)]
    [InlineData("valid", 3, 1)]
    [InlineData("same", 3, 1)]
    public void Max_and_average_pooling_match_Predict(string padding, int pool, int stride)
    {
        var max = new Sequential(new Input(9, 7, 3), new MaxPooling2D(pool, stride, padding));
        var average = new Sequential(new Input(9, 7, 3), new AveragePooling2D(pool, stride, padding));
        MatchesPredict(max, RandomInput(12, 2, 9, 7, 3));
        MatchesPredict(average, RandomInput(13, 2, 9, 7, 3));
    }

    [Theory]
    [InlineData(false, 17)]
    [InlineData(true, 17)]
    [InlineData(false, 18)]
    [InlineData(true, 21)]
    public void Global_pooling_matches_Predict_with_axes_as_attribute_or_input_by_opset(bool keepDims, int opset)
    {
        MatchesPredict(new Sequential(new Input(5, 4, 3), new GlobalAveragePooling2D(keepDims)), RandomInput(14, 2, 5, 4, 3), opset);
        MatchesPredict(new Sequential(new Input(5, 4, 3), new GlobalMaxPooling2D(keepDims)), RandomInput(15, 2, 5, 4, 3), opset);
    }

    [Fact]
    public void The_sample_CNN_with_batch_normalization_on_images_matches_Predict()
    {
        KerasNotes.RandomSeed.Set(16);
        var model = new Sequential(
            new Input(28, 28, 1),
            new Conv2D(8, kernelSize: 3, padding: "same", activation: "relu"), new BatchNormalization(), new MaxPooling2D(2),
            new Conv2D(16, kernelSize: 3, padding: "same", activation: "relu"), new BatchNormalization(), new MaxPooling2D(2),
            new Flatten(), new Dropout(0.3), new Dense(32, activation: "relu"), new Dense(10, activation: "softmax"));
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(RandomInput(17, 16, 28, 28, 1), Enumerable.Range(0, 16).Select(i => i % 10).ToArray(), epochs: 1, batchSize: 8, verbose: 0);
        MatchesPredict(model, RandomInput(18, 1, 28, 28, 1));
        MatchesPredict(model, RandomInput(19, 64, 28, 28, 1));
        // Real images too: the first 32 Fashion-MNIST test images, scaled as the samples scale them.
        var (_, (testImages, _)) = KerasNotes.Data.FashionMnist.Load();
        MatchesPredict(model, Ops.Reshape(testImages.SliceRows(0, 32) / 255f, -1, 28, 28, 1));
        MatchesPredict(model, RandomInput(20, 2, 28, 28, 1), opset: 13);
    }

    [Fact]
    public void A_Sequential_used_as_a_layer_exports_as_its_layers()
    {
        KerasNotes.RandomSeed.Set(21);
        var inner = new Sequential(new Dense(5, activation: "relu"), new Dense(4));
        var model = new Sequential(new Input(3), inner, new Dense(2, activation: "softmax"));
        MatchesPredict(model, RandomInput(21, 6, 3));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void A_channels_first_Flatten_moves_axis_1_last_as_Predict_does(int rank)
    {
        // Found by the outside attack: the export ignored data_format and gave other numbers.
        int[] sample = rank == 3 ? [3, 4] : [2, 3, 4];
        var model = new Sequential(new Input(sample), new Flatten("channels_first"), new Dense(2));
        MatchesPredict(model, RandomInput(22, [7, .. sample]));
    }

    [Fact]
    public void A_custom_exporter_returning_a_value_it_did_not_add_is_named()
    {
        OnnxExporters.Register<WrongName>((layer, g, input) => "no_such_value");
        var model = new Sequential(new Input(3), new WrongName());
        var act = () => model.ExportOnnx(new MemoryStream());
        act.Should().Throw<InvalidOperationException>().WithMessage("*exporter of layer 'wrong_name*returned 'no_such_value'*");
    }

    [Fact]
    public void A_custom_exporter_reading_a_value_the_graph_does_not_have_is_refused_naming_it()
    {
        OnnxExporters.Register<ReadsNothing>((layer, g, input) => g.AddNode("Relu", ["not_a_value"], name: layer.Name));
        var model = new Sequential(new Input(3), new ReadsNothing());
        var act = () => model.ExportOnnx(new MemoryStream());
        act.Should().Throw<ArgumentException>().WithMessage("*input 'not_a_value' of the Relu node is not a value of the graph*");
    }

    [Fact]
    public void Weights_past_the_2_GB_protobuf_limit_are_refused_early_and_nothing_is_written()
    {
        using var temp = SavingTestSupport.Temp();
        OnnxGraph.WeightLimitForTests.Value = 1 << 20; // 1 MiB stands in for 2 GB
        try
        {
            var model = new Sequential(new Input(1024), new Dense(512));
            var act = () => model.ExportOnnx(temp.File("big.onnx"));
            act.Should().Throw<NotSupportedException>().WithMessage("*weights pass 1 MiB*2 GB*external data*");
            Directory.GetFiles(temp.Path).Should().BeEmpty();
        }
        finally
        {
            OnnxGraph.WeightLimitForTests.Value = null;
        }
    }

    [Fact]
    public void The_IR_version_follows_the_opset()
    {
        var model = new Sequential(new Input(3), new Dense(2));
        foreach (var (opset, ir) in new[] { (13, 8L), (18, 8L), (19, 9L), (21, 10L) })
        {
            using var file = new MemoryStream();
            model.ExportOnnx(file, opset);
            KerasNotes.Saving.Onnx.Proto.ModelProto.Parser.ParseFrom(file.ToArray()).IrVersion.Should().Be(ir, $"opset {opset}");
        }
    }

    [Fact]
    public void A_layer_without_an_exporter_is_named_and_nothing_is_written()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(3), new Dense(2), new Unexportable());
        var act = () => model.ExportOnnx(temp.File("m.onnx"));
        act.Should().Throw<NotSupportedException>().WithMessage("*'unexportable*(Unexportable) has no ONNX exporter*OnnxExporters.Register*");
        Directory.GetFiles(temp.Path).Should().BeEmpty();
    }

    [Fact]
    public void A_custom_layer_exports_through_a_registered_exporter()
    {
        OnnxExporters.Register<Doubler>((layer, g, input) =>
            g.AddNode("Mul", [input, g.AddInitializer(layer.Name + "/two", Tensor.FromArray([2f], 1))], name: layer.Name));
        var model = new Sequential(new Input(3), new Doubler(), new Dense(2));
        MatchesPredict(model, RandomInput(10, 4, 3));
    }

    [Fact]
    public void A_custom_activation_without_an_ONNX_form_is_named()
    {
        // A custom activation is a .NET delegate: there is nothing to translate it into.
        string name = "onnx_twice_" + Guid.NewGuid().ToString("N")[..8];
        KerasNotes.Saving.CustomObjects.RegisterActivation(name, x => Ops.Multiply(x, 2f));
        var model = new Sequential(new Input(3), new Dense(2, activation: name));
        var act = () => model.ExportOnnx(new MemoryStream());
        act.Should().Throw<NotSupportedException>().WithMessage($"*activation '{name}' has no ONNX export*");
    }

    [Theory]
    [InlineData(12)]
    [InlineData(22)]
    public void An_opset_outside_13_to_21_is_refused(int opset)
    {
        var model = new Sequential(new Input(3), new Dense(2));
        var act = () => model.ExportOnnx(new MemoryStream(), opset);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(opset)).WithMessage($"*got {opset}*");
    }

    [Fact]
    public void ExportOnnx_writes_a_file_ONNX_Runtime_loads()
    {
        using var temp = SavingTestSupport.Temp();
        KerasNotes.RandomSeed.Set(8);
        var model = new Sequential(new Input(3), new Dense(2, activation: "relu"));
        model.ExportOnnx(temp.File("m.onnx"));
        using var session = new InferenceSession(temp.File("m.onnx"));
        session.OutputMetadata.Keys.Should().Equal("output");
    }

    private sealed class Unexportable : Layer
    {
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        protected override Tensor Call(Tensor inputs, bool training) => inputs;
    }

    private sealed class ReadsNothing : Layer
    {
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        protected override Tensor Call(Tensor inputs, bool training) => inputs;
    }

    private sealed class WrongName : Layer
    {
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        protected override Tensor Call(Tensor inputs, bool training) => inputs;
    }

    private sealed class Doubler : Layer
    {
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        protected override Tensor Call(Tensor inputs, bool training) => Ops.Multiply(inputs, 2f);
    }
}
