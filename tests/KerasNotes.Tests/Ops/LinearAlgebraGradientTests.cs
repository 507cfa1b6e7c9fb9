using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.OpsTests;

/// <summary>Finite-difference checks of MatMul for every transpose combination, batched rank 3, and [..., m, k]·[k, n].</summary>
public sealed class LinearAlgebraGradientTests
{
    private static Tensor R(int seed, params int[] shape) => GradientCheck.Random(seed, -1f, 1f, shape);

    // Constants (captured, not differentiated) so that only one operand is tracked.
    private static readonly Tensor s_left = R(100, 3, 4);

    private static readonly Tensor s_right = R(101, 5, 4);

    private static readonly Tensor s_leftBatched = R(102, 2, 4, 3);

    private static readonly GradientCases s_cases = new GradientCases()
        .Add("MatMul", x => Ops.MatMul(x[0], x[1]), R(1, 3, 4), R(2, 4, 5))
        .Add("MatMul with A transposed", x => Ops.MatMul(x[0], x[1], transposeA: true), R(3, 4, 3), R(4, 4, 5))
        .Add("MatMul with B transposed", x => Ops.MatMul(x[0], x[1], transposeB: true), R(5, 3, 4), R(6, 5, 4))
        .Add("MatMul with both transposed", x => Ops.MatMul(x[0], x[1], transposeA: true, transposeB: true), R(7, 4, 3), R(8, 5, 4))
        .Add("MatMul of a matrix with itself", x => Ops.MatMul(x[0], x[0], transposeB: true), R(9, 3, 4))
        .Add("MatMul batched", x => Ops.MatMul(x[0], x[1]), R(10, 2, 3, 4), R(11, 2, 4, 5))
        .Add("MatMul batched with A transposed", x => Ops.MatMul(x[0], x[1], transposeA: true), R(12, 2, 4, 3), R(13, 2, 4, 5))
        .Add("MatMul batched with B transposed", x => Ops.MatMul(x[0], x[1], transposeB: true), R(14, 2, 3, 4), R(15, 2, 5, 4))
        .Add("MatMul batched with both transposed", x => Ops.MatMul(x[0], x[1], transposeA: true, transposeB: true), R(16, 2, 4, 3), R(17, 2, 5, 4))
        .Add("MatMul of rank 3 by a matrix", x => Ops.MatMul(x[0], x[1]), R(18, 2, 3, 4), R(19, 4, 5))
        .Add("MatMul of rank 3 by a transposed matrix", x => Ops.MatMul(x[0], x[1], transposeB: true), R(20, 2, 3, 4), R(21, 5, 4))
        .Add("MatMul of rank 4 by a matrix", x => Ops.MatMul(x[0], x[1]), R(22, 2, 2, 3, 4), R(23, 4, 2))
        .Add("MatMul with a constant left operand", x => Ops.MatMul(s_left, x[0]), R(28, 4, 5))
        .Add("MatMul with a constant right operand", x => Ops.MatMul(x[0], s_right, transposeB: true), R(29, 3, 4))
        .Add("MatMul batched with a constant left operand", x => Ops.MatMul(s_leftBatched, x[0], transposeA: true), R(30, 2, 4, 5))
        .Add("MatMul of rank 3 by a constant matrix", x => Ops.MatMul(x[0], s_right, transposeB: true), R(31, 2, 3, 4))
        .Add("MatMul of a constant rank 3 by a matrix", x => Ops.MatMul(s_leftBatched, x[0]), R(32, 3, 2))
        .Add("MatMul with an inner dimension of 1", x => Ops.MatMul(x[0], x[1]), R(24, 3, 1), R(25, 1, 4));

    public static TheoryData<string> Cases => s_cases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatMul_gradient_matches_finite_differences(string op) => s_cases.Check(op);

    [Fact]
    public void MatMul_with_mismatched_inner_dimensions_names_both_shapes()
    {
        var act = () => Ops.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5));
        act.Should().Throw<ArgumentException>().WithMessage("*[2, 3]*[4, 5]*");
    }

    [Fact]
    public void MatMul_matches_a_naive_product()
    {
        var a = R(26, 3, 4);
        var b = R(27, 4, 5);
        var y = Ops.MatMul(a, b);
        var expected = new float[15];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                double s = 0;
                for (int k = 0; k < 4; k++)
                {
                    s += a[i, k] * (double)b[k, j];
                }

                expected[(i * 5) + j] = (float)s;
            }
        }

        TensorAssert.Close(expected, y.AsSpan(), 1e-6, 1e-5, "MatMul");
    }
}
