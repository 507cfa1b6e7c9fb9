using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasNotes.Serialization;

/// <summary>
/// Reads values out of a parsed JSON configuration, raising the source's format error (for a file: a
/// <c>ModelFormatException</c> with the file, the member and a JSON path) whenever a value is missing or of the
/// wrong kind. Nothing here ever turns text
/// from the file into a type or code: values become numbers, strings, booleans, lists and objects only.
/// </summary>
internal readonly struct ConfigNode
{
    public ConfigNode(JsonNode? node, string where, IConfigSource source)
    {
        Node = node;
        Where = where;
        Source = source;
    }

    public JsonNode? Node { get; }

    public string Where { get; }

    /// <summary>Where the configuration came from: it makes the errors and resolves nested objects.</summary>
    public IConfigSource Source { get; }

    public bool IsNull => Node is null;

    public bool IsObject => Node is JsonObject;

    public bool IsString => Node is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    public bool IsArray => Node is JsonArray;

    public Exception Fail(string reason) => Source.Fail(Where, reason);

    private static string Show(JsonNode? node)
    {
        string s = node is null ? "null" : node.ToJsonString();
        return s.Length <= 60 ? s : s[..57] + "...";
    }

    public string Kind => Node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a value",
        },
        _ => "a value",
    };

    public ConfigNode this[string key] => Node is JsonObject o
        ? new ConfigNode(o.TryGetPropertyValue(key, out var child) ? child : null, $"{Where}.{key}", Source)
        : throw Fail($"expected an object, found {Kind} {Show(Node)}.");

    public bool Has(string key) => Node is JsonObject o && o.ContainsKey(key);

    public JsonObject AsObject() => Node as JsonObject ?? throw Fail($"expected an object, found {Kind} {Show(Node)}.");

    public IReadOnlyList<ConfigNode> Items()
    {
        if (Node is not JsonArray a)
        {
            throw Fail($"expected a list, found {Kind} {Show(Node)}.");
        }

        var list = new List<ConfigNode>(a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            list.Add(new ConfigNode(a[i], $"{Where}[{i}]", Source));
        }

        return list;
    }

    public string String() => Node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Fail($"expected a string, found {Kind} {Show(Node)}.");

    public string? OptString() => Node is null ? null : String();

    public string OptString(string fallback) => Node is null ? fallback : String();

    public double Double() => TryDouble(out double d) ? d : throw Fail($"expected a number, found {Kind} {Show(Node)}.");

    public bool TryDouble(out double value)
    {
        value = 0;
        return Node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public bool TryInt(out int value)
    {
        value = 0;
        if (!TryDouble(out double d) || d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue)
        {
            return false;
        }

        value = (int)d;
        return true;
    }

    public bool IsBool => Node?.GetValueKind() is JsonValueKind.True or JsonValueKind.False;

    /// <summary>The node as short JSON text, for messages.</summary>
    public string Text => Show(Node);

    public double OptDouble(double fallback) => Node is null ? fallback : Double();

    public double? NullableDouble() => Node is null ? null : Double();

    public int Int()
    {
        _ = Double();
        return TryInt(out int value) ? value : throw Fail($"expected a whole number, found {Show(Node)}.");
    }

    public int OptInt(int fallback) => Node is null ? fallback : Int();

    public int? NullableInt() => Node is null ? null : Int();

    public bool Bool() => Node?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Fail($"expected true or false, found {Kind} {Show(Node)}."),
    };

    public bool OptBool(bool fallback) => Node is null ? fallback : Bool();

    /// <summary>A shape list: whole numbers ≥ 0 or null (unknown, returned as -1).</summary>
    public int[] ShapeDims(int maxRank = 32)
    {
        var items = Items();
        if (items.Count > maxRank)
        {
            throw Fail($"a shape of rank {items.Count} is beyond the supported {maxRank}.");
        }

        var dims = new int[items.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            if (items[i].IsNull)
            {
                dims[i] = -1;
                continue;
            }

            int d = items[i].Int();
            if (d <= 0)
            {
                throw items[i].Fail($"expected a positive dimension or null, found {d}.");
            }

            dims[i] = d;
        }

        return dims;
    }
}
