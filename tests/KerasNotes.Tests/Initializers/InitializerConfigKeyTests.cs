using System.Text;
using KerasNotes.Initializers;
using KerasNotes.Saving;
using KerasNotes.Saving.Json;

namespace KerasNotes.Tests.Initializers;

/// <summary>
/// Initializer configs carry the keys Keras 3.15 writes, in its order (keras-team/keras v3.15.1:
/// keras/src/initializers/random_initializers.py and constant_initializers.py), survive a round trip, and a file
/// asking for fan axes KerasNotes does not honour is refused by name.
/// </summary>
public sealed class InitializerConfigKeyTests
{
    public static TheoryData<string> InitializerNames => new()
    {
        "Zeros", "Ones", "Constant", "Identity", "RandomNormal", "TruncatedNormal", "RandomUniform", "VarianceScaling",
        "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal",
    };

    private static (Initializer Initializer, string[] Keys) Case(string name) => name switch
    {
        // constant_initializers.py: Zeros, Ones and Identity use Initializer.get_config ({}); Constant writes value.
        "Zeros" => (new Zeros(), []),
        "Ones" => (new Ones(), []),
        "Constant" => (new Constant(0.5), ["value"]),
        "Identity" => (new Identity(), []),
        // random_initializers.py: RandomInitializer.get_config writes seed first, the subclass keys follow.
        "RandomNormal" => (new RandomNormal(seed: 1), ["seed", "mean", "stddev"]),
        "TruncatedNormal" => (new TruncatedNormal(seed: 1), ["seed", "mean", "stddev"]),
        "RandomUniform" => (new RandomUniform(seed: 1), ["seed", "minval", "maxval"]),
        "VarianceScaling" => (new VarianceScaling(seed: 1), ["seed", "scale", "mode", "distribution", "input_axes", "output_axes"]),
        // The Glorot, He and LeCun classes override get_config with seed and the two fan axes (new in 3.15).
        "GlorotUniform" => (new GlorotUniform(), ["seed", "input_axes", "output_axes"]),
        "GlorotNormal" => (new GlorotNormal(), ["seed", "input_axes", "output_axes"]),
        "HeUniform" => (new HeUniform(), ["seed", "input_axes", "output_axes"]),
        "HeNormal" => (new HeNormal(), ["seed", "input_axes", "output_axes"]),
        "LecunUniform" => (new LecunUniform(), ["seed", "input_axes", "output_axes"]),
        "LecunNormal" => (new LecunNormal(), ["seed", "input_axes", "output_axes"]),
        "Orthogonal" => (new Orthogonal(seed: 3), ["seed", "gain"]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
    };

    private static string Json(Initializer initializer) => PythonJson.Serialize(KerasSerializer.Convert(initializer, "test"));

    private static Initializer Read(string json) =>
        KerasDeserializer.Resolve<Initializer>(ConfigJson.Root(Encoding.UTF8.GetBytes(json), "initializer", "$", new LoadContext("init.keras")))!;

    [Theory]
    [MemberData(nameof(InitializerNames))]
    public void Each_initializer_config_has_the_keys_Keras_3_15_writes_in_Keras_order(string name)
    {
        var (initializer, keys) = Case(name);
        initializer.GetConfig().Keys.Should().Equal(keys);
    }

    [Theory]
    [MemberData(nameof(InitializerNames))]
    public void Each_initializer_config_survives_a_round_trip(string name)
    {
        var (initializer, _) = Case(name);
        string json = Json(initializer);
        var copy = Read(json);
        copy.GetType().Should().Be(initializer.GetType());
        Json(copy).Should().Be(json);
    }

    [Fact]
    public void GlorotUniform_writes_null_fan_axes_as_Keras_3_15_does()
    {
        Json(new GlorotUniform(seed: 5)).Should().Be(
            """{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": 5, "input_axes": null, "output_axes": null}, "registered_name": null}""");
    }

    [Theory]
    [InlineData("GlorotUniform", "input_axes")]
    [InlineData("HeNormal", "output_axes")]
    [InlineData("LecunUniform", "input_axes")]
    [InlineData("VarianceScaling", "output_axes")]
    public void Explicit_fan_axes_are_refused_naming_the_initializer_the_key_and_the_value(string className, string key)
    {
        string json = $$"""{"module": "keras.initializers", "class_name": "{{className}}", "config": {"seed": null, "{{key}}": [0, 1]}, "registered_name": null}""";
        var act = () => Read(json);
        act.Should().Throw<ModelFormatException>()
            .Which.Message.Should().Contain($"{className}: {key} = [0,1]").And.Contain("not supported; expected null");
    }

    [Fact]
    public void Configs_from_before_Keras_3_15_without_fan_axes_still_load()
    {
        var glorot = Read("""{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": 7}, "registered_name": null}""");
        glorot.Should().BeOfType<GlorotUniform>().Which.Seed.Should().Be(7);
        var scaling = Read("""{"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": null}}""");
        scaling.Should().BeOfType<VarianceScaling>().Which.Mode.Should().Be("fan_out");
    }

    [Fact]
    public void Identity_writes_its_gain_only_when_Keras_would_lose_it()
    {
        new Identity(2.5).GetConfig().Should().Equal(new Dictionary<string, object?> { ["gain"] = 2.5 });
        Read(Json(new Identity(2.5))).Should().BeOfType<Identity>().Which.Gain.Should().Be(2.5);
        Read("""{"class_name": "Identity", "config": {}}""").Should().BeOfType<Identity>().Which.Gain.Should().Be(1.0);
    }
}
