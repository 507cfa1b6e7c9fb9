using KerasNotes.Plotting.Tests.TestSupport;

namespace KerasNotes.Plotting.Tests;

public sealed class LineChartTests : IDisposable
{
    private static readonly double[] s_epochs = [1, 2, 3, 4, 5, 6];
    private static readonly double[] s_loss = [1.0, 0.7, 0.5, 0.45, 0.47, 0.5];
    private static readonly double[] s_rate = [1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4, 1.25e-4];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void PlotTo_writes_a_png_of_the_requested_size_with_both_lines_drawn()
    {
        string path = LineChart.PlotTo(_folder.File("lr.png"), s_epochs,
            [new LineSeries("val_loss", s_loss), new LineSeries("learning rate", s_rate, secondaryAxis: true)],
            title: "Learning rate and val_loss", xLabel: "epoch", yLabel: "val_loss", secondaryYLabel: "learning rate",
            logSecondaryY: true, width: 700, height: 450);

        var png = Png.Read(path);
        png.Width.Should().Be(700);
        png.Height.Should().Be(450);
        // ScottPlot's first two colours: blue (#1f77b4) and orange (#ff7f0e), as matplotlib's.
        png.Count(0, 0, png.Width, png.Height, c => c.Blue > 150 && c.Red < 80).Should().BeGreaterThan(200);
        png.Count(0, 0, png.Width, png.Height, c => c.Red > 220 && c.Green is > 100 and < 160 && c.Blue < 60).Should().BeGreaterThan(200);
    }

    [Fact]
    public void A_series_takes_the_colour_it_names_and_can_be_dashed()
    {
        // Both series red: no blue or orange of the cycle is left; the dashed one draws fewer red pixels than a solid one.
        var solid = Png.Read(LineChart.PlotTo(_folder.File("solid.png"), s_epochs, [new LineSeries("loss", s_loss, color: "#ff0000")]));
        var dashed = Png.Read(LineChart.PlotTo(_folder.File("dashed.png"), s_epochs, [new LineSeries("loss", s_loss, color: "#ff0000", dashed: true)]));
        var cycle = Png.Read(LineChart.PlotTo(_folder.File("c1.png"), s_epochs, [new LineSeries("loss", s_loss, color: "C1")]));

        static bool Red(SkiaSharp.SKColor c) => c.Red > 220 && c.Green < 40 && c.Blue < 40;
        static bool Blue(SkiaSharp.SKColor c) => c.Blue > 150 && c.Red < 80;
        static bool Orange(SkiaSharp.SKColor c) => c.Red > 220 && c.Green is > 100 and < 160 && c.Blue < 60;
        solid.Count(0, 0, solid.Width, solid.Height, Red).Should().BeGreaterThan(300);
        solid.Count(0, 0, solid.Width, solid.Height, Blue).Should().Be(0);
        dashed.Count(0, 0, dashed.Width, dashed.Height, Red).Should().BeLessThan(solid.Count(0, 0, solid.Width, solid.Height, Red) * 9 / 10);
        cycle.Count(0, 0, cycle.Width, cycle.Height, Orange).Should().BeGreaterThan(300, "C1 is the cycle's second colour, orange");
        cycle.Count(0, 0, cycle.Width, cycle.Height, Blue).Should().Be(0);
    }

    [Theory]
    [InlineData("red")]
    [InlineData("C10")]
    [InlineData("#12345")]
    [InlineData("#gg0000")]
    public void A_colour_that_is_neither_a_cycle_name_nor_hex_is_refused_naming_it(string color)
    {
        var act = () => new LineSeries("loss", s_loss, color: color);
        act.Should().Throw<ArgumentException>().WithParameterName(nameof(color)).WithMessage($"*'{color}'*C0*#RRGGBB*");
    }

    [Fact]
    public void PlotTo_labels_the_secondary_axis_on_the_right()
    {
        // Two labels of the same font size leave the layout alone: only the right axis label's pixels may differ.
        LineSeries[] series = [new LineSeries("val_loss", s_loss), new LineSeries("learning rate", s_rate, secondaryAxis: true)];
        var a = Png.Read(LineChart.PlotTo(_folder.File("a.png"), s_epochs, series, secondaryYLabel: "learning rate", logSecondaryY: true));
        var b = Png.Read(LineChart.PlotTo(_folder.File("b.png"), s_epochs, series, secondaryYLabel: "LR (log scale)", logSecondaryY: true));

        a.Differences(b, a.Width * 2 / 3, 0, a.Width, a.Height).Should().BeGreaterThan(50);
        a.Differences(b, 0, 0, a.Width * 2 / 3, a.Height).Should().Be(0);
    }

    [Fact]
    public void PlotTo_draws_axis_label_text()
    {
        // Same-length labels keep the layout; only their pixels may differ, and do unless text failed to draw.
        var a = Png.Read(LineChart.PlotTo(_folder.File("a.png"), s_epochs, [new LineSeries("loss", s_loss)], xLabel: "epochs"));
        var b = Png.Read(LineChart.PlotTo(_folder.File("b.png"), s_epochs, [new LineSeries("loss", s_loss)], xLabel: "STEPS!"));

        a.Differences(b, 0, a.Height - 30, a.Width, a.Height).Should().BeGreaterThan(50);
        a.Differences(b, 0, 0, a.Width, a.Height - 40).Should().Be(0);
    }

    [Fact]
    public void PlotTo_rejects_series_whose_length_differs_from_x()
    {
        var act = () => LineChart.PlotTo(_folder.File("x.png"), s_epochs, [new LineSeries("val_loss", [1.0, 0.5])]);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "series")
            .WithMessage("*'val_loss' has 2 values but x has 6*");
        File.Exists(_folder.File("x.png")).Should().BeFalse();
    }

    [Fact]
    public void PlotTo_rejects_a_value_of_zero_or_less_on_a_log_axis()
    {
        var act = () => LineChart.PlotTo(_folder.File("x.png"), s_epochs, [new LineSeries("loss", [1, 0.5, 0, 0.2, 0.1, 0.1])], logY: true);

        act.Should().Throw<ArgumentException>().WithMessage("*'loss' has 0 at index 2*greater than 0*");
    }

    [Fact]
    public void PlotTo_rejects_NaN_in_x()
    {
        var act = () => LineChart.PlotTo(_folder.File("x.png"), [1, double.NaN], [new LineSeries("loss", [1, 2])]);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "x").WithMessage("*NaN at index 1*");
    }

    [Fact]
    public void PlotTo_rejects_empty_inputs_and_unnamed_series()
    {
        FluentActions.Invoking(() => LineChart.PlotTo(_folder.File("x.png"), [], [new LineSeries("a", [])]))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "x");
        FluentActions.Invoking(() => LineChart.PlotTo(_folder.File("x.png"), s_epochs, []))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "series");
        FluentActions.Invoking(() => LineChart.PlotTo(_folder.File("x.png"), s_epochs, [new LineSeries(" ", s_loss)]))
            .Should().Throw<ArgumentException>().WithMessage("*no name*");
    }

    [Fact]
    public void PlotTo_accepts_a_series_that_is_all_NaN_and_still_names_it()
    {
        string path = LineChart.PlotTo(_folder.File("nan.png"), s_epochs,
            [new LineSeries("loss", s_loss), new LineSeries("diverged", [.. s_epochs.Select(_ => double.NaN)])]);

        Png.Read(path).NonWhitePixels().Should().BeGreaterThan(1000);
    }
}
