using KerasNotes.Layers;
using KerasNotes.Saving;
using KerasNotes.Saving.Json;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Layers;

/// <summary>
/// The layer contract (see <see cref="LayerContractTests"/>, which takes one input) for the layers that take a list:
/// built on first call with the declared output shape, no weights, deterministic with no training-mode difference, the
/// config surviving a save-format round trip with the same outputs, and finite-difference gradients for every input
/// (broadcasts, several inputs, Concatenate on several axes, 4-D inputs).
/// </summary>
public sealed class MergeLayerContractTests
{
    public sealed record Spec(Func<Layer> Create, int[][] InputShapes, int[] OutputShape, bool DistinctValues = false);

    public static TheoryData<string> Layers => new()
    {
        "Add", "AddThree", "AddBroadcastRank", "AddBroadcastOnes", "Add4D",
        "Subtract", "SubtractBroadcast",
        "Multiply", "MultiplyThree", "MultiplyBroadcastRank",
        "Average", "AverageThree", "AverageBroadcast",
        "Maximum", "MaximumThree", "MaximumBroadcast",
        "Minimum", "MinimumThree", "MinimumBroadcast",
        "ConcatenateLast", "ConcatenateAxis1", "ConcatenateThree", "Concatenate4DLast", "Concatenate4DAxis2", "ConcatenateNegative3",
    };

    private static Spec Get(string name) => name switch
    {
        "Add" => new(() => new Add(), [[3, 4], [3, 4]], [3, 4]),
        "AddThree" => new(() => new Add(), [[2, 3], [2, 3], [2, 3]], [2, 3]),
        "AddBroadcastRank" => new(() => new Add(), [[2, 3], [2, 4, 3]], [2, 4, 3]),
        "AddBroadcastOnes" => new(() => new Add(), [[2, 1], [2, 4]], [2, 4]),
        "Add4D" => new(() => new Add(), [[2, 3, 2, 4], [2, 2, 1], [2, 3, 2, 4]], [2, 3, 2, 4]),
        "Subtract" => new(() => new Subtract(), [[3, 4], [3, 4]], [3, 4]),
        "SubtractBroadcast" => new(() => new Subtract(), [[2, 1, 3], [2, 4, 1]], [2, 4, 3]),
        "Multiply" => new(() => new Multiply(), [[3, 4], [3, 4]], [3, 4]),
        "MultiplyThree" => new(() => new Multiply(), [[2, 3], [2, 3], [2, 3]], [2, 3]),
        "MultiplyBroadcastRank" => new(() => new Multiply(), [[2, 3], [2, 2, 3], [2, 1]], [2, 2, 3]),
        "Average" => new(() => new Average(), [[3, 4], [3, 4]], [3, 4]),
        "AverageThree" => new(() => new Average(), [[2, 3], [2, 3], [2, 3]], [2, 3]),
        "AverageBroadcast" => new(() => new Average(), [[2, 4], [2, 3, 4]], [2, 3, 4]),
        "Maximum" => new(() => new Maximum(), [[3, 4], [3, 4]], [3, 4], DistinctValues: true),
        "MaximumThree" => new(() => new Maximum(), [[2, 3], [2, 3], [2, 3]], [2, 3], DistinctValues: true),
        "MaximumBroadcast" => new(() => new Maximum(), [[2, 3], [2, 4, 3]], [2, 4, 3], DistinctValues: true),
        "Minimum" => new(() => new Minimum(), [[3, 4], [3, 4]], [3, 4], DistinctValues: true),
        "MinimumThree" => new(() => new Minimum(), [[2, 3], [2, 3], [2, 3]], [2, 3], DistinctValues: true),
        "MinimumBroadcast" => new(() => new Minimum(), [[2, 1], [2, 4]], [2, 4], DistinctValues: true),
        "ConcatenateLast" => new(() => new Concatenate(), [[2, 3], [2, 4]], [2, 7]),
        "ConcatenateAxis1" => new(() => new Concatenate(axis: 1), [[2, 3, 2], [2, 1, 2]], [2, 4, 2]),
        "ConcatenateThree" => new(() => new Concatenate(), [[2, 1], [2, 2], [2, 3]], [2, 6]),
        "Concatenate4DLast" => new(() => new Concatenate(), [[2, 2, 3, 1], [2, 2, 3, 2]], [2, 2, 3, 3]),
        "Concatenate4DAxis2" => new(() => new Concatenate(axis: 2), [[2, 2, 1, 3], [2, 2, 2, 3]], [2, 2, 3, 3]),
        "ConcatenateNegative3" => new(() => new Concatenate(axis: -3), [[2, 1, 2, 2], [2, 2, 2, 2]], [2, 3, 2, 2]),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    // Maximum and Minimum need inputs with no ties (and gaps wider than the finite-difference step), so each input is a
    // slice of one tensor of distinct values.
    private static Tensor[] Inputs(Spec spec, int seed)
    {
        if (!spec.DistinctValues)
        {
            return [.. spec.InputShapes.Select((s, i) => GradientCheck.Random(seed + i, -1f, 1f, s))];
        }

        int total = spec.InputShapes.Sum(s => new Shape(s).Size);
        var all = GradientCheck.Distinct(seed, 0.1f, total).ToArray();
        var result = new Tensor[spec.InputShapes.Length];
        int offset = 0;
        for (int i = 0; i < result.Length; i++)
        {
            int n = new Shape(spec.InputShapes[i]).Size;
            result[i] = Tensor.FromArray(all[offset..(offset + n)], spec.InputShapes[i]);
            offset += n;
        }

        return result;
    }

    private static Shape[] FreeBatch(int[][] shapes) => [.. shapes.Select(s => new Shape(s).With(0, -1))];

    [Theory]
    [MemberData(nameof(Layers))]
    public void Merge_layer_builds_on_first_call_with_the_declared_output_shape_and_no_weights(string name)
    {
        var spec = Get(name);
        var layer = spec.Create();
        layer.Built.Should().BeFalse();
        var y = layer.Apply(Inputs(spec, 1));
        layer.Built.Should().BeTrue();
        y.Shape.Dims.Should().Equal(spec.OutputShape);
        layer.ComputeOutputShape(FreeBatch(spec.InputShapes)).Should().Be(new Shape(spec.OutputShape).With(0, -1));
        layer.BuildInputShapes.Should().Equal(FreeBatch(spec.InputShapes));
        layer.Weights.Should().BeEmpty();
        layer.CountParams().Should().Be(0);
        layer.GetConfig()["name"].Should().Be(layer.Name);

        // The same through the symbolic path: a KerasTensor of the declared shape.
        var symbolic = spec.Create().Apply([.. spec.InputShapes.Select(s => Keras.Input(s[1..]))]);
        symbolic.Shape.Should().Be(new Shape(spec.OutputShape).With(0, -1));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Merge_layer_is_deterministic_and_training_mode_changes_nothing(string name)
    {
        var spec = Get(name);
        var layer = spec.Create();
        var x = Inputs(spec, 2);
        var first = layer.Apply(x, training: false).ToArray();
        TensorAssert.BitEqual(first, layer.Apply(x, training: false).ToArray(), $"{name} inference twice");
        TensorAssert.BitEqual(first, layer.Apply(x, training: true).ToArray(), $"{name} training mode");
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Merge_layer_gradients_match_finite_differences_for_every_input(string name)
    {
        var spec = Get(name);
        var layer = spec.Create();
        GradientCheck.Check(xs => layer.Apply(xs, training: true), Inputs(spec, 3), what: name);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Merge_layer_config_round_trips_to_the_same_config_and_the_same_outputs(string name)
    {
        var spec = Get(name);
        var layer = spec.Create();
        var x = Inputs(spec, 4);
        var expected = layer.Apply(x);
        string json = PythonJson.Serialize(KerasSerializer.SerializeLayer(layer));
        var node = ConfigJson.Root(System.Text.Encoding.UTF8.GetBytes(json), "layer", "$", new LoadContext("merge-contract-test"));
        var copy = KerasDeserializer.BuildLayer(node);

        copy.GetType().Should().Be(layer.GetType());
        var actual = copy.Apply(x);
        PythonJson.Serialize(KerasSerializer.SerializeLayer(copy)).Should().Be(json, "the config must survive the round trip");
        TensorAssert.BitEqual(expected.AsSpan(), actual.AsSpan(), $"{name} output after the round trip");
        json.Should().Contain($"\"class_name\": \"{layer.GetType().Name}\"");
    }
}
