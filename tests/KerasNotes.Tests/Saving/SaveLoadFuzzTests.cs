using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Seeded mutations (bit flips, truncations, splices, inflated size fields, overwrites, and the same applied
/// to one member of a .keras archive) of every valid file we have — the save_format fixtures, the copyable real
/// Keras files and files we write ourselves. Every load must either succeed or throw ModelFormatException,
/// within a time bound per attempt, and no attempt may allocate memory out of proportion to the file.
/// </summary>
public sealed class SaveLoadFuzzTests(ITestOutputHelper output)
{
    /// <summary>
    /// Mutations per file; KERASNOTES_FUZZ_ITERATIONS overrides it (e.g. 20000 for a long local run). To study a
    /// failure, KERASNOTES_FUZZ_DUMP=folder writes the offending inputs there (KERASNOTES_FUZZ_DUMP_ABOVE=bytes
    /// also dumps every input that allocated more than that).
    /// </summary>
    private static readonly int s_iterations =
        int.TryParse(Environment.GetEnvironmentVariable("KERASNOTES_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 3000;

    private static readonly TimeSpan s_attemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The allocation allowed per attempt: a fixed allowance plus a multiple of the file's own size.</summary>
    private static long AllocationBound(long fileLength) => (4L << 20) + (fileLength * 64);

    private sealed record Target(string Name, byte[] Bytes, Action<byte[], string> Load, bool IsArchive);

    private static Sequential FixtureModel() => new(
        new Input(3), new Dense(4, activation: "relu", name: "dense"), new BatchNormalization(name: "batch_normalization"), new Dense(2, activation: "softmax", name: "dense_1"));

    private static readonly CustomObjects s_nested = new CustomObjects().AddLayer("legacy_nested_container>NestedDenseModel", c =>
        new Sequential([new Dense(4, useBias: false), new Dense(4, useBias: false), new Dense(4, useBias: false), new Dense(2)], c.Name));

    private static Target Make(string name)
    {
        switch (name)
        {
            case "save_format/keras3_model.weights.h5":
                return new(name, File.ReadAllBytes(SavingTestSupport.FixturePath("save_format", "keras3_model.weights.h5")),
                    (b, p) => ModelFiles.LoadWeights(FixtureModel(), b, p), false);
            case "save_format/legacy_keras2_model.h5":
            case "save_format/legacy_keras3_model.h5":
            case "real_keras/keras224_architecture_only.h5":
                return new(name, File.ReadAllBytes(SavingTestSupport.FixturePath(name.Split('/'))), (b, p) => ModelFiles.Load(b, p, null), false);
            case "real_keras/keras315_custom_subclass.keras":
                return new(name, File.ReadAllBytes(SavingTestSupport.FixturePath(name.Split('/'))), (b, p) => ModelFiles.Load(b, p, s_nested), true);
            case "save_format/tfjs_layers_model/model.json":
                return new(name, File.ReadAllBytes(SavingTestSupport.FixturePath("save_format", "tfjs_layers_model", "model.json")),
                    (b, p) => ModelFiles.Load(b, SavingTestSupport.FixturePath("save_format", "tfjs_layers_model", "model.json"), null), false);
            case "ours/compiled_with_dropout.keras":
                {
                    using var temp = SavingTestSupport.Temp();
                    var model = SavingTestSupport.SmallModel();
                    var (x, y) = SavingTestSupport.SmallData(16);
                    model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
                    model.Save(temp.File("m.keras"));
                    return new(name, File.ReadAllBytes(temp.File("m.keras")), (b, p) => ModelFiles.Load(b, p, null), true);
                }

            case "ours/compiled.weights.h5":
                {
                    using var temp = SavingTestSupport.Temp();
                    var model = SavingTestSupport.SmallModel();
                    var (x, y) = SavingTestSupport.SmallData(16);
                    model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
                    model.SaveWeights(temp.File("m.weights.h5"));
                    return new(name, File.ReadAllBytes(temp.File("m.weights.h5")), (b, p) => ModelFiles.LoadWeights(SavingTestSupport.SmallModel(), b, p), false);
                }

            case "ours/cnn.keras":
                {
                    using var temp = SavingTestSupport.Temp();
                    SavingTestSupport.TrainedCnn().Save(temp.File("cnn.keras"));
                    return new(name, File.ReadAllBytes(temp.File("cnn.keras")), (b, p) => ModelFiles.Load(b, p, null), true);
                }

            case "ours/functional.keras":
                {
                    using var temp = SavingTestSupport.Temp();
                    SavingTestSupport.TrainedFunctional().Save(temp.File("functional.keras"));
                    return new(name, File.ReadAllBytes(temp.File("functional.keras")), (b, p) => ModelFiles.Load(b, p, null), true);
                }

            case "keras_functional/e.keras":
            case "keras_functional/d.h5":
                return new(name, File.ReadAllBytes(SavingTestSupport.FixturePath(name.Split('/'))), (b, p) => ModelFiles.Load(b, p, null), name.EndsWith(".keras", StringComparison.Ordinal));

            case "ours/cnn.weights.h5":
                {
                    using var temp = SavingTestSupport.Temp();
                    SavingTestSupport.TrainedCnn().SaveWeights(temp.File("cnn.weights.h5"));
                    return new(name, File.ReadAllBytes(temp.File("cnn.weights.h5")), (b, p) => ModelFiles.LoadWeights(SavingTestSupport.CnnModel(), b, p), false);
                }

            default:
                throw new ArgumentException(name);
        }
    }

    public static TheoryData<string> Targets =>
    [
        "save_format/keras3_model.weights.h5",
        "save_format/legacy_keras2_model.h5",
        "save_format/legacy_keras3_model.h5",
        "save_format/tfjs_layers_model/model.json",
        "real_keras/keras224_architecture_only.h5",
        "real_keras/keras315_custom_subclass.keras",
        "ours/compiled_with_dropout.keras",
        "ours/compiled.weights.h5",
        "ours/cnn.keras",
        "ours/cnn.weights.h5",
        "ours/functional.keras",
        "keras_functional/e.keras",
        "keras_functional/d.h5",
    ];

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_mutation_loads_or_throws_ModelFormatException_in_bounded_time_and_memory(string name)
    {
        var target = Make(name);
        target.Load(target.Bytes, name); // the pristine file loads
        int seedBase = name.Aggregate(17, (h, c) => ((h * 31) + c) & 0x7FFF); // stable across runs, unlike string.GetHashCode
        var failures = new ConcurrentQueue<string>();
        int accepted = 0, refused = 0;
        long worstAllocation = 0, worstMilliseconds = 0;
        string worstAllocationCase = string.Empty;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < s_iterations; i++)
        {
            int seed = (seedBase * 100_003) + i;
            var (mutated, description) = Mutate(target, seed);
            var attempt = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                string? outcome;
                try
                {
                    target.Load(mutated, name);
                    outcome = null;
                }
                catch (ModelFormatException)
                {
                    outcome = "refused";
                }
                catch (Exception e)
                {
                    outcome = $"UNEXPECTED {e}"[..Math.Min(2000, $"UNEXPECTED {e}".Length)];
                }

                return (outcome, GC.GetAllocatedBytesForCurrentThread() - before, sw.ElapsedMilliseconds);
            });
            if (await Task.WhenAny(attempt, Task.Delay(s_attemptTimeout)) != attempt)
            {
                failures.Enqueue($"seed {seed} ({description}): no answer within {s_attemptTimeout.TotalSeconds} s");
                break; // a hung thread cannot be stopped; do not pile more on it
            }

            var (result, allocated, ms) = await attempt;
            if (result is null)
            {
                accepted++;
            }
            else if (result == "refused")
            {
                refused++;
            }
            else
            {
                failures.Enqueue($"seed {seed} ({description}): {result}");
            }

            if (allocated > worstAllocation)
            {
                worstAllocation = allocated;
                worstAllocationCase = $"seed {seed} ({description})";
            }

            worstMilliseconds = Math.Max(worstMilliseconds, ms);
            if (allocated > AllocationBound(mutated.Length) || Environment.GetEnvironmentVariable("KERASNOTES_FUZZ_DUMP_ABOVE") is { } above && allocated > long.Parse(above, System.Globalization.CultureInfo.InvariantCulture))
            {
                if (Environment.GetEnvironmentVariable("KERASNOTES_FUZZ_DUMP") is { Length: > 0 } dump)
                {
                    Directory.CreateDirectory(dump);
                    File.WriteAllBytes(Path.Combine(dump, $"{name.Replace('/', '_')}_{seed}.bin"), mutated);
                }

                failures.Enqueue($"seed {seed} ({description}): allocated {allocated:N0} bytes for a {mutated.Length}-byte file");
            }
        }

        output.WriteLine($"{name}: {s_iterations} mutations in {total.ElapsedMilliseconds} ms: {accepted} loaded, {refused} refused with ModelFormatException; " +
                         $"slowest {worstMilliseconds} ms; most allocated {worstAllocation:N0} bytes ({worstAllocationCase}).");
        failures.Should().BeEmpty();
    }

    private static (byte[] Bytes, string Description) Mutate(Target target, int seed)
    {
        var rng = new System.Random(seed);
        if (target.IsArchive && rng.Next(2) == 0)
        {
            // Damage one member and re-zip, so the damage reaches the JSON and HDF5 readers past the zip CRC.
            using var source = new ZipArchive(new MemoryStream(target.Bytes), ZipArchiveMode.Read);
            var members = source.Entries.Select(e =>
            {
                using var s = e.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                return (e.FullName, Data: ms.ToArray());
            }).ToList();
            int which = rng.Next(members.Count);
            var (data, what) = MutateBytes(members[which].Data, rng);
            members[which] = (members[which].FullName, data);
            using var output = new MemoryStream();
            using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var (member, bytes) in members)
                {
                    using var s = zip.CreateEntry(member, CompressionLevel.NoCompression).Open();
                    s.Write(bytes);
                }
            }

            return (output.ToArray(), $"{members[which].FullName}: {what}");
        }

        return MutateBytes(target.Bytes, rng);
    }

    private static (byte[] Bytes, string Description) MutateBytes(byte[] source, System.Random rng)
    {
        var d = (byte[])source.Clone();
        int n = d.Length;
        switch (rng.Next(6))
        {
            case 0:
                {
                    int keep = rng.Next(4) == 0 ? rng.Next(Math.Min(n, 64)) : rng.Next(n);
                    return (d[..keep], $"truncate to {keep}");
                }

            case 1:
                {
                    int flips = 1 + rng.Next(8);
                    for (int k = 0; k < flips; k++)
                    {
                        d[rng.Next(n)] ^= (byte)(1 << rng.Next(8));
                    }

                    return (d, $"flip {flips} bits");
                }

            case 2:
                {
                    int len = 1 + rng.Next(Math.Min(256, n));
                    int from = rng.Next(n - len + 1), to = rng.Next(n - len + 1);
                    Array.Copy(source, from, d, to, len);
                    return (d, $"splice {len} bytes {from}->{to}");
                }

            case 3:
                {
                    int at = rng.Next(n);
                    var insert = new byte[1 + rng.Next(256)];
                    rng.NextBytes(insert);
                    return ([.. d[..at], .. insert, .. d[at..]], $"insert {insert.Length} bytes at {at}");
                }

            case 4:
                {
                    // Replace a small little-endian size-like field with a huge value.
                    ulong[] huge = [1UL << 28, int.MaxValue, 1UL << 31, uint.MaxValue, 1UL << 40, ulong.MaxValue];
                    for (int tries = 0; tries < 64; tries++)
                    {
                        int at = rng.Next(Math.Max(1, n - 8));
                        uint v = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(at, 4));
                        if (v is >= 1 and <= 65535)
                        {
                            ulong h = huge[rng.Next(huge.Length)];
                            if (rng.Next(2) == 0 && at + 8 <= n)
                            {
                                BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(at, 8), h);
                            }
                            else
                            {
                                BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(at, 4), (uint)h);
                            }

                            return (d, $"inflate field at {at} from {v} to {h}");
                        }
                    }

                    return (d, "inflate: no small field found");
                }

            default:
                {
                    int len = 4 + rng.Next(61);
                    int at = rng.Next(Math.Max(1, n - len));
                    rng.NextBytes(d.AsSpan(at, Math.Min(len, n - at)));
                    return (d, $"overwrite {len} bytes at {at}");
                }
        }
    }
}
