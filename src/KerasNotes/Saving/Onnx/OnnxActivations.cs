namespace KerasNotes.Saving.Onnx;

/// <summary>The nodes that compute a Keras activation, by its name; a name with no ONNX form throws.</summary>
internal static class OnnxActivations
{
    /// <summary>Adds <paramref name="activation"/> applied to <paramref name="input"/>; returns the output's name.</summary>
    public static string Apply(OnnxGraph g, string activation, string input, string layerName)
    {
        string n = layerName + "/" + activation;
        return activation switch
        {
            "linear" or "" => input,
            "relu" => g.AddNode("Relu", [input], name: n),
            "sigmoid" => g.AddNode("Sigmoid", [input], name: n),
            "tanh" => g.AddNode("Tanh", [input], name: n),
            "softmax" => g.AddNode("Softmax", [input], new Dictionary<string, object> { ["axis"] = -1 }, n),
            "log_softmax" => g.AddNode("LogSoftmax", [input], new Dictionary<string, object> { ["axis"] = -1 }, n),
            "elu" => g.AddNode("Elu", [input], new Dictionary<string, object> { ["alpha"] = 1f }, n),
            "selu" => g.AddNode("Selu", [input], name: n),
            "softplus" => g.AddNode("Softplus", [input], name: n),
            "softsign" => g.AddNode("Softsign", [input], name: n),
            "exponential" => g.AddNode("Exp", [input], name: n),
            // Keras 3: leaky_relu's negative slope is 0.2; hard_sigmoid is relu6(x + 3) / 6.
            "leaky_relu" => g.AddNode("LeakyRelu", [input], new Dictionary<string, object> { ["alpha"] = 0.2f }, n),
            "hard_sigmoid" => g.AddNode("HardSigmoid", [input], new Dictionary<string, object> { ["alpha"] = 1f / 6, ["beta"] = 0.5f }, n),
            "swish" or "silu" => g.AddNode("Mul", [input, g.AddNode("Sigmoid", [input], name: n + "/sigmoid")], name: n),
            "hard_silu" or "hard_swish" => g.AddNode("HardSwish", [input], name: n),
            "mish" => g.AddNode("Mul", [input, g.AddNode("Tanh", [g.AddNode("Softplus", [input], name: n + "/softplus")], name: n + "/tanh")], name: n),
            "gelu" => Gelu(g, input, n),
            "relu6" => g.AddNode("Min", [g.AddNode("Relu", [input], name: n + "/relu"), g.AddInitializer(n + "/six", Tensor.FromArray([6f], 1))], name: n),
            _ => throw new NotSupportedException(
                $"Layer '{layerName}': activation '{activation}' has no ONNX export (exported: relu, sigmoid, tanh, softmax, log_softmax, " +
                "elu, selu, softplus, softsign, exponential, leaky_relu, hard_sigmoid, swish/silu, hard_silu, mish, relu6, gelu, linear)."),
        };
    }

    // Keras's gelu is the exact form, 0.5·x·(1 + erf(x/√2)); opset 20's Gelu operator is out of the 13–21 common range.
    private static string Gelu(OnnxGraph g, string x, string n)
    {
        Tensor Scalar(float v) => Tensor.FromArray([v], 1);
        string scaled = g.AddNode("Mul", [x, g.AddInitializer(n + "/inv_sqrt2", Scalar(0.70710678f))], name: n + "/scaled");
        string erf = g.AddNode("Erf", [scaled], name: n + "/erf");
        string onePlus = g.AddNode("Add", [erf, g.AddInitializer(n + "/one", Scalar(1f))], name: n + "/one_plus");
        string half = g.AddNode("Mul", [x, g.AddInitializer(n + "/half", Scalar(0.5f))], name: n + "/half_x");
        return g.AddNode("Mul", [half, onePlus], name: n);
    }
}
