using System.Diagnostics.Tracing;
using System.Globalization;

namespace KerasNotes.Benchmarks;

/// <summary>
/// Writes one line per method the JIT finishes (time since start, tier, method) to the file named by the
/// <c>KERASNOTES_JIT_LOG</c> environment variable — how docs/performance.md found where a short training's
/// warm-up goes. It listens in-process to the runtime's own JIT events (keyword 0x10, verbose), so it needs no
/// external tool; the listener itself costs a little, so timings from a logged run are not reported.
/// </summary>
internal sealed class JitEventLog : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private static readonly long Start = System.Diagnostics.Stopwatch.GetTimestamp();
    private readonly StreamWriter _out;
    private readonly Lock _gate = new();

    private JitEventLog(string path)
    {
        _out = new StreamWriter(path) { AutoFlush = false };
    }

    /// <summary>Starts the log if <c>KERASNOTES_JIT_LOG</c> names a file; dispose the result at exit.</summary>
    public static JitEventLog? StartFromEnvironment() =>
        Environment.GetEnvironmentVariable("KERASNOTES_JIT_LOG") is { Length: > 0 } path ? new JitEventLog(path) : null;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, JitKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        // MethodLoadVerbose (143) arrives when a compiled body is published; its tier says which compile it was.
        if (e.EventId != 143 || e.Payload is null || e.PayloadNames is null) return;
        string ns = Field(e, "MethodNamespace"), name = Field(e, "MethodName"), sig = Field(e, "MethodSignature");
        // MethodFlags bits 7 and up carry the runtime's OptimizationTier (2 optimized, 3 tier 0, 4 tier 1,
        // 7 tier 0 instrumented, 8 tier 1 instrumented, 9 OSR…).
        uint flags = Convert.ToUInt32(e.Payload[e.PayloadNames.IndexOf("MethodFlags")], CultureInfo.InvariantCulture);
        string tier = TierName((flags >> 7) & 0xF);
        double ms = System.Diagnostics.Stopwatch.GetElapsedTime(Start).TotalMilliseconds;
        lock (_gate)
            _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ms:F1}\t{tier}\t{ns}::{name}\t{sig}"));
    }

    private static string TierName(uint tier) => tier switch
    {
        1 => "minopts",
        2 => "optimized",
        3 => "tier0",
        4 => "tier1",
        5 => "r2r",
        7 => "tier0-instr",
        8 => "tier1-instr",
        9 => "osr",
        _ => "tier" + tier.ToString(CultureInfo.InvariantCulture),
    };

    private static string Field(EventWrittenEventArgs e, string name)
    {
        int i = e.PayloadNames!.IndexOf(name);
        return i < 0 ? "" : Convert.ToString(e.Payload![i], CultureInfo.InvariantCulture) ?? "";
    }

    public override void Dispose()
    {
        lock (_gate) _out.Dispose();
        base.Dispose();
    }
}
