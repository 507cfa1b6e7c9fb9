using KerasNotes.Layers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Layers;

/// <summary>Every case of layers_forward_backward.json (TensorFlow.js, a Keras port): forward values and the gradients of sum(y·dy).</summary>
public sealed class LayerParityTests
{
    private const string File = "layers_forward_backward.json";

    public static TheoryData<string> Cases => Fixture.CaseNames(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_matches_the_fixture_forward_and_backward(string name)
    {
        var c = Fixture.Case(File, name);
        var (abs, rel) = Fixture.Tolerance(Fixture.Load(File)["tolerance"]);
        var inputs = c["inputs"]!;
        var expected = c["expected"]!;
        var config = c["config"]!;
        var x = Fixture.ToTensor(inputs["x"]!);
        var dy = Fixture.ToTensor(inputs["dy"]!);
        bool training = c["training"]?.GetValue<bool>() ?? false;

        Layer layer = c["layer"]!.GetValue<string>() switch
        {
            "Dense" => new Dense(
                config["units"]!.GetValue<int>(),
                activation: config["activation"]!.GetValue<string>(),
                useBias: config["use_bias"]!.GetValue<bool>()),
            "BatchNormalization" => new BatchNormalization(
                axis: config["axis"]!.GetValue<int>(),
                momentum: config["momentum"]!.GetValue<double>(),
                epsilon: config["epsilon"]!.GetValue<double>(),
                center: config["center"]!.GetValue<bool>(),
                scale: config["scale"]!.GetValue<bool>()),
            "Dropout" => new Dropout(config["rate"]!.GetValue<double>()),
            var other => throw new NotSupportedException(other),
        };

        layer.Build(x.Shape.With(0, -1));
        layer.Apply(x, training: false); // marks it built with this shape
        var weightNames = layer switch
        {
            Dense d => d.UseBias ? new[] { "kernel", "bias" } : new[] { "kernel" },
            BatchNormalization => new[] { "gamma", "beta", "moving_mean", "moving_variance" },
            _ => Array.Empty<string>(),
        };
        layer.SetWeights(weightNames.Select(n => Fixture.ToTensor(inputs[n]!)).ToArray());

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
        var gradNames = layer switch
        {
            Dense d => d.UseBias ? new[] { "dkernel", "dbias" } : new[] { "dkernel" },
            BatchNormalization => new[] { "dgamma", "dbeta" },
            _ => Array.Empty<string>(),
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
