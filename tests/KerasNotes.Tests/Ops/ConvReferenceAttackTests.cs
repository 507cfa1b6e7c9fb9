using System.Globalization;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KerasNotes.Tests.OpsTests;

/// <summary>
/// An outside attack on the convolution and pooling ops: values and gradients against direct loops in double on
/// random shapes (valid and TensorFlow "same" padding, strides 1–3 on each axis, dilation, odd sizes), sizes that
/// push the index arithmetic towards int's limits, and bad arguments.
/// </summary>
public sealed class ConvReferenceAttackTests(ITestOutputHelper output)
{
    // ------------------------------------------------------------------ the reference (double, long indices)

    /// <summary>TensorFlow's output size and leading padding, in long arithmetic.</summary>
    internal static (long Out, long Before) Pad(long input, long window, long stride, long dilation, bool same)
    {
        long span = ((window - 1) * dilation) + 1;
        if (same)
        {
            long o = (input + stride - 1) / stride;
            long total = Math.Max(((o - 1) * stride) + span - input, 0);
            return (o, total / 2);
        }

        return (input < span ? 0 : ((input - span) / stride) + 1, 0);
    }

    internal sealed record ConvCase(int B, int H, int W, int C, int F, int Kh, int Kw, int Sh, int Sw, int Dh, int Dw, bool Same)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"x[{B},{H},{W},{C}] k[{Kh},{Kw},{C},{F}] strides ({Sh},{Sw}) dilation ({Dh},{Dw}) {(Same ? "same" : "valid")}");
    }

    /// <summary>y[b,i,j,f] = Σ x[b, i·sh − top + r·dh, j·sw − left + c·dw, ch] · k[r, c, ch, f], zero outside.</summary>
    internal static double[] RefConv(ConvCase c, float[] x, float[] k, out long oh, out long ow)
    {
        var (outH, top) = Pad(c.H, c.Kh, c.Sh, c.Dh, c.Same);
        var (outW, left) = Pad(c.W, c.Kw, c.Sw, c.Dw, c.Same);
        oh = outH;
        ow = outW;
        var y = new double[c.B * outH * outW * c.F];
        for (int b = 0; b < c.B; b++)
        {
            for (long i = 0; i < outH; i++)
            {
                for (long j = 0; j < outW; j++)
                {
                    for (int r = 0; r < c.Kh; r++)
                    {
                        long iy = (i * c.Sh) - top + ((long)r * c.Dh);
                        if (iy < 0 || iy >= c.H)
                        {
                            continue;
                        }

                        for (int q = 0; q < c.Kw; q++)
                        {
                            long ix = (j * c.Sw) - left + ((long)q * c.Dw);
                            if (ix < 0 || ix >= c.W)
                            {
                                continue;
                            }

                            for (int ch = 0; ch < c.C; ch++)
                            {
                                double xv = x[(((((b * c.H) + iy) * c.W) + ix) * c.C) + ch];
                                for (int f = 0; f < c.F; f++)
                                {
                                    y[(((((b * outH) + i) * outW) + j) * c.F) + f] += xv * k[(((((r * c.Kw) + q) * c.C) + ch) * c.F) + f];
                                }
                            }
                        }
                    }
                }
            }
        }

        return y;
    }

    /// <summary>The gradients of Σ dy·conv(x, k) with respect to x and k.</summary>
    internal static (double[] Dx, double[] Dk) RefConvGrad(ConvCase c, float[] x, float[] k, float[] dy)
    {
        var (outH, top) = Pad(c.H, c.Kh, c.Sh, c.Dh, c.Same);
        var (outW, left) = Pad(c.W, c.Kw, c.Sw, c.Dw, c.Same);
        var dx = new double[x.Length];
        var dk = new double[k.Length];
        for (int b = 0; b < c.B; b++)
        {
            for (long i = 0; i < outH; i++)
            {
                for (long j = 0; j < outW; j++)
                {
                    for (int r = 0; r < c.Kh; r++)
                    {
                        long iy = (i * c.Sh) - top + ((long)r * c.Dh);
                        if (iy < 0 || iy >= c.H)
                        {
                            continue;
                        }

                        for (int q = 0; q < c.Kw; q++)
                        {
                            long ix = (j * c.Sw) - left + ((long)q * c.Dw);
                            if (ix < 0 || ix >= c.W)
                            {
                                continue;
                            }

                            for (int ch = 0; ch < c.C; ch++)
                            {
                                long xi = (((((b * c.H) + iy) * c.W) + ix) * c.C) + ch;
                                for (int f = 0; f < c.F; f++)
                                {
                                    long ki = (((((r * c.Kw) + q) * c.C) + ch) * c.F) + f;
                                    double g = dy[(((((b * outH) + i) * outW) + j) * c.F) + f];
                                    dx[xi] += g * k[ki];
                                    dk[ki] += g * x[xi];
                                }
                            }
                        }
                    }
                }
            }
        }

        return (dx, dk);
    }

    internal sealed record PoolCase(int B, int H, int W, int C, int Ph, int Pw, int Sh, int Sw, bool Same, bool Max)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{(Max ? "max" : "avg")} x[{B},{H},{W},{C}] pool ({Ph},{Pw}) strides ({Sh},{Sw}) {(Same ? "same" : "valid")}");
    }

    /// <summary>Pooling as TensorFlow does it: padding never wins a max, an average divides by the real cells; the gradient of a max goes to the first maximal cell.</summary>
    internal static (double[] Y, double[] Dx) RefPool(PoolCase c, float[] x, float[] dy)
    {
        var (outH, top) = Pad(c.H, c.Ph, c.Sh, 1, c.Same);
        var (outW, left) = Pad(c.W, c.Pw, c.Sw, 1, c.Same);
        var y = new double[c.B * outH * outW * c.C];
        var dx = new double[x.Length];
        for (int b = 0; b < c.B; b++)
        {
            for (long i = 0; i < outH; i++)
            {
                for (long j = 0; j < outW; j++)
                {
                    long y0 = Math.Max((i * c.Sh) - top, 0), y1 = Math.Min((i * c.Sh) - top + c.Ph, c.H);
                    long x0 = Math.Max((j * c.Sw) - left, 0), x1 = Math.Min((j * c.Sw) - left + c.Pw, c.W);
                    long count = Math.Max(y1 - y0, 0) * Math.Max(x1 - x0, 0);
                    for (int ch = 0; ch < c.C; ch++)
                    {
                        long o = (((((b * outH) + i) * outW) + j) * c.C) + ch;
                        double best = double.NegativeInfinity, sum = 0;
                        long at = -1;
                        for (long iy = y0; iy < y1; iy++)
                        {
                            for (long ix = x0; ix < x1; ix++)
                            {
                                long xi = (((((b * c.H) + iy) * c.W) + ix) * c.C) + ch;
                                sum += x[xi];
                                if (x[xi] > best)
                                {
                                    best = x[xi];
                                    at = xi;
                                }
                            }
                        }

                        if (c.Max)
                        {
                            y[o] = best;
                            if (at >= 0)
                            {
                                dx[at] += dy[o];
                            }
                        }
                        else
                        {
                            y[o] = sum / Math.Max(count, 1);
                            for (long iy = y0; iy < y1; iy++)
                            {
                                for (long ix = x0; ix < x1; ix++)
                                {
                                    dx[(((((b * c.H) + iy) * c.W) + ix) * c.C) + ch] += dy[o] / count;
                                }
                            }
                        }
                    }
                }
            }
        }

        return (y, dx);
    }

    internal static float[] Values(System.Random rng, long n)
    {
        var v = new float[n];
        for (long i = 0; i < n; i++)
        {
            v[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return v;
    }

    internal static void Near(double[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{what}: expected {expected.Length} values, got {actual.Length}.");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok = (double.IsNaN(e) && double.IsNaN(a)) || (double.IsInfinity(e) && e == a) || Math.Abs(a - e) <= tolerance * (1 + Math.Abs(e));
            if (!ok)
            {
                throw new XunitException(string.Create(CultureInfo.InvariantCulture, $"{what}[{i}]: expected {e:R}, got {a:R}."));
            }
        }
    }

    // ------------------------------------------------------------------ random shapes

    public static TheoryData<int> Seeds => [.. Enumerable.Range(0, 40)];

    private static ConvCase RandomConv(int seed)
    {
        var rng = new System.Random(1000 + seed);
        bool same = rng.Next(2) == 0;
        int sh = 1 + rng.Next(3), sw = 1 + rng.Next(3);
        int dh = 1, dw = 1;
        if (rng.Next(3) == 0)
        {
            // Strides and dilation cannot both exceed 1.
            sh = sw = 1;
            dh = 1 + rng.Next(3);
            dw = 1 + rng.Next(3);
        }

        int kh = 1 + rng.Next(4), kw = 1 + rng.Next(4);
        int h = 1 + rng.Next(11), w = 1 + rng.Next(11);
        if (!same)
        {
            h = Math.Max(h, ((kh - 1) * dh) + 1);
            w = Math.Max(w, ((kw - 1) * dw) + 1);
        }

        return new ConvCase(1 + rng.Next(3), h, w, 1 + rng.Next(5), 1 + rng.Next(6), kh, kw, sh, sw, dh, dw, same);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Conv2D_values_and_gradients_equal_direct_loops_in_double_on_random_shapes(int seed)
    {
        var c = RandomConv(seed);
        output.WriteLine(c.ToString());
        var rng = new System.Random(seed);
        float[] xs = Values(rng, (long)c.B * c.H * c.W * c.C), ks = Values(rng, (long)c.Kh * c.Kw * c.C * c.F);
        var expected = RefConv(c, xs, ks, out long oh, out long ow);
        float[] dys = Values(rng, expected.Length);
        var (dx, dk) = RefConvGrad(c, xs, ks, dys);

        var xv = new Variable(Tensor.FromArray(xs, c.B, c.H, c.W, c.C), "x");
        var kv = new Variable(Tensor.FromArray(ks, c.Kh, c.Kw, c.C, c.F), "k");
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            var y = Ops.Conv2D(xv, kv, (c.Sh, c.Sw), c.Same ? "same" : "valid", (c.Dh, c.Dw));
            y.Shape.Should().Be(new Shape(c.B, (int)oh, (int)ow, c.F), c.ToString());
            Near(expected, y.AsSpan(), 1e-5, $"{c} y");
            grads = tape.Gradient(Ops.Sum(Ops.Multiply(y, Tensor.FromArray(dys, c.B, (int)oh, (int)ow, c.F))), [xv, kv]);
        }

        Near(dx, grads[0].AsSpan(), 1e-5, $"{c} dx");
        Near(dk, grads[1].AsSpan(), 1e-5, $"{c} dk");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Pooling_values_and_gradients_equal_direct_loops_in_double_on_random_shapes(int seed)
    {
        var rng = new System.Random(2000 + seed);
        bool same = rng.Next(2) == 0;
        int ph = 1 + rng.Next(4), pw = 1 + rng.Next(4);
        int h = 1 + rng.Next(11), w = 1 + rng.Next(11);
        if (!same)
        {
            h = Math.Max(h, ph);
            w = Math.Max(w, pw);
        }

        var c = new PoolCase(1 + rng.Next(3), h, w, 1 + rng.Next(5), ph, pw, 1 + rng.Next(4), 1 + rng.Next(4), same, rng.Next(2) == 0);
        output.WriteLine(c.ToString());
        float[] xs = Values(rng, (long)c.B * c.H * c.W * c.C);
        var (oh, _) = Pad(c.H, c.Ph, c.Sh, 1, c.Same);
        var (ow, _) = Pad(c.W, c.Pw, c.Sw, 1, c.Same);
        float[] dys = Values(rng, c.B * oh * ow * c.C);
        var (ey, edx) = RefPool(c, xs, dys);

        var xv = new Variable(Tensor.FromArray(xs, c.B, c.H, c.W, c.C), "x");
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            string padding = c.Same ? "same" : "valid";
            var y = c.Max ? Ops.MaxPool2D(xv, (c.Ph, c.Pw), (c.Sh, c.Sw), padding) : Ops.AvgPool2D(xv, (c.Ph, c.Pw), (c.Sh, c.Sw), padding);
            Near(ey, y.AsSpan(), 1e-6, $"{c} y");
            grads = tape.Gradient(Ops.Sum(Ops.Multiply(y, Tensor.FromArray(dys, c.B, (int)oh, (int)ow, c.C))), [xv]);
        }

        Near(edx, grads[0].AsSpan(), 1e-6, $"{c} dx");
    }

    // ------------------------------------------------------------------ index arithmetic near int's limits

    public static TheoryData<int, int, int> HugeDilations()
    {
        var data = new TheoryData<int, int, int>();
        int[] dilations = [1 << 30, (1 << 30) + 1, 715_827_883, 715_827_882, 1_431_655_765, 1_431_655_766, 858_993_459, int.MaxValue, int.MaxValue - 1, 536_870_913];
        foreach (int d in dilations)
        {
            foreach (int k in new[] { 2, 3, 4, 5, 7 })
            {
                data.Add(k, d, 1 + (k % 3));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HugeDilations))]
    public void Conv2D_with_a_huge_dilation_and_same_padding_equals_the_direct_loops(int kernel, int dilation, int width)
    {
        var c = new ConvCase(2, 7, width + 4, 2, 3, kernel, kernel, 1, 1, dilation, dilation, true);
        var rng = new System.Random(kernel + dilation);
        float[] xs = Values(rng, (long)c.B * c.H * c.W * c.C), ks = Values(rng, (long)c.Kh * c.Kw * c.C * c.F);
        var expected = RefConv(c, xs, ks, out long oh, out long ow);
        float[] dys = Values(rng, expected.Length);
        var (dx, dk) = RefConvGrad(c, xs, ks, dys);
        var xv = new Variable(Tensor.FromArray(xs, c.B, c.H, c.W, c.C), "x");
        var kv = new Variable(Tensor.FromArray(ks, c.Kh, c.Kw, c.C, c.F), "k");
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            var y = Ops.Conv2D(xv, kv, 1, "same", dilation);
            Near(expected, y.AsSpan(), 1e-5, $"{c} y");
            grads = tape.Gradient(Ops.Sum(Ops.Multiply(y, Tensor.FromArray(dys, c.B, (int)oh, (int)ow, c.F))), [xv, kv]);
        }

        Near(dx, grads[0].AsSpan(), 1e-5, $"{c} dx");
        Near(dk, grads[1].AsSpan(), 1e-5, $"{c} dk");
    }

    public static TheoryData<int, int, bool> HugePools => new()
    {
        { 1 << 20, 1, true },
        { 1 << 20, 3, false },
        { int.MaxValue, 1, true },
        { int.MaxValue, 2, false },
        { int.MaxValue - 1, int.MaxValue, true },
        { 1_073_741_825, 5, false },
    };

    [Theory]
    [MemberData(nameof(HugePools))]
    public async Task Pooling_with_a_huge_same_padded_window_equals_the_direct_loops_within_a_second(int pool, int stride, bool max)
    {
        // "same" padding keeps ceil(in / stride) outputs whatever the window, so Keras accepts any pool size; the
        // work must follow the input, not the window (a loop over 2^31 window rows per output would look like a hang).
        var c = new PoolCase(2, 5, 4, 3, pool, 2, stride, 1, true, max);
        var rng = new System.Random(pool ^ stride);
        float[] xs = Values(rng, (long)c.B * c.H * c.W * c.C);
        var (oh, _) = Pad(c.H, c.Ph, c.Sh, 1, true);
        var (ow, _) = Pad(c.W, c.Pw, c.Sw, 1, true);
        float[] dys = Values(rng, c.B * oh * ow * c.C);
        var (ey, edx) = RefPool(c, xs, dys);
        var xv = new Variable(Tensor.FromArray(xs, c.B, c.H, c.W, c.C), "x");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var run = Task.Run(() =>
        {
            using var tape = new GradientTape();
            var y = max ? Ops.MaxPool2D(xv, (pool, 2), (stride, 1), "same") : Ops.AvgPool2D(xv, (pool, 2), (stride, 1), "same");
            var g = tape.Gradient(Ops.Sum(Ops.Multiply(y, Tensor.FromArray(dys, c.B, (int)oh, (int)ow, c.C))), [xv]);
            return (y, g[0]);
        });
        (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20)))).Should().BeSameAs(run, $"{c} should finish (it ran {watch.Elapsed})");
        var (y, dx) = await run;
        output.WriteLine($"{c}: {watch.Elapsed.TotalMilliseconds:F0} ms");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1), c.ToString());
        Near(ey, y.AsSpan(), 1e-6, $"{c} y");
        Near(edx, dx.AsSpan(), 1e-6, $"{c} dx");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Max_pooling_with_many_tied_maxima_sends_each_gradient_to_the_first_one_in_row_major_order(int seed)
    {
        var rng = new System.Random(3000 + seed);
        bool same = rng.Next(2) == 0;
        int ph = 1 + rng.Next(4), pw = 1 + rng.Next(4);
        int h = Math.Max(1 + rng.Next(9), same ? 1 : ph), w = Math.Max(1 + rng.Next(9), same ? 1 : pw);
        var c = new PoolCase(1 + rng.Next(2), h, w, 1 + rng.Next(4), ph, pw, 1 + rng.Next(3), 1 + rng.Next(3), same, Max: true);
        float[] xs = [.. Enumerable.Range(0, c.B * c.H * c.W * c.C).Select(_ => (float)rng.Next(-1, 2))];
        var (oh, _) = Pad(c.H, c.Ph, c.Sh, 1, c.Same);
        var (ow, _) = Pad(c.W, c.Pw, c.Sw, 1, c.Same);
        float[] dys = Values(rng, c.B * oh * ow * c.C);
        var (ey, edx) = RefPool(c, xs, dys);
        var xv = new Variable(Tensor.FromArray(xs, c.B, c.H, c.W, c.C), "x");
        using var tape = new GradientTape();
        var y = Ops.MaxPool2D(xv, (c.Ph, c.Pw), (c.Sh, c.Sw), c.Same ? "same" : "valid");
        Near(ey, y.AsSpan(), 0, $"{c} y");
        var dx = tape.Gradient(Ops.Sum(Ops.Multiply(y, Tensor.FromArray(dys, c.B, (int)oh, (int)ow, c.C))), [xv])[0];
        Near(edx, dx.AsSpan(), 1e-6, $"{c} dx");
    }

    [Fact]
    public void Global_max_pooling_splits_the_gradient_equally_among_tied_maxima_as_TensorFlow()
    {
        var x = new Variable(Tensor.FromArray([1, 3, 3, 0, 3, 2, 3, -1], 2, 2, 2, 1), "x");
        using var tape = new GradientTape();
        var y = Ops.GlobalMaxPool2D(x);
        y.ToArray().Should().Equal(3f, 3f);
        var dx = tape.Gradient(Ops.Sum(Ops.Multiply(y, Tensor.FromArray([4, 6], 2, 1))), [x])[0];
        dx.ToArray().Should().Equal(0f, 2f, 2f, 0f, 3f, 0f, 3f, 0f);
    }

    private static Tensor Rand(int seed, params int[] shape) => TestSupport.GradientCheck.Random(seed, -1f, 1f, shape);

    private static readonly TestSupport.GradientCases s_finiteDifferences = new TestSupport.GradientCases()
        .Add("Conv2D same, strides 3, odd sizes", x => Ops.Conv2D(x[0], x[1], 3, "same"), Rand(41, 2, 7, 8, 2), Rand(42, 3, 2, 2, 3))
        .Add("Conv2D same, strides (2, 3), 4×1 kernel", x => Ops.Conv2D(x[0], x[1], (2, 3), "same", (1, 1)), Rand(43, 1, 9, 5, 3), Rand(44, 4, 1, 3, 2))
        .Add("Conv2D same, dilation (3, 2), even kernel", x => Ops.Conv2D(x[0], x[1], (1, 1), "same", (3, 2)), Rand(45, 1, 7, 6, 2), Rand(46, 2, 2, 2, 2))
        .Add("Conv2D valid, strides 3, kernel as wide as the input", x => Ops.Conv2D(x[0], x[1], 3, "valid"), Rand(47, 2, 8, 4, 1), Rand(48, 2, 4, 1, 3))
        .Add("AvgPool2D same, pool 4, strides 3", x => Ops.AvgPool2D(x[0], 4, 3, "same"), Rand(49, 2, 7, 8, 2))
        .Add("MaxPool2D same, pool (3, 2), strides (3, 1)", x => Ops.MaxPool2D(x[0], (3, 2), (3, 1), "same"), TestSupport.GradientCheck.Distinct(50, 0.05f, 1, 8, 5, 2));

    public static TheoryData<string> FiniteDifferenceCases => s_finiteDifferences.Names;

    [Theory]
    [MemberData(nameof(FiniteDifferenceCases))]
    public void Conv_and_pool_gradients_match_finite_differences_with_strides_two_and_three(string name) => s_finiteDifferences.Check(name);
}
