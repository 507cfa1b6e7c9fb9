using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.OpsTests;

/// <summary>Finite-difference checks of the shape ops (views, permutations, joins, gathers, slices and broadcasts).</summary>
public sealed class ShapeGradientTests
{
    private static Tensor R(int seed, params int[] shape) => GradientCheck.Random(seed, -2f, 2f, shape);

    // A constant (captured, not differentiated): Concatenate must route gradients to the tracked inputs only.
    private static readonly Tensor s_constant = R(100, 2, 3);

    private static readonly GradientCases s_cases = new GradientCases()
        .Add("Reshape", x => Ops.Reshape(x[0], 3, 4), R(1, 2, 6))
        .Add("Reshape with an inferred dimension", x => Ops.Reshape(x[0], -1, 2), R(2, 2, 3, 2))
        .Add("Reshape then elementwise", x => Ops.Square(Ops.Reshape(x[0], 6)), R(3, 2, 3))
        .Add("ExpandDims at the front", x => Ops.ExpandDims(x[0], 0), R(4, 2, 3))
        .Add("ExpandDims at the end", x => Ops.Add(Ops.ExpandDims(x[0], -1), x[1]), R(5, 2, 3), R(6, 2, 3, 4))
        .Add("Squeeze one axis", x => Ops.Squeeze(x[0], 1), R(7, 2, 1, 3))
        .Add("Squeeze every size-1 axis", x => Ops.Squeeze(x[0]), R(8, 1, 2, 1, 3))
        .Add("Transpose a matrix", x => Ops.Transpose(x[0]), R(9, 3, 5))
        .Add("Transpose a large matrix across cache blocks", x => Ops.Transpose(x[0]), R(10, 35, 33))
        .Add("Transpose rank 3 reversing the axes", x => Ops.Transpose(x[0]), R(11, 2, 3, 4))
        .Add("Transpose rank 3 swapping the first two axes", x => Ops.Transpose(x[0], [1, 0, 2]), R(12, 2, 3, 4))
        .Add("Transpose rank 3 rotating the axes", x => Ops.Transpose(x[0], [2, 0, 1]), R(13, 2, 3, 4))
        .Add("Transpose rank 4 with negative axes", x => Ops.Transpose(x[0], [0, -1, 1, -2]), R(14, 2, 3, 2, 4))
        .Add("Concatenate along axis 0", x => Ops.Concatenate([x[0], x[1]], 0), R(15, 2, 3), R(16, 1, 3))
        .Add("Concatenate three along axis 1", x => Ops.Concatenate([x[0], x[1], x[2]], 1), R(17, 2, 1, 3), R(18, 2, 2, 3), R(19, 2, 3, 3))
        .Add("Concatenate along the last axis", x => Ops.Concatenate([x[0], x[1]], -1), R(20, 2, 3, 2), R(21, 2, 3, 1))
        .Add("Concatenate a tensor with itself", x => Ops.Concatenate([x[0], x[0]], 0), R(22, 2, 3))
        .Add("Concatenate with a constant first tensor", x => Ops.Concatenate([s_constant, x[0], s_constant], 1), R(31, 2, 2))
        .Add("Take rows with repeats", x => Ops.Take(x[0], [2, 0, 2, 3]), R(23, 4, 3))
        .Add("Take from rank 3", x => Ops.Take(x[0], [1, 1, 0]), R(24, 3, 2, 2))
        .Add("Slice a block", x => Ops.Slice(x[0], [1, 0, 1], [2, 2, -1]), R(25, 3, 3, 4))
        .Add("Slice to the end", x => Ops.Slice(x[0], [1, 1], [-1, -1]), R(26, 3, 4))
        .Add("BroadcastTo a matrix", x => Ops.BroadcastTo(x[0], new Shape(4, 3)), R(27, 3))
        .Add("BroadcastTo rank 3", x => Ops.BroadcastTo(x[0], new Shape(2, 3, 4)), R(28, 3, 1));

    public static TheoryData<string> Cases => s_cases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Shape_op_gradient_matches_finite_differences(string op) => s_cases.Check(op);

    [Fact]
    public void StopGradient_blocks_the_gradient_of_its_path()
    {
        var x = new Variable(Tensor.FromArray([1f, -2f, 3f], 3), "x");
        using var tape = new GradientTape();
        var grad = tape.Gradient(Ops.Sum(Ops.Multiply(x, Ops.StopGradient(x))), [x])[0];
        grad.ToArray().Should().Equal(1f, -2f, 3f);
    }

    [Fact]
    public void Transpose_of_rank_3_matches_index_arithmetic()
    {
        var x = R(30, 2, 3, 4);
        var y = Ops.Transpose(x, [2, 0, 1]);
        y.Shape.Should().Be(new Shape(4, 2, 3));
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                for (int k = 0; k < 4; k++)
                {
                    y[k, i, j].Should().Be(x[i, j, k]);
                }
            }
        }
    }
}
