using KerasNotes.Kernels;
using KerasNotes.Optimizers;
using KerasNotes.Tests.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Optimizers;

/// <summary>
/// Every optimizer kernel gives the same bits on every SIMD level for lengths 1..67 and a few larger ones, over several
/// steps (so the slots carry state from step to step), and the vector kernels match the scalar formula they document.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class OptimizerKernelPathTests
{
    private const int Steps = 3;

    // One update rule applied in place to (weights, slot 1, slot 2, slot 3) with gradient g.
    private delegate void Update(float[] g, float[] w, float[] s1, float[] s2, float[] s3);

    private static readonly Dictionary<string, Update> s_updates = new(StringComparer.Ordinal)
    {
        ["Sgd"] = (g, w, _, _, _) => OptimizerKernels.Sgd(g, w, 0.01f),
        ["SgdMomentum"] = (g, w, m, _, _) => OptimizerKernels.SgdMomentum(g, w, m, 0.01f, 0.9f, nesterov: false),
        ["SgdMomentum Nesterov"] = (g, w, m, _, _) => OptimizerKernels.SgdMomentum(g, w, m, 0.01f, 0.9f, nesterov: true),
        ["Adam"] = (g, w, m, v, _) => OptimizerKernels.Adam(g, w, m, v, [], 0.1f, 0.001f, 0.00031622776f, 1e-7f),
        ["Adam AMSGrad"] = (g, w, m, v, vHat) => OptimizerKernels.Adam(g, w, m, v, vHat, 0.1f, 0.001f, 0.00031622776f, 1e-7f),
        ["RmsProp"] = (g, w, v, _, _) => OptimizerKernels.RmsProp(g, w, v, [], [], 0.001f, 0.9f, 0.1f, 0f, 1e-7f),
        ["RmsProp centered with momentum"] = (g, w, v, m, a) => OptimizerKernels.RmsProp(g, w, v, m, a, 0.001f, 0.9f, 0.1f, 0.5f, 1e-7f),
        ["Adagrad"] = (g, w, acc, _, _) => OptimizerKernels.Adagrad(g, w, acc, 0.001f, 1e-7f),
        ["DecoupledWeightDecay"] = (_, w, _, _, _) => OptimizerKernels.DecoupledWeightDecay(w, 0.004f, 0.001f),
        ["ScaleThenDivide"] = (g, w, _, _, _) => OptimizerKernels.ScaleThenDivide(g, 0.75f, 1.3f, w),
        ["SumOfSquares"] = (g, w, _, _, _) => w[0] = OptimizerKernels.SumOfSquares(g),
    };

    public static TheoryData<string> Updates => new(s_updates.Keys);

    private static float[][] Run(Update update, SimdLevel level, int n)
    {
        var w = KernelSweep.Values(n, n);
        var s1 = KernelSweep.Values(n + 1, n, 0f, 0.1f);
        var s2 = KernelSweep.Values(n + 2, n, 0f, 0.1f);
        var s3 = KernelSweep.Values(n + 3, n, 0f, 0.1f);
        using var scope = new SimdLevelScope(level);
        for (int step = 0; step < Steps; step++)
        {
            update(KernelSweep.Values((n * 10) + step, n), w, s1, s2, s3);
        }

        return [w, s1, s2, s3];
    }

    [Theory]
    [MemberData(nameof(Updates))]
    public void Optimizer_kernel_is_bit_identical_on_every_simd_level(string name)
    {
        var update = s_updates[name];
        foreach (int n in KernelSweep.Lengths)
        {
            var scalar = Run(update, SimdLevel.Scalar, n);
            foreach (var level in GlobalKernelSettings.Levels.Skip(1))
            {
                var got = Run(update, level, n);
                for (int s = 0; s < scalar.Length; s++)
                {
                    TensorAssert.BitEqual(scalar[s], got[s], $"{name} length {n} {level} array {s}");
                }
            }
        }
    }

    [Fact]
    public void Adam_vector_kernel_matches_its_documented_formula()
    {
        const int N = 45;
        const float B1 = 0.1f, B2 = 0.001f, Alpha = 0.001f, Eps = 1e-7f;
        var g = KernelSweep.Values(1, N);
        var w = KernelSweep.Values(2, N);
        var m = KernelSweep.Values(3, N, 0f, 0.1f);
        var v = KernelSweep.Values(4, N, 0f, 0.1f);
        var expectedW = new float[N];
        for (int i = 0; i < N; i++)
        {
            float mi = m[i] + ((g[i] - m[i]) * B1);
            float vi = v[i] + (((g[i] * g[i]) - v[i]) * B2);
            expectedW[i] = w[i] - ((mi * Alpha) / (MathF.Sqrt(vi) + Eps));
        }

        using var scope = new SimdLevelScope(KernelControl.DetectSimd());
        OptimizerKernels.Adam(g, w, m, v, [], B1, B2, Alpha, Eps);
        TensorAssert.BitEqual(expectedW, w, "Adam weights");
    }
}
