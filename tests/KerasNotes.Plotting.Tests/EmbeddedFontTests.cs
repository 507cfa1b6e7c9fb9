using KerasNotes.Plotting.Tests.TestSupport;
using ScottPlot.Plottables;
using SkiaSharp;

namespace KerasNotes.Plotting.Tests;

/// <summary>
/// Text must come from the embedded font whatever the machine has. The pixel tests of the chart classes fail where no
/// font loads (nothing would be drawn); these tests pin down that the font drawing it is ours, not a system one.
/// </summary>
public sealed class EmbeddedFontTests
{
    [Fact]
    public void The_embedded_fonts_load_and_are_DejaVu_Sans()
    {
        var font = EmbeddedFont.Instance;

        font.Regular.FamilyName.Should().Be("DejaVu Sans");
        font.Bold.FamilyName.Should().Be("DejaVu Sans");
        font.Bold.FontWeight.Should().BeGreaterThan(font.Regular.FontWeight);
    }

    [Fact]
    public void The_embedded_font_draws_text_on_its_own()
    {
        using var bitmap = new SKBitmap(120, 30);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var skFont = new SKFont(EmbeddedFont.Instance.Regular, 16);
        using var ink = new SKPaint { Color = SKColors.Black };

        canvas.DrawText("val_loss 0.25", 4, 22, skFont, ink);

        bitmap.Pixels.Count(c => c.Red < 110).Should().BeGreaterThan(100);
    }

    [Fact]
    public void ScottPlot_resolves_the_family_name_to_the_embedded_typefaces()
    {
        _ = ChartText.Font; // registers the resolver

        ScottPlot.Fonts.GetTypeface(EmbeddedFont.FamilyName, bold: false, italic: false).Should().BeSameAs(EmbeddedFont.Instance.Regular);
        ScottPlot.Fonts.GetTypeface(EmbeddedFont.FamilyName, bold: true, italic: false).Should().BeSameAs(EmbeddedFont.Instance.Bold);
    }

    [Fact]
    public void Every_text_of_a_history_chart_uses_the_embedded_font()
    {
        var (history, stop) = Histories.Stopped(1, 1.0, 0.5, 0.6, 0.7);
        var panels = HistoryPlot.Panels(history, ["loss", "val_loss"], stop, "title");
        var font = EmbeddedFont.Instance;

        foreach (var plot in panels)
        {
            plot.Axes.Title.Label.Font.Should().BeSameAs(font.Bold);
            foreach (var axis in plot.Axes.GetAxes())
            {
                axis.Label.Font.Should().BeSameAs(font.Regular);
                axis.TickLabelStyle.Font.Should().BeSameAs(font.Regular);
            }

            plot.Legend.FontName.Should().Be(EmbeddedFont.FamilyName);
            plot.GetPlottables().OfType<VerticalLine>().Should().OnlyContain(l => l.LabelStyle.Font == font.Regular);
            FluentActions.Invoking(() => ChartText.Audit(plot)).Should().NotThrow();
        }
    }

    [Fact]
    public void The_audit_refuses_a_plot_with_a_label_in_another_font()
    {
        using var plot = new ScottPlot.Plot();
        ChartText.Style(plot);
        plot.Axes.Left.Label.Font = SKTypeface.Default;

        var act = () => ChartText.Audit(plot);

        act.Should().Throw<InvalidOperationException>().WithMessage("*Left axis label*without the embedded font*");
    }

    [Fact]
    public void A_missing_font_resource_fails_with_a_clear_message()
    {
        var act = () => EmbeddedFont.Load(typeof(EmbeddedFont).Assembly, "KerasNotes.Plotting.Fonts.Missing.ttf", EmbeddedFont.BoldResource);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*cannot draw text*Missing.ttf*not among the assembly's resources*never written without their labels*");
    }

    [Fact]
    public void A_resource_that_is_not_a_font_fails_with_a_clear_message()
    {
        // The test assembly's own resources hold no font; the public API snapshot is a text file, not a font.
        var act = () => EmbeddedFont.Load(typeof(EmbeddedFontTests).Assembly, "KerasNotes.Plotting.Tests.NotAFont.txt", EmbeddedFont.BoldResource);

        act.Should().Throw<InvalidOperationException>().WithMessage("*NotAFont.txt*not a font Skia can read*");
    }

    [Fact]
    public void Text_with_characters_the_font_lacks_is_refused_naming_the_argument()
    {
        var act = () => EmbeddedFont.Instance.RequireGlyphs("loss 損失", "title");

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "title").WithMessage("*'損失'*");
    }
}
