using ScottPlot;
using SkiaSharp;

namespace KerasNotes.Plotting;

/// <summary>
/// Renders one or more ScottPlot plots, stacked top to bottom, into one PNG image of an exact size — matplotlib's
/// <c>subplots(n, 1)</c> — with their data areas lined up so the epochs of every panel sit under each other.
/// </summary>
internal static class Figure
{
    /// <summary>Renders <paramref name="panels"/> into a <paramref name="width"/> × <paramref name="height"/> PNG.</summary>
    public static byte[] RenderPng(IReadOnlyList<Plot> panels, int width, int height)
    {
        var rows = Rows(panels.Count, width, height);
        for (int i = 0; i < panels.Count; i++)
        {
            ChartText.FitTitle(panels[i], (int)rows[i].Width, (int)rows[i].Height);
            ChartText.Audit(panels[i]);
        }

        AlignDataAreas(panels, rows);

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info)
            ?? throw new InvalidOperationException($"Skia could not create a {width}×{height} image.");
        surface.Canvas.Clear(SKColors.White);
        for (int i = 0; i < panels.Count; i++)
        {
            // Each panel on a surface of its own: ScottPlot clears the whole canvas it is given before drawing.
            int w = (int)rows[i].Width, h = (int)rows[i].Height;
            using var panel = SKSurface.Create(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException($"Skia could not create a {w}×{h} image.");
            panels[i].Render(panel.Canvas, w, h);
            using var image = panel.Snapshot();
            surface.Canvas.DrawImage(image, rows[i].Left, rows[i].Top);
        }

        return Encode(surface);
    }

    /// <summary>The PNG bytes of what was drawn on <paramref name="surface"/>.</summary>
    public static byte[] Encode(SKSurface surface)
    {
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("Skia could not encode the chart as PNG.");
        return png.ToArray();
    }

    // Equal rows; the last takes the pixels that do not divide evenly.
    private static PixelRect[] Rows(int count, int width, int height)
    {
        var rows = new PixelRect[count];
        int rowHeight = height / count;
        for (int i = 0; i < count; i++)
        {
            int top = i * rowHeight;
            int bottom = i == count - 1 ? height : top + rowHeight;
            rows[i] = new PixelRect(0, width, bottom, top);
        }

        return rows;
    }

    // Each panel first lays itself out (its tick labels decide its margins); then all take the widest left and right
    // margins, keeping their own top and bottom (only the top panel has the title).
    private static void AlignDataAreas(IReadOnlyList<Plot> panels, PixelRect[] rows)
    {
        if (panels.Count < 2)
        {
            return;
        }

        var paddings = new PixelPadding[panels.Count];
        for (int i = 0; i < panels.Count; i++)
        {
            int w = (int)rows[i].Width, h = (int)rows[i].Height;
            panels[i].RenderInMemory(w, h);
            var data = panels[i].RenderManager.LastRender.DataRect;
            paddings[i] = new PixelPadding(data.Left, w - data.Right, h - data.Bottom, data.Top);
        }

        float left = paddings.Max(p => p.Left), right = paddings.Max(p => p.Right);
        for (int i = 0; i < panels.Count; i++)
        {
            panels[i].Layout.Fixed(new PixelPadding(left, right, paddings[i].Bottom, paddings[i].Top));
        }
    }
}
