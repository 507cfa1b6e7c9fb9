namespace KerasNotes;

/// <summary>
/// A named, mutable tensor: a layer weight, a BatchNormalization statistic or an optimizer slot
/// (Keras <c>keras.Variable</c>).
/// </summary>
/// <remarks>
/// A variable converts implicitly to the <see cref="Tensor"/> holding its value, so it can be
/// passed to any <see cref="Ops"/> function. A <see cref="GradientTape"/> records every op that
/// reads a trainable variable, which is what makes custom layers and losses differentiable.
/// </remarks>
public sealed class Variable
{
    /// <summary>Creates a variable holding a copy of <paramref name="initialValue"/>.</summary>
    /// <param name="initialValue">The starting value (copied).</param>
    /// <param name="name">The variable's name (Keras <c>name</c>), e.g. <c>kernel</c>.</param>
    /// <param name="trainable">Whether optimizers update it and tapes watch it.</param>
    public Variable(Tensor initialValue, string name = "variable", bool trainable = true)
    {
        ArgumentNullException.ThrowIfNull(initialValue);
        ArgumentNullException.ThrowIfNull(name);
        Value = Tensor.AllocatePersistent(initialValue.Shape);
        initialValue.AsSpan().CopyTo(Value.Span);
        Value.Owner = this;
        Name = name;
        Trainable = trainable;
    }

    /// <summary>The tensor holding the current value. It is updated in place.</summary>
    public Tensor Value { get; }

    /// <summary>The variable's own name, e.g. <c>kernel</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The variable's path, e.g. <c>dense/kernel</c> (Keras <c>variable.path</c>); the layer sets it when it creates the weight.
    /// </summary>
    public string Path { get; internal set; } = string.Empty;

    /// <summary>Whether optimizers update this variable and gradient tapes watch it.</summary>
    public bool Trainable { get; set; }

    /// <summary>The shape of the value.</summary>
    public Shape Shape => Value.Shape;

    /// <summary>Copies <paramref name="value"/> into this variable.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Assign(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Shape != Shape)
        {
            throw new ArgumentException(
                $"Variable '{DisplayName}' has shape {Shape}; cannot assign a value of shape {value.Shape}.", nameof(value));
        }

        value.AsSpan().CopyTo(Value.Span);
    }

    /// <summary>Copies <paramref name="values"/> (row-major) into this variable.</summary>
    internal void Assign(ReadOnlySpan<float> values) => values.CopyTo(Value.Span);

    /// <summary>The value as a new array.</summary>
    public float[] ToArray() => Value.ToArray();

    internal string DisplayName => Path.Length > 0 ? Path : Name;

    /// <summary>The tensor holding the variable's value.</summary>
    public static implicit operator Tensor(Variable variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return variable.Value;
    }

    /// <summary>The tensor holding the variable's value (named alternative to the implicit conversion).</summary>
    public Tensor ToTensor() => Value;

    /// <inheritdoc />
    public override string ToString() => $"Variable('{DisplayName}', shape={Shape}, trainable={Trainable})";
}
