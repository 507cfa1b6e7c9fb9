using System.Runtime.CompilerServices;
namespace KerasNotes.Kernels;

/// <summary>
/// Max and average pooling over channels_last images, vectorised over the channels (contiguous in memory): each
/// output position combines its window's cells one tap at a time with the element-wise driver, so every SIMD path
/// does the same operations in the same order. Images are split over the threads.
/// </summary>
/// <remarks>
/// TensorFlow's rules: padding never wins a maximum (it is −∞), a same-padded average divides by the number of
/// real cells under the window, and a maximum's gradient goes to the first maximal cell in row-major window order
/// (found again in the backward pass by comparing with the output, so nothing is stored per position).
/// </remarks>
internal static class Pool2DKernel
{
    /// <summary>What a pooling call computes.</summary>
    public enum Kind
    {
        /// <summary>Forward max pooling.</summary>
        MaxForward,

        /// <summary>Gradient of max pooling.</summary>
        MaxBackward,

        /// <summary>Forward average pooling.</summary>
        AverageForward,

        /// <summary>Gradient of average pooling.</summary>
        AverageBackward,
    }

    /// <summary>
    /// Forward: <paramref name="x"/> <c>[b, h, w, c]</c> → <paramref name="y"/> <c>[b, oh, ow, c]</c>. Backward:
    /// <paramref name="dy"/> → <paramref name="dx"/> (written, not added); max pooling also reads x and y.
    /// </summary>
    public static void Run(Kind kind, in Conv2DGeometry g, FloatSlice x, FloatSlice y, FloatSlice dy, FloatSlice dx)
    {
        var job = Job.Get();
        job.Set(kind, g, x, y, dy, dx);
        try
        {
            job.Execute(g.Batch, (long)g.OutPositions * g.Taps * g.Channels / 4);
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>The window of output position (oy, ox): its first input row and column and how many cells are real.</summary>
    private static (int Y0, int X0, int Count) Window(in Conv2DGeometry g, int oy, int ox)
    {
        int y0 = (oy * g.StrideHeight) - g.PadTop, x0 = (ox * g.StrideWidth) - g.PadLeft;
        int rows = Math.Min(y0 + g.WindowHeight, g.InHeight) - Math.Max(y0, 0);
        int cols = Math.Min(x0 + g.WindowWidth, g.InWidth) - Math.Max(x0, 0);
        return (y0, x0, Math.Max(rows, 0) * Math.Max(cols, 0));
    }

    private sealed class Job : ImageBatchJob
    {
        [ThreadStatic]
        private static Job? t_job;

        private Kind _kind;
        private Conv2DGeometry _g;
        private FloatSlice _x;
        private FloatSlice _y;
        private FloatSlice _dy;
        private FloatSlice _dx;

        public static Job Get() => t_job ??= new Job();

        public void Set(Kind kind, in Conv2DGeometry g, FloatSlice x, FloatSlice y, FloatSlice dy, FloatSlice dx)
        {
            _kind = kind;
            _g = g;
            _x = x;
            _y = y;
            _dy = dy;
            _dx = dx;
        }

        public void Clear() => _x = _y = _dy = _dx = default;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void RunImages(int first, int end)
        {
            var g = _g;
            int c = g.Channels;
            int outImage = g.OutPositions * c;
            Span<float> found = c <= 512 ? stackalloc float[c] : new float[c];
            for (int b = first; b < end; b++)
            {
                var x = _x.Span.IsEmpty ? default : _x.Span.Slice(b * g.InImage, g.InImage);
                var y = _y.Span.IsEmpty ? default : _y.Span.Slice(b * outImage, outImage);
                var dy = _dy.Span.IsEmpty ? default : _dy.Span.Slice(b * outImage, outImage);
                var dx = _dx.Span.IsEmpty ? default : _dx.Span.Slice(b * g.InImage, g.InImage);
                // Windows that never overlap touch each input cell at most once: their gradients are written, not
                // added, and only the cells no window covers need zeros (no pass clearing the whole image first).
                bool disjoint = g.StrideHeight >= g.WindowHeight && g.StrideWidth >= g.WindowWidth;
                if (_kind is Kind.MaxBackward or Kind.AverageBackward)
                {
                    if (disjoint)
                    {
                        ClearUncovered(g, dx);
                    }
                    else
                    {
                        dx.Clear();
                    }
                }

                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        int o = ((oy * g.OutWidth) + ox) * c;
                        var (y0, x0, count) = Window(g, oy, ox);
                        switch (_kind)
                        {
                            case Kind.MaxForward:
                                MaxForward(g, x, y0, x0, y.Slice(o, c));
                                break;
                            case Kind.AverageForward:
                                AverageForward(g, x, y0, x0, count, y.Slice(o, c));
                                break;
                            case Kind.MaxBackward:
                                MaxBackward(g, x, y0, x0, y.Slice(o, c), dy.Slice(o, c), dx, found, disjoint);
                                break;
                            default:
                                AverageBackward(g, y0, x0, count, dy.Slice(o, c), dx, found, disjoint);
                                break;
                        }
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MaxForward(in Conv2DGeometry g, ReadOnlySpan<float> x, int y0, int x0, Span<float> output)
        {
            bool any = false;
            for (int ky = 0; ky < g.WindowHeight; ky++)
            {
                int iy = y0 + ky;
                for (int kx = 0; (uint)iy < (uint)g.InHeight && kx < g.WindowWidth; kx++)
                {
                    int ix = x0 + kx;
                    if ((uint)ix >= (uint)g.InWidth)
                    {
                        continue;
                    }

                    var cell = x.Slice(((iy * g.InWidth) + ix) * g.Channels, g.Channels);
                    if (!any)
                    {
                        cell.CopyTo(output);
                        any = true;
                    }
                    else
                    {
                        ElementwiseDriver.Binary<MaximumOp>(output, cell, output);
                    }
                }
            }

            if (!any)
            {
                output.Fill(float.NegativeInfinity);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AverageForward(in Conv2DGeometry g, ReadOnlySpan<float> x, int y0, int x0, int count, Span<float> output)
        {
            output.Clear();
            for (int ky = 0; ky < g.WindowHeight; ky++)
            {
                int iy = y0 + ky;
                for (int kx = 0; (uint)iy < (uint)g.InHeight && kx < g.WindowWidth; kx++)
                {
                    int ix = x0 + kx;
                    if ((uint)ix < (uint)g.InWidth)
                    {
                        ElementwiseDriver.Binary<AddOp>(output, x.Slice(((iy * g.InWidth) + ix) * g.Channels, g.Channels), output);
                    }
                }
            }

            ElementwiseDriver.BinaryScalar<DivideOp>(output, Math.Max(count, 1), output);
        }

        /// <summary>Zeros the input cells that no window covers (the rows and columns past the last window, or between windows).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ClearUncovered(in Conv2DGeometry g, Span<float> dx)
        {
            Span<bool> rows = g.InHeight <= 1024 ? stackalloc bool[g.InHeight] : new bool[g.InHeight];
            Span<bool> cols = g.InWidth <= 1024 ? stackalloc bool[g.InWidth] : new bool[g.InWidth];
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int k = 0; k < g.WindowHeight; k++)
                {
                    int iy = (oy * g.StrideHeight) - g.PadTop + k;
                    if ((uint)iy < (uint)g.InHeight)
                    {
                        rows[iy] = true;
                    }
                }
            }

            for (int ox = 0; ox < g.OutWidth; ox++)
            {
                for (int k = 0; k < g.WindowWidth; k++)
                {
                    int ix = (ox * g.StrideWidth) - g.PadLeft + k;
                    if ((uint)ix < (uint)g.InWidth)
                    {
                        cols[ix] = true;
                    }
                }
            }

            int rowLength = g.InWidth * g.Channels;
            for (int iy = 0; iy < g.InHeight; iy++)
            {
                var row = dx.Slice(iy * rowLength, rowLength);
                if (!rows[iy])
                {
                    row.Clear();
                    continue;
                }

                for (int ix = 0; ix < g.InWidth; ix++)
                {
                    if (!cols[ix])
                    {
                        row.Slice(ix * g.Channels, g.Channels).Clear();
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MaxBackward(
            in Conv2DGeometry g, ReadOnlySpan<float> x, int y0, int x0, ReadOnlySpan<float> output, ReadOnlySpan<float> dy, Span<float> dx, Span<float> found, bool write)
        {
            // The window's real cells, in row-major order (at most the whole window).
            int c = g.Channels;
            found.Clear();
            Span<int> cells = stackalloc int[Math.Min(g.Taps, 256)];
            int n = 0;
            for (int ky = 0; ky < g.WindowHeight; ky++)
            {
                int iy = y0 + ky;
                for (int kx = 0; (uint)iy < (uint)g.InHeight && kx < g.WindowWidth; kx++)
                {
                    int ix = x0 + kx;
                    if ((uint)ix < (uint)g.InWidth)
                    {
                        if (n == cells.Length)
                        {
                            MaxBackwardCells(x, cells[..n], output, dy, dx, found, c, write);
                            n = 0;
                        }

                        cells[n++] = ((iy * g.InWidth) + ix) * c;
                    }
                }
            }

            MaxBackwardCells(x, cells[..n], output, dy, dx, found, c, write);
        }

        /// <summary>
        /// Walks the cells channel block by channel block, keeping "an earlier cell was the maximum" in a register:
        /// where a cell equals the maximum and none before it did, it takes the gradient. Only selections and one add
        /// per cell, so every path gives the same bits.
        /// </summary>
        /// <param name="write">The cells belong to this window only: store the gradient (or zero) instead of adding it.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MaxBackwardCells(
            ReadOnlySpan<float> x, ReadOnlySpan<int> cells, ReadOnlySpan<float> output, ReadOnlySpan<float> dy, Span<float> dx, Span<float> found, int c, bool write)
        {
            // Windows larger than the cell list arrive in pieces; found carries over between them.
            int ch = 0;
            if (KernelControl.Simd != SimdLevel.Scalar && System.Numerics.Vector.IsHardwareAccelerated)
            {
                int w = System.Numerics.Vector<float>.Count;
                for (; ch <= c - w; ch += w)
                {
                    var max = new System.Numerics.Vector<float>(output[ch..]);
                    var grad = new System.Numerics.Vector<float>(dy[ch..]);
                    var seen = new System.Numerics.Vector<float>(found[ch..]);
                    foreach (int at in cells)
                    {
                        var taken = System.Numerics.Vector.AndNot(
                            System.Numerics.Vector.AsVectorSingle(System.Numerics.Vector.Equals(new System.Numerics.Vector<float>(x[(at + ch)..]), max)), seen);
                        var target = dx.Slice(at + ch, w);
                        var share = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.AsVectorInt32(taken), grad, System.Numerics.Vector<float>.Zero);
                        (write ? share : new System.Numerics.Vector<float>(target) + share).CopyTo(target);
                        seen |= taken;
                    }

                    seen.CopyTo(found[ch..]);
                }
            }

            for (; ch < c; ch++)
            {
                bool seen = BitConverter.SingleToInt32Bits(found[ch]) != 0;
                foreach (int at in cells)
                {
                    bool taken = !seen && x[at + ch] == output[ch];
                    if (write)
                    {
                        dx[at + ch] = taken ? dy[ch] : 0f;
                    }
                    else if (taken)
                    {
                        dx[at + ch] += dy[ch];
                    }

                    seen |= taken;
                }

                found[ch] = BitConverter.Int32BitsToSingle(seen ? -1 : 0);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AverageBackward(in Conv2DGeometry g, int y0, int x0, int count, ReadOnlySpan<float> dy, Span<float> dx, Span<float> share, bool write)
        {
            // Each real cell under the window gets dy / count (the same divisor as the forward pass).
            ElementwiseDriver.BinaryScalar<DivideOp>(dy, Math.Max(count, 1), share);
            for (int ky = 0; ky < g.WindowHeight; ky++)
            {
                int iy = y0 + ky;
                for (int kx = 0; (uint)iy < (uint)g.InHeight && kx < g.WindowWidth; kx++)
                {
                    int ix = x0 + kx;
                    if ((uint)ix < (uint)g.InWidth)
                    {
                        var grad = dx.Slice(((iy * g.InWidth) + ix) * g.Channels, g.Channels);
                        if (write)
                        {
                            share.CopyTo(grad);
                        }
                        else
                        {
                            ElementwiseDriver.Binary<AddOp>(grad, share, grad);
                        }
                    }
                }
            }
        }
    }
}
