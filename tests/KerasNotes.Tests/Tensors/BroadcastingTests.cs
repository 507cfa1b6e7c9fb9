namespace KerasNotes.Tests.Tensors;

/// <summary>NumPy broadcasting: result shapes, values against index arithmetic, and errors that name both shapes.</summary>
public sealed class BroadcastingTests
{
    public static TheoryData<int[], int[], int[]> Compatible => new()
    {
        { [2, 3], [3], [2, 3] },
        { [2, 3], [2, 1], [2, 3] },
        { [2, 1, 4], [3, 1], [2, 3, 4] },
        { [], [2, 3], [2, 3] },
        { [1], [2, 3], [2, 3] },
        { [3, 1], [1, 4], [3, 4] },
        { [1, 1, 5], [4, 1], [1, 4, 5] },
        { [0, 3], [3], [0, 3] },
        { [2, 1, 3, 1], [1, 4, 1, 2], [2, 4, 3, 2] },
    };

    [Theory]
    [MemberData(nameof(Compatible))]
    public void Broadcast_result_shape_and_values_follow_numpy(int[] shapeA, int[] shapeB, int[] expected)
    {
        var a = Sequence(new Shape(shapeA), 1f);
        var b = Sequence(new Shape(shapeB), 100f);
        var y = Ops.Add(a, b);
        y.Shape.Should().Be(new Shape(expected));
        var outShape = new Shape(expected);
        var index = new int[outShape.Rank];
        for (int flat = 0; flat < outShape.Size; flat++)
        {
            int rem = flat;
            for (int ax = outShape.Rank - 1; ax >= 0; ax--)
            {
                index[ax] = rem % outShape[ax];
                rem /= outShape[ax];
            }

            float expectedValue = At(a, index) + At(b, index);
            y.AsSpan()[flat].Should().Be(expectedValue, $"element [{string.Join(", ", index)}]");
        }

        // Both orders give the same result, and the other binary ops share the rule.
        Ops.Add(b, a).ToArray().Should().Equal(y.ToArray());
        Ops.Multiply(a, b).Shape.Should().Be(outShape);
        Ops.Maximum(a, b).Shape.Should().Be(outShape);
    }

    private static Tensor Sequence(Shape shape, float start)
    {
        var v = new float[shape.Size];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = start + i;
        }

        return Tensor.FromSpan(v, shape);
    }

    // The element of t that broadcasts to the output index (right-aligned; size-1 axes repeat).
    private static float At(Tensor t, int[] outIndex)
    {
        int offset = outIndex.Length - t.Rank;
        int flat = 0;
        for (int ax = 0; ax < t.Rank; ax++)
        {
            int i = t.Shape[ax] == 1 ? 0 : outIndex[ax + offset];
            flat = (flat * t.Shape[ax]) + i;
        }

        return t.AsSpan()[flat];
    }

    public static TheoryData<int[], int[]> Incompatible => new()
    {
        { [2, 3], [4] },
        { [2, 3], [3, 2] },
        { [5, 4, 3], [4, 2] },
        { [2], [3] },
    };

    [Theory]
    [MemberData(nameof(Incompatible))]
    public void Incompatible_shapes_throw_an_argument_exception_naming_both(int[] shapeA, int[] shapeB)
    {
        var a = Tensor.Zeros(shapeA);
        var b = Tensor.Zeros(shapeB);
        string sa = new Shape(shapeA).ToString(), sb = new Shape(shapeB).ToString();
        foreach (var op in new Func<Tensor, Tensor, Tensor>[] { Ops.Add, Ops.Subtract, Ops.Multiply, Ops.Divide, Ops.Maximum, Ops.Minimum, Ops.Power, Ops.Greater })
        {
            var act = () => op(a, b);
            act.Should().Throw<ArgumentException>().Which.Message.Should().Contain(sa).And.Contain(sb);
        }

        var where = () => Ops.Where(a, a, b);
        where.Should().Throw<ArgumentException>().Which.Message.Should().Contain(sa).And.Contain(sb);
    }

    [Fact]
    public void BroadcastTo_a_shape_that_would_need_to_shrink_throws_naming_both_shapes()
    {
        var act = () => Ops.BroadcastTo(Tensor.Zeros(2, 3), new Shape(3));
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("[2, 3]").And.Contain("[3]");
        var grow = () => Ops.BroadcastTo(Tensor.Zeros(3, 1), new Shape(3));
        grow.Should().Throw<ArgumentException>().Which.Message.Should().Contain("[3, 1]").And.Contain("[3]");
    }

    [Fact]
    public void SumToShape_reverses_broadcasting()
    {
        var g = Tensor.Ones(2, 3, 4);
        Ops.SumToShape(g, new Shape(3, 1)).ToArray().Should().Equal(8f, 8f, 8f);
        Ops.SumToShape(g, new Shape(4)).ToArray().Should().Equal(6f, 6f, 6f, 6f);
        Ops.SumToShape(g, new Shape()).Item().Should().Be(24f);
    }
}
