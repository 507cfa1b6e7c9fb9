namespace KerasNotes.Tests.Tensors;

/// <summary>Shape: construction, negative axes, equality, size and its printed form.</summary>
public sealed class ShapeTests
{
    [Fact]
    public void Shape_holds_its_dimensions_rank_and_size()
    {
        var s = new Shape(2, 3, 4);
        s.Rank.Should().Be(3);
        s.Dims.Should().Equal(2, 3, 4);
        s.Size.Should().Be(24);
        s.IsFullyDefined.Should().BeTrue();
    }

    [Fact]
    public void Scalar_shape_has_rank_zero_and_size_one()
    {
        var s = new Shape();
        s.Rank.Should().Be(0);
        s.Size.Should().Be(1);
        s.ToString().Should().Be("[]");
    }

    [Fact]
    public void Dims_returns_a_copy()
    {
        var s = new Shape(2, 3);
        var dims = s.Dims;
        dims[0] = 99;
        s[0].Should().Be(2);
    }

    [Fact]
    public void Negative_axes_count_from_the_end()
    {
        var s = new Shape(2, 3, 4);
        s[-1].Should().Be(4);
        s[-3].Should().Be(2);
        s.NormalizeAxis(-2).Should().Be(1);
        s.With(-1, 7).Should().Be(new Shape(2, 3, 7));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-4)]
    public void Axis_out_of_range_throws_naming_the_axis_and_shape(int axis)
    {
        var s = new Shape(2, 3, 4);
        var act = () => s.NormalizeAxis(axis);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(axis)).WithMessage($"*{axis}*[2, 3, 4]*");
    }

    [Fact]
    public void Shapes_with_the_same_dimensions_are_equal_and_hash_alike()
    {
        var a = new Shape(2, 3);
        var b = new Shape([2, 3]);
        (a == b).Should().BeTrue();
        a.Equals((object)b).Should().BeTrue();
        a.GetHashCode().Should().Be(b.GetHashCode());
        (a != new Shape(3, 2)).Should().BeTrue();
        a.Should().NotBe(new Shape(2, 3, 1));
        new Shape().Should().NotBe(new Shape(1));
    }

    [Fact]
    public void ToString_prints_brackets_and_None_for_unknown_dimensions()
    {
        new Shape(2, 3).ToString().Should().Be("[2, 3]");
        new Shape(-1, 784).ToString().Should().Be("[None, 784]");
        new Shape(5).ToString().Should().Be("[5]");
    }

    [Fact]
    public void Unknown_dimensions_make_the_shape_not_fully_defined_and_have_no_size()
    {
        var s = new Shape(-1, 784);
        s.IsFullyDefined.Should().BeFalse();
        var act = () => s.Size;
        act.Should().Throw<InvalidOperationException>().WithMessage("*[None, 784]*");
    }

    [Fact]
    public void Dimensions_below_minus_one_are_rejected()
    {
        var act = () => new Shape(2, -2);
        act.Should().Throw<ArgumentException>().WithParameterName("dims").WithMessage("*-2*");
    }

    [Fact]
    public void More_than_eight_dimensions_are_rejected()
    {
        var act = () => new Shape(1, 1, 1, 1, 1, 1, 1, 1, 1);
        act.Should().Throw<ArgumentException>().WithMessage("*at most 8*9*");
    }

    [Fact]
    public void Skip_and_Prepend_build_related_shapes()
    {
        var s = new Shape(2, 3, 4);
        s.Skip(1).Should().Be(new Shape(3, 4));
        s.Prepend(5).Should().Be(new Shape(5, 2, 3, 4));
        Shape fromArray = new[] { 7, 8 };
        fromArray.Should().Be(new Shape(7, 8));
    }
}
