using System.Text;
using KerasNotes.Layers;
using KerasNotes.Saving;
using KerasNotes.Saving.Json;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Layers;

/// <summary>
/// Every case of conv_layers.json (TensorFlow.js with TF semantics, cross-checked by PyTorch and numpy): Conv2D,
/// pooling, global pooling, Flatten and BatchNormalization on 4-D inputs, forward values and the gradients of
/// sum(y·dy). Each layer is built from the case's Keras config through the layer registry, so FromConfig is
/// exercised with Keras's own keys.
/// </summary>
public sealed class ConvLayerParityTests
{
    private const string File = "conv_layers.json";

    public static TheoryData<string> Cases => Fixture.CaseNames(File);

    private static Layer FromKerasConfig(string className, System.Text.Json.Nodes.JsonNode config)
    {
        string json = $"{{\"class_name\": \"{className}\", \"config\": {config.ToJsonString()}}}";
        var context = new LoadContext("conv_layers.json");
        return KerasDeserializer.BuildLayer(ConfigJson.Root(Encoding.UTF8.GetBytes(json), "case", "$", context));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_matches_the_fixture_forward_and_backward(string name)
    {
        var c = Fixture.Case(File, name);
        var (abs, rel) = Fixture.Tolerance(c["tolerance"]);
        var inputs = c["inputs"]!;
        var expected = c["expected"]!;
        var x = Fixture.ToTensor(inputs["x"]!);
        var dy = Fixture.ToTensor(inputs["dy"]!);
        bool training = c["training"]?.GetValue<bool>() ?? false;
        var layer = FromKerasConfig(c["layer"]!.GetValue<string>(), c["config"]!);

        layer.Build(x.Shape.With(0, -1));
        layer.Apply(x, training: false);
        string[] weightNames = layer switch
        {
            Conv2D conv => conv.UseBias ? ["kernel", "bias"] : ["kernel"],
            BatchNormalization => ["gamma", "beta", "moving_mean", "moving_variance"],
            _ => [],
        };
        layer.SetWeights([.. weightNames.Select(n => Fixture.ToTensor(inputs[n]!))]);

        var xVar = new Variable(x, "x");
        Tensor y;
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            y = layer.Apply(xVar, training);
            var loss = Ops.Sum(Ops.Multiply(y, dy));
            var sources = new List<Variable> { xVar };
            sources.AddRange(layer.TrainableWeights);
            grads = tape.Gradient(loss, sources);
        }

        TensorAssert.Close(Fixture.ToTensor(expected["y"]!), y, abs, rel, $"{name} y");
        TensorAssert.Close(Fixture.ToTensor(expected["dx"]!), grads[0], abs, rel, $"{name} dx");
        string[] gradNames = layer switch
        {
            Conv2D conv => conv.UseBias ? ["dkernel", "dbias"] : ["dkernel"],
            BatchNormalization => ["dgamma", "dbeta"],
            _ => [],
        };
        for (int i = 0; i < gradNames.Length; i++)
        {
            TensorAssert.Close(Fixture.ToTensor(expected[gradNames[i]]!), grads[i + 1], abs, rel, $"{name} {gradNames[i]}");
        }

        if (layer is BatchNormalization bn)
        {
            TensorAssert.Close(Fixture.ToTensor(expected["moving_mean_after"]!), bn.MovingMean!.Value, abs, rel, $"{name} moving_mean");
            TensorAssert.Close(Fixture.ToTensor(expected["moving_variance_after"]!), bn.MovingVariance!.Value, abs, rel, $"{name} moving_variance");
        }
    }
}
