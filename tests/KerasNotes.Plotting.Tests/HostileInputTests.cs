using KerasNotes.Plotting.Tests.TestSupport;

namespace KerasNotes.Plotting.Tests;

/// <summary>The findings of an outside attack on the charts, each a test: refused with a message naming the argument, or drawn.</summary>
public sealed class HostileInputTests : IDisposable
{
    private static readonly double[] s_x = [1, 2, 3, 4, 5];
    private static readonly double[] s_y = [1.0, 0.8, 0.6, 0.5, 0.45];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Line(string? title = null, IReadOnlyList<double>? y = null, IReadOnlyList<double>? x = null, int width = 600) =>
        LineChart.PlotTo(_folder.File("c.png"), x ?? s_x, [new LineSeries("loss", y ?? s_y)], title: title, width: width, height: 400);

    [Theory]
    [InlineData("bell\u0007")]
    [InlineData("a\0b")]
    [InlineData("a\tb")]
    [InlineData("two\nlines")]
    public void Control_characters_and_broken_surrogates_in_text_are_refused_instead_of_drawn_as_boxes(string text)
    {
        var act = () => Line(text);
        act.Should().Throw<ArgumentException>().WithParameterName("title");
        Directory.GetFiles(_folder.Path).Should().BeEmpty();
    }

    [Fact]
    public void A_lone_surrogate_is_refused_instead_of_dropping_the_whole_text()
    {
        // Built here: xunit would turn a lone surrogate in InlineData into U+FFFD.
        var act = () => Line("x" + (char)0xD800 + "y");
        act.Should().Throw<ArgumentException>().WithParameterName("title").WithMessage("*U+D800*");
    }

    [Theory]
    [InlineData("שלום")]
    [InlineData("مرحبا")]
    public void Right_to_left_text_is_refused_rather_than_drawn_reversed(string text)
    {
        var act = () => Line(text);
        act.Should().Throw<ArgumentException>().WithParameterName("title").WithMessage("*right-to-left*");
    }

    [Fact]
    public void A_title_that_would_cover_the_chart_or_run_off_it_is_refused()
    {
        var tooManyLines = () => Line(string.Concat(Enumerable.Repeat("very long title ", 125)));
        var tooWideWord = () => Line(new string('W', 500));
        tooManyLines.Should().Throw<ArgumentException>().WithParameterName("title").WithMessage("*lines (at most 3)*");
        tooWideWord.Should().Throw<ArgumentException>().WithParameterName("title").WithMessage("*alone is wider*");
        Directory.GetFiles(_folder.Path).Should().BeEmpty();
    }

    [Fact]
    public void A_history_title_that_needs_two_lines_still_draws()
    {
        var history = Histories.Typical();
        string path = history.PlotTo(_folder.File("h.png"), title: "A fairly long title for a training history that needs a second line", width: 500);
        Png.Read(path).Width.Should().Be(500);
    }

    [Fact]
    public void Values_too_large_to_place_are_refused_naming_the_series_not_an_autoscaler_error()
    {
        var series = () => Line(y: [1e308, -1e308, 0, 1, 2]);
        var x = () => Line(x: [-1e308, 1, 2, 3, 1e308]);
        var bars = () => BarChart.PlotTo(_folder.File("b.png"), ["a", "b"], [1e308, -1e308]);
        series.Should().Throw<ArgumentException>().WithParameterName("series").WithMessage("*'loss' has 1E+308 at index 0*");
        x.Should().Throw<ArgumentException>().WithParameterName("x");
        bars.Should().Throw<ArgumentException>().WithParameterName("values");
        Line(y: [1e38, -1e38, 0, 1, 2]).Should().NotBeNull("float32's range still draws");
    }

    [Fact]
    public void A_legal_file_name_of_250_bytes_is_written_though_its_temporary_name_would_be_longer()
    {
        string path = _folder.File(new string('b', 246) + ".png");
        LineChart.PlotTo(path, s_x, [new LineSeries("loss", s_y)]).Should().Be(path);
        Directory.GetFiles(_folder.Path).Should().Equal(path);
    }

    [Fact]
    public void A_folder_named_like_a_png_is_refused_before_drawing()
    {
        string folder = _folder.File("plots.png");
        Directory.CreateDirectory(folder);
        var act = () => LineChart.PlotTo(folder, s_x, [new LineSeries("loss", s_y)]);
        act.Should().Throw<ArgumentException>().WithParameterName("path").WithMessage("*is a folder*");
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("yyyy")]
    public void A_value_format_that_prints_no_number_is_refused(string format)
    {
        var act = () => BarChart.PlotTo(_folder.File("b.png"), ["a"], [1.0], valueFormat: format);
        act.Should().Throw<ArgumentException>().WithParameterName("valueFormat").WithMessage($"*'{format}' does not show the number*");
    }

    [Fact]
    public void A_series_needs_a_name_and_values()
    {
        var noName = () => new LineSeries(null!, s_y);
        var blank = () => new LineSeries(" ", s_y);
        var noValues = () => new LineSeries("loss", null!);
        noName.Should().Throw<ArgumentNullException>().WithParameterName("name");
        blank.Should().Throw<ArgumentException>().WithParameterName("name");
        noValues.Should().Throw<ArgumentNullException>().WithParameterName("values");
    }
}
