namespace KerasNotes.Saving.Onnx;

/// <summary>
/// ONNX's convolution and pooling operators take channels-first tensors while the exported graph keeps Keras's
/// channels-last layout: such a layer transposes its input to NCHW, runs, and transposes back (ONNX Runtime cancels
/// the back-to-back pairs between two such layers). Also TensorFlow's "same" padding as ONNX's explicit pads.
/// </summary>
internal static class ChannelsFirst
{
    public static string ToNchw(OnnxGraph g, string nhwc, string name) =>
        g.AddNode("Transpose", [nhwc], new Dictionary<string, object> { ["perm"] = new long[] { 0, 3, 1, 2 } }, name + "/to_nchw");

    public static string ToNhwc(OnnxGraph g, string nchw, string name) =>
        g.AddNode("Transpose", [nchw], new Dictionary<string, object> { ["perm"] = new long[] { 0, 2, 3, 1 } }, name + "/to_nhwc");

    /// <summary>
    /// ONNX <c>pads</c> [top, left, bottom, right] for a window over an <paramref name="inputShape"/> (NHWC) image:
    /// none for "valid"; for "same", TensorFlow's: out = ⌈in / stride⌉, the total padding split with the extra row or
    /// column at the bottom or right.
    /// </summary>
    public static long[] Pads(Shape inputShape, string padding, (int H, int W) window, (int H, int W) strides, (int H, int W) dilation)
    {
        if (padding != "same")
        {
            return [0, 0, 0, 0];
        }

        var (top, bottom) = Same(inputShape[1], window.H, strides.H, dilation.H);
        var (left, right) = Same(inputShape[2], window.W, strides.W, dilation.W);
        return [top, left, bottom, right];
    }

    private static (long Before, long After) Same(int size, int window, int stride, int dilation)
    {
        long output = (size + stride - 1) / stride;
        long effective = ((long)(window - 1) * dilation) + 1;
        long total = Math.Max(((output - 1) * stride) + effective - size, 0);
        return (total / 2, total - (total / 2));
    }
}
