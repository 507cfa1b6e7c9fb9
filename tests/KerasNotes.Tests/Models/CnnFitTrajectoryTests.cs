using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Models;

/// <summary>
/// The cnn_fit cases of conv_layers.json: Input(8,8,1) → Conv2D(4, 3, relu) → MaxPooling2D(2) → Flatten → Dense(3,
/// softmax) trained by TensorFlow.js with SGD and with Adam (checked against the Keras 3 Adam rule): epoch logs,
/// per-batch losses, every weight after every epoch, and the predictions on the validation images.
/// </summary>
public sealed class CnnFitTrajectoryTests
{
    private const string File = "conv_layers.json";

    public static TheoryData<string> Cases => Fixture.CaseNames(File, "cnn_fit");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cnn_fit_reproduces_the_fixture_trajectory(string name)
    {
        var root = Fixture.Load(File);
        var c = Fixture.Case(File, name, "cnn_fit");
        var data = root["cnn_fit_data"]!;
        var tol = c["tolerance"]!;
        var (logAbs, logRel) = Fixture.Tolerance(tol["epoch_logs"]);
        var (wAbs, wRel) = Fixture.Tolerance(tol["weights"]);
        var (pAbs, pRel) = Fixture.Tolerance(tol["predictions"]);
        var opt = c["compile"]!["optimizer"]!;
        bool adam = opt["name"]!.GetValue<string>() == "Adam";
        var expected = adam ? c["expected_with_keras3_adam_rule"]! : c["expected"]!;

        var x = Fixture.ToTensor(data[c["inputs"]!["x"]!.GetValue<string>()]!);
        var y = Fixture.ToTensor(data[c["inputs"]!["y"]!.GetValue<string>()]!);
        var model = BuildModel(c);
        var weightsByName = model.Weights.ToDictionary(v => v.Path);
        foreach (var (key, value) in c["inputs"]!["initial_weights"]!.AsObject())
        {
            weightsByName[key].Assign(Fixture.ToTensor(value!));
        }

        Optimizer optimizer = adam
            ? new Adam(opt["learning_rate"]!.GetValue<double>(), opt["beta_1"]!.GetValue<double>(), opt["beta_2"]!.GetValue<double>(), opt["epsilon"]!.GetValue<double>())
            : new SGD(opt["learning_rate"]!.GetValue<double>(), opt["momentum"]!.GetValue<double>(), opt["nesterov"]!.GetValue<bool>());
        model.Compile(optimizer, c["compile"]!["loss"]!.GetValue<string>(), [.. c["compile"]!["metrics"]!.AsArray().Select(m => (OutputMetrics)m!.GetValue<string>())]);

        var fitArgs = c["fit_args"]!;
        var names = fitArgs["validation_data"]!.AsArray();
        ValidationData validation = (Fixture.ToTensor(data[names[0]!.GetValue<string>()]!), Fixture.ToTensor(data[names[1]!.GetValue<string>()]!));
        var recorder = new FitRecorder(model);
        var history = model.Fit(
            x, y, batchSize: fitArgs["batch_size"]!.GetValue<int>(), epochs: fitArgs["epochs"]!.GetValue<int>(),
            verbose: 0, shuffle: false, validationData: validation, callbacks: [recorder]);

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

        var predictOn = Fixture.ToTensor(data[c["expected"]!["predictions_on"]!.GetValue<string>()]!);
        TensorAssert.Close(Fixture.ToTensor(expected["predictions"]!), model.Predict(predictOn), pAbs, pRel, $"{name} predictions");
    }

    private static Sequential BuildModel(JsonObject c)
    {
        int[] inputShape = [.. c["input_shape"]!.AsArray().Select(d => d!.GetValue<int>())];
        var model = new Sequential(new Input(inputShape));
        foreach (var spec in c["model"]!.AsArray())
        {
            string layerName = spec!["name"]!.GetValue<string>();
            (int, int) Pair(string key) => (spec[key]![0]!.GetValue<int>(), spec[key]![1]!.GetValue<int>());
            model.Add(spec["layer"]!.GetValue<string>() switch
            {
                "Conv2D" => new Conv2D(
                    spec["filters"]!.GetValue<int>(), Pair("kernel_size"), Pair("strides"), spec["padding"]!.GetValue<string>(), Pair("dilation_rate"),
                    spec["activation"]!.GetValue<string>(), spec["use_bias"]!.GetValue<bool>(), name: layerName),
                "MaxPooling2D" => new MaxPooling2D(Pair("pool_size"), Pair("strides"), spec["padding"]!.GetValue<string>(), layerName),
                "Flatten" => new Flatten(name: layerName),
                "Dense" => new Dense(spec["units"]!.GetValue<int>(), activation: spec["activation"]!.GetValue<string>(), useBias: spec["use_bias"]!.GetValue<bool>(), name: layerName),
                var other => throw new NotSupportedException(other),
            });
        }

        return model;
    }
}
