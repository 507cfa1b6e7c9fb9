using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Losses;

public sealed class CustomLossTests
{
    // A delegate loss with an extra parameter, supplied by closure.
    private static LossFunction ScaledMse(float scale) =>
        (yTrue, yPred) => Ops.Mean(Ops.Multiply(Ops.Square(Ops.Subtract(yTrue, yPred)), scale), axis: -1);

    [Fact]
    public void Custom_loss_delegate_with_extra_parameter_trains_like_the_builtin_loss()
    {
        var (x, _) = TestModels.Classification();
        var y = TestModels.RegressionTargets(x);

        var custom = TestModels.Regressor(seed: 7);
        custom.Compile(new SGD(0.05), loss: ScaledMse(1f));
        var builtin = TestModels.Regressor(seed: 7);
        builtin.Compile(new SGD(0.05), loss: "mse");

        var hCustom = custom.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, shuffle: false);
        var hBuiltin = builtin.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, shuffle: false);

        for (int e = 0; e < 3; e++)
        {
            TensorAssert.Close(hBuiltin["loss"][e], hCustom["loss"][e], 1e-6, 1e-5, $"epoch {e} loss");
        }

        var wc = custom.GetWeights();
        var wb = builtin.GetWeights();
        for (int i = 0; i < wc.Count; i++)
        {
            TensorAssert.Close(wb[i], wc[i], 1e-6, 1e-5, $"weight {i}");
        }
    }

    [Fact]
    public void The_extra_parameter_of_a_custom_loss_scales_the_reported_loss()
    {
        var (x, _) = TestModels.Classification();
        var y = TestModels.RegressionTargets(x);
        var one = TestModels.Regressor(seed: 8);
        one.Compile(new SGD(0.0), loss: ScaledMse(1f));
        var three = TestModels.Regressor(seed: 8);
        three.Compile(new SGD(0.0), loss: ScaledMse(3f));
        double l1 = one.Evaluate(x, y)["loss"];
        double l3 = three.Evaluate(x, y)["loss"];
        TensorAssert.Close(3 * l1, l3, 1e-6, 1e-5, "scaled loss");
    }

    [Fact]
    public void An_AddLoss_layer_changes_the_reported_loss_by_exactly_its_penalty()
    {
        var (x, labels) = TestModels.Classification();
        var plain = TestModels.Classifier(seed: 3);
        plain.Compile(new SGD(0.0), "sparse_categorical_crossentropy");
        var penalized = TestModels.Classifier(seed: 3);
        var penalty = new ActivityPenalty(0.01f);
        penalized.Add(penalty);
        penalized.Compile(new SGD(0.0), "sparse_categorical_crossentropy");

        // One batch of all samples, no learning: the difference is exactly the penalty of that forward pass.
        var a = plain.Evaluate(x, labels, batchSize: 60)["loss"];
        var b = penalized.Evaluate(x, labels, batchSize: 60)["loss"];
        var outputs = plain.Predict(x, batchSize: 60);
        double expectedPenalty = 0.01 * outputs.ToArray().Sum(v => (double)v * v);
        TensorAssert.Close(a + expectedPenalty, b, 1e-5, 1e-5, "loss with AddLoss penalty");

        // The same holds for the training loss of a step (computed before the update).
        var trainPlain = TestModels.Classifier(seed: 3);
        trainPlain.Compile(new SGD(0.1), "sparse_categorical_crossentropy");
        var trainPenalized = TestModels.Classifier(seed: 3);
        trainPenalized.Add(new ActivityPenalty(0.01f));
        trainPenalized.Compile(new SGD(0.1), "sparse_categorical_crossentropy");
        var la = trainPlain.TrainOnBatch(x, labels)["loss"];
        var lb = trainPenalized.TrainOnBatch(x, labels)["loss"];
        TensorAssert.Close(la + expectedPenalty, lb, 1e-5, 1e-5, "train loss with AddLoss penalty");
    }

    [Fact]
    public void A_Loss_subclass_works_like_a_builtin_loss()
    {
        var (x, _) = TestModels.Classification();
        var y = TestModels.RegressionTargets(x);
        var custom = TestModels.Regressor(seed: 9);
        custom.Compile(new SGD(0.0), new AbsoluteErrorLoss());
        var builtin = TestModels.Regressor(seed: 9);
        builtin.Compile(new SGD(0.0), "mae");
        TensorAssert.Close(builtin.Evaluate(x, y)["loss"], custom.Evaluate(x, y)["loss"], 1e-7, 1e-6, "custom Loss subclass");
    }

    [Fact]
    public void A_model_trains_on_AddLoss_terms_alone_when_compiled_without_a_loss()
    {
        var (x, labels) = TestModels.Classification();
        var model = TestModels.Classifier(seed: 4);
        model.Add(new ActivityPenalty(0.5f));
        model.Compile(new SGD(0.1));
        var h = model.Fit(x, labels, batchSize: 60, epochs: 5, verbose: 0, shuffle: false);
        h["loss"][4].Should().BeLessThan(h["loss"][0]);
    }

    private sealed class ActivityPenalty(float rate) : Layer
    {
        protected override Tensor Call(Tensor inputs, bool training)
        {
            AddLoss(Ops.Multiply(Ops.Sum(Ops.Square(inputs)), rate));
            return inputs;
        }
    }

    private sealed class AbsoluteErrorLoss() : Loss("absolute_error")
    {
        public override Tensor Call(Tensor yTrue, Tensor yPred)
        {
            var (t, p) = AlignRanks(yTrue, yPred);
            return Ops.Mean(Ops.Abs(Ops.Subtract(t, p)), axis: -1);
        }
    }
}
