namespace KerasNotes.Plotting;

/// <summary>
/// Maps the values of one image to grey levels 0..255 under an <see cref="ImageNormalization"/>. NaN and infinite
/// values have no grey level (they are drawn red) and are left out of every minimum and maximum.
/// </summary>
internal readonly struct GrayLevels
{
    private readonly double _low;
    private readonly double _scale;

    private GrayLevels(double low, double high)
    {
        _low = low;
        // A constant image maps to black, as matplotlib maps vmin == vmax.
        _scale = high > low ? 255.0 / (high - low) : 0;
    }

    /// <summary>The mapping of <paramref name="image"/>, which is one of the images of <paramref name="all"/>.</summary>
    public static GrayLevels For(ImageNormalization normalization, ReadOnlySpan<float> image, ReadOnlySpan<float> all) =>
        normalization switch
        {
            ImageNormalization.PerImage => FromRange(image),
            ImageNormalization.Global => FromRange(all),
            _ => new GrayLevels(0, 1),
        };

    /// <summary>The grey level of <paramref name="value"/>, or null for NaN and infinities.</summary>
    public byte? Of(float value)
    {
        if (!float.IsFinite(value))
        {
            return null;
        }

        double level = (value - _low) * _scale;
        return (byte)Math.Round(Math.Clamp(level, 0, 255));
    }

    private static GrayLevels FromRange(ReadOnlySpan<float> values)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (float v in values)
        {
            if (float.IsFinite(v))
            {
                low = Math.Min(low, v);
                high = Math.Max(high, v);
            }
        }

        return double.IsFinite(low) ? new GrayLevels(low, high) : new GrayLevels(0, 1);
    }
}
