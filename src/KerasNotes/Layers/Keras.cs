namespace KerasNotes.Layers;

/// <summary>Keras's top-level functions that are not a class of their own (<c>keras.Input</c>).</summary>
public static class Keras
{
    /// <summary>
    /// Starts a functional graph (Keras <c>keras.Input</c>): a symbolic tensor of shape <c>(batch, ...shape)</c> to
    /// apply layers to, then to pass as the inputs of <c>new Model(inputs, outputs)</c>.
    /// </summary>
    /// <param name="shape">The shape of one sample, without the batch axis.</param>
    /// <param name="batchSize">A fixed batch size, or null (Keras <c>None</c>).</param>
    /// <param name="name">The input's name (default <c>input_layer</c>, made unique); <c>Fit</c> can take data by it.</param>
    /// <returns>The symbolic tensor of a new <see cref="Layers.Input"/> layer.</returns>
    /// <exception cref="ArgumentException">A dimension is not positive.</exception>
    /// <example><code>
    /// var pixels = Keras.Input(shape: [784], name: "pixels");
    /// var probs = new Dense(10, activation: "softmax").Apply(new Dense(64, activation: "relu").Apply(pixels));
    /// var model = new Model(pixels, probs);
    /// </code></example>
    public static KerasTensor Input(int[] shape, int? batchSize = null, string? name = null) =>
        new Input(shape, batchSize, name).Output;
}
