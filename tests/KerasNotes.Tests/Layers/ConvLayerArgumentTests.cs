using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Layers;

/// <summary>Bad arguments and inputs to the convolution layers: a clear exception naming the layer, the argument and the shapes, before any weight exists.</summary>
public sealed class ConvLayerArgumentTests
{
    [Fact]
    public void Conv2D_refuses_non_positive_sizes_and_strides_with_dilation()
    {
        ((Func<object>)(() => new Conv2D(0, 3))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("filters");
        ((Func<object>)(() => new Conv2D(4, 0))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("kernelSize");
        ((Func<object>)(() => new Conv2D(4, 3, strides: -1))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*strides*(-1, -1)*");
        ((Func<object>)(() => new Conv2D(4, 3, strides: 2, dilationRate: 2))).Should().Throw<ArgumentException>().WithMessage("*strides*dilationRate*Keras refuses*");
        ((Func<object>)(() => new Conv2D(4, 3, padding: "causal"))).Should().Throw<ArgumentException>().WithMessage("*\"causal\"*");
        ((Func<object>)(() => new Conv2D(4, 3, activation: "nope"))).Should().Throw<ArgumentException>().WithMessage("*nope*");
    }

    [Fact]
    public void Conv2D_on_an_input_of_the_wrong_rank_names_the_layer_and_the_shape_and_creates_no_weight()
    {
        var conv = new Conv2D(4, 3, name: "c1");
        var x = GradientCheck.Random(1, -1f, 1f, 2, 8, 8);
        ((Action)(() => conv.Apply(x))).Should().Throw<ArgumentException>().WithMessage("*Conv2D 'c1'*4-D*[2, 8, 8]*");
        conv.Weights.Should().BeEmpty();
        conv.Built.Should().BeFalse();
    }

    [Fact]
    public void Conv2D_kernel_larger_than_the_input_is_refused_before_any_weight_exists()
    {
        var conv = new Conv2D(4, 5, name: "big");
        ((Action)(() => conv.Apply(GradientCheck.Random(1, -1f, 1f, 1, 4, 4, 1)))).Should().Throw<ArgumentException>().WithMessage("*Conv2D 'big'*5×5*larger than the input*");
        conv.Weights.Should().BeEmpty();
        var same = new Conv2D(4, 5, padding: "same");
        same.Apply(GradientCheck.Random(1, -1f, 1f, 1, 4, 4, 1)).Shape.Should().Be(new Shape(1, 4, 4, 4));
    }

    [Fact]
    public void Conv2D_after_building_refuses_a_different_channel_count()
    {
        var conv = new Conv2D(4, 3, name: "c2");
        conv.Apply(GradientCheck.Random(1, -1f, 1f, 1, 5, 5, 2));
        ((Action)(() => conv.Apply(GradientCheck.Random(1, -1f, 1f, 1, 5, 5, 3)))).Should().Throw<ArgumentException>().WithMessage("*Conv2D 'c2'*[batch, height, width, 2]*[1, 5, 5, 3]*");
    }

    [Fact]
    public void Pooling_refuses_bad_windows_and_inputs()
    {
        ((Func<object>)(() => new MaxPooling2D(0))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*poolSize*(0, 0)*");
        ((Func<object>)(() => new AveragePooling2D(2, 0))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*strides*(0, 0)*");
        ((Func<object>)(() => new MaxPooling2D(2, padding: "full"))).Should().Throw<ArgumentException>().WithMessage("*\"full\"*");
        ((Func<object>)(() => new MaxPooling2D(3, name: "p").Apply(GradientCheck.Random(1, -1f, 1f, 1, 2, 2, 1)))).Should().Throw<ArgumentException>().WithMessage("*MaxPooling2D 'p'*3×3*larger than the input*");
        ((Action)(() => new GlobalAveragePooling2D(name: "g").Apply(GradientCheck.Random(1, -1f, 1f, 2, 3)))).Should().Throw<ArgumentException>().WithMessage("*GlobalAveragePooling2D 'g'*4-D*[2, 3]*");
    }

    [Fact]
    public void Reshape_refuses_shapes_that_do_not_fit()
    {
        ((Func<object>)(() => new Reshape(-1, -1))).Should().Throw<ArgumentException>().WithMessage("*at most one -1*");
        ((Func<object>)(() => new Reshape(0, 2))).Should().Throw<ArgumentException>().WithMessage("*size 0*");
        ((Func<object>)(() => new Reshape([5, 5], "r").Apply(GradientCheck.Random(1, -1f, 1f, 2, 12)))).Should().Throw<ArgumentException>().WithMessage("*Reshape 'r'*12 values*[5, 5]*");
    }

    [Fact]
    public void Summary_shows_the_convolution_shapes_as_Keras_does()
    {
        var model = new Sequential(new Input(28, 28, 1), new Conv2D(32, 3, activation: "relu"), new MaxPooling2D(2), new Flatten(), new Dense(10));
        var text = new StringWriter();
        model.Summary(text);
        string printed = text.ToString();
        printed.Should().Contain("(None, 26, 26, 32)").And.Contain("(None, 13, 13, 32)").And.Contain("(None, 5408)").And.Contain("320");
    }
}
