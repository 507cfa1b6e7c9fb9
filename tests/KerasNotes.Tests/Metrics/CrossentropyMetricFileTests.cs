using KerasNotes.Models;
using KerasNotes.Tests.Saving;
using KerasNotes.Tests.Serialization;
using KMetrics = KerasNotes.Metrics;

namespace KerasNotes.Tests.Metrics;

/// <summary>
/// The crossentropy metrics through a file: <c>from_logits</c> is part of what they compute, so it must be written
/// (with Keras's keys) and read back, or a loaded model reports other numbers than the one that was saved.
/// </summary>
public sealed class CrossentropyMetricFileTests
{
    [Theory]
    [MemberData(nameof(RegistryAttackTests.CompiledSetups), MemberType = typeof(RegistryAttackTests))]
    public void A_compiled_CNN_evaluates_the_same_after_save_and_load(string setup)
    {
        using var temp = SavingTestSupport.Temp();
        var model = RegistryAttackTests.BuildCompiled(setup);
        var x = TestSupport.GradientCheck.Random(8, -1f, 1f, 10, 6, 6, 2);
        var labels = new float[10];
        var oneHot = new float[30];
        for (int i = 0; i < 10; i++)
        {
            labels[i] = i % 3;
            oneHot[(i * 3) + (i % 3)] = 1;
        }

        Tensor y = setup is "adamw-clip" ? Tensor.FromArray(labels, 10) : Tensor.FromArray(oneHot, 10, 3);
        var before = model.Evaluate(x, y, batchSize: 4);
        model.Save(temp.File("m.keras"));
        var after = Model.Load(temp.File("m.keras")).Evaluate(x, y, batchSize: 4);
        after.Should().Equal(before);
    }

    [Fact]
    public void The_crossentropy_metrics_write_from_logits_with_the_keys_Keras_writes()
    {
        new KMetrics.BinaryCrossentropy(fromLogits: true).GetConfig().Keys.Should().Equal("name", "dtype", "from_logits", "label_smoothing");
        new KMetrics.BinaryCrossentropy(fromLogits: true).GetConfig()["from_logits"].Should().Be(true);
        new KMetrics.CategoricalCrossentropy(fromLogits: true).GetConfig().Keys.Should().Equal("name", "dtype", "from_logits", "label_smoothing", "axis");
        new KMetrics.SparseCategoricalCrossentropy(fromLogits: true).GetConfig().Keys.Should().Equal("name", "dtype", "from_logits", "axis");
    }
}
