using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>
/// Every element-wise op struct gives bit-identical results through the element-wise driver on every SIMD level, for
/// every length 1..67 and a few larger ones, including special values (±0, ±∞, NaN), in all four driver shapes.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class ElementwiseDriverPathTests
{
    private delegate void Kernel(float[] x, float[] y, float[] d);

    private static Kernel Binary<TOp>()
        where TOp : IBinaryOp => (x, y, d) => ElementwiseDriver.Binary<TOp>(x, y, d);

    private static Kernel BinaryScalar<TOp>()
        where TOp : IBinaryOp => (x, y, d) => ElementwiseDriver.BinaryScalar<TOp>(x, y[0], d);

    private static Kernel ScalarBinary<TOp>()
        where TOp : IBinaryOp => (x, y, d) => ElementwiseDriver.ScalarBinary<TOp>(y[0], x, d);

    private static Kernel Unary<TOp>()
        where TOp : IUnaryOp => (x, _, d) => ElementwiseDriver.Unary<TOp>(x, d);

    private static IEnumerable<(string Name, Kernel Kernel)> BinaryForms<TOp>(string name)
        where TOp : IBinaryOp
    {
        yield return ($"Binary {name}", Binary<TOp>());
        yield return ($"BinaryScalar {name}", BinaryScalar<TOp>());
        yield return ($"ScalarBinary {name}", ScalarBinary<TOp>());
    }

    private static readonly Dictionary<string, Kernel> s_kernels = new[]
        {
            BinaryForms<AddOp>("Add"),
            BinaryForms<SubtractOp>("Subtract"),
            BinaryForms<MultiplyOp>("Multiply"),
            BinaryForms<DivideOp>("Divide"),
            BinaryForms<MaximumOp>("Maximum"),
            BinaryForms<MinimumOp>("Minimum"),
            BinaryForms<GreaterOp>("Greater"),
            BinaryForms<GreaterEqualOp>("GreaterEqual"),
            BinaryForms<LessOp>("Less"),
            BinaryForms<LessEqualOp>("LessEqual"),
            BinaryForms<EqualOp>("Equal"),
            BinaryForms<NotEqualOp>("NotEqual"),
            BinaryForms<ReluGradOp>("ReluGrad"),
            BinaryForms<TanhGradOp>("TanhGrad"),
            BinaryForms<SigmoidGradOp>("SigmoidGrad"),
            [
                ("Unary Relu", Unary<ReluOp>()),
                ("Unary Square", Unary<SquareOp>()),
                ("Unary Negate", Unary<NegateOp>()),
                ("Unary Abs", Unary<AbsOp>()),
                ("Unary Sign", Unary<SignOp>()),
                ("Unary Sqrt", Unary<SqrtOp>()),
                ("Unary Reciprocal", Unary<ReciprocalOp>()),
                ("Unary Floor", Unary<FloorOp>()),
                ("Unary Round", Unary<RoundOp>()),
            ],
        }
        .SelectMany(forms => forms)
        .ToDictionary(f => f.Name, f => f.Kernel, StringComparer.Ordinal);

    public static TheoryData<string> Kernels => new(s_kernels.Keys);

    private static float[] Run(Kernel kernel, SimdLevel level, float[] x, float[] y)
    {
        var d = new float[x.Length];
        using (new SimdLevelScope(level))
        {
            kernel(x, y, d);
        }

        return d;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Elementwise_kernel_is_bit_identical_on_every_simd_level(string name)
    {
        var kernel = s_kernels[name];
        foreach (bool specials in new[] { false, true })
        {
            foreach (int n in KernelSweep.Lengths)
            {
                var x = KernelSweep.Values(n, n, specials);
                var y = KernelSweep.Values(n + 5000, n, specials);
                var scalar = Run(kernel, SimdLevel.Scalar, x, y);
                foreach (var level in GlobalKernelSettings.Levels.Skip(1))
                {
                    TensorAssert.BitEqual(scalar, Run(kernel, level, x, y), $"{name} length {n} specials={specials} {level} vs Scalar");
                }
            }
        }
    }

    [Fact]
    public void Elementwise_kernel_may_run_in_place()
    {
        foreach (var level in GlobalKernelSettings.Levels)
        {
            using var scope = new SimdLevelScope(level);
            var x = KernelSweep.Values(1, 37);
            var expected = x.Select(v => v * v).ToArray();
            ElementwiseDriver.Unary<SquareOp>(x, x);
            TensorAssert.BitEqual(expected, x, $"in-place square {level}");
        }
    }
}
