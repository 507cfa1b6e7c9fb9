using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Losses;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;
using static KerasNotes.Tests.Models.MultiIoSupport;

namespace KerasNotes.Tests.Models;

/// <summary>Compile with one loss per output, loss weights and per-output metrics, and the logs Keras 3 writes for them.</summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class MultiOutputTrainingTests
{
    private static readonly string[] s_losses = ["sparse_categorical_crossentropy", "binary_crossentropy"];

    [Fact]
    public void Logs_use_Keras_names_sorted_by_key_with_val_versions()
    {
        var model = TwoInTwoOut();
        model.Compile(new SGD(0.1), s_losses, metrics: [["accuracy"], ["accuracy"]]);
        var keys = new List<string>();
        var history = model.Fit([Pixels(), Hints()], [Labels(), Flags()], batchSize: 8, epochs: 2, verbose: 0, validationSplit: 0.25,
            callbacks: [new LambdaCallback(onEpochEnd: (_, logs) => keys = [.. logs!.Keys])]);
        string[] expected =
        [
            "dense_1_accuracy", "dense_1_loss", "dense_2_accuracy", "dense_2_loss", "loss",
            "val_dense_1_accuracy", "val_dense_1_loss", "val_dense_2_accuracy", "val_dense_2_loss", "val_loss",
        ];
        keys.Should().Equal(expected, "callbacks see Keras's sorted keys");
        history.Keys.Should().Equal(expected);
        model.MetricsNames.Should().Equal("loss", "dense_1_loss", "dense_2_loss", "dense_1_accuracy", "dense_2_accuracy");
        model.Evaluate([Pixels(), Hints()], [Labels(), Flags()]).Keys.Should().Equal(model.MetricsNames, "Keras's evaluate() order");
    }

    [Fact]
    public void A_metric_is_named_by_the_string_as_given_and_prefixed_by_its_output()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), ["mse", "binary_crossentropy"], metrics: ["mae", ["acc", "mse"]]);
        var logs = model.Evaluate([Pixels()], [GradientCheck.Random(2, 0f, 1f, Samples, 3), Flags()]);
        logs.Keys.Should().Equal("loss", "dense_1_loss", "dense_2_loss", "dense_1_mae", "dense_2_acc", "dense_2_mse");
        model.CompiledMetrics.Select(m => m.Name).Should().Equal(["mae", "acc", "mse"], "the metric objects keep Keras's unprefixed names");
    }

    [Fact]
    public void One_loss_applies_to_every_output_as_a_list_of_the_same_loss_does()
    {
        var y = GradientCheck.Random(4, 0f, 1f, Samples, 3);
        var broadcast = OneInTwoOut();
        broadcast.Compile(new SGD(0.1), "mse");
        broadcast.CompiledLosses.Should().HaveCount(2).And.OnlyContain(l => l is MeanSquaredError);
        broadcast.CompiledLoss.Should().BeNull("a model with several outputs has one loss per output");
        var a = broadcast.Fit([Pixels()], [y, Flags()], batchSize: 8, epochs: 2, verbose: 0);
        var listed = OneInTwoOut();
        listed.Compile(new SGD(0.1), ["mse", "mse"]);
        var b = listed.Fit([Pixels()], [y, Flags()], batchSize: 8, epochs: 2, verbose: 0);
        a["dense_2_loss"].Should().Equal(b["dense_2_loss"]);
        a["loss"].Should().Equal(b["loss"]);
        Snapshot(broadcast).ShouldEqual(Snapshot(listed));
    }

    [Fact]
    public void The_total_loss_is_the_weighted_sum_of_the_unweighted_output_losses()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), s_losses, lossWeights: [0.3, 2.0]);
        var x = Pixels();
        var logs = model.Evaluate([x], [Labels(), Flags()], batchSize: Samples);
        var p = model.Predict([x]);
        double l1 = new SparseCategoricalCrossentropy().Apply(Tensor.FromLabels(Labels()), p[0]).Item();
        double l2 = new BinaryCrossentropy().Apply(Flags(), p[1]).Item();
        logs["dense_1_loss"].Should().BeApproximately(l1, 1e-6, "the per-output loss is logged unweighted");
        logs["dense_2_loss"].Should().BeApproximately(l2, 1e-6);
        logs["loss"].Should().BeApproximately((0.3 * l1) + (2.0 * l2), 1e-5);
    }

    [Fact]
    public void Per_output_losses_are_batch_size_weighted_means_over_the_batches()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), ["mse", "binary_crossentropy"], lossWeights: new Dictionary<string, double> { ["dense_1"] = 0.5, ["dense_2"] = 1.5 });
        var x = Pixels();
        var y = GradientCheck.Random(6, 0f, 1f, Samples, 3);
        var logs = model.Evaluate([x], [y, Flags()], batchSize: 16);
        var p = model.Predict([x]);
        double sum1 = 0, sum2 = 0;
        foreach (var (start, count) in new[] { (0, 16), (16, 16), (32, 8) })
        {
            sum1 += new MeanSquaredError().Apply(y.SliceRows(start, count), p[0].SliceRows(start, count)).Item() * count;
            sum2 += new BinaryCrossentropy().Apply(Flags().SliceRows(start, count), p[1].SliceRows(start, count)).Item() * count;
        }

        logs["dense_1_loss"].Should().BeApproximately(sum1 / Samples, 1e-6);
        logs["dense_2_loss"].Should().BeApproximately(sum2 / Samples, 1e-6);
        logs["loss"].Should().BeApproximately(((0.5 * sum1) + (1.5 * sum2)) / Samples, 1e-5);
    }

    [Fact]
    public void A_dictionary_of_losses_and_metrics_by_output_name_trains_as_the_lists_do()
    {
        var listed = TwoInTwoOut();
        listed.Compile(new SGD(0.1), s_losses, metrics: [null, "accuracy"], lossWeights: [1.0, 0.5]);
        var a = listed.Fit([Pixels(), Hints()], [Labels(), Flags()], batchSize: 8, epochs: 2, verbose: 0);
        var named = TwoInTwoOut();
        named.Compile(
            new SGD(0.1),
            new Dictionary<string, LossSpec?> { ["dense_2"] = "binary_crossentropy", ["dense_1"] = "sparse_categorical_crossentropy" },
            metrics: new Dictionary<string, OutputMetrics> { ["dense_2"] = "accuracy" },
            lossWeights: new Dictionary<string, double> { ["dense_2"] = 0.5, ["dense_1"] = 1.0 });
        var b = named.Fit([Pixels(), Hints()], [Labels(), Flags()], batchSize: 8, epochs: 2, verbose: 0);
        b.Keys.Should().Equal("dense_1_loss", "dense_2_accuracy", "dense_2_loss", "loss");
        b.Keys.Should().Equal(a.Keys);
        b["loss"].Should().Equal(a["loss"]);
        Snapshot(named).ShouldEqual(Snapshot(listed));
    }

    [Fact]
    public void Only_one_output_with_a_loss_logs_no_per_output_loss_and_takes_targets_for_that_output_alone()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), [null, "binary_crossentropy"]);
        var partial = model.Fit([Pixels()], Flags(), batchSize: 8, epochs: 1, verbose: 0);
        partial.Keys.Should().Equal("loss");
        var expected = Snapshot(model);
        var again = OneInTwoOut();
        again.Compile(new SGD(0.1), [null, "binary_crossentropy"]);
        again.Fit([Pixels()], [GradientCheck.Random(1, 0f, 1f, Samples, 3), Flags()], batchSize: 8, epochs: 1, verbose: 0);
        Snapshot(again).ShouldEqual(expected);
    }

    [Fact]
    public void Targets_and_sample_weights_by_output_name_give_what_they_give_in_order()
    {
        var w1 = Tensor.FromArray([.. Enumerable.Range(0, Samples).Select(i => 0.5f + (i % 3))], Samples);
        var w2 = Tensor.FromArray([.. Enumerable.Range(0, Samples).Select(i => 1f + (i % 2))], Samples);
        var ordered = TwoInTwoOut();
        ordered.Compile(new SGD(0.1), s_losses);
        ordered.Fit([Pixels(), Hints()], [Labels(), Flags()], batchSize: 8, epochs: 2, verbose: 0, sampleWeight: [w1, w2]);
        var expected = Snapshot(ordered);
        var named = TwoInTwoOut();
        named.Compile(new SGD(0.1), s_losses);
        named.Fit(
            new Dictionary<string, ArrayLike> { ["hint"] = Hints(), ["pixels"] = Pixels() },
            new Dictionary<string, ArrayLike> { ["dense_2"] = Flags(), ["dense_1"] = Labels() },
            batchSize: 8,
            epochs: 2,
            verbose: 0,
            sampleWeight: new Dictionary<string, ArrayLike> { ["dense_2"] = w2, ["dense_1"] = w1 });
        Snapshot(named).ShouldEqual(expected);
    }

    [Fact]
    public void One_sample_weight_array_weighs_every_output()
    {
        var w = Tensor.FromArray([.. Enumerable.Range(0, Samples).Select(i => 0.25f + (i % 4))], Samples);
        var shared = OneInTwoOut();
        shared.Compile(new SGD(0.1), s_losses);
        var logs = shared.Evaluate([Pixels()], [Labels(), Flags()], sampleWeight: w);
        var each = OneInTwoOut();
        each.Compile(new SGD(0.1), s_losses);
        each.Evaluate([Pixels()], [Labels(), Flags()], sampleWeight: [w, w]).Should().Equal(logs);
        var unweighted = each.Evaluate([Pixels()], [Labels(), Flags()]);
        unweighted["dense_1_loss"].Should().NotBe(logs["dense_1_loss"]);
    }

    [Fact]
    public void A_single_sample_weight_array_for_several_outputs_must_hold_one_weight_per_sample()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var act = () => model.Evaluate([Pixels()], [Labels(), Flags()], sampleWeight: Tensor.Ones(Samples, 3));
        act.Should().Throw<ArgumentException>().WithMessage("*one scalar score per sample*").Which.ParamName.Should().Be("sampleWeight");
    }

    [Fact]
    public void Validation_data_in_group_form_matches_a_validation_split_of_the_same_rows()
    {
        var x1 = Pixels();
        var x2 = Hints();
        var split = TwoInTwoOut();
        split.Compile(new SGD(0.1), s_losses, metrics: [["accuracy"], ["accuracy"]]);
        var a = split.Fit([x1, x2], [Labels(), Flags()], batchSize: 8, epochs: 2, verbose: 0, validationSplit: 0.25, shuffle: false);
        var given = TwoInTwoOut();
        given.Compile(new SGD(0.1), s_losses, metrics: [["accuracy"], ["accuracy"]]);
        var labels = Tensor.FromLabels(Labels());
        var b = given.Fit(
            [x1.SliceRows(0, 30), x2.SliceRows(0, 30)],
            [labels.SliceRows(0, 30), Flags().SliceRows(0, 30)],
            batchSize: 8,
            epochs: 2,
            verbose: 0,
            shuffle: false,
            validationData: ([x1.SliceRows(30, 10), x2.SliceRows(30, 10)], [labels.SliceRows(30, 10), Flags().SliceRows(30, 10)]));
        b["val_dense_1_loss"].Should().Equal(a["val_dense_1_loss"]);
        b["val_dense_2_accuracy"].Should().Equal(a["val_dense_2_accuracy"]);
        b["val_loss"].Should().Equal(a["val_loss"]);
        Snapshot(given).ShouldEqual(Snapshot(split));
    }

    [Fact]
    public void EarlyStopping_monitors_an_output_loss_as_a_loss_and_restores_the_best_weights()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(3.0), s_losses, metrics: [["accuracy"], null]);
        var atEpochEnd = new List<float[][]>();
        var stop = new EarlyStopping(monitor: "dense_1_loss", patience: 1, restoreBestWeights: true);
        var history = model.Fit([Pixels()], [Labels(), Flags()], batchSize: 8, epochs: 12, verbose: 0,
            callbacks: [new LambdaCallback(onEpochEnd: (_, _) => atEpochEnd.Add(Snapshot(model))), stop]);
        var losses = history["dense_1_loss"];
        stop.Best.Should().Be(losses.Min(), "auto mode minimises an output's loss");
        stop.RestoredEpoch.Should().Be(stop.BestEpoch);
        Snapshot(model).ShouldEqual(atEpochEnd[stop.BestEpoch]);

        var byAccuracy = new EarlyStopping(monitor: "dense_1_accuracy", patience: 50);
        model.Fit([Pixels()], [Labels(), Flags()], batchSize: 8, epochs: 2, verbose: 0, callbacks: [byAccuracy]);
        byAccuracy.Best.Should().Be(model.History!["dense_1_accuracy"].Max(), "auto mode maximises an output's accuracy");
    }

    [Fact]
    public void A_two_output_functional_model_trains_the_same_twice()
    {
        float[][] Run()
        {
            var model = TwoInTwoOut(seed: 9);
            model.Compile(new Adam(1e-2), s_losses, metrics: [["accuracy"], ["accuracy"]], lossWeights: [1.0, 0.5]);
            model.Fit([Pixels(), Hints()], [Labels(), Flags()], batchSize: 8, epochs: 3, verbose: 0, validationSplit: 0.2);
            return Snapshot(model);
        }

        Run().ShouldEqual(Run());
    }

    [Fact]
    public void Keras_refuses_a_flat_metrics_list_that_does_not_match_the_outputs()
    {
        var model = OneInTwoOut();
        var act = () => model.Compile(new SGD(0.1), s_losses, metrics: ["accuracy"]);
        act.Should().Throw<ArgumentException>()
            .WithMessage("*Invalid `metrics`. `metrics` should contain metrics objects and either be a dict or a list matching the output names of the functional model ['dense_1', 'dense_2']*Received: metrics=['accuracy']*")
            .Which.ParamName.Should().Be("metrics");
        model.IsCompiled.Should().BeFalse();
    }

    [Fact]
    public void A_loss_dictionary_must_name_every_output()
    {
        var model = OneInTwoOut();
        var act = () => model.Compile(new SGD(0.1), new Dictionary<string, LossSpec?> { ["dense_1"] = "mse" });
        act.Should().Throw<ArgumentException>().WithMessage("Expected keys ['dense_1', 'dense_2'] in loss dict, but found loss.keys()=['dense_1']*");
        model.IsCompiled.Should().BeFalse();
    }

    [Fact]
    public void Loss_lists_and_loss_weights_must_match_the_outputs()
    {
        var model = OneInTwoOut();
        model.Invoking(m => m.Compile(new SGD(0.1), ["mse"])).Should().Throw<ArgumentException>().WithMessage("*1 losses*2 output(s) (dense_1, dense_2)*");
        model.Invoking(m => m.Compile(new SGD(0.1), s_losses, lossWeights: [1.0]))
            .Should().Throw<ArgumentException>().WithMessage("`loss_weights` must match the number of losses, got 2 losses and 1 weights*");
        model.Invoking(m => m.Compile(new SGD(0.1), "mse", lossWeights: [1.0, 2.0]))
            .Should().Throw<ArgumentException>().WithMessage("`loss_weights` must match the number of losses, got 1 losses and 2 weights*");
        model.Invoking(m => m.Compile(new SGD(0.1), s_losses, lossWeights: new Dictionary<string, double> { ["dense_3"] = 1 }))
            .Should().Throw<ArgumentException>().WithMessage("*\"dense_3\"*['dense_1', 'dense_2']*");
        model.Invoking(m => m.Compile(new SGD(0.1), s_losses, lossWeights: [1.0, double.NaN])).Should().Throw<ArgumentOutOfRangeException>();
        model.IsCompiled.Should().BeFalse();
    }

    [Fact]
    public void Equal_loss_weights_scale_the_total_loss()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var plain = model.Evaluate([Pixels()], [Labels(), Flags()]);
        model.Compile(new SGD(0.1), s_losses, lossWeights: [2.0, 2.0]);
        model.Evaluate([Pixels()], [Labels(), Flags()])["loss"].Should().BeApproximately(2 * plain["loss"], 1e-5);
    }

    [Fact]
    public void The_same_metric_object_for_two_outputs_is_refused()
    {
        var model = OneInTwoOut();
        var shared = new KerasNotes.Metrics.MeanAbsoluteError();
        var act = () => model.Compile(new SGD(0.1), "mse", metrics: [shared, shared]);
        act.Should().Throw<ArgumentException>().WithMessage("*given twice*");
    }
}
