namespace KerasNotes;

/// <summary>How a HOG block is normalised (scikit-image <c>block_norm</c>).</summary>
internal enum HogBlockNorm
{
    /// <summary><c>v / (Σ|v| + ε)</c>.</summary>
    L1,

    /// <summary><c>sqrt(v / (Σ|v| + ε))</c>.</summary>
    L1Sqrt,

    /// <summary><c>v / sqrt(Σv² + ε²)</c>.</summary>
    L2,

    /// <summary>L2, then clipped at 0.2, then L2 again.</summary>
    L2Hys,
}

/// <summary>
/// The geometry of a HOG descriptor for one image size: whole cells, blocks sliding by one cell, and the
/// orientation bin edges as unit vectors.
/// </summary>
/// <remarks>The caller has checked that at least one block fits (<see cref="BlockRows"/>, <see cref="BlockCols"/> ≥ 1).</remarks>
internal sealed class HogLayout
{
    public HogLayout(int height, int width, int orientations, int pixelsPerCell, int cellsPerBlock, HogBlockNorm norm)
    {
        Height = height;
        Width = width;
        Orientations = orientations;
        PixelsPerCell = pixelsPerCell;
        CellsPerBlock = cellsPerBlock;
        Norm = norm;
        CellRows = height / pixelsPerCell;
        CellCols = width / pixelsPerCell;
        BlockRows = CellRows - cellsPerBlock + 1;
        BlockCols = CellCols - cellsPerBlock + 1;
        VerticalBin = Math.Max(0, SciKitImageBin(Math.Atan2(1, 0), orientations));
        EdgeCos = new float[orientations];
        EdgeSin = new float[orientations];
        for (int i = 0; i < orientations; i++)
        {
            // Edge i of the bins [180·i/o, 180·(i+1)/o) as a direction; computed in double, then rounded once.
            double angle = Math.PI * i / orientations;
            EdgeCos[i] = (float)Math.Cos(angle);
            EdgeSin[i] = (float)Math.Sin(angle);
        }
    }

    /// <summary>
    /// The bin scikit-image gives a direction of <paramref name="radians"/>, with its own float64 arithmetic:
    /// <c>θ = degrees(radians) mod 180</c>, then the <c>i</c> with <c>(180/o)·i ≤ θ &lt; (180/o)·(i+1)</c>
    /// (−1 when rounding leaves θ in no bin).
    /// </summary>
    public static int SciKitImageBin(double radians, int orientations)
    {
        double theta = radians * (180.0 / Math.PI) % 180;
        if (theta < 0)
        {
            theta += 180;
        }

        double width = 180.0 / orientations;
        for (int i = 0; i < orientations; i++)
        {
            if (theta >= width * i && theta < width * (i + 1))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The features per image for these settings (long: the caller checks it fits a tensor).</summary>
    public static long FeatureCount(int height, int width, int orientations, int pixelsPerCell, int cellsPerBlock)
    {
        // Saturating: the caller compares with the largest tensor, so a product past long's range must not wrap.
        double count = (double)((height / pixelsPerCell) - cellsPerBlock + 1) * ((width / pixelsPerCell) - cellsPerBlock + 1)
            * cellsPerBlock * cellsPerBlock * orientations;
        return count >= long.MaxValue ? long.MaxValue : (long)count;
    }

    public int Height { get; }

    public int Width { get; }

    public int Orientations { get; }

    public int PixelsPerCell { get; }

    public int CellsPerBlock { get; }

    public HogBlockNorm Norm { get; }

    /// <summary>Whole cells down the image (rows below <c>CellRows·PixelsPerCell</c> are ignored).</summary>
    public int CellRows { get; }

    /// <summary>Whole cells across the image.</summary>
    public int CellCols { get; }

    public int BlockRows { get; }

    public int BlockCols { get; }

    /// <summary>Features per image: <c>BlockRows·BlockCols·CellsPerBlock²·Orientations</c>.</summary>
    public int Features => BlockRows * BlockCols * CellsPerBlock * CellsPerBlock * Orientations;

    /// <summary>
    /// The bin of an exactly vertical gradient (<c>g_col = 0</c>, θ = 90°), as scikit-image's float64 arithmetic puts
    /// it. 90° is an edge when the number of orientations is even, and there rounding decides: for 26 orientations
    /// <c>(180/26)·13</c> rounds above 90, so scikit-image puts 90° in bin 12 where the exact comparison says 13.
    /// </summary>
    public int VerticalBin { get; }

    /// <summary>cos of the lower edge of each orientation bin (entry 0, the edge at 0°, is never tested).</summary>
    public float[] EdgeCos { get; }

    /// <summary>sin of the lower edge of each orientation bin.</summary>
    public float[] EdgeSin { get; }

    /// <summary>Image rows that fall in whole cells.</summary>
    public int UsedRows => CellRows * PixelsPerCell;

    /// <summary>Image columns that fall in whole cells.</summary>
    public int UsedCols => CellCols * PixelsPerCell;
}
