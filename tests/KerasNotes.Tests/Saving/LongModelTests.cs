using System.Diagnostics;
using System.Text;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving.Json;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// The cost of a long model grows with its length, not with its square: a file listing 100,000 layers used to
/// take 88 s to load (each Sequential.Add scanned every earlier name and re-ran every earlier shape).
/// </summary>
[Collection(TimedRuns.Name)]
public sealed class LongModelTests
{
    [Fact]
    public void Building_a_Sequential_of_100000_layers_by_code_takes_linear_time()
    {
        var sw = Stopwatch.StartNew();
        var model = new Sequential(new Input(1));
        for (int i = 0; i < 100_000; i++)
        {
            model.Add(new Activation("linear"));
        }

        sw.Stop();
        model.Layers.Should().HaveCount(100_000);
        sw.ElapsedMilliseconds.Should().BeLessThan(10_000, "each Add costs the same whatever the model's length");
    }

    [Fact]
    public void Add_after_Pop_checks_names_and_shapes_against_the_remaining_layers()
    {
        var model = new Sequential(new Input(3), new Dense(4, name: "a"), new Dense(5, name: "b"));
        model.Pop().Name.Should().Be("b");
        model.Add(new Dense(2, name: "b"));
        model.Layers[^1].GetWeights()[0].Shape.Should().Be(new Shape(4, 2));
        var duplicate = () => model.Add(new Dense(2, name: "a"));
        duplicate.Should().Throw<ArgumentException>().WithMessage("*already has a layer named 'a'*");
        model.ComputeOutputShape(new Shape(-1, 3)).Should().Be(new Shape(-1, 2));
    }

    [Fact]
    public void Add_sees_the_current_output_of_a_nested_model_that_grew_after_it_was_added()
    {
        var inner = new Sequential([new Dense(4, name: "inner_a")], name: "inner");
        var outer = new Sequential(new Input(3), inner);
        inner.Add(new Dense(5, name: "inner_b"));
        outer.Add(new Dense(2, name: "top"));
        outer.Layers[^1].GetWeights()[0].Shape.Should().Be(new Shape(5, 2));
    }

    [Fact]
    public void A_layer_list_one_beyond_the_limit_is_refused_before_it_is_parsed_into_a_tree()
    {
        using var temp = SavingTestSupport.Temp();
        string path = HostileFile(temp, KerasDeserializer.MaxLayers + 1);
        var act = () => Model.Load(path);
        act.Should().Throw<ModelFormatException>().WithMessage("*config.json*more than 100001 entries; at most 100000 layers besides the InputLayer*");
    }

    [Fact]
    public void A_layer_list_without_an_InputLayer_one_beyond_the_limit_is_refused_naming_the_limit()
    {
        using var temp = SavingTestSupport.Temp();
        string config = Encoding.UTF8.GetString(HostileArchives.ManyActivationsConfig(KerasDeserializer.MaxLayers + 1));
        int input = config.IndexOf("{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\"", StringComparison.Ordinal);
        int next = config.IndexOf(", {", input, StringComparison.Ordinal);
        config = config.Remove(input, next + 2 - input);
        string path = temp.File("long.keras");
        File.WriteAllBytes(path, HostileArchives.WithConfig(Encoding.UTF8.GetBytes(config)));
        var act = () => Model.Load(path);
        act.Should().Throw<ModelFormatException>().WithMessage("*100001 layers (besides the InputLayer) is beyond the supported 100000*");
    }

    private static string HostileFile(TempFolder temp, int layers)
    {
        string path = temp.File("long.keras");
        File.WriteAllBytes(path, HostileArchives.WithConfig(HostileArchives.ManyActivationsConfig(layers)));
        return path;
    }
}
