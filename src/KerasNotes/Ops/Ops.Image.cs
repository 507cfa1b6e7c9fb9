using KerasNotes.Kernels;

namespace KerasNotes;

// The image-feature kernels, reached from KerasNotes.Vision through Ops like every other kernel. These are data
// preprocessing, not layers: they record nothing on a GradientTape. Arguments arrive checked (ImageFeatures).
public static partial class Ops
{
    /// <summary>Per-image grey-level counts, <c>[n, bins]</c>, of a batch of <paramref name="n"/> images of <paramref name="pixels"/> values.</summary>
    internal static Tensor ImageHistogram(Tensor images, int n, int pixels, int bins, float rangeMin, float rangeMax)
    {
        var y = Tensor.Allocate(new Shape(n, bins));
        new HistogramKernel.Job(images.Data, images.Offset, pixels, bins, rangeMin, rangeMax, y.Data, y.Offset).Execute(n, pixels);
        return y;
    }

    /// <summary>One Sobel image (x, y or magnitude) per image, <c>[n, h, w]</c>.</summary>
    internal static Tensor ImageSobel(Tensor images, int n, int h, int w, SobelOutput what)
    {
        var y = Tensor.Allocate(new Shape(n, h, w));
        new SobelKernel.Job(images.Data, images.Offset, h, w, what, y.Data, y.Offset).Execute(n, (long)h * w);
        return y;
    }

    /// <summary>HOG features per image, <c>[n, layout.Features]</c>.</summary>
    internal static Tensor ImageHog(Tensor images, int n, HogLayout layout)
    {
        var y = Tensor.Allocate(new Shape(n, layout.Features));
        new HogKernel.Job(images.Data, images.Offset, layout, y.Data, y.Offset).Execute(n, (long)layout.Height * layout.Width);
        return y;
    }
}
