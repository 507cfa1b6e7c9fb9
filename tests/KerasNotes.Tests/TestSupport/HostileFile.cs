using System.Diagnostics;
using System.Text.Json;

namespace KerasNotes.Tests.TestSupport;

/// <summary>
/// Loads a hostile file in a child process (tests/KerasNotes.LoadWorker), so that what would take the test run
/// down with it — a stack overflow, a hang, memory exhaustion — fails one test with a clear message instead.
/// Any file can be given (by path, or as bytes written to a temporary file), in either load mode.
/// </summary>
internal static class HostileFile
{
    /// <summary>How long the child may run before it is killed and the test fails as hung.</summary>
    public static readonly TimeSpan HardTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How many times the processor-time bound the wall-clock time may reach (the machine may be busy).</summary>
    public const int WallClockSlack = 5;

    private static string WorkerPath => Path.Combine(AppContext.BaseDirectory, "KerasNotes.LoadWorker.dll");

    /// <summary>How the child loads the file.</summary>
    public enum Mode
    {
        /// <summary><c>Model.Load(path)</c>.</summary>
        Load,

        /// <summary><c>LoadWeights(path)</c> into Input(3) → Dense(4) → BatchNormalization → Dense(2).</summary>
        LoadWeights,
    }

    /// <summary>What the child reported.</summary>
    /// <param name="Outcome"><c>ok</c> or <c>exception</c>.</param>
    /// <param name="ExceptionType">The exception's full type name, when one was thrown.</param>
    /// <param name="Message">The exception's message, when one was thrown.</param>
    /// <param name="ElapsedMs">The wall-clock time the load took.</param>
    /// <param name="CpuMs">The processor time the child spent on the load (all its threads, the GC's included).</param>
    /// <param name="AllocatedBytes">Bytes allocated during the load (GC.GetTotalAllocatedBytes).</param>
    /// <param name="PeakWorkingSetBytes">The child's peak working set (runtime included).</param>
    public sealed record Report(string Outcome, string? ExceptionType, string? Message, long ElapsedMs, long CpuMs, long AllocatedBytes, long PeakWorkingSetBytes)
    {
        /// <summary>True when the load was refused with ModelFormatException.</summary>
        public bool Refused => ExceptionType == "KerasNotes.Saving.ModelFormatException";

        /// <inheritdoc />
        public override string ToString() =>
            $"{Outcome}{(ExceptionType is null ? string.Empty : $" {ExceptionType}: {Message}")} in {ElapsedMs} ms ({CpuMs} ms of CPU), {AllocatedBytes:N0} bytes allocated, peak working set {PeakWorkingSetBytes:N0} bytes";
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> in <paramref name="folder"/> and returns the path.</summary>
    public static string Write(string folder, string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Runs the child on <paramref name="path"/>; fails the test when it hangs or dies without reporting.</summary>
    public static Report Run(string path, Mode mode = Mode.Load)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(WorkerPath);
        if (mode == Mode.LoadWeights)
        {
            info.ArgumentList.Add("--weights");
        }

        info.ArgumentList.Add(path);
        using var child = Process.Start(info) ?? throw new InvalidOperationException("could not start the load worker");
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(HardTimeout))
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            throw new Xunit.Sdk.XunitException($"loading '{path}' hung: no answer within {HardTimeout.TotalSeconds} s (the child was killed).");
        }

        child.WaitForExit(); // drains the redirected streams
        string output = stdout.Result;
        string line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{')) ?? string.Empty;
        if (child.ExitCode != 0 || line.Length == 0)
        {
            string error = stderr.Result;
            throw new Xunit.Sdk.XunitException(
                $"loading '{path}' crashed the process: exit code {child.ExitCode}{(child.ExitCode is 134 or -6 ? " (SIGABRT: a stack overflow or a runtime abort)" : string.Empty)}, " +
                $"no report. stderr: {error[..Math.Min(error.Length, 2000)]}");
        }

        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        return new Report(
            root.GetProperty("outcome").GetString()!,
            root.GetProperty("type").GetString(),
            root.GetProperty("message").GetString(),
            root.GetProperty("elapsedMs").GetInt64(),
            root.GetProperty("cpuMs").GetInt64(),
            root.GetProperty("allocatedBytes").GetInt64(),
            root.GetProperty("peakWorkingSetBytes").GetInt64());
    }

    /// <summary>
    /// Asserts that loading <paramref name="path"/> is refused with ModelFormatException within <paramref name="maxMs"/> of
    /// processor time (and <see cref="WallClockSlack"/> times that of wall-clock time), allocating at most <paramref name="maxBytes"/> bytes.
    /// </summary>
    public static Report AssertRefusedInChildProcess(string path, long maxMs = 1000, long maxBytes = 100L << 20, Mode mode = Mode.Load)
    {
        var report = Run(path, mode);
        report.Refused.Should().BeTrue($"a hostile file must be refused with ModelFormatException; got {report}");
        CheckBounds(report, maxMs, maxBytes, maxWorkingSetBytes: null);
        return report;
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> as <paramref name="fileName"/> (its extension may matter to the loader) in a fresh
    /// temporary folder and asserts that loading it is refused as <see cref="AssertRefusedInChildProcess(string, long, long, Mode)"/> does.
    /// </summary>
    public static Report AssertRefusedInChildProcess(byte[] bytes, string fileName, long maxMs = 1000, long maxBytes = 100L << 20, Mode mode = Mode.Load)
    {
        string folder = Path.Combine(Path.GetTempPath(), "kerasnotes-tests", "hostile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            return AssertRefusedInChildProcess(Write(folder, fileName, bytes), maxMs, maxBytes, mode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Asserts that loading <paramref name="path"/> either succeeds or is refused with ModelFormatException, within the
    /// bounds given (the working-set bound includes the runtime itself, some 50 MB).
    /// </summary>
    public static Report AssertLoadsOrRefusedInChildProcess(string path, long maxMs, long maxAllocatedBytes, long? maxWorkingSetBytes = null, Mode mode = Mode.Load)
    {
        var report = Run(path, mode);
        (report.Outcome == "ok" || report.Refused).Should().BeTrue($"a file must load or be refused with ModelFormatException; got {report}");
        CheckBounds(report, maxMs, maxAllocatedBytes, maxWorkingSetBytes);
        return report;
    }

    private static void CheckBounds(Report report, long maxMs, long maxAllocatedBytes, long? maxWorkingSetBytes)
    {
        // The bound is on processor time, which other processes on a busy machine do not inflate; wall-clock time
        // (what a block on a FIFO or a lock would show) gets five times the bound.
        report.CpuMs.Should().BeLessThanOrEqualTo(maxMs, $"the load must be answered quickly; got {report}");
        report.ElapsedMs.Should().BeLessThanOrEqualTo(WallClockSlack * maxMs, $"the load must not wait on anything; got {report}");
        report.AllocatedBytes.Should().BeLessThanOrEqualTo(maxAllocatedBytes, $"the load must not allocate out of proportion to the file; got {report}");
        if (maxWorkingSetBytes is long ws)
        {
            report.PeakWorkingSetBytes.Should().BeLessThanOrEqualTo(ws, $"the load's memory must stay bounded; got {report}");
        }
    }
}
