using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.OpsTests;

/// <summary>Finite-difference checks of the convolution and pooling ops (valid and same padding, strides, dilation).</summary>
public sealed class ConvGradientTests
{
    private static Tensor R(int seed, params int[] shape) => GradientCheck.Random(seed, -1f, 1f, shape);

    // Distinct values keep every window's maximum unique, so max pooling is differentiable where it is checked.
    private static Tensor D(int seed, params int[] shape) => GradientCheck.Distinct(seed, 0.05f, shape);

    private static readonly GradientCases s_cases = new GradientCases()
        .Add("Conv2D valid", x => Ops.Conv2D(x[0], x[1]), R(1, 2, 5, 5, 2), R(2, 3, 3, 2, 3))
        .Add("Conv2D same, stride 2, odd total padding", x => Ops.Conv2D(x[0], x[1], 2, "same"), R(3, 2, 6, 7, 3), R(4, 3, 3, 3, 2))
        .Add("Conv2D rectangular kernel and strides", x => Ops.Conv2D(x[0], x[1], (1, 2), "valid", (1, 1)), R(5, 1, 5, 7, 2), R(6, 2, 3, 2, 2))
        .Add("Conv2D dilated same", x => Ops.Conv2D(x[0], x[1], 1, "same", 2), R(7, 1, 6, 6, 1), R(8, 3, 3, 1, 2))
        .Add("Conv2D one channel wide output", x => Ops.Conv2D(x[0], x[1]), R(9, 3, 4, 4, 1), R(10, 2, 2, 1, 17))
        .Add("MaxPool2D valid", x => Ops.MaxPool2D(x[0]), D(11, 2, 4, 6, 3))
        .Add("MaxPool2D same, overlapping windows", x => Ops.MaxPool2D(x[0], 3, 2, "same"), D(12, 1, 5, 6, 2))
        .Add("MaxPool2D with gaps between windows (stride 3, pool 2)", x => Ops.MaxPool2D(x[0], 2, 3), D(17, 1, 8, 7, 3))
        .Add("AvgPool2D with gaps and a leftover column", x => Ops.AvgPool2D(x[0], (2, 1), (3, 2), "valid"), R(18, 2, 7, 6, 2))
        .Add("AvgPool2D valid", x => Ops.AvgPool2D(x[0]), R(13, 2, 4, 4, 3))
        .Add("AvgPool2D same, divided by real cells", x => Ops.AvgPool2D(x[0], 3, 1, "same"), R(14, 1, 4, 5, 2))
        .Add("GlobalAveragePool2D", x => Ops.GlobalAveragePool2D(x[0]), R(15, 2, 3, 4, 2))
        .Add("GlobalMaxPool2D kept dims", x => Ops.GlobalMaxPool2D(x[0], keepDims: true), D(16, 2, 3, 4, 2));

    public static TheoryData<string> Cases => s_cases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv_op_gradient_matches_finite_differences(string op) => s_cases.Check(op);

    [Fact]
    public void Conv2D_equals_the_direct_sum_over_the_window()
    {
        var x = R(20, 2, 6, 5, 3);
        var k = R(21, 3, 2, 3, 4);
        var y = Ops.Conv2D(x, k, (2, 1), "same", (1, 1));
        y.Shape.Should().Be(new Shape(2, 3, 5, 4));
        // same: out = ceil(6/2) = 3 rows, total = (3-1)*2 + 3 - 6 = 1 -> top 0, bottom 1; width: total 1 -> left 0.
        for (int b = 0; b < 2; b++)
        {
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 5; j++)
                {
                    for (int f = 0; f < 4; f++)
                    {
                        double sum = 0;
                        for (int r = 0; r < 3; r++)
                        {
                            for (int c = 0; c < 2; c++)
                            {
                                int iy = (i * 2) + r, ix = j + c;
                                if (iy >= 6 || ix >= 5)
                                {
                                    continue;
                                }

                                for (int ch = 0; ch < 3; ch++)
                                {
                                    sum += x[b, iy, ix, ch] * (double)k[r, c, ch, f];
                                }
                            }
                        }

                        y[b, i, j, f].Should().BeApproximately((float)sum, 1e-5f);
                    }
                }
            }
        }
    }

    [Fact]
    public void Conv2D_rejects_bad_shapes_naming_them()
    {
        var x = R(30, 1, 4, 4, 2);
        ((Action)(() => Ops.Conv2D(Ops.Reshape(x, 1, 16, 2), R(31, 3, 3, 2, 1)))).Should().Throw<ArgumentException>().WithMessage("*4-D input*[1, 16, 2]*");
        ((Action)(() => Ops.Conv2D(x, R(32, 3, 3, 3, 1)))).Should().Throw<ArgumentException>().WithMessage("*3 input channels*has 2*");
        ((Action)(() => Ops.Conv2D(x, R(33, 5, 5, 2, 1)))).Should().Throw<ArgumentException>().WithMessage("*5×5*larger than the input 4×4*valid*");
        ((Action)(() => Ops.Conv2D(x, R(34, 3, 3, 2, 1), 0))).Should().Throw<ArgumentException>().WithMessage("*strides*(0, 0)*positive*");
        ((Action)(() => Ops.Conv2D(x, R(35, 2, 2, 2, 1), 2, "valid", 2))).Should().Throw<ArgumentException>().WithMessage("*strides*dilationRate*");
        ((Action)(() => Ops.Conv2D(x, R(36, 2, 2, 2, 1), 1, "causal"))).Should().Throw<ArgumentException>().WithMessage("*\"causal\"*\"valid\" or \"same\"*");
        ((Action)(() => Ops.MaxPool2D(x, 5))).Should().Throw<ArgumentException>().WithMessage("*5×5*larger than the input 4×4*");
        ((Action)(() => Ops.AvgPool2D(x, 2, -1))).Should().Throw<ArgumentException>().WithMessage("*strides*(-1, -1)*");
    }
}
