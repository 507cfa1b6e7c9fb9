using KerasNotes.Kernels;

namespace KerasNotes;

/// <summary>
/// Convolution and pooling over channels_last images <c>[batch, height, width, channels]</c>, with TensorFlow's
/// padding rules and gradients (Keras <c>ops.conv</c>, <c>ops.max_pool</c>, <c>ops.average_pool</c>).
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// 2-D convolution: <paramref name="x"/> <c>[batch, h, w, in]</c> with <paramref name="kernel"/>
    /// <c>[kh, kw, in, out]</c> (Keras's layout) gives <c>[batch, oh, ow, out]</c>.
    /// </summary>
    /// <param name="x">The images, channels last.</param>
    /// <param name="kernel">The filters <c>[kh, kw, in, out]</c>.</param>
    /// <param name="strides">The step between windows, the same on both axes.</param>
    /// <param name="padding"><c>"valid"</c> (no padding) or <c>"same"</c> (TensorFlow's: the extra row or column, when the total is odd, at the bottom or right).</param>
    /// <param name="dilationRate">The spacing between kernel taps.</param>
    /// <exception cref="ArgumentException">Shapes that do not fit (named in the message), a non-positive stride or dilation, strides and dilation both above 1, or an unknown padding.</exception>
    public static Tensor Conv2D(Tensor x, Tensor kernel, int strides = 1, string padding = "valid", int dilationRate = 1) =>
        Conv2D(x, kernel, (strides, strides), padding, (dilationRate, dilationRate));

    /// <summary>2-D convolution with separate vertical and horizontal strides and dilation; see <see cref="Conv2D(Tensor, Tensor, int, string, int)"/>.</summary>
    /// <exception cref="ArgumentException">Shapes that do not fit, or arguments out of range.</exception>
    public static Tensor Conv2D(Tensor x, Tensor kernel, (int Height, int Width) strides, string padding, (int Height, int Width) dilationRate)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(padding);
        return Conv2D(x, kernel, null, FusedActivation.None, Conv2DSpec.Convolution(nameof(Conv2D), strides, padding, dilationRate));
    }

    /// <summary>y = act(conv(x, W) + b), one node with one backward (the Conv2D layer's path).</summary>
    internal static Tensor Conv2D(Tensor x, Tensor kernel, Tensor? bias, FusedActivation activation, Conv2DSpec spec)
    {
        var g = ConvGeometry(x, kernel, bias, spec);
        int filters = kernel.Shape[3];
        long values = (long)g.Batch * g.OutHeight * g.OutWidth * filters;
        if (values > Array.MaxLength)
        {
            // Filters can make the output far larger than the input: say which arguments did, rather than fail in the allocation.
            throw new ArgumentException(
                $"{spec.Op}: the input {x.Shape} and kernel {kernel.Shape} give an output [{g.Batch}, {g.OutHeight}, {g.OutWidth}, {filters}] of {values} values, more than a tensor can hold ({Array.MaxLength}).",
                nameof(x));
        }

        var y = Tensor.Allocate(new Shape(g.Batch, g.OutHeight, g.OutWidth, filters));
        Conv2DKernel.Forward(g, Slice(x), Slice(kernel), bias is null ? default : Slice(bias), activation, filters, Slice(y));

        var tape = GradientTape.ShouldRecord(x, kernel, bias);
        if (tape is not null)
        {
            var node = tape.Record(y, s_conv2DGrad, x, kernel, bias);
            node.I0 = (int)activation;
            node.State = spec;
        }

        return y;
    }

    private static Conv2DGeometry ConvGeometry(Tensor x, Tensor kernel, Tensor? bias, Conv2DSpec spec)
    {
        if (kernel.Rank != 4 || kernel.Shape[0] <= 0 || kernel.Shape[1] <= 0)
        {
            // A kernel with no rows or columns spans nothing: "valid" would give in + 1 output rows (Keras refuses kernel_size 0).
            throw new ArgumentException(
                $"{spec.Op}: the kernel must be 4-D [kh, kw, in_channels, filters] with at least one row and column, got shape {kernel.Shape}.", nameof(kernel));
        }

        var g = spec.Geometry(x.Shape, kernel.Shape[0], kernel.Shape[1]);
        if (kernel.Shape[2] != g.Channels)
        {
            throw new ArgumentException(
                $"{spec.Op}: the kernel {kernel.Shape} expects {kernel.Shape[2]} input channels, but the input {x.Shape} has {g.Channels}.", nameof(kernel));
        }

        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != kernel.Shape[3]))
        {
            throw new ArgumentException($"{spec.Op}: the bias must have shape [{kernel.Shape[3]}], got {bias.Shape}.", nameof(bias));
        }

        return g;
    }

    private static FloatSlice Slice(Tensor t) => new(t.Data, t.Offset, t.Size);

    private static readonly BackwardFn s_conv2DGrad = static (n, g) =>
    {
        var x = n.A!;
        var kernel = n.B!;
        var bias = n.C;
        var spec = (Conv2DSpec)n.State!;
        var geometry = spec.Geometry(x.Shape, kernel.Shape[0], kernel.Shape[1]);
        int filters = kernel.Shape[3];
        var activation = (FusedActivation)n.I0;
        var dz = g;
        if (activation != FusedActivation.None)
        {
            dz = Tensor.Allocate(g.Shape);
            Conv2DKernel.ActivationGrad(Slice(g), Slice(n.Output), activation, Slice(dz));
        }

        if (n.Needs(x))
        {
            var dx = Tensor.Allocate(x.Shape);
            Conv2DKernel.BackwardInput(geometry, Slice(dz), Slice(kernel), filters, Slice(dx));
            n.Accumulate(x, dx);
        }

        if (n.Needs(kernel))
        {
            var dk = Tensor.Allocate(kernel.Shape);
            Conv2DKernel.BackwardKernel(geometry, Slice(x), Slice(dz), filters, Slice(dk));
            n.Accumulate(kernel, dk);
        }

        if (bias is not null && n.Needs(bias))
        {
            var db = Tensor.Allocate(bias.Shape);
            Reductions.SumAxis(dz.AsSpan(), 1, dz.Size / filters, filters, db.Span);
            n.Accumulate(bias, db);
        }
    };

    /// <summary>
    /// 2-D max pooling: the largest value of each <paramref name="poolSize"/>² window (channels_last). Its gradient
    /// goes to the first maximal cell of each window in row-major order, as in TensorFlow.
    /// </summary>
    /// <param name="x">The images <c>[batch, h, w, c]</c>.</param>
    /// <param name="poolSize">The window size.</param>
    /// <param name="strides">The step between windows; null means <paramref name="poolSize"/>.</param>
    /// <param name="padding"><c>"valid"</c> or <c>"same"</c> (padding never wins).</param>
    /// <exception cref="ArgumentException">The input is not 4-D, the window is larger than the (padded) input, or an argument is out of range.</exception>
    public static Tensor MaxPool2D(Tensor x, int poolSize = 2, int? strides = null, string padding = "valid") =>
        MaxPool2D(x, (poolSize, poolSize), strides is int s ? (s, s) : null, padding);

    /// <summary>2-D max pooling with separate vertical and horizontal sizes; see <see cref="MaxPool2D(Tensor, int, int?, string)"/>.</summary>
    /// <exception cref="ArgumentException">Shapes that do not fit, or arguments out of range.</exception>
    public static Tensor MaxPool2D(Tensor x, (int Height, int Width) poolSize, (int Height, int Width)? strides, string padding)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(padding);
        return Pool2D(x, Conv2DSpec.Pooling(nameof(MaxPool2D), poolSize, strides ?? poolSize, padding), max: true);
    }

    /// <summary>
    /// 2-D average pooling (channels_last). With <c>"same"</c> padding each window is divided by the number of real
    /// (not padded) cells it covers, as in TensorFlow.
    /// </summary>
    /// <param name="x">The images <c>[batch, h, w, c]</c>.</param>
    /// <param name="poolSize">The window size.</param>
    /// <param name="strides">The step between windows; null means <paramref name="poolSize"/>.</param>
    /// <param name="padding"><c>"valid"</c> or <c>"same"</c>.</param>
    /// <exception cref="ArgumentException">The input is not 4-D, the window is larger than the (padded) input, or an argument is out of range.</exception>
    public static Tensor AvgPool2D(Tensor x, int poolSize = 2, int? strides = null, string padding = "valid") =>
        AvgPool2D(x, (poolSize, poolSize), strides is int s ? (s, s) : null, padding);

    /// <summary>2-D average pooling with separate vertical and horizontal sizes; see <see cref="AvgPool2D(Tensor, int, int?, string)"/>.</summary>
    /// <exception cref="ArgumentException">Shapes that do not fit, or arguments out of range.</exception>
    public static Tensor AvgPool2D(Tensor x, (int Height, int Width) poolSize, (int Height, int Width)? strides, string padding)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(padding);
        return Pool2D(x, Conv2DSpec.Pooling(nameof(AvgPool2D), poolSize, strides ?? poolSize, padding), max: false);
    }

    /// <summary>Max or average pooling with checked arguments (the pooling layers' path).</summary>
    internal static Tensor Pool2D(Tensor x, Conv2DSpec spec, bool max)
    {
        var g = spec.PoolGeometry(x.Shape);
        var y = Tensor.Allocate(new Shape(g.Batch, g.OutHeight, g.OutWidth, g.Channels));
        Pool2DKernel.Run(max ? Pool2DKernel.Kind.MaxForward : Pool2DKernel.Kind.AverageForward, g, Slice(x), Slice(y), default, default);
        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            var node = tape.Record(y, s_pool2DGrad, x);
            node.I0 = max ? 1 : 0;
            node.State = spec;
        }

        return y;
    }

    private static readonly BackwardFn s_pool2DGrad = static (n, g) =>
    {
        var x = n.A!;
        var spec = (Conv2DSpec)n.State!;
        var geometry = spec.PoolGeometry(x.Shape);
        var dx = Tensor.Allocate(x.Shape);
        bool max = n.I0 == 1;
        Pool2DKernel.Run(
            max ? Pool2DKernel.Kind.MaxBackward : Pool2DKernel.Kind.AverageBackward,
            geometry, max ? Slice(x) : default, max ? Slice(n.Output) : default, Slice(g), Slice(dx));
        n.Accumulate(x, dx);
    };

    /// <summary>The mean over height and width of each channel: <c>[batch, h, w, c]</c> → <c>[batch, c]</c> (or <c>[batch, 1, 1, c]</c>).</summary>
    /// <exception cref="ArgumentException">The input is not 4-D.</exception>
    public static Tensor GlobalAveragePool2D(Tensor x, bool keepDims = false)
    {
        CheckImages(x, nameof(GlobalAveragePool2D));
        return Mean(x, [1, 2], keepDims);
    }

    /// <summary>The maximum over height and width of each channel: <c>[batch, h, w, c]</c> → <c>[batch, c]</c> (or <c>[batch, 1, 1, c]</c>).</summary>
    /// <exception cref="ArgumentException">The input is not 4-D.</exception>
    public static Tensor GlobalMaxPool2D(Tensor x, bool keepDims = false)
    {
        CheckImages(x, nameof(GlobalMaxPool2D));
        var m = Max(Reshape(x, x.Shape[0], x.Shape[1] * x.Shape[2], x.Shape[3]), axis: 1);
        return keepDims ? Reshape(m, x.Shape[0], 1, 1, x.Shape[3]) : m;
    }

    private static void CheckImages(Tensor x, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4)
        {
            throw new ArgumentException($"{op} expects a 4-D input [batch, height, width, channels] (channels_last), got shape {x.Shape}.", nameof(x));
        }
    }
}
