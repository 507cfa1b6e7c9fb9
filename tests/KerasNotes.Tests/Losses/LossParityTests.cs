using KerasNotes.Losses;
using Accuracy = KerasNotes.Metrics.Accuracy;
using BinaryAccuracy = KerasNotes.Metrics.BinaryAccuracy;
using CategoricalAccuracy = KerasNotes.Metrics.CategoricalAccuracy;
using Metric = KerasNotes.Metrics.Metric;
using SparseCategoricalAccuracy = KerasNotes.Metrics.SparseCategoricalAccuracy;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Losses;

/// <summary>Every case of losses_metrics.json: per-sample values, the Keras 3 reductions, and metric results.</summary>
public sealed class LossParityTests
{
    private const string File = "losses_metrics.json";

    public static TheoryData<string> Cases => Fixture.CaseNames(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_or_metric_matches_the_fixture(string name)
    {
        var c = Fixture.Case(File, name);
        var (abs, rel) = Fixture.Tolerance(Fixture.Load(File)["tolerance"]);
        var inputs = c["inputs"]!;
        var expected = c["expected"]!;
        var config = c["config"]!.AsObject();
        var yTrue = Fixture.ToTensor(inputs["y_true"]!);
        var yPred = Fixture.ToTensor(inputs["y_pred"]!);
        var sw = inputs["sample_weight"] is { } w ? Fixture.ToTensor(w) : null;
        string function = c["function"]!.GetValue<string>();
        bool fromLogits = config["from_logits"]?.GetValue<bool>() ?? false;
        double ls = config["label_smoothing"]?.GetValue<double>() ?? 0;

        if (expected["result_unweighted"] is not null)
        {
            Metric Make() => function switch
            {
                "accuracy" => new Accuracy(),
                "binary_accuracy" => new BinaryAccuracy(config["threshold"]!.GetValue<double>()),
                "categorical_accuracy" => new CategoricalAccuracy(),
                "sparse_categorical_accuracy" => new SparseCategoricalAccuracy(),
                _ => throw new NotSupportedException(function),
            };

            var unweighted = Make();
            unweighted.UpdateState(yTrue, yPred);
            TensorAssert.Close(expected["result_unweighted"]!.GetValue<double>(), unweighted.Result(), abs, rel, $"{name} unweighted");
            var weighted = Make();
            weighted.UpdateState(yTrue, yPred, sw);
            TensorAssert.Close(expected["result_weighted"]!.GetValue<double>(), weighted.Result(), abs, rel, $"{name} weighted");
            return;
        }

        Loss Make2(string reduction) => function switch
        {
            "mean_squared_error" => new MeanSquaredError(reduction),
            "mean_absolute_error" => new MeanAbsoluteError(reduction),
            "huber" => new Huber(config["delta"]!.GetValue<double>(), reduction),
            "binary_crossentropy" => new BinaryCrossentropy(fromLogits, ls, reduction),
            "categorical_crossentropy" => new CategoricalCrossentropy(fromLogits, ls, reduction),
            "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(fromLogits, reduction),
            _ => throw new NotSupportedException(function),
        };

        var perSample = Make2("none").Call(yTrue, yPred);
        TensorAssert.Close(Fixture.ToFloats(expected["per_sample"]!), perSample.AsSpan(), abs, rel, $"{name} per_sample");
        TensorAssert.Close(expected["loss_sum_over_batch_size"]!.GetValue<double>(), Make2("sum_over_batch_size").Apply(yTrue, yPred).Item(), abs, rel, $"{name} sum_over_batch_size");
        if (sw is not null)
        {
            TensorAssert.Close(expected["loss_weighted_sum_over_batch_size"]!.GetValue<double>(), Make2("sum_over_batch_size").Apply(yTrue, yPred, sw).Item(), abs, rel, $"{name} weighted sum_over_batch_size");
            TensorAssert.Close(expected["loss_weighted_sum"]!.GetValue<double>(), Make2("sum").Apply(yTrue, yPred, sw).Item(), abs, rel, $"{name} weighted sum");
            TensorAssert.Close(expected["loss_weighted_mean_with_sample_weight"]!.GetValue<double>(), Make2("mean_with_sample_weight").Apply(yTrue, yPred, sw).Item(), abs, rel, $"{name} mean_with_sample_weight");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_on_softmax_or_sigmoid_output_matches_the_fixture_through_the_fused_path(string name)
    {
        // The same probabilities produced by a softmax/sigmoid op carry their logits: the fused crossentropy must give the same values.
        var c = Fixture.Case(File, name);
        var (abs, rel) = Fixture.Tolerance(Fixture.Load(File)["tolerance"]);
        string function = c["function"]!.GetValue<string>();
        var config = c["config"]!.AsObject();
        if (config["from_logits"]?.GetValue<bool>() != true || c["expected"]!["per_sample"] is null)
        {
            return;
        }

        var yTrue = Fixture.ToTensor(c["inputs"]!["y_true"]!);
        var logits = Fixture.ToTensor(c["inputs"]!["y_pred"]!);
        double ls = config["label_smoothing"]?.GetValue<double>() ?? 0;
        Tensor perSample = function switch
        {
            "categorical_crossentropy" => new CategoricalCrossentropy(false, ls).Call(yTrue, Ops.Softmax(logits)),
            "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(false).Call(yTrue, Ops.Softmax(logits)),
            "binary_crossentropy" => new BinaryCrossentropy(false, ls).Call(yTrue, Ops.Sigmoid(logits)),
            _ => throw new NotSupportedException(function),
        };

        // Probabilities clip at 1e-7, so saturated logits (±30..50) differ from the logits formula by design.
        var expected = Fixture.ToFloats(c["expected"]!["per_sample"]!);
        var got = perSample.ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] < 15f && got[i] < 15f && !HasSaturatedRow(logits, i))
            {
                TensorAssert.Close(expected[i], got[i], 1e-4, 1e-3, $"{name} fused per_sample[{i}]");
            }
        }
    }

    private static bool HasSaturatedRow(Tensor logits, int row)
    {
        int cols = logits.Shape[-1];
        var span = logits.AsSpan().Slice(row * cols, cols);
        foreach (float v in span)
        {
            if (Math.Abs(v) >= 15f)
            {
                return true;
            }
        }

        return false;
    }
}
