using KerasNotes.Kernels;

namespace KerasNotes;

/// <summary>
/// The fixed arguments of a 2-D convolution or pooling (window, strides, dilation, padding), checked once: a
/// layer keeps one and hands it to every call, so a training step records it on the tape without allocating.
/// </summary>
internal sealed class Conv2DSpec
{
    private Conv2DSpec(string op, int windowHeight, int windowWidth, (int Height, int Width) strides, (int Height, int Width) dilation, string padding)
    {
        Op = op;
        WindowHeight = windowHeight;
        WindowWidth = windowWidth;
        StrideHeight = strides.Height;
        StrideWidth = strides.Width;
        DilationHeight = dilation.Height;
        DilationWidth = dilation.Width;
        Same = string.Equals(padding, "same", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The op or layer name for messages.</summary>
    public string Op { get; }

    /// <summary>The window height (0 for a convolution: the kernel's own).</summary>
    public int WindowHeight { get; }

    /// <summary>The window width (0 for a convolution: the kernel's own).</summary>
    public int WindowWidth { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideWidth { get; }

    /// <summary>Vertical dilation.</summary>
    public int DilationHeight { get; }

    /// <summary>Horizontal dilation.</summary>
    public int DilationWidth { get; }

    /// <summary>True for "same" padding.</summary>
    public bool Same { get; }

    /// <summary>The padding's Keras name.</summary>
    public string Padding => Same ? "same" : "valid";

    /// <summary>Checks and keeps the arguments of a convolution (the window comes from the kernel).</summary>
    /// <exception cref="ArgumentException">A stride or dilation is not positive, both exceed 1, or the padding is unknown.</exception>
    public static Conv2DSpec Convolution(string op, (int Height, int Width) strides, string padding, (int Height, int Width) dilation)
    {
        CheckPositive(op, "strides", strides);
        CheckPositive(op, "dilationRate", dilation);
        CheckPadding(op, padding);
        if ((strides.Height > 1 || strides.Width > 1) && (dilation.Height > 1 || dilation.Width > 1))
        {
            throw new ArgumentException(
                $"{op}: strides ({strides.Height}, {strides.Width}) > 1 together with dilationRate ({dilation.Height}, {dilation.Width}) > 1 is not supported (Keras refuses it too).",
                nameof(dilation));
        }

        return new Conv2DSpec(op, 0, 0, strides, dilation, padding);
    }

    /// <summary>Checks and keeps the arguments of a pooling.</summary>
    /// <exception cref="ArgumentException">The pool size or a stride is not positive, or the padding is unknown.</exception>
    public static Conv2DSpec Pooling(string op, (int Height, int Width) poolSize, (int Height, int Width) strides, string padding)
    {
        CheckPositive(op, "poolSize", poolSize);
        CheckPositive(op, "strides", strides);
        CheckPadding(op, padding);
        return new Conv2DSpec(op, poolSize.Height, poolSize.Width, strides, (1, 1), padding);
    }

    /// <summary>
    /// The number of window positions along one axis of <paramref name="input"/> values (0 when the window does not
    /// fit): vertical when <paramref name="vertical"/>, else horizontal; the window is <paramref name="window"/> taps.
    /// </summary>
    public int OutputSize(int input, int window, bool vertical) => vertical
        ? Conv2DGeometry.Padding(input, window, StrideHeight, DilationHeight, Same).Out
        : Conv2DGeometry.Padding(input, window, StrideWidth, DilationWidth, Same).Out;

    /// <summary>The geometry for input <paramref name="x"/> and a window of <paramref name="kh"/>×<paramref name="kw"/>.</summary>
    /// <exception cref="ArgumentException">The input is not 4-D, or the window is larger than the (padded) input.</exception>
    public Conv2DGeometry Geometry(Shape x, int kh, int kw)
    {
        if (x.Rank != 4)
        {
            throw new ArgumentException(
                $"{Op} expects a 4-D input [batch, height, width, channels] (channels_last), got shape {x}.", nameof(x));
        }

        int dh = EquivalentDilation(x[1], kh, DilationHeight), dw = EquivalentDilation(x[2], kw, DilationWidth);
        var (oh, top) = Conv2DGeometry.Padding(x[1], kh, StrideHeight, dh, Same);
        var (ow, left) = Conv2DGeometry.Padding(x[2], kw, StrideWidth, dw, Same);
        if (oh <= 0 || ow <= 0)
        {
            long spanH = ((long)(kh - 1) * DilationHeight) + 1, spanW = ((long)(kw - 1) * DilationWidth) + 1;
            throw new ArgumentException(
                $"{Op}: the window {kh}×{kw} (spanning {spanH}×{spanW} with dilation) is larger than the input {x[1]}×{x[2]} of shape {x} with padding '{Padding}'.",
                nameof(x));
        }

        CheckIndexable(x, x[1], kh, dh, StrideHeight);
        CheckIndexable(x, x[2], kw, dw, StrideWidth);
        return new Conv2DGeometry(x[0], x[1], x[2], x[3], kh, kw, StrideHeight, StrideWidth, dh, dw, top, left, oh, ow);
    }

    /// <summary>
    /// The geometry of a pooling over <paramref name="x"/>. A "same"-padded window longer than
    /// <c>in + (out − 1)·stride</c> covers the whole axis from every output position, exactly as that length does:
    /// it is cut to it (the same cells in the same order, so the same values, maxima and gradients), so the work
    /// follows the input and not the window (a pool of 2^31 rows looped over 2^31 rows per output: minutes per image).
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 4-D, or the window is larger than the (padded) input.</exception>
    public Conv2DGeometry PoolGeometry(Shape x)
    {
        int wh = WindowHeight, ww = WindowWidth;
        if (Same && x.Rank == 4)
        {
            wh = CoveringWindow(x[1], wh, StrideHeight);
            ww = CoveringWindow(x[2], ww, StrideWidth);
        }

        return Geometry(x, wh, ww);
    }

    private static int CoveringWindow(int input, int window, int stride)
    {
        long output = ((long)input + stride - 1) / stride;
        long covering = input + ((output - 1) * stride);
        return output > 0 && window > covering ? (int)covering : window;
    }

    /// <summary>
    /// A dilation of at least twice the input, with "same" padding (so stride 1), leaves of each output's taps only the
    /// centre one of an odd kernel on the image, and none of an even one, whatever its value: any such dilation is
    /// replaced by <c>2 · input</c>, which gives the same numbers with indices the kernels can hold in an int (a
    /// dilation near 2^31 wrapped around and read the wrong pixels). "valid" padding refuses such windows anyway.
    /// </summary>
    private int EquivalentDilation(int input, int window, int dilation) =>
        Same && window > 1 && dilation > 2L * input ? (int)Math.Min(2L * Math.Max(input, 1), int.MaxValue) : dilation;

    /// <summary>
    /// Refuses a window whose index arithmetic would leave int (input + twice the span): the kernels index in int for
    /// speed, and a wrapped index reads the wrong cell rather than failing.
    /// </summary>
    private void CheckIndexable(Shape x, int input, int window, int dilation, int stride)
    {
        long span = ((long)(window - 1) * dilation) + 1;
        if (input + (2 * span) + Math.Min(stride, input) > int.MaxValue)
        {
            throw new ArgumentException(
                $"{Op}: a window of {window} taps {dilation} apart (spanning {span}) over an axis of {input} in the input {x} is beyond what KerasNotes can index ({int.MaxValue}).",
                nameof(x));
        }
    }

    private static void CheckPositive(string op, string name, (int Height, int Width) value)
    {
        if (value.Height <= 0 || value.Width <= 0)
        {
            throw new ArgumentOutOfRangeException(name, $"{op}: {name} is ({value.Height}, {value.Width}); expected positive integers.");
        }
    }

    /// <summary>True for <c>"valid"</c> and <c>"same"</c> in any case: Keras lower-cases the padding (<c>standardize_padding</c>).</summary>
    public static bool IsKnownPadding(string? padding) =>
        string.Equals(padding, "valid", StringComparison.OrdinalIgnoreCase) || string.Equals(padding, "same", StringComparison.OrdinalIgnoreCase);

    private static void CheckPadding(string op, string padding)
    {
        if (!IsKnownPadding(padding))
        {
            throw new ArgumentException($"{op}: padding is \"{padding}\"; expected \"valid\" or \"same\".", nameof(padding));
        }
    }
}
