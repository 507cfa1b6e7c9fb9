using System.Diagnostics;
using FluentAssertions;
using Xunit;

namespace KerasNotes.Samples.Tests;

/// <summary>
/// Runs every sample the way a reader would, with <c>--quick</c>, in a child process: it must exit 0 within its time
/// and, for the lessons, write its pictures as real PNG files. The cases of one theory run one after another, so at
/// most one sample competes with the other test assemblies for the cores.
/// </summary>
public sealed class SampleSmokeTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Each sample, and whether it is a lesson (takes <c>--out</c> and must write PNGs there).</summary>
    public static TheoryData<string, bool> Samples => new()
    {
        { "FashionMnist", false },
        { "FashionMnistCnn", false },
        { "Callbacks", false },
        { "HogSvm", false },
        { "Dropout", true },
        { "BatchNorm", true },
        { "EarlyStopping", true },
        { "LearningRate", true },
        { "ImageClassification", true },
        { "CustomLoss", true },
        { "SaveLoad", true },
        { "Functional", true },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_runs_with_quick_and_exits_0_writing_its_pictures(string sample, bool lesson)
    {
        string outDir = Path.Combine(Path.GetTempPath(), "kerasnotes-sample-" + sample + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outDir);
        try
        {
            var args = lesson ? new[] { "--quick", "--out", outDir } : new[] { "--quick" };
            var (exitCode, output) = Run(sample, args, outDir, TimeSpan.FromMinutes(2));

            exitCode.Should().Be(0, $"{sample} --quick must succeed; its output was:\n{output}");
            if (lesson)
            {
                var pictures = Directory.GetFiles(outDir, "*.png", SearchOption.AllDirectories);
                pictures.Should().NotBeEmpty($"{sample} must write its plots into --out");
                foreach (string png in pictures)
                {
                    var bytes = File.ReadAllBytes(png);
                    bytes.Length.Should().BeGreaterThan(1000, $"{png} should be a whole picture");
                    bytes.AsSpan(0, PngSignature.Length).ToArray().Should().Equal(PngSignature, $"{png} should be a PNG");
                }
            }
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string sample, string[] args, string workingDirectory, TimeSpan timeout)
    {
        string dll = SamplePath(sample);
        File.Exists(dll).Should().BeTrue($"the sample should have been built next to the tests ({dll})");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout.TotalSeconds} s\n{stdout.Result}\n{stderr.Result}");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The sample's Release build output (the project file builds the samples in Release).</summary>
    private static string SamplePath(string sample)
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "KerasNotes.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("KerasNotes.sln not found above " + AppContext.BaseDirectory);
        }

        return Path.Combine(dir, "samples", sample, "bin", "Release", "net10.0", sample + ".dll");
    }
}
