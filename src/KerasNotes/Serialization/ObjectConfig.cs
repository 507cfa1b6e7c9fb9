using System.Text.Json.Nodes;

namespace KerasNotes.Serialization;

/// <summary>
/// The saved configuration of one object (its Keras <c>config</c>): what a class's static <c>FromConfig</c> reads
/// to rebuild it (Keras <c>from_config</c>), and what a custom layer's factory registered with
/// <c>CustomObjects</c> receives. Values are read by key with a default for absent or null keys; a value of the
/// wrong kind raises the loader's <c>ModelFormatException</c>, naming the file, the object and the key.
/// </summary>
public sealed class ObjectConfig
{
    private static readonly EmptySource s_empty = new();

    internal ObjectConfig(ConfigNode node)
    {
        Node = node.IsNull ? new ConfigNode(new JsonObject(), node.Where, node.Source) : node;
        _ = Node.AsObject();
    }

    /// <summary>A configuration with no keys: every read returns its default (an object created by name).</summary>
    public static ObjectConfig Empty => new(new ConfigNode(new JsonObject(), "config", s_empty));

    /// <summary>The node behind this configuration, for built-in classes' <c>FromConfig</c>.</summary>
    internal ConfigNode Node { get; }

    /// <summary>The value at <paramref name="key"/>, for built-in classes' <c>FromConfig</c>.</summary>
    internal ConfigNode this[string key] => Node[key];

    /// <summary>The saved name (Keras <c>name</c>), or null.</summary>
    public string? Name => GetString("name");

    /// <summary>The keys present, in file order.</summary>
    public IEnumerable<string> Keys => Node.AsObject().Select(p => p.Key);

    /// <summary>True when <paramref name="key"/> is present (even with a null value).</summary>
    public bool Contains(string key) => Node.Has(key);

    /// <summary>Reads a string; <paramref name="defaultValue"/> when absent or null.</summary>
    public string? GetString(string key, string? defaultValue = null)
    {
        var v = Value(key);
        return v.IsNull ? defaultValue : v.IsString ? v.String() : throw Wrong(v, key, "a string");
    }

    /// <summary>Reads a whole number; <paramref name="defaultValue"/> when absent or null.</summary>
    public int GetInt32(string key, int defaultValue = 0) => GetNullableInt32(key) ?? defaultValue;

    /// <summary>Reads a whole number, or null when absent or null.</summary>
    public int? GetNullableInt32(string key)
    {
        var v = Value(key);
        return v.IsNull ? null : v.TryInt(out int i) ? i : throw Wrong(v, key, "a whole number");
    }

    /// <summary>Reads a number as a double; <paramref name="defaultValue"/> when absent or null.</summary>
    public double GetDouble(string key, double defaultValue = 0) => GetNullableDouble(key) ?? defaultValue;

    /// <summary>Reads a number as a double, or null when absent or null.</summary>
    public double? GetNullableDouble(string key)
    {
        var v = Value(key);
        return v.IsNull ? null : v.TryDouble(out double d) ? d : throw Wrong(v, key, "a number");
    }

    /// <summary>Reads a number as a float32; <paramref name="defaultValue"/> when absent or null.</summary>
    public float GetSingle(string key, float defaultValue = 0) => (float)GetDouble(key, defaultValue);

    /// <summary>Reads a boolean; <paramref name="defaultValue"/> when absent or null.</summary>
    public bool GetBoolean(string key, bool defaultValue = false)
    {
        var v = Value(key);
        return v.IsNull ? defaultValue : v.IsBool ? v.Bool() : throw Wrong(v, key, "true or false");
    }

    /// <summary>Reads a shape-like list of positive whole numbers or nulls (a null is returned as -1); null when absent.</summary>
    public int[]? GetShape(string key) => Value(key).IsNull ? null : Value(key).ShapeDims();

    /// <summary>The value of <paramref name="key"/> as compact JSON text, or null when absent.</summary>
    public string? GetJson(string key) => Node.AsObject().TryGetPropertyValue(key, out var node) ? node?.ToJsonString() ?? "null" : null;

    /// <summary>The nested object serialized at <paramref name="key"/> (a name or a Keras envelope), or null.</summary>
    internal T? GetObject<T>(string key)
        where T : class, IRegistered<T> => Node.Source.Resolve<T>(Value(key));

    /// <summary>
    /// A pair of positive whole numbers saved as one number or a list of two (Keras <c>kernel_size</c>,
    /// <c>strides</c>…); <paramref name="defaultValue"/> when absent or null.
    /// </summary>
    internal (int Height, int Width) GetPair(string key, (int Height, int Width) defaultValue)
    {
        var v = Value(key);
        if (v.IsNull)
        {
            return defaultValue;
        }

        if (!v.IsArray)
        {
            int n = v.Int();
            return (n, n);
        }

        var items = v.Items();
        return items.Count == 2 ? (items[0].Int(), items[1].Int()) : throw v.Fail($"expected two whole numbers, found {items.Count}.");
    }

    /// <summary>A number that must be present.</summary>
    internal double RequireDouble(string key) => Value(key).Double();

    /// <summary>A whole number that must be present.</summary>
    internal int RequireInt32(string key) => Value(key).Int();

    /// <summary>A list of numbers that must be present.</summary>
    internal double[] RequireDoubles(string key) => [.. Value(key).Items().Select(v => v.Double())];

    /// <summary>
    /// An activation saved by name, or as a function envelope (<c>{"class_name": "function", "config": "relu"}</c>);
    /// <c>"linear"</c> when absent.
    /// </summary>
    internal string GetActivationName(string key)
    {
        var v = Value(key);
        if (v.IsNull)
        {
            return "linear";
        }

        if (v.IsString)
        {
            return v.String();
        }

        var config = v["config"];
        return config.IsString ? config.String() : v["registered_name"].IsString ? v["registered_name"].String() : v["class_name"].String();
    }

    /// <summary>Refuses a weight constraint: the layer would train differently without it.</summary>
    internal void RejectConstraint(string key)
    {
        if (!Value(key).IsNull)
        {
            throw Value(key).Fail("weight constraints are not supported yet; the layer would train differently.");
        }
    }

    /// <summary>
    /// Refuses a value other than null at <paramref name="key"/>: a Keras setting whose default KerasNotes writes and
    /// reads, but whose other values it cannot honour. <paramref name="owner"/> names the object (<c>Dense 'dense'</c>)
    /// and <paramref name="what"/> says what the setting does.
    /// </summary>
    internal void RejectUnlessNull(string key, string owner, string what)
    {
        var v = Value(key);
        if (!v.IsNull)
        {
            throw v.Fail($"{owner}: {key} = {v.Text} ({what}) is not supported; expected null.");
        }
    }

    /// <summary>
    /// Refuses LoRA (Keras <c>lora_rank</c> on Dense and the convolutions): its layers train two small matrices instead
    /// of the kernel. As in Keras, a rank of null or 0 means no LoRA, and <c>lora_alpha</c> then has no effect (it must
    /// still be a number or null).
    /// </summary>
    internal void RejectLora(string owner)
    {
        int? rank = GetNullableInt32("lora_rank");
        if (rank is int r && r != 0)
        {
            throw Fail("lora_rank", $"{owner}: lora_rank = {r} (LoRA adapters) is not supported; expected null or 0.");
        }

        _ = GetNullableDouble("lora_alpha");
    }

    /// <summary>The error for a bad value at <paramref name="key"/>.</summary>
    internal Exception Fail(string key, string reason) => Value(key).Fail(reason);

    private static Exception Wrong(ConfigNode value, string key, string expected) =>
        value.Fail($"config key '{key}' should be {expected}, found {value.Text}.");

    private ConfigNode Value(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Node[key];
    }

    /// <summary>The source of <see cref="Empty"/>: nothing can be wrong in an empty configuration.</summary>
    private sealed class EmptySource : IConfigSource
    {
        public Exception Fail(string where, string reason) => new FormatException($"{where}: {reason}");

        public T? Resolve<T>(ConfigNode node)
            where T : class, IRegistered<T> => node.IsNull ? null : throw Fail(node.Where, "nested objects cannot be read here.");
    }
}
