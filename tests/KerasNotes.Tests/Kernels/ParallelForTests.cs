using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>The generic parallel-for splits a range into one fixed contiguous part per thread, or runs it whole.</summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class ParallelForTests
{
    private sealed class RecordingBody : IRangeBody
    {
        private readonly Lock _gate = new();

        public List<(long Start, long End)> Ranges { get; } = [];

        public void Run(long start, long end)
        {
            lock (_gate)
            {
                Ranges.Add((start, end));
            }
        }
    }

    [Fact]
    public void A_range_at_the_threshold_is_split_into_one_contiguous_part_per_thread()
    {
        using var threads = new IntraOpThreadsScope(2);
        var body = new RecordingBody();
        ParallelFor.Run(body, 1001, threshold: 1000);
        int parts = Math.Min(2, Environment.ProcessorCount);
        long half = 1001L / parts;
        body.Ranges.Order().Should().Equal(parts == 2 ? [(0L, half), (half, 1001L)] : [(0L, 1001L)]);
    }

    [Fact]
    public void A_range_below_the_threshold_runs_whole_on_the_calling_thread()
    {
        using var threads = new IntraOpThreadsScope(2);
        var body = new RecordingBody();
        ParallelFor.Run(body, 999, threshold: 1000);
        body.Ranges.Should().Equal([(0L, 999L)]);
    }

    [Fact]
    public void One_thread_runs_the_whole_range_however_large()
    {
        using var threads = new IntraOpThreadsScope(1);
        var body = new RecordingBody();
        ParallelFor.Run(body, 1L << 20, threshold: 1000);
        body.Ranges.Should().Equal([(0L, 1L << 20)]);
    }
}
