namespace KerasNotes.Kernels;

/// <summary>
/// A per-image kernel over a batch of images stored one after another: the images are split over the
/// threads in fixed contiguous ranges, so every image is computed the same way whatever the thread count.
/// </summary>
internal abstract class ImageBatchJob : ParallelJob
{
    // Below this many pixels a batch stays on the calling thread: waking a worker costs more than the work.
    private const long ParallelPixels = 1L << 15;

    private int _images;

    /// <summary>Runs the kernel on images 0 … <paramref name="images"/> − 1, split over the intra-op threads when it pays.</summary>
    public void Execute(int images, long pixelsPerImage)
    {
        _images = images;
        int threads = Math.Min(KernelControl.Threads, images);
        if (threads > 1 && images * pixelsPerImage >= ParallelPixels)
        {
            WorkerPool.Shared.Run(this, threads);
        }
        else
        {
            Run(0, 1);
        }
    }

    /// <inheritdoc />
    public sealed override void Run(int part, int parts)
    {
        int first = (int)((long)_images * part / parts);
        int end = (int)((long)_images * (part + 1) / parts);
        if (first < end)
        {
            RunImages(first, end);
        }
    }

    /// <summary>Computes images <paramref name="first"/> … <paramref name="end"/> − 1 (scratch is rented once per call, not per image).</summary>
    protected abstract void RunImages(int first, int end);
}
