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
                if (_kind is Kind.MaxBackward or Kind.AverageBackward)
                {
                    dx.Clear();
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
                                MaxBackward(g, x, y0, x0, y.Slice(o, c), dy.Slice(o, c), dx, found);
                                break;
                            default:
                                AverageBackward(g, y0, x0, count, dy.Slice(o, c), dx, found);
                                break;
                        }
                    }
                }
            }
        }

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

        private static void MaxBackward(
            in Conv2DGeometry g, ReadOnlySpan<float> x, int y0, int x0, ReadOnlySpan<float> output, ReadOnlySpan<float> dy, Span<float> dx, Span<float> found)
        {
            int c = g.Channels;
            found.Clear();
            for (int ky = 0; ky < g.WindowHeight; ky++)
            {
                int iy = y0 + ky;
                for (int kx = 0; (uint)iy < (uint)g.InHeight && kx < g.WindowWidth; kx++)
                {
                    int ix = x0 + kx;
                    if ((uint)ix < (uint)g.InWidth)
                    {
                        int at = ((iy * g.InWidth) + ix) * c;
                        FirstMaximumTakesGradient(x.Slice(at, c), output, dy, dx.Slice(at, c), found);
                    }
                }
            }
        }

        /// <summary>
        /// One window cell: where it equals the window's maximum and no earlier cell did (<paramref name="found"/> is
        /// all ones bits there), it takes the gradient. Only selections and one add per cell, so every path agrees.
        /// </summary>
        private static void FirstMaximumTakesGradient(
            ReadOnlySpan<float> cell, ReadOnlySpan<float> output, ReadOnlySpan<float> dy, Span<float> grad, Span<float> found)
        {
            int ch = 0, c = cell.Length;
            if (KernelControl.Simd != SimdLevel.Scalar && System.Numerics.Vector.IsHardwareAccelerated)
            {
                int w = System.Numerics.Vector<float>.Count;
                for (; ch <= c - w; ch += w)
                {
                    var taken = System.Numerics.Vector.AsVectorSingle(System.Numerics.Vector.Equals(new System.Numerics.Vector<float>(cell[ch..]), new System.Numerics.Vector<float>(output[ch..])));
                    var before = new System.Numerics.Vector<float>(found[ch..]);
                    taken = System.Numerics.Vector.AndNot(taken, before);
                    var sum = new System.Numerics.Vector<float>(grad[ch..]) + System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.AsVectorInt32(taken), new System.Numerics.Vector<float>(dy[ch..]), System.Numerics.Vector<float>.Zero);
                    sum.CopyTo(grad[ch..]);
                    (before | taken).CopyTo(found[ch..]);
                }
            }

            for (; ch < c; ch++)
            {
                if (BitConverter.SingleToInt32Bits(found[ch]) == 0 && cell[ch] == output[ch])
                {
                    grad[ch] += dy[ch];
                    found[ch] = BitConverter.Int32BitsToSingle(-1);
                }
            }
        }

        private static void AverageBackward(in Conv2DGeometry g, int y0, int x0, int count, ReadOnlySpan<float> dy, Span<float> dx, Span<float> share)
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
                        ElementwiseDriver.Binary<AddOp>(grad, share, grad);
                    }
                }
            }
        }
    }
}
