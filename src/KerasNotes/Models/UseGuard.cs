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

    /// <summary>
    /// Enters a call on <paramref name="model"/> and on every model nested inside it (their weights are used too),
    /// or throws, having entered nothing, when another thread holds any of them the other way.
    /// </summary>
    public static Scope Enter(Model model, string method, bool change)
    {
        var nested = NestedModels(model);
        model.Guard.Take(model.Name, method, change);
        if (nested is null)
        {
            return new Scope(model.Guard, null, change);
        }

        int entered = 0;
        try
        {
            foreach (var inner in nested)
            {
                inner.Guard.Take(inner.Name, $"{method} of '{model.Name}', which contains it,", change);
                entered++;
            }
        }
        catch
        {
            for (int i = entered - 1; i >= 0; i--)
            {
                nested[i].Guard.Release(change);
            }

            model.Guard.Release(change);
            throw;
        }

        return new Scope(model.Guard, nested, change);
    }

    // The models inside a model, at any depth (null when there are none, the usual case: no allocation).
    private static List<Model>? NestedModels(Model model)
    {
        var layers = model.AllLayers;
        bool any = false;
        for (int i = 0; i < layers.Count && !any; i++)
        {
            any = layers[i] is Model;
        }

        if (!any)
        {
            return null;
        }

        List<Model>? found = null;
        var pending = new Stack<Model>();
        pending.Push(model);
        while (pending.Count > 0)
        {
            foreach (var layer in pending.Pop().AllLayers)
            {
                if (layer is Model inner && !ReferenceEquals(inner, model) && !(found?.Contains(inner) ?? false))
                {
                    (found ??= []).Add(inner);
                    pending.Push(inner);
                }
            }
        }

        return found;
    }

    private void Take(string model, string method, bool change)
    {
        if (change)
        {
            EnterChange(model, method);
        }
        else
        {
            EnterInference(model, method);
        }
    }

    private void Release(bool change)
    {
        if (change)
        {
            if (--_writerDepth == 0)
            {
                Volatile.Write(ref _writerThread, 0);
            }
        }
        else
        {
            Interlocked.Decrement(ref _readers);
        }
    }

    /// <summary>Enters an inference call, or throws when another thread is changing the model.</summary>
    private void EnterInference(string model, string method)
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
    }

    /// <summary>Enters a call that changes the model, or throws when another call uses it.</summary>
    private void EnterChange(string model, string method)
    {
        int me = Environment.CurrentManagedThreadId;
        int owner = Interlocked.CompareExchange(ref _writerThread, me, 0);
        if (owner == me)
        {
            // A nested call on the training thread (a callback that compiles or trains on a batch).
            _writerDepth++;
            return;
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
                $"Model '{model}' is running Predict, Evaluate or a save (on another thread, or in the call this one was made from); {method} cannot change it until those calls return.");
        }

        _writerDepth = 1;
    }

    /// <summary>Leaves the calls <see cref="Enter"/> entered when disposed.</summary>
    internal readonly struct Scope(UseGuard own, List<Model>? nested, bool change) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose()
        {
            if (nested is not null)
            {
                for (int i = nested.Count - 1; i >= 0; i--)
                {
                    nested[i].Guard.Release(change);
                }
            }

            own.Release(change);
        }
    }
}
