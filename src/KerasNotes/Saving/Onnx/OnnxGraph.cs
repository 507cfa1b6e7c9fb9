using System.Globalization;
using Google.Protobuf;
using KerasNotes.Saving.Onnx.Proto;

namespace KerasNotes.Saving.Onnx;

/// <summary>
/// The ONNX graph a model is being exported into. A layer exporter (see <see cref="OnnxExporters"/>) adds its
/// weights as initializers and its computation as nodes, reading from the name of its input value and returning the
/// name of its output value. Tensors flow in the model's own layout (channels last), float32.
/// </summary>
public sealed class OnnxGraph
{
    private readonly GraphProto _graph = new() { Name = "kerasnotes" };
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    // Names kept for the graph's outputs until the nodes that produce them are added (no exporter may take them).
    private readonly HashSet<string> _reserved = new(StringComparer.Ordinal);
    // A weight used by several layer calls (a shared layer) is stored once: the same tensor gives the same initializer.
    private readonly Dictionary<Tensor, string> _initializers = new(ReferenceEqualityComparer.Instance);
    private long _bytes;

    internal OnnxGraph(int opset) => Opset = opset;

    /// <summary>The ONNX operator set version the file declares (the default domain).</summary>
    public int Opset { get; }

    internal GraphProto Proto => _graph;

    /// <summary>
    /// The most weight bytes one file can hold: protobuf messages are limited to 2 GB, and ONNX's way past it
    /// (weights in separate files) is not written.
    /// </summary>
    internal const long MaxWeightBytes = (2L << 30) - (64L << 20);

    /// <summary>Test hook: a lower weight limit for this async flow only (a 2 GB model is too large for a unit test).</summary>
    internal static readonly AsyncLocal<long?> WeightLimitForTests = new();

    /// <summary>True if <paramref name="name"/> is a value of the graph (its input, an initializer or a node output).</summary>
    internal bool Defines(string name) => _names.Contains(name);

    /// <summary>
    /// Adds a float32 constant (a weight) and returns its value name. The same tensor added again (a layer called
    /// twice in a functional model) gives the name it got the first time, so a shared weight is stored once.
    /// </summary>
    /// <param name="name">A readable base name (e.g. <c>dense/kernel</c>); made unique if taken.</param>
    /// <param name="value">The values, with their shape.</param>
    public string AddInitializer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_initializers.TryGetValue(value, out string? existing))
        {
            return existing;
        }

        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        foreach (int d in value.Shape.Dims)
        {
            tensor.Dims.Add(d);
        }

        _bytes += (long)value.Shape.Size * sizeof(float);
        long limit = WeightLimitForTests.Value ?? MaxWeightBytes;
        if (_bytes > limit)
        {
            throw new NotSupportedException(
                $"The model's weights pass {limit >> 20} MiB at '{name}': one ONNX file holds at most 2 GB (protobuf's limit), " +
                "and weights in external data files are not written.");
        }

        // Raw little-endian bytes, as every ONNX writer stores large tensors (the machine's order is little-endian on
        // every platform .NET 10 supports; a big-endian one would need a byte swap here).
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX export writes little-endian weights and this machine is big-endian.");
        }

        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(value.AsSpan()));
        _graph.Initializer.Add(tensor);
        _initializers[value] = tensor.Name;
        return tensor.Name;
    }

    /// <summary>Adds a one-dimensional int64 constant (a shape, axes, pads) and returns its value name.</summary>
    public string AddInitializer(string name, IReadOnlyList<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Count);
        var bytes = new byte[values.Count * sizeof(long)];
        for (int i = 0; i < values.Count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        }

        tensor.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>
    /// Adds a node of the default ONNX domain and returns the name of its (single) output value.
    /// Attribute values may be <see cref="int"/>, <see cref="long"/>, <see cref="float"/>, <see cref="double"/>,
    /// <see cref="string"/>, <c>int[]</c>, <c>long[]</c> or <c>float[]</c>.
    /// </summary>
    /// <param name="opType">The operator, e.g. <c>MatMul</c>.</param>
    /// <param name="inputs">The names of its input values, in the operator's order.</param>
    /// <param name="attributes">Its attributes, by name; null for none.</param>
    /// <param name="name">A readable base name for the node and its output; the operator's name if null.</param>
    /// <exception cref="ArgumentException">An input that is not a value of the graph, or an attribute value of another type.</exception>
    public string AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyDictionary<string, object>? attributes = null, string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (string input in inputs)
        {
            // "" is ONNX's way to leave an optional input out; any other name must be a value the graph already has.
            if (input is null || (input.Length > 0 && !Defines(input)))
            {
                throw new ArgumentException(
                    $"input '{input ?? "null"}' of the {opType} node is not a value of the graph; use the input name the exporter " +
                    "was given or a name AddNode/AddInitializer returned.", nameof(inputs));
            }
        }

        return AddNodeNamed(opType, inputs, attributes, Unique(name ?? opType.ToLowerInvariant()));
    }

    /// <summary>
    /// Adds a node whose output takes a name <see cref="Reserve"/> kept (a graph output's name), exactly as reserved.
    /// </summary>
    internal string AddReservedNode(string opType, IReadOnlyList<string> inputs, string reserved)
    {
        if (!_reserved.Remove(reserved) || !_names.Add(reserved))
        {
            throw new InvalidOperationException($"'{reserved}' is not a reserved value name of the graph.");
        }

        foreach (string input in inputs)
        {
            if (!Defines(input))
            {
                throw new ArgumentException($"input '{input}' of the {opType} node is not a value of the graph.", nameof(inputs));
            }
        }

        return AddNodeNamed(opType, inputs, null, reserved);
    }

    private string AddNodeNamed(string opType, IReadOnlyList<string> inputs, IReadOnlyDictionary<string, object>? attributes, string output)
    {
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (key, value) in attributes ?? new Dictionary<string, object>())
        {
            node.Attribute.Add(Attribute(opType, key, value));
        }

        _graph.Node.Add(node);
        return output;
    }

    private static AttributeProto Attribute(string opType, string key, object value)
    {
        var a = new AttributeProto { Name = key };
        switch (value)
        {
            case int i:
                (a.Type, a.I) = (AttributeProto.Types.AttributeType.Int, i);
                break;
            case long l:
                (a.Type, a.I) = (AttributeProto.Types.AttributeType.Int, l);
                break;
            case float f:
                (a.Type, a.F) = (AttributeProto.Types.AttributeType.Float, f);
                break;
            case double d:
                (a.Type, a.F) = (AttributeProto.Types.AttributeType.Float, (float)d);
                break;
            case string s:
                (a.Type, a.S) = (AttributeProto.Types.AttributeType.String, ByteString.CopyFromUtf8(s));
                break;
            case int[] ints:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(ints.Select(v => (long)v));
                break;
            case long[] longs:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(longs);
                break;
            case float[] floats:
                a.Type = AttributeProto.Types.AttributeType.Floats;
                a.Floats.AddRange(floats);
                break;
            default:
                throw new ArgumentException(
                    $"attribute '{key}' of {opType} is a {value?.GetType().Name ?? "null"}; expected int, long, float, double, string, int[], long[] or float[].",
                    nameof(value));
        }

        return a;
    }

    // Value names must be unique in a graph; a second "dense/kernel" becomes "dense/kernel_1".
    internal string Unique(string name) => Unique(name, _names);

    /// <summary>
    /// Keeps a unique name (<paramref name="name"/>, or with a <c>_1</c>, <c>_2</c>… suffix) for a value added later with
    /// <see cref="AddReservedNode"/>; until then no other value can take it.
    /// </summary>
    internal string Reserve(string name) => Unique(name, _reserved);

    private string Unique(string name, HashSet<string> into)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string candidate = name;
        for (int i = 1; _names.Contains(candidate) || _reserved.Contains(candidate) || !into.Add(candidate); i++)
        {
            candidate = string.Create(CultureInfo.InvariantCulture, $"{name}_{i}");
        }

        return candidate;
    }
}
