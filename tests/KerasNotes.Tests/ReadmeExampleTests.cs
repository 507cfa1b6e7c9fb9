using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KerasNotes.Tests;

/// <summary>
/// Every C# block of README.md compiles against the library (and the KerasNotes.Plotting package) with every
/// KerasNotes namespace imported, as a user
/// who copies it into a program that uses the whole library would compile it (so a name two namespaces share, like
/// <c>MeanSquaredError</c> in Losses and Metrics, cannot sneak into an example unqualified).
/// </summary>
public sealed partial class ReadmeExampleTests
{
    // Blocks are fragments of one program: these stand for what the surrounding prose has already made.
    private const string Prelude = """
        Sequential model = new Sequential(new Input(784), new Dense(10, activation: "softmax"));
        Tensor x = Tensor.Zeros(1, 784), y = Tensor.Zeros(1);
        Sequential BuildModel() => model;
        """;

    private static readonly string[] Namespaces =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq",
        "KerasNotes", "KerasNotes.Activations", "KerasNotes.Callbacks", "KerasNotes.Data", "KerasNotes.Initializers",
        "KerasNotes.Layers", "KerasNotes.Losses", "KerasNotes.Metrics", "KerasNotes.Models", "KerasNotes.Optimizers",
        "KerasNotes.Optimizers.Schedules", "KerasNotes.Regularizers", "KerasNotes.Saving", "KerasNotes.Vision",
        "KerasNotes.Plotting",
    ];

    public static TheoryData<int> Blocks()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < CSharpBlocks().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static List<string> CSharpBlocks()
    {
        string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Docs", "README.md"));
        return [.. Block().Matches(readme).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    [Fact]
    public void The_README_has_CSharp_examples()
    {
        CSharpBlocks().Should().NotBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void README_example_compiles_with_every_namespace_imported(int index)
    {
        string block = CSharpBlocks()[index];
        string usings = string.Concat(Namespaces.Select(n => $"using {n};\n"));

        // A block that starts with its own using directives is a whole program; otherwise the prelude defines
        // what it refers to. Type declarations in a block follow its statements, as top-level programs require.
        bool whole = block.TrimStart().StartsWith("using ", StringComparison.Ordinal);
        string source = whole ? usings + block : usings + Prelude + "\n" + block;
        // The framework's own assemblies, the library and what it depends on, and the plotting package (whose public
        // API uses no ScottPlot or SkiaSharp type, so the examples need neither).
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Append(typeof(Tensor).Assembly.Location)
            .Append(typeof(KerasNotes.Plotting.HistoryPlot).Assembly.Location)
            .Append(typeof(MathNet.Numerics.LinearAlgebra.Matrix<float>).Assembly.Location)
            // The ONNX section serves an exported model with ONNX Runtime (its types written out in full there, so
            // its Tensor<T> does not clash with ours in the other blocks).
            .Append(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.Location);
        var references = paths.Distinct().Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            $"ReadmeBlock{index}",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview))],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        errors.Should().BeEmpty($"README block {index} must compile:\n{block}");
    }
}
