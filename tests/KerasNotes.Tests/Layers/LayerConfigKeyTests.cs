using KerasNotes.Layers;
using KerasNotes.Regularizers;
using KerasNotes.Saving.Json;

namespace KerasNotes.Tests.Layers;

/// <summary>
/// Every built-in layer's saved config has the keys Keras 3.15 writes, in Keras's order. The expected lists are
/// copied from the get_config methods of keras-team/keras at tag v3.15.1; the base keys come from
/// keras/src/ops/operation.py (<c>name</c>) and keras/src/layers/layer.py (<c>trainable</c>, <c>dtype</c>, then
/// <c>activity_regularizer</c> only when one is set).
/// </summary>
public sealed class LayerConfigKeyTests
{
    private static readonly string[] s_base = ["name", "trainable", "dtype"];

    public static TheoryData<string> LayerNames => new()
    {
        "Dense", "Dropout", "BatchNormalization", "InputLayer", "Activation", "Flatten", "Reshape", "Conv2D",
        "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    };

    private static (Layer Layer, string[] Keys) Case(string name) => name switch
    {
        // keras/src/layers/core/dense.py (lora_rank / lora_alpha follow only when LoRA is enabled)
        "Dense" => (new Dense(3), [.. s_base, "units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
            "kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint", "quantization_config"]),
        // keras/src/layers/regularization/dropout.py
        "Dropout" => (new Dropout(0.5), [.. s_base, "rate", "seed", "noise_shape"]),
        // keras/src/layers/normalization/batch_normalization.py
        "BatchNormalization" => (new BatchNormalization(), [.. s_base, "axis", "momentum", "epsilon", "center", "scale",
            "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
            "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized",
            "renorm", "renorm_clipping", "renorm_momentum"]),
        // keras/src/layers/core/input_layer.py (its own get_config, not the base layer's)
        "InputLayer" => (new Input(4), ["batch_shape", "dtype", "sparse", "ragged", "name", "optional"]),
        // keras/src/layers/activations/activation.py
        "Activation" => (new Activation("relu"), [.. s_base, "activation"]),
        // keras/src/layers/reshaping/flatten.py
        "Flatten" => (new Flatten(), [.. s_base, "data_format"]),
        // keras/src/layers/reshaping/reshape.py
        "Reshape" => (new Reshape(2, 2), [.. s_base, "target_shape"]),
        // keras/src/layers/convolutional/base_conv.py (activity_regularizer always, lora_* only when enabled)
        "Conv2D" => (new Conv2D(2, 3), [.. s_base, "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
            "groups", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
            "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"]),
        // keras/src/layers/pooling/base_pooling.py
        "MaxPooling2D" => (new MaxPooling2D(), [.. s_base, "pool_size", "padding", "strides", "data_format"]),
        "AveragePooling2D" => (new AveragePooling2D(), [.. s_base, "pool_size", "padding", "strides", "data_format"]),
        // keras/src/layers/pooling/base_global_pooling.py
        "GlobalAveragePooling2D" => (new GlobalAveragePooling2D(), [.. s_base, "data_format", "keepdims"]),
        "GlobalMaxPooling2D" => (new GlobalMaxPooling2D(), [.. s_base, "data_format", "keepdims"]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
    };

    private static Dictionary<string, object?> SavedConfig(Layer layer) =>
        (Dictionary<string, object?>)((Dictionary<string, object?>)KerasSerializer.SerializeLayer(layer))["config"]!;

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void Each_layer_config_has_the_keys_Keras_3_15_writes_in_Keras_order(string name)
    {
        var (layer, keys) = Case(name);
        SavedConfig(layer).Keys.Should().Equal(keys);
    }

    [Fact]
    public void Dense_config_carries_quantization_config_null_as_Keras_3_15_writes_it()
    {
        var config = SavedConfig(new Dense(3));
        config.Should().ContainKey("quantization_config").WhoseValue.Should().BeNull();
        config.Should().NotContainKeys("lora_rank", "lora_alpha");
    }

    [Fact]
    public void BatchNormalization_config_carries_renorm_off_with_Keras_defaults()
    {
        var config = SavedConfig(new BatchNormalization());
        config["synchronized"].Should().Be(false);
        config["renorm"].Should().Be(false);
        config["renorm_clipping"].Should().BeNull();
        config["renorm_momentum"].Should().Be(0.99);
    }

    [Fact]
    public void An_activity_regularizer_sits_after_dtype_as_the_Keras_base_layer_puts_it()
    {
        SavedConfig(new Dense(3, activityRegularizer: new L2(0.01))).Keys.Should().Equal(
            "name", "trainable", "dtype", "activity_regularizer", "units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
            "kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint", "quantization_config");

        // Conv writes activity_regularizer itself with config.update, which keeps the base layer's position.
        SavedConfig(new Conv2D(2, 3, activityRegularizer: new L2(0.01))).Keys.Take(5).Should().Equal(
            "name", "trainable", "dtype", "activity_regularizer", "filters");
    }
}
