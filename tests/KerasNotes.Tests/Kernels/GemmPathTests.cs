using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>
/// The GEMM kernel gives bit-identical results on the scalar, Vector256 and Vector512 paths and on 1 or 2 threads, for
/// every transpose combination, awkward sizes, padded leading dimensions and accumulation, and stays within float32
/// rounding of a double-precision reference.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class GemmPathTests
{
    private sealed record Problem(int M, int N, int K, bool TransA, bool TransB, bool Accumulate, int PadA, int PadB, int PadC, int Seed)
    {
        public int Lda => (TransA ? M : K) + PadA;

        public int Ldb => (TransB ? K : N) + PadB;

        public int Ldc => N + PadC;

        public float[] A => Values(Seed, (TransA ? K : M) * Lda);

        public float[] B => Values(Seed + 1, (TransB ? N : K) * Ldb);

        // C starts with random values (added to when accumulating) and NaN in its padding, which must stay untouched.
        public float[] InitialC
        {
            get
            {
                var c = Values(Seed + 2, M * Ldc);
                for (int i = 0; i < M; i++)
                {
                    for (int j = N; j < Ldc; j++)
                    {
                        c[(i * Ldc) + j] = float.NaN;
                    }
                }

                return c;
            }
        }

        public float[] Run()
        {
            var c = InitialC;
            Gemm.Multiply(A, Lda, TransA, B, Ldb, TransB, c, Ldc, M, N, K, Accumulate);
            return c;
        }

        public override string ToString() =>
            $"{M}x{N}x{K} transA={TransA} transB={TransB} accumulate={Accumulate} pads=({PadA},{PadB},{PadC})";
    }

    private static float[] Values(int seed, int count)
    {
        var rng = new System.Random(seed);
        var v = new float[count];
        for (int i = 0; i < count; i++)
        {
            v[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return v;
    }

    // A few hundred (m, n, k) triples over 1..67, spread over the 8 transpose/accumulate combinations.
    private static IEnumerable<Problem> SmallProblems(bool transA, bool transB, bool accumulate)
    {
        var rng = new System.Random(((transA ? 1 : 0) * 4) + ((transB ? 1 : 0) * 2) + (accumulate ? 1 : 0) + 17);
        for (int t = 0; t < 40; t++)
        {
            yield return new Problem(
                rng.Next(1, 68), rng.Next(1, 68), rng.Next(1, 68), transA, transB, accumulate,
                rng.Next(0, 2) * rng.Next(1, 4), rng.Next(0, 2) * rng.Next(1, 4), rng.Next(0, 2) * rng.Next(1, 4), rng.Next());
        }
    }

    public static TheoryData<bool, bool, bool> Combinations
    {
        get
        {
            var data = new TheoryData<bool, bool, bool>();
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    foreach (bool acc in new[] { false, true })
                    {
                        data.Add(ta, tb, acc);
                    }
                }
            }

            return data;
        }
    }

    private static void AssertPathsAgree(Problem p)
    {
        using var single = new IntraOpThreadsScope(1);
        var scalar = SimdLevelScope.Run(SimdLevel.Scalar, p.Run);
        foreach (var level in GlobalKernelSettings.Levels.Skip(1))
        {
            TensorAssert.BitEqual(scalar, SimdLevelScope.Run(level, p.Run), $"{p} {level} vs Scalar");
        }

        AssertCloseToReference(p, scalar);
    }

    private static void AssertCloseToReference(Problem p, float[] c)
    {
        var a = p.A;
        var b = p.B;
        var c0 = p.InitialC;
        for (int i = 0; i < p.M; i++)
        {
            for (int j = 0; j < p.N; j++)
            {
                double sum = p.Accumulate ? c0[(i * p.Ldc) + j] : 0.0;
                double magnitude = Math.Abs(sum);
                for (int k = 0; k < p.K; k++)
                {
                    double av = p.TransA ? a[(k * p.Lda) + i] : a[(i * p.Lda) + k];
                    double bv = p.TransB ? b[(j * p.Ldb) + k] : b[(k * p.Ldb) + j];
                    sum += av * bv;
                    magnitude += Math.Abs(av * bv);
                }

                double got = c[(i * p.Ldc) + j];
                // float32 accumulation error is bounded by a few ulps of the sum of magnitudes.
                Math.Abs(got - sum).Should().BeLessThanOrEqualTo((1e-6 * magnitude) + 1e-7, $"C[{i}, {j}] of {p}");
            }

            for (int j = p.N; j < p.Ldc; j++)
            {
                float.IsNaN(c[(i * p.Ldc) + j]).Should().BeTrue($"the padding C[{i}, {j}] of {p} is left alone");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Gemm_paths_are_bit_identical_and_match_a_double_reference_on_awkward_sizes(bool transA, bool transB, bool accumulate)
    {
        foreach (var p in SmallProblems(transA, transB, accumulate))
        {
            AssertPathsAgree(p);
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 67, 1)]
    [InlineData(67, 1, 67)]
    [InlineData(6, 32, 256)]
    [InlineData(7, 33, 257)]
    [InlineData(121, 17, 9)]
    [InlineData(5, 1025, 3)]
    [InlineData(2, 3, 513)]
    public void Gemm_paths_are_bit_identical_at_tile_and_block_edges(int m, int n, int k)
    {
        foreach (var (ta, tb, acc) in new[] { (false, false, false), (true, false, true), (false, true, false), (true, true, true) })
        {
            AssertPathsAgree(new Problem(m, n, k, ta, tb, acc, 1, 0, 2, (m * 31) + n + k));
        }
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, true, true)]
    [InlineData(false, true, true)]
    [InlineData(true, false, false)]
    public void Gemm_paths_are_bit_identical_across_the_cache_blocks(bool transA, bool transB, bool accumulate)
    {
        // Crosses KC = 256 (k = 270), MC = 120 (m = 300) and NC = 1024 (n = 1100).
        AssertPathsAgree(new Problem(300, 1100, 270, transA, transB, accumulate, 0, 0, 0, 99));
    }

    [Theory]
    [InlineData(256, 512, 384, false, false)]
    [InlineData(384, 128, 256, true, false)]
    [InlineData(128, 784, 256, false, true)]
    public void Gemm_on_two_threads_is_bit_identical_to_one_thread(int m, int n, int k, bool transA, bool transB)
    {
        foreach (var level in new[] { KernelControl.DetectSimd(), SimdLevel.Vector256 })
        {
            using var simd = new SimdLevelScope(level);
            var p = new Problem(m, n, k, transA, transB, false, 0, 0, 0, 7);
            float[] one, two;
            using (new IntraOpThreadsScope(1))
            {
                one = p.Run();
            }

            using (new IntraOpThreadsScope(2))
            {
                two = p.Run();
            }

            TensorAssert.BitEqual(one, two, $"{p} {level} 2 threads vs 1");
        }
    }

    [Fact]
    public void Gemm_with_k_zero_clears_c_unless_accumulating()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Multiply([], 0, false, [], 2, false, c, 2, 2, 2, 0, accumulate: true);
        c.Should().Equal(1, 2, 3, 4);
        Gemm.Multiply([], 0, false, [], 2, false, c, 2, 2, 2, 0, accumulate: false);
        c.Should().Equal(0, 0, 0, 0);
    }
}
