using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace KerasNotes.Tests.Saving.Fuzzing;

/// <summary>
/// Structure-aware mutations of a JSON document (config.json, metadata.json, model.json): a value of another
/// type, a huge or negative number, deep nesting, a duplicate key, an unknown class name, a hostile value for a
/// key that sizes something (units, shapes, rates, dtypes), a removed member, a very long or odd string.
/// </summary>
internal sealed class JsonMutator : IMutator
{
    private const string Placeholder = "\u0001fuzz-placeholder\u0001";

    private static readonly string[] s_hostileNumbers =
    [
        "0", "-1", "-0.0", "1.5", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775807",
        "18446744073709551616", "1e308", "-1e308", "1e400", "1e-320", "123456789012345678901234567890",
    ];

    private static readonly string[] s_anyValues =
    [
        "null", "true", "false", "0", "-1", "\"\"", "\"x\"", "[]", "{}", "[null]", "{\"class_name\": null}", "1e308", "\"float32\"", "[[]]",
    ];

    private static readonly string[] s_classNames =
    [
        "", "Lambda", "TFOpLambda", "Functional", "Model", "Sequential", "InputLayer", "Conv2D", "os.system", "__import__",
        "Dense\u0000", "dense", "DENSE", "Custom>Dense", "keras.layers.Dense", "function", "MeanMetricWrapper", "ExponentialDecay",
    ];

    private static readonly Dictionary<string, string[]> s_targeted = new(StringComparer.Ordinal)
    {
        ["units"] = ["0", "-1", "-2147483648", "2147483647", "1000000", "1e9", "1.5", "\"4\"", "null"],
        ["rate"] = ["-0.5", "1", "1.5", "1e308", "\"0.5\"", "null"],
        ["axis"] = ["5", "-5", "2147483647", "[]", "[1, 2]", "[100]", "\"1\""],
        ["momentum"] = ["-1", "2", "1e308"],
        ["epsilon"] = ["-1", "0", "1e308"],
        ["seed"] = ["-1", "1e20", "\"1\"", "[]"],
        ["noise_shape"] = ["[0]", "[-1]", "[null, 0]", "[2147483647]", "[]"],
        ["batch_shape"] = ["[]", "[null]", "[null, 0]", "[null, -1]", "[null, 2147483647]", "[null, 100000, 100000]", "[0, 3]", "[null, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]", "\"3\"", "[null, 1.5]"],
        ["batch_input_shape"] = ["[]", "[null, 0]", "[null, -1]", "[null, 2147483647]", "[null, 65536, 65536]"],
        ["build_input_shape"] = ["[]", "[null, 0]", "[null, -1]", "[null, 2147483647]", "[null, 65536, 65536]", "[null, 5]"],
        ["input_shape"] = ["[]", "[null, 0]", "[null, 2147483647]", "[null, 7]"],
        ["shape"] = ["[]", "[0]", "[-1]", "[2147483647]", "[65536, 65536]", "[3, 4, 1]", "[4, 3]", "\"3\"", "[1.5]", "[null]"],
        ["epoch"] = ["-1", "2147483648", "1.5", "\"3\""],
        ["learning_rate"] = ["-1", "1e308", "\"0.1\"", "{\"class_name\": \"Unknown\", \"config\": {}}", "{\"class_name\": \"ExponentialDecay\", \"config\": {\"initial_learning_rate\": 0.1, \"decay_steps\": 0, \"decay_rate\": 0.5}}"],
        ["dtype"] = ["\"float16\"", "\"int32\"", "\"string\"", "5", "{}", "{\"config\": {\"name\": \"mixed_float16\"}}"],
        ["activation"] = ["\"nope\"", "\"\"", "5", "{}", "{\"class_name\": \"function\", \"config\": \"os.system\"}"],
        ["layers"] = ["[]", "{}", "[null]", "[{}]", "[1, 2, 3]"],
        ["fit_shuffle"] = ["[]", "[\"0\", \"0\", \"0\", \"0\", \"0\"]", "[\"zz\", \"0\", \"0\", \"0\", \"0\"]", "\"x\""],
        ["config"] = ["null", "[]", "\"x\"", "{}"],
        ["weightsManifest"] = ["[]", "{}", "[{}]", "[{\"paths\": [], \"weights\": []}]"],
        ["modelTopology"] = ["null", "[]", "{}", "\"x\""],

        // Convolution and pooling configs: sizes that overflow or do not fit the input, and settings KerasNotes refuses.
        ["filters"] = ["0", "-1", "2147483647", "1000000", "1.5", "\"4\"", "null"],
        ["kernel_size"] = ["[0, 3]", "[-1, 3]", "[3]", "[3, 3, 3]", "3", "[11, 11]", "[1, 1]", "[65536, 65536]", "[2147483647, 2147483647]", "[3.5, 3]", "null"],
        ["strides"] = ["[0, 1]", "[-1, 1]", "[1]", "1", "[2, 2]", "[2147483647, 2147483647]", "null"],
        ["dilation_rate"] = ["[0, 1]", "[-1, -1]", "[2, 2]", "3", "[2147483647, 1]", "[1073741824, 1073741824]"],
        ["padding"] = ["\"causal\"", "\"SAME\"", "\"full\"", "\"\"", "5", "null", "\"valid\"", "\"same\""],
        ["data_format"] = ["\"channels_first\"", "\"NCHW\"", "\"\"", "null", "1"],
        ["groups"] = ["0", "-1", "2", "4", "2147483647", "1.5", "null"],
        ["pool_size"] = ["[0, 0]", "[-1, 2]", "[2]", "2", "[9, 9]", "[2147483647, 2]", "null"],
        ["keepdims"] = ["\"true\"", "1", "null", "[]", "false"],
        // Functional graphs: references to layers, calls and tensors that do not exist, and calls KerasNotes refuses.
        ["keras_history"] = ["[]", "null", "[\"ghost\", 0, 0]", "[\"fz_shared\", 99, 0]", "[\"fz_shared\", 1, 0]", "[\"fz_shared\", 0, 7]", "[\"fz_shared\", -1, 0]", "[\"fz_in\", 0, 0]", "[\"fz_out\", 0, 0]", "[\"fz_inner\", 1, 0]", "[1, 0, 0]", "[\"fz_add\", 2147483647, 0]", "[\"inner_dense\", 0, 0]", "[\"add_e\", 0, 0]"],
        ["inbound_nodes"] = ["[]", "null", "{}", "[[]]", "[[[\"ghost\", 0, 0, {}]]]", "[{\"args\": [], \"kwargs\": {}}]", "[[[\"fz_in\", 0, 0, {}]]]"],
        ["input_layers"] = ["[]", "[\"fz_out\", 0, 0]", "[[\"fz_in\", 0, 0], [\"fz_in\", 0, 0]]", "{\"a\": [\"fz_in\", 0, 0]}", "[\"fz_in\", 1, 0]", "\"fz_in\""],
        ["output_layers"] = ["[]", "[\"fz_in\", 0, 0]", "[\"fz_inner\", 0, 0]", "[\"fz_inner\", 3, 0]", "[[\"fz_out\", 0, 0], [\"fz_add\", 0, 0]]", "[\"ghost\", 0, 0]", "{\"o\": [\"fz_out\", 0, 0]}"],
        ["args"] = ["[]", "[[]]", "[5]", "null", "[[{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": [\"fz_in\", 0, 0]}}]]"],
        ["kwargs"] = ["{\"training\": true}", "{\"mask\": [null]}", "{\"mask\": true}", "null", "[]", "{\"training\": null}"],
        ["name"] = ["\"fz_shared\"", "\"fz_in\"", "\"\"", "\"ghost\"", "null"],
        ["target_shape"] = ["[]", "[0]", "[-2]", "[-1, -1]", "[12]", "[3, 4]", "[null, 6]", "[1, 2, 6, 1]", "[2147483647]", "[65536, 65536, 65536]"],
    };

    public string Name => "json";

    public Mutant Mutate(byte[] source, System.Random rng)
    {
        var root = JsonNode.Parse(source)!;
        var spots = new List<Spot>();
        Collect(root, null, null, -1, "$", spots);
        var spot = spots[rng.Next(spots.Count)];
        switch (rng.Next(9))
        {
            case 0:
                return Replace(root, spot, Pick(s_anyValues, rng), "swap type");
            case 1:
                return Replace(root, spot, Pick(s_hostileNumbers, rng), "huge number");
            case 2:
                {
                    int depth = Pick([63, 64, 65, 200, 5_000, 100_000], rng);
                    bool objects = rng.Next(2) == 0;
                    var sb = new StringBuilder();
                    for (int i = 0; i < depth; i++)
                    {
                        sb.Append(objects ? "{\"a\": " : "[");
                    }

                    sb.Append('1');
                    for (int i = 0; i < depth; i++)
                    {
                        sb.Append(objects ? '}' : ']');
                    }

                    return Replace(root, spot, sb.ToString(), $"nest {depth} {(objects ? "objects" : "lists")}");
                }

            case 3:
                return DuplicateKey(root, spots, rng);
            case 4:
                {
                    var named = spots.Where(s => s.Key is "class_name" or "registered_name" or "module").ToList();
                    return named.Count == 0
                        ? Replace(root, spot, Pick(s_anyValues, rng), "swap type")
                        : Replace(root, Pick(named, rng), JsonValue.Create(Pick(s_classNames, rng))!.ToJsonString(), "class name");
                }

            case 5:
            case 6:
                {
                    var targeted = spots.Where(s => s.Key is not null && s_targeted.ContainsKey(s.Key)).ToList();
                    if (targeted.Count == 0)
                    {
                        return Replace(root, spot, Pick(s_hostileNumbers, rng), "huge number");
                    }

                    var t = Pick(targeted, rng);
                    return Replace(root, t, Pick(s_targeted[t.Key!], rng), "targeted");
                }

            case 7:
                return Remove(root, spot);
            default:
                {
                    string[] strings = [new string('a', 100_000), "\u0000", "é\u2028\ud800", "../../etc/passwd", " ", "dense_1", "input_layer", "layer:dense"];
                    return Replace(root, spot, JsonValue.Create(Pick(strings, rng))!.ToJsonString(), "odd string");
                }
        }
    }

    private static T Pick<T>(IReadOnlyList<T> list, System.Random rng) => list[rng.Next(list.Count)];

    private sealed record Spot(JsonNode? Node, JsonNode? Parent, string? Key, int Index, string Path);

    private static void Collect(JsonNode? node, JsonNode? parent, string? key, int index, string path, List<Spot> spots)
    {
        spots.Add(new Spot(node, parent, key, index, path));
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o.ToList())
                {
                    Collect(v, o, k, -1, $"{path}.{k}", spots);
                }

                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    Collect(a[i], a, null, i, $"{path}[{i}]", spots);
                }

                break;
        }
    }

    /// <summary>Puts the raw JSON text <paramref name="raw"/> where the spot's value was (via a placeholder, so any text fits).</summary>
    private static Mutant Replace(JsonNode root, Spot spot, string raw, string what)
    {
        if (spot.Parent is null)
        {
            return new Mutant(Encoding.UTF8.GetBytes(raw), $"{what}: $ = {Show(raw)}");
        }

        Set(spot, Placeholder);
        string text = root.ToJsonString().Replace(JsonValue.Create(Placeholder)!.ToJsonString(), raw, StringComparison.Ordinal);
        return new Mutant(Encoding.UTF8.GetBytes(text), $"{what}: {spot.Path} = {Show(raw)}");
    }

    private static void Set(Spot spot, object? value)
    {
        JsonNode? node = value as JsonNode ?? (value is string s ? JsonValue.Create(s) : null);
        switch (spot.Parent)
        {
            case JsonObject o:
                o[spot.Key!] = node;
                break;
            case JsonArray a:
                a[spot.Index] = node;
                break;
        }
    }

    private static Mutant DuplicateKey(JsonNode root, List<Spot> spots, System.Random rng)
    {
        var members = spots.Where(s => s.Parent is JsonObject).ToList();
        if (members.Count == 0)
        {
            return new Mutant(Encoding.UTF8.GetBytes(root.ToJsonString()), "duplicate key: no object member");
        }

        var spot = Pick(members, rng);
        var parent = (JsonObject)spot.Parent!;
        parent[Placeholder] = null;
        string value = rng.Next(2) == 0 ? (spot.Node?.ToJsonString() ?? "null") : Pick(s_anyValues, rng);
        string text = root.ToJsonString().Replace(JsonValue.Create(Placeholder)!.ToJsonString() + ":null", JsonValue.Create(spot.Key)!.ToJsonString() + ":" + value, StringComparison.Ordinal);
        parent.Remove(Placeholder);
        return new Mutant(Encoding.UTF8.GetBytes(text), $"duplicate key {spot.Path} = {Show(value)}");
    }

    private static Mutant Remove(JsonNode root, Spot spot)
    {
        switch (spot.Parent)
        {
            case JsonObject o:
                o.Remove(spot.Key!);
                break;
            case JsonArray a:
                a.RemoveAt(spot.Index);
                break;
            default:
                return new Mutant([], "remove the root");
        }

        string text = root.ToJsonString();
        return new Mutant(Encoding.UTF8.GetBytes(text), $"remove {spot.Path}");
    }

    private static string Show(string raw) => raw.Length <= 80 ? raw : raw[..40] + $"…({raw.Length.ToString(CultureInfo.InvariantCulture)} chars)";
}
