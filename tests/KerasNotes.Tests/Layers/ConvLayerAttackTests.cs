using KerasNotes.Initializers;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Saving;
using KerasNotes.Tests.Saving;
using KerasNotes.Tests.TestSupport;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Layers;

/// <summary>
/// An outside attack on the convolution-era layers and ops with bad and odd inputs: every refusal is an
/// <see cref="ArgumentException"/> naming what was wrong, nothing else escapes, and odd but legal sizes (batch 0,
/// channels 0, a window larger than a same-padded input) work.
/// </summary>
public sealed class ConvLayerAttackTests(ITestOutputHelper output)
{
    private static Tensor R(int seed, params int[] shape) => GradientCheck.Random(seed, -1f, 1f, shape);

    private void Refused(Action action, params string[] mentions)
    {
        var e = action.Should().Throw<ArgumentException>().Which;
        output.WriteLine(e.Message);
        foreach (string m in mentions)
        {
            e.Message.Should().Contain(m);
        }
    }

    [Fact]
    public void Ops_Conv2D_refuses_bad_ranks_and_sizes_with_ArgumentException_naming_them()
    {
        var x = R(1, 1, 5, 5, 2);
        Refused(() => Ops.Conv2D(R(2, 5, 5, 2), R(3, 3, 3, 2, 1)), "[5, 5, 2]");
        Refused(() => Ops.Conv2D(R(2, 1, 1, 5, 5, 2), R(3, 3, 3, 2, 1)), "[1, 1, 5, 5, 2]");
        Refused(() => Ops.Conv2D(x, R(3, 3, 3, 2)), "[3, 3, 2]");
        Refused(() => Ops.Conv2D(x, R(3, 3, 3, 3, 1)), "3 input channels");
        Refused(() => Ops.Conv2D(x, R(3, 6, 3, 2, 1)), "6×3");
        Refused(() => Ops.Conv2D(x, R(3, 3, 3, 2, 1), 0), "strides");
        Refused(() => Ops.Conv2D(x, R(3, 3, 3, 2, 1), -2), "strides");
        Refused(() => Ops.Conv2D(x, R(3, 3, 3, 2, 1), 1, "valid", 0), "dilationRate");
        Refused(() => Ops.Conv2D(x, R(3, 3, 3, 2, 1), 2, "same", 2), "dilation");
        Refused(() => Ops.Conv2D(x, R(3, 3, 3, 2, 1), 1, "causal"), "causal");
        Refused(() => Ops.Conv2D(x, R(3, 3, 3, 2, 1), 1, null!), "padding");
        Refused(() => Ops.Conv2D(x, R(3, 3, 3, 2, 1), (int.MinValue, 1), "valid", (1, 1)), "strides");
    }

    [Fact]
    public void Ops_Conv2D_refuses_a_kernel_with_no_rows_or_columns()
    {
        // A 0×3 kernel has a span of 0: "valid" would give in + 1 output rows of nothing. Keras refuses kernel_size 0.
        var x = R(1, 1, 5, 5, 2);
        Refused(() => Ops.Conv2D(x, Tensor.FromArray([], 0, 3, 2, 1)), "kernel");
        Refused(() => Ops.Conv2D(x, Tensor.FromArray([], 3, 0, 2, 1)), "kernel");
        Refused(() => Ops.Conv2D(x, Tensor.FromArray([], 0, 0, 2, 1), 1, "same", 1), "kernel");
    }

    [Fact]
    public void Ops_pooling_refuses_a_window_with_no_rows_or_columns_and_bad_ranks()
    {
        var x = R(1, 1, 5, 5, 2);
        Refused(() => Ops.MaxPool2D(x, 0), "poolSize");
        Refused(() => Ops.AvgPool2D(x, (2, -1), null, "valid"), "poolSize");
        Refused(() => Ops.MaxPool2D(x, 2, 0), "strides");
        Refused(() => Ops.MaxPool2D(x, 6), "6×6");
        Refused(() => Ops.MaxPool2D(R(2, 5, 5, 2)), "[5, 5, 2]");
        Refused(() => Ops.AvgPool2D(x, 2, null, "SAME!"), "SAME!");
        Refused(() => Ops.GlobalAveragePool2D(R(2, 5, 5)), "[5, 5]");
        Refused(() => Ops.GlobalMaxPool2D(R(2, 2, 5, 5, 1, 1)), "[2, 5, 5, 1, 1]");
    }

    [Fact]
    public void An_empty_batch_goes_through_every_conv_op_and_its_gradient()
    {
        var x = new Variable(Tensor.FromArray([], 0, 5, 5, 2), "x");
        var k = new Variable(R(3, 3, 3, 2, 4), "k");
        using var tape = new GradientTape();
        var y = Ops.Conv2D(x, k, 2, "same");
        y.Shape.Should().Be(new Shape(0, 3, 3, 4));
        var p = Ops.MaxPool2D(y, 2, 1, "same");
        var a = Ops.AvgPool2D(p, 2, 1, "same");
        var g = Ops.GlobalAveragePool2D(a);
        var m = Ops.GlobalMaxPool2D(a);
        g.Shape.Should().Be(new Shape(0, 4));
        m.Shape.Should().Be(new Shape(0, 4));
        var grads = tape.Gradient(Ops.Add(Ops.Sum(g), Ops.Sum(m)), [x, k]);
        grads[0].Shape.Should().Be(x.Shape);
        grads[1].ToArray().Should().OnlyContain(v => v == 0);
    }

    [Fact]
    public void Zero_channels_give_zero_outputs_and_zero_filters_give_an_empty_output()
    {
        var y = Ops.Conv2D(Tensor.FromArray([], 2, 4, 4, 0), Tensor.FromArray([], 3, 3, 0, 5));
        y.Shape.Should().Be(new Shape(2, 2, 2, 5));
        y.ToArray().Should().OnlyContain(v => v == 0);
        var empty = Ops.Conv2D(R(1, 2, 4, 4, 3), Tensor.FromArray([], 3, 3, 3, 0));
        empty.Shape.Should().Be(new Shape(2, 2, 2, 0));
        Ops.MaxPool2D(Tensor.FromArray([], 2, 4, 4, 0)).Shape.Should().Be(new Shape(2, 2, 2, 0));
        Ops.GlobalMaxPool2D(Tensor.FromArray([], 2, 4, 4, 0)).Shape.Should().Be(new Shape(2, 0));
    }

    [Fact]
    public void Global_pooling_of_images_with_no_pixels_is_refused_or_empty_but_never_crashes()
    {
        var x = Tensor.FromArray([], 2, 0, 3, 4);
        foreach (var op in new Func<Tensor>[] { () => Ops.GlobalAveragePool2D(x), () => Ops.GlobalMaxPool2D(x), () => Ops.MaxPool2D(x, 1, 1, "same"), () => Ops.Conv2D(x, R(1, 1, 1, 4, 2), 1, "same") })
        {
            try
            {
                var y = op();
                output.WriteLine($"{y.Shape}: {string.Join(", ", y.ToArray())}");
            }
            catch (ArgumentException e)
            {
                output.WriteLine(e.Message);
            }
        }
    }

    [Fact]
    public void NaN_in_one_pixel_reaches_exactly_the_outputs_whose_window_covers_it()
    {
        var values = R(5, 1, 6, 6, 2).ToArray();
        values[((2 * 6) + 3) * 2] = float.NaN; // pixel (2, 3), channel 0
        var x = Tensor.FromArray(values, 1, 6, 6, 2);
        var y = Ops.Conv2D(x, R(6, 3, 3, 2, 2), 1, "same");
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                bool covers = Math.Abs(i - 2) <= 1 && Math.Abs(j - 3) <= 1;
                float.IsNaN(y[0, i, j, 0]).Should().Be(covers, $"output ({i}, {j})");
            }
        }

        var a = Ops.AvgPool2D(x, 2);
        float.IsNaN(a[0, 1, 1, 0]).Should().BeTrue();
        float.IsNaN(a[0, 0, 0, 0]).Should().BeFalse();
        float.IsNaN(Ops.MaxPool2D(x, 2)[0, 0, 0, 0]).Should().BeFalse();
    }

    [Fact]
    public void Layers_refuse_bad_arguments_with_ArgumentException_naming_them()
    {
        Refused(() => _ = new Conv2D(0, 3), "filters");
        Refused(() => _ = new Conv2D(-4, 3), "filters");
        Refused(() => _ = new Conv2D(4, 0), "kernelSize");
        Refused(() => _ = new Conv2D(4, (3, -1)), "kernelSize");
        Refused(() => _ = new Conv2D(4, 3, strides: 2, dilationRate: 2), "dilation");
        Refused(() => _ = new Conv2D(4, 3, padding: "full"), "full");
        Refused(() => _ = new Conv2D(4, 3, activation: "nope"), "nope");
        Refused(() => _ = new MaxPooling2D(0), "poolSize");
        Refused(() => _ = new AveragePooling2D(2, strides: -1), "strides");
        Refused(() => _ = new Reshape(), "targetShape");
        Refused(() => _ = new Reshape(-1, -1), "-1");
        Refused(() => _ = new Reshape(0, 4), "0");
        Refused(() => _ = new Reshape(-2, 4), "-2");
    }

    [Fact]
    public void A_conv_layer_on_an_input_without_channels_or_of_the_wrong_rank_is_refused_at_build()
    {
        Refused(() => _ = new Sequential(new Input(8, 8), new Conv2D(2, 3)), "Conv2D");
        Refused(() => _ = new Sequential(new Input(8, 8, 0), new Conv2D(2, 3)), "[8, 8, 0]");
        Refused(() => _ = new Sequential(new Input(8), new MaxPooling2D()), "MaxPooling2D");
        Refused(() => _ = new Sequential(new Input(8, 8, 1, 1), new GlobalMaxPooling2D()), "GlobalMaxPooling2D");
        Refused(() => _ = new Sequential(new Input(2, 2, 1), new Conv2D(1, 3)), "Conv2D");
        Refused(() => _ = new Sequential(new Input(2, 2, 1), new AveragePooling2D(3)), "AveragePooling2D");
    }

    [Fact]
    public void A_conv_layer_whose_kernel_cannot_be_held_is_refused_before_allocating_it()
    {
        Refused(() => _ = new Sequential(new Input(100, 100, 50_000), new Conv2D(50_000, 3, padding: "same")), "Conv2D");
        Refused(() => _ = new Sequential(new Input(8, 8, 3), new Conv2D(int.MaxValue, 3)), "Conv2D");
    }

    [Fact]
    public void A_reshape_whose_target_sizes_overflow_is_refused_with_ArgumentException()
    {
        // 65536^4 wraps a long to 0: the -1 was then worked out by dividing by zero.
        Refused(() => _ = new Sequential(new Input(4), new Reshape(65536, 65536, 65536, 65536, -1)), "Reshape");
        Refused(() => _ = new Sequential(new Input(4), new Reshape(int.MaxValue, int.MaxValue, int.MaxValue)), "Reshape");
        Refused(() => new Reshape(65536, 65536, 65536, 65536, -1).ComputeOutputShape(new Shape(-1, 4)), "Reshape");
    }

    [Fact]
    public void A_reshape_that_drops_a_zero_sized_axis_does_not_invent_values()
    {
        // Input [N, 0, 5] holds no values; a target of [5] would need five per sample.
        Refused(() => new Reshape(5).ComputeOutputShape(new Shape(2, 0, 5)), "Reshape");
    }

    [Fact]
    public void A_same_padded_pool_larger_than_its_input_works_as_in_Keras()
    {
        var model = new Sequential(new Input(3, 5, 2), new MaxPooling2D(int.MaxValue, strides: 1, padding: "same"), new AveragePooling2D((7, int.MaxValue), padding: "same"));
        var x = R(9, 4, 3, 5, 2);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var y = model.Predict(x);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        y.Shape.Should().Be(new Shape(4, 1, 1, 2));
        var expected = Ops.GlobalMaxPool2D(x, keepDims: true);
        TensorAssert.Close(expected, y, 1e-6, 1e-6, "max then average of whole images");
    }

    [Fact]
    public void A_convolution_whose_output_cannot_be_held_is_refused_naming_the_shape()
    {
        // 4096 × 4096 positions × 256 filters = 2^32 values: more than a tensor can hold, from a 64 MB input.
        var x = Tensor.FromArray(new float[4096 * 4096], 1, 4096, 4096, 1);
        var k = Tensor.FromArray(new float[256], 1, 1, 1, 256);
        var e = FluentActions.Invoking(() => Ops.Conv2D(x, k)).Should().Throw<ArgumentException>().Which;
        output.WriteLine(e.Message);
        e.Message.Should().Contain("4096");
    }
}
