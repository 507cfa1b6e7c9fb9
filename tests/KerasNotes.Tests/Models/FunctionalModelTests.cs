using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Models;

[Collection(GlobalKernelSettings.Name)]
public sealed class FunctionalModelTests
{
    [Fact]
    public void Keras_Input_returns_a_symbolic_tensor_with_a_free_batch_axis()
    {
        var x = Keras.Input(shape: [784], name: "pixels_a");
        x.Shape.Should().Be(new Shape(-1, 784));
        x.Layer.Should().BeOfType<Input>().Which.Name.Should().Be("pixels_a");
        x.NodeIndex.Should().Be(0);
    }

    [Fact]
    public void Applying_a_layer_to_a_symbolic_tensor_builds_it_and_infers_the_output_shape()
    {
        var x = Keras.Input(shape: [5]);
        var dense = new Dense(3);
        var y = dense.Apply(x);
        y.Shape.Should().Be(new Shape(-1, 3));
        dense.Built.Should().BeTrue();
        y.Layer.Should().BeSameAs(dense);
    }

    [Fact]
    public void A_shape_misfit_is_refused_when_the_graph_is_built_naming_the_layer_and_both_shapes()
    {
        var x = Keras.Input(shape: [5]);
        var first = new Dense(4, name: "first_misfit");
        var second = new Dense(2, name: "second_misfit");
        second.Apply(Keras.Input(shape: [3]));
        var act = () => second.Apply(first.Apply(x));
        act.Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("second_misfit").And.Contain("[None, 4]").And.Contain("last dimension 3");
        second.InboundNodes.Should().HaveCount(1, "a refused call records no node");
    }

    [Fact]
    public void A_functional_model_predicts_what_the_same_layers_in_a_Sequential_predict()
    {
        RandomSeed.Set(3);
        var a = new Dense(8, activation: "relu");
        var b = new Dense(3, activation: "softmax");
        var x = Keras.Input(shape: [6]);
        var functional = new Model(x, b.Apply(a.Apply(x)));
        var sequential = new Sequential(new Input(6), a, b);
        var data = GradientCheck.Random(1, -1f, 1f, 10, 6);
        functional.Predict(data).ToArray().Should().Equal(sequential.Predict(data).ToArray());
        functional.Layers.Should().HaveCount(3);
        functional.Layers[0].Should().BeOfType<Input>();
        functional.CountParams().Should().Be(sequential.CountParams());
    }

    [Fact]
    public void A_layer_applied_twice_shares_its_weights()
    {
        var shared = new Dense(4, name: "shared_twice");
        var x = Keras.Input(shape: [4]);
        var y = shared.Apply(shared.Apply(x));
        var model = new Model(x, y);
        y.NodeIndex.Should().Be(1);
        model.Weights.Should().HaveCount(2);
        model.Layers.Should().HaveCount(2);
    }

    [Fact]
    public void A_graph_whose_output_needs_an_input_not_given_is_refused()
    {
        var a = Keras.Input(shape: [3]);
        var b = Keras.Input(shape: [3]);
        var y = new Dense(2).Apply(b);
        var act = () => new Model(a, y);
        act.Should().Throw<ArgumentException>().WithMessage("*disconnected*");
    }

    [Fact]
    public void Inputs_must_come_from_Keras_Input()
    {
        var x = Keras.Input(shape: [3]);
        var hidden = new Dense(2).Apply(x);
        var act = () => new Model(hidden, new Dense(1).Apply(hidden));
        act.Should().Throw<ArgumentException>().WithMessage("*Keras.Input*");
    }

    [Fact]
    public void Two_layers_with_one_name_are_refused()
    {
        var x = Keras.Input(shape: [3]);
        var y = new Dense(2, name: "twin_name").Apply(new Dense(2, name: "twin_name").Apply(x));
        var act = () => new Model(x, y);
        act.Should().Throw<ArgumentException>().WithMessage("*\"twin_name\" is used 2 times*");
    }

    [Fact]
    public void A_functional_model_trains_with_Fit_like_the_equal_Sequential()
    {
        static IReadOnlyList<Tensor> Train(bool functional)
        {
            RandomSeed.Set(11);
            var a = new Dense(8, activation: "relu");
            var b = new Dense(3, activation: "softmax");
            Model model;
            if (functional)
            {
                var x = Keras.Input(shape: [6]);
                model = new Model(x, b.Apply(a.Apply(x)));
            }
            else
            {
                model = new Sequential(new Input(6), a, b);
            }

            var data = GradientCheck.Random(2, -1f, 1f, 40, 6);
            var labels = Enumerable.Range(0, 40).Select(i => i % 3).ToArray();
            model.Compile(new Adam(1e-2), "sparse_categorical_crossentropy", ["accuracy"]);
            model.Fit(data, labels, batchSize: 8, epochs: 2, verbose: 0);
            return model.GetWeights();
        }

        var f = Train(functional: true);
        var s = Train(functional: false);
        f.Should().HaveCount(s.Count);
        for (int i = 0; i < f.Count; i++)
        {
            f[i].ToArray().Should().Equal(s[i].ToArray());
        }
    }

    [Fact]
    public void A_functional_model_nests_in_a_Sequential_and_a_Sequential_in_a_functional_model()
    {
        var inner = new Sequential(new Input(4), new Dense(3, activation: "relu"));
        var x = Keras.Input(shape: [4]);
        var middle = new Model(x, new Dense(2).Apply(inner.Apply(x)));
        var outer = new Sequential(new Input(4), middle, new Dense(1));
        var data = GradientCheck.Random(4, -1f, 1f, 5, 4);
        outer.Predict(data).Shape.Should().Be(new Shape(5, 1));
        var z = Keras.Input(shape: [4]);
        var wrapped = new Model(z, middle.Apply(z));
        wrapped.Predict(data).ToArray().Should().Equal(middle.Predict(data).ToArray());
    }

    [Fact]
    public void Summary_of_a_branching_model_has_Keras_connected_to_column()
    {
        var a = Keras.Input(shape: [3], name: "sum_input_a");
        var b = Keras.Input(shape: [4], name: "sum_input_b");
        var ha = new Dense(4, name: "sum_da").Apply(a);
        var hb = new Dense(4, name: "sum_db").Apply(b);
        var shared = new Dense(2, name: "sum_shared");
        var model = new Model([a, b], [shared.Apply(ha), shared.Apply(hb)], name: "two_branch");
        var writer = new StringWriter();
        model.Summary(writer);
        string text = writer.ToString().ReplaceLineEndings("\n");
        text.Should().Be(
            """
            Model: "two_branch"
            ┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
            ┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
            ┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
            │ sum_input_a         │ (None, 3)         │          0 │ -                 │
            │ (InputLayer)        │                   │            │                   │
            ├─────────────────────┼───────────────────┼────────────┼───────────────────┤
            │ sum_input_b         │ (None, 4)         │          0 │ -                 │
            │ (InputLayer)        │                   │            │                   │
            ├─────────────────────┼───────────────────┼────────────┼───────────────────┤
            │ sum_da (Dense)      │ (None, 4)         │         16 │ sum_input_a[0][0] │
            ├─────────────────────┼───────────────────┼────────────┼───────────────────┤
            │ sum_db (Dense)      │ (None, 4)         │         20 │ sum_input_b[0][0] │
            ├─────────────────────┼───────────────────┼────────────┼───────────────────┤
            │ sum_shared (Dense)  │ (None, 2)         │         10 │ sum_da[0][0],     │
            │                     │                   │            │ sum_db[0][0]      │
            └─────────────────────┴───────────────────┴────────────┴───────────────────┘
             Total params: 46 (184.00 B)
             Trainable params: 46 (184.00 B)
             Non-trainable params: 0 (0.00 B)

            """);
    }

    [Fact]
    public void Summary_of_a_functional_chain_keeps_three_columns_with_the_input_row()
    {
        var x = Keras.Input(shape: [3], name: "chain_in");
        var model = new Model(x, new Dense(2, name: "chain_dense").Apply(x), name: "chain");
        var writer = new StringWriter();
        model.Summary(writer);
        string text = writer.ToString();
        text.Should().Contain("chain_in (InputLayer)").And.Contain("chain_dense (Dense)").And.NotContain("Connected to");
    }

    [Fact]
    public void A_nested_model_counts_its_weight_penalties_once()
    {
        var x = Keras.Input(shape: [3]);
        var inner = new Sequential(new Input(3), new Dense(2, kernelRegularizer: new KerasNotes.Regularizers.L2(0.1)));
        var outer = new Model(x, new Dense(1).Apply(inner.Apply(x)));
        var flat = new Sequential(new Input(3), inner.Layers[0]);
        outer.Apply(Tensor.Ones(2, 3));
        flat.Apply(Tensor.Ones(2, 3));
        outer.Losses.Should().HaveCount(flat.Losses.Count);
    }

    [Fact]
    public void A_refused_Apply_on_a_model_with_two_outputs_records_no_node()
    {
        var x = Keras.Input(shape: [3]);
        var h = new Dense(2).Apply(x);
        var twoHeads = new Model(x, [new Dense(1).Apply(h), new Dense(1).Apply(h)], name: "refused_two_heads");
        var z = Keras.Input(shape: [3]);
        var act = () => twoHeads.Apply(z);
        act.Should().Throw<InvalidOperationException>().WithMessage("*2 outputs*ApplyOutputs*");
        var outs = twoHeads.ApplyOutputs([z]);
        outs[0].NodeIndex.Should().Be(0, "the refused call left no node behind");
    }

    [Fact]
    public void A_functional_model_ignores_its_inputs_declared_batch_size_as_Keras_does()
    {
        var x = Keras.Input(shape: [3], batchSize: 4);
        var model = new Model(x, new Dense(2).Apply(x));
        model.Predict(Tensor.Ones(10, 3), batchSize: 4).Shape.Should().Be(new Shape(10, 2));
    }

    [Fact]
    public void A_Sequential_refuses_a_functional_model_with_two_inputs_naming_them()
    {
        var a = Keras.Input(shape: [3], name: "seq_two_a");
        var b = Keras.Input(shape: [3], name: "seq_two_b");
        var twoInputs = new Model([a, b], new Add().Apply([a, b]));
        var act = () => new Sequential(new Input(3), twoInputs);
        act.Should().Throw<ArgumentException>().WithMessage("*takes 2 inputs*seq_two_a*seq_two_b*given 1*");
    }

    [Fact]
    public void A_layer_name_with_a_slash_is_refused_as_Keras_refuses_it()
    {
        var act = () => new Dense(2, name: "block/dense");
        act.Should().Throw<ArgumentException>().WithMessage("*'/'*block/dense*");
    }

    [Fact]
    public void An_empty_outputs_list_is_reported_as_an_outputs_problem()
    {
        var x = Keras.Input(shape: [3]);
        var act = () => new Model([x], Array.Empty<KerasTensor>());
        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("outputs");
    }

    [Fact]
    public void Summary_names_a_nested_functional_model_Functional_and_prints_control_characters_as_spaces()
    {
        var x = Keras.Input(shape: [3]);
        var inner = new Model(x, new Dense(2, name: "tab\tname").Apply(x), name: "inner_fn");
        var z = Keras.Input(shape: [3]);
        var outer = new Model(z, new Dense(1).Apply(inner.Apply(z)));
        var writer = new StringWriter();
        outer.Summary(writer);
        writer.ToString().Should().Contain("inner_fn (Functional)");
        var innerWriter = new StringWriter();
        inner.Summary(innerWriter);
        innerWriter.ToString().Should().Contain("tab name (Dense)").And.NotContain("\t");
    }

    [Fact]
    public void Models_nested_too_deep_for_the_stack_fail_with_a_catchable_exception()
    {
        // On a small stack, nesting models a few thousand deep must end in an exception the caller can catch (building
        // or predicting), never in the stack overflow that kills the process.
        Exception? caught = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    Model model = new Sequential(new Input(2), new Dense(2));
                    for (int i = 0; i < 3000; i++)
                    {
                        var x = Keras.Input(shape: [2]);
                        model = new Model(x, model.Apply(x));
                    }

                    model.Predict(Tensor.Ones(1, 2));
                }
                catch (Exception e)
                {
                    caught = e;
                }
            },
            maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        caught.Should().BeOfType<InsufficientExecutionStackException>();
    }

    [Fact]
    public void Predict_refuses_an_output_that_is_not_one_row_per_sample_with_a_message()
    {
        var x = Keras.Input(shape: [3]);
        var model = new Model(x, new Concatenate(axis: 0).Apply([x, x]), name: "rows_doubled");
        var act = () => model.Predict(Tensor.Ones(4, 3));
        act.Should().Throw<InvalidOperationException>().WithMessage("*rows_doubled*[8, 3]*batch of 4*");
        model.Apply(Tensor.Ones(4, 3)).Shape.Should().Be(new Shape(8, 3));
    }
}
