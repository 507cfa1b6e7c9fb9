using System.Diagnostics;
using KerasNotes.Saving;

namespace KerasNotes.Tests.Saving.Fuzzing;

/// <summary>
/// Loads mutants one after another and collects every one that breaks the contract: a load either succeeds or
/// throws ModelFormatException, within a time bound and an allocation bound proportional to the input.
/// </summary>
internal static class FuzzRunner
{
    private static readonly TimeSpan s_attemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A summary of one run.</summary>
    public sealed record Result(int Loaded, int Refused, IReadOnlyList<string> Failures, long SlowestMs, long MostAllocated, string MostAllocatedCase)
    {
        /// <inheritdoc />
        public override string ToString() =>
            $"{Loaded} loaded, {Refused} refused with ModelFormatException, {Failures.Count} failures; slowest {SlowestMs} ms; most allocated {MostAllocated:N0} bytes ({MostAllocatedCase})";
    }

    /// <summary>The allocation allowed per attempt: a fixed allowance plus a multiple of the input's size.</summary>
    public static long AllocationBound(long length) => (8L << 20) + (length * 64);

    /// <summary>Runs <paramref name="count"/> mutants of <paramref name="target"/>, seeds <paramref name="firstSeed"/> onwards.</summary>
    public static Result Run(FuzzTarget target, int count, int firstSeed)
    {
        target.Load(target.Bytes, target.Name); // the pristine input loads
        var failures = new List<string>();
        int loaded = 0, refused = 0;
        long slowest = 0, most = 0;
        string mostCase = string.Empty;
        for (int i = 0; i < count; i++)
        {
            int seed = firstSeed + i;
            var mutant = target.Mutant(seed);
            var attempt = Task.Run(() => Attempt(target, mutant.Bytes));
            if (!attempt.Wait(s_attemptTimeout))
            {
                failures.Add($"{target.Name} seed {seed} ({mutant.Description}): no answer within {s_attemptTimeout.TotalSeconds} s");
                break; // a hung thread cannot be stopped; do not pile more on it
            }

            var (error, allocated, ms) = attempt.Result;
            switch (error)
            {
                case null:
                    loaded++;
                    break;
                case ModelFormatException:
                    refused++;
                    break;
                default:
                    failures.Add($"{target.Name} seed {seed} ({mutant.Description}): {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
                    break;
            }

            if (allocated > AllocationBound(mutant.Bytes.Length))
            {
                failures.Add($"{target.Name} seed {seed} ({mutant.Description}): allocated {allocated:N0} bytes for a {mutant.Bytes.Length}-byte input");
            }

            if (allocated > most)
            {
                most = allocated;
                mostCase = $"seed {seed}: {mutant.Description}";
            }

            slowest = Math.Max(slowest, ms);
        }

        return new Result(loaded, refused, failures, slowest, most, mostCase);
    }

    private static (Exception? Error, long Allocated, long Ms) Attempt(FuzzTarget target, byte[] bytes)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        Exception? error = null;
        try
        {
            target.Load(bytes, target.Name);
        }
        catch (Exception e)
        {
            error = e;
        }

        return (error, GC.GetAllocatedBytesForCurrentThread() - before, sw.ElapsedMilliseconds);
    }
}
