using KerasNotes.Kernels;
using KerasNotes.Optimizers;
using KerasNotes.Tests.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Optimizers;

/// <summary>
/// The built-in optimizers update through a plan split over the kernel threads: one or two threads give the same bits
/// on variables larger than the split threshold. An optimizer derived outside the library updates through its
/// <c>UpdateStep</c>, on the calling thread, one whole variable at a time; one derived from a built-in optimizer gets
/// the built-in numbers that way.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class OptimizerUpdatePlanTests
{
    private const int Steps = 3;

    // A variable above the split threshold with small ones on either side, so the split falls inside the large one
    // and the parts cross variable boundaries.
    private static readonly int[] s_sizes = [37, (int)KernelControl.UpdateParallelThreshold + 1001, 5];

    public static TheoryData<string> Optimizers => new(s_optimizers.Keys);

    private static readonly Dictionary<string, Func<Optimizer>> s_optimizers = new(StringComparer.Ordinal)
    {
        ["SGD"] = () => new SGD(0.01),
        ["SGD momentum"] = () => new SGD(0.01, momentum: 0.9),
        ["SGD Nesterov with weight decay"] = () => new SGD(0.01, momentum: 0.9, nesterov: true, weightDecay: 0.01),
        ["Adam"] = () => new Adam(),
        ["Adam AMSGrad with clipnorm"] = () => new Adam(amsgrad: true, clipNorm: 1.0),
        ["AdamW"] = () => new AdamW(),
        ["RMSprop"] = () => new RMSprop(),
        ["RMSprop centered with momentum and global clipnorm"] = () => new RMSprop(momentum: 0.5, centered: true, globalClipNorm: 1.0),
        ["Adagrad with clipvalue"] = () => new Adagrad(clipValue: 0.5),
    };

    private static float[][] Train(Optimizer optimizer)
    {
        var variables = s_sizes.Select((n, i) => new Variable(Tensor.FromArray(KernelSweep.Values(i + 1, n), n), $"v{i}")).ToArray();
        for (int step = 0; step < Steps; step++)
        {
            var pairs = variables.Select((v, i) => (Tensor.FromArray(KernelSweep.Values((10 * step) + i + 100, v.Value.Size), v.Value.Size), v)).ToList();
            optimizer.ApplyGradients(pairs);
        }

        return [.. variables.Select(v => v.Value.ToArray()), .. optimizer.Variables.Select(v => v.Value.ToArray())];
    }

    private static float[][] TrainOn(int threads, Func<Optimizer> create)
    {
        using var scope = new IntraOpThreadsScope(threads);
        return Train(create());
    }

    private static void AssertSame(float[][] expected, float[][] actual, string what)
    {
        actual.Length.Should().Be(expected.Length, what);
        for (int s = 0; s < expected.Length; s++)
        {
            TensorAssert.BitEqual(expected[s], actual[s], $"{what}, array {s}");
        }
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void One_and_two_threads_give_the_same_bits_above_the_split_threshold(string name)
    {
        var create = s_optimizers[name];
        AssertSame(TrainOn(1, create), TrainOn(2, create), $"{name}: 2 threads vs 1");
    }

    private sealed class DerivedAdam : Adam
    {
        public DerivedAdam()
            : base(amsgrad: true, weightDecay: 0.004)
        {
        }
    }

    [Fact]
    public void An_optimizer_derived_from_a_built_in_one_gets_its_numbers_through_UpdateStep()
    {
        AssertSame(
            TrainOn(2, () => new Adam(amsgrad: true, weightDecay: 0.004)), TrainOn(2, () => new DerivedAdam()),
            "Adam subclass vs Adam");
    }

    /// <summary>Plain SGD written outside the library, recording where and how UpdateStep is called.</summary>
    private sealed class RecordingSgd(double learningRate, double? weightDecay)
        : Optimizer(learningRate, "recording_sgd", weightDecay, null, null, null)
    {
        public List<(int Thread, int Index, int Offset, int Length)> Calls { get; } = [];

        protected override int SlotsPerVariable => 0;

        protected override void CreateSlots(Variable variable)
        {
        }

        protected override void UpdateStep(ReadOnlySpan<float> gradient, Span<float> variable, float learningRate, int index, int offset)
        {
            Calls.Add((Environment.CurrentManagedThreadId, index, offset, gradient.Length));
            for (int i = 0; i < variable.Length; i++)
            {
                variable[i] -= gradient[i] * learningRate;
            }
        }
    }

    [Fact]
    public void An_optimizer_derived_outside_the_library_updates_whole_variables_on_the_calling_thread()
    {
        using var threads = new IntraOpThreadsScope(2);
        var custom = new RecordingSgd(0.01, weightDecay: 0.01);
        var numbers = Train(custom);
        int caller = Environment.CurrentManagedThreadId;
        custom.Calls.Should().Equal(
            Enumerable.Range(0, Steps).SelectMany(_ => s_sizes.Select((n, i) => (caller, i, 0, n))),
            "one call per variable and step, on the calling thread, with the whole variable");
        AssertSame(TrainOn(1, () => new SGD(0.01, weightDecay: 0.01))[..s_sizes.Length], numbers[..s_sizes.Length], "custom SGD vs SGD");
    }
}
