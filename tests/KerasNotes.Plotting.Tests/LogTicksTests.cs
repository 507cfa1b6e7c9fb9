namespace KerasNotes.Plotting.Tests;

public sealed class LogTicksTests
{
    private static List<string> Labels(double low, double high) =>
        [.. new LogTicks().Generate(Math.Log10(low), Math.Log10(high)).Where(t => t.IsMajor).Select(t => t.Label)];

    [Fact]
    public void Several_decades_are_labelled_at_the_powers_of_ten()
    {
        Labels(1e-5, 1.5).Should().Equal("1e-5", "0.0001", "0.001", "0.01", "0.1", "1");
    }

    [Fact]
    public void About_a_decade_is_labelled_at_one_two_and_five()
    {
        Labels(1e-4, 1.2e-3).Should().Equal("0.0001", "0.0002", "0.0005", "0.001");
    }

    [Fact]
    public void Less_than_a_decade_is_labelled_at_every_digit()
    {
        Labels(2.4e-4, 1.01e-3).Should().Equal("0.0003", "0.0004", "0.0005", "0.0006", "0.0007", "0.0008", "0.0009", "0.001");
    }

    [Fact]
    public void Two_decades_holding_only_two_powers_of_ten_are_labelled_at_one_two_and_five()
    {
        // A learning rate from 0.05 down to 0.0008 (the LearningRate lesson): powers of ten alone label only 0.001 and
        // 0.01, and falling back to linear steps left everything under 0.01 unlabelled.
        Labels(5.9e-4, 0.068).Should().Equal("0.001", "0.002", "0.005", "0.01", "0.02", "0.05");
    }

    [Fact]
    public void A_narrow_range_gets_evenly_spaced_round_values()
    {
        Labels(0.61, 0.71).Should().Equal("0.62", "0.64", "0.66", "0.68", "0.7");
    }

    [Fact]
    public void An_empty_or_broken_range_has_no_ticks()
    {
        new LogTicks().Generate(1, 1).Should().BeEmpty();
        new LogTicks().Generate(double.NaN, 1).Should().BeEmpty();
    }
}
