namespace KerasNotes;

/// <summary>The activations Dense and Conv2D fuse into their product (their derivative is a function of the output).</summary>
internal enum FusedActivation
{
    None,
    Relu,
    Sigmoid,
    Tanh,
}

/// <summary>Which Keras activation names a layer can fuse into its product.</summary>
internal static class FusedActivations
{
    /// <summary>The fused form of <paramref name="activation"/>; <see cref="FusedActivation.None"/> when it must run as its own op (or is linear).</summary>
    public static FusedActivation Of(string activation) => activation switch
    {
        "relu" => FusedActivation.Relu,
        "sigmoid" => FusedActivation.Sigmoid,
        "tanh" => FusedActivation.Tanh,
        _ => FusedActivation.None,
    };
}
