using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using KerasNotes.Benchmarks;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Benchmarks;

/// <summary>
/// Runs every benchmark once in BenchmarkDotNet's dry mode, in process, so a benchmark that no longer builds,
/// sets up or runs fails the test suite instead of rotting. Timings are not looked at.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class BenchmarkDryRunTests
{
    public static TheoryData<Type> BenchmarkTypes => new() { typeof(GemmBenchmarks), typeof(LayerBenchmarks), typeof(TrainingBenchmarks) };

    [Theory]
    [MemberData(nameof(BenchmarkTypes))]
    public void Every_benchmark_runs_once_in_dry_mode(Type type)
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry.WithToolchain(InProcessNoEmitToolchain.Instance))
            .AddLogger(NullLogger.Instance)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.DisableLogFile)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "kerasnotes-bdn-dry"));
        // The epoch benchmark trains on a small slice in this smoke run; the code path is the same.
        Environment.SetEnvironmentVariable(TrainingBenchmarks.SmokeVariable, "1");
        BenchmarkDotNet.Reports.Summary summary;
        try
        {
            summary = BenchmarkRunner.Run(type, config);
        }
        finally
        {
            Environment.SetEnvironmentVariable(TrainingBenchmarks.SmokeVariable, null);
        }

        summary.ValidationErrors.Where(e => e.IsCritical).Should().BeEmpty();
        summary.Reports.Should().NotBeEmpty();
        summary.Reports.Should().OnlyContain(r => r.Success, "every benchmark case must run");
        summary.Reports.Should().HaveCount(summary.BenchmarksCases.Length);
    }
}
