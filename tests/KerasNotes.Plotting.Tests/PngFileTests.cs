using KerasNotes.Plotting.Tests.TestSupport;

namespace KerasNotes.Plotting.Tests;

public sealed class PngFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_chart_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        string path = _folder.File("curves.png");
        File.WriteAllText(path, "old");

        Histories.Typical().PlotTo(path);

        Png.Read(path).Width.Should().Be(800);
        Directory.GetFiles(_folder.Path).Should().Equal(path);
    }

    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary_file()
    {
        string path = _folder.File("curves.png");
        Directory.CreateDirectory(path); // a folder where the file should go: the rename fails

        var act = () => PngFile.Write(path, [1, 2, 3]);

        act.Should().Throw<IOException>();
        Directory.GetFiles(_folder.Path).Should().BeEmpty();
    }

    [Theory]
    [InlineData("curves.jpg")]
    [InlineData("curves")]
    [InlineData(" ")]
    public void A_path_that_is_not_a_png_file_is_refused(string name)
    {
        var act = () => PngFile.Target(name == " " ? name : _folder.File(name));

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "path").WithMessage("*.png*");
    }

    [Fact]
    public void A_path_in_a_missing_folder_is_refused_before_anything_is_drawn()
    {
        string path = Path.Combine(_folder.Path, "missing", "curves.png");

        var act = () => Histories.Typical().PlotTo(path);

        act.Should().Throw<DirectoryNotFoundException>().WithMessage("*missing*does not exist*");
    }
}
