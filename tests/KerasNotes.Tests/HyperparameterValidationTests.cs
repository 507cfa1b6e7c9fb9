using KerasNotes.Initializers;
using KerasNotes.Layers;
using KerasNotes.Optimizers;
using KerasNotes.Optimizers.Schedules;
using KerasNotes.Regularizers;

namespace KerasNotes.Tests;

/// <summary>
/// Every optimizer, schedule, layer, initializer and regularizer constructor rejects an out-of-range hyperparameter with an
/// <see cref="ArgumentOutOfRangeException"/> that names the class, the argument, the value and the allowed range.
/// </summary>
public sealed class HyperparameterValidationTests
{
    private static readonly Dictionary<string, (Func<object> Create, string Param, string Owner, string Expected)> s_cases = new()
    {
        ["SGD learningRate < 0"] = (() => new SGD(-0.1), "learningRate", "SGD", "non-negative finite"),
        ["SGD momentum > 1"] = (() => new SGD(momentum: 1.5), "momentum", "SGD", "in [0, 1]"),
        ["SGD clipNorm NaN"] = (() => new SGD(clipNorm: double.NaN), "clipNorm", "SGD", "non-negative finite"),
        ["Adam beta1 = 1"] = (() => new Adam(beta1: 1.0), "beta1", "Adam", "in [0, 1)"),
        ["Adam beta2 < 0"] = (() => new Adam(beta2: -0.5), "beta2", "Adam", "in [0, 1)"),
        ["Adam epsilon infinite"] = (() => new Adam(epsilon: double.PositiveInfinity), "epsilon", "Adam", "non-negative finite"),
        ["AdamW beta1 NaN"] = (() => new AdamW(beta1: double.NaN), "beta1", "AdamW", "in [0, 1)"),
        ["AdamW weightDecay < 0"] = (() => new AdamW(weightDecay: -0.01), "weightDecay", "AdamW", "non-negative finite"),
        ["RMSprop rho = 1"] = (() => new RMSprop(rho: 1.0), "rho", "RMSprop", "in [0, 1)"),
        ["RMSprop momentum < 0"] = (() => new RMSprop(momentum: -0.1), "momentum", "RMSprop", "in [0, 1]"),
        ["RMSprop epsilon < 0"] = (() => new RMSprop(epsilon: -1e-7), "epsilon", "RMSprop", "non-negative finite"),
        ["Adagrad initialAccumulatorValue < 0"] = (() => new Adagrad(initialAccumulatorValue: -1), "initialAccumulatorValue", "Adagrad", "non-negative finite"),
        ["Adagrad epsilon NaN"] = (() => new Adagrad(epsilon: double.NaN), "epsilon", "Adagrad", "non-negative finite"),
        ["ExponentialDecay decaySteps = 0"] = (() => new ExponentialDecay(0.1, 0, 0.9), "decaySteps", "ExponentialDecay", "positive number of steps"),
        ["ExponentialDecay decayRate < 0"] = (() => new ExponentialDecay(0.1, 10, -0.9), "decayRate", "ExponentialDecay", "non-negative finite"),
        ["InverseTimeDecay initialLearningRate NaN"] = (() => new InverseTimeDecay(double.NaN, 10, 0.5), "initialLearningRate", "InverseTimeDecay", "non-negative finite"),
        ["PolynomialDecay power infinite"] = (() => new PolynomialDecay(0.1, 10, power: double.PositiveInfinity), "power", "PolynomialDecay", "a finite number"),
        ["PolynomialDecay endLearningRate < 0"] = (() => new PolynomialDecay(0.1, 10, endLearningRate: -1), "endLearningRate", "PolynomialDecay", "non-negative finite"),
        ["CosineDecay alpha > 1"] = (() => new CosineDecay(0.1, 10, alpha: 2), "alpha", "CosineDecay", "in [0, 1]"),
        ["CosineDecay warmupTarget < 0"] = (() => new CosineDecay(0.1, 10, warmupTarget: -0.1, warmupSteps: 5), "warmupTarget", "CosineDecay", "non-negative finite"),
        ["CosineDecay warmupSteps < 0"] = (() => new CosineDecay(0.1, 10, warmupSteps: -1), "warmupSteps", "CosineDecay", "number of steps ≥ 0"),
        ["PiecewiseConstantDecay negative value"] = (() => new PiecewiseConstantDecay([10], [0.1, -0.01]), "values[1]", "PiecewiseConstantDecay", "non-negative finite"),
        ["RandomNormal stddev < 0"] = (() => new RandomNormal(stddev: -0.05), "stddev", "RandomNormal", "non-negative finite"),
        ["RandomNormal mean NaN"] = (() => new RandomNormal(mean: double.NaN), "mean", "RandomNormal", "a finite number"),
        ["TruncatedNormal stddev infinite"] = (() => new TruncatedNormal(stddev: double.PositiveInfinity), "stddev", "TruncatedNormal", "non-negative finite"),
        ["RandomUniform maxval < minval"] = (() => new RandomUniform(0.5, -0.5), "maxval", "RandomUniform", "≥ 'minval' (0.5)"),
        ["Orthogonal gain NaN"] = (() => new Orthogonal(gain: double.NaN), "gain", "Orthogonal", "a finite number"),
        ["VarianceScaling scale = 0"] = (() => new VarianceScaling(scale: 0), "scale", "VarianceScaling", "a positive finite number"),
        ["BatchNormalization momentum > 1"] = (() => new BatchNormalization(momentum: 1.5), "momentum", "BatchNormalization", "in [0, 1]"),
        ["BatchNormalization epsilon = 0"] = (() => new BatchNormalization(epsilon: 0), "epsilon", "BatchNormalization", "a positive finite number"),
        ["Dropout rate = 1"] = (() => new Dropout(1.0), "rate", "Dropout", "in [0, 1)"),
        ["L1 factor < 0"] = (() => new L1(-0.01), "l1", "L1", "non-negative finite"),
        ["L1L2 l2 NaN"] = (() => new L1L2(l2: double.NaN), "l2", "L1L2", "non-negative finite"),
    };

    public static TheoryData<string> Cases() => [.. s_cases.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Out_of_range_hyperparameter_is_rejected_with_its_name_value_and_range(string name)
    {
        var (create, param, owner, expected) = s_cases[name];
        var e = FluentActions.Invoking(create).Should().Throw<ArgumentOutOfRangeException>().Which;
        e.ParamName.Should().Be(param);
        e.Message.Should().Contain($"{owner} '{param}' must be").And.Contain(expected).And.Contain("Actual value was");
    }

    [Fact]
    public void Setting_a_negative_learning_rate_throws_and_keeps_the_old_rate()
    {
        var adam = new Adam(0.01);
        FluentActions.Invoking(() => adam.LearningRate = -1).Should().Throw<ArgumentOutOfRangeException>()
            .Which.ParamName.Should().Be("LearningRate");
        adam.LearningRate.Should().BeApproximately(0.01, 1e-9);
    }
}
