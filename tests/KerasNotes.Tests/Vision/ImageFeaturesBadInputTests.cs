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
        // A million 1-pixel cells × 4,096 orientations: 4.1e9 features, within every per-argument limit.
        var e = FluentActions.Invoking(() => ImageFeatures.Hog(Tensor.Zeros(1, 1000, 1000), orientations: 4096, pixelsPerCell: 1, cellsPerBlock: 1))
            .Should().Throw<ArgumentException>().Which;
        e.ParamName.Should().Be("orientations");
        e.Message.Should().Contain("do not fit one tensor");
    }

    [Fact]
    public void A_HOG_feature_count_past_longs_range_is_refused_as_too_large_instead_of_wrapping()
    {
        var images = Tensor.Zeros(1, 2000, 2000);
        var act = () => ImageFeatures.Hog(images, orientations: 4096, pixelsPerCell: 1, cellsPerBlock: 1000, blockNorm: "L2");
        act.Should().Throw<ArgumentException>().WithMessage("*do not fit one tensor*");
    }

    [Fact]
    public void Orientations_and_bins_beyond_their_limits_are_refused_before_any_work()
    {
        var one = Tensor.Zeros(1, 1, 1);
        var hog = () => ImageFeatures.Hog(one, orientations: 100_000_000, pixelsPerCell: 1, cellsPerBlock: 1, blockNorm: "L2");
        hog.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "orientations" && e.Message.Contains("4096"));
        var hist = () => ImageFeatures.Histogram(one, bins: 536_870_912);
        hist.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "bins");
    }

    [Fact]
    public void An_image_too_large_for_the_working_space_is_refused_naming_images()
    {
        // 27000×27000 = 729 million pixels is a legal tensor; HOG's three values per pixel are not one array.
        var shape = new Shape(1, 27000, 27000);
        var big = Tensor.Zeros(shape);
        var act = () => ImageFeatures.Hog(big, orientations: 1, pixelsPerCell: 27000, cellsPerBlock: 1, blockNorm: "L1");
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "images" && e.Message.Contains("27000×27000"));
    }

    [Fact]
    public void A_block_norm_is_matched_in_ASCII_only()
    {
        var images = Tensor.Zeros(1, 8, 8);
        var act = () => ImageFeatures.Hog(images, blockNorm: "L1-\u017Fqrt");
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "blockNorm");
        ImageFeatures.Hog(images, blockNorm: "l1-SQRT").Shape.Should().Be(new Shape(1, 36));
    }

    [Fact]
    public void NaN_and_infinity_propagate_into_Sobel_border_columns_and_rows_as_in_OpenCV()
    {
        var image = Tensor.FromArray([1f, 2f, 3f, 4f, float.NaN, 6f, 7f, 8f, 9f], 1, 3, 3);
        var gx = ImageFeatures.SobelX(image).ToArray();
        float.IsNaN(gx[0]).Should().BeTrue("OpenCV computes I[1] - I[1] at the left border, NaN here");
        float.IsNaN(gx[2]).Should().BeTrue();
        var finite = ImageFeatures.SobelX(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], 1, 3, 3)).ToArray();
        finite[0].Should().Be(0f);
        var gy = ImageFeatures.SobelY(image).ToArray();
        float.IsNaN(gy[1]).Should().BeTrue("the top row's reflected neighbours are both row 1");
    }
}
