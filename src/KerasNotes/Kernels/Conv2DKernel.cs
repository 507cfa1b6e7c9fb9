using System.Runtime.CompilerServices;
namespace KerasNotes.Kernels;

/// <summary>
/// 2-D convolution over channels_last images, lowered onto the packed GEMM. The Keras kernel
/// <c>[kh, kw, in, out]</c> is already the GEMM's right-hand matrix <c>[kh·kw·in, out]</c>; the left-hand matrix
/// (one row of input patches per output position) is built a chunk of rows at a time into a per-thread buffer of
/// a few hundred kilobytes, never for a whole batch.
/// </summary>
/// <remarks>
/// <para>Work split: the forward pass and the input gradient go image by image (each thread owns whole images,
/// so the input gradient never races); the kernel gradient goes by blocks of filters (or of taps when dW has few
/// rows), each thread summing over every image in the same chunk order.</para>
/// <para>Determinism: chunks depend only on the sizes, never on the thread count, and every output element is one
/// GEMM element, which accumulates the same way whatever tile or split it falls in; so 1 and 2 threads, and
/// every SIMD path, give the same bits.</para>
/// </remarks>
internal static class Conv2DKernel
{
    // The kernel gradient splits by filters only when dW has at least this many rows per part; fewer rows (a first
    // layer on grey images has 9) split by taps, so the narrow dy is read in place by every part.
    private const int MinRowsPerPart = 48;

    // A part of a split by filters computes at least this many columns of dW (one vector tile).
    private const int MinFiltersPerPart = 16;

    // The patch buffer holds at most this many floats (256 KB): it stays in L2 while the GEMM reads it.
    private const int ChunkFloats = 1 << 16;

    /// <summary>Output positions per chunk: a multiple of the GEMM's row tile, fixed by the sizes alone.</summary>
    public static int RowsPerChunk(in Conv2DGeometry g, int patchWidth)
    {
        int rows = Math.Max(12, ChunkFloats / Math.Max(1, patchWidth) / 12 * 12);
        return Math.Min(rows, Math.Max(1, g.OutPositions));
    }

    /// <summary>
    /// <c>y[b, oy, ox, :] = act(Σ patch(b, oy, ox) · W + bias)</c> for every image; y is <c>[batch, outH, outW, filters]</c>.
    /// The bias and activation are applied to each chunk right after its product, while it is still in cache.
    /// </summary>
    public static void Forward(in Conv2DGeometry g, FloatSlice x, FloatSlice kernel, FloatSlice bias, FusedActivation activation, int filters, FloatSlice y)
    {
        var job = ForwardJob.Get();
        job.Set(g, x, kernel, filters, y);
        job.Bias = bias;
        job.Activation = activation;
        try
        {
            job.Execute(g.Batch, (long)g.OutPositions * g.Taps * g.Channels * filters / 64);
        }
        finally
        {
            job.Clear();
            job.Bias = default;
        }
    }

    /// <summary>
    /// The gradient through the fused activation, <c>dz = dy · act′(y)</c>, split over the threads by the generic
    /// parallel-for (a first layer's output is tens of megabytes; one thread alone would leave the other idle).
    /// </summary>
    public static void ActivationGrad(FloatSlice dy, FloatSlice y, FusedActivation activation, FloatSlice dz)
    {
        var body = ActivationGradBody.Get();
        body.Set(dy, y, activation, dz);
        try
        {
            ParallelFor.Run(body, dz.Length, KernelControl.UpdateParallelThreshold);
        }
        finally
        {
            body.Set(default, default, FusedActivation.None, default);
        }
    }

    /// <summary>The input gradient: each output's <c>dy · Wᵀ</c> added back onto the input positions its patch read.</summary>
    public static void BackwardInput(in Conv2DGeometry g, FloatSlice dy, FloatSlice kernel, int filters, FloatSlice dx)
    {
        var job = InputGradJob.Get();
        job.Set(g, dy, kernel, filters, dx);
        try
        {
            job.Execute(g.Batch, (long)g.OutPositions * g.Taps * g.Channels * filters / 64);
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>The kernel gradient <c>dW = Σ patchesᵀ · dy</c> over every image, written (not added) to <paramref name="dw"/>.</summary>
    public static void BackwardKernel(in Conv2DGeometry g, FloatSlice x, FloatSlice dy, int filters, FloatSlice dw)
    {
        var job = KernelGradJob.Get();
        job.Set(g, x, dy, filters, dw);
        try
        {
            long work = (long)g.Batch * g.OutPositions * g.Taps * g.Channels * filters;
            // Parts own blocks of dW's columns (filters), each packing only its share of dy (the GEMM's packed
            // operand; building patches twice costs far less than packing dy twice). A layer with few patch columns
            // (a first layer on grey images: 9) splits by rows (taps) instead: its dy, one GEMM panel wide, is then
            // read in place by both parts. The split changes which part computes an element, never how: every
            // element sums the same products in the same chunk order.
            int parts = KernelControl.Threads;
            job.ByFilters = filters >= MinFiltersPerPart * parts && g.Taps * g.Channels >= MinRowsPerPart * parts;
            parts = Math.Min(parts, job.ByFilters ? filters / MinFiltersPerPart : g.Taps);

            if (parts > 1 && work >= KernelControl.GemmParallelThreshold)
            {
                WorkerPool.Shared.Run(job, parts);
            }
            else
            {
                job.Run(0, 1);
            }
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>
    /// Writes the patches of output positions <paramref name="row0"/> … + <paramref name="rows"/> − 1 of one image,
    /// restricted to taps <paramref name="tap0"/> … <paramref name="tap1"/> − 1: row r holds, tap after tap, the
    /// <c>channels</c> input values under that tap (zeros where the tap falls in the padding).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BuildPatches(in Conv2DGeometry g, ReadOnlySpan<float> image, int row0, int rows, int tap0, int tap1, Span<float> patches)
    {
        int c = g.Channels;
        int width = (tap1 - tap0) * c;
        bool wholeRows = g.DilationWidth == 1 && tap0 == 0 && tap1 == g.Taps;
        for (int r = 0; r < rows; r++)
        {
            int pos = row0 + r;
            int oy = pos / g.OutWidth, ox = pos - (oy * g.OutWidth);
            int iy0 = (oy * g.StrideHeight) - g.PadTop;
            int ix0 = (ox * g.StrideWidth) - g.PadLeft;
            var dst = patches.Slice(r * width, width);
            if (wholeRows && ix0 >= 0 && ix0 + g.WindowWidth <= g.InWidth)
            {
                // Undilated and horizontally inside: each kernel row reads kw·c contiguous values.
                int span = g.WindowWidth * c;
                for (int ky = 0; ky < g.WindowHeight; ky++)
                {
                    int iy = iy0 + (ky * g.DilationHeight);
                    var row = dst.Slice(ky * span, span);
                    if ((uint)iy < (uint)g.InHeight)
                    {
                        Copy(image.Slice(((iy * g.InWidth) + ix0) * c, span), row);
                    }
                    else
                    {
                        row.Clear();
                    }
                }

                continue;
            }

            for (int t = tap0; t < tap1; t++)
            {
                int ky = t / g.WindowWidth, kx = t - (ky * g.WindowWidth);
                int iy = iy0 + (ky * g.DilationHeight), ix = ix0 + (kx * g.DilationWidth);
                var cell = dst.Slice((t - tap0) * c, c);
                if ((uint)iy < (uint)g.InHeight && (uint)ix < (uint)g.InWidth)
                {
                    Copy(image.Slice(((iy * g.InWidth) + ix) * c, c), cell);
                }
                else
                {
                    cell.Clear();
                }
            }
        }
    }

    /// <summary>Copies a few values with a plain loop (a call to the block copy costs more than 1–8 floats), more with a block copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Copy(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.Length > 16)
        {
            source.CopyTo(destination);
            return;
        }

        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = source[i];
        }
    }

    /// <summary>Adds each patch row back onto the input positions it was read from (the transpose of <see cref="BuildPatches"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterPatches(in Conv2DGeometry g, ReadOnlySpan<float> patches, int row0, int rows, Span<float> image)
    {
        int c = g.Channels;
        int width = g.Taps * c;
        for (int r = 0; r < rows; r++)
        {
            int pos = row0 + r;
            int oy = pos / g.OutWidth, ox = pos - (oy * g.OutWidth);
            int iy0 = (oy * g.StrideHeight) - g.PadTop;
            int ix0 = (ox * g.StrideWidth) - g.PadLeft;
            var src = patches.Slice(r * width, width);
            for (int t = 0; t < g.Taps; t++)
            {
                int ky = t / g.WindowWidth, kx = t - (ky * g.WindowWidth);
                int iy = iy0 + (ky * g.DilationHeight), ix = ix0 + (kx * g.DilationWidth);
                if ((uint)iy < (uint)g.InHeight && (uint)ix < (uint)g.InWidth)
                {
                    var cell = image.Slice(((iy * g.InWidth) + ix) * c, c);
                    ElementwiseDriver.Binary<AddOp>(cell, src.Slice(t * c, c), cell);
                }
            }
        }
    }

    /// <summary>
    /// Writes each input cell's gradient: the sum, tap by tap in kernel order, of the patch cells that read it
    /// (the patches of every output position of the image are in <paramref name="patches"/>); zero when none did.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherPatches(in Conv2DGeometry g, ReadOnlySpan<float> patches, Span<float> image)
    {
        int c = g.Channels;
        int width = g.Taps * c;
        for (int iy = 0; iy < g.InHeight; iy++)
        {
            for (int ix = 0; ix < g.InWidth; ix++)
            {
                var cell = image.Slice(((iy * g.InWidth) + ix) * c, c);
                bool any = false;
                for (int ky = 0; ky < g.WindowHeight; ky++)
                {
                    // Output row oy reads input row iy through tap ky when oy·sh − pt + ky·dh = iy.
                    int ty = iy + g.PadTop - (ky * g.DilationHeight);
                    if (ty < 0 || ty % g.StrideHeight != 0 || ty / g.StrideHeight >= g.OutHeight)
                    {
                        continue;
                    }

                    int oy = ty / g.StrideHeight;
                    for (int kx = 0; kx < g.WindowWidth; kx++)
                    {
                        int tx = ix + g.PadLeft - (kx * g.DilationWidth);
                        if (tx < 0 || tx % g.StrideWidth != 0 || tx / g.StrideWidth >= g.OutWidth)
                        {
                            continue;
                        }

                        int pos = (oy * g.OutWidth) + (tx / g.StrideWidth);
                        var share = patches.Slice((pos * width) + (((ky * g.WindowWidth) + kx) * c), c);
                        if (any)
                        {
                            ElementwiseDriver.Binary<AddOp>(cell, share, cell);
                        }
                        else
                        {
                            Copy(share, cell);
                            any = true;
                        }
                    }
                }

                if (!any)
                {
                    cell.Clear();
                }
            }
        }
    }

    /// <summary>Per-thread chunk buffers, grown once to the largest chunk seen and then reused.</summary>
    private sealed class Scratch
    {
        [ThreadStatic]
        private static Scratch? t_scratch;

        private float[] _buffer = [];

        public static Span<float> Get(int floats)
        {
            var s = t_scratch ??= new Scratch();
            if (s._buffer.Length < floats)
            {
                s._buffer = new float[floats];
            }

            return s._buffer.AsSpan(0, floats);
        }
    }

    /// <summary>The operands and sizes one call works on, shared by its parts (cleared after the call).</summary>
    private abstract class Call<TSelf> : ImageBatchJob
        where TSelf : Call<TSelf>, new()
    {
        [ThreadStatic]
        private static TSelf? t_job;

        private FloatSlice _a;
        private FloatSlice _b;
        private FloatSlice _out;

        protected Conv2DGeometry G { get; private set; }

        protected int Filters { get; private set; }

        protected ReadOnlySpan<float> A => _a.Span;

        protected ReadOnlySpan<float> B => _b.Span;

        protected Span<float> Out => _out.Span;

        public static TSelf Get() => t_job ??= new TSelf();

        public void Set(in Conv2DGeometry g, FloatSlice a, FloatSlice b, int filters, FloatSlice output)
        {
            G = g;
            Filters = filters;
            _a = a;
            _b = b;
            _out = output;
        }

        public void Clear() => _a = _b = _out = default;
    }

    private sealed class ForwardJob : Call<ForwardJob>
    {
        public FloatSlice Bias { get; set; }

        public FusedActivation Activation { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void RunImages(int first, int end)
        {
            bool epilogue = Bias.Length > 0 || Activation != FusedActivation.None;
            var g = G;
            int k = g.Taps * g.Channels;
            int chunk = RowsPerChunk(g, k);
            var patches = Scratch.Get(chunk * k);
            for (int b = first; b < end; b++)
            {
                var image = A.Slice(b * g.InImage, g.InImage);
                var y = Out.Slice(b * g.OutPositions * Filters, g.OutPositions * Filters);
                for (int row0 = 0; row0 < g.OutPositions; row0 += chunk)
                {
                    int rows = Math.Min(chunk, g.OutPositions - row0);
                    BuildPatches(g, image, row0, rows, 0, g.Taps, patches);
                    var block = y.Slice(row0 * Filters, rows * Filters);
                    Gemm.Multiply(patches, k, false, B, Filters, false, block, Filters, rows, Filters, k, accumulate: false, parallel: false);
                    if (epilogue)
                    {
                        LayerKernels.BiasActivation(block, Bias.Span, rows, Filters, Activation);
                    }
                }
            }
        }
    }

    /// <summary>One call's operands for <see cref="ActivationGrad"/>; each range is an independent element-wise pass.</summary>
    private sealed class ActivationGradBody : IRangeBody
    {
        [ThreadStatic]
        private static ActivationGradBody? t_body;

        private FloatSlice _dy;
        private FloatSlice _y;
        private FloatSlice _dz;
        private FusedActivation _activation;

        public static ActivationGradBody Get() => t_body ??= new ActivationGradBody();

        public void Set(FloatSlice dy, FloatSlice y, FusedActivation activation, FloatSlice dz)
        {
            _dy = dy;
            _y = y;
            _activation = activation;
            _dz = dz;
        }

        public void Run(long start, long end)
        {
            int offset = (int)start, length = (int)(end - start);
            LayerKernels.ActivationGrad(_dy.Span.Slice(offset, length), _y.Span.Slice(offset, length), _dz.Span.Slice(offset, length), _activation);
        }
    }

    private sealed class InputGradJob : Call<InputGradJob>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void RunImages(int first, int end)
        {
            var g = G;
            int k = g.Taps * g.Channels;
            int chunk = RowsPerChunk(g, k);
            var patches = Scratch.Get(chunk * k);

            // When one chunk holds every output position of an image, each input cell gathers its gradient from
            // the patch cells that read it and is written once; otherwise chunks scatter-add onto a cleared image.
            bool gather = chunk >= g.OutPositions;
            for (int b = first; b < end; b++)
            {
                var dy = A.Slice(b * g.OutPositions * Filters, g.OutPositions * Filters);
                var dx = Out.Slice(b * g.InImage, g.InImage);
                if (!gather)
                {
                    dx.Clear();
                }

                for (int row0 = 0; row0 < g.OutPositions; row0 += chunk)
                {
                    int rows = Math.Min(chunk, g.OutPositions - row0);
                    Gemm.Multiply(dy.Slice(row0 * Filters), Filters, false, B, Filters, true, patches, k, rows, k, Filters, accumulate: false, parallel: false);
                    if (gather)
                    {
                        GatherPatches(g, patches, dx);
                    }
                    else
                    {
                        ScatterPatches(g, patches, row0, rows, dx);
                    }
                }
            }
        }
    }

    /// <summary>The kernel gradient: each part owns a block of dW's columns (filters) or rows (taps).</summary>
    private sealed class KernelGradJob : ParallelJob
    {
        [ThreadStatic]
        private static KernelGradJob? t_job;

        private Conv2DGeometry _g;
        private int _filters;
        private FloatSlice _x;
        private FloatSlice _dy;
        private FloatSlice _dw;

        public static KernelGradJob Get() => t_job ??= new KernelGradJob();

        public void Set(in Conv2DGeometry g, FloatSlice x, FloatSlice dy, int filters, FloatSlice dw)
        {
            _g = g;
            _filters = filters;
            _x = x;
            _dy = dy;
            _dw = dw;
        }

        public void Clear() => _x = _dy = _dw = default;

        /// <summary>Parts own blocks of dW's columns (filters) rather than rows (taps).</summary>
        public bool ByFilters { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Run(int part, int parts)
        {
            var g = _g;
            int filters = _filters;
            int tap0 = 0, tap1 = g.Taps, f0 = 0, f1 = filters;
            if (ByFilters)
            {
                f0 = (int)((long)filters * part / parts);
                f1 = (int)((long)filters * (part + 1) / parts);
            }
            else
            {
                tap0 = (int)((long)g.Taps * part / parts);
                tap1 = (int)((long)g.Taps * (part + 1) / parts);
            }

            if (tap0 >= tap1 || f0 >= f1)
            {
                return;
            }

            int width = (tap1 - tap0) * g.Channels;
            int chunk = RowsPerChunk(g, g.Taps * g.Channels);
            var patches = Scratch.Get(chunk * width);
            var dw = _dw.Span.Slice((tap0 * g.Channels * filters) + f0, ((width - 1) * filters) + (f1 - f0));
            ReadOnlySpan<float> x = _x.Span, dyAll = _dy.Span;
            bool first = true;
            for (int b = 0; b < g.Batch; b++)
            {
                var image = x.Slice(b * g.InImage, g.InImage);
                var dy = dyAll.Slice(b * g.OutPositions * filters, g.OutPositions * filters);
                for (int row0 = 0; row0 < g.OutPositions; row0 += chunk)
                {
                    int rows = Math.Min(chunk, g.OutPositions - row0);
                    BuildPatches(g, image, row0, rows, tap0, tap1, patches);
                    Gemm.Multiply(
                        patches, width, true, dy.Slice((row0 * filters) + f0), filters, false, dw, filters,
                        width, f1 - f0, rows, accumulate: !first, parallel: false);
                    first = false;
                }
            }

            if (first)
            {
                for (int r = 0; r < width; r++)
                {
                    dw.Slice(r * filters, f1 - f0).Clear(); // no output positions at all
                }
            }
        }
    }
}
