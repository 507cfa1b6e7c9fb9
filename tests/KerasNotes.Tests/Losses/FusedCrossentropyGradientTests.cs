using KerasNotes.Losses;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Losses;

/// <summary>
/// The fused crossentropy paths (categorical and sparse on a softmax output, binary on a sigmoid output) send their
/// gradient straight to the logits. Each case compares that gradient with finite differences of the same loss computed
/// through the unfused chain (the probabilities copied so they no longer carry their logits), including rows where a
/// probability is clipped at 1e-7 or 1 − 1e-7.
/// </summary>
public sealed class FusedCrossentropyGradientTests
{
    // Row 0 ordinary; row 1 has a class at −18 (probability ≈ 1e-9, clipped to 1e-7);
    // row 2 is dominated by one class (probability 1 in float32, every entry clipped); row 3 ordinary.
    private static readonly Tensor s_logits = Tensor.FromArray(
        [0.3f, -1.2f, 0.8f, 0.1f,
         0f, 1f, -18f, 2f,
         25f, 0f, -0.5f, 0.5f,
         -0.7f, 0.4f, 1.3f, -2f],
        4,
        4);

    private static readonly Tensor s_sampleWeight = Tensor.FromArray([1f, 0.5f, 2f, 1.5f], 4);

    private static readonly Tensor s_binaryTargets = Tensor.FromArray([1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0], 4, 3);

    private static readonly Tensor s_binaryLogits = Tensor.FromArray([0.4f, -1.1f, 20f, -20f, 2.2f, -0.3f, 21f, -0.9f, 1.7f, -22f, 0.6f, 1.4f], 4, 3);

    private static Tensor OneHot(params int[] labels) => Ops.OneHot(Tensor.FromLabels(labels), 4);

    // Copying the probabilities drops the logits they carry, so the loss takes its unfused chain of ops.
    private static Tensor Unfused(Tensor probabilities) => Ops.Multiply(probabilities, 1f);

    private static readonly GradientCases s_cases = new GradientCases()
        .AddAgainst(
            "CategoricalCrossentropy on softmax, targets on unclipped classes",
            z => new CategoricalCrossentropy().Apply(OneHot(2, 3, 0, 2), Ops.Softmax(z[0])),
            z => new CategoricalCrossentropy().Apply(OneHot(2, 3, 0, 2), Unfused(Ops.Softmax(z[0]))),
            s_logits)
        .AddAgainst(
            "CategoricalCrossentropy on softmax, target on a class clipped at 1e-7",
            z => new CategoricalCrossentropy().Apply(OneHot(1, 2, 1, 0), Ops.Softmax(z[0])),
            z => new CategoricalCrossentropy().Apply(OneHot(1, 2, 1, 0), Unfused(Ops.Softmax(z[0]))),
            s_logits)
        .AddAgainst(
            "CategoricalCrossentropy on softmax with label smoothing and sample weights",
            z => new CategoricalCrossentropy(labelSmoothing: 0.1).Apply(OneHot(2, 3, 0, 1), Ops.Softmax(z[0]), s_sampleWeight),
            z => new CategoricalCrossentropy(labelSmoothing: 0.1).Apply(OneHot(2, 3, 0, 1), Unfused(Ops.Softmax(z[0])), s_sampleWeight),
            s_logits)
        .AddAgainst(
            "CategoricalCrossentropy on softmax with soft targets, per sample",
            z => new CategoricalCrossentropy().Call(Ops.Softmax(GradientCheck.Random(1, -1f, 1f, 4, 4)), Ops.Softmax(z[0])),
            z => new CategoricalCrossentropy().Call(Ops.Softmax(GradientCheck.Random(1, -1f, 1f, 4, 4)), Unfused(Ops.Softmax(z[0]))),
            s_logits)
        .AddAgainst(
            "SparseCategoricalCrossentropy on softmax, labels on unclipped classes",
            z => new SparseCategoricalCrossentropy().Apply(Tensor.FromLabels([2, 3, 0, 2]), Ops.Softmax(z[0])),
            z => new SparseCategoricalCrossentropy().Apply(Tensor.FromLabels([2, 3, 0, 2]), Unfused(Ops.Softmax(z[0]))),
            s_logits)
        .AddAgainst(
            "SparseCategoricalCrossentropy on softmax, label on a class clipped at 1e-7",
            z => new SparseCategoricalCrossentropy().Apply(Tensor.FromLabels([1, 2, 1, 0]), Ops.Softmax(z[0]), s_sampleWeight),
            z => new SparseCategoricalCrossentropy().Apply(Tensor.FromLabels([1, 2, 1, 0]), Unfused(Ops.Softmax(z[0])), s_sampleWeight),
            s_logits)
        .AddAgainst(
            "SparseCategoricalCrossentropy on softmax with labels of shape (N, 1), per sample",
            z => new SparseCategoricalCrossentropy().Call(Tensor.FromArray([3f, 1f, 0f, 1f], 4, 1), Ops.Softmax(z[0])),
            z => new SparseCategoricalCrossentropy().Call(Tensor.FromArray([3f, 1f, 0f, 1f], 4, 1), Unfused(Ops.Softmax(z[0]))),
            s_logits)
        .AddAgainst(
            "BinaryCrossentropy on sigmoid, including logits of ±20 clipped at 1e-7 and 1 − 1e-7",
            z => new BinaryCrossentropy().Apply(s_binaryTargets, Ops.Sigmoid(z[0])),
            z => new BinaryCrossentropy().Apply(s_binaryTargets, Unfused(Ops.Sigmoid(z[0]))),
            s_binaryLogits)
        .AddAgainst(
            "BinaryCrossentropy on sigmoid with soft labels, smoothing and sample weights",
            z => new BinaryCrossentropy(labelSmoothing: 0.1).Apply(GradientCheck.Random(2, 0f, 1f, 4, 3), Ops.Sigmoid(z[0]), s_sampleWeight),
            z => new BinaryCrossentropy(labelSmoothing: 0.1).Apply(GradientCheck.Random(2, 0f, 1f, 4, 3), Unfused(Ops.Sigmoid(z[0])), s_sampleWeight),
            s_binaryLogits)
        .AddAgainst(
            "BinaryCrossentropy on sigmoid of rank 3, per sample",
            z => new BinaryCrossentropy().Call(GradientCheck.Random(3, 0f, 1f, 2, 3, 2), Ops.Sigmoid(z[0])),
            z => new BinaryCrossentropy().Call(GradientCheck.Random(3, 0f, 1f, 2, 3, 2), Unfused(Ops.Sigmoid(z[0]))),
            GradientCheck.Random(4, -3f, 3f, 2, 3, 2))
        .AddAgainst(
            "BinaryCrossentropy on sigmoid of a single column with labels of shape (N,)",
            z => new BinaryCrossentropy().Apply(Tensor.FromArray([1f, 0f, 1f, 0f], 4), Ops.Sigmoid(z[0])),
            z => new BinaryCrossentropy().Apply(Tensor.FromArray([1f, 0f, 1f, 0f], 4), Unfused(Ops.Sigmoid(z[0]))),
            Tensor.FromArray([0.5f, -1.5f, 20f, -20f], 4, 1));

    public static TheoryData<string> Cases => s_cases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_crossentropy_gradient_matches_finite_differences_of_the_chain(string loss) => s_cases.Check(loss);

    public static TheoryData<string> Losses => new(["categorical", "sparse", "binary"]);

    [Theory]
    [MemberData(nameof(Losses))]
    public void Fused_crossentropy_records_fewer_ops_and_gives_the_chain_s_value_and_gradient(string kind)
    {
        (Loss Loss, Tensor Target, Func<Tensor, Tensor> Activation, Tensor Logits) c = kind switch
        {
            "categorical" => (new CategoricalCrossentropy(), OneHot(2, 3, 0, 2), z => Ops.Softmax(z), s_logits),
            "sparse" => (new SparseCategoricalCrossentropy(), Tensor.FromLabels([2, 3, 0, 2]), z => Ops.Softmax(z), s_logits),
            _ => (new BinaryCrossentropy(), s_binaryTargets, z => Ops.Sigmoid(z), s_binaryLogits),
        };

        (float Value, float[] Grad, int Ops) Run(bool fused)
        {
            var z = new Variable(c.Logits, "z");
            using var tape = new GradientTape();
            var p = c.Activation(z);
            var loss = c.Loss.Apply(c.Target, fused ? p : Unfused(p));
            int ops = tape.RecordedOpCount;
            return (loss.Item(), tape.Gradient(loss, [z])[0].ToArray(), ops);
        }

        var fusedRun = Run(fused: true);
        var chainRun = Run(fused: false);
        fusedRun.Ops.Should().BeLessThan(chainRun.Ops, "the fused path records one crossentropy node instead of a chain");
        TensorAssert.Close(chainRun.Value, fusedRun.Value, 1e-6, 1e-6, $"{kind} value");
        TensorAssert.Close(chainRun.Grad, fusedRun.Grad, 1e-7, 1e-5, $"{kind} gradient");
    }

    [Fact]
    public void Categorical_crossentropy_on_softmax_gives_gradients_to_tracked_targets_through_the_chain()
    {
        GradientCheck.Check(
            x => new CategoricalCrossentropy().Apply(x[0], Ops.Softmax(x[1])),
            [GradientCheck.Random(5, 0f, 1f, 4, 4), s_logits],
            what: "targets and logits");
    }
}
