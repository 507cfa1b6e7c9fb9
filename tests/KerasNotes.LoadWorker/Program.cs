using System.Diagnostics;
using System.Text.Json;
using KerasNotes.Layers;
using KerasNotes.Models;

// Usage: KerasNotes.LoadWorker <path>              Model.Load(path)
//        KerasNotes.LoadWorker --weights <path>    LoadWeights(path) into Input(3) → Dense(4) → BatchNormalization → Dense(2),
//                                                  the layout of the save_format fixtures.
// Prints one JSON line: {"outcome": "ok" | "exception", "type", "message", "elapsedMs", "cpuMs", "allocatedBytes", "peakWorkingSetBytes"}.
// Exit code 0 whenever that line was printed: the parent judges the outcome; any other exit means the process died.
bool weights = args.Length == 2 && args[0] == "--weights";
if (args.Length != 1 && !weights)
{
    Console.Error.WriteLine("usage: KerasNotes.LoadWorker [--weights] <path>");
    return 2;
}

string path = args[^1];
string outcome = "ok";
string? type = null, message = null;
long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
TimeSpan cpuBefore;
using (var start = Process.GetCurrentProcess())
{
    cpuBefore = start.TotalProcessorTime;
}

var clock = Stopwatch.StartNew();
try
{
    if (weights)
    {
        var model = new Sequential(
            new Input(3), new Dense(4, name: "dense"), new BatchNormalization(name: "batch_normalization"), new Dense(2, name: "dense_1"));
        model.LoadWeights(path);
    }
    else
    {
        Model.Load(path);
    }
}
catch (Exception e)
{
    outcome = "exception";
    type = e.GetType().FullName;
    message = e.Message.Length > 2000 ? e.Message[..2000] : e.Message;
}

long elapsed = clock.ElapsedMilliseconds;
long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
using var self = Process.GetCurrentProcess();
self.Refresh();
long cpu = (long)(self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
var line = new Dictionary<string, object?>
{
    ["outcome"] = outcome,
    ["type"] = type,
    ["message"] = message,
    ["elapsedMs"] = elapsed,
    ["cpuMs"] = cpu,
    ["allocatedBytes"] = allocated,
    ["peakWorkingSetBytes"] = self.PeakWorkingSet64,
};
Console.Out.WriteLine(JsonSerializer.Serialize(line));
Console.Out.Flush();
return 0;
