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
    /// <summary>Every class of the benchmark project with a [Benchmark] method, so a new one is covered without a list to keep.</summary>
    public static TheoryData<string> BenchmarkTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in BenchmarkClasses())
        {
            data.Add(type.Name);
        }

        return data;
    }

    [Fact]
    public void The_benchmark_project_has_the_classes_the_README_names()
    {
        BenchmarkClasses().Select(t => t.Name).Should().Contain(
            ["GemmBenchmarks", "LayerBenchmarks", "TrainingBenchmarks", "InferenceBenchmarks", "FmaPeakBenchmarks"]);
    }

    private static IEnumerable<Type> BenchmarkClasses() =>
        typeof(GemmBenchmarks).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(BenchmarkTypes))]
    public void Every_benchmark_runs_once_in_dry_mode(string typeName)
    {
        var type = BenchmarkClasses().Single(t => t.Name == typeName);
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
