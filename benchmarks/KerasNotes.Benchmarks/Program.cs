// Benchmarks:   dotnet run -c Release --project benchmarks/KerasNotes.Benchmarks -- --filter '*'
// Peer runs:    dotnet benchmarks/KerasNotes.Benchmarks/bin/Release/net10.0/KerasNotes.Benchmarks.dll peer W1 --epochs 5
// Image features on all 70,000 Fashion-MNIST images:   ... KerasNotes.Benchmarks.dll vision [--runs N] [--threads T]
using BenchmarkDotNet.Running;
using KerasNotes.Benchmarks;

if (args.Length > 0 && args[0] == "peer")
{
    return PeerWorkloads.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "vision")
{
    return ImageFeatureTiming.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
return 0;
