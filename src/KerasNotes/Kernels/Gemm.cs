using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KerasNotes.Kernels;

/// <summary>
/// Single-precision matrix product <c>C = op(A)·op(B)</c> (or <c>C += ...</c>), row-major,
/// where <c>op</c> is identity or transpose. The one seam every matrix product goes through.
/// </summary>
/// <remarks>
/// <para>GotoBLAS structure: B is packed into KC×NR column panels and a register-blocked
/// micro-kernel (Vector512 or Vector256 FMA, scalar fallback) computes MR×NR tiles of C. A is read
/// in place with row and column strides (each of the MR rows is a contiguous stream in either
/// layout), so it needs no packing and no thread packs it twice; B's transpose is absorbed by its
/// packing. No operand is ever copied in transposed form.</para>
/// <para>Determinism: every element of C accumulates its K products in the same order (one FMA
/// chain per KC block, blocks added in order) on every path and whatever the thread split, so
/// the scalar and SIMD paths, and 1 or 2 threads, give bit-identical results.</para>
/// </remarks>
internal static unsafe class Gemm
{
    private const int KC = 256;
    private const int MC = 120;
    private const int NC = 1024;

    private const long ParallelThreshold = KernelControl.GemmParallelThreshold;

    /// <summary>
    /// Computes <c>C[m×n] = op(A)[m×k] · op(B)[k×n]</c>, or adds it to C when <paramref name="accumulate"/> is set.
    /// </summary>
    /// <param name="a">A, stored m×k (lda ≥ k) or, when <paramref name="transA"/>, k×m (lda ≥ m).</param>
    /// <param name="b">B, stored k×n (ldb ≥ n) or, when <paramref name="transB"/>, n×k (ldb ≥ k).</param>
    /// <param name="parallel">
    /// False keeps the product on the calling thread: a kernel that is itself split over the workers (the
    /// convolution, per image) must not start a second parallel loop from inside one.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, bool parallel = true)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    c.Slice(i * ldc, n).Clear();
                }
            }

            return;
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var p = new Problem(pa, lda, transA, pb, ldb, transB, pc, ldc, m, n, k, accumulate, KernelControl.Simd);
            if (m <= 2 && !transB)
            {
                // One or two rows (single-sample inference): stream B once per row instead of computing a
                // whole tile of which most rows would be padding. Reading B is the whole cost, so a large B
                // is split by columns over the threads (each core then streams half of it).
                if (parallel && KernelControl.Threads > 1 && (long)n * k >= GemvParallelThreshold)
                {
                    var job = GemvJob.Get();
                    job.Problem = p;
                    WorkerPool.Shared.Run(job, KernelControl.Threads);
                    job.Problem = default;
                }
                else
                {
                    for (int i = 0; i < m; i++)
                    {
                        Gemv(p, i, 0, n);
                    }
                }

                return;
            }

            int threads = parallel ? KernelControl.Threads : 1;
            if (threads > 1 && (long)m * n * k >= ParallelThreshold)
            {
                var job = GemmJob.Get();
                job.Problem = p;
                WorkerPool.Shared.Run(job, threads);
                job.Problem = default;
            }
            else
            {
                Compute(p, 0, m, 0, n);
            }
        }
    }

    /// <summary>
    /// Row <paramref name="i"/> of C = op(A) row i · B for a row-major B: per KC block, a vector of N partial sums
    /// accumulates a(k)·B[k, :] with FMA in k order and is then stored or added, exactly the chain each element
    /// gets in the tiled kernels, so a row's result does not depend on the path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv(in Problem p, int i, int n0, int n1)
    {
        nint rowStride = p.TransA ? 1 : p.Lda;
        nint colStride = p.TransA ? p.Lda : 1;
        float* a = p.A + (i * rowStride);
        float* c = p.C + ((long)i * p.Ldc) + n0;
        int n = n1 - n0;
        float* acc = stackalloc float[16];
        for (int pc = 0; pc < p.K; pc += KC)
        {
            int kc = Math.Min(KC, p.K - pc);
            bool first = pc == 0 && !p.Accumulate;
            float* ak = a + (pc * colStride);
            float* bk = p.B + ((long)pc * p.Ldb) + n0;
            int j = 0;
            if (p.Level == SimdLevel.Vector512)
            {
                for (; j <= n - 64; j += 64)
                {
                    GemvColumns512x4(kc, ak, colStride, bk + j, p.Ldb, c + j, first);
                }

                for (; j <= n - 16; j += 16)
                {
                    GemvColumns512x1(kc, ak, colStride, bk + j, p.Ldb, c + j, first);
                }
            }
            else if (p.Level == SimdLevel.Vector256)
            {
                for (; j <= n - 8; j += 8)
                {
                    GemvColumns256x1(kc, ak, colStride, bk + j, p.Ldb, c + j, first);
                }
            }

            // The last columns (fewer than a vector): k outer, columns inner, so the chains run side by side.
            int rest = n - j;
            if (rest > 0)
            {
                for (; j < n; j += 16)
                {
                    int w = Math.Min(16, n - j);
                    new Span<float>(acc, w).Clear();
                    for (int kk = 0; kk < kc; kk++)
                    {
                        float av = ak[kk * colStride];
                        float* row = bk + ((long)kk * p.Ldb) + j;
                        for (int t = 0; t < w; t++)
                        {
                            acc[t] = MathF.FusedMultiplyAdd(av, row[t], acc[t]);
                        }
                    }

                    for (int t = 0; t < w; t++)
                    {
                        c[j + t] = first ? acc[t] : c[j + t] + acc[t];
                    }
                }
            }
        }
    }

    // 64 columns in 4 registers, each summed over the block in k order (the same chain as a tile element).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemvColumns512x4(int kc, float* a, nint cs, float* b, int ldb, float* c, bool first)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int kk = 0; kk < kc; kk++)
        {
            var av = Vector512.Create(a[kk * cs]);
            float* row = b + ((long)kk * ldb);
            c0 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row), c0);
            c1 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 16), c1);
            c2 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 32), c2);
            c3 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 48), c3);
        }

        Store512(c, c0, first);
        Store512(c + 16, c1, first);
        Store512(c + 32, c2, first);
        Store512(c + 48, c3, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemvColumns512x1(int kc, float* a, nint cs, float* b, int ldb, float* c, bool first)
    {
        Vector512<float> c0 = default;
        for (int kk = 0; kk < kc; kk++)
        {
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[kk * cs]), Vector512.Load(b + ((long)kk * ldb)), c0);
        }

        Store512(c, c0, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemvColumns256x1(int kc, float* a, nint cs, float* b, int ldb, float* c, bool first)
    {
        Vector256<float> c0 = default;
        for (int kk = 0; kk < kc; kk++)
        {
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[kk * cs]), Vector256.Load(b + ((long)kk * ldb)), c0);
        }

        Vector256.Store(first ? c0 : Vector256.Load(c) + c0, c);
    }

    // A vector-matrix product this large is worth a second core's cache and bandwidth.
    private const long GemvParallelThreshold = KernelControl.GemvParallelThreshold;

    /// <summary>Splits the columns of a one- or two-row product over the threads, in 64-column chunks.</summary>
    private sealed class GemvJob : ParallelJob
    {
        [ThreadStatic]
        private static GemvJob? t_job;

        public Problem Problem;

        public static GemvJob Get() => t_job ??= new GemvJob();

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Run(int part, int parts)
        {
            var p = Problem;
            int chunks = (p.N + 63) / 64;
            int first = chunks * part / parts, last = chunks * (part + 1) / parts;
            int n0 = Math.Min(p.N, first * 64), n1 = Math.Min(p.N, last * 64);
            if (n0 < n1)
            {
                for (int i = 0; i < p.M; i++)
                {
                    Gemv(p, i, n0, n1);
                }
            }
        }
    }

    /// <summary>Splits C into one block per thread along its longer side, in whole micro-tiles.</summary>
    private sealed class GemmJob : ParallelJob
    {
        [ThreadStatic]
        private static GemmJob? t_job;

        public Problem Problem;

        public static GemmJob Get() => t_job ??= new GemmJob();

        public override void Run(int part, int parts)
        {
            var p = Problem;
            var (mr, nr) = TileSize(p.Level, p.N);
            if (p.N >= p.M)
            {
                var (start, end) = Split(p.N, nr, part, parts);
                if (start < end)
                {
                    Compute(p, 0, p.M, start, end);
                }
            }
            else
            {
                var (start, end) = Split(p.M, mr, part, parts);
                if (start < end)
                {
                    Compute(p, start, end, 0, p.N);
                }
            }
        }

        private static (int Start, int End) Split(int length, int unit, int part, int parts)
        {
            int tiles = (length + unit - 1) / unit;
            int per = tiles / parts, extra = tiles % parts;
            int first = (part * per) + Math.Min(part, extra);
            int count = per + (part < extra ? 1 : 0);
            return (Math.Min(length, first * unit), Math.Min(length, (first + count) * unit));
        }
    }

    private readonly struct Problem(
        float* a, int lda, bool transA, float* b, int ldb, bool transB, float* c, int ldc,
        int m, int n, int k, bool accumulate, SimdLevel level)
    {
        public readonly float* A = a;
        public readonly int Lda = lda;
        public readonly bool TransA = transA;
        public readonly float* B = b;
        public readonly int Ldb = ldb;
        public readonly bool TransB = transB;
        public readonly float* C = c;
        public readonly int Ldc = ldc;
        public readonly int M = m;
        public readonly int N = n;
        public readonly int K = k;
        public readonly bool Accumulate = accumulate;
        public readonly SimdLevel Level = level;
    }

    // A skinny product (the 10-class output layer) wastes most of a 32-wide tile; 12×16 fills one
    // register per row and still keeps 12 accumulators busy.
    private static (int Mr, int Nr) TileSize(SimdLevel level, int n) => level switch
    {
        SimdLevel.Vector512 when n <= 16 => (12, 16),
        SimdLevel.Vector512 => (6, 32),
        SimdLevel.Vector256 => (6, 16),
        _ => (4, 4),
    };

    /// <summary>Per-thread packing buffers, allocated once on the pinned heap.</summary>
    private sealed class PackBuffers
    {
        [ThreadStatic]
        private static PackBuffers? t_buffers;

        public readonly float* PackedB;
        private readonly float[] _b;

        private PackBuffers()
        {
            _b = GC.AllocateArray<float>(KC * (NC + 32), pinned: true);
            PackedB = (float*)Unsafe.AsPointer(ref _b[0]);
        }

        public static PackBuffers Get() => t_buffers ??= new PackBuffers();
    }

    /// <summary>Computes the block C[m0..m1, n0..n1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute(in Problem p, int m0, int m1, int n0, int n1)
    {
        var (mr, nr) = TileSize(p.Level, p.N);
        var buffers = PackBuffers.Get();
        float* packedB = buffers.PackedB;
        float* tile = stackalloc float[32 * 8];

        bool direct = !p.TransB && p.N == nr && p.Ldb == nr && n0 == 0 && n1 == nr;

        // A is read in place: element (i, k) is at A + i·rowStride + k·colStride, for either layout.
        nint rowStride = p.TransA ? 1 : p.Lda;
        nint colStride = p.TransA ? p.Lda : 1;

        for (int jc = n0; jc < n1; jc += NC)
        {
            int nc = Math.Min(NC, n1 - jc);
            for (int pc = 0; pc < p.K; pc += KC)
            {
                int kc = Math.Min(KC, p.K - pc);
                bool first = pc == 0 && !p.Accumulate;
                // A row-major B exactly one panel wide is already in packed layout (kc rows of nr values):
                // the kernel reads it in place instead of copying it (the kernel gradient of a convolution
                // with few filters streams a long, narrow output gradient this way).
                float* bBlock = direct ? p.B + ((long)pc * p.Ldb) : packedB;
                if (!direct)
                {
                    PackB(p, pc, kc, jc, nc, nr, packedB);
                }

                for (int ic = m0; ic < m1; ic += MC)
                {
                    int mc = Math.Min(MC, m1 - ic);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nrEff = Math.Min(nr, nc - jr);
                        float* bPanel = bBlock + (jr * kc);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int mrEff = Math.Min(mr, mc - ir);
                            float* a = p.A + ((ic + ir) * rowStride) + (pc * colStride);
                            float* cTile = p.C + ((long)(ic + ir) * p.Ldc) + jc + jr;
                            if (mrEff == mr && nrEff == nr)
                            {
                                RunKernel(p.Level, nr, kc, a, rowStride, colStride, mr, bPanel, cTile, p.Ldc, first);
                            }
                            else
                            {
                                // Edge tile: compute a full tile into scratch (missing rows repeat the last one,
                                // padded columns are zero), then copy the valid part.
                                RunKernel(p.Level, nr, kc, a, rowStride, colStride, mrEff, bPanel, tile, nr, first: true);
                                for (int i = 0; i < mrEff; i++)
                                {
                                    float* src = tile + (i * nr);
                                    float* dst = cTile + ((long)i * p.Ldc);
                                    if (first)
                                    {
                                        for (int j = 0; j < nrEff; j++)
                                        {
                                            dst[j] = src[j];
                                        }
                                    }
                                    else
                                    {
                                        for (int j = 0; j < nrEff; j++)
                                        {
                                            dst[j] += src[j];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunKernel(SimdLevel level, int nr, int kc, float* a, nint rs, nint cs, int rows, float* b, float* c, int ldc, bool first)
    {
        // Rows past the valid ones alias the last valid row, so the kernel never reads outside A.
        float* a0 = a;
        float* a1 = rows > 1 ? a + rs : a0;
        float* a2 = rows > 2 ? a + (2 * rs) : a1;
        float* a3 = rows > 3 ? a + (3 * rs) : a2;
        switch (level)
        {
            case SimdLevel.Vector512 when nr == 16:
                Kernel12x16(kc, a, rs, rows, cs, b, c, ldc, first);
                break;

            case SimdLevel.Vector512:
                {
                    float* a4 = rows > 4 ? a + (4 * rs) : a3;
                    float* a5 = rows > 5 ? a + (5 * rs) : a4;
                    Kernel6x32(kc, a0, a1, a2, a3, a4, a5, cs, b, c, ldc, first);
                    break;
                }

            case SimdLevel.Vector256:
                {
                    float* a4 = rows > 4 ? a + (4 * rs) : a3;
                    float* a5 = rows > 5 ? a + (5 * rs) : a4;
                    Kernel6x16(kc, a0, a1, a2, a3, a4, a5, cs, b, c, ldc, first);
                    break;
                }

            default:
                Kernel4x4Scalar(kc, a0, a1, a2, a3, cs, b, c, ldc, first);
                break;
        }
    }

    /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc] into NR-wide panels, zero-padded on the right.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(in Problem p, int pc, int kc, int jc, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + (jr * kc);
            if (!p.TransB)
            {
                // B is k×n: row p of the panel is a contiguous run of B.
                for (int kk = 0; kk < kc; kk++)
                {
                    float* src = p.B + ((long)(pc + kk) * p.Ldb) + jc + jr;
                    float* row = panel + (kk * nr);
                    if (cols == nr)
                    {
                        Buffer.MemoryCopy(src, row, nr * sizeof(float), nr * sizeof(float));
                    }
                    else
                    {
                        int j = 0;
                        for (; j < cols; j++)
                        {
                            row[j] = src[j];
                        }

                        for (; j < nr; j++)
                        {
                            row[j] = 0f;
                        }
                    }
                }
            }
            else
            {
                // B is stored n×k: column j of op(B) is row j of storage. Whole 8×8 blocks are transposed in
                // registers (a scalar gather here cost ~15 % of dY·Wᵀ); the rest is gathered element by element.
                float* source = p.B + ((long)(jc + jr) * p.Ldb) + pc;
                int vectorCols = 0;
                if (Avx.IsSupported)
                {
                    for (; vectorCols + 8 <= cols; vectorCols += 8)
                    {
                        float* block = source + ((long)vectorCols * p.Ldb);
                        int kk = 0;
                        for (; kk + 8 <= kc; kk += 8)
                        {
                            Transpose8x8(block + kk, p.Ldb, panel + (kk * nr) + vectorCols, nr);
                        }

                        for (; kk < kc; kk++)
                        {
                            float* row = panel + (kk * nr) + vectorCols;
                            for (int j = 0; j < 8; j++)
                            {
                                row[j] = block[((long)j * p.Ldb) + kk];
                            }
                        }
                    }
                }

                for (int kk = 0; kk < kc; kk++)
                {
                    float* row = panel + (kk * nr);
                    float* src = source + kk;
                    int j = vectorCols;
                    for (; j < cols; j++)
                    {
                        row[j] = src[(long)j * p.Ldb];
                    }

                    for (; j < nr; j++)
                    {
                        row[j] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Writes the transpose of the 8×8 block at <paramref name="src"/> (row stride <paramref name="lds"/>) to <paramref name="dst"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, int lds, float* dst, int ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + (2L * lds));
        var r3 = Avx.LoadVector256(src + (3L * lds));
        var r4 = Avx.LoadVector256(src + (4L * lds));
        var r5 = Avx.LoadVector256(src + (5L * lds));
        var r6 = Avx.LoadVector256(src + (6L * lds));
        var r7 = Avx.LoadVector256(src + (7L * lds));

        // Interleave pairs of rows, then pairs of pairs (within each 128-bit lane), then swap lanes.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + (2 * ldd), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + (3 * ldd), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + (4 * ldd), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + (5 * ldd), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + (6 * ldd), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + (7 * ldd), Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>6×32 tile with 12 Vector512 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x32(int kc, float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, nint cs, float* b, float* c, int ldc, bool first)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint off = 0;
        for (int kk = 0; kk < kc; kk++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(a0[off]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a1[off]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a2[off]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a3[off]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a4[off]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a5[off]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            off += cs;
            b += 32;
        }

        Store512(c, c00, c01, first);
        Store512(c + ldc, c10, c11, first);
        Store512(c + (2 * ldc), c20, c21, first);
        Store512(c + (3 * ldc), c30, c31, first);
        Store512(c + (4 * ldc), c40, c41, first);
        Store512(c + (5 * ldc), c50, c51, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v0, Vector512<float> v1, bool first)
    {
        if (first)
        {
            Vector512.Store(v0, c);
            Vector512.Store(v1, c + 16);
        }
        else
        {
            Vector512.Store(Vector512.Load(c) + v0, c);
            Vector512.Store(Vector512.Load(c + 16) + v1, c + 16);
        }
    }

    /// <summary>12×16 tile with 12 Vector512 accumulators, one per row (for products with at most 16 columns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel12x16(int kc, float* a, nint rs, int rows, nint cs, float* b, float* c, int ldc, bool first)
    {
        // Rows past the valid ones alias the last valid row.
        float* a0 = a;
        float* a1 = rows > 1 ? a + rs : a0;
        float* a2 = rows > 2 ? a + (2 * rs) : a1;
        float* a3 = rows > 3 ? a + (3 * rs) : a2;
        float* a4 = rows > 4 ? a + (4 * rs) : a3;
        float* a5 = rows > 5 ? a + (5 * rs) : a4;
        float* a6 = rows > 6 ? a + (6 * rs) : a5;
        float* a7 = rows > 7 ? a + (7 * rs) : a6;
        float* a8 = rows > 8 ? a + (8 * rs) : a7;
        float* a9 = rows > 9 ? a + (9 * rs) : a8;
        float* a10 = rows > 10 ? a + (10 * rs) : a9;
        float* a11 = rows > 11 ? a + (11 * rs) : a10;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        nint off = 0;
        for (int kk = 0; kk < kc; kk++)
        {
            var bv = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[off]), bv, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[off]), bv, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[off]), bv, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[off]), bv, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a4[off]), bv, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a5[off]), bv, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a6[off]), bv, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a7[off]), bv, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(a8[off]), bv, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(a9[off]), bv, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a10[off]), bv, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a11[off]), bv, c11);
            off += cs;
            b += 16;
        }

        Store512(c, c0, first);
        Store512(c + ldc, c1, first);
        Store512(c + (2 * ldc), c2, first);
        Store512(c + (3 * ldc), c3, first);
        Store512(c + (4 * ldc), c4, first);
        Store512(c + (5 * ldc), c5, first);
        Store512(c + (6 * ldc), c6, first);
        Store512(c + (7 * ldc), c7, first);
        Store512(c + (8 * ldc), c8, first);
        Store512(c + (9 * ldc), c9, first);
        Store512(c + (10 * ldc), c10, first);
        Store512(c + (11 * ldc), c11, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v, bool first) =>
        Vector512.Store(first ? v : Vector512.Load(c) + v, c);

    /// <summary>6×16 tile with 12 Vector256 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kc, float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, nint cs, float* b, float* c, int ldc, bool first)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint off = 0;
        for (int kk = 0; kk < kc; kk++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(a0[off]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a1[off]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a2[off]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a3[off]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a4[off]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a5[off]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            off += cs;
            b += 16;
        }

        Store256(c, c00, c01, first);
        Store256(c + ldc, c10, c11, first);
        Store256(c + (2 * ldc), c20, c21, first);
        Store256(c + (3 * ldc), c30, c31, first);
        Store256(c + (4 * ldc), c40, c41, first);
        Store256(c + (5 * ldc), c50, c51, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, bool first)
    {
        if (first)
        {
            Vector256.Store(v0, c);
            Vector256.Store(v1, c + 8);
        }
        else
        {
            Vector256.Store(Vector256.Load(c) + v0, c);
            Vector256.Store(Vector256.Load(c + 8) + v1, c + 8);
        }
    }

    /// <summary>Scalar 4×4 tile: the same FMA chain per element as the vector kernels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x4Scalar(int kc, float* a0, float* a1, float* a2, float* a3, nint cs, float* b, float* c, int ldc, bool first)
    {
        float* acc = stackalloc float[16];
        for (int i = 0; i < 16; i++)
        {
            acc[i] = 0f;
        }

        float** rows = stackalloc float*[4];
        rows[0] = a0;
        rows[1] = a1;
        rows[2] = a2;
        rows[3] = a3;
        nint off = 0;
        for (int kk = 0; kk < kc; kk++)
        {
            for (int i = 0; i < 4; i++)
            {
                float av = rows[i][off];
                for (int j = 0; j < 4; j++)
                {
                    acc[(i * 4) + j] = MathF.FusedMultiplyAdd(av, b[j], acc[(i * 4) + j]);
                }
            }

            off += cs;
            b += 4;
        }

        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                c[(i * ldc) + j] = first ? acc[(i * 4) + j] : c[(i * ldc) + j] + acc[(i * 4) + j];
            }
        }
    }
}
