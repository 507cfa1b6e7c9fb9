using KerasNotes.Callbacks;
using KerasNotes.Plotting.Tests.TestSupport;
using ScottPlot.Plottables;

namespace KerasNotes.Plotting.Tests;

public sealed class HistoryPlotTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void PlotTo_writes_a_png_of_the_requested_size_with_something_drawn()
    {
        string path = Histories.Typical().PlotTo(_folder.File("curves.png"), width: 640, height: 480);

        path.Should().Be(_folder.File("curves.png"));
        var png = Png.Read(path);
        png.Width.Should().Be(640);
        png.Height.Should().Be(480);
        png.NonWhitePixels().Should().BeGreaterThan(5000, "curves, axes and labels are drawn");
    }

    [Fact]
    public void PlotTo_makes_the_default_height_grow_with_the_panels()
    {
        var one = Png.Read(Histories.Typical().PlotTo(_folder.File("one.png"), metrics: ["loss"]));
        var two = Png.Read(Histories.Typical().PlotTo(_folder.File("two.png")));

        one.Width.Should().Be(800);
        one.Height.Should().Be(400);
        two.Height.Should().Be(660);
    }

    [Fact]
    public void PlotTo_writes_one_panel_per_metric_family()
    {
        var history = Histories.Typical();
        var panels = HistoryPlot.Panels(history, ["loss", "val_loss", "accuracy", "val_accuracy"], null, null);

        panels.Should().HaveCount(2);
        panels[0].Axes.Left.Label.Text.Should().Be("loss");
        Legend(panels[0]).Should().Equal("loss", "val_loss");
        panels[1].Axes.Left.Label.Text.Should().Be("accuracy");
        Legend(panels[1]).Should().Equal("accuracy", "val_accuracy");
    }

    [Fact]
    public void PlotTo_groups_every_key_by_family_when_no_metrics_are_named()
    {
        var history = Histories.Typical();

        var keys = HistoryPlot.SelectKeys(history, null);
        var panels = HistoryPlot.Panels(history, keys, null, null);

        keys.Should().Equal("loss", "accuracy", "val_loss", "val_accuracy"); // the order Fit logged them
        panels.Select(p => p.Axes.Left.Label.Text).Should().Equal("loss", "accuracy");
        Legend(panels[0]).Should().Equal("loss", "val_loss");
    }

    [Fact]
    public void PlotTo_numbers_epochs_from_one()
    {
        var panel = HistoryPlot.Panels(Histories.Typical(epochs: 4), ["loss"], null, null).Single();

        var line = panel.GetPlottables().OfType<Scatter>().Single();
        line.Data.GetScatterPoints().Select(p => p.X).Should().Equal(1, 2, 3, 4);
        panel.Axes.Bottom.Label.Text.Should().Be("epoch (from 1)");
    }

    [Fact]
    public void PlotTo_marks_where_EarlyStopping_stopped_and_which_epoch_it_restored()
    {
        // Best val_loss at epoch index 2; patience 2 stops at the end of index 4, and the weights of index 2 come back.
        var (history, stop) = Histories.Stopped(2, 1.0, 0.8, 0.5, 0.6, 0.7, 0.9, 1.0);
        stop.StoppedEpoch.Should().Be(4);
        stop.RestoredEpoch.Should().Be(2);

        var panel = HistoryPlot.Panels(history, ["val_loss"], stop, null).Single();

        var markers = panel.GetPlottables().OfType<VerticalLine>().ToList();
        markers.Select(m => m.X).Should().Equal(5, 3); // as Keras prints: "Epoch 5: early stopping", "best epoch: 3"
        markers.Select(m => m.LabelText).Should().Equal("stop 5", "best 3");
        markers.Select(m => m.LegendText).Should().Equal("early stop (end of epoch 5)", "restored best (epoch 3)");
    }

    [Fact]
    public void PlotTo_marks_nothing_that_EarlyStopping_did_not_do()
    {
        // Still improving: no stop; and restoreBestWeights is off, so nothing was restored either.
        var model = new KerasNotes.Models.Sequential(new KerasNotes.Layers.Input(1), new KerasNotes.Layers.Dense(1));
        var stop = new EarlyStopping(monitor: "loss", patience: 5);
        stop.SetModel(model);
        stop.OnTrainBegin();
        var history = Histories.Of("loss", 3, 2, 1);
        for (int e = 0; e < 3; e++)
        {
            stop.OnEpochEnd(e, new Dictionary<string, double> { ["loss"] = 3 - e });
        }

        stop.OnTrainEnd();

        var panel = HistoryPlot.Panels(history, ["loss"], stop, null).Single();

        panel.GetPlottables().OfType<VerticalLine>().Should().BeEmpty();
    }

    [Fact]
    public void PlotTo_draws_the_markers_into_the_written_file()
    {
        var (history, stop) = Histories.Stopped(1, 1.0, 0.5, 0.6, 0.7);
        var plain = Png.Read(history.PlotTo(_folder.File("plain.png")));
        var marked = Png.Read(history.PlotTo(_folder.File("marked.png"), earlyStopping: stop));

        bool Red(SkiaSharp.SKColor c) => c.Red > 180 && c.Green < 80 && c.Blue < 100;
        plain.Count(0, 0, plain.Width, plain.Height, Red).Should().Be(0);
        marked.Count(0, 0, marked.Width, marked.Height, Red).Should().BeGreaterThan(100, "the stop marker is crimson");
    }

    [Fact]
    public void PlotTo_draws_the_title_text()
    {
        // Two titles of the same height: only the title's pixels may differ, and they must. Were no font loaded,
        // neither title would be drawn and the two files would be the same.
        var history = Histories.Typical();
        var a = Png.Read(history.PlotTo(_folder.File("a.png"), title: "Training curves"));
        var b = Png.Read(history.PlotTo(_folder.File("b.png"), title: "Different words"));

        a.Differences(b, 0, 0, a.Width, 30).Should().BeGreaterThan(150);
        a.Differences(b, 0, 40, a.Width, a.Height).Should().Be(0);
        a.DarkPixels(0, 0, a.Width, 30).Should().BeGreaterThan(150);
    }

    [Fact]
    public void PlotTo_draws_NaN_values_as_gaps()
    {
        var history = Histories.Of("loss", 1.0, 0.8, double.NaN, 0.6, 0.5, double.PositiveInfinity, 0.4);

        var panel = HistoryPlot.Panels(history, ["loss"], null, null).Single();

        var runs = panel.GetPlottables().OfType<Scatter>().Select(s => s.Data.GetScatterPoints().Select(p => p.X).ToArray()).ToList();
        runs.Should().HaveCount(3);
        runs[0].Should().Equal(1, 2);
        runs[1].Should().Equal(4, 5);
        runs[2].Should().Equal(7);
        Legend(panel).Should().Equal("loss"); // one entry for the three pieces
    }

    [Fact]
    public void PlotTo_rejects_a_metric_the_history_does_not_have_and_lists_the_ones_it_has()
    {
        var act = () => Histories.Typical().PlotTo(_folder.File("x.png"), metrics: ["loss", "acc"]);

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "metrics")
            .WithMessage("*'acc'*loss, accuracy, val_loss, val_accuracy*");
        File.Exists(_folder.File("x.png")).Should().BeFalse();
    }

    [Fact]
    public void PlotTo_rejects_an_empty_metrics_list()
    {
        var act = () => Histories.Typical().PlotTo(_folder.File("x.png"), metrics: []);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "metrics").WithMessage("*empty*null*");
    }

    [Fact]
    public void PlotTo_rejects_an_empty_history()
    {
        var act = () => new History().PlotTo(_folder.File("x.png"));

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "history").WithMessage("*empty*");
        File.Exists(_folder.File("x.png")).Should().BeFalse();
    }

    [Theory]
    [InlineData(0, 400, "width")]
    [InlineData(-5, 400, "width")]
    [InlineData(800, 0, "height")]
    [InlineData(800, 20000, "height")]
    public void PlotTo_rejects_sizes_outside_1_to_16384_pixels(int width, int height, string argument)
    {
        var act = () => Histories.Typical().PlotTo(_folder.File("x.png"), width: width, height: height);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == argument).WithMessage("*between 1 and 16384*");
        File.Exists(_folder.File("x.png")).Should().BeFalse();
    }

    [Fact]
    public void PlotTo_rejects_a_height_too_small_for_its_panels()
    {
        var act = () => Histories.Typical().PlotTo(_folder.File("x.png"), width: 1, height: 1);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "height").WithMessage("*2 panels (loss, accuracy)*");
    }

    [Fact]
    public void PlotTo_still_draws_at_a_very_small_size()
    {
        var png = Png.Read(Histories.Typical().PlotTo(_folder.File("tiny.png"), width: 50, height: 30));

        (png.Width, png.Height).Should().Be((50, 30));
    }

    [Fact]
    public void PlotTo_rejects_an_EarlyStopping_from_a_longer_fit()
    {
        var (_, stop) = Histories.Stopped(1, 1.0, 0.5, 0.6, 0.7, 0.8);
        var shorter = Histories.Of("val_loss", 1.0, 0.9);

        var act = () => shorter.PlotTo(_folder.File("x.png"), earlyStopping: stop);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "earlyStopping")
            .WithMessage("*StoppedEpoch is 2 (epoch 3 counted from 1)*1..2*");
    }

    [Fact]
    public void PlotTo_rejects_a_title_the_font_cannot_draw()
    {
        var act = () => Histories.Typical().PlotTo(_folder.File("x.png"), title: "训练曲线");

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "title").WithMessage("*cannot draw*训练曲线*");
    }

    [Fact]
    public void PlotTo_accepts_greek_and_accented_text()
    {
        var act = () => Histories.Typical().PlotTo(_folder.File("x.png"), title: "Focal loss γ = 2, café");

        act.Should().NotThrow();
    }

    private static List<string> Legend(ScottPlot.Plot plot) =>
        [.. plot.Legend.GetItems().Select(i => i.LabelText).Where(t => !string.IsNullOrEmpty(t))];
}
