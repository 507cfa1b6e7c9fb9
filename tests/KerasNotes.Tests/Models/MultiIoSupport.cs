using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Models;

/// <summary>Two-input and two-output functional models and data for the several-inputs/outputs training tests.</summary>
internal static class MultiIoSupport
{
    public const int Samples = 40;

    /// <summary>
    /// pixels [4] and hint [2] → Concatenate → Dense(8, relu) → dense_1: Dense(3, softmax) (a class) and dense_2: Dense(1, sigmoid) (a flag).
    /// </summary>
    public static Model TwoInTwoOut(int seed = 5)
    {
        RandomSeed.Set(seed);
        var pixels = Keras.Input(shape: [4], name: "pixels");
        var hint = Keras.Input(shape: [2], name: "hint");
        var joined = new Concatenate(name: "join").Apply([pixels, hint]);
        var hidden = new Dense(8, activation: "relu", name: "hidden").Apply(joined);
        var label = new Dense(3, activation: "softmax", name: "dense_1").Apply(hidden);
        var flag = new Dense(1, activation: "sigmoid", name: "dense_2").Apply(hidden);
        return new Model([pixels, hint], [label, flag]);
    }

    /// <summary>One input [4] → Dense(8, relu) → dense_1: Dense(3, softmax) and dense_2: Dense(1, sigmoid).</summary>
    public static Model OneInTwoOut(int seed = 5)
    {
        RandomSeed.Set(seed);
        var pixels = Keras.Input(shape: [4], name: "pixels");
        var hidden = new Dense(8, activation: "relu", name: "hidden").Apply(pixels);
        var label = new Dense(3, activation: "softmax", name: "dense_1").Apply(hidden);
        var flag = new Dense(1, activation: "sigmoid", name: "dense_2").Apply(hidden);
        return new Model(pixels, [label, flag]);
    }

    public static Tensor Pixels(int n = Samples) => GradientCheck.Random(21, -1f, 1f, n, 4);

    public static Tensor Hints(int n = Samples) => GradientCheck.Random(22, -1f, 1f, n, 2);

    public static int[] Labels(int n = Samples) => [.. Enumerable.Range(0, n).Select(i => (i * 7) % 3)];

    public static Tensor Flags(int n = Samples) => Tensor.FromArray([.. Enumerable.Range(0, n).Select(i => (float)(i % 2))], n, 1);

    public static float[][] Snapshot(Model model) => [.. model.GetWeights().Select(w => w.ToArray())];

    public static void ShouldEqual(this float[][] actual, float[][] expected)
    {
        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            actual[i].Should().Equal(expected[i], $"weight {i} must be bit-identical");
        }
    }
}
