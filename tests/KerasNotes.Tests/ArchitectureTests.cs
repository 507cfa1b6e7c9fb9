using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace KerasNotes.Tests;

/// <summary>
/// The layers of the house (README, "Architecture"), checked on the compiled library so a change that breaks one
/// fails here: the kernels sit below Ops and only Ops, Tensors and Autodiff (the root namespace) call them; and every
/// source file's namespace is its folder.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly Architecture s_library = new ArchLoader().LoadAssemblies(typeof(Tensor).Assembly).Build();

    // The concerns above Ops.
    public static TheoryData<string> AboveOps =>
    [
        "KerasNotes.Layers", "KerasNotes.Losses", "KerasNotes.Metrics", "KerasNotes.Optimizers", "KerasNotes.Activations",
        "KerasNotes.Initializers", "KerasNotes.Regularizers", "KerasNotes.Models", "KerasNotes.Callbacks", "KerasNotes.Data",
        "KerasNotes.Vision", "KerasNotes.Saving",
    ];

    [Theory]
    [MemberData(nameof(AboveOps))]
    public void Nothing_above_Ops_calls_the_kernels(string concern)
    {
        Types().That().ResideInNamespace(concern)
            .Should().NotDependOnAny(Types().That().ResideInNamespace("KerasNotes.Kernels"))
            .Check(s_library);
    }

    private static string SourceRoot([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "src", "KerasNotes"));

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [Fact]
    public void Every_source_files_namespace_is_its_folder()
    {
        string root = SourceRoot();
        if (!Directory.Exists(root))
        {
            return; // built with a mapped source path: there is no source tree to read
        }

        // Tensors, Autodiff and Ops make up the root namespace (users write KerasNotes.Tensor, KerasNotes.Ops).
        string[] rootFolders = ["", "Tensors", "Autodiff", "Ops"];
        var wrong = new List<string>();
        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, Path.GetDirectoryName(file)!);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            string folder = relative == "." ? string.Empty : relative.Replace(Path.DirectorySeparatorChar, '.');
            string expected = rootFolders.Contains(folder) ? "KerasNotes" : "KerasNotes." + folder;
            var match = NamespaceLine().Match(File.ReadAllText(file));
            if (!match.Success || match.Groups[1].Value != expected)
            {
                wrong.Add($"{Path.GetRelativePath(root, file)}: namespace {(match.Success ? match.Groups[1].Value : "(none)")}, expected {expected}");
            }
        }

        wrong.Should().BeEmpty();
    }
}
