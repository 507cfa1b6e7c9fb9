using SkiaSharp;

namespace KerasNotes.Plotting;

/// <summary>
/// A grid of grey images from a tensor, written as a PNG — samples of a data set, or a convolution's feature maps
/// and filters.
/// </summary>
public static class ImageGrid
{
    /// <summary>The largest scale factor.</summary>
    internal const int MaxScale = 64;

    /// <summary>Writes the images of <paramref name="images"/> as a grid of grey tiles to <paramref name="path"/>.</summary>
    /// <param name="path">The PNG file to write (must end in <c>.png</c>; its folder must exist). Written atomically.</param>
    /// <param name="images">Shape [n, h, w] or [n, h, w, 1]: n images of h rows and w columns. Feature maps of shape
    /// [1, h, w, c] become [c, h, w, 1] with <c>Ops.Transpose(maps, [3, 1, 2, 0])</c>; Conv2D kernels [kh, kw, 1, f]
    /// become [f, kh, kw, 1] with <c>Ops.Transpose(kernel, [3, 0, 1, 2])</c>.</param>
    /// <param name="captions">One caption per image, drawn under it (e.g. the class name); null for none.</param>
    /// <param name="columns">Tiles per row; null (the default) makes the grid about square. More than n gives one row.</param>
    /// <param name="scale">Each value becomes a <paramref name="scale"/> × <paramref name="scale"/> block of pixels
    /// (nearest neighbour: no blur), 1 to 64; default 3 (a 28 × 28 image becomes 84 × 84).</param>
    /// <param name="normalization">How values become grey levels (default <see cref="ImageNormalization.PerImage"/>).
    /// NaN and infinite values are drawn red and left out of the minimum and maximum.</param>
    /// <param name="title">A title above the grid; null for none.</param>
    /// <returns>The full path of the written file.</returns>
    /// <exception cref="ArgumentNullException">An argument or a caption is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="images"/> has another shape (the message shows it); the
    /// number of captions is not n; the grid would exceed 16384 pixels on a side; <paramref name="path"/> is not a
    /// .png file; a text has characters the font cannot draw.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columns"/> is below 1 or
    /// <paramref name="scale"/> is not between 1 and 64.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidOperationException">Text cannot be drawn on this machine (the grid is not written).</exception>
    /// <example>
    /// <code>
    /// var ((xTrain, yTrain), _) = FashionMnist.Load();
    /// ImageGrid.PlotTo("samples.png", xTrain.SliceRows(0, 16) / 255f, captions: [.. names], columns: 8,
    ///     normalization: ImageNormalization.None);
    /// </code>
    /// </example>
    public static string PlotTo(string path, Tensor images, IReadOnlyList<string>? captions = null, int? columns = null,
        int scale = 3, ImageNormalization normalization = ImageNormalization.PerImage, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(images);
        string target = PngFile.Target(path);
        var (count, height, width) = Dimensions(images);
        if (columns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), columns, $"columns must be 1 or more (or null for a square grid), got {columns}.");
        }

        if (scale is < 1 or > MaxScale)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale must be between 1 and {MaxScale}, got {scale}.");
        }

        if (!Enum.IsDefined(normalization))
        {
            throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "normalization must be PerImage, Global or None.");
        }

        if (captions is not null && captions.Count != count)
        {
            throw new ArgumentException(
                $"captions has {captions.Count} entries but images has {count} (shape {images.Shape}); give one caption per image.",
                nameof(captions));
        }

        var font = ChartText.Font;
        font.RequireGlyphs(title, nameof(title));
        using var captionFont = new SKFont(font.Regular, ChartText.SmallSize + 1);
        float widest = 0;
        for (int i = 0; i < (captions?.Count ?? 0); i++)
        {
            string caption = captions![i] ?? throw new ArgumentNullException(nameof(captions), $"captions[{i}] is null.");
            font.RequireGlyphs(caption, nameof(captions));
            widest = Math.Max(widest, captionFont.MeasureText(caption));
        }

        using var titleFont = new SKFont(font.Bold, ChartText.TitleSize);
        float? titleWidth = title is null ? null : titleFont.MeasureText(title);
        var layout = ImageGridLayout.Create(count, width * scale, height * scale, columns, widest, captions is not null, titleWidth);
        PngFile.Write(target, Render(images.AsSpan(), count, height, width, scale, normalization, layout, captions, captionFont, title, titleFont));
        return target;
    }

    private static (int Count, int Height, int Width) Dimensions(Tensor images)
    {
        var shape = images.Shape;
        bool ok = (shape.Rank == 3 || (shape.Rank == 4 && shape[3] == 1)) && shape[0] > 0 && shape[1] > 0 && shape[2] > 0;
        if (!ok)
        {
            throw new ArgumentException(
                $"images must have shape [n, h, w] or [n, h, w, 1] with every dimension at least 1, got {shape}. " +
                "Feature maps [1, h, w, c] become [c, h, w, 1] with Ops.Transpose(maps, [3, 1, 2, 0]).", nameof(images));
        }

        return (shape[0], shape[1], shape[2]);
    }

    private static byte[] Render(ReadOnlySpan<float> values, int count, int height, int width, int scale,
        ImageNormalization normalization, ImageGridLayout layout, IReadOnlyList<string>? captions, SKFont captionFont,
        string? title, SKFont titleFont)
    {
        var info = new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var pixels = new byte[info.BytesSize];
        pixels.AsSpan().Fill(255); // white, opaque
        int size = height * width;
        for (int n = 0; n < count; n++)
        {
            var image = values.Slice(n * size, size);
            var levels = GrayLevels.For(normalization, image, values);
            var (left, top) = layout.Tile(n);
            for (int r = 0; r < height; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    byte? g = levels.Of(image[(r * width) + c]);
                    // NaN and infinities stand out in red.
                    byte red = g ?? 255, green = g ?? 0, blue = g ?? 0;
                    for (int dy = 0; dy < scale; dy++)
                    {
                        int row = (top + (r * scale) + dy) * info.RowBytes;
                        for (int dx = 0; dx < scale; dx++)
                        {
                            int p = row + ((left + (c * scale) + dx) * 4);
                            pixels[p] = red;
                            pixels[p + 1] = green;
                            pixels[p + 2] = blue;
                        }
                    }
                }
            }
        }

        using var surface = SKSurface.Create(info)
            ?? throw new InvalidOperationException($"Skia could not create a {layout.Width}×{layout.Height} image.");
        using (var tiles = SKImage.FromPixelCopy(info, pixels))
        {
            surface.Canvas.DrawImage(tiles, 0, 0);
        }

        // A thin frame, so a tile's white edge still shows where the tile ends.
        using (var frame = new SKPaint { Color = new SKColor(170, 170, 170), IsStroke = true, StrokeWidth = 1 })
        {
            for (int n = 0; n < count; n++)
            {
                var (left, top) = layout.Tile(n);
                surface.Canvas.DrawRect(left - 0.5f, top - 0.5f, layout.TileWidth + 1, layout.TileHeight + 1, frame);
            }
        }

        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        if (captions is not null)
        {
            for (int n = 0; n < count; n++)
            {
                var (cellX, cellY) = layout.Cell(n);
                float baseline = cellY + layout.TileHeight + ImageGridLayout.CaptionHeight - 5;
                surface.Canvas.DrawText(captions[n], cellX + (layout.CellWidth / 2f), baseline, SKTextAlign.Center, captionFont, ink);
            }
        }

        if (title is not null)
        {
            surface.Canvas.DrawText(title, layout.Width / 2f, ImageGridLayout.Margin + ChartText.TitleSize, SKTextAlign.Center, titleFont, ink);
        }

        return Figure.Encode(surface);
    }
}
