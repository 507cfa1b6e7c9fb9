using System.Text.Json.Nodes;
using KerasNotes.Tests.TestSupport;
using KerasNotes.Vision;

namespace KerasNotes.Tests.Vision;

/// <summary>
/// Every case of image_features.json: histograms and Sobel images from OpenCV 4.6.0, HOG from scikit-image 0.19.3
/// (each case's 'source' says which), at the case's own tolerance.
/// </summary>
public sealed class ImageFeaturesFixtureTests
{
    private const string File = "image_features.json";

    public static TheoryData<string> Cases => Fixture.CaseNames(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Image_feature_matches_OpenCV_or_scikit_image(string name)
    {
        var c = Fixture.Case(File, name);
        var images = Images(c);
        var config = c["config"]!;
        var (abs, rel) = Fixture.Tolerance(c["tolerance"]);
        var actual = c["op"]!.GetValue<string>() switch
        {
            "histogram" => ImageFeatures.Histogram(
                images,
                bins: config["bins"]!.GetValue<int>(),
                rangeMin: config["range"]![0]!.GetValue<float>(),
                rangeMax: config["range"]![1]!.GetValue<float>()),
            "sobel_x" => ImageFeatures.SobelX(images),
            "sobel_y" => ImageFeatures.SobelY(images),
            "sobel_magnitude" => ImageFeatures.SobelMagnitude(images),
            "hog" => ImageFeatures.Hog(
                images,
                orientations: config["orientations"]!.GetValue<int>(),
                pixelsPerCell: Square(config["pixels_per_cell"]!),
                cellsPerBlock: Square(config["cells_per_block"]!),
                blockNorm: config["block_norm"]!.GetValue<string>()),
            var other => throw new NotSupportedException(other),
        };

        TensorAssert.Close(Fixture.ToTensor(c["expected"]!["output"]!), actual, abs, rel, name);
    }

    [Fact]
    public void The_fixture_has_all_thirteen_cases_and_says_where_its_numbers_come_from()
    {
        Cases.Should().HaveCount(13);
        Fixture.Load(File)["source"]!.GetValue<string>().Should().Contain("OpenCV").And.Contain("scikit-image");
    }

    [Fact]
    public void Hog_with_L2_Hys_matches_scikit_image_on_28x28_images_given_with_a_channel_axis()
    {
        var c = Fixture.Case(File, "hog_o9_ppc4_cpb2_L2Hys_gray_28x28");
        var images = Images(c);
        var withChannel = Ops.Reshape(images, images.Shape[0], images.Shape[1], images.Shape[2], 1);
        var (abs, rel) = Fixture.Tolerance(c["tolerance"]);
        TensorAssert.Close(Fixture.ToTensor(c["expected"]!["output"]!), ImageFeatures.Hog(withChannel), abs, rel, "hog [n, h, w, 1]");
    }

    internal static Tensor Images(JsonObject c) =>
        Fixture.ToTensor(Fixture.Load(File)["images"]![c["inputs"]!["images"]!.GetValue<string>()]!);

    private static int Square(JsonNode pair)
    {
        int a = pair[0]!.GetValue<int>(), b = pair[1]!.GetValue<int>();
        a.Should().Be(b, "the API takes square cells and blocks");
        return a;
    }
}
