using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Functional models resume training exactly after Save and Load: N epochs, save, load, M more give bit for bit the
/// weights, optimizer step and per-epoch logs of N + M epochs in one go — with a residual connection, two inputs,
/// two outputs (losses, weights and metrics per output), BatchNormalization and Dropout.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class FunctionalResumedTrainingTests
{
    private const int Samples = 96;

    private static (Tensor X, Tensor Y) Data() => SavingTestSupport.SmallData(Samples);

    private static Tensor Hints() => GradientCheck.Random(41, -1f, 1f, Samples, 2);

    private static Tensor Flags()
    {
        var (x, _) = Data();
        var values = x.ToArray();
        return Tensor.FromArray([.. Enumerable.Range(0, Samples).Select(i => values[i * 4] > 0 ? 1f : 0f)], Samples, 1);
    }

    /// <summary>Trains <paramref name="build"/>'s model 4 epochs straight, and 2 + save + load + 2; both must agree bit for bit.</summary>
    private static void ResumesExactly(Func<Model> build, Func<Model, int, History> fit)
    {
        using var temp = SavingTestSupport.Temp();
        RandomSeed.Set(8642);
        var straight = build();
        var straightHistory = fit(straight, 4);

        RandomSeed.Set(8642);
        var first = build();
        fit(first, 2);
        first.Save(temp.File("half.keras"));
        RandomSeed.Set(5); // whatever the global generator does meanwhile must not matter
        var resumed = Model.Load(temp.File("half.keras"));
        resumed.Layers.Select(l => l.Name).Should().Equal(first.Layers.Select(l => l.Name));
        var resumedHistory = fit(resumed, 2);

        SavingTestSupport.AssertSameWeights(straight, resumed);
        resumed.Optimizer!.Iterations.Should().Be(straight.Optimizer!.Iterations);
        resumedHistory.Keys.Should().Equal(straightHistory.Keys);
        foreach (string key in straightHistory.Keys)
        {
            resumedHistory[key].Should().Equal(straightHistory[key].Skip(2), key);
        }
    }

    [Fact]
    public void A_residual_MLP_resumes_training_bit_for_bit()
    {
        var (x, y) = Data();
        ResumesExactly(
            () =>
            {
                var input = Keras.Input(shape: [4], name: "x_rmlp");
                var h = new Dense(8, activation: "relu", name: "h_rmlp").Apply(input);
                var block = new Dense(8, name: "f2_rmlp").Apply(new Dropout(0.2, name: "drop_rmlp").Apply(new Dense(8, activation: "relu", name: "f1_rmlp").Apply(h)));
                var residual = new Add(name: "skip_rmlp").Apply([h, block]);
                var normed = new BatchNormalization(name: "bn_rmlp").Apply(residual);
                var model = new Model(input, new Dense(3, activation: "softmax", name: "out_rmlp").Apply(normed), name: "residual_mlp");
                model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
                return model;
            },
            (model, epochs) => model.Fit(x, y, batchSize: 16, epochs: epochs, verbose: 0, shuffle: true));
    }

    [Fact]
    public void A_two_input_model_resumes_training_bit_for_bit()
    {
        var (x, y) = Data();
        var hints = Hints();
        ResumesExactly(
            () =>
            {
                var features = Keras.Input(shape: [4], name: "features_2in");
                var hint = Keras.Input(shape: [2], name: "hint_2in");
                var seen = new Dense(8, activation: "relu", name: "seen_2in").Apply(features);
                var joined = new Dropout(0.25, name: "drop_2in").Apply(new Concatenate(name: "join_2in").Apply([seen, hint]));
                var model = new Model([features, hint], new Dense(3, activation: "softmax", name: "class_2in").Apply(joined), name: "two_inputs_resume");
                model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
                return model;
            },
            (model, epochs) => model.Fit([x, hints], [y], batchSize: 16, epochs: epochs, verbose: 0, shuffle: true, validationSplit: 0.25));
    }

    [Fact]
    public void A_two_output_model_with_losses_weights_and_metrics_per_output_resumes_training_bit_for_bit()
    {
        var (x, y) = Data();
        var flags = Flags();
        ResumesExactly(
            () =>
            {
                var features = Keras.Input(shape: [4], name: "features_2out");
                var trunk = new BatchNormalization(name: "bn_2out").Apply(new Dense(8, activation: "relu", name: "trunk_2out").Apply(features));
                var label = new Dense(3, activation: "softmax", name: "class_2out").Apply(trunk);
                var flag = new Dense(1, activation: "sigmoid", name: "flag_2out").Apply(new Dropout(0.2, name: "drop_2out").Apply(trunk));
                var model = new Model(features, [label, flag], name: "two_outputs_resume");
                model.Compile(optimizer: "adam", loss: ["sparse_categorical_crossentropy", "binary_crossentropy"], metrics: [["accuracy"], ["accuracy"]], lossWeights: [1.0, 0.5]);
                return model;
            },
            (model, epochs) => model.Fit(x, [y, flags], batchSize: 16, epochs: epochs, verbose: 0, shuffle: true));
    }

    [Fact]
    public void A_compiled_functional_model_with_BatchNormalization_and_Dropout_resumes_training_bit_for_bit()
    {
        var (x, y) = Data();
        ResumesExactly(
            () =>
            {
                var input = Keras.Input(shape: [4], name: "x_resume");
                var h = new Dropout(0.3, name: "drop_resume").Apply(new BatchNormalization(name: "bn_resume").Apply(new Dense(8, activation: "relu", name: "d_resume").Apply(input)));
                var model = new Model(input, new Dense(3, activation: "softmax", name: "out_resume").Apply(h), name: "resume");
                model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
                return model;
            },
            (model, epochs) => model.Fit(x, y, batchSize: 16, epochs: epochs, verbose: 0, shuffle: true));
    }
}
