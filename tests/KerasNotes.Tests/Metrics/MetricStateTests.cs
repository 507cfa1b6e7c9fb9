using KerasNotes.Metrics;

namespace KerasNotes.Tests.Metrics;

/// <summary>Metrics are stateful as in Keras: they accumulate over batches until reset, weighted by sample weights.</summary>
public sealed class MetricStateTests
{
    [Fact]
    public void Mean_accumulates_over_batches_weighted_by_sample_weights_until_reset()
    {
        var mean = new Mean();
        mean.UpdateValues(Tensor.FromArray([1f, 2f, 3f], 3));
        mean.UpdateValues(Tensor.FromArray([10f], 1), Tensor.FromArray([2f], 1));
        mean.Result().Should().BeApproximately((1 + 2 + 3 + 20) / 5.0, 1e-6);
        mean.ResetState();
        mean.Result().Should().Be(0.0, "an empty mean is 0, as Keras's divide_no_nan");
    }

    [Fact]
    public void Accuracy_over_two_batches_equals_accuracy_over_their_union()
    {
        var yTrue = Tensor.FromArray([0f, 1f, 2f, 1f], 4);
        var yPred = Tensor.FromArray([0.9f, 0.1f, 0f, 0.2f, 0.7f, 0.1f, 0.5f, 0.4f, 0.1f, 0.3f, 0.3f, 0.4f], 4, 3);
        var whole = Metric.Get("sparse_categorical_accuracy");
        whole.UpdateState(yTrue, yPred);
        var split = Metric.Get("sparse_categorical_accuracy");
        split.UpdateState(yTrue.SliceRows(0, 1), yPred.SliceRows(0, 1));
        split.UpdateState(yTrue.SliceRows(1, 3), yPred.SliceRows(1, 3));
        split.Result().Should().Be(whole.Result());
        whole.Result().Should().Be(0.5);
    }

    [Fact]
    public void RootMeanSquaredError_is_the_root_of_the_mean_over_all_batches_not_the_mean_of_roots()
    {
        var rmse = new RootMeanSquaredError();
        rmse.UpdateState(Tensor.FromArray([0f], 1, 1), Tensor.FromArray([3f], 1, 1));
        rmse.UpdateState(Tensor.FromArray([0f], 1, 1), Tensor.FromArray([4f], 1, 1));
        rmse.Result().Should().BeApproximately(Math.Sqrt((9 + 16) / 2.0), 1e-6);
    }

    [Fact]
    public void A_metric_by_alias_keeps_the_alias_as_its_name_and_an_unknown_name_lists_the_known_ones()
    {
        Metric.Get("mae").Name.Should().Be("mae");
        var act = () => Metric.Get("no_such_metric");
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "identifier" && e.Message.Contains("'no_such_metric'") && e.Message.Contains("mean_squared_error"));
    }

    [Fact]
    public void Metric_directions_tell_callbacks_which_way_is_better()
    {
        Metric.Get("accuracy").Direction.Should().Be(MetricDirection.Up);
        Metric.Get("mse").Direction.Should().Be(MetricDirection.Down);
    }
}
