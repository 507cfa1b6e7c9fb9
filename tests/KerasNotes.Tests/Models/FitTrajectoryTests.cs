using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Models;

/// <summary>
/// Every case of fit_trajectories.json: real TensorFlow.js fit runs (no shuffling, no randomness) — per-batch
/// losses, epoch logs, every weight after every epoch, and the final predictions. Adam cases are checked
/// against the Keras 3 Adam rule.
/// </summary>
public sealed class FitTrajectoryTests
{
    private const string File = "fit_trajectories.json";

    public static TheoryData<string> Cases => Fixture.CaseNames(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fit_reproduces_the_fixture_trajectory(string name)
    {
        var root = Fixture.Load(File);
        var c = Fixture.Case(File, name);
        var data = root["data"]!;
        var tol = root["tolerance"]!;
        var (logAbs, logRel) = Fixture.Tolerance(tol["epoch_logs"]);
        var (wAbs, wRel) = Fixture.Tolerance(tol["weights"]);
        var (pAbs, pRel) = Fixture.Tolerance(tol["predictions"]);
        bool adam = c["compile"]!["optimizer"]!["name"]!.GetValue<string>() == "Adam";
        var expected = adam ? c["expected_with_keras3_adam_rule"]! : c["expected"]!;

        var x = Fixture.ToTensor(data[c["data"]!["x"]!.GetValue<string>()]!);
        var y = Fixture.ToTensor(data[c["data"]!["y"]!.GetValue<string>()]!);
        var model = BuildModel(c, x.Shape[1]);
        var weightsByName = model.Weights.ToDictionary(v => v.Path);
        foreach (var (key, value) in c["initial_weights"]!.AsObject())
        {
            weightsByName[key].Assign(Fixture.ToTensor(value!));
        }

        var opt = c["compile"]!["optimizer"]!;
        Optimizer optimizer = adam
            ? new Adam(opt["learning_rate"]!.GetValue<double>(), opt["beta_1"]!.GetValue<double>(), opt["beta_2"]!.GetValue<double>(), opt["epsilon"]!.GetValue<double>())
            : new SGD(opt["learning_rate"]!.GetValue<double>(), opt["momentum"]!.GetValue<double>(), opt["nesterov"]!.GetValue<bool>());
        model.Compile(
            optimizer,
            c["compile"]!["loss"]!.GetValue<string>(),
            c["compile"]!["metrics"]!.AsArray().Select(m => (object)m!.GetValue<string>()).ToArray());

        var recorder = new FitRecorder(model);
        var fitArgs = c["fit_args"]!;
        ValidationData? validationData = null;
        double split = 0;
        if (fitArgs["validation"]!.GetValue<string>() == "validation_data")
        {
            var names = fitArgs["validation_data"]!.AsArray();
            validationData = (Fixture.ToTensor(data[names[0]!.GetValue<string>()]!), Fixture.ToTensor(data[names[1]!.GetValue<string>()]!));
        }
        else
        {
            split = fitArgs["validation_split"]!.GetValue<double>();
        }

        var history = model.Fit(
            x, y, batchSize: fitArgs["batch_size"]!.GetValue<int>(), epochs: fitArgs["epochs"]!.GetValue<int>(),
            verbose: 0, shuffle: false, validationData: validationData, validationSplit: split, callbacks: [recorder]);

        var epochLogs = expected["epoch_logs"]!.AsArray();
        for (int e = 0; e < epochLogs.Count; e++)
        {
            foreach (var (key, value) in epochLogs[e]!.AsObject())
            {
                TensorAssert.Close(value!.GetValue<double>(), history[key][e], logAbs, logRel, $"{name} epoch {e} {key}");
            }
        }

        var sizes = c["batches_per_epoch"]!.AsArray().Select(s => s!.GetValue<int>()).ToArray();
        for (int e = 0; e < recorder.BatchLosses.Count; e++)
        {
            var batchLosses = recorder.BatchLossesOf(e, sizes);
            for (int b = 0; b < batchLosses.Length; b++)
            {
                double expectedLoss = adam
                    ? expected["batch_losses"]![e]![b]!.GetValue<double>()
                    : expected["batch_logs"]![e]![b]!["loss"]!.GetValue<double>();
                TensorAssert.Close(expectedLoss, batchLosses[b], logAbs, logRel, $"{name} epoch {e} batch {b} loss");
            }
        }

        var weightsAfter = expected["weights_after_epoch"]!.AsArray();
        for (int e = 0; e < weightsAfter.Count; e++)
        {
            foreach (var (key, value) in weightsAfter[e]!.AsObject())
            {
                TensorAssert.Close(Fixture.ToFloats(value!), recorder.Weights[e][key], wAbs, wRel, $"{name} epoch {e} {key}");
            }
        }

        string on = c["expected"]!["predictions_on"]!.GetValue<string>();
        var predictOn = on == "x_train[split_at:]"
            ? x.SliceRows(c["validation_split_semantics"]!["split_at"]!.GetValue<int>(), x.Shape[0] - c["validation_split_semantics"]!["split_at"]!.GetValue<int>())
            : Fixture.ToTensor(data[on]!);
        var predictions = model.Predict(predictOn);
        TensorAssert.Close(Fixture.ToTensor(expected["predictions"]!), predictions, pAbs, pRel, $"{name} predictions");
    }

    private static Sequential BuildModel(JsonObject c, int inputDim)
    {
        var model = new Sequential(new Input(inputDim));
        foreach (var spec in c["model"]!.AsArray())
        {
            string layerName = spec!["name"]!.GetValue<string>();
            model.Add(spec["layer"]!.GetValue<string>() switch
            {
                "Dense" => new Dense(spec["units"]!.GetValue<int>(), activation: spec["activation"]!.GetValue<string>(), name: layerName),
                "BatchNormalization" => new BatchNormalization(momentum: spec["momentum"]!.GetValue<double>(), epsilon: spec["epsilon"]!.GetValue<double>(), name: layerName),
                var other => throw new NotSupportedException(other),
            });
        }

        return model;
    }
}
