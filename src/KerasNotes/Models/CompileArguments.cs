using KerasNotes.Losses;
using KerasNotes.Optimizers;
using KerasNotes.Serialization;

namespace KerasNotes.Models;

/// <summary>An optimizer for <c>Compile</c>: an <see cref="Optimizer"/> or a Keras name such as <c>"adam"</c> (implicit conversions).</summary>
public readonly struct OptimizerSpec
{
    private OptimizerSpec(Optimizer? optimizer, string? name)
    {
        Instance = optimizer;
        Name = name;
    }

    internal Optimizer? Instance { get; }

    internal string? Name { get; }

    /// <summary>Uses this optimizer.</summary>
    public static implicit operator OptimizerSpec(Optimizer optimizer) => new(optimizer ?? throw new ArgumentNullException(nameof(optimizer)), null);

    /// <summary>Resolves a Keras optimizer name (case-insensitive) with default hyperparameters.</summary>
    public static implicit operator OptimizerSpec(string name) => new(null, name ?? throw new ArgumentNullException(nameof(name)));

    /// <summary>Named alternative to the implicit conversion.</summary>
    public static OptimizerSpec FromOptimizer(Optimizer optimizer) => optimizer;

    /// <summary>Named alternative to the implicit conversion.</summary>
    public static OptimizerSpec FromName(string name) => name;

    internal Optimizer Resolve() => Instance ?? Optimizer.Get(Name ?? "rmsprop");
}

/// <summary>A loss for <c>Compile</c>: a <see cref="Loss"/>, a <see cref="LossFunction"/>, or a Keras name such as <c>"mse"</c> (implicit conversions).</summary>
public readonly struct LossSpec
{
    private LossSpec(Loss? loss, LossFunction? function, string? name)
    {
        Instance = loss;
        Function = function;
        Name = name;
    }

    internal Loss? Instance { get; }

    internal LossFunction? Function { get; }

    internal string? Name { get; }

    /// <summary>Uses this loss object.</summary>
    public static implicit operator LossSpec(Loss loss) => new(loss ?? throw new ArgumentNullException(nameof(loss)), null, null);

    /// <summary>Wraps a custom loss function (registered in CustomObjects if it should survive saving).</summary>
    public static implicit operator LossSpec(LossFunction function) => new(null, function ?? throw new ArgumentNullException(nameof(function)), null);

    /// <summary>Resolves a Keras loss name.</summary>
    public static implicit operator LossSpec(string name) => new(null, null, name ?? throw new ArgumentNullException(nameof(name)));

    /// <summary>Named alternative to the implicit conversion.</summary>
    public static LossSpec FromLoss(Loss loss) => loss;

    /// <summary>Named alternative to the implicit conversion.</summary>
    public static LossSpec FromFunction(LossFunction function) => function;

    /// <summary>Named alternative to the implicit conversion.</summary>
    public static LossSpec FromName(string name) => name;

    internal Loss Resolve()
    {
        if (Instance is not null)
        {
            return Instance;
        }

        if (Function is not null)
        {
            string name = Loss.Table.CustomNameOf(Function) ?? FunctionNames.Of(Function);
            return new LossFunctionWrapper(Function, name);
        }

        return Loss.Get(Name!);
    }
}
