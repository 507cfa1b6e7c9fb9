namespace KerasNotes.Kernels;

/// <summary>A piece of work split into a fixed number of parts, one per thread.</summary>
internal abstract class ParallelJob
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    public abstract void Run(int part, int parts);
}

/// <summary>
/// Dedicated worker threads for the big kernels (GEMM, large element-wise passes).
/// </summary>
/// <remarks>
/// The thread pool's <c>Parallel.For</c> allocates per call and can hand chunks to threads in
/// any order; here each part goes to a fixed thread and the caller runs part 0 itself, so a
/// split costs two signals and no allocation, and a job's partition never depends on timing.
/// A second caller that arrives while the pool is busy runs its job inline: parallel loops
/// never nest.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "One pool lives for the whole process; its events die with it.")]
internal sealed class WorkerPool
{
    private static readonly Lazy<WorkerPool> s_shared = new(() => new WorkerPool(Environment.ProcessorCount));

    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim[] _go;
    private readonly ManualResetEventSlim _done = new(false, spinCount: 2000);
    private ParallelJob? _job;
    private int _parts;
    private int _pending;
    private Exception? _failure;

    private WorkerPool(int threads)
    {
        int workers = Math.Max(0, threads - 1);
        _go = new ManualResetEventSlim[workers];
        for (int w = 0; w < workers; w++)
        {
            _go[w] = new ManualResetEventSlim(false, spinCount: 2000);
            int index = w;
            var thread = new Thread(() => WorkerLoop(index))
            {
                IsBackground = true,
                Name = $"KerasNotes worker {index + 1}",
            };
            thread.Start();
        }
    }

    /// <summary>The shared pool, with one thread per processor (the caller counts as one).</summary>
    public static WorkerPool Shared => s_shared.Value;

    /// <summary>How many parts <see cref="Run"/> can run at once.</summary>
    public int MaxParts => _go.Length + 1;

    /// <summary>Runs every part of <paramref name="job"/> and returns when all are done.</summary>
    public void Run(ParallelJob job, int parts)
    {
        parts = Math.Min(parts, MaxParts);
        if (parts <= 1 || !_gate.TryEnter())
        {
            for (int p = 0; p < parts; p++)
            {
                job.Run(p, parts);
            }

            return;
        }

        try
        {
            _job = job;
            _parts = parts;
            _failure = null;
            _pending = parts - 1;
            _done.Reset();
            for (int w = 0; w < parts - 1; w++)
            {
                _go[w].Set();
            }

            job.Run(0, parts);
            _done.Wait();
            _job = null;
            if (_failure is not null)
            {
                throw new AggregateException("A parallel kernel part failed.", _failure);
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void WorkerLoop(int index)
    {
        var go = _go[index];
        while (true)
        {
            go.Wait();
            go.Reset();
            try
            {
                _job!.Run(index + 1, _parts);
            }
            catch (Exception ex)
            {
                _failure = ex;
            }

            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.Set();
            }
        }
    }
}
