namespace KerasNotes.Layers;

/// <summary>
/// A symbolic tensor (Keras <c>KerasTensor</c>): a shape and the layer call that produces it, with no values. It is
/// what <see cref="Keras.Input"/> returns and what applying a layer to symbolic tensors returns; a
/// <c>new Model(inputs, outputs)</c> is the graph of calls between them.
/// </summary>
/// <example><code>
/// var pixels = Keras.Input(shape: [784], name: "pixels");
/// var hidden = new Dense(64, activation: "relu").Apply(pixels);   // KerasTensor, shape (None, 64)
/// var model = new Model(pixels, new Dense(10, activation: "softmax").Apply(hidden));
/// </code></example>
public sealed class KerasTensor
{
    internal KerasTensor(Shape shape, Node node, int tensorIndex)
    {
        Shape = shape;
        Node = node;
        TensorIndex = tensorIndex;
    }

    /// <summary>The shape, batch axis first; -1 where the size is not known (Keras <c>None</c>).</summary>
    public Shape Shape { get; }

    /// <summary>The layer whose call produced this tensor (for an input, its <see cref="Input"/> layer).</summary>
    public Layer Layer => Node.Layer;

    /// <summary>Which call of <see cref="Layer"/> produced this tensor (0 for its first call; a shared layer has more).</summary>
    public int NodeIndex => Node.Index;

    /// <summary>Which of that call's outputs this is (0 unless the layer has several outputs).</summary>
    public int TensorIndex { get; }

    /// <summary>The layer call (node) that produced this tensor.</summary>
    internal Node Node { get; }

    /// <summary>Keras's <c>keras_history</c> reference: the layer's name, the node index and the tensor index.</summary>
    public override string ToString() => $"<KerasTensor shape={Shape}, source={Layer.Name}[{NodeIndex}][{TensorIndex}]>";
}
