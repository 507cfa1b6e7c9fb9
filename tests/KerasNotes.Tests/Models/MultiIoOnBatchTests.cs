using KerasNotes.Models;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Models;

[Collection(GlobalKernelSettings.Name)]
public sealed class MultiIoOnBatchTests
{
    private static Model Compiled(int seed)
    {
        var model = MultiIoSupport.TwoInTwoOut(seed);
        model.Compile("sgd", ["sparse_categorical_crossentropy", "binary_crossentropy"], metrics: [["accuracy"], ["accuracy"]]);
        return model;
    }

    [Fact]
    public void TrainOnBatch_with_arrays_per_input_and_output_takes_the_step_Fit_takes_on_one_batch()
    {
        var byBatch = Compiled(seed: 31);
        var byFit = Compiled(seed: 31);
        int n = MultiIoSupport.Samples;
        var logs = byBatch.TrainOnBatch([MultiIoSupport.Pixels(), MultiIoSupport.Hints()], [MultiIoSupport.Labels(), MultiIoSupport.Flags()]);
        byFit.Fit([MultiIoSupport.Pixels(), MultiIoSupport.Hints()], [MultiIoSupport.Labels(), MultiIoSupport.Flags()], batchSize: n, epochs: 1, verbose: 0, shuffle: false);
        MultiIoSupport.Snapshot(byBatch).ShouldEqual(MultiIoSupport.Snapshot(byFit));
        logs.Keys.Should().Contain(["loss", $"{byBatch.OutputNames[0]}_loss", $"{byBatch.OutputNames[1]}_accuracy"]);
    }

    [Fact]
    public void TestOnBatch_and_PredictOnBatch_take_arrays_per_input_and_match_Evaluate_and_Predict()
    {
        var model = Compiled(seed: 32);
        int n = MultiIoSupport.Samples;
        var test = model.TestOnBatch([MultiIoSupport.Pixels(), MultiIoSupport.Hints()], [MultiIoSupport.Labels(), MultiIoSupport.Flags()]);
        var evaluated = model.Evaluate([MultiIoSupport.Pixels(), MultiIoSupport.Hints()], [MultiIoSupport.Labels(), MultiIoSupport.Flags()], batchSize: n);
        test["loss"].Should().Be(evaluated["loss"]);
        var onBatch = model.PredictOnBatch([MultiIoSupport.Pixels(), MultiIoSupport.Hints()]);
        var predicted = model.Predict([MultiIoSupport.Pixels(), MultiIoSupport.Hints()]);
        onBatch.Should().HaveCount(2);
        onBatch[0].ToArray().Should().Equal(predicted[0].ToArray());
        onBatch[1].ToArray().Should().Equal(predicted[1].ToArray());
    }

    [Fact]
    public void PredictOnBatch_with_one_array_on_a_model_with_two_outputs_points_at_the_list_form()
    {
        var model = MultiIoSupport.OneInTwoOut();
        var act = () => model.PredictOnBatch(MultiIoSupport.Pixels());
        act.Should().Throw<InvalidOperationException>().WithMessage("*2 outputs*PredictOnBatch([x])*");
    }
}
