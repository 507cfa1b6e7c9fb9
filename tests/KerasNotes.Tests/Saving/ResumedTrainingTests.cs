using KerasNotes.Models;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Training resumes exactly after save and load: the optimizer state, the Fit shuffle generator and the Dropout
/// generators all come back, so 2 epochs + save + load + 2 epochs equals 4 epochs straight, bit for bit.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class ResumedTrainingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Training_2_epochs_then_save_load_and_2_more_equals_4_epochs_straight_bit_for_bit(bool dropout)
    {
        using var temp = SavingTestSupport.Temp();
        var (x, y) = SavingTestSupport.SmallData(96);

        KerasNotes.RandomSeed.Set(1234);
        var straight = SavingTestSupport.SmallModel(dropout);
        var straightHistory = straight.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, shuffle: true);

        KerasNotes.RandomSeed.Set(1234);
        var first = SavingTestSupport.SmallModel(dropout);
        first.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: true);
        first.Save(temp.File("half.keras"));
        KerasNotes.RandomSeed.Set(999); // whatever the global generator does meanwhile must not matter
        var resumed = Model.Load(temp.File("half.keras"));
        var resumedHistory = resumed.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: true);

        SavingTestSupport.AssertSameWeights(straight, resumed);
        resumed.Optimizer!.Iterations.Should().Be(straight.Optimizer!.Iterations);
        resumedHistory["loss"].Should().Equal(straightHistory["loss"].Skip(2));
    }

}
