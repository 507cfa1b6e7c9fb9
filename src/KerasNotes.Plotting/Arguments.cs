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
            throw new ArgumentOutOfRangeException(argumentName, pixels,
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

    /// <summary>A number as the messages show it.</summary>
    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
