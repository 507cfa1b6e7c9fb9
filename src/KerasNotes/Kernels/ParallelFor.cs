namespace KerasNotes.Kernels;

/// <summary>Work on the elements <c>[start, end)</c> of a larger range; the result must not depend on how the range is split.</summary>
internal interface IRangeBody
{
    /// <summary>Runs the elements <c>[start, end)</c>.</summary>
    void Run(long start, long end);
}

/// <summary>
/// The generic parallel-for: <c>[0, total)</c> split into one contiguous part per kernel thread, part <c>p</c> of
/// <c>P</c> being <c>[total·p/P, total·(p+1)/P)</c>, when <c>total</c> reaches the threshold; otherwise the whole
/// range on the calling thread. The partition depends only on the total and the thread count, never on timing.
/// </summary>
internal static class ParallelFor
{
    /// <summary>Runs <paramref name="body"/> over <c>[0, total)</c>, split over <see cref="KernelControl.Threads"/> from <paramref name="threshold"/> elements.</summary>
    public static void Run(IRangeBody body, long total, long threshold)
    {
        int parts = total >= threshold ? KernelControl.Threads : 1;
        if (parts <= 1)
        {
            body.Run(0, total);
            return;
        }

        var job = RangeJob.Get();
        job.Body = body;
        job.Total = total;
        try
        {
            WorkerPool.Shared.Run(job, parts);
        }
        finally
        {
            job.Body = null;
        }
    }

    /// <summary>The worker pool's view of a range body: part <c>p</c> of <c>P</c> runs its contiguous share.</summary>
    private sealed class RangeJob : ParallelJob
    {
        [ThreadStatic]
        private static RangeJob? t_job;

        public IRangeBody? Body { get; set; }

        public long Total { get; set; }

        public static RangeJob Get() => t_job ??= new RangeJob();

        public override void Run(int part, int parts)
        {
            long start = Total * part / parts, end = Total * (part + 1) / parts;
            if (start < end)
            {
                Body!.Run(start, end);
            }
        }
    }
}
