using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace KerasNotes.Plotting;

/// <summary>
/// Labelled bars with their values printed on them, written as a PNG — e.g. the test accuracy of each method.
/// </summary>
public static class BarChart
{
    /// <summary>Writes a bar chart of <paramref name="values"/> to <paramref name="path"/>.</summary>
    /// <param name="path">The PNG file to write (must end in <c>.png</c>; its folder must exist). Written atomically.</param>
    /// <param name="labels">One label per bar, shown under it.</param>
    /// <param name="values">One value per bar, printed above it. A NaN or infinite value gets no bar, and "NaN" (or
    /// "∞") is printed in its place.</param>
    /// <param name="title">A title; null for none.</param>
    /// <param name="yLabel">The y axis label; null for none.</param>
    /// <param name="valueFormat">The .NET format of the printed values (default <c>"0.###"</c>; <c>"P1"</c> prints 86.5 %).</param>
    /// <param name="width">Image width in pixels (default 800).</param>
    /// <param name="height">Image height in pixels (default 500).</param>
    /// <returns>The full path of the written file.</returns>
    /// <exception cref="ArgumentNullException">An argument or a label is null.</exception>
    /// <exception cref="ArgumentException">There are no bars; the counts of labels and values differ;
    /// <paramref name="valueFormat"/> is not a number format; <paramref name="path"/> is not a .png file; a text has
    /// characters the font cannot draw.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not between 1 and 16384 pixels.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidOperationException">Text cannot be drawn on this machine (the chart is not written).</exception>
    /// <example>
    /// <code>
    /// BarChart.PlotTo("accuracy.png", ["HOG + SVM", "MLP", "CNN"], [0.842, 0.881, 0.912],
    ///     title: "Test accuracy", yLabel: "accuracy", valueFormat: "P1");
    /// </code>
    /// </example>
    public static string PlotTo(string path, IReadOnlyList<string> labels, IReadOnlyList<double> values,
        string? title = null, string? yLabel = null, string valueFormat = "0.###", int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(valueFormat);
        string target = PngFile.Target(path);
        Arguments.Pixels(width, nameof(width));
        Arguments.Pixels(height, nameof(height));
        if (values.Count == 0)
        {
            throw new ArgumentException("values is empty; give one value per bar.", nameof(values));
        }

        if (labels.Count != values.Count)
        {
            throw new ArgumentException(
                $"labels has {labels.Count} entries but values has {values.Count}; give one label per bar.", nameof(labels));
        }

        Arguments.Plottable(values, nameof(values), "values");
        RequireNumberFormat(valueFormat);
        var printed = values.Select(v => Print(v, valueFormat)).ToArray();
        var font = ChartText.Font;
        font.RequireGlyphs(title, nameof(title));
        font.RequireGlyphs(yLabel, nameof(yLabel));
        for (int i = 0; i < labels.Count; i++)
        {
            font.RequireGlyphs(labels[i] ?? throw new ArgumentNullException(nameof(labels), $"labels[{i}] is null."), nameof(labels));
            font.RequireGlyphs(printed[i], nameof(valueFormat));
        }

        using var plot = new Plot();
        var bars = new Bar[values.Count];
        for (int i = 0; i < bars.Length; i++)
        {
            bool drawn = double.IsFinite(values[i]);
            var color = plot.Add.Palette.GetColor(0);
            bars[i] = new Bar
            {
                Position = i,
                Value = drawn ? values[i] : 0,
                Label = printed[i],
                FillColor = color,
                LineColor = color.Darken(0.3),
            };
        }

        var barPlot = plot.Add.Bars(bars);
        ChartText.Style(barPlot.ValueLabelStyle, font, ChartText.SmallSize + 1, bold: false);
        plot.Axes.Bottom.TickGenerator = new NumericManual([.. Enumerable.Range(0, labels.Count).Select(i => (double)i)], [.. labels]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.HideGrid();
        // Room above the tallest bar for its printed value; positive bars stand on the axis.
        bool negative = values.Any(v => v < 0);
        plot.Axes.Margins(bottom: negative ? 0.15 : 0, top: 0.15);
        plot.Title(title ?? string.Empty);
        plot.YLabel(yLabel ?? string.Empty);
        ChartText.Style(plot);
        PngFile.Write(target, Figure.RenderPng([plot], width, height));
        return target;
    }

    // A format .NET accepts but that prints no number ("hello", "yyyy", "{0}") would put the same text on every bar.
    private static void RequireNumberFormat(string valueFormat)
    {
        string a = Print(1.5, valueFormat), b = Print(2.5, valueFormat);
        if (a == b || !a.Any(char.IsAsciiDigit))
        {
            throw new ArgumentException(
                $"valueFormat '{valueFormat}' does not show the number (1.5 prints '{a}', 2.5 prints '{b}'); " +
                "give a .NET number format such as \"0.###\", \"P1\" or \"F2\".", nameof(valueFormat));
        }
    }

    private static string Print(double value, string valueFormat)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "∞" : "-∞";
        }

        try
        {
            return value.ToString(valueFormat, CultureInfo.InvariantCulture);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"valueFormat '{valueFormat}' is not a .NET number format: {e.Message}", nameof(valueFormat), e);
        }
    }
}
