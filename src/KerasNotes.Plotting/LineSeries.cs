using System.Globalization;

namespace KerasNotes.Plotting;

/// <summary>One named line of a <see cref="LineChart"/>: a y value for each x.</summary>
public sealed class LineSeries
{
    /// <summary>Creates a series.</summary>
    /// <param name="name">The legend text.</param>
    /// <param name="values">The y values, one per x; NaN and infinities are drawn as gaps.</param>
    /// <param name="secondaryAxis">Draw against the right-hand y axis, with its own scale (e.g. the learning rate
    /// beside val_loss).</param>
    /// <param name="color">The line's colour as matplotlib names the cycle (<c>"C0"</c>…<c>"C9"</c>, the tab10
    /// palette) or as <c>"#RRGGBB"</c>; null takes the next colour of the cycle, by the series' position.</param>
    /// <param name="dashed">Draw the line dashed (e.g. the learning rate of the same run as a solid val_loss).</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or blank, or <paramref name="color"/> is neither <c>C0</c>…<c>C9</c> nor <c>#RRGGBB</c>.</exception>
    public LineSeries(string name, IReadOnlyList<double> values, bool secondaryAxis = false, string? color = null, bool dashed = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(values);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"name '{name}' is blank: a series has no name, and the legend needs one.", nameof(name));
        }

        if (color is not null && !IsColor(color))
        {
            throw new ArgumentException(
                $"color '{color}' is not a colour; use \"C0\"…\"C9\" (matplotlib's cycle) or \"#RRGGBB\".", nameof(color));
        }

        Name = name;
        Values = values;
        SecondaryAxis = secondaryAxis;
        Color = color;
        Dashed = dashed;
    }

    /// <summary>The legend text.</summary>
    public string Name { get; }

    /// <summary>The y values, one per x.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>True to draw against the right-hand y axis.</summary>
    public bool SecondaryAxis { get; }

    /// <summary>The colour asked for (<c>"C0"</c>…<c>"C9"</c> or <c>"#RRGGBB"</c>), or null for the cycle's next.</summary>
    public string? Color { get; }

    /// <summary>True to draw the line dashed.</summary>
    public bool Dashed { get; }

    private static bool IsColor(string color) =>
        (color.Length == 2 && color[0] == 'C' && char.IsAsciiDigit(color[1]))
        || (color.Length == 7 && color[0] == '#' && int.TryParse(color.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _));
}
