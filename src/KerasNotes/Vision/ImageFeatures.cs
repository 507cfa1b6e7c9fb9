using System.Globalization;

namespace KerasNotes.Vision;

/// <summary>
/// Hand-made image features for the classic pipeline (features, then a linear classifier): grey-level histograms and
/// Sobel derivatives as OpenCV computes them, and histograms of oriented gradients (HOG) as scikit-image does.
/// </summary>
/// <remarks>
/// <para>Images are a <see cref="Tensor"/> <c>[n, h, w]</c> or <c>[n, h, w, 1]</c> of grey levels, taken as given
/// (0…255 or 0…1). Features come back as a new tensor, <c>[n, features]</c> (Sobel: <c>[n, h, w]</c>), ready for
/// <c>Fit</c>. The work is vectorised over pixels and split over <see cref="Threading.IntraOpThreads"/> by whole
/// images, so the result does not depend on the thread count.</para>
/// <para>These are preprocessing, not layers: nothing is recorded on a <see cref="GradientTape"/>.</para>
/// </remarks>
public static class ImageFeatures
{
    /// <summary>The block norms <see cref="Hog"/> accepts (scikit-image's <c>block_norm</c> names).</summary>
    public static IReadOnlyList<string> BlockNorms { get; } = ["L1", "L1-sqrt", "L2", "L2-Hys"];

    /// <summary>
    /// Grey-level histogram of each image (OpenCV <c>cv2.calcHist([img], [0], None, [bins], [rangeMin, rangeMax])</c>):
    /// <c>[n, bins]</c> counts as floats.
    /// </summary>
    /// <remarks>
    /// Bins have equal width <c>(rangeMax − rangeMin) / bins</c>. A value <c>v</c> with <c>rangeMin ≤ v &lt; rangeMax</c>
    /// falls in bin <c>floor((v − rangeMin)·bins / (rangeMax − rangeMin))</c>, computed as OpenCV does in double as
    /// <c>floor(v·a + b)</c> with <c>a = bins / (rangeMax − rangeMin)</c>, <c>b = −rangeMin·a</c>, and clamped to
    /// <c>[0, bins − 1]</c>. Values outside <c>[rangeMin, rangeMax)</c> and NaN are not counted, so a row sums to at
    /// most <c>h·w</c>.
    /// </remarks>
    /// <param name="images">Grey images <c>[n, h, w]</c> or <c>[n, h, w, 1]</c>.</param>
    /// <param name="bins">The number of bins, ≥ 1 (default 16).</param>
    /// <param name="rangeMin">The lower edge of the first bin, inclusive (default 0).</param>
    /// <param name="rangeMax">The upper edge of the last bin, exclusive (default 256, for 8-bit grey levels).</param>
    /// <returns>The counts, <c>[n, bins]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not <c>[n, h, w]</c> / <c>[n, h, w, 1]</c> with n, h, w ≥ 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> ≤ 0, a bound is NaN or infinite, or
    /// <paramref name="rangeMax"/> ≤ <paramref name="rangeMin"/>.</exception>
    public static Tensor Histogram(Tensor images, int bins = 16, float rangeMin = 0f, float rangeMax = 256f)
    {
        const string Caller = "ImageFeatures.Histogram";
        var batch = ImageBatch.Of(images, Caller);
        Positive(bins, Caller, nameof(bins));
        AtMost(bins, MaxBins, Caller, nameof(bins), "each thread counts into its own bins");
        if (!float.IsFinite(rangeMin))
        {
            throw new ArgumentOutOfRangeException(nameof(rangeMin), rangeMin, $"{Caller}: 'rangeMin' must be a finite number.");
        }

        if (!float.IsFinite(rangeMax) || !(rangeMax > rangeMin))
        {
            throw new ArgumentOutOfRangeException(
                nameof(rangeMax), rangeMax,
                string.Create(CultureInfo.InvariantCulture, $"{Caller}: 'rangeMax' must be a finite number above 'rangeMin' ({rangeMin}): the range [rangeMin, rangeMax) must not be empty or reversed."));
        }

        batch.CheckOutputSize(bins, Caller, nameof(bins));
        return Ops.ImageHistogram(batch.Images, batch.Count, batch.Pixels, bins, rangeMin, rangeMax);
    }

    /// <summary>
    /// Horizontal Sobel derivative of each image (OpenCV <c>cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)</c>), <c>[n, h, w]</c>.
    /// </summary>
    /// <remarks>
    /// Correlation with <c>[[−1, 0, 1], [−2, 0, 2], [−1, 0, 1]]</c>: <c>gx[r, c] = Σ_{dr=−1..1} k(dr)·(I[r+dr, c+1] − I[r+dr, c−1])</c>
    /// with <c>k = 1, 2, 1</c>, and OpenCV's default border <c>BORDER_REFLECT_101</c> (<c>I[−1] = I[1]</c>,
    /// <c>I[w] = I[w−2]</c>; a side of length 1 reflects onto itself), so <c>gx</c> is 0 on the first and last column.
    /// Integer grey levels give exact integers.
    /// </remarks>
    /// <param name="images">Grey images <c>[n, h, w]</c> or <c>[n, h, w, 1]</c>.</param>
    /// <returns><c>gx</c>, <c>[n, h, w]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not <c>[n, h, w]</c> / <c>[n, h, w, 1]</c> with n, h, w ≥ 1.</exception>
    public static Tensor SobelX(Tensor images) => Sobel(images, SobelOutput.X, "ImageFeatures.SobelX");

    /// <summary>
    /// Vertical Sobel derivative of each image (OpenCV <c>cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)</c>), <c>[n, h, w]</c>.
    /// </summary>
    /// <remarks>
    /// Correlation with <c>[[−1, −2, −1], [0, 0, 0], [1, 2, 1]]</c> (top to bottom):
    /// <c>gy[r, c] = Σ_{dc=−1..1} k(dc)·(I[r+1, c+dc] − I[r−1, c+dc])</c> with <c>k = 1, 2, 1</c> and
    /// <c>BORDER_REFLECT_101</c>, so <c>gy</c> is 0 on the first and last row.
    /// </remarks>
    /// <param name="images">Grey images <c>[n, h, w]</c> or <c>[n, h, w, 1]</c>.</param>
    /// <returns><c>gy</c>, <c>[n, h, w]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not <c>[n, h, w]</c> / <c>[n, h, w, 1]</c> with n, h, w ≥ 1.</exception>
    public static Tensor SobelY(Tensor images) => Sobel(images, SobelOutput.Y, "ImageFeatures.SobelY");

    /// <summary>
    /// Sobel gradient magnitude of each image, <c>sqrt(gx² + gy²)</c> in float32 (OpenCV <c>cv2.magnitude</c> of
    /// <see cref="SobelX"/> and <see cref="SobelY"/>), <c>[n, h, w]</c>.
    /// </summary>
    /// <param name="images">Grey images <c>[n, h, w]</c> or <c>[n, h, w, 1]</c>.</param>
    /// <returns>The magnitude, <c>[n, h, w]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not <c>[n, h, w]</c> / <c>[n, h, w, 1]</c> with n, h, w ≥ 1.</exception>
    public static Tensor SobelMagnitude(Tensor images) => Sobel(images, SobelOutput.Magnitude, "ImageFeatures.SobelMagnitude");

    /// <summary>
    /// Histogram of oriented gradients of each image (scikit-image 0.19 <c>skimage.feature.hog(img, orientations,
    /// pixels_per_cell=(p, p), cells_per_block=(b, b), block_norm, feature_vector=True)</c>), <c>[n, features]</c>.
    /// </summary>
    /// <remarks>
    /// <para>Gradients: central differences <c>g_row[r, c] = I[r+1, c] − I[r−1, c]</c> and
    /// <c>g_col[r, c] = I[r, c+1] − I[r, c−1]</c>, zero on the first and last row (<c>g_row</c>) and column
    /// (<c>g_col</c>). Magnitude <c>sqrt(g_col² + g_row²)</c>; orientation <c>θ = degrees(atan2(g_row, g_col)) mod 180</c>,
    /// hard-binned: bin <c>i</c> holds <c>180·i/o ≤ θ &lt; 180·(i+1)/o</c> (no interpolation between bins or cells).</para>
    /// <para>Cells: <c>p×p</c> pixels, whole cells only (<c>h / p</c> by <c>w / p</c>; the rows and columns left over
    /// are ignored). A cell's value for bin <c>i</c> is the sum of the magnitudes of its pixels in bin <c>i</c>,
    /// divided by <c>p²</c>.</para>
    /// <para>Blocks: <c>b×b</c> cells, sliding by one cell, so <c>(h/p − b + 1)·(w/p − b + 1)</c> blocks, each
    /// normalised as a vector <c>v</c> of <c>b²·o</c> values with <c>ε = 1e-5</c>: <c>"L1"</c> <c>v / (Σ|v| + ε)</c>;
    /// <c>"L1-sqrt"</c> <c>sqrt(v / (Σ|v| + ε))</c>; <c>"L2"</c> <c>v / sqrt(Σv² + ε²)</c>; <c>"L2-Hys"</c> L2, then
    /// <c>min(v, 0.2)</c>, then L2 again.</para>
    /// <para>Features are ordered (block row, block column, cell row in block, cell column in block, orientation):
    /// <c>(h/p − b + 1)·(w/p − b + 1)·b²·o</c> per image (1,296 for 28×28 images with the defaults).</para>
    /// <para>The bin is found by comparing the gradient with each bin edge in float32, and exactly horizontal and vertical
    /// gradients take the bins scikit-image's float64 rounding gives them: every gradient of an 8-bit image (both
    /// differences in −255…255) lands where scikit-image puts it; a direction within about 1e-5° of an edge may
    /// otherwise land in the neighbouring bin.</para>
    /// </remarks>
    /// <param name="images">Grey images <c>[n, h, w]</c> or <c>[n, h, w, 1]</c>.</param>
    /// <param name="orientations">The number of orientation bins over 0°…180°, ≥ 1 (default 9).</param>
    /// <param name="pixelsPerCell">The side of a square cell in pixels, 1 … min(h, w) (default 4).</param>
    /// <param name="cellsPerBlock">The side of a square block in cells, 1 … the whole cells per side (default 2).</param>
    /// <param name="blockNorm">One of <see cref="BlockNorms"/> (case-insensitive; default <c>"L2-Hys"</c>).</param>
    /// <returns>The features, <c>[n, features]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> or <paramref name="blockNorm"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not <c>[n, h, w]</c> / <c>[n, h, w, 1]</c> with
    /// n, h, w ≥ 1, or <paramref name="blockNorm"/> is not a known norm.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="orientations"/>, <paramref name="pixelsPerCell"/> or
    /// <paramref name="cellsPerBlock"/> is ≤ 0, a cell is larger than the image, or a block larger than the cells.</exception>
    public static Tensor Hog(Tensor images, int orientations = 9, int pixelsPerCell = 4, int cellsPerBlock = 2, string blockNorm = "L2-Hys")
    {
        const string Caller = "ImageFeatures.Hog";
        var batch = ImageBatch.Of(images, Caller);
        Positive(orientations, Caller, nameof(orientations));
        AtMost(orientations, MaxOrientations, Caller, nameof(orientations), "a HOG cell keeps a histogram of this many bins");
        Positive(pixelsPerCell, Caller, nameof(pixelsPerCell));
        Positive(cellsPerBlock, Caller, nameof(cellsPerBlock));
        var norm = ParseBlockNorm(blockNorm, Caller);
        int h = batch.Height, w = batch.Width;
        if (pixelsPerCell > h || pixelsPerCell > w)
        {
            throw new ArgumentOutOfRangeException(
                nameof(pixelsPerCell), pixelsPerCell,
                $"{Caller}: 'pixelsPerCell' must be at most the image height and width so that one whole cell fits; the images are {h}×{w} (shape {images.Shape}).");
        }

        int cellRows = h / pixelsPerCell, cellCols = w / pixelsPerCell;
        if (cellsPerBlock > cellRows || cellsPerBlock > cellCols)
        {
            throw new ArgumentOutOfRangeException(
                nameof(cellsPerBlock), cellsPerBlock,
                $"{Caller}: 'cellsPerBlock' must be at most the whole cells per side so that one block fits; {h}×{w} images (shape {images.Shape}) " +
                $"hold {cellRows}×{cellCols} cells of {pixelsPerCell}×{pixelsPerCell} pixels.");
        }

        batch.CheckOutputSize(HogLayout.FeatureCount(h, w, orientations, pixelsPerCell, cellsPerBlock), Caller, nameof(orientations));
        batch.CheckScratch(3L * h * w, Caller, "HOG keeps three values per pixel of an image");
        var layout = new HogLayout(h, w, orientations, pixelsPerCell, cellsPerBlock, norm);
        return Ops.ImageHog(batch.Images, batch.Count, layout);
    }

    private static Tensor Sobel(Tensor images, SobelOutput what, string caller)
    {
        var batch = ImageBatch.Of(images, caller);
        batch.CheckScratch(2L * batch.Height * batch.Width, caller, "Sobel keeps two values per pixel of an image");
        return Ops.ImageSobel(batch.Images, batch.Count, batch.Height, batch.Width, what);
    }

    private static HogBlockNorm ParseBlockNorm(string blockNorm, string caller)
    {
        ArgumentNullException.ThrowIfNull(blockNorm);

        // Case-insensitive in ASCII only: Unicode case folding would take "L1-ſqrt" (long s) for "L1-sqrt".
        bool ascii = true;
        foreach (char c in blockNorm)
        {
            ascii &= c < 128;
        }

        return (ascii ? blockNorm.ToUpperInvariant() : string.Empty) switch
        {
            "L1" => HogBlockNorm.L1,
            "L1-SQRT" => HogBlockNorm.L1Sqrt,
            "L2" => HogBlockNorm.L2,
            "L2-HYS" => HogBlockNorm.L2Hys,
            _ => throw new ArgumentException(
                $"{caller}: unknown 'blockNorm' \"{blockNorm}\"; expected one of \"L1\", \"L1-sqrt\", \"L2\", \"L2-Hys\".", nameof(blockNorm)),
        };
    }

    /// <summary>The most histogram bins accepted (2²⁴: far beyond any grey-level use, and bounded scratch per thread).</summary>
    public const int MaxBins = 1 << 24;

    /// <summary>The most HOG orientations accepted (scikit-image's default is 9; a cell's histogram needs one bin each).</summary>
    public const int MaxOrientations = 4096;

    private static void AtMost(int value, int max, string caller, string name, string why)
    {
        if (value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{caller}: '{name}' must be at most {max} ({why}).");
        }
    }

    private static void Positive(int value, string caller, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{caller}: '{name}' must be a positive integer (≥ 1).");
        }
    }
}
