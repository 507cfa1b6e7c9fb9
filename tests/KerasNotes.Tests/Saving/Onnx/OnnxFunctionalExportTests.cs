using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving.Onnx;
using KerasNotes.Saving.Onnx.Proto;
using KerasNotes.Tests.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace KerasNotes.Tests.Saving.Onnx;

/// <summary>
/// Functional models through ONNX Runtime: graph inputs named as the input layers, graph outputs named as the layers
/// that produce them, and every output within 1e-5 (max abs) of what the model computes.
/// </summary>
public sealed class OnnxFunctionalExportTests
{
    private static Tensor RandomInput(int seed, params int[] shape) => GradientCheck.Random(seed, -2f, 2f, shape);

    /// <summary>
    /// Exports <paramref name="model"/>, runs the file in ONNX Runtime on <paramref name="inputs"/> (by input name) and
    /// compares every output with the model's own (Predict for one input and output, ApplyOutputs otherwise).
    /// </summary>
    private static ModelProto MatchesModel(Model model, Tensor[] inputs, int opset = 17, string[]? outputNames = null)
    {
        using var file = new MemoryStream();
        model.ExportOnnx(file, opset);
        using var session = new InferenceSession(file.ToArray());
        session.InputMetadata.Keys.Should().Equal(model.InputNames, "graph inputs are named as the input layers, in order");
        session.OutputMetadata.Keys.Should().Equal(outputNames ?? model.OutputNames, "graph outputs are named as the layers producing them");
        foreach (var meta in session.InputMetadata.Values)
        {
            meta.Dimensions[0].Should().Be(-1, "the batch dimension is symbolic");
        }

        var feeds = model.InputNames.Select((name, i) =>
            NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(inputs[i].ToArray(), inputs[i].Shape.Dims))).ToList();
        using var results = session.Run(feeds);
        IReadOnlyList<Tensor> expected = model.InputCount == 1 && model.OutputCount == 1
            ? [model.Predict(inputs[0], verbose: 0)]
            : model.ApplyOutputs(inputs);
        var names = session.OutputMetadata.Keys.ToArray();
        for (int k = 0; k < expected.Count; k++)
        {
            var actual = results.Single(r => r.Name == names[k]).AsTensor<float>();
            actual.Dimensions.ToArray().Should().Equal(expected[k].Shape.Dims, $"output {names[k]}");
            TensorAssert.Close(expected[k].AsSpan(), actual.ToArray(), 1e-5, 0, $"ONNX Runtime vs the model, output {names[k]}");
        }

        return ModelProto.Parser.ParseFrom(file.ToArray());
    }

    [Fact]
    public void A_residual_MLP_matches_Predict_through_ONNX_Runtime()
    {
        KerasNotes.RandomSeed.Set(41);
        var x = Keras.Input([6], name: "onnx_res_in");
        var h = new Dense(6, activation: "relu", name: "onnx_res_dense").Apply(x);
        var y = new Dense(2, activation: "softmax", name: "onnx_res_head").Apply(new Add(name: "onnx_res_add").Apply([x, h]));
        var model = new Model(x, y);
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(RandomInput(1, 32, 6), Enumerable.Range(0, 32).Select(i => i % 2).ToArray(), epochs: 2, batchSize: 8, verbose: 0);
        var proto = MatchesModel(model, [RandomInput(2, 5, 6)]);
        proto.Graph.Input.Select(i => i.Name).Should().Equal("onnx_res_in");
        proto.Graph.Output.Select(o => o.Name).Should().Equal("onnx_res_head");
        MatchesModel(model, [RandomInput(3, 1, 6)], opset: 13);
        MatchesModel(model, [RandomInput(4, 3, 6)], opset: 21);
    }

    [Fact]
    public void A_two_input_two_output_model_with_Concatenate_matches_the_model()
    {
        KerasNotes.RandomSeed.Set(42);
        var image = Keras.Input([8], name: "onnx_image");
        var hint = Keras.Input([2], name: "onnx_hint");
        var features = new Dense(5, activation: "relu").Apply(image);
        var joined = new Concatenate(name: "onnx_join").Apply([features, hint]);
        var cls = new Dense(3, activation: "softmax", name: "onnx_class").Apply(joined);
        var footwear = new Dense(1, activation: "sigmoid", name: "onnx_footwear").Apply(joined);
        var model = new Model([image, hint], [cls, footwear]);
        var proto = MatchesModel(model, [RandomInput(5, 4, 8), RandomInput(6, 4, 2)]);
        proto.Graph.Output.Select(o => o.Name).Should().Equal("onnx_class", "onnx_footwear");
        proto.Graph.Node.Should().Contain(n => n.OpType == "Concat");
    }

    [Fact]
    public void A_layer_applied_twice_exports_twice_over_one_copy_of_its_weights()
    {
        KerasNotes.RandomSeed.Set(43);
        var shared = new Dense(4, activation: "tanh", name: "onnx_shared");
        var a = Keras.Input([4], name: "onnx_shared_a");
        var b = Keras.Input([4], name: "onnx_shared_b");
        var twice = shared.Apply(shared.Apply(a));
        var y = new Subtract().Apply([twice, shared.Apply(b)]);
        var model = new Model([a, b], y);
        var proto = MatchesModel(model, [RandomInput(7, 3, 4), RandomInput(8, 3, 4)]);
        proto.Graph.Initializer.Count(i => i.Name.StartsWith("onnx_shared/", StringComparison.Ordinal)).Should().Be(2, "one kernel and one bias for three calls");
        proto.Graph.Node.Count(n => n.OpType == "MatMul").Should().Be(3);
    }

    [Fact]
    public void A_nested_Sequential_and_a_nested_functional_model_export_inline()
    {
        KerasNotes.RandomSeed.Set(44);
        var inner = new Sequential(new Dense(5, activation: "relu"), new Dense(4));
        var x = Keras.Input([3], name: "onnx_nest_in");
        var skip = new Concatenate().Apply([inner.Apply(x), x]);
        MatchesModel(new Model(x, new Dense(2).Apply(skip)), [RandomInput(9, 6, 3)]);

        // A functional model with two outputs used as a layer of another.
        var i = Keras.Input([4]);
        var twoHeads = new Model(i, [new Dense(3).Apply(i), new Dense(2, activation: "relu").Apply(i)]);
        var z = Keras.Input([4], name: "onnx_nest_outer");
        var heads = twoHeads.ApplyOutputs([z]);
        var outer = new Model(z, new Dense(1).Apply(new Concatenate().Apply([heads[0], heads[1]])));
        MatchesModel(outer, [RandomInput(10, 5, 4)]);

        // And a functional model inside a Sequential.
        var j = Keras.Input([4]);
        var single = new Model(j, new Multiply().Apply([j, new Dense(4, activation: "sigmoid").Apply(j)]));
        var sequential = new Sequential(new Input(4), single, new Dense(2));
        using var file = new MemoryStream();
        sequential.ExportOnnx(file);
        using var session = new InferenceSession(file.ToArray());
        var x2 = RandomInput(11, 3, 4);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x2.ToArray(), [3, 4]))]);
        TensorAssert.Close(sequential.Predict(x2).AsSpan(), results.Single().AsTensor<float>().ToArray(), 1e-5, 0, "functional inside Sequential");
    }

    [Theory]
    [InlineData(13)]
    [InlineData(17)]
    [InlineData(21)]
    public void Every_merge_layer_with_Kerass_broadcasting_matches_the_model(int opset)
    {
        var a = Keras.Input([3], name: "onnx_m_a");
        var b = Keras.Input([4, 3], name: "onnx_m_b");
        var c = Keras.Input([1], name: "onnx_m_c");
        var d = Keras.Input([4], name: "onnx_m_d");
        var e = Keras.Input([2, 3], name: "onnx_m_e");
        var outputs = new[]
        {
            new Add(name: "onnx_m_add").Apply([a, b]),                          // (None,3) + (None,4,3) → (None,4,3)
            new Subtract(name: "onnx_m_sub").Apply([b, a]),
            new Multiply(name: "onnx_m_mul").Apply([c, d]),                     // (None,1) · (None,4) → (None,4)
            new Average(name: "onnx_m_avg").Apply([a, a, new Dense(3).Apply(d)]),
            new Maximum(name: "onnx_m_max").Apply([a, b, c]),
            new Minimum(name: "onnx_m_min").Apply([d, c]),
            new Concatenate(axis: 1, name: "onnx_m_cat1").Apply([b, e]),        // (None,6,3)
            new Concatenate(name: "onnx_m_cat").Apply([a, d, c]),               // (None,8)
            new Add(name: "onnx_m_one").Apply([d]),
        };
        var model = new Model([a, b, c, d, e], outputs);
        Tensor[] inputs = [RandomInput(12, 2, 3), RandomInput(13, 2, 4, 3), RandomInput(14, 2, 1), RandomInput(15, 2, 4), RandomInput(16, 2, 2, 3)];
        MatchesModel(model, inputs, opset);
    }

    [Fact]
    public void Output_names_are_the_producing_layers_made_unique_when_they_clash()
    {
        var x = Keras.Input([3], name: "onnx_clash_in");
        var dropped = new Dropout(0.5, name: "onnx_clash_drop").Apply(new Dense(3).Apply(x));
        var model = new Model(x, [x, dropped, dropped]);
        MatchesModel(model, [RandomInput(17, 2, 3)], outputNames: ["onnx_clash_in_1", "onnx_clash_drop", "onnx_clash_drop_1"]);
    }

    [Fact]
    public void A_custom_layer_called_on_a_list_exports_through_a_multi_input_exporter()
    {
        OnnxExporters.RegisterMultiInput<WeightedPair>((layer, g, inputs) =>
            g.AddNode("Add", [inputs[0], g.AddNode("Mul", [inputs[1], g.AddInitializer(layer.Name + "/two", Tensor.FromArray([2f], 1))])], name: layer.Name));
        OnnxExporters.CanExport(typeof(WeightedPair)).Should().BeTrue();
        var a = Keras.Input([3], name: "onnx_pair_a");
        var b = Keras.Input([3], name: "onnx_pair_b");
        var model = new Model([a, b], new WeightedPair().Apply([a, b]));
        MatchesModel(model, [RandomInput(18, 2, 3), RandomInput(19, 2, 3)]);
    }

    [Fact]
    public void A_layer_called_on_a_list_without_a_list_exporter_is_named_and_nothing_is_written()
    {
        using var temp = SavingTestSupport.Temp();
        var a = Keras.Input([3]);
        var b = Keras.Input([3]);
        var model = new Model([a, b], new UnexportablePair(name: "onnx_no_pair").Apply([a, b]));
        var act = () => model.ExportOnnx(temp.File("m.onnx"));
        act.Should().Throw<NotSupportedException>().WithMessage("*'onnx_no_pair' (UnexportablePair) is called on a list of 2 inputs*RegisterMultiInput<UnexportablePair>*");
        Directory.GetFiles(temp.Path).Should().BeEmpty();
    }

    private sealed class WeightedPair : Layer
    {
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes) => inputShapes[0];

        public override void Build(IReadOnlyList<Shape> inputShapes)
        {
        }

        protected override void ValidateInputs(IReadOnlyList<Shape> inputShapes)
        {
        }

        protected override Tensor Call(Tensor inputs, bool training) => inputs;

        protected override Tensor Call(IReadOnlyList<Tensor> inputs, bool training) => Ops.Add(inputs[0], Ops.Multiply(inputs[1], 2f));
    }

    private sealed class UnexportablePair(string name) : Layer(name)
    {
        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes) => inputShapes[0];

        public override void Build(IReadOnlyList<Shape> inputShapes)
        {
        }

        protected override void ValidateInputs(IReadOnlyList<Shape> inputShapes)
        {
        }

        protected override Tensor Call(Tensor inputs, bool training) => inputs;

        protected override Tensor Call(IReadOnlyList<Tensor> inputs, bool training) => Ops.Add(inputs[0], inputs[1]);
    }
}
