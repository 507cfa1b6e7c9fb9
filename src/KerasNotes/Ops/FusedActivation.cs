namespace KerasNotes;

/// <summary>The activations Dense fuses into its matrix product (their derivative is a function of the output).</summary>
internal enum FusedActivation
{
    None,
    Relu,
    Sigmoid,
    Tanh,
}
