using KerasNotes.Layers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Layers;

/// <summary>
/// Finite-difference checks of every layer with respect to its input and each trainable weight, in training and
/// inference mode, with weights set to non-trivial values first.
/// </summary>
public sealed class LayerGradientTests
{
    private static Tensor R(int seed, float lo, float hi, params int[] shape) => GradientCheck.Random(seed, lo, hi, shape);

    private static void CheckLayer(Layer layer, Tensor input, bool training, string what, IReadOnlyList<Tensor>? weights = null)
    {
        layer.Apply(input, training: false);
        if (weights is not null)
        {
            layer.SetWeights(weights);
        }

        var x = new Variable(input, "inputs");
        var sources = new List<Variable> { x };
        sources.AddRange(layer.TrainableWeights);
        GradientCheck.CheckVariables(() => layer.Apply(x, training), sources, what: what);
    }

    // Dense: kernel and bias drawn so that every pre-activation keeps 0.1 away from relu's kink at 0.
    private static (Tensor X, Tensor Kernel, Tensor Bias) DenseData(int inputDim, int units, bool useBias, params int[] inputShape)
    {
        for (int seed = 1; ; seed++)
        {
            var x = R(seed, -1f, 1f, inputShape);
            var kernel = R(seed + 1000, -1f, 1f, inputDim, units);
            var bias = useBias ? R(seed + 2000, -0.5f, 0.5f, units) : Tensor.Zeros(units);
            var z = Ops.Add(Ops.MatMul(x, kernel), bias);
            if (z.ToArray().All(v => Math.Abs(v) > 0.1f))
            {
                return (x, kernel, bias);
            }
        }
    }

    public static TheoryData<string, bool> DenseCases => new()
    {
        { "linear", true },
        { "relu", true },
        { "sigmoid", true },
        { "tanh", true },
        { "elu", true },
        { "softmax", true },
        { "gelu", true },
        { "linear", false },
        { "relu", false },
        { "sigmoid", false },
        { "tanh", false },
        { "selu", false },
    };

    [Theory]
    [MemberData(nameof(DenseCases))]
    public void Dense_gradient_matches_finite_differences(string activation, bool useBias)
    {
        var (x, kernel, bias) = DenseData(4, 3, useBias, 5, 4);
        var layer = new Dense(3, activation, useBias);
        CheckLayer(layer, x, training: true, $"Dense {activation} bias={useBias}", useBias ? [kernel, bias] : [kernel]);
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("linear")]
    [InlineData("softplus")]
    public void Dense_on_rank_3_input_gradient_matches_finite_differences(string activation)
    {
        var (x, kernel, bias) = DenseData(4, 3, true, 2, 3, 4);
        CheckLayer(new Dense(3, activation), x, training: true, $"Dense rank 3 {activation}", [kernel, bias]);
    }

    [Theory]
    [InlineData(true, -1, true, true, 2)]
    [InlineData(false, -1, true, true, 2)]
    [InlineData(true, -1, false, false, 2)]
    [InlineData(false, -1, false, false, 2)]
    [InlineData(true, -1, true, false, 2)]
    [InlineData(false, -1, false, true, 2)]
    [InlineData(true, -1, true, true, 3)]
    [InlineData(false, -1, true, true, 3)]
    [InlineData(true, 1, true, true, 3)]
    [InlineData(false, 1, true, true, 3)]
    [InlineData(true, 1, false, false, 3)]
    [InlineData(false, 1, true, false, 3)]
    public void BatchNormalization_gradient_matches_finite_differences(bool training, int axis, bool center, bool scale, int rank)
    {
        int[] shape = rank == 2 ? [6, 3] : [4, 3, 2];
        int features = shape[axis < 0 ? axis + rank : axis];
        var x = R(11, -2f, 2f, shape);
        var weights = new List<Tensor>();
        if (scale)
        {
            weights.Add(R(12, 0.5f, 1.5f, features));
        }

        if (center)
        {
            weights.Add(R(13, -0.5f, 0.5f, features));
        }

        weights.Add(R(14, -0.5f, 0.5f, features));   // moving_mean
        weights.Add(R(15, 0.5f, 2f, features));      // moving_variance
        var layer = new BatchNormalization(axis: axis, center: center, scale: scale);
        CheckLayer(layer, x, training, $"BatchNormalization training={training} axis={axis} center={center} scale={scale} rank={rank}", weights);
    }

    [Fact]
    public void BatchNormalization_in_training_mode_updates_the_moving_statistics_on_each_call()
    {
        var layer = new BatchNormalization(momentum: 0.5);
        var x = R(16, -2f, 2f, 6, 3);
        layer.Apply(x, training: true);
        var first = layer.MovingMean!.ToArray();
        layer.Apply(x, training: true);
        layer.MovingMean!.ToArray().Should().NotEqual(first);
        layer.Apply(x, training: false);
        var afterInference = layer.MovingMean!.ToArray();
        layer.Apply(x, training: false);
        layer.MovingMean!.ToArray().Should().Equal(afterInference);
    }

    [Fact]
    public void Dropout_in_inference_mode_gradient_matches_finite_differences()
    {
        CheckLayer(new Dropout(0.5, seed: 3), R(17, -2f, 2f, 4, 5), training: false, "Dropout inference");
    }

    [Fact]
    public void Dropout_in_training_mode_passes_the_gradient_through_the_kept_units_scaled_by_one_over_keep()
    {
        var layer = new Dropout(0.25, seed: 7);
        var x = new Variable(R(18, 0.5f, 2f, 8, 16), "x");
        using var tape = new GradientTape();
        var y = layer.Apply(x, training: true);
        var grad = tape.Gradient(Ops.Sum(y), [x])[0].ToArray();
        var ys = y.ToArray();
        for (int i = 0; i < ys.Length; i++)
        {
            grad[i].Should().Be(ys[i] == 0f ? 0f : 1f / 0.75f);
        }

        ys.Count(v => v == 0f).Should().BeInRange(1, ys.Length - 1);
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("sigmoid")]
    [InlineData("softmax")]
    [InlineData("log_softmax")]
    [InlineData("gelu")]
    [InlineData("swish")]
    [InlineData("exponential")]
    public void Activation_layer_gradient_matches_finite_differences(string activation)
    {
        var x = GradientCheck.AwayFrom(19, -2f, 2f, [0f], 0.05f, 3, 4);
        CheckLayer(new Activation(activation), x, training: true, $"Activation {activation}");
    }

    [Theory]
    [InlineData("channels_last")]
    [InlineData("channels_first")]
    public void Flatten_gradient_matches_finite_differences(string dataFormat)
    {
        CheckLayer(new Flatten(dataFormat), R(20, -2f, 2f, 2, 3, 2, 2), training: true, $"Flatten {dataFormat}");
    }

    [Fact]
    public void Stacked_layers_gradient_matches_finite_differences()
    {
        var dense = new Dense(4, "tanh");
        var bn = new BatchNormalization();
        var head = new Dense(3, "softmax");
        var x = new Variable(R(21, -1f, 1f, 5, 3), "x");
        Tensor Forward() => head.Apply(bn.Apply(dense.Apply(x, training: true), training: true), training: true);
        _ = Forward();
        dense.SetWeights([R(22, -1f, 1f, 3, 4), R(23, -0.5f, 0.5f, 4)]);
        head.SetWeights([R(24, -1f, 1f, 4, 3), R(25, -0.5f, 0.5f, 3)]);
        var sources = new List<Variable> { x };
        sources.AddRange(dense.TrainableWeights);
        sources.AddRange(bn.TrainableWeights);
        sources.AddRange(head.TrainableWeights);
        GradientCheck.CheckVariables(Forward, sources, what: "Dense → BatchNormalization → Dense softmax");
    }
}
