using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasNotes.Saving;

/// <summary>
/// The saved configuration of one layer (its Keras <c>config</c> object), handed to a custom layer's factory
/// registered with <see cref="CustomObjects"/>. Values are read by key with a default for absent keys; a value
/// of the wrong kind raises <see cref="ModelFormatException"/> naming the layer and the key.
/// </summary>
public sealed class LayerConfig
{
    private readonly JsonObject _config;
    private readonly string _path;
    private readonly string _entry;

    internal LayerConfig(JsonObject config, string path, string entry)
    {
        _config = config;
        _path = path;
        _entry = entry;
    }

    /// <summary>The layer's saved name (Keras <c>name</c>), or null.</summary>
    public string? Name => GetString("name");

    /// <summary>The keys present, in file order.</summary>
    public IEnumerable<string> Keys => _config.Select(p => p.Key);

    /// <summary>True when <paramref name="key"/> is present (even with a null value).</summary>
    public bool Contains(string key) => _config.ContainsKey(key);

    /// <summary>Reads a string; <paramref name="defaultValue"/> when absent or null.</summary>
    public string? GetString(string key, string? defaultValue = null)
    {
        var node = Node(key);
        if (node is null)
        {
            return defaultValue;
        }

        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Wrong(key, "a string", node);
    }

    /// <summary>Reads a whole number; <paramref name="defaultValue"/> when absent or null.</summary>
    public int GetInt32(string key, int defaultValue = 0)
    {
        var node = Node(key);
        if (node is null)
        {
            return defaultValue;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
        {
            return (int)d;
        }

        throw Wrong(key, "a whole number", node);
    }

    /// <summary>Reads a number as a double; <paramref name="defaultValue"/> when absent or null.</summary>
    public double GetDouble(string key, double defaultValue = 0)
    {
        var node = Node(key);
        if (node is null)
        {
            return defaultValue;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
        {
            return d;
        }

        throw Wrong(key, "a number", node);
    }

    /// <summary>Reads a number as a float32; <paramref name="defaultValue"/> when absent or null.</summary>
    public float GetSingle(string key, float defaultValue = 0) => (float)GetDouble(key, defaultValue);

    /// <summary>Reads a boolean; <paramref name="defaultValue"/> when absent or null.</summary>
    public bool GetBoolean(string key, bool defaultValue = false)
    {
        var node = Node(key);
        if (node is null)
        {
            return defaultValue;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(key, "true or false", node),
        };
    }

    /// <summary>The value of <paramref name="key"/> as compact JSON text, or null when absent.</summary>
    public string? GetJson(string key) => _config.TryGetPropertyValue(key, out var node) ? node?.ToJsonString() ?? "null" : null;

    private JsonNode? Node(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _config.TryGetPropertyValue(key, out var node) ? node : null;
    }

    private ModelFormatException Wrong(string key, string expected, JsonNode node) =>
        new(_path, _entry, $"layer config key '{key}' should be {expected}, found {Shorten(node.ToJsonString())}.");

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
