using System.Text;
using System.Text.Json.Nodes;

namespace KerasNotes.Tests.Saving.Fuzzing;

/// <summary>
/// Mutations of a TensorFlow.js <c>weightsManifest</c>: shard paths (escapes, devices, empty, duplicates), weight
/// shapes, dtypes and quantization, names, and the order and number of specs (which moves every later offset).
/// </summary>
internal sealed class TfjsManifestMutator : IMutator
{
    private static readonly string[] s_paths =
    [
        "../weights.bin", "/etc/passwd", "", ".", "..", "weights.bin\u0000", "missing.bin", "WEIGHTS.BIN", "sub/weights.bin",
        "weights.bin ", "C:\\weights.bin", "\\\\server\\share\\w.bin", "/dev/zero", "model.json", new string('a', 300), "weights.bin/",
    ];

    private static readonly string[] s_shapes = ["[]", "[0]", "[-1]", "[2147483647]", "[65536, 65536]", "[3, 4, 1]", "[4, 3]", "\"3\"", "[1.5]", "[null]", "[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"];

    private static readonly string[] s_dtypes = ["\"float16\"", "\"int32\"", "\"string\"", "\"bool\"", "\"uint8\"", "5", "null", "{}"];

    private static readonly string[] s_names = ["nolayer/kernel", "dense/", "/kernel", "", "dense/kernel", "dense_1/bias", "dense/kernel/extra", "batch_normalization/moving_mean"];

    public string Name => "tfjs-manifest";

    public Mutant Mutate(byte[] source, System.Random rng)
    {
        var root = JsonNode.Parse(source)!.AsObject();
        var groups = root["weightsManifest"]!.AsArray();
        var group = groups[rng.Next(groups.Count)]!.AsObject();
        var paths = group["paths"]!.AsArray();
        var specs = group["weights"]!.AsArray();
        var spec = specs.Count > 0 ? specs[rng.Next(specs.Count)]!.AsObject() : null;
        string what;
        switch (rng.Next(9))
        {
            case 0:
                {
                    string p = s_paths[rng.Next(s_paths.Length)];
                    paths[rng.Next(paths.Count)] = p;
                    what = $"path = {Show(p)}";
                    break;
                }

            case 1:
                paths.Add(paths[0]!.DeepClone());
                what = "duplicate path";
                break;
            case 2 when spec is not null:
                {
                    string shape = s_shapes[rng.Next(s_shapes.Length)];
                    spec["shape"] = JsonNode.Parse(shape);
                    what = $"{spec["name"]} shape = {shape}";
                    break;
                }

            case 3 when spec is not null:
                {
                    string dtype = s_dtypes[rng.Next(s_dtypes.Length)];
                    spec["dtype"] = JsonNode.Parse(dtype);
                    what = $"{spec["name"]} dtype = {dtype}";
                    break;
                }

            case 4 when spec is not null:
                {
                    string name = s_names[rng.Next(s_names.Length)];
                    spec["name"] = name;
                    what = $"name = {name}";
                    break;
                }

            case 5 when specs.Count > 1:
                {
                    int a = rng.Next(specs.Count), b = rng.Next(specs.Count);
                    var first = specs[a]!.DeepClone();
                    specs[a] = specs[b]!.DeepClone();
                    specs[b] = first;
                    what = $"swap specs {a} and {b} (moves the offsets between them)";
                    break;
                }

            case 6 when specs.Count > 0:
                {
                    int at = rng.Next(specs.Count);
                    if (rng.Next(2) == 0)
                    {
                        specs.RemoveAt(at);
                        what = $"remove spec {at}";
                    }
                    else
                    {
                        specs.Insert(at, specs[at]!.DeepClone());
                        what = $"duplicate spec {at}";
                    }

                    break;
                }

            case 7 when spec is not null:
                spec["quantization"] = JsonNode.Parse("{\"dtype\": \"uint8\", \"scale\": 1, \"min\": 0}");
                what = $"{spec["name"]} quantized";
                break;
            default:
                groups.Add(rng.Next(2) == 0 ? group.DeepClone() : JsonNode.Parse("{\"paths\": [], \"weights\": []}"));
                what = "extra group";
                break;
        }

        return new Mutant(Encoding.UTF8.GetBytes(root.ToJsonString()), what);
    }

    private static string Show(string s) => s.Length <= 40 ? s : s[..20] + $"…({s.Length} chars)";
}
