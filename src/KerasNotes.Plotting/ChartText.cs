using SkiaSharp;
using ScottPlot;
using ScottPlot.Plottables;

namespace KerasNotes.Plotting;

/// <summary>
/// Puts the embedded font on every piece of text of a ScottPlot <see cref="Plot"/>, and checks it is there just
/// before rendering, so no label can fall back to whatever font the machine has (or none).
/// </summary>
internal static class ChartText
{
    /// <summary>Title size in pixels.</summary>
    public const float TitleSize = 16;

    /// <summary>Axis label size in pixels.</summary>
    public const float LabelSize = 13;

    /// <summary>Tick, legend and annotation size in pixels.</summary>
    public const float SmallSize = 11;

    // Pixels kept free between a title line and the figure's edge.
    private const float TitleMargin = 8;

    // The most lines a title may be broken into.
    private const int MaxTitleLines = 3;

    /// <summary>The font, with ScottPlot told where to find it by name (legend entries resolve fonts by name).</summary>
    public static EmbeddedFont Font
    {
        get
        {
            var font = EmbeddedFont.Instance;
            EmbeddedFontResolver.Register(font);
            return font;
        }
    }

    /// <summary>Sets the font of the title, of every axis's label and tick labels, and of the legend.</summary>
    public static void Style(Plot plot)
    {
        var font = Font;
        Style(plot.Axes.Title.Label, font, TitleSize, bold: true);
        foreach (var axis in plot.Axes.GetAxes())
        {
            Style(axis.Label, font, LabelSize, bold: false);
            Style(axis.TickLabelStyle, font, SmallSize, bold: false);
        }

        plot.Legend.FontName = EmbeddedFont.FamilyName;
        plot.Legend.FontSize = SmallSize;
        plot.Legend.SetBestFontOnEachRender = false; // it would pick a system font by the text's characters
    }

    /// <summary>
    /// Breaks <paramref name="plot"/>'s title into lines at spaces so that none reaches past the figure's edges
    /// (ScottPlot centres a title over the data area, and a long one was cut off at the figure's left edge). A title
    /// that would need more than three lines, or holds a word wider than the figure, is refused
    /// (<see cref="ArgumentException"/> naming <paramref name="titleArgument"/>): it would hide the data or run off
    /// the picture.
    /// </summary>
    public static void FitTitle(Plot plot, int width, int height, string titleArgument = "title")
    {
        var label = plot.Axes.Title.Label;
        string text = label.Text;
        if (string.IsNullOrEmpty(text) || label.Font is not { } typeface)
        {
            return;
        }

        // The title is centred over the data area, which axis labels and an outside legend push off the figure's
        // centre: a line may be twice as wide as the nearer figure edge is from that centre.
        plot.RenderInMemory(width, height);
        var data = plot.RenderManager.LastRender.DataRect;
        float centre = (data.Left + data.Right) / 2;
        float room = Math.Max(2 * (Math.Min(centre, width - centre) - TitleMargin), 1);
        using var font = new SKFont(typeface, label.FontSize);
        if (font.MeasureText(text) <= room)
        {
            return;
        }

        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && font.MeasureText(candidate) > room)
            {
                lines.Add(line.ToString());
                line.Clear().Append(word);
            }
            else
            {
                line.Clear().Append(candidate);
            }
        }

        lines.Add(line.ToString());
        // More lines than this would cover the data the chart is for; a word wider than the room cannot be broken.
        string? widest = lines.Find(l => font.MeasureText(l) > room);
        if (lines.Count > MaxTitleLines || widest is not null)
        {
            throw new ArgumentException(
                $"title '{text}' does not fit a {width}-px-wide chart: " +
                (widest is not null ? $"'{widest}' alone is wider than the {room:F0} px available" : $"it would take {lines.Count} lines (at most {MaxTitleLines})") +
                "; shorten it or give a larger width.", titleArgument);
        }

        label.Text = string.Join('\n', lines);
    }

    /// <summary>Sets the font of one label style.</summary>
    public static void Style(LabelStyle label, EmbeddedFont font, float size, bool bold)
    {
        label.Font = bold ? font.Bold : font.Regular;
        label.FontName = EmbeddedFont.FamilyName;
        label.Bold = bold;
        label.FontSize = size;
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> if any text of <paramref name="plot"/> that this package knows
    /// how to draw would not use the embedded font: a guard against a chart helper that forgot to style a label.
    /// </summary>
    public static void Audit(Plot plot)
    {
        var font = Font;
        var wrong = new List<string>();
        Check(plot.Axes.Title.Label, "title");
        foreach (var axis in plot.Axes.GetAxes())
        {
            Check(axis.Label, $"{axis.Edge} axis label");
            Check(axis.TickLabelStyle, $"{axis.Edge} axis tick labels");
        }

        if (plot.Legend.FontName != EmbeddedFont.FamilyName || plot.Legend.SetBestFontOnEachRender)
        {
            wrong.Add("legend");
        }

        foreach (var plottable in plot.GetPlottables())
        {
            switch (plottable)
            {
                case AxisLine line when !string.IsNullOrEmpty(line.LabelText):
                    Check(line.LabelStyle, $"marker '{line.LabelText}'");
                    break;
                case BarPlot bars:
                    Check(bars.ValueLabelStyle, "bar values");
                    break;
                case Text text:
                    Check(text.LabelStyle, $"text '{text.LabelText}'");
                    break;
                default:
                    break;
            }
        }

        if (wrong.Count > 0)
        {
            throw new InvalidOperationException(
                $"KerasNotes.Plotting would draw {string.Join(", ", wrong)} without the embedded font; the chart was not written.");
        }

        void Check(LabelStyle label, string what)
        {
            if (!font.Owns(label.Font))
            {
                wrong.Add(what);
            }
        }
    }
}
