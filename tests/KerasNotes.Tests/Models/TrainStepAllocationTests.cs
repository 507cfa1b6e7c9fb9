using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Models;

/// <summary>The training step Fit runs reuses its buffers: a steady-state step allocates (almost) nothing.</summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class TrainStepAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public void A_Sequential_training_step_allocates_next_to_nothing_in_steady_state()
    {
        RandomSeed.Set(2);
        var model = new Sequential(new Input(8), new Dense(16, activation: "relu"), new Dropout(0.1), new Dense(3, activation: "softmax"));
        model.Compile(new Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"]);
        var x = GradientCheck.Random(3, -1f, 1f, 32, 8);
        var y = Tensor.FromLabels([.. Enumerable.Range(0, 32).Select(i => i % 3)]);
        for (int i = 0; i < 5; i++)
        {
            model.TrainStep(x, y, null);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            model.TrainStep(x, y, null);
        }

        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 50;
        output.WriteLine($"{perStep} bytes per training step");
        perStep.Should().BeLessThan(256, "the step's arrays, outputs and temporaries are reused");
    }
}
