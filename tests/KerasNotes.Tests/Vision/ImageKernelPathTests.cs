using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;
using KerasNotes.Vision;

namespace KerasNotes.Tests.Vision;

/// <summary>
/// The image features are bit for bit the same on every SIMD level and with one or two threads, so a data set's
/// features do not depend on the machine's vector width or on how the images were split over cores.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class ImageKernelPathTests
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> s_features = new()
    {
        ["histogram"] = x => ImageFeatures.Histogram(x, bins: 32),
        ["sobel_x"] = ImageFeatures.SobelX,
        ["sobel_y"] = ImageFeatures.SobelY,
        ["sobel_magnitude"] = ImageFeatures.SobelMagnitude,
        ["hog_L2-Hys"] = x => ImageFeatures.Hog(x),
        ["hog_L1_o7_p3_b3"] = x => ImageFeatures.Hog(x, orientations: 7, pixelsPerCell: 3, cellsPerBlock: 3, blockNorm: "L1"),
    };

    public static TheoryData<string> Features() => [.. s_features.Keys];

    [Theory]
    [MemberData(nameof(Features))]
    public void Every_SIMD_level_gives_bit_identical_features(string feature)
    {
        foreach (var (h, w) in new[] { (28, 28), (17, 23), (13, 9) })
        {
            var images = Tensor.FromArray(ImageFeaturesReferenceTests.RandomImages(7, h, w, seed: h * w), 7, h, w);
            var scalar = SimdLevelScope.Run(SimdLevel.Scalar, () => s_features[feature](images));
            foreach (var level in GlobalKernelSettings.Levels)
            {
                var other = SimdLevelScope.Run(level, () => s_features[feature](images));
                TensorAssert.BitEqual(scalar.AsSpan(), other.AsSpan(), $"{feature} {h}x{w} at {level}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Features))]
    public void One_or_two_threads_give_bit_identical_features_on_a_batch_large_enough_to_split(string feature)
    {
        // 101 images of 28×28 is above the threshold at which the batch is split over the threads.
        var images = Tensor.FromArray(ImageFeaturesReferenceTests.RandomImages(101, 28, 28, seed: 5), 101, 28, 28);
        Tensor one, two;
        using (new IntraOpThreadsScope(1))
        {
            one = s_features[feature](images);
        }

        using (new IntraOpThreadsScope(2))
        {
            two = s_features[feature](images);
        }

        TensorAssert.BitEqual(one.AsSpan(), two.AsSpan(), feature);
    }
}
