namespace KerasNotes.Plotting;

/// <summary>
/// Where each tile, caption and the title of an <see cref="ImageGrid"/> go: tiles in row-major order, each cell as
/// wide as its tile or its widest caption, captions under the tiles, the title on top (the grid centred under it
/// when the title is the wider).
/// </summary>
internal sealed record ImageGridLayout(
    int Columns, int Rows, int TileWidth, int TileHeight, int CellWidth, int CellHeight, int TitleHeight, int Left, int Width, int Height)
{
    /// <summary>Space around the grid.</summary>
    public const int Margin = 8;

    /// <summary>Space between cells.</summary>
    public const int Gap = 6;

    /// <summary>Height of a caption line under a tile.</summary>
    public const int CaptionHeight = 18;

    /// <summary>Lays out <paramref name="count"/> tiles of <paramref name="tileWidth"/> × <paramref name="tileHeight"/> pixels.</summary>
    public static ImageGridLayout Create(int count, int tileWidth, int tileHeight, int? columns, float widestCaption,
        bool hasCaptions, float? titleWidth)
    {
        int cols = Math.Min(columns ?? (int)Math.Ceiling(Math.Sqrt(count)), count);
        int rows = (count + cols - 1) / cols;
        int cellWidth = hasCaptions ? Math.Max(tileWidth, (int)Math.Ceiling(widestCaption) + 4) : tileWidth;
        int cellHeight = tileHeight + (hasCaptions ? CaptionHeight : 0);
        int titleHeight = titleWidth is null ? 0 : 28;
        long gridWidth = ((long)cols * cellWidth) + ((cols - 1L) * Gap);
        long width = (2L * Margin) + Math.Max(gridWidth, (long)Math.Ceiling(titleWidth ?? 0));
        long height = (2L * Margin) + titleHeight + ((long)rows * cellHeight) + ((rows - 1L) * Gap);
        if (width > Arguments.MaxPixels || height > Arguments.MaxPixels)
        {
            throw new ArgumentException(
                $"The grid of {count} images in {cols} columns would be {width}×{height} pixels, more than {Arguments.MaxPixels} " +
                "on a side: lower scale, change columns or plot fewer images.", nameof(columns));
        }

        int left = (int)((width - gridWidth) / 2);
        return new ImageGridLayout(cols, rows, tileWidth, tileHeight, cellWidth, cellHeight, titleHeight, left, (int)width, (int)height);
    }

    /// <summary>The top-left corner of the cell of tile <paramref name="index"/>.</summary>
    public (int X, int Y) Cell(int index) =>
        (Left + (index % Columns * (CellWidth + Gap)), Margin + TitleHeight + (index / Columns * (CellHeight + Gap)));

    /// <summary>The top-left corner of tile <paramref name="index"/>, centred in its cell.</summary>
    public (int X, int Y) Tile(int index)
    {
        var (x, y) = Cell(index);
        return (x + ((CellWidth - TileWidth) / 2), y);
    }
}
