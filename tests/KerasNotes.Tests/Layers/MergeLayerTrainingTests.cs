using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Layers;

/// <summary>Merge layers inside functional models that train with Fit.</summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class MergeLayerTrainingTests
{
    [Fact]
    public void A_residual_MLP_built_with_Add_trains_with_Fit_and_its_loss_falls()
    {
        RandomSeed.Set(5);
        var x = Keras.Input(shape: [8], name: "residual_in");
        var hidden = new Dense(8, activation: "relu", name: "residual_dense").Apply(x);
        var sum = new Add(name: "residual_add").Apply([x, hidden]);
        var output = new Dense(1, name: "residual_head").Apply(sum);
        var model = new Model(x, output);
        model.Layers.Select(l => l.Name).Should().Equal("residual_in", "residual_dense", "residual_add", "residual_head");
        sum.Shape.Should().Be(new Shape(-1, 8));

        // A target the skip connection makes easy: a fixed linear function of x plus a little of relu(x).
        var data = GradientCheck.Random(21, -1f, 1f, 64, 8);
        var weights = GradientCheck.Random(22, -1f, 1f, 8, 1);
        var target = Ops.Add(Ops.MatMul(data, weights), Ops.Multiply(Ops.Sum(Ops.Relu(data), axis: 1, keepDims: true), 0.1f));
        model.Compile(new Adam(1e-2), "mse");
        var history = model.Fit(data, target, batchSize: 16, epochs: 30, verbose: 0);
        var loss = history["loss"];
        loss[^1].Should().BeLessThan(loss[0] * 0.2, "the residual model learns the target");

        // The skip connection carries the input: with the Dense branch zeroed, the model is the head applied to x.
        var dense = (Dense)model.Layers[1];
        dense.SetWeights([Tensor.Zeros(8, 8), Tensor.Zeros(8)]);
        var head = (Dense)model.Layers[3];
        var expected = head.Apply(data);
        TensorAssert.Close(expected.AsSpan(), model.Predict(data).AsSpan(), 1e-6, 0, "Dense branch zeroed");
    }

    [Fact]
    public void Gradients_flow_through_every_merge_layer_inside_a_functional_model()
    {
        // One model with every merge layer: each branch's Dense gets a gradient.
        RandomSeed.Set(6);
        var a = Keras.Input(shape: [4], name: "all_merges_a");
        var b = Keras.Input(shape: [4], name: "all_merges_b");
        var da = new Dense(4, activation: "tanh").Apply(a);
        var db = new Dense(4, activation: "tanh").Apply(b);
        var merged = new Concatenate().Apply([
            new Add().Apply([da, db]), new Subtract().Apply([da, db]), new Multiply().Apply([da, db]),
            new Average().Apply([da, db]), new Maximum().Apply([da, db]), new Minimum().Apply([da, db]),
        ]);
        merged.Shape.Should().Be(new Shape(-1, 24));
        var model = new Model([a, b], new Dense(1).Apply(merged));
        var inputs = new[] { GradientCheck.Random(31, -1f, 1f, 5, 4), GradientCheck.Random(32, -1f, 1f, 5, 4) };
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            var y = model.ApplyOutputs(inputs, training: true)[0];
            grads = tape.Gradient(Ops.Sum(Ops.Square(y)), model.TrainableWeights);
        }

        grads.Should().HaveCount(6);
        grads.Should().AllSatisfy(g => g.ToArray().Should().Contain(v => v != 0f));
    }
}
