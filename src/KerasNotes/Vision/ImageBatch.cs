namespace KerasNotes.Vision;

/// <summary>
/// A checked batch of grey images: <c>[n, h, w]</c> or <c>[n, h, w, 1]</c> with n, h, w ≥ 1, seen as n planes of h×w.
/// </summary>
internal readonly record struct ImageBatch(Tensor Images, int Count, int Height, int Width)
{
    /// <summary>Pixels per image.</summary>
    public int Pixels => Height * Width;

    /// <summary>Checks <paramref name="images"/> for <paramref name="caller"/> (e.g. <c>ImageFeatures.Hog</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> is null.</exception>
    /// <exception cref="ArgumentException">The rank, the channel count or an empty dimension is wrong.</exception>
    public static ImageBatch Of(Tensor images, string caller)
    {
        ArgumentNullException.ThrowIfNull(images);
        var shape = images.Shape;
        bool rankOk = shape.Rank == 3 || (shape.Rank == 4 && shape[3] == 1);
        if (!rankOk)
        {
            throw new ArgumentException(
                $"{caller}: 'images' must be a batch of grey images [n, h, w] or [n, h, w, 1], got {shape}.", nameof(images));
        }

        if (shape[0] < 1 || shape[1] < 1 || shape[2] < 1)
        {
            throw new ArgumentException(
                $"{caller}: 'images' must hold at least one image of at least 1×1 pixels ([n, h, w] with n, h, w ≥ 1), got {shape}.",
                nameof(images));
        }

        return new ImageBatch(images, shape[0], shape[1], shape[2]);
    }

    /// <summary>Checks that one image's working space of <paramref name="values"/> fits an array, before any output is allocated.</summary>
    /// <exception cref="ArgumentException">It does not: the images are too large for this feature.</exception>
    public void CheckScratch(long values, string caller, string why)
    {
        if (values > Array.MaxLength)
        {
            // The value at fault is the public method's 'images' argument, which this helper checks for it.
#pragma warning disable CA2208
            throw new ArgumentException(
                $"{caller}: images of {Height}×{Width} pixels are too large ({why}: {values} values, more than an array holds); " +
                $"pass smaller images (images {Images.Shape}).",
                "images");
#pragma warning restore CA2208
        }
    }

    /// <summary>Checks that <paramref name="perImage"/> outputs per image fit one tensor.</summary>
    /// <exception cref="ArgumentException">The output would hold more than <see cref="Array.MaxLength"/> values.</exception>
    public void CheckOutputSize(long perImage, string caller, string argument)
    {
        if ((double)perImage * Count > Array.MaxLength)
        {
            throw new ArgumentException(
                $"{caller}: {Count} images × {perImage} features per image do not fit one tensor (at most {Array.MaxLength} values); " +
                $"lower '{argument}' or pass fewer images at a time (images {Images.Shape}).",
                argument);
        }
    }
}
