namespace KerasNotes.Kernels;

/// <summary>
/// The sizes of one 2-D convolution or pooling over channels_last images <c>[batch, height, width, channels]</c>:
/// the window (kernel or pool), strides, dilation and the padding already worked out (TensorFlow's rule, see
/// <see cref="Padding"/>).
/// </summary>
internal readonly record struct Conv2DGeometry(
    int Batch, int InHeight, int InWidth, int Channels,
    int WindowHeight, int WindowWidth,
    int StrideHeight, int StrideWidth,
    int DilationHeight, int DilationWidth,
    int PadTop, int PadLeft,
    int OutHeight, int OutWidth)
{
    /// <summary>Values per input image.</summary>
    public int InImage => InHeight * InWidth * Channels;

    /// <summary>Output positions per image.</summary>
    public int OutPositions => OutHeight * OutWidth;

    /// <summary>Window taps (kernel positions).</summary>
    public int Taps => WindowHeight * WindowWidth;

    /// <summary>
    /// TensorFlow's output size and leading padding along one axis. <c>"valid"</c>: no padding,
    /// <c>out = floor((in − span) / stride) + 1</c> (0 when the window does not fit). <c>"same"</c>:
    /// <c>out = ceil(in / stride)</c> and <c>total = max((out − 1)·stride + span − in, 0)</c>, of which the
    /// leading side gets <c>total / 2</c>: an odd total puts the extra row or column at the bottom or right.
    /// </summary>
    /// <param name="input">The input size.</param>
    /// <param name="window">The kernel or pool size.</param>
    /// <param name="stride">The stride.</param>
    /// <param name="dilation">The dilation (1 for pooling).</param>
    /// <param name="same">True for "same" padding.</param>
    public static (int Out, int PadBefore) Padding(int input, int window, int stride, int dilation, bool same)
    {
        long span = ((long)(window - 1) * dilation) + 1;
        if (same)
        {
            int output = (int)(((long)input + stride - 1) / stride);
            long total = Math.Max(((long)(output - 1) * stride) + span - input, 0);
            return (output, (int)(total / 2));
        }

        return (input < span ? 0 : (int)((input - span) / stride) + 1, 0);
    }
}
