namespace KerasNotes;

/// <summary>
/// How many threads the big kernels may use (TensorFlow's intra-op parallelism setting).
/// </summary>
/// <remarks>
/// Results never depend on this number: every kernel partitions its work so that each output
/// element is computed in the same order whatever the thread count.
/// </remarks>
public static class Threading
{
    private static int s_intraOpThreads = DefaultThreads();

    /// <summary>
    /// The number of threads a kernel splits its work over (default: the processor count, or the
    /// <c>KERASNOTES_THREADS</c> environment variable).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public static int IntraOpThreads
    {
        get => s_intraOpThreads;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "IntraOpThreads must be at least 1.");
            }

            s_intraOpThreads = value;
        }
    }

    private static int DefaultThreads()
    {
        var env = Environment.GetEnvironmentVariable("KERASNOTES_THREADS");
        if (int.TryParse(env, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 1)
        {
            return n;
        }

        return Environment.ProcessorCount;
    }
}
