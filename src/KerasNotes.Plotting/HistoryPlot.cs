using KerasNotes.Callbacks;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace KerasNotes.Plotting;

/// <summary>
/// Training curves from a <see cref="History"/>, as a Keras user draws <c>history.history</c> with matplotlib:
/// <c>history.PlotTo("loss.png")</c>.
/// </summary>
public static class HistoryPlot
{
    private const int DefaultPanelHeight = 260;
    private const int ExtraHeight = 140;

    /// <summary>
    /// Writes the curves of <paramref name="history"/> to the PNG file <paramref name="path"/>: one panel per metric
    /// family ("loss" with "val_loss", "accuracy" with "val_accuracy"), stacked top to bottom, epochs on x.
    /// </summary>
    /// <param name="history">What <c>Fit</c> returned.</param>
    /// <param name="path">The PNG file to write (must end in <c>.png</c>; its folder must exist). Written atomically:
    /// a reader sees the old file or the whole new one.</param>
    /// <param name="metrics">The keys to draw, e.g. <c>["loss", "val_loss"]</c>; null (the default) draws every key.
    /// Panels follow the order of the first key of each family.</param>
    /// <param name="earlyStopping">The EarlyStopping callback of that Fit, if any: a red dashed line marks the epoch
    /// at whose end it stopped training, a green one the epoch whose weights it restored (nothing is marked for what
    /// did not happen).</param>
    /// <param name="title">A title above the top panel; null for none.</param>
    /// <param name="width">Image width in pixels (default 800).</param>
    /// <param name="height">Image height in pixels; null (the default) gives 140 + 260 per panel.</param>
    /// <returns>The full path of the written file.</returns>
    /// <remarks>
    /// <para>Epochs are numbered from 1, as Keras prints them ("Epoch 1/10", "Epoch 7: early stopping"), while
    /// <see cref="History.Epochs"/> and <see cref="EarlyStopping.StoppedEpoch"/> count from 0: a stop at
    /// <c>StoppedEpoch == 6</c> is marked at 7. Each key's values end at the last epoch (see
    /// <see cref="History"/>: a key that first appeared later has fewer values).</para>
    /// <para>NaN and infinite values (a diverged loss) are drawn as gaps in their line.</para>
    /// <para>Every argument is checked before anything is drawn or written.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException">The history is empty; <paramref name="metrics"/> is empty or names a key
    /// the history does not have (the message lists those it has); <paramref name="path"/> is not a .png file; an
    /// EarlyStopping epoch lies outside the history's epochs; a text has characters the font cannot draw.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not between 1 and 16384 pixels.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidOperationException">Text cannot be drawn on this machine (the chart is not written).</exception>
    /// <example>
    /// <code>
    /// var stop = new EarlyStopping(patience: 3, restoreBestWeights: true);
    /// var history = model.Fit(x, y, epochs: 50, validationSplit: 0.1, callbacks: [stop]);
    /// history.PlotTo("loss.png", metrics: ["loss", "val_loss"], earlyStopping: stop, title: "MLP on Fashion-MNIST");
    /// </code>
    /// </example>
    public static string PlotTo(this History history, string path, IReadOnlyList<string>? metrics = null,
        EarlyStopping? earlyStopping = null, string? title = null, int width = 800, int? height = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(path);
        string target = PngFile.Target(path);
        var keys = SelectKeys(history, metrics);
        var families = MetricFamilies.Group(keys);
        int figureHeight = height ?? ExtraHeight + (DefaultPanelHeight * families.Count);
        Arguments.Pixels(width, nameof(width));
        Arguments.Pixels(figureHeight, nameof(height));
        if (figureHeight < families.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(height), figureHeight,
                $"height {figureHeight} leaves no pixel row for some of the {families.Count} panels ({string.Join(", ", families.Select(f => f.Family))}).");
        }

        var font = ChartText.Font;
        font.RequireGlyphs(title, nameof(title));
        foreach (string key in keys)
        {
            font.RequireGlyphs(key, nameof(metrics));
        }

        var panels = Panels(history, keys, earlyStopping, title);
        try
        {
            PngFile.Write(target, Figure.RenderPng(panels, width, figureHeight));
        }
        finally
        {
            foreach (var panel in panels)
            {
                panel.Dispose();
            }
        }

        return target;
    }

    /// <summary>The panels of the figure, top to bottom, for checked arguments.</summary>
    internal static List<Plot> Panels(History history, IReadOnlyList<string> keys, EarlyStopping? earlyStopping, string? title)
    {
        var families = MetricFamilies.Group(keys);
        var axis = new EpochAxis(history, keys);
        var markers = Markers(earlyStopping, axis);
        var panels = new List<Plot>();
        for (int i = 0; i < families.Count; i++)
        {
            panels.Add(Panel(history, families[i].Family, families[i].Keys, axis, markers,
                title: i == 0 ? title : null, bottom: i == families.Count - 1));
        }

        return panels;
    }

    internal static List<string> SelectKeys(History history, IReadOnlyList<string>? metrics)
    {
        if (history.Keys.Count == 0)
        {
            throw new ArgumentException(
                "history is empty: no epoch has logged a value yet. Plot the History that Fit returned.", nameof(history));
        }

        if (metrics is null)
        {
            return [.. history.Keys];
        }

        if (metrics.Count == 0)
        {
            throw new ArgumentException(
                $"metrics is empty; name keys of the history ({string.Join(", ", history.Keys)}) or pass null for all of them.",
                nameof(metrics));
        }

        var keys = new List<string>();
        foreach (string? key in metrics)
        {
            if (key is null || !history.ContainsKey(key))
            {
                throw new ArgumentException(
                    $"metrics has '{key}', which the history does not have; it has: {string.Join(", ", history.Keys)}.",
                    nameof(metrics));
            }

            if (!keys.Contains(key))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private sealed record Marker(int Epoch, string Label, string Legend, Color Color);

    private static List<Marker> Markers(EarlyStopping? earlyStopping, EpochAxis axis)
    {
        var markers = new List<Marker>();
        if (earlyStopping is null)
        {
            return markers;
        }

        // StoppedEpoch is 0 when the callback did not stop training (it never stops at epoch 0).
        if (earlyStopping.StoppedEpoch > 0)
        {
            int stopped = Place(axis, earlyStopping.StoppedEpoch, nameof(EarlyStopping.StoppedEpoch), nameof(earlyStopping));
            markers.Add(new Marker(stopped, $"stop {stopped}", $"early stop (end of epoch {stopped})", Colors.Crimson));
        }

        if (earlyStopping.RestoredEpoch is int restoredEpoch)
        {
            int restored = Place(axis, restoredEpoch, nameof(EarlyStopping.RestoredEpoch), nameof(earlyStopping));
            markers.Add(new Marker(restored, $"best {restored}", $"restored best (epoch {restored})", Colors.ForestGreen));
        }

        return markers;
    }

    private static int Place(EpochAxis axis, int epoch, string property, string argumentName)
    {
        int shown = axis.Display(epoch);
        if (shown < axis.First || shown > axis.Last)
        {
            throw new ArgumentException(
                $"{argumentName}.{property} is {epoch} (epoch {shown} counted from 1), outside the history's epochs " +
                $"{axis.First}..{axis.Last}: pass the EarlyStopping of the Fit that produced this History.",
                argumentName);
        }

        return shown;
    }

    private static Plot Panel(History history, string family, List<string> keys, EpochAxis axis,
        List<Marker> markers, string? title, bool bottom)
    {
        var plot = new Plot();
        for (int k = 0; k < keys.Count; k++)
        {
            var values = history[keys[k]];
            Arguments.Plottable(values, nameof(history), $"history '{keys[k]}'");
            // Same colour for the same role in every panel: training blue, validation orange, as matplotlib's first two.
            Lines.Add(plot, keys[k], axis.For(values.Count), values, plot.Add.Palette.GetColor(k));
        }

        foreach (var marker in markers)
        {
            var line = plot.Add.VerticalLine(marker.Epoch, 1.5f, marker.Color, LinePattern.Dashed);
            line.LegendText = marker.Legend;
            line.LabelText = marker.Label;
            line.LabelStyle.BackgroundColor = marker.Color;
            // The tag hangs from the top edge inside the data area, clear of the title and the tick labels.
            line.LabelOppositeAxis = true;
            line.ManualLabelAlignment = Alignment.UpperCenter;
            ChartText.Style(line.LabelStyle, ChartText.Font, ChartText.SmallSize, bold: false);
        }

        if (markers.Count > 0)
        {
            plot.Axes.Margins(vertical: 0.15); // room for the marker tags above the curves
        }

        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plot.XLabel(bottom ? "epoch (from 1)" : string.Empty);
        plot.YLabel(family);
        if (title is not null)
        {
            plot.Title(title);
        }

        plot.ShowLegend(Edge.Right); // outside the data: rising and falling curves never run under it
        ChartText.Style(plot);
        return plot;
    }
}
