using System.Text.RegularExpressions;
using KerasNotes.Callbacks;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Callbacks;

public sealed partial class ProgbarLoggerTests
{
    [GeneratedRegex(@"^\d+/\d+ ━{20} \d+s \d+(s|ms|us)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}( - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4})?$")]
    private static partial Regex FinishedLine();

    [GeneratedRegex(@"^\d+/\d+ - \d+s - \d+(s|ms|us)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}$")]
    private static partial Regex VerboseTwoLine();

    [Fact]
    public void Redirected_output_gets_one_clean_line_per_epoch_and_no_carriage_returns()
    {
        var (x, y) = TestModels.Classification(samples: 64);
        var model = TestModels.Classifier();
        model.Compile(new Adam(), "sparse_categorical_crossentropy", ["accuracy"]);
        var output = new StringWriter();
        model.Fit(x, y, epochs: 3, batchSize: 8, validationSplit: 0.25, callbacks: [new ProgbarLogger(output, dynamic: false)]);
        string text = output.ToString();
        text.Should().NotContain("\r");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(6);
        lines[0].Should().Be("Epoch 1/3");
        lines[1].Should().StartWith("6/6 ━━━━━━━━━━━━━━━━━━━━ ");
        lines.Where((_, i) => i % 2 == 1).Should().OnlyContain(l => FinishedLine().IsMatch(l));
        lines[5].Should().Contain("val_accuracy:");
    }

    [Fact]
    public void A_terminal_redraws_one_line_with_carriage_returns_and_ends_each_epoch_with_a_newline()
    {
        var (x, y) = TestModels.Classification(samples: 64);
        var model = TestModels.Classifier();
        model.Compile(new Adam(), "sparse_categorical_crossentropy", ["accuracy"]);
        var output = new StringWriter();
        model.Fit(x, y, epochs: 2, batchSize: 8, callbacks: [new ProgbarLogger(output, dynamic: true)]);
        string text = output.ToString();
        text.Should().Contain("\r8/8 ━━━━━━━━━━━━━━━━━━━━ ");
        var visibleLines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.LastIndexOf('\r') + 1)..].TrimEnd()).ToArray();
        visibleLines.Should().Equal(visibleLines[0], visibleLines[1], visibleLines[2], visibleLines[3]);
        visibleLines[0].Should().Be("Epoch 1/2");
        FinishedLine().IsMatch(visibleLines[1]).Should().BeTrue(visibleLines[1]);
    }

    [Fact]
    public void Verbose_two_prints_the_Keras_verbose_2_line_only()
    {
        var (x, y) = TestModels.Classification(samples: 32);
        var model = TestModels.Classifier();
        model.Compile(new Adam(), "sparse_categorical_crossentropy", ["accuracy"]);
        var output = new StringWriter();
        model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 2, callbacks: [new ProgbarLogger(output, dynamic: true)]);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle();
        VerboseTwoLine().IsMatch(lines[0].TrimEnd()).Should().BeTrue(lines[0]);
    }

    [Fact]
    public void Values_are_formatted_with_four_decimals_or_in_exponent_form_when_small()
    {
        ProgbarLogger.FormatValue(0.123456, fixedPoint: true).Should().Be("0.1235");
        ProgbarLogger.FormatValue(0.0001234, fixedPoint: false).Should().Be("1.2340e-04");
        ProgbarLogger.FormatValue(double.NaN, fixedPoint: true).Should().Be("nan");
    }

    [Fact]
    public void Standalone_evaluate_with_verbose_shows_its_own_bar()
    {
        var (x, y) = TestModels.Classification(samples: 32);
        var model = TestModels.Classifier();
        model.Compile(new Adam(), "sparse_categorical_crossentropy", ["accuracy"]);
        var output = new StringWriter();
        model.Evaluate(x, y, batchSize: 8, verbose: 1, callbacks: [new ProgbarLogger(output, dynamic: false)]);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle().Which.Should().StartWith("4/4 ━━━━━━━━━━━━━━━━━━━━ ");
    }
}
