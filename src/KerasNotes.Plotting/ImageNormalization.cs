namespace KerasNotes.Plotting;

/// <summary>How <see cref="ImageGrid"/> turns values into grey levels (black is low, white is high).</summary>
public enum ImageNormalization
{
    /// <summary>Each image is stretched from its own minimum (black) to its own maximum (white) — to see the pattern
    /// of each filter or feature map, whatever its scale (matplotlib's <c>imshow</c> default).</summary>
    PerImage,

    /// <summary>One minimum and maximum over all the images — to compare their strengths.</summary>
    Global,

    /// <summary>Values are shown as they are: 0 black, 1 white, clipped outside [0, 1] — for pixels already scaled to [0, 1].</summary>
    None,
}
