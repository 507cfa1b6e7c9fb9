using System.Runtime.CompilerServices;
using System.Diagnostics;

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
/// <para>The thread pool's <c>Parallel.For</c> allocates per call and can hand chunks to threads in
/// any order; here each part goes to a fixed thread and the caller runs part 0 itself, so a
/// split costs no allocation and a job's partition never depends on timing. A second caller that
/// arrives while the pool is busy runs its job inline: parallel loops never nest.</para>
/// <para>Waking a sleeping thread costs tens to hundreds of microseconds (more in a virtual machine),
/// as long as a whole matrix product of a training step. So, like OpenMP runtimes, a worker spins
/// (with the CPU's pause hint) for half a millisecond after each job, keeping it ready for the next
/// one in the same step, and only then blocks.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "One pool lives for the whole process; its events die with it.")]
internal sealed class WorkerPool
{
    private const int Spinning = 0;
    private const int Sleeping = 1;

    private static readonly Lazy<WorkerPool> s_shared = new(() => new WorkerPool(Environment.ProcessorCount));
    // Long enough to bridge the single-threaded work between the products of one training step; short
    // enough that an idle pool soon stops taking cycles from the other core.
    private static readonly long s_spinTicks = Stopwatch.Frequency / 2000; // 0.5 ms

    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim[] _wake;
    private readonly int[] _state;
    private ParallelJob? _job;
    private int _parts;
    private int _pending;
    private int _sequence;
    private Exception? _failure;

    private WorkerPool(int threads)
    {
        int workers = Math.Max(0, threads - 1);
        _wake = new ManualResetEventSlim[workers];
        _state = new int[workers];
        for (int w = 0; w < workers; w++)
        {
            _wake[w] = new ManualResetEventSlim(false, spinCount: 1);
            int index = w;
            var thread = new Thread(() => WorkerLoop(index))
            {
                IsBackground = true,
                Name = $"KerasNotes worker {index + 1}",
            };
            // UnsafeStart: the workers must not capture the creating thread's execution context (its AsyncLocal
            // values, such as the custom objects of a load in progress), which would stay alive with them.
            thread.UnsafeStart();
        }
    }

    /// <summary>The shared pool, with one thread per processor (the caller counts as one).</summary>
    public static WorkerPool Shared => s_shared.Value;

    /// <summary>How many parts <see cref="Run"/> can run at once.</summary>
    public int MaxParts => _wake.Length + 1;

    /// <summary>Runs every part of <paramref name="job"/> and returns when all are done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            Volatile.Write(ref _pending, parts - 1);
            // Publishing the new sequence number hands the job to the workers (a full fence).
            Interlocked.Increment(ref _sequence);
            for (int w = 0; w < parts - 1; w++)
            {
                if (Volatile.Read(ref _state[w]) == Sleeping)
                {
                    _wake[w].Set();
                }
            }

            job.Run(0, parts);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _pending) != 0)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WorkerLoop(int index)
    {
        // Jobs are numbered from 1; a worker that starts after the first job was published must still run it.
        int seen = 0;
        while (true)
        {
            WaitForJob(index, seen);
            seen = Volatile.Read(ref _sequence);
            var job = _job;
            if (job is not null && index + 1 < _parts)
            {
                try
                {
                    job.Run(index + 1, _parts);
                }
                catch (Exception ex)
                {
                    _failure = ex;
                }

                Interlocked.Decrement(ref _pending);
            }
        }
    }

    // Spin for a while, then sleep, until the sequence number moves past the one already handled.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WaitForJob(int index, int seen)
    {
        long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
        while (Volatile.Read(ref _sequence) == seen)
        {
            if (Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(30);
                continue;
            }

            // Announce sleep, then re-check: a dispatcher that published a job before seeing the
            // announcement is caught by the re-check; one that publishes after it sets the event.
            Interlocked.Exchange(ref _state[index], Sleeping);
            if (Volatile.Read(ref _sequence) == seen)
            {
                _wake[index].Wait();
            }

            _wake[index].Reset();
            Interlocked.Exchange(ref _state[index], Spinning);
            deadline = Stopwatch.GetTimestamp() + s_spinTicks;
        }
    }
}
