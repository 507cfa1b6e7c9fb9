using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasNotes.Tests.TestSupport;

/// <summary>Reads the Keras parity fixtures copied into Fixtures/ (their 'source' field says what produced each number).</summary>
internal static class Fixture
{
    private static readonly Dictionary<string, JsonObject> s_cache = [];

    public static JsonObject Load(string file)
    {
        lock (s_cache)
        {
            if (!s_cache.TryGetValue(file, out var root))
            {
                string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", file);
                root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
                s_cache[file] = root;
            }

            return root;
        }
    }

    /// <summary>The names of the cases in a fixture file's "cases" array, for [MemberData].</summary>
    public static TheoryData<string> CaseNames(string file, string arrayName = "cases")
    {
        var data = new TheoryData<string>();
        foreach (var c in Load(file)[arrayName]!.AsArray())
        {
            data.Add(c!["name"]!.GetValue<string>());
        }

        return data;
    }

    public static JsonObject Case(string file, string name, string arrayName = "cases") =>
        Load(file)[arrayName]!.AsArray().First(c => c!["name"]!.GetValue<string>() == name)!.AsObject();

    /// <summary>A nested JSON list of numbers as a tensor (shape from the nesting).</summary>
    public static Tensor ToTensor(JsonNode node)
    {
        var dims = new List<int>();
        var cursor = node;
        while (cursor is JsonArray arr)
        {
            dims.Add(arr.Count);
            cursor = arr.Count > 0 ? arr[0] : null;
        }

        var values = new List<float>();
        Flatten(node, values);
        return Tensor.FromArray(values.ToArray(), dims.ToArray());
    }

    public static float[] ToFloats(JsonNode node)
    {
        var values = new List<float>();
        Flatten(node, values);
        return values.ToArray();
    }

    private static void Flatten(JsonNode? node, List<float> values)
    {
        if (node is JsonArray arr)
        {
            foreach (var item in arr)
            {
                Flatten(item, values);
            }
        }
        else if (node is not null)
        {
            // Values are the shortest decimals that round back to the float32 (fixture README).
            values.Add((float)node.GetValue<double>());
        }
    }

    public static (double Abs, double Rel) Tolerance(JsonNode? node) =>
        (node!["abs"]!.GetValue<double>(), node["rel"]!.GetValue<double>());
}
