using KerasNotes.Serialization;

namespace KerasNotes.Activations;

/// <summary>An activation: an element-wise (or, for softmax, per-row) function of a layer's pre-activation.</summary>
public delegate Tensor ActivationFunction(Tensor x);

/// <summary>
/// The built-in activations (Keras <c>keras.activations</c>) and their lookup by Keras name.
/// </summary>
/// <remarks>
/// Every function is written with <see cref="Ops"/>, so it is differentiable. Names follow Keras:
/// <c>linear</c>, <c>relu</c>, <c>relu6</c>, <c>leaky_relu</c>, <c>elu</c>, <c>selu</c>,
/// <c>sigmoid</c>, <c>hard_sigmoid</c>, <c>tanh</c>, <c>softmax</c>, <c>log_softmax</c>,
/// <c>softplus</c>, <c>softsign</c>, <c>silu</c> (alias <c>swish</c>), <c>hard_silu</c>
/// (alias <c>hard_swish</c>), <c>gelu</c>, <c>mish</c>, <c>exponential</c>.
/// </remarks>
public static class ActivationFunctions
{
    private static readonly Dictionary<string, ActivationFunction> s_byName = new(StringComparer.Ordinal)
    {
        ["linear"] = Linear,
        ["relu"] = Relu,
        ["relu6"] = Relu6,
        ["leaky_relu"] = LeakyRelu,
        ["elu"] = Elu,
        ["selu"] = Selu,
        ["sigmoid"] = Sigmoid,
        ["hard_sigmoid"] = HardSigmoid,
        ["tanh"] = Tanh,
        ["softmax"] = Softmax,
        ["log_softmax"] = LogSoftmax,
        ["softplus"] = Softplus,
        ["softsign"] = Softsign,
        ["silu"] = Silu,
        ["swish"] = Silu,
        ["hard_silu"] = HardSilu,
        ["hard_swish"] = HardSilu,
        ["gelu"] = Gelu,
        ["mish"] = Mish,
        ["exponential"] = Exponential,
    };

    /// <summary>
    /// The activations by name: the built-ins above, and custom ones registered through <c>CustomObjects</c>
    /// (declared after the dictionary it is made from: static fields initialize in text order).
    /// </summary>
    internal static Registry<ActivationFunction> Table { get; } = CreateTable();

    /// <summary>The identity (Keras <c>linear</c>; what <c>activation=None</c> means).</summary>
    public static Tensor Linear(Tensor x) => x;

    /// <summary><c>max(x, 0)</c>.</summary>
    public static Tensor Relu(Tensor x) => Ops.Relu(x);

    /// <summary><c>min(max(x, 0), 6)</c>.</summary>
    public static Tensor Relu6(Tensor x) => Ops.Relu6(x);

    /// <summary>Leaky ReLU with Keras's default slope 0.2.</summary>
    public static Tensor LeakyRelu(Tensor x) => Ops.LeakyRelu(x);

    /// <summary>ELU with alpha 1.</summary>
    public static Tensor Elu(Tensor x) => Ops.Elu(x);

    /// <summary>SELU.</summary>
    public static Tensor Selu(Tensor x) => Ops.Selu(x);

    /// <summary>Logistic sigmoid.</summary>
    public static Tensor Sigmoid(Tensor x) => Ops.Sigmoid(x);

    /// <summary>Hard sigmoid <c>relu6(x + 3) / 6</c>.</summary>
    public static Tensor HardSigmoid(Tensor x) => Ops.HardSigmoid(x);

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => Ops.Tanh(x);

    /// <summary>Softmax over the last axis.</summary>
    public static Tensor Softmax(Tensor x) => Ops.Softmax(x);

    /// <summary>Log-softmax over the last axis.</summary>
    public static Tensor LogSoftmax(Tensor x) => Ops.LogSoftmax(x);

    /// <summary><c>log(1 + eˣ)</c>.</summary>
    public static Tensor Softplus(Tensor x) => Ops.Softplus(x);

    /// <summary><c>x / (|x| + 1)</c>.</summary>
    public static Tensor Softsign(Tensor x) => Ops.Softsign(x);

    /// <summary><c>x · sigmoid(x)</c>.</summary>
    public static Tensor Silu(Tensor x) => Ops.Silu(x);

    /// <summary><c>x · relu6(x + 3) / 6</c>.</summary>
    public static Tensor HardSilu(Tensor x) => Ops.HardSilu(x);

    /// <summary>Exact GELU (Keras's default <c>approximate=False</c>).</summary>
    public static Tensor Gelu(Tensor x) => Ops.Gelu(x);

    /// <summary><c>x · tanh(softplus(x))</c>.</summary>
    public static Tensor Mish(Tensor x) => Ops.Mish(x);

    /// <summary><c>eˣ</c>.</summary>
    public static Tensor Exponential(Tensor x) => Ops.Exp(x);

    /// <summary>The Keras names of the built-in activations.</summary>
    public static IReadOnlyCollection<string> Names => s_byName.Keys;

    /// <summary>The activation with Keras name <paramref name="name"/>; null or empty means <c>linear</c>.</summary>
    /// <exception cref="ArgumentException">The name is neither built in nor registered in <c>CustomObjects</c>.</exception>
    public static ActivationFunction Get(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return Linear;
        }

        return Table.TryGet(name) ?? throw new ArgumentException(
            $"Unknown activation '{name}'; expected one of {string.Join(", ", s_byName.Keys)} or a name registered with CustomObjects.RegisterActivation.",
            nameof(name));
    }

    /// <summary>True if <paramref name="name"/> names a built-in or registered activation.</summary>
    public static bool Exists(string name) => name is not null && (Table.IsBuiltIn(name) || Table.IsCustom(name));

    private static Registry<ActivationFunction> CreateTable()
    {
        var table = new Registry<ActivationFunction>("activation", "keras.activations");
        foreach (var (name, fn) in s_byName)
        {
            table.AddNames(_ => fn, name);
        }

        return table;
    }
}
