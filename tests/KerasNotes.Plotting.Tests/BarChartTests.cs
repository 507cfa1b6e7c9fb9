using KerasNotes.Plotting.Tests.TestSupport;

namespace KerasNotes.Plotting.Tests;

public sealed class BarChartTests : IDisposable
{
    private static readonly string[] s_methods = ["HOG + SVM", "MLP", "CNN"];
    private static readonly double[] s_accuracy = [0.842, 0.881, 0.912];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void PlotTo_writes_a_png_of_the_requested_size_with_the_bars_drawn()
    {
        var png = Png.Read(BarChart.PlotTo(_folder.File("bars.png"), s_methods, s_accuracy, title: "Test accuracy", width: 600, height: 400));

        png.Width.Should().Be(600);
        png.Height.Should().Be(400);
        png.Count(0, 0, png.Width, png.Height, c => c.Blue > 150 && c.Red < 80).Should().BeGreaterThan(20000, "three tall blue bars");
    }

    [Fact]
    public void PlotTo_prints_the_values_on_the_bars()
    {
        // "0.842" and "84.2%" differ only in the printed values; the axes, bars and labels stay put. Were text not
        // drawn, the two files would be the same.
        var a = Png.Read(BarChart.PlotTo(_folder.File("a.png"), s_methods, s_accuracy, valueFormat: "0.000"));
        var b = Png.Read(BarChart.PlotTo(_folder.File("b.png"), s_methods, s_accuracy, valueFormat: "0.0%"));

        a.Differences(b, 0, 0, a.Width, a.Height).Should().BeGreaterThan(100);
        a.Differences(b, 0, a.Height - 40, a.Width, a.Height).Should().Be(0, "the labels under the bars are the same");
    }

    [Fact]
    public void PlotTo_draws_no_bar_for_NaN_and_prints_NaN_instead()
    {
        var act = () => BarChart.PlotTo(_folder.File("nan.png"), s_methods, [0.842, double.NaN, 0.912]);

        act.Should().NotThrow();
        Png.Read(_folder.File("nan.png")).Width.Should().Be(800);
    }

    [Fact]
    public void PlotTo_rejects_labels_and_values_of_different_lengths()
    {
        var act = () => BarChart.PlotTo(_folder.File("x.png"), s_methods, [0.9, 0.8]);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "labels").WithMessage("*3 entries but values has 2*");
        File.Exists(_folder.File("x.png")).Should().BeFalse();
    }

    [Fact]
    public void PlotTo_rejects_no_bars()
    {
        var act = () => BarChart.PlotTo(_folder.File("x.png"), [], []);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "values");
    }

    [Fact]
    public void PlotTo_rejects_a_value_format_that_is_not_a_number_format()
    {
        var act = () => BarChart.PlotTo(_folder.File("x.png"), s_methods, s_accuracy, valueFormat: "D2");

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "valueFormat").WithMessage("*'D2'*");
    }
}
