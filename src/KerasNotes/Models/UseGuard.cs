namespace KerasNotes.Models;

/// <summary>
/// Keeps a model's inference calls (<c>Predict</c>, <c>Evaluate</c>, saving) and its changing calls (<c>Fit</c>,
/// <c>TrainOnBatch</c>, <c>Compile</c>, <c>LoadWeights</c>) apart across threads.
/// </summary>
/// <remarks>
/// <para>Any number of threads may run inference at once: each call takes its own scratch arena and its own loss
/// list, so readers share nothing mutable. A changing call rewrites weights, optimizer slots and metrics in place,
/// so it may not overlap a call on another thread: the later of the two is refused with an
/// <see cref="InvalidOperationException"/> instead of reading or writing half-updated weights. The thread that
/// trains may still call anything on the model itself (a callback that predicts or saves), since its calls are
/// serial.</para>
/// <para>No lock is held while a call runs. A reader announces itself (an interlocked increment, a full fence) and
/// then looks for a writer; a writer claims the model (an interlocked exchange) and then looks for readers. Of two
/// calls that overlap, at least one sees the other, so a conflict is never missed; at worst both are refused.</para>
/// </remarks>
internal sealed class UseGuard
{
    private int _readers;
    private int _writerThread;
    private int _writerDepth;

    /// <summary>Enters an inference call, or throws when another thread is changing the model.</summary>
    public Reader EnterInference(string model, string method)
    {
        Interlocked.Increment(ref _readers);
        int writer = Volatile.Read(ref _writerThread);
        if (writer != 0 && writer != Environment.CurrentManagedThreadId)
        {
            Interlocked.Decrement(ref _readers);
            throw new InvalidOperationException(
                $"Model '{model}' is being trained or changed on another thread; {method} cannot run on it until that call returns. " +
                "Inference calls may run on many threads at once, but not beside Fit, TrainOnBatch, Compile or LoadWeights.");
        }

        return new Reader(this);
    }

    /// <summary>Enters a call that changes the model, or throws when another thread uses it.</summary>
    public Writer EnterChange(string model, string method)
    {
        int me = Environment.CurrentManagedThreadId;
        int owner = Interlocked.CompareExchange(ref _writerThread, me, 0);
        if (owner == me)
        {
            // A nested call on the training thread (a callback that compiles or trains on a batch).
            _writerDepth++;
            return new Writer(this);
        }

        if (owner != 0)
        {
            throw new InvalidOperationException(
                $"Model '{model}' is being trained or changed on another thread; {method} cannot run on it until that call returns.");
        }

        if (Volatile.Read(ref _readers) != 0)
        {
            Volatile.Write(ref _writerThread, 0);
            throw new InvalidOperationException(
                $"Model '{model}' is running Predict, Evaluate or a save on another thread; {method} cannot change it until those calls return.");
        }

        _writerDepth = 1;
        return new Writer(this);
    }

    /// <summary>Ends an inference call when disposed.</summary>
    internal readonly struct Reader(UseGuard guard) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => Interlocked.Decrement(ref guard._readers);
    }

    /// <summary>Ends a changing call when disposed.</summary>
    internal readonly struct Writer(UseGuard guard) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose()
        {
            if (--guard._writerDepth == 0)
            {
                Volatile.Write(ref guard._writerThread, 0);
            }
        }
    }
}
