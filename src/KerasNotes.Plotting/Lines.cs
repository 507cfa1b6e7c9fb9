using ScottPlot;

namespace KerasNotes.Plotting;

/// <summary>
/// Adds one named series to a plot as a line broken at every NaN or infinite value: each unbroken run of finite
/// values is its own line, in one colour, under one legend entry. (ScottPlot would otherwise join across a NaN or let
/// it spoil the axis limits; matplotlib leaves a gap, and so do we.)
/// </summary>
internal static class Lines
{
    // Markers show where the values are when there are few enough of them to tell apart.
    private const int MarkedPointsAtMost = 60;

    /// <summary>
    /// Adds <paramref name="ys"/> over <paramref name="xs"/> (same length) to <paramref name="plot"/>, drawing
    /// <paramref name="transform"/>(y) when given (the log scale), against <paramref name="yAxis"/> when given.
    /// </summary>
    public static void Add(Plot plot, string name, double[] xs, IReadOnlyList<double> ys, Color color,
        Func<double, double>? transform = null, IYAxis? yAxis = null, bool dashed = false)
    {
        float markerSize = xs.Length <= MarkedPointsAtMost ? 5 : 0;
        bool named = false;
        int i = 0;
        while (i < ys.Count)
        {
            if (!double.IsFinite(ys[i]))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < ys.Count && double.IsFinite(ys[i]))
            {
                i++;
            }

            var runX = xs[start..i];
            var runY = new double[i - start];
            for (int j = 0; j < runY.Length; j++)
            {
                runY[j] = transform is null ? ys[start + j] : transform(ys[start + j]);
            }

            var scatter = plot.Add.Scatter(runX, runY, color);
            scatter.LineWidth = 2;
            if (dashed)
            {
                scatter.LinePattern = LinePattern.Dashed;
            }

            // A run of one value has no line to show; it always gets a marker.
            scatter.MarkerSize = runX.Length == 1 ? Math.Max(markerSize, 6) : markerSize;
            if (yAxis is not null)
            {
                scatter.Axes.YAxis = yAxis;
            }

            if (!named)
            {
                scatter.LegendText = name;
                named = true;
            }
        }

        if (!named)
        {
            // Nothing finite to draw: the legend still says the series was there.
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = $"{name} (no finite values)",
                LineColor = color,
                LineWidth = 2,
                LinePattern = dashed ? LinePattern.Dashed : LinePattern.Solid,
            });
        }
    }
}
