using KerasNotes.Plotting.Tests.TestSupport;

namespace KerasNotes.Plotting.Tests;

public sealed class TitleTests : IDisposable
{
    private static readonly double[] s_epochs = [1, 2, 3, 4, 5, 6];
    private static readonly double[] s_loss = [1.0, 0.7, 0.5, 0.45, 0.47, 0.5];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_title_wider_than_the_chart_is_broken_into_lines_instead_of_cut_off()
    {
        // The EarlyStopping lesson's long title used to lose its first words past the left edge of a 800-px chart.
        const string title = "L2-regularised model monitored on val_loss with mode min: the loss falls while the accuracy does not";
        string path = LineChart.PlotTo(_folder.File("long.png"), s_epochs,
            [new LineSeries("a longer series name", s_loss)], title: title, width: 600, height: 400);

        var png = Png.Read(path);
        // Nothing drawn in the two outermost pixel columns of the title band, and the title takes more than one line.
        png.DarkPixels(0, 0, 2, 60).Should().Be(0);
        png.DarkPixels(png.Width - 2, 0, png.Width, 60).Should().Be(0);
        int[] darkRows = [.. Enumerable.Range(0, 80).Where(y => png.DarkPixels(0, y, png.Width, y + 1) > 0)];
        (darkRows[^1] - darkRows[0]).Should().BeGreaterThan(25, "two lines of a 16-px title are more than 25 px tall");
    }

    [Fact]
    public void A_short_title_stays_on_one_line()
    {
        var png = Png.Read(LineChart.PlotTo(_folder.File("short.png"), s_epochs, [new LineSeries("loss", s_loss)], title: "Loss", width: 500, height: 400));
        int[] darkRows = [.. Enumerable.Range(0, 40).Where(y => png.DarkPixels(0, y, png.Width, y + 1) > 0)];
        (darkRows[^1] - darkRows[0]).Should().BeLessThan(20);
    }
}
