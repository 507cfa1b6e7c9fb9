using KerasNotes.Kernels;
using KerasNotes.Vision;

namespace KerasNotes.Tests.Vision;

/// <summary>
/// HOG's arctangent-free binning puts every gradient an 8-bit image can produce in the bin scikit-image's float64
/// <c>degrees(atan2(g_row, g_col)) mod 180</c> gives it (glibc's atan2, as numpy uses).
/// </summary>
public sealed class HogBinningTests
{
    [Theory]
    [InlineData(9)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(18)]
    [InlineData(26)]
    public void Hog_bins_every_8_bit_gradient_as_scikit_image_does(int orientations)
    {
        // One 3×3 image per gradient (g_row, g_col) in −255…255: only the centre pixel has a gradient, so the single
        // 3×3 cell (L1-normalised) is non-zero in exactly the centre pixel's bin.
        const int Range = 255;
        var pairs = new List<(int Row, int Col)>();
        for (int gr = -Range; gr <= Range; gr++)
        {
            for (int gc = -Range; gc <= Range; gc++)
            {
                if (gr != 0 || gc != 0)
                {
                    pairs.Add((gr, gc));
                }
            }
        }

        var pixels = new float[pairs.Count * 9];
        for (int i = 0; i < pairs.Count; i++)
        {
            var (gr, gc) = pairs[i];
            var image = pixels.AsSpan(i * 9, 9);
            image[1] = Math.Max(0, -gr);   // above the centre
            image[7] = Math.Max(0, gr);    // below
            image[3] = Math.Max(0, -gc);   // left
            image[5] = Math.Max(0, gc);    // right
        }

        var features = ImageFeatures.Hog(Tensor.FromArray(pixels, pairs.Count, 3, 3), orientations, pixelsPerCell: 3, cellsPerBlock: 1, blockNorm: "L1")
            .ToArray();
        int mismatches = 0;
        string first = "";
        for (int i = 0; i < pairs.Count; i++)
        {
            var (gr, gc) = pairs[i];
            int expected = HogLayout.SciKitImageBin(Math.Atan2(gr, gc), orientations);
            int actual = -1;
            for (int k = 0; k < orientations; k++)
            {
                if (features[(i * orientations) + k] > 0.5f)
                {
                    actual = k;
                }
            }

            if (actual != expected)
            {
                if (mismatches++ == 0)
                {
                    first = $"g_row {gr}, g_col {gc}: expected bin {expected}, got {actual}";
                }
            }
        }

        mismatches.Should().Be(0, $"of {pairs.Count} gradients none should be binned differently (first: {first})");
    }
}
