namespace KerasNotes.Plotting;

/// <summary>One named line of a <see cref="LineChart"/>: a y value for each x.</summary>
/// <param name="name">The legend text.</param>
/// <param name="values">The y values, one per x; NaN and infinities are drawn as gaps.</param>
/// <param name="secondaryAxis">Draw against the right-hand y axis, with its own scale (e.g. the learning rate
/// beside val_loss).</param>
public sealed class LineSeries(string name, IReadOnlyList<double> values, bool secondaryAxis = false)
{
    /// <summary>The legend text.</summary>
    public string Name { get; } = name;

    /// <summary>The y values, one per x.</summary>
    public IReadOnlyList<double> Values { get; } = values;

    /// <summary>True to draw against the right-hand y axis.</summary>
    public bool SecondaryAxis { get; } = secondaryAxis;
}
