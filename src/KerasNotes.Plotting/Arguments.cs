using System.Globalization;

namespace KerasNotes.Plotting;

/// <summary>
/// The checks every chart runs on its arguments before it draws or writes anything; each message names the argument,
/// the value it got and what was expected.
/// </summary>
internal static class Arguments
{
    /// <summary>The largest side of a chart, in pixels (a 16384² RGBA image is already 1 GiB).</summary>
    public const int MaxPixels = 16384;

    /// <summary>Throws unless 1 ≤ <paramref name="pixels"/> ≤ <see cref="MaxPixels"/>.</summary>
    public static void Pixels(int pixels, string argumentName)
    {
        if (pixels is < 1 or > MaxPixels)
        {
            // The message names the value already; the (name, value, message) form would say it a second time.
            throw new ArgumentOutOfRangeException(argumentName,
                $"{argumentName} must be between 1 and {MaxPixels} pixels, got {pixels}.");
        }
    }

    /// <summary>Throws if <paramref name="values"/> has a NaN or an infinity (an x axis cannot have gaps).</summary>
    public static void Finite(IReadOnlyList<double> values, string argumentName)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"{argumentName} must be finite numbers; it has {Text(values[i])} at index {i}.", argumentName);
            }
        }
    }

    /// <summary>
    /// The largest magnitude a chart can place: beyond it the span of an axis (max − min) overflows to infinity and
    /// ScottPlot's autoscaler fails with an internal error instead of a message about the data.
    /// </summary>
    public const double MaxMagnitude = 1e300;

    /// <summary>Throws if a finite value of <paramref name="values"/> is beyond ±<see cref="MaxMagnitude"/>.</summary>
    /// <param name="values">The values.</param>
    /// <param name="argumentName">The argument they came in.</param>
    /// <param name="what">How the message names them (e.g. "series 'loss'").</param>
    public static void Plottable(IReadOnlyList<double> values, string argumentName, string what)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (double.IsFinite(values[i]) && Math.Abs(values[i]) > MaxMagnitude)
            {
                throw new ArgumentException(
                    $"{what} has {Text(values[i])} at index {i}; a chart can place values up to ±1e300 " +
                    "(scale the data, or leave it out as NaN).", argumentName);
            }
        }
    }

    /// <summary>A number as the messages show it.</summary>
    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
