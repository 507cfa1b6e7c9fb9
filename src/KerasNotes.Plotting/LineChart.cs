using ScottPlot;
using ScottPlot.TickGenerators;

namespace KerasNotes.Plotting;

/// <summary>
/// Several named series of y over one x, written as a PNG — e.g. the learning rate and val_loss per epoch, with the
/// learning rate on a second, logarithmic y axis.
/// </summary>
public static class LineChart
{
    /// <summary>Writes a line chart of <paramref name="series"/> over <paramref name="x"/> to <paramref name="path"/>.</summary>
    /// <param name="path">The PNG file to write (must end in <c>.png</c>; its folder must exist). Written atomically.</param>
    /// <param name="x">The x values, finite, shared by every series.</param>
    /// <param name="series">The lines, each with as many values as <paramref name="x"/>; NaN and infinite values are
    /// drawn as gaps.</param>
    /// <param name="title">A title; null for none.</param>
    /// <param name="xLabel">The x axis label; null for none.</param>
    /// <param name="yLabel">The left y axis label; null for none.</param>
    /// <param name="secondaryYLabel">The right y axis label (for series with <see cref="LineSeries.SecondaryAxis"/>).</param>
    /// <param name="logY">Draw the left y axis on a log scale (its finite values must be greater than 0).</param>
    /// <param name="logSecondaryY">Draw the right y axis on a log scale (its finite values must be greater than 0).</param>
    /// <param name="width">Image width in pixels (default 800).</param>
    /// <param name="height">Image height in pixels (default 500).</param>
    /// <returns>The full path of the written file.</returns>
    /// <exception cref="ArgumentNullException">An argument or a series is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty or not finite; there is no series; a series
    /// has a different length from <paramref name="x"/> or no name; a log axis gets a value ≤ 0; <paramref name="path"/>
    /// is not a .png file; a text has characters the font cannot draw.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not between 1 and 16384 pixels.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidOperationException">Text cannot be drawn on this machine (the chart is not written).</exception>
    /// <example>
    /// <code>
    /// double[] epochs = [.. history.Epochs.Select(e => e + 1.0)];
    /// LineChart.PlotTo("lr.png", epochs,
    ///     [new LineSeries("val_loss", history["val_loss"]), new LineSeries("learning rate", history["learning_rate"], secondaryAxis: true)],
    ///     xLabel: "epoch", yLabel: "val_loss", secondaryYLabel: "learning rate", logSecondaryY: true);
    /// </code>
    /// </example>
    public static string PlotTo(string path, IReadOnlyList<double> x, IReadOnlyList<LineSeries> series,
        string? title = null, string? xLabel = null, string? yLabel = null, string? secondaryYLabel = null,
        bool logY = false, bool logSecondaryY = false, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(series);
        string target = PngFile.Target(path);
        Arguments.Pixels(width, nameof(width));
        Arguments.Pixels(height, nameof(height));
        Check(x, series, logY, logSecondaryY);
        var font = ChartText.Font;
        font.RequireGlyphs(title, nameof(title));
        font.RequireGlyphs(xLabel, nameof(xLabel));
        font.RequireGlyphs(yLabel, nameof(yLabel));
        font.RequireGlyphs(secondaryYLabel, nameof(secondaryYLabel));
        foreach (var s in series)
        {
            font.RequireGlyphs(s.Name, nameof(series));
        }

        using var plot = new Plot();
        double[] xs = [.. x];
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            bool log = s.SecondaryAxis ? logSecondaryY : logY;
            Lines.Add(plot, s.Name, xs, s.Values, SeriesColor(plot, s.Color, i),
                log ? LogScale.Transform : null, s.SecondaryAxis ? plot.Axes.Right : null, s.Dashed);
        }

        if (logY)
        {
            LogScale.Apply(plot.Axes.Left);
        }

        if (logSecondaryY)
        {
            LogScale.Apply(plot.Axes.Right);
        }

        if (xs.All(v => v == Math.Round(v)))
        {
            // Epochs, steps, counts: no tick at 2.5.
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        }

        plot.Title(title ?? string.Empty);
        plot.XLabel(xLabel ?? string.Empty);
        plot.YLabel(yLabel ?? string.Empty);
        plot.Axes.Right.Label.Text = secondaryYLabel ?? string.Empty;
        plot.ShowLegend(Edge.Right);
        ChartText.Style(plot);
        PngFile.Write(target, Figure.RenderPng([plot], width, height));
        return target;
    }

    // "C3" is the fourth colour of the cycle (ScottPlot's default palette is matplotlib's tab10), "#RRGGBB" itself.
    private static Color SeriesColor(Plot plot, string? color, int index) => color switch
    {
        null => plot.Add.Palette.GetColor(index),
        ['C', char digit] => plot.Add.Palette.GetColor(digit - '0'),
        _ => Color.FromHex(color),
    };

    private static void Check(IReadOnlyList<double> x, IReadOnlyList<LineSeries> series, bool logY, bool logSecondaryY)
    {
        if (x.Count == 0)
        {
            throw new ArgumentException("x is empty; give one x value per point.", nameof(x));
        }

        Arguments.Finite(x, nameof(x));
        Arguments.Plottable(x, nameof(x), "x");
        if (series.Count == 0)
        {
            throw new ArgumentException("series is empty; give at least one LineSeries.", nameof(series));
        }

        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i] ?? throw new ArgumentNullException(nameof(series), $"series[{i}] is null.");
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                throw new ArgumentException($"series[{i}] has no name; the legend needs one.", nameof(series));
            }

            if (s.Values is null || s.Values.Count != x.Count)
            {
                throw new ArgumentException(
                    $"series '{s.Name}' has {s.Values?.Count ?? 0} values but x has {x.Count}; give one y per x.", nameof(series));
            }

            Arguments.Plottable(s.Values, nameof(series), $"series '{s.Name}'");
            if (s.SecondaryAxis ? logSecondaryY : logY)
            {
                LogScale.RequirePositive(s.Name, s.Values, nameof(series));
            }
        }
    }
}
