using System.Globalization;
using ScottPlot;

namespace KerasNotes.Plotting;

/// <summary>
/// Ticks for an axis that shows log10 of its values (see <see cref="LogScale"/>), labelled with the values: powers of
/// ten over several decades, 1-2-5 steps over one or two, every digit over less — each only when it labels at least
/// three ticks — and plain evenly spaced values when the range is too narrow for any of those — so a learning rate from 1e-3 to 2.5e-4 reads "0.001, 0.0005, 0.0003".
/// </summary>
internal sealed class LogTicks : ITickGenerator
{
    private static readonly int[] s_digits = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    /// <inheritdoc />
    public Tick[] Ticks { get; private set; } = [];

    /// <inheritdoc />
    public int MaxTickCount { get; set; } = 1000;

    /// <inheritdoc />
    public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle) =>
        Ticks = Generate(range.Min, range.Max);

    /// <summary>The ticks between the log10 values <paramref name="low"/> and <paramref name="high"/>.</summary>
    internal Tick[] Generate(double low, double high)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || high <= low)
        {
            return [];
        }

        // The sparsest labelling that still gives three labelled ticks: powers of ten over many decades, 1-2-5 steps,
        // every digit, and plain evenly spaced values when even that is too few (a range of two decades, say
        // 0.0006-0.07, has only two powers of ten in it and must fall back to 1-2-5, not to linear steps).
        int[][] labellings = (high - low) >= 2 ? [[1], [1, 2, 5], s_digits] : (high - low) >= 0.7 ? [[1, 2, 5], s_digits] : [s_digits];
        foreach (int[] labelled in labellings)
        {
            var ticks = Digits(low, high, labelled);
            if (ticks.Count(t => t.IsMajor) >= 3)
            {
                return ticks;
            }
        }

        return Linear(low, high);
    }

    // Every digit's position between low and high as a tick, labelled when the digit is one of `labelled`.
    private Tick[] Digits(double low, double high, int[] labelled)
    {
        var ticks = new List<Tick>();
        for (int k = (int)Math.Floor(low); k <= (int)Math.Ceiling(high) && ticks.Count < MaxTickCount; k++)
        {
            foreach (int digit in s_digits)
            {
                double position = Math.Log10(digit) + k;
                if (position >= low && position <= high)
                {
                    ticks.Add(labelled.Contains(digit)
                        ? Tick.Major(position, Label(digit * Math.Pow(10, k)))
                        : Tick.Minor(position));
                }
            }
        }

        return [.. ticks];
    }

    // Evenly spaced round values in a range narrower than the digits can mark.
    private Tick[] Linear(double low, double high)
    {
        double from = Math.Pow(10, low), to = Math.Pow(10, high);
        double raw = (to - from) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double normalized = raw / magnitude;
        double step = (normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10) * magnitude;
        var ticks = new List<Tick>();
        for (double v = Math.Ceiling(from / step) * step; v <= to && ticks.Count < MaxTickCount; v += step)
        {
            ticks.Add(Tick.Major(Math.Log10(v), Label(v)));
        }

        return [.. ticks];
    }

    /// <summary>A tick value to three significant digits: 0.0005, 0.25, 2e-05.</summary>
    internal static string Label(double value)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)) - 2);
        double rounded = Math.Round(value / magnitude) * magnitude;
        return rounded is >= 0.99999e-4 and < 1e5
            ? rounded.ToString("0.######", CultureInfo.InvariantCulture)
            : rounded.ToString("0.##e+0", CultureInfo.InvariantCulture);
    }
}
