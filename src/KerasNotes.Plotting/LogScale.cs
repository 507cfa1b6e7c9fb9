using System.Globalization;
using ScottPlot;

namespace KerasNotes.Plotting;

/// <summary>
/// A logarithmic y axis: ScottPlot 5 has none, so values are drawn as log10(y) and <see cref="LogTicks"/> labels the
/// axis with the values themselves (ScottPlot's own recipe).
/// </summary>
internal static class LogScale
{
    /// <summary>What a value becomes on a log axis.</summary>
    public static double Transform(double y) => Math.Log10(y);

    /// <summary>
    /// Throws if a finite value of the series is zero or negative (a log axis cannot show it); NaN and infinities
    /// stay gaps as on a linear axis.
    /// </summary>
    public static void RequirePositive(string seriesName, IReadOnlyList<double> values, string argumentName)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (double.IsFinite(values[i]) && values[i] <= 0)
            {
                throw new ArgumentException(
                    $"series '{seriesName}' has {values[i].ToString(CultureInfo.InvariantCulture)} at index {i}; " +
                    "a log-scale axis needs values greater than 0.", argumentName);
            }
        }
    }

    /// <summary>Labels <paramref name="axis"/>'s ticks with values rather than their logarithms.</summary>
    public static void Apply(IAxis axis) => axis.TickGenerator = new LogTicks();
}
