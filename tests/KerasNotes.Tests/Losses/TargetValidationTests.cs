using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Losses;

/// <summary>Each loss checks its own targets before the first step; a custom loss can add its own check.</summary>
public sealed class TargetValidationTests
{
    private sealed class PositiveTargetsOnly() : Loss("positive_mse")
    {
        public int Checks { get; private set; }

        public override Tensor Call(Tensor yTrue, Tensor yPred) => Ops.Mean(Ops.Square(yTrue - yPred), axis: -1);

        protected internal override void ValidateTargets(Tensor yTrue, Shape predictionShape, string argumentName)
        {
            Checks++;
            base.ValidateTargets(yTrue, predictionShape, argumentName);
            if (Ops.Min(yTrue).Item() < 0)
            {
                throw new ArgumentException($"'{argumentName}' must hold positive targets.", argumentName);
            }
        }
    }

    [Fact]
    public void A_custom_loss_validates_its_targets_before_any_weight_changes()
    {
        var model = TestModels.Regressor(seed: 4);
        var loss = new PositiveTargetsOnly();
        model.Compile(new SGD(0.1), loss);
        var before = model.GetWeights();
        var x = GradientCheck.Random(2, -1f, 1f, 12, 4);
        var act = () => model.Fit(x, Tensor.Full(-1f, 12, 1), verbose: 0);
        act.Should().Throw<ArgumentException>().WithMessage("'y' must hold positive targets.*");
        loss.Checks.Should().Be(1);
        var after = model.GetWeights();
        for (int i = 0; i < before.Count; i++)
        {
            TensorAssert.BitEqual(before[i].AsSpan(), after[i].AsSpan(), $"weight {i}");
        }
    }

    [Fact]
    public void CategoricalCrossentropy_refuses_integer_labels_up_front_and_points_to_the_sparse_loss()
    {
        var model = TestModels.Classifier(seed: 3);
        model.Compile(new SGD(0.1), new CategoricalCrossentropy());
        var (x, labels) = TestModels.Classification();
        var act = () => model.Fit(x, labels, verbose: 0);
        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "y" && e.Message.Contains("[None, 3]") && e.Message.Contains("SparseCategoricalCrossentropy"));
    }

    [Fact]
    public void The_default_check_refuses_targets_that_do_not_broadcast_to_the_predictions()
    {
        var model = TestModels.Regressor(seed: 4);
        model.Compile(new SGD(0.1), new MeanSquaredError());
        var x = GradientCheck.Random(2, -1f, 1f, 12, 4);
        var act = () => model.Evaluate(x, Tensor.Zeros(12, 3));
        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "y" && e.Message.Contains("[12, 3]") && e.Message.Contains("[None, 1]"));
    }
}
