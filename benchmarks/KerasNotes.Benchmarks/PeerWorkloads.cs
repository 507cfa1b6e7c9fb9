using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Kernels;
using KerasNotes.Optimizers;

namespace KerasNotes.Benchmarks;

/// <summary>
/// The KerasNotes side of benchmarks/peers/run_peers.py: runs W1–W4 and prints one JSON object with the same
/// fields as the PyTorch twin (benchmarks/peers/README.md).
/// </summary>
public static class PeerWorkloads
{
    /// <summary>W4 throughput passes over the test set (the PyTorch twin's <c>--passes</c> default).</summary>
    private const int Passes = 20;

    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: peer W1|W2|W3|W4|W5|P1 [--epochs N] [--hidden H] [--threads T] [--seed S] [--arrays] [--filters F] [--rows N]");
            return 2;
        }

        int epochs = -1, hidden = 256, threads = 2, seed = 0, filters = 32, rows = 0;
        bool arrays = args.Contains("--arrays");
        args = args.Where(a => a != "--arrays").ToArray();
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            int v = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--epochs": epochs = v; break;
                case "--hidden": hidden = v; break;
                case "--threads": threads = v; break;
                case "--seed": seed = v; break;
                case "--filters": filters = v; break;
                case "--rows": rows = v; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        using var jitLog = JitEventLog.StartFromEnvironment();
        Threading.IntraOpThreads = threads;
        KerasNotes.RandomSeed.Set(seed);
        object result = args[0] switch
        {
            "W1" => W1(epochs < 0 ? 5 : epochs, hidden, threads, arrays),
            "W2" => W2(epochs < 0 ? 20 : epochs, threads),
            "W3" => W3(threads),
            "W4" => W4(threads),
            "W5" => W5(epochs < 0 ? 3 : epochs, threads, arrays, filters, rows),
            "P1" => P1(threads),
            "ONNX" => OnnxLatency.Run(threads),
            _ => throw new ArgumentException($"unknown workload {args[0]}"),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static Dictionary<string, object> W1(int epochs, int hidden, int threads, bool arrays)
    {
        var model = Workloads.W1Model(hidden);
        model.Compile(new Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"]);
        var timer = new EpochTimer();
        History history;
        if (arrays)
        {
            // Float copies of the whole data set in memory, as the Keras tutorial does with x / 255.
            var ((trainX, trainY), (testX, testY)) = FashionMnist.Load();
            var x = Ops.Reshape(trainX / 255f, -1, 784);
            var xt = Ops.Reshape(testX / 255f, -1, 784);
            history = model.Fit(x, trainY, batchSize: 128, epochs: epochs, verbose: 0, shuffle: true,
                validationData: (xt, Tensor.FromLabels(testY)), callbacks: [timer]);
        }
        else
        {
            // The bytes stay bytes; each batch is scaled by 1/255 on the fly (a quarter of the memory).
            var ((trainPixels, trainY), (testPixels, testY)) = FashionMnist.LoadBytes();
            var train = new ImageSequence(trainPixels, trainY, [784], batchSize: 128, shuffle: true);
            var test = new ImageSequence(testPixels, testY, [784], batchSize: 128);
            history = model.Fit(train, epochs: epochs, verbose: 0, validationData: test, callbacks: [timer]);
        }

        return new Dictionary<string, object>
        {
            ["workload"] = "W1",
            ["framework"] = "kerasnotes",
            ["threads"] = threads,
            ["hidden"] = hidden,
            ["epochs"] = epochs,
            ["epoch_seconds"] = timer.Train,
            ["eval_seconds"] = timer.Eval,
            ["jit_methods"] = timer.JitMethods,
            ["jit_seconds"] = timer.JitSeconds,
            ["test_accuracy"] = history["val_accuracy"][^1],
            ["test_loss"] = history["val_loss"][^1],
            ["peak_rss_mib"] = PeakRssMib(),
            ["data"] = arrays ? "float arrays" : "uint8 sequence scaled per batch",
        };
    }

    /// <summary>
    /// W5: the convnet on Fashion-MNIST, Adam(1e-3), batch 128, shuffled. The images stay bytes and each batch is
    /// scaled by 1/255 into [128, 28, 28, 1] on the fly (as W1 does; <c>--arrays</c> holds float copies instead).
    /// </summary>
    /// <summary>W5; <paramref name="filters"/> (F, then 2F) and <paramref name="rows"/> (the first training rows, 0 = all)
    /// drive the width-scaling chart.</summary>
    private static Dictionary<string, object> W5(int epochs, int threads, bool arrays, int filters, int rows)
    {
        var model = Workloads.W5Model(filters);
        model.Compile(new Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"]);
        var timer = new EpochTimer();
        History history;
        if (arrays)
        {
            var ((trainX, trainY), (testX, testY)) = FashionMnist.Load();
            if (rows > 0)
            {
                (trainX, trainY) = (trainX.SliceRows(0, rows), trainY[..rows]);
            }

            var x = Ops.Reshape(trainX / 255f, -1, 28, 28, 1);
            var xt = Ops.Reshape(testX / 255f, -1, 28, 28, 1);
            history = model.Fit(x, trainY, batchSize: 128, epochs: epochs, verbose: 0, shuffle: true,
                validationData: (xt, Tensor.FromLabels(testY)), callbacks: [timer]);
        }
        else
        {
            var ((trainPixels, trainY), (testPixels, testY)) = FashionMnist.LoadBytes();
            if (rows > 0)
            {
                (trainPixels, trainY) = (trainPixels[..(rows * 784)], trainY[..rows]);
            }

            var train = new ImageSequence(trainPixels, trainY, [28, 28, 1], batchSize: 128, shuffle: true);
            var test = new ImageSequence(testPixels, testY, [28, 28, 1], batchSize: 128);
            history = model.Fit(train, epochs: epochs, verbose: 0, validationData: test, callbacks: [timer]);
        }

        return new Dictionary<string, object>
        {
            ["workload"] = "W5",
            ["framework"] = "kerasnotes",
            ["threads"] = threads,
            ["epochs"] = epochs,
            ["epoch_seconds"] = timer.Train,
            ["eval_seconds"] = timer.Eval,
            ["jit_methods"] = timer.JitMethods,
            ["jit_seconds"] = timer.JitSeconds,
            ["test_accuracy"] = history["val_accuracy"][^1],
            ["test_loss"] = history["val_loss"][^1],
            ["peak_rss_mib"] = PeakRssMib(),
            ["data"] = arrays ? "float arrays" : "uint8 sequence scaled per batch",
            ["filters"] = filters,
            ["rows"] = rows > 0 ? rows : 60_000,
        };
    }

    private static Dictionary<string, object> W2(int epochs, int threads)
    {
        var (x, y) = Workloads.W2Data();
        var model = Workloads.W2Model();
        model.Compile(new Adam(1e-3), "mse");
        var timer = new EpochTimer();
        var history = model.Fit(x, y, batchSize: 32, epochs: epochs, verbose: 0, validationSplit: 0.2, callbacks: [timer]);
        var sorted = timer.Train.Order().ToArray();
        return new Dictionary<string, object>
        {
            ["workload"] = "W2",
            ["framework"] = "kerasnotes",
            ["threads"] = threads,
            ["epochs"] = epochs,
            ["epoch_seconds"] = timer.Train,
            ["median_epoch_seconds"] = sorted[sorted.Length / 2],
            ["eval_seconds"] = timer.Eval,
            ["jit_methods"] = timer.JitMethods,
            ["jit_seconds"] = timer.JitSeconds,
            ["val_loss"] = history["val_loss"][^1],
        };
    }

    private static Dictionary<string, object> W3(int threads)
    {
        var results = new List<Dictionary<string, object>>();
        foreach (var name in new[] { "fwd1", "fwd2", "bwd_dw", "bwd_dx", "square1024" })
        {
            var (m, k, n, ta, tb) = GemmBenchmarks.Shapes(name);
            var rng = new System.Random(1);
            var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble()).ToArray();
            var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble()).ToArray();
            var c = new float[m * n];
            double flops = 2.0 * m * n * k;
            int reps = Math.Max(3, (int)(2e9 / flops));
            // Warm up for a fixed time first (longer for the first shape, while the JIT is still tiering up), so
            // the timed rounds run the JIT's final code, as the PyTorch side runs native code from its first call.
            double warmSeconds = results.Count == 0 ? 1.0 : 0.3;
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < warmSeconds)
            {
                Gemm.Multiply(a, ta ? m : k, ta, b, tb ? k : n, tb, c, n, m, n, k, accumulate: false);
            }

            var samples = new List<double>();
            for (int round = 0; round < 15; round++)
            {
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < reps; r++)
                {
                    Gemm.Multiply(a, ta ? m : k, ta, b, tb ? k : n, tb, c, n, m, n, k, accumulate: false);
                }

                samples.Add(flops * reps / sw.Elapsed.TotalSeconds / 1e9);
            }

            samples.Sort();
            results.Add(new Dictionary<string, object>
            {
                ["shape"] = name, ["m"] = m, ["k"] = k, ["n"] = n,
                ["desc"] = $"{m}x{k}{(ta ? "ᵀ" : string.Empty)} · {k}x{n}{(tb ? "ᵀ" : string.Empty)}",
                ["backend"] = "kerasnotes",
                ["gflops"] = samples[samples.Count / 2],
                ["gflops_best"] = samples[^1],
            });
        }

        return new Dictionary<string, object> { ["workload"] = "W3", ["framework"] = "kerasnotes", ["threads"] = threads, ["results"] = results };
    }

    /// <summary>
    /// P1: what a web request that loads a model and predicts one row sees in a fresh process — the W1 model is
    /// built (weights initialised, not trained), then the first and second <c>Predict</c> of one row are timed;
    /// the first includes compiling every method the prediction path needs.
    /// </summary>
    private static Dictionary<string, object> P1(int threads)
    {
        long t0 = Stopwatch.GetTimestamp();
        var model = Workloads.W1Model(256);
        var row = Tensor.Zeros(1, 784);
        double buildMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        long jitBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        long t1 = Stopwatch.GetTimestamp();
        model.Predict(row, verbose: 0);
        double firstMs = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
        long jitFirst = System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore;
        long t2 = Stopwatch.GetTimestamp();
        model.Predict(row, verbose: 0);
        double secondMs = Stopwatch.GetElapsedTime(t2).TotalMilliseconds;
        return new Dictionary<string, object>
        {
            ["workload"] = "P1",
            ["framework"] = "kerasnotes",
            ["threads"] = threads,
            ["build_ms"] = buildMs,
            ["first_predict_ms"] = firstMs,
            ["first_predict_jit_methods"] = jitFirst,
            ["second_predict_ms"] = secondMs,
            ["process_ms"] = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds,
        };
    }

    private static Dictionary<string, object> W4(int threads)
    {
        var ((trainX, trainY), (testX, _)) = FashionMnist.Load();
        var model = Workloads.W1Model(256);
        model.Compile(new Adam(1e-3), "sparse_categorical_crossentropy");
        model.Fit(Ops.Reshape(trainX / 255f, -1, 784).SliceRows(0, 2048), trainY[..2048], batchSize: 128, epochs: 1, verbose: 0);
        var xt = Ops.Reshape(testX / 255f, -1, 784);

        // Warm up for a while (both sides get the same treatment): .NET compiles hot methods again with
        // full optimisation after they have run a little, and a measurement should not catch that midway.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1.5)
        {
            model.Predict(xt, batchSize: 256);
        }

        // Throughput from the median pass, as the PyTorch twin measures it (one slow pass on a shared machine
        // should not decide the result).
        var passes = new double[Passes];
        for (int r = 0; r < passes.Length; r++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Predict(xt, batchSize: 256);
            passes[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(passes);
        double throughput = xt.Shape[0] / passes[passes.Length / 2];
        var latencies = new double[2000];
        warm.Restart();
        for (int i = 0; warm.Elapsed.TotalSeconds < 1.0; i++)
        {
            model.PredictOnBatch(xt.SliceRows(i % xt.Shape[0], 1));
        }

        for (int i = 0; i < latencies.Length; i++)
        {
            var one = xt.SliceRows(i % xt.Shape[0], 1);
            long start = Stopwatch.GetTimestamp();
            model.PredictOnBatch(one);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(latencies);
        return new Dictionary<string, object>
        {
            ["workload"] = "W4",
            ["framework"] = "kerasnotes",
            ["threads"] = threads,
            ["batch_size"] = 256,
            ["throughput_samples_per_s"] = throughput,
            ["latency_p50_ms"] = latencies[latencies.Length / 2],
            ["latency_p99_ms"] = latencies[(int)(latencies.Length * 0.99)],
            ["latency_calls"] = latencies.Length,
        };
    }

    private static double PeakRssMib()
    {
        // VmHWM is the peak resident set size of this process (Linux).
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Splits each epoch's wall time into training (epoch begin → validation begin) and evaluation.</summary>
    private sealed class EpochTimer : Callback
    {
        private long _epochStart;
        private long _testStart;

        public List<double> Train { get; } = [];

        public List<double> Eval { get; } = [];

        /// <summary>Methods the JIT compiled during each epoch's training part (all threads, tiers included).</summary>
        public List<long> JitMethods { get; } = [];

        /// <summary>Seconds the JIT spent during each epoch's training part (all threads).</summary>
        public List<double> JitSeconds { get; } = [];

        private long _jitMethodsAtStart;
        private TimeSpan _jitTimeAtStart;

        public override void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null)
        {
            _jitMethodsAtStart = System.Runtime.JitInfo.GetCompiledMethodCount();
            _jitTimeAtStart = System.Runtime.JitInfo.GetCompilationTime();
            _epochStart = Stopwatch.GetTimestamp();
        }

        public override void OnTestBegin(IDictionary<string, double>? logs = null)
        {
            _testStart = Stopwatch.GetTimestamp();
            Train.Add(Stopwatch.GetElapsedTime(_epochStart, _testStart).TotalSeconds);
            JitMethods.Add(System.Runtime.JitInfo.GetCompiledMethodCount() - _jitMethodsAtStart);
            JitSeconds.Add((System.Runtime.JitInfo.GetCompilationTime() - _jitTimeAtStart).TotalSeconds);
        }

        public override void OnTestEnd(IDictionary<string, double>? logs = null) => Eval.Add(Stopwatch.GetElapsedTime(_testStart).TotalSeconds);
    }
}
