using KerasNotes.Vision;

namespace KerasNotes.Tests.Vision;

/// <summary>Bad images and settings raise ArgumentException / ArgumentOutOfRangeException naming the argument, the value and what was expected.</summary>
public sealed class ImageFeaturesBadInputTests
{
    private static readonly Tensor s_images = Tensor.Zeros(2, 28, 28);

    public static TheoryData<int[]> BadShapes() => new()
    {
        new[] { 28, 28 },
        new[] { 784 },
        new[] { 2, 28, 28, 3 },
        new[] { 2, 1, 28, 28, 1 },
    };

    public static TheoryData<int[]> EmptyShapes() => new()
    {
        new[] { 0, 28, 28 },
        new[] { 2, 0, 28 },
        new[] { 2, 28, 0 },
        new[] { 0, 28, 28, 1 },
    };

    private static IEnumerable<(string Name, Func<Tensor, Tensor> Feature)> AllFeatures() =>
    [
        ("Histogram", x => ImageFeatures.Histogram(x)),
        ("SobelX", ImageFeatures.SobelX),
        ("SobelY", ImageFeatures.SobelY),
        ("SobelMagnitude", ImageFeatures.SobelMagnitude),
        ("Hog", x => ImageFeatures.Hog(x)),
    ];

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void Images_of_the_wrong_rank_or_with_colour_channels_are_refused_with_their_shape(int[] shape)
    {
        var x = Tensor.Zeros(shape);
        foreach (var (name, feature) in AllFeatures())
        {
            var e = FluentActions.Invoking(() => feature(x)).Should().Throw<ArgumentException>().Which;
            e.ParamName.Should().Be("images");
            e.Message.Should().Contain($"ImageFeatures.{name}").And.Contain("[n, h, w] or [n, h, w, 1]").And.Contain(x.Shape.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(EmptyShapes))]
    public void Empty_batches_and_empty_images_are_refused_with_their_shape(int[] shape)
    {
        var x = Tensor.Zeros(shape);
        foreach (var (_, feature) in AllFeatures())
        {
            var e = FluentActions.Invoking(() => feature(x)).Should().Throw<ArgumentException>().Which;
            e.ParamName.Should().Be("images");
            e.Message.Should().Contain("at least one image of at least 1×1 pixels").And.Contain(x.Shape.ToString());
        }
    }

    [Fact]
    public void Null_images_and_a_null_block_norm_throw_ArgumentNullException()
    {
        foreach (var (_, feature) in AllFeatures())
        {
            FluentActions.Invoking(() => feature(null!)).Should().Throw<ArgumentNullException>().WithParameterName("images");
        }

        FluentActions.Invoking(() => ImageFeatures.Hog(s_images, blockNorm: null!)).Should().Throw<ArgumentNullException>().WithParameterName("blockNorm");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_histogram_needs_at_least_one_bin(int bins)
    {
        var e = FluentActions.Invoking(() => ImageFeatures.Histogram(s_images, bins)).Should().Throw<ArgumentOutOfRangeException>().Which;
        e.ParamName.Should().Be("bins");
        e.ActualValue.Should().Be(bins);
        e.Message.Should().Contain("positive integer");
    }

    [Theory]
    [InlineData(10f, 10f)]
    [InlineData(256f, 0f)]
    [InlineData(0f, float.NaN)]
    [InlineData(0f, float.PositiveInfinity)]
    public void An_empty_reversed_or_unbounded_histogram_range_is_refused_at_its_upper_end(float min, float max)
    {
        var e = FluentActions.Invoking(() => ImageFeatures.Histogram(s_images, 16, min, max)).Should().Throw<ArgumentOutOfRangeException>().Which;
        e.ParamName.Should().Be("rangeMax");
        e.ActualValue.Should().Be(max);
        e.Message.Should().Contain("must not be empty or reversed").And.Contain($"({min.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.NegativeInfinity)]
    public void A_NaN_or_infinite_lower_histogram_bound_is_refused(float min)
    {
        var e = FluentActions.Invoking(() => ImageFeatures.Histogram(s_images, 16, min, 256f)).Should().Throw<ArgumentOutOfRangeException>().Which;
        e.ParamName.Should().Be("rangeMin");
        e.Message.Should().Contain("finite");
    }

    [Theory]
    [InlineData("orientations", 0)]
    [InlineData("orientations", -9)]
    [InlineData("pixelsPerCell", 0)]
    [InlineData("cellsPerBlock", 0)]
    public void Hog_settings_below_one_are_refused(string argument, int value)
    {
        Action call = argument switch
        {
            "orientations" => () => ImageFeatures.Hog(s_images, orientations: value),
            "pixelsPerCell" => () => ImageFeatures.Hog(s_images, pixelsPerCell: value),
            _ => () => ImageFeatures.Hog(s_images, cellsPerBlock: value),
        };
        var e = call.Should().Throw<ArgumentOutOfRangeException>().Which;
        e.ParamName.Should().Be(argument);
        e.ActualValue.Should().Be(value);
        e.Message.Should().Contain($"'{argument}' must be a positive integer");
    }

    [Theory]
    [InlineData(29)]
    [InlineData(100)]
    public void A_cell_larger_than_the_image_is_refused_with_the_image_size(int pixelsPerCell)
    {
        var e = FluentActions.Invoking(() => ImageFeatures.Hog(s_images, pixelsPerCell: pixelsPerCell, cellsPerBlock: 1))
            .Should().Throw<ArgumentOutOfRangeException>().Which;
        e.ParamName.Should().Be("pixelsPerCell");
        e.ActualValue.Should().Be(pixelsPerCell);
        e.Message.Should().Contain("28×28").And.Contain("[2, 28, 28]");
    }

    [Fact]
    public void A_cell_taller_than_a_wide_image_is_refused()
    {
        var wide = Tensor.Zeros(1, 3, 40);
        var e = FluentActions.Invoking(() => ImageFeatures.Hog(wide, pixelsPerCell: 4, cellsPerBlock: 1)).Should().Throw<ArgumentOutOfRangeException>().Which;
        e.ParamName.Should().Be("pixelsPerCell");
        e.Message.Should().Contain("3×40");
    }

    [Fact]
    public void A_block_larger_than_the_whole_cells_is_refused_with_the_cell_count()
    {
        // 28×28 images hold 4×4 whole cells of 7 pixels: a 5×5 block does not fit.
        var e = FluentActions.Invoking(() => ImageFeatures.Hog(s_images, pixelsPerCell: 7, cellsPerBlock: 5)).Should().Throw<ArgumentOutOfRangeException>().Which;
        e.ParamName.Should().Be("cellsPerBlock");
        e.ActualValue.Should().Be(5);
        e.Message.Should().Contain("4×4 cells of 7×7 pixels").And.Contain("[2, 28, 28]");
    }

    [Theory]
    [InlineData("L3")]
    [InlineData("")]
    [InlineData("l2 hys")]
    public void An_unknown_block_norm_is_refused_with_the_known_ones(string norm)
    {
        var e = FluentActions.Invoking(() => ImageFeatures.Hog(s_images, blockNorm: norm)).Should().Throw<ArgumentException>().Which;
        e.ParamName.Should().Be("blockNorm");
        e.Message.Should().Contain($"\"{norm}\"").And.Contain("\"L1\", \"L1-sqrt\", \"L2\", \"L2-Hys\"");
    }

    [Fact]
    public void Block_norm_names_are_case_insensitive_as_listed_in_BlockNorms()
    {
        var lower = ImageFeatures.Hog(s_images, blockNorm: "l2-hys").ToArray();
        lower.Should().Equal(ImageFeatures.Hog(s_images, blockNorm: "L2-Hys").ToArray());
        ImageFeatures.BlockNorms.Should().Equal("L1", "L1-sqrt", "L2", "L2-Hys");
    }

    [Fact]
    public void A_feature_count_too_large_for_one_tensor_is_refused_before_anything_is_allocated()
    {
        var e = FluentActions.Invoking(() => ImageFeatures.Hog(s_images, orientations: int.MaxValue / 2, cellsPerBlock: 1))
            .Should().Throw<ArgumentException>().Which;
        e.ParamName.Should().Be("orientations");
        e.Message.Should().Contain("do not fit one tensor");
    }
}
