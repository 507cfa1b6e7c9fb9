using KerasNotes.Layers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Layers;

/// <summary>
/// The merge layers against Keras's rules (keras/src/layers/merging): shapes broadcast from the right with the batch
/// axis apart, Keras's error texts with the layer's name and the shapes, and values worked out by hand.
/// </summary>
public sealed class MergeLayerTests
{
    private static Shape S(params int[] dims) => new(dims);

    private static Tensor T(float[] values, params int[] shape) => Tensor.FromArray(values, shape);

    public static TheoryData<string> ElementwiseLayers => new() { "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum" };

    private static Merge Create(string kind, string? name = null) => kind switch
    {
        "Add" => new Add(name),
        "Subtract" => new Subtract(name),
        "Multiply" => new Multiply(name),
        "Average" => new Average(name),
        "Maximum" => new Maximum(name),
        "Minimum" => new Minimum(name),
        "Concatenate" => new Concatenate(name: name),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(ElementwiseLayers))]
    public void Elementwise_layers_broadcast_as_Keras_from_the_right_with_the_batch_axis_apart(string kind)
    {
        // Keras (RUN): (None,3)+(None,4,3) → (None,4,3); (None,1)+(None,5) → (None,5); (None,None)+(None,3) → (None,None).
        Create(kind).ComputeOutputShape([S(-1, 3), S(-1, 4, 3)]).Should().Be(S(-1, 4, 3));
        Create(kind).ComputeOutputShape([S(-1, 4, 3), S(-1, 3)]).Should().Be(S(-1, 4, 3));
        Create(kind).ComputeOutputShape([S(-1, 1), S(-1, 5)]).Should().Be(S(-1, 5));
        Create(kind).ComputeOutputShape([S(-1, -1), S(-1, 3)]).Should().Be(S(-1, -1));
        Create(kind).ComputeOutputShape([S(-1, 2, 1, 4), S(-1, 3, 1)]).Should().Be(S(-1, 2, 3, 4));
        Create(kind).ComputeOutputShape([S(-1, 3), S(7, 3)]).Should().Be(S(7, 3), "the one known batch size is the output's");
    }

    [Theory]
    [MemberData(nameof(ElementwiseLayers))]
    public void Incompatible_shapes_are_refused_with_Kerass_text_naming_the_layer_and_both_shapes(string kind)
    {
        var layer = Create(kind, $"bad_{kind.ToLowerInvariant()}");
        var act = () => layer.ComputeOutputShape([S(-1, 4), S(-1, 4, 3)]);
        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Contain($"{kind} 'bad_{kind.ToLowerInvariant()}'")
            .And.Contain("Inputs have incompatible shapes. Received shapes (4, 3) and (4,)", Exactly.Once())
            .And.Contain("[(None, 4), (None, 4, 3)]");
        var other = () => Create(kind).ComputeOutputShape([S(-1, 3), S(-1, 4)]);
        other.Should().Throw<ArgumentException>().WithMessage("*Received shapes (3,) and (4,)*");
    }

    [Theory]
    [MemberData(nameof(ElementwiseLayers))]
    public void Different_batch_sizes_are_refused_as_Keras_refuses_them(string kind)
    {
        var act = () => Create(kind).ComputeOutputShape([S(2, 3), S(5, 3)]);
        act.Should().Throw<ArgumentException>()
            .WithMessage("*Cannot merge tensors with different batch sizes. Received tensors with shapes [(2, 3), (5, 3)]*");
        var eager = () => Create(kind).Apply([Tensor.Zeros(1, 3), Tensor.Zeros(5, 3)]);
        eager.Should().Throw<ArgumentException>("a batch of 1 does not broadcast against 5 either").WithMessage("*different batch sizes*");
    }

    [Theory]
    [MemberData(nameof(ElementwiseLayers))]
    public void One_tensor_instead_of_a_list_is_refused_with_Kerass_text(string kind)
    {
        var layer = Create(kind, $"single_{kind.ToLowerInvariant()}");
        var eager = () => layer.Apply(Tensor.Zeros(2, 3));
        eager.Should().Throw<ArgumentException>().Which.Message.Should()
            .Contain($"single_{kind.ToLowerInvariant()}")
            .And.Contain("A merge layer should be called on a list of inputs. Received: input_shape=(2, 3) (not a list of shapes)");
        layer.Built.Should().BeFalse();

        var symbolic = () => layer.Apply(Keras.Input([3]));
        symbolic.Should().Throw<ArgumentException>().WithMessage("*should be called on a list of inputs. Received: input_shape=(None, 3)*");

        // Built by a list call, the layer still refuses a single tensor.
        layer.Apply([Tensor.Zeros(2, 3), Tensor.Zeros(2, 3)]);
        eager.Should().Throw<ArgumentException>().WithMessage("*should be called on a list of inputs*");
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Multiply")]
    [InlineData("Average")]
    [InlineData("Maximum")]
    [InlineData("Minimum")]
    [InlineData("Concatenate")]
    public void A_list_of_one_input_passes_it_through_as_in_Keras(string kind)
    {
        var x = T([1, -2, 3, 4.5f], 2, 2);
        Create(kind).Apply([x]).ToArray().Should().Equal(1, -2, 3, 4.5f);
        Create(kind).Apply([Keras.Input([4, 2])]).Shape.Should().Be(S(-1, 4, 2));
    }

    [Fact]
    public void A_merge_layer_in_a_Sequential_is_refused_because_it_gets_one_tensor()
    {
        var act = () => new KerasNotes.Models.Sequential(new Input(3), new Add(name: "seq_add"));
        act.Should().Throw<ArgumentException>().WithMessage("*seq_add*A merge layer should be called on a list of inputs*");
    }

    [Fact]
    public void An_empty_list_of_shapes_is_refused_naming_the_layer()
    {
        var act = () => new Add(name: "empty_add").ComputeOutputShape(Array.Empty<Shape>());
        act.Should().Throw<ArgumentException>().WithMessage("*empty_add*at least 1 input*Received 0 inputs*");
        var apply = () => new Add().Apply(Array.Empty<Tensor>());
        apply.Should().Throw<ArgumentException>().WithMessage("*at least one input*");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Subtract_takes_exactly_two_inputs(int count)
    {
        var layer = new Subtract(name: "two_only");
        var shapes = Enumerable.Repeat(S(-1, 3), count).ToArray();
        var act = () => layer.ComputeOutputShape(shapes);
        act.Should().Throw<ArgumentException>().WithMessage(
            "*two_only*A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[(None, 3)*");
        var eager = () => layer.Apply(Enumerable.Repeat(Tensor.Zeros(2, 3), count).ToArray());
        eager.Should().Throw<ArgumentException>().WithMessage("*exactly 2 inputs*");
        layer.Built.Should().BeFalse();
    }

    [Fact]
    public void A_scalar_input_is_refused_because_a_merge_needs_a_batch_axis()
    {
        var act = () => new Add(name: "scalar_add").ComputeOutputShape([S(), S(-1, 3)]);
        act.Should().Throw<ArgumentException>().WithMessage("*scalar_add*batch axis*[(), (None, 3)]*");
    }

    [Fact]
    public void A_symbolic_misfit_is_refused_when_the_graph_is_built_and_records_no_node()
    {
        var a = Keras.Input([3], name: "merge_misfit_a");
        var b = Keras.Input([4], name: "merge_misfit_b");
        var add = new Add(name: "misfit_add");
        var act = () => add.Apply([a, b]);
        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Contain("misfit_add").And.Contain("merge_misfit_a").And.Contain("merge_misfit_b")
            .And.Contain("Inputs have incompatible shapes. Received shapes (3,) and (4,)");
        add.InboundNodes.Should().BeEmpty();
    }

    [Fact]
    public void Each_elementwise_layer_computes_what_Keras_computes_on_a_small_example()
    {
        var a = T([1, 2, 3, -4, 5, -6], 2, 3);
        var b = T([10, -20, 3, 4, 50, 60], 2, 3);
        var c = T([-1, 2, 30, 0, 6, -60], 2, 3);
        new Add().Apply([a, b, c]).ToArray().Should().Equal(10, -16, 36, 0, 61, -6);
        new Subtract().Apply([a, b]).ToArray().Should().Equal(-9, 22, 0, -8, -45, -66);
        new Multiply().Apply([a, b, c]).ToArray().Should().Equal(-10, -80, 270, -0f, 1500, 21600);
        new Average().Apply([a, b, c]).ToArray().Should().Equal(10 / 3f, -16 / 3f, 12, 0, 61 / 3f, -2);
        new Maximum().Apply([a, b, c]).ToArray().Should().Equal(10, 2, 30, 4, 50, 60);
        new Minimum().Apply([a, b, c]).ToArray().Should().Equal(-1, -20, 3, -4, 5, -60);
    }

    [Fact]
    public void A_lower_rank_input_gets_size_1_axes_after_its_batch_axis_as_in_Keras()
    {
        // Keras expand_dims(x, axis=1): (2,3) against (2,4,3) is a[n, j] + b[n, i, j].
        var a = T([1, 2, 3, 4, 5, 6], 2, 3);
        var b = T([.. Enumerable.Range(0, 24).Select(k => 10f * ((k / 3) % 4))], 2, 4, 3);
        var y = new Add().Apply([a, b]);
        y.Shape.Should().Be(S(2, 4, 3));
        var values = y.ToArray();
        for (int n = 0; n < 2; n++)
        {
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    values[(n * 12) + (i * 3) + j].Should().Be(a.ToArray()[(n * 3) + j] + (10f * i));
                }
            }
        }

        // And the other way round, with Subtract's order kept: b - a.
        new Subtract().Apply([b, a]).ToArray()[4].Should().Be(10f - 2f);
    }

    [Fact]
    public void A_size_1_axis_broadcasts_against_a_longer_one()
    {
        var a = T([2, 3], 2, 1);
        var b = T([1, 2, 3, 4, 5, 6, 7, 8], 2, 4);
        new Multiply().Apply([a, b]).ToArray().Should().Equal(2, 4, 6, 8, 15, 18, 21, 24);
        new Maximum().Apply([a, b]).ToArray().Should().Equal(2, 2, 3, 4, 5, 6, 7, 8);
    }

    [Fact]
    public void Maximum_and_Minimum_send_the_gradient_of_a_tie_to_the_earlier_input_as_TensorFlow_does()
    {
        // TF's _MaximumGrad gives x the gradient where x >= y (and _MinimumGrad where x <= y); the layer folds left to
        // right, so among tied inputs the first one gets it all. (JAX and PyTorch split a tie in halves instead.)
        foreach (var (layer, expectedA, expectedB, expectedC) in new (Merge, float[], float[], float[])[]
        {
            (new Maximum(), [1, 1, 0], [0, 0, 1], [0, 0, 0]),
            // min over the columns (1,1,0), (2,2,2), (3,5,4): c wins the first; a wins the rest (tied with b and c in the second).
            (new Minimum(), [0, 1, 1], [0, 0, 0], [1, 0, 0]),
        })
        {
            var a = new Variable(T([1, 2, 3], 1, 3), "a");
            var b = new Variable(T([1, 2, 5], 1, 3), "b");
            var c = new Variable(T([0, 2, 4], 1, 3), "c");
            Tensor[] grads;
            using (var tape = new GradientTape())
            {
                var y = layer.Apply([a.Value, b.Value, c.Value]);
                grads = tape.Gradient(Ops.Sum(y), [a, b, c]);
            }

            grads[0].ToArray().Should().Equal(expectedA, $"{layer.GetType().Name}: a");
            grads[1].ToArray().Should().Equal(expectedB, $"{layer.GetType().Name}: b");
            grads[2].ToArray().Should().Equal(expectedC, $"{layer.GetType().Name}: c");
        }
    }

    [Fact]
    public void Concatenate_joins_along_the_last_axis_by_default_and_along_any_other_axis_given()
    {
        var a = T([1, 2, 3, 4], 2, 2);
        var b = T([5, 6, 7, 8, 9, 10], 2, 3);
        new Concatenate().Apply([a, b]).ToArray().Should().Equal(1, 2, 5, 6, 7, 3, 4, 8, 9, 10);
        var c = T([11, 12], 1, 2);
        new Concatenate(axis: 0).Apply([a, c]).ToArray().Should().Equal(1, 2, 3, 4, 11, 12);
        var p = T([1, 2, 3, 4], 1, 2, 2);
        var q = T([5, 6], 1, 1, 2);
        var y = new Concatenate(axis: 1).Apply([p, q]);
        y.Shape.Should().Be(S(1, 3, 2));
        y.ToArray().Should().Equal(1, 2, 3, 4, 5, 6);
    }

    [Fact]
    public void Concatenate_follows_Kerass_shape_rules()
    {
        // Keras (RUN): (None,2,3)+(None,4,3) fails on axis -1 and gives (None,6,3) on axis 1.
        new Concatenate(axis: 1).ComputeOutputShape([S(-1, 2, 3), S(-1, 4, 3)]).Should().Be(S(-1, 6, 3));
        new Concatenate().ComputeOutputShape([S(-1, 2), S(-1, 3), S(-1, 4)]).Should().Be(S(-1, 9));
        new Concatenate().ComputeOutputShape([S(-1, 2), S(-1, -1)]).Should().Be(S(-1, -1), "an unknown size on the axis makes the sum unknown");
        new Concatenate().ComputeOutputShape([S(-1, -1, 2), S(-1, 5, 3)]).Should().Be(S(-1, -1, 5), "unknown sizes off the axis agree with anything");
        new Concatenate(axis: -2).ComputeOutputShape([S(-1, 2, 3, 4), S(-1, 2, 5, 4)]).Should().Be(S(-1, 2, 8, 4));
    }

    [Theory]
    [InlineData(-1, new[] { -1, 2, 3 }, new[] { -1, 4, 3 }, "[(None, 2, 3), (None, 4, 3)]")]
    [InlineData(-1, new[] { -1, 3 }, new[] { -1, 4, 5 }, "[(None, 3), (None, 4, 5)]")]
    [InlineData(-1, new[] { 2, 3 }, new[] { 5, 3 }, "[(2, 3), (5, 3)]")]
    public void Concatenate_refuses_inputs_whose_other_axes_differ_naming_the_layer_and_the_shapes(int axis, int[] first, int[] second, string shapes)
    {
        var act = () => new Concatenate(axis, name: "bad_concat").ComputeOutputShape([S(first), S(second)]);
        act.Should().Throw<ArgumentException>().WithMessage(
            $"*Concatenate 'bad_concat'*A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis*Received: input_shape={shapes}*");
    }

    [Fact]
    public void Concatenate_refuses_an_axis_outside_the_rank_and_a_single_tensor()
    {
        var act = () => new Concatenate(axis: 2, name: "far_axis").ComputeOutputShape([S(-1, 3), S(-1, 4)]);
        act.Should().Throw<ArgumentException>().WithMessage("*far_axis*axis 2 is outside the inputs' rank 2*");
        var single = () => new Concatenate(name: "concat_single").Apply(Tensor.Zeros(2, 3));
        single.Should().Throw<ArgumentException>().WithMessage(
            "*concat_single*A `Concatenate` layer should be called on a list of at least 1 input. Received: input_shape=(2, 3)*");
    }

    [Fact]
    public void A_merged_shape_too_large_for_a_tensor_is_refused_before_anything_is_allocated()
    {
        var act = () => new Multiply(name: "huge_product").ComputeOutputShape([S(-1, 65536, 1), S(-1, 1, 65536)]);
        act.Should().Throw<ArgumentException>().WithMessage("*huge_product*more values than a tensor can hold*");
        var concat = () => new Concatenate().ComputeOutputShape([S(-1, int.MaxValue), S(-1, int.MaxValue)]);
        concat.Should().Throw<ArgumentException>().WithMessage("*gives a size above*");
    }

    [Fact]
    public void Merge_layers_write_Kerass_config_keys_in_Kerass_order()
    {
        foreach (string kind in new[] { "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum" })
        {
            Create(kind, "cfg").GetConfig().Keys.Should().Equal(["name", "trainable", "dtype"], kind);
        }

        var concat = new Concatenate(axis: 1, name: "cfg_concat").GetConfig();
        concat.Keys.Should().Equal("name", "trainable", "dtype", "axis");
        concat["axis"].Should().Be(1);
    }

    [Fact]
    public void Merge_layers_have_no_weights_and_snake_case_default_names()
    {
        foreach (var layer in new Layer[] { new Add(), new Subtract(), new Multiply(), new Average(), new Maximum(), new Minimum(), new Concatenate() })
        {
            layer.Apply([Tensor.Zeros(2, 3), Tensor.Zeros(2, 3)]);
            layer.Weights.Should().BeEmpty();
            layer.Name.Should().StartWith(Layer.ToSnakeCase(layer.GetType().Name));
            layer.BuildInputShapes.Should().Equal(S(-1, 3), S(-1, 3));
        }
    }

    [Fact]
    public void Gradients_reach_both_branches_through_a_broadcast()
    {
        // d/da sum(a + b) over (2,1) and (2,4): each entry of a is used four times.
        var a = new Variable(T([1, 2], 2, 1), "a");
        var b = new Variable(GradientCheck.Random(1, -1f, 1f, 2, 4), "b");
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            grads = tape.Gradient(Ops.Sum(new Add().Apply([a.Value, b.Value])), [a, b]);
        }

        grads[0].Shape.Should().Be(S(2, 1));
        grads[0].ToArray().Should().Equal(4, 4);
        grads[1].ToArray().Should().AllSatisfy(g => g.Should().Be(1));
    }
}
