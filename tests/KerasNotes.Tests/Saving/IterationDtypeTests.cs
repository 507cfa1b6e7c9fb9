using System.IO.Compression;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Saving.Hdf5;
using PureHDF;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// The optimizer's iteration counter is stored with Keras's dtype: Keras creates it with dtype "int"
/// (keras/src/optimizers/base_optimizer.py), which keras/src/backend/common/dtypes.py resolves to int64 on the
/// default TensorFlow backend and to int32 on JAX and PyTorch (keras-team/keras v3.15.1). Files from either, and
/// files that hold it as a whole float, are read back.
/// </summary>
public sealed class IterationDtypeTests
{
    private static readonly Lazy<(Sequential Model, byte[] Archive)> s_saved = new(() =>
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel();
        var (x, y) = SavingTestSupport.SmallData(16);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        model.Save(temp.File("m.keras"));
        return (model, File.ReadAllBytes(temp.File("m.keras")));
    });

    private static byte[] WeightsMember(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        using var s = zip.GetEntry("model.weights.h5")!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private static void AssertInt64Scalar(byte[] h5, string what)
    {
        var iteration = Hdf5File.Open(h5).Find("optimizer/vars/0");
        iteration.Should().NotBeNull(what);
        iteration!.Kind.Should().Be(ObjectKind.Dataset, what);
        iteration.Type!.Class.Should().Be(DatatypeClass.FixedPoint, what);
        iteration.Type.Size.Should().Be(8, what);
        iteration.Type.Signed.Should().BeTrue(what);
        iteration.Type.BigEndian.Should().BeFalse(what);
        iteration.Space!.Kind.Should().Be(DataspaceKind.Scalar, $"{what}: Keras stores the iteration as a 0-d dataset");
    }

    [Fact]
    public void The_iteration_is_a_0_d_int64_in_keras_archives_and_weights_files()
    {
        using var temp = SavingTestSupport.Temp();
        var (model, archive) = s_saved.Value;
        model.SaveWeights(temp.File("w.weights.h5"));

        AssertInt64Scalar(WeightsMember(archive), "model.weights.h5 in the .keras archive");
        AssertInt64Scalar(File.ReadAllBytes(temp.File("w.weights.h5")), ".weights.h5");
    }

    private static byte[] ScalarFile(object value)
    {
        using var stream = new MemoryStream();
        new PureHDF.H5File { ["it"] = value }.Write(stream);
        return stream.ToArray();
    }

    private static long ReadIteration(byte[] h5)
    {
        using var reader = new H5Reader(h5, new LoadContext("it.h5"), string.Empty);
        return reader.ReadIntegerScalar("it", "optimizer 'adam' iteration");
    }

    public static TheoryData<object, string> IterationForms => new()
    {
        { 12L, "int64" },      // Keras on TensorFlow, tf.keras
        { 12, "int32" },       // Keras on JAX or PyTorch
        { 12f, "float32" },
        { 12.0, "float64" },
    };

    [Theory]
    [MemberData(nameof(IterationForms))]
    public void The_iteration_reads_as_int64_int32_or_a_whole_float(object value, string dtype)
    {
        var file = ScalarFile(value);
        Hdf5File.Open(file).Find("it")!.Type!.ToString().Should().Be(dtype);
        ReadIteration(file).Should().Be(12);
    }

    [Theory]
    [InlineData(2.5)]
    [InlineData(double.NaN)]
    [InlineData(1e300)]
    public void A_float_iteration_that_is_not_a_whole_number_is_refused(double value)
    {
        var act = () => ReadIteration(ScalarFile(value));
        act.Should().Throw<ModelFormatException>().Which.Message.Should().Contain("optimizer 'adam' iteration: expected a whole number from -2^53 to 2^53, found the float64 value");
    }

    [Fact]
    public void A_weights_file_with_an_int32_iteration_restores_the_step_count()
    {
        using var temp = SavingTestSupport.Temp();
        var (trained, _) = s_saved.Value;
        var fresh = SavingTestSupport.SmallModel();
        File.WriteAllBytes(temp.File("jax.weights.h5"), WeightsWithIteration(trained, (int)trained.Optimizer!.Iterations));

        fresh.LoadWeights(temp.File("jax.weights.h5"));

        fresh.Optimizer!.Iterations.Should().Be(trained.Optimizer.Iterations);
        SavingTestSupport.AssertSameWeights(trained, fresh);
    }

    /// <summary>Keras's weights layout for <paramref name="model"/> with the iteration stored as <paramref name="iteration"/>'s type.</summary>
    private static byte[] WeightsWithIteration(Model model, object iteration)
    {
        static H5Dataset<float[]> Dataset(Variable v) =>
            new(v.Value.ToArray(), fileDims: [.. Enumerable.Range(0, v.Shape.Rank).Select(i => (ulong)v.Shape[i])]);

        var layers = new H5Group();
        foreach (var (group, layer) in NativeWeights.LayerGroups(model))
        {
            var vars = new H5Group();
            for (int i = 0; i < layer.Weights.Count; i++)
            {
                vars[$"{i}"] = Dataset(layer.Weights[i]);
            }

            layers[group] = new H5Group { ["vars"] = vars };
        }

        var optimizer = new H5Group { ["0"] = iteration, ["1"] = (float)model.Optimizer!.LearningRate };
        int index = 2;
        foreach (var slot in model.Optimizer.SlotVariables)
        {
            optimizer[$"{index++}"] = Dataset(slot);
        }

        using var stream = new MemoryStream();
        new PureHDF.H5File { ["vars"] = new H5Group(), ["layers"] = layers, ["optimizer"] = new H5Group { ["vars"] = optimizer } }
            .Write(stream, new H5WriteOptions(PreferCompactDatasetLayout: false));
        return stream.ToArray();
    }
}
