using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace KerasNotes.Tests;

/// <summary>
/// The layers of the house (README, "Architecture"), checked on the compiled library so a change that breaks one
/// fails here: the kernels sit below Ops and only Ops, Tensors and Autodiff (the root namespace) call them; every
/// source file's namespace is its folder; and the library references no drawing library (KerasNotes.Plotting's
/// own shape is checked in KerasNotes.Plotting.Tests).
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

    // Models, Callbacks and Saving are the top of the house and use each other by design, as in Keras: Fit runs
    // callbacks that hold their model, model.Save writes files that Model.Load reads back, ModelCheckpoint saves.
    private static readonly string[] s_top = ["Models", "Callbacks", "Saving"];

    /// <summary>
    /// The concern a namespace belongs to: its first segment below KerasNotes. The root (Tensors, Autodiff, Ops) and
    /// the Kernels beneath it make up the core: kernels take Shape and the op parameter types, and only Ops calls them.
    /// </summary>
    private static string ConcernOf(string ns)
    {
        string[] parts = ns.Split('.');
        string first = parts.Length > 1 && parts[1] != "Kernels" ? parts[1] : "Core";
        return s_top.Contains(first) ? "Top" : first;
    }

    private static Dictionary<string, SortedSet<string>> ConcernGraph()
    {
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var type in s_library.Types)
        {
            if (type.Namespace is null || !type.Namespace.FullName.StartsWith("KerasNotes", StringComparison.Ordinal))
            {
                continue;
            }

            string from = ConcernOf(type.Namespace.FullName);
            if (!graph.TryGetValue(from, out var edges))
            {
                graph[from] = edges = new SortedSet<string>(StringComparer.Ordinal);
            }

            foreach (var dependency in type.Dependencies)
            {
                string? ns = dependency.Target.Namespace?.FullName;
                if (ns is not null && ns.StartsWith("KerasNotes", StringComparison.Ordinal) && ConcernOf(ns) != from)
                {
                    edges.Add($"{ConcernOf(ns)}");
                }
            }
        }

        return graph;
    }

    [Fact]
    public void The_concerns_depend_on_each_other_without_cycles()
    {
        var graph = ConcernGraph();
        var cycles = new List<string>();
        foreach (var start in graph.Keys)
        {
            // Every concern reachable from start that reaches start again closes a cycle.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var stack = new Stack<(string Node, string Path)>();
            stack.Push((start, start));
            while (stack.Count > 0)
            {
                var (node, path) = stack.Pop();
                foreach (var next in graph.GetValueOrDefault(node) ?? [])
                {
                    if (next == start)
                    {
                        cycles.Add($"{path} -> {start}");
                    }
                    else if (seen.Add(next))
                    {
                        stack.Push((next, $"{path} -> {next}"));
                    }
                }
            }
        }

        cycles.Should().BeEmpty("the concerns form layers (README, Architecture); graph: {0}", string.Join("; ", graph.Select(p => $"{p.Key} -> {string.Join(", ", p.Value)}")));
    }

    public static TheoryData<string> BelowTheTop =>
    [
        "KerasNotes.Layers", "KerasNotes.Losses", "KerasNotes.Metrics", "KerasNotes.Activations", "KerasNotes.Initializers",
        "KerasNotes.Regularizers", "KerasNotes.Optimizers", "KerasNotes.Serialization", "KerasNotes.Data", "KerasNotes.Vision",
        "KerasNotes.Kernels",
    ];

    [Theory]
    [MemberData(nameof(BelowTheTop))]
    public void Nothing_below_the_top_uses_Models_Callbacks_or_Saving(string concern)
    {
        Types().That().ResideInNamespace(concern)
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^KerasNotes\.(Models|Callbacks|Saving)(\..*)?$"))
            .Check(s_library);
    }

    [Fact]
    public void The_library_references_no_drawing_library()
    {
        // Drawing ships as KerasNotes.Plotting (README, Plotting): the core must run where no native graphics library
        // can load, and must not make every user download one.
        string[] drawing = ["ScottPlot", "SkiaSharp", "HarfBuzzSharp", "KerasNotes.Plotting", "System.Drawing.Common"];

        typeof(Tensor).Assembly.GetReferencedAssemblies().Select(a => a.Name)
            .Should().NotContain(name => drawing.Any(d => name!.StartsWith(d, StringComparison.Ordinal)));
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
