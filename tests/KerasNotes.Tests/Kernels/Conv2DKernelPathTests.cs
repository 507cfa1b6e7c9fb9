using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>
/// The convolution and pooling kernels give the same bits on every SIMD level and on 1 or 2 threads, on awkward
/// sizes (channel counts around the vector widths, chunks that end mid-tile, batches of one).
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class Conv2DKernelPathTests
{
    public static TheoryData<int, int, int, int, int, int, string> Sizes => new()
    {
        // batch, height, width, in channels, filters, kernel, padding
        { 1, 5, 5, 1, 1, 3, "valid" },
        { 3, 9, 7, 3, 17, 3, "same" },
        { 2, 13, 11, 16, 33, 2, "valid" },
        { 5, 28, 28, 1, 32, 3, "valid" },
        { 2, 30, 29, 7, 5, 5, "same" },
    };

    private static (float[] Y, float[] Dx, float[] Dk, float[] Pool, float[] PoolDx) Run(
        int batch, int h, int w, int cin, int filters, int k, string padding)
    {
        var x = GradientCheck.Random(1, -1f, 1f, batch, h, w, cin);
        var kernel = GradientCheck.Random(2, -1f, 1f, k, k, cin, filters);
        var xv = new Variable(x, "x");
        var kv = new Variable(kernel, "k");
        using var tape = new GradientTape();
        var y = Ops.Conv2D(xv, kv, 1, padding);
        var pooled = Ops.Add(Ops.MaxPool2D(y, 2, 1, "same"), Ops.Sum(Ops.MaxPool2D(y, 2, 2, "same")));
        var avg = Ops.AvgPool2D(y, 3, 2, "same");
        var loss = Ops.Add(Ops.Sum(Ops.Multiply(pooled, pooled)), Ops.Sum(avg));
        var grads = tape.Gradient(loss, [xv, kv]);
        return (y.ToArray(), grads[0].ToArray(), grads[1].ToArray(), pooled.ToArray(), avg.ToArray());
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Convolution_and_pooling_are_bit_identical_on_every_simd_level_and_thread_count(
        int batch, int h, int w, int cin, int filters, int k, string padding)
    {
        (float[] Y, float[] Dx, float[] Dk, float[] Pool, float[] PoolDx) reference;
        using (new SimdLevelScope(SimdLevel.Scalar))
        using (new IntraOpThreadsScope(1))
        {
            reference = Run(batch, h, w, cin, filters, k, padding);
        }

        foreach (var level in GlobalKernelSettings.Levels)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                using var simd = new SimdLevelScope(level);
                using var scope = new IntraOpThreadsScope(threads);
                var run = Run(batch, h, w, cin, filters, k, padding);
                string what = $"{batch}x{h}x{w}x{cin} -> {filters}, k{k} {padding}, {level}, {threads} threads";
                TensorAssert.BitEqual(reference.Y, run.Y, what + " y");
                TensorAssert.BitEqual(reference.Dx, run.Dx, what + " dx");
                TensorAssert.BitEqual(reference.Dk, run.Dk, what + " dkernel");
                TensorAssert.BitEqual(reference.Pool, run.Pool, what + " max pool");
                TensorAssert.BitEqual(reference.PoolDx, run.PoolDx, what + " average pool");
            }
        }
    }

    [Theory]
    [InlineData(5, 3, 1, 1, false, 3, 0)]
    [InlineData(8, 3, 2, 1, true, 4, 0)]
    [InlineData(7, 4, 2, 1, true, 4, 1)]
    [InlineData(7, 3, 2, 1, true, 4, 1)]
    [InlineData(6, 3, 1, 2, true, 6, 2)]
    [InlineData(4, 5, 1, 1, false, 0, 0)]
    public void Same_padding_follows_TensorFlow_with_the_extra_cell_at_the_end(int input, int window, int stride, int dilation, bool same, int output, int before)
    {
        Conv2DGeometry.Padding(input, window, stride, dilation, same).Should().Be((output, before));
    }
}
