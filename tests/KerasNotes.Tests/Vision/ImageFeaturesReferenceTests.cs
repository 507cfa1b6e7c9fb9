using KerasNotes.Tests.TestSupport;
using KerasNotes.Vision;

namespace KerasNotes.Tests.Vision;

/// <summary>
/// The kernels against plain float64 transcriptions of the definitions (<see cref="ReferenceFeatures"/>) on image sizes
/// the fixture lacks: single rows and columns, odd sizes, cells that leave pixels over, every block norm.
/// </summary>
public sealed class ImageFeaturesReferenceTests
{
    public static TheoryData<int, int> Sizes() => new()
    {
        { 1, 1 }, { 1, 2 }, { 2, 1 }, { 1, 9 }, { 9, 1 }, { 2, 2 }, { 3, 3 }, { 5, 17 }, { 17, 23 }, { 28, 28 }, { 31, 40 },
    };

    internal static float[] RandomImages(int n, int h, int w, int seed)
    {
        var rng = new System.Random(seed);
        var pixels = new float[n * h * w];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = rng.Next(256);
        }

        return pixels;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Sobel_images_equal_a_3x3_correlation_with_reflected_borders(int h, int w)
    {
        const int N = 3;
        var pixels = RandomImages(N, h, w, seed: (h * 100) + w);
        var images = Tensor.FromArray(pixels, N, h, w);
        var gx = ImageFeatures.SobelX(images).ToArray();
        var gy = ImageFeatures.SobelY(images).ToArray();
        var mag = ImageFeatures.SobelMagnitude(images).ToArray();
        int hw = h * w;
        for (int i = 0; i < N; i++)
        {
            var image = pixels.AsSpan(i * hw, hw).ToArray();
            var ex = ReferenceFeatures.Sobel(image, h, w, dx: true);
            var ey = ReferenceFeatures.Sobel(image, h, w, dx: false);
            var em = ex.Zip(ey, (x, y) => (float)Math.Sqrt((x * x) + (y * y))).ToArray();
            TensorAssert.Close(ex.Select(v => (float)v).ToArray(), gx.AsSpan(i * hw, hw), 0, 0, $"gx {h}x{w} image {i}");
            TensorAssert.Close(ey.Select(v => (float)v).ToArray(), gy.AsSpan(i * hw, hw), 0, 0, $"gy {h}x{w} image {i}");
            TensorAssert.Close(em, mag.AsSpan(i * hw, hw), 1e-4, 1e-6, $"magnitude {h}x{w} image {i}");
        }
    }

    [Theory]
    [InlineData(28, 28, 9, 4, 2, "L2-Hys")]
    [InlineData(28, 28, 9, 7, 1, "L1")]
    [InlineData(17, 23, 9, 4, 2, "L2")]
    [InlineData(17, 23, 6, 3, 3, "L1-sqrt")]
    [InlineData(31, 40, 12, 5, 2, "L2-Hys")]
    [InlineData(9, 1, 9, 1, 1, "L2")]
    [InlineData(1, 9, 4, 1, 1, "L1")]
    [InlineData(2, 2, 2, 2, 1, "L2-Hys")]
    [InlineData(13, 11, 1, 4, 2, "L2-Hys")]
    public void Hog_equals_the_definition_computed_with_atan2_in_double(int h, int w, int o, int p, int b, string norm)
    {
        const int N = 3;
        var pixels = RandomImages(N, h, w, seed: h + (7 * w) + o);
        // Image 1 is flat and image 2 a hard step, as in the fixture: zero gradients and exactly horizontal ones.
        pixels.AsSpan(h * w, h * w).Fill(77);
        for (int k = 0; k < h * w; k++)
        {
            pixels[(2 * h * w) + k] = (k % w) < w / 2 ? 10 : 240;
        }

        var features = ImageFeatures.Hog(Tensor.FromArray(pixels, N, h, w), o, p, b, norm);
        int perImage = features.Shape[1];
        for (int i = 0; i < N; i++)
        {
            var expected = ReferenceFeatures.Hog(pixels.AsSpan(i * h * w, h * w).ToArray(), h, w, o, p, b, norm);
            perImage.Should().Be(expected.Length);
            TensorAssert.Close(expected.Select(v => (float)v).ToArray(), features.AsSpan().Slice(i * perImage, perImage), 1e-5, 1e-4, $"hog {h}x{w} image {i}");
        }
    }

    [Theory]
    [InlineData(16, 0f, 256f)]
    [InlineData(256, 0f, 256f)]
    [InlineData(7, 0f, 256f)]
    [InlineData(10, 50.5f, 200f)]
    [InlineData(1, 0f, 1f)]
    [InlineData(3, -20f, 100f)]
    public void Histogram_counts_each_value_in_its_equal_width_bin_and_drops_the_rest(int bins, float min, float max)
    {
        const int N = 4, H = 19, W = 21;
        var pixels = RandomImages(N, H, W, seed: bins);
        pixels[5] = float.NaN;
        pixels[6] = 256f;
        pixels[7] = -1f;
        pixels[8] = max;
        pixels[9] = min;
        var counts = ImageFeatures.Histogram(Tensor.FromArray(pixels, N, H, W), bins, min, max);
        counts.Shape.Dims.Should().Equal(N, bins);
        for (int i = 0; i < N; i++)
        {
            var expected = ReferenceFeatures.Histogram(pixels.AsSpan(i * H * W, H * W).ToArray(), bins, min, max);
            TensorAssert.Close(expected.Select(v => (float)v).ToArray(), counts.AsSpan().Slice(i * bins, bins), 0, 0, $"histogram image {i}");
        }
    }

    [Fact]
    public void Features_of_images_with_a_channel_axis_equal_those_without()
    {
        var pixels = RandomImages(5, 12, 10, seed: 3);
        var flat = Tensor.FromArray(pixels, 5, 12, 10);
        var channel = Tensor.FromArray(pixels, 5, 12, 10, 1);
        ImageFeatures.Histogram(channel).ToArray().Should().Equal(ImageFeatures.Histogram(flat).ToArray());
        ImageFeatures.SobelMagnitude(channel).Shape.Dims.Should().Equal(5, 12, 10);
        ImageFeatures.SobelMagnitude(channel).ToArray().Should().Equal(ImageFeatures.SobelMagnitude(flat).ToArray());
        ImageFeatures.Hog(channel, pixelsPerCell: 3).ToArray().Should().Equal(ImageFeatures.Hog(flat, pixelsPerCell: 3).ToArray());
    }

    [Fact]
    public void Features_of_a_batch_view_are_those_of_its_own_rows()
    {
        var pixels = RandomImages(6, 8, 8, seed: 11);
        var all = Tensor.FromArray(pixels, 6, 8, 8);
        var view = all.SliceRows(2, 3);
        var copy = Tensor.FromArray(pixels.AsSpan(2 * 64, 3 * 64).ToArray(), 3, 8, 8);
        ImageFeatures.Hog(view).ToArray().Should().Equal(ImageFeatures.Hog(copy).ToArray());
        ImageFeatures.SobelX(view).ToArray().Should().Equal(ImageFeatures.SobelX(copy).ToArray());
        ImageFeatures.Histogram(view, bins: 8).ToArray().Should().Equal(ImageFeatures.Histogram(copy, bins: 8).ToArray());
    }
}
