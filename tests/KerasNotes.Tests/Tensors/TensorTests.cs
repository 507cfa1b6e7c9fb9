namespace KerasNotes.Tests.Tensors;

/// <summary>Tensor construction, conversion, indexing, row views and their argument errors.</summary>
public sealed class TensorTests
{
    [Fact]
    public void FromArray_copies_the_data_into_the_given_shape()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var x = Tensor.FromArray(data, 2, 3);
        data[0] = 100;
        x.Shape.Should().Be(new Shape(2, 3));
        x.Size.Should().Be(6);
        x.Rank.Should().Be(2);
        x.ToArray().Should().Equal(1, 2, 3, 4, 5, 6);
    }

    [Fact]
    public void FromArray_without_a_shape_makes_a_vector()
    {
        Tensor.FromArray([1f, 2f, 3f]).Shape.Should().Be(new Shape(3));
    }

    [Fact]
    public void FromArray_with_a_mismatched_shape_names_the_argument_the_count_and_the_shape()
    {
        var act = () => Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 4, 2);
        act.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*6 elements*[4, 2]*8*");
    }

    [Fact]
    public void FromArray_with_an_unknown_dimension_is_rejected()
    {
        var act = () => Tensor.FromArray([1f, 2f], -1, 2);
        act.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*[None, 2]*");
    }

    [Fact]
    public void FromArray_of_a_2d_array_keeps_rows_and_columns()
    {
        var x = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        x.Shape.Should().Be(new Shape(2, 3));
        x.ToArray().Should().Equal(1, 2, 3, 4, 5, 6);
    }

    [Fact]
    public void FromArray_of_jagged_rows_keeps_rows_and_columns()
    {
        var x = Tensor.FromArray([[1f, 2f], [3f, 4f], [5f, 6f]]);
        x.Shape.Should().Be(new Shape(3, 2));
        x.ToArray().Should().Equal(1, 2, 3, 4, 5, 6);
    }

    [Fact]
    public void FromArray_of_ragged_rows_names_the_argument_the_row_and_the_lengths()
    {
        var act = () => Tensor.FromArray([[1f, 2f, 3f], [4f, 5f]]);
        act.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("Row 1*2 elements*expected 3*");
    }

    [Fact]
    public void FromArray_of_a_null_row_names_the_argument_and_the_row()
    {
        var act = () => Tensor.FromArray([[1f, 2f], null!]);
        act.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("Row 1*no elements*");
    }

    [Fact]
    public void FromSpan_with_a_mismatched_shape_names_the_argument_and_the_shape()
    {
        var act = () => Tensor.FromSpan([1f, 2f, 3f], new Shape(2, 2));
        act.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*3 elements*[2, 2]*4*");
    }

    [Fact]
    public void FromLabels_makes_a_vector_of_floats()
    {
        var y = Tensor.FromLabels([2, 0, 1]);
        y.Shape.Should().Be(new Shape(3));
        y.ToArray().Should().Equal(2f, 0f, 1f);
    }

    [Fact]
    public void Zeros_ones_full_and_scalar_have_their_shapes_and_values()
    {
        Tensor.Zeros(2, 3).ToArray().Should().OnlyContain(v => v == 0f);
        Tensor.Ones(4).ToArray().Should().Equal(1f, 1f, 1f, 1f);
        Tensor.Full(2.5f, 2, 2).ToArray().Should().OnlyContain(v => v == 2.5f);
        var s = Tensor.Scalar(3f);
        s.Rank.Should().Be(0);
        s.Item().Should().Be(3f);
    }

    [Fact]
    public void ToArray2D_returns_rows_and_columns()
    {
        var m = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3).ToArray2D();
        m.GetLength(0).Should().Be(2);
        m.GetLength(1).Should().Be(3);
        m[1, 2].Should().Be(6f);
        m[0, 1].Should().Be(2f);
    }

    [Fact]
    public void ToArray2D_of_another_rank_throws_naming_the_shape()
    {
        var act = () => Tensor.Zeros(2, 3, 4).ToArray2D();
        act.Should().Throw<InvalidOperationException>().WithMessage("*[2, 3, 4]*");
    }

    [Fact]
    public void Indexer_reads_row_major_elements_and_accepts_negative_indices()
    {
        var x = Tensor.FromArray([0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f], 2, 3, 2);
        x[1, 2, 0].Should().Be(10f);
        x[0, 1, 1].Should().Be(3f);
        x[-1, -1, -1].Should().Be(11f);
    }

    [Fact]
    public void Indexer_with_the_wrong_number_of_indices_throws_naming_the_shape()
    {
        var x = Tensor.Zeros(2, 3);
        var act = () => x[1];
        act.Should().Throw<ArgumentException>().WithParameterName("indices").WithMessage("*[2, 3]*2 indices*1*");
    }

    [Fact]
    public void Indexer_out_of_range_throws_naming_the_axis_and_shape()
    {
        var x = Tensor.Zeros(2, 3);
        var act = () => x[1, 3];
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("indices").WithMessage("*3*axis 1*[2, 3]*");
    }

    [Fact]
    public void SliceRows_is_a_view_sharing_the_buffer()
    {
        var x = Tensor.FromArray([0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f], 4, 2);
        var rows = x.SliceRows(1, 2);
        rows.Shape.Should().Be(new Shape(2, 2));
        rows.ToArray().Should().Equal(2f, 3f, 4f, 5f);
        rows.Data.Should().BeSameAs(x.Data, "a row slice is a view, not a copy");
        x.Data[2] = 42f;
        rows[0, 0].Should().Be(42f);
    }

    [Fact]
    public void SliceRows_of_a_vector_and_an_empty_range_work()
    {
        var v = Tensor.FromArray([1f, 2f, 3f, 4f]);
        v.SliceRows(2, 2).ToArray().Should().Equal(3f, 4f);
        v.SliceRows(4, 0).Size.Should().Be(0);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(3, 2)]
    [InlineData(0, 5)]
    public void SliceRows_outside_the_first_axis_throws_naming_the_range_and_shape(int start, int count)
    {
        var x = Tensor.Zeros(4, 2);
        var act = () => x.SliceRows(start, count);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*[{start}, {start + count})*[4, 2]*");
    }

    [Fact]
    public void SliceRows_of_a_scalar_throws()
    {
        var act = () => Tensor.Scalar(1f).SliceRows(0, 1);
        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Item_reads_a_single_element_tensor_of_any_rank()
    {
        Tensor.FromArray([7f], 1, 1).Item().Should().Be(7f);
        Tensor.FromArray([1f, 2f, 3f]).SliceRows(1, 1).Item().Should().Be(2f);
    }

    [Fact]
    public void Item_of_several_elements_throws_naming_the_shape()
    {
        var act = () => Tensor.Zeros(2, 2).Item();
        act.Should().Throw<InvalidOperationException>().WithMessage("*[2, 2]*");
    }

    [Fact]
    public void Clone_has_its_own_buffer()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var view = x.SliceRows(1, 1);
        var copy = view.Clone();
        x.Data[2] = -1f;
        copy.ToArray().Should().Equal(3f, 4f);
        copy.Shape.Should().Be(new Shape(1, 2));
    }

    [Fact]
    public void ToString_shows_the_shape_and_small_values()
    {
        Tensor.FromArray([1f, 2.5f], 2).ToString().Should().Be("Tensor(shape=[2], values=[1, 2.5])");
        Tensor.Zeros(10, 10).ToString().Should().Be("Tensor(shape=[10, 10])");
    }

    [Fact]
    public void Operators_compute_elementwise_arithmetic()
    {
        var a = Tensor.FromArray([1f, 2f, 3f]);
        var b = Tensor.FromArray([4f, 5f, 6f]);
        (a + b).ToArray().Should().Equal(5f, 7f, 9f);
        (a - b).ToArray().Should().Equal(-3f, -3f, -3f);
        (a * b).ToArray().Should().Equal(4f, 10f, 18f);
        (b / a).ToArray().Should().Equal(4f, 2.5f, 2f);
        (2f - a).ToArray().Should().Equal(1f, 0f, -1f);
        (6f / a).ToArray().Should().Equal(6f, 3f, 2f);
        (-a).ToArray().Should().Equal(-1f, -2f, -3f);
    }
}
