using KerasNotes.Plotting.Tests.TestSupport;

namespace KerasNotes.Plotting.Tests;

public sealed class ImageGridTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // n images of h × w whose values are offset + their pixel index.
    private static Tensor Ramps(int n, int h, int w, float offset = 0, float step = 1)
    {
        var data = new float[n * h * w];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = offset + (i % (h * w) * step);
        }

        return Tensor.FromArray(data, n, h, w);
    }

    [Fact]
    public void PlotTo_tiles_the_images_in_the_requested_columns()
    {
        var png = Png.Read(ImageGrid.PlotTo(_folder.File("grid.png"), Ramps(6, 28, 28), columns: 3, scale: 2));

        // 8 px margins, 3 × 56 px tiles with 6 px gaps across, 2 rows down.
        png.Width.Should().Be(8 + (3 * 56) + (2 * 6) + 8);
        png.Height.Should().Be(8 + (2 * 56) + 6 + 8);
    }

    [Fact]
    public void PlotTo_makes_a_square_grid_by_default()
    {
        var png = Png.Read(ImageGrid.PlotTo(_folder.File("grid.png"), Ramps(9, 4, 4), scale: 1));

        png.Width.Should().Be(8 + (3 * 4) + (2 * 6) + 8);
        png.Height.Should().Be(png.Width);
    }

    [Fact]
    public void PlotTo_accepts_images_with_a_trailing_channel_of_one()
    {
        var images = Tensor.FromArray(new float[2 * 5 * 5], 2, 5, 5, 1);

        var act = () => ImageGrid.PlotTo(_folder.File("grid.png"), images);

        act.Should().NotThrow();
    }

    [Fact]
    public void PlotTo_stretches_each_image_from_black_to_white_by_default()
    {
        // Two 1 × 2 images: [10, 20] and [0, 1000]. Each becomes black then white; at scale 1 the tiles start at (8, 8).
        var images = Tensor.FromArray([10, 20, 0, 1000], 2, 1, 2);
        var png = Png.Read(ImageGrid.PlotTo(_folder.File("grid.png"), images, columns: 2, scale: 1));

        png[8, 8].Red.Should().Be(0);
        png[9, 8].Red.Should().Be(255);
        png[16, 8].Red.Should().Be(0);
        png[17, 8].Red.Should().Be(255);
    }

    [Fact]
    public void PlotTo_can_share_one_scale_across_all_images()
    {
        var images = Tensor.FromArray([10, 20, 0, 1000], 2, 1, 2);
        var png = Png.Read(ImageGrid.PlotTo(_folder.File("grid.png"), images, columns: 2, scale: 1, normalization: ImageNormalization.Global));

        png[8, 8].Red.Should().Be(3);  // 10 of 0..1000
        png[9, 8].Red.Should().Be(5);  // 20 of 0..1000
        png[17, 8].Red.Should().Be(255);
    }

    [Fact]
    public void PlotTo_can_show_values_as_they_are_clipped_to_zero_one()
    {
        var images = Tensor.FromArray([-1, 0.5f, 2], 1, 1, 3);
        var png = Png.Read(ImageGrid.PlotTo(_folder.File("grid.png"), images, scale: 1, normalization: ImageNormalization.None));

        png[8, 8].Red.Should().Be(0);
        png[9, 8].Red.Should().Be(128);
        png[10, 8].Red.Should().Be(255);
    }

    [Fact]
    public void PlotTo_draws_NaN_pixels_red_and_leaves_them_out_of_the_scale()
    {
        var images = Tensor.FromArray([float.NaN, 1, 3], 1, 1, 3);
        var png = Png.Read(ImageGrid.PlotTo(_folder.File("grid.png"), images, scale: 1));

        png[8, 8].Should().Be(new SkiaSharp.SKColor(255, 0, 0));
        png[9, 8].Red.Should().Be(0);
        png[10, 8].Red.Should().Be(255);
    }

    [Fact]
    public void PlotTo_draws_the_captions_under_the_tiles()
    {
        // Captions of the same width in pixels keep the layout; only the caption strip may differ, and must.
        var images = Ramps(2, 28, 28);
        var a = Png.Read(ImageGrid.PlotTo(_folder.File("a.png"), images, captions: ["Shirt", "Bag"], scale: 3));
        var b = Png.Read(ImageGrid.PlotTo(_folder.File("b.png"), images, captions: ["Shirt", "Hat"], scale: 3));

        a.Height.Should().Be(8 + 84 + ImageGridLayout.CaptionHeight + 8);
        int captionTop = 8 + 84;
        a.Differences(b, 0, captionTop, a.Width, a.Height).Should().BeGreaterThan(20);
        a.Differences(b, 0, 0, a.Width, captionTop).Should().Be(0);
        a.DarkPixels(0, captionTop, a.Width, a.Height).Should().BeGreaterThan(40);
    }

    [Fact]
    public void PlotTo_widens_the_cells_to_fit_long_captions()
    {
        var png = Png.Read(ImageGrid.PlotTo(_folder.File("grid.png"), Ramps(2, 4, 4), captions: ["Ankle boot", "Sneaker"], scale: 1));

        png.Width.Should().BeGreaterThan(8 + 4 + 6 + 4 + 8 + 80, "each cell is as wide as its widest caption");
    }

    [Fact]
    public void PlotTo_draws_the_title_above_the_grid()
    {
        var a = Png.Read(ImageGrid.PlotTo(_folder.File("a.png"), Ramps(4, 28, 28), title: "Conv2D filters"));
        var b = Png.Read(ImageGrid.PlotTo(_folder.File("b.png"), Ramps(4, 28, 28), title: "Feature maps!"));

        a.Differences(b, 0, 0, a.Width, 36).Should().BeGreaterThan(100);
        a.Differences(b, 0, 36, a.Width, a.Height).Should().Be(0);
    }

    [Theory]
    [InlineData(new[] { 28, 28 })]
    [InlineData(new[] { 2, 28, 28, 3 })]
    [InlineData(new[] { 1, 2, 2, 2, 1 })]
    [InlineData(new[] { 0, 28, 28 })]
    public void PlotTo_rejects_other_shapes_and_shows_the_shape_it_got(int[] shape)
    {
        var images = Tensor.Zeros(shape);

        var act = () => ImageGrid.PlotTo(_folder.File("x.png"), images);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "images")
            .WithMessage($"*[n, h, w] or [n, h, w, 1]*got {images.Shape}*");
        File.Exists(_folder.File("x.png")).Should().BeFalse();
    }

    [Fact]
    public void PlotTo_rejects_a_caption_count_that_differs_from_the_images()
    {
        var act = () => ImageGrid.PlotTo(_folder.File("x.png"), Ramps(3, 4, 4), captions: ["a", "b"]);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "captions").WithMessage("*2 entries but images has 3*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void PlotTo_rejects_a_scale_outside_1_to_64(int scale)
    {
        var act = () => ImageGrid.PlotTo(_folder.File("x.png"), Ramps(1, 4, 4), scale: scale);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "scale");
    }

    [Fact]
    public void PlotTo_rejects_fewer_than_one_column()
    {
        var act = () => ImageGrid.PlotTo(_folder.File("x.png"), Ramps(1, 4, 4), columns: 0);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "columns");
    }

    [Fact]
    public void PlotTo_rejects_a_grid_too_large_to_write()
    {
        var act = () => ImageGrid.PlotTo(_folder.File("x.png"), Ramps(2, 300, 300), columns: 2, scale: 30);

        act.Should().Throw<ArgumentException>().WithMessage("*more than 16384*lower scale*");
    }
}
