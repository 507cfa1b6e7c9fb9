using KerasNotes.Callbacks;
using KerasNotes.Plotting.Tests.TestSupport;

namespace KerasNotes.Plotting.Tests;

public sealed class EpochAxisTests
{
    [Fact]
    public void EpochAxis_numbers_the_epochs_of_a_fit_from_one()
    {
        var history = Histories.Typical(epochs: 3);

        var axis = new EpochAxis(history, ["loss"]);

        axis.For(3).Should().Equal(1, 2, 3);
        axis.Display(0).Should().Be(1);
        (axis.First, axis.Last).Should().Be((1, 3));
    }

    [Fact]
    public void EpochAxis_keeps_the_absolute_epochs_of_a_fit_that_resumed_at_an_initial_epoch()
    {
        var history = Histories.Typical(epochs: 3, firstEpoch: 5);

        var axis = new EpochAxis(history, ["loss"]);

        axis.For(3).Should().Equal(6, 7, 8);
        axis.Display(7).Should().Be(8);
    }

    [Fact]
    public void EpochAxis_right_aligns_a_key_that_first_appeared_in_a_later_epoch()
    {
        var history = new History();
        history.OnTrainBegin();
        for (int e = 0; e < 4; e++)
        {
            var logs = new Dictionary<string, double> { ["loss"] = 1 };
            if (e >= 2)
            {
                logs["learning_rate"] = 0.1;
            }

            history.OnEpochEnd(e, logs);
        }

        var axis = new EpochAxis(history, ["loss", "learning_rate"]);

        axis.For(history["learning_rate"].Count).Should().Equal(3, 4);
    }

    [Fact]
    public void EpochAxis_counts_every_epoch_of_a_History_shared_by_two_fits_that_each_started_at_zero()
    {
        // The History keeps the values of both calls but only the second call's epoch numbers (0, 1, 2).
        var history = Histories.Typical(epochs: 2);
        history.OnTrainBegin();
        for (int e = 0; e < 3; e++)
        {
            history.OnEpochEnd(e, new Dictionary<string, double> { ["loss"] = 0.1, ["accuracy"] = 0.9, ["val_loss"] = 0.2, ["val_accuracy"] = 0.8 });
        }

        var axis = new EpochAxis(history, ["loss"]);

        axis.Shift.Should().Be(2);
        axis.For(5).Should().Equal(1, 2, 3, 4, 5);
        axis.Display(0).Should().Be(3, "the second call's first epoch is the third logged");
    }
}
