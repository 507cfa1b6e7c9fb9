using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace KerasNotes.Plotting.Tests;

/// <summary>
/// The package's shape: its public API speaks KerasNotes and .NET only, so users need not learn ScottPlot or
/// SkiaSharp and the drawing library can change without breaking them; and its sources sit in one namespace.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly string[] s_drawingAssemblies = ["ScottPlot", "SkiaSharp", "HarfBuzzSharp"];

    [Fact]
    public void The_public_API_exposes_no_ScottPlot_or_SkiaSharp_type()
    {
        var leaks = new List<string>();
        foreach (var type in typeof(HistoryPlot).Assembly.GetExportedTypes())
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var types = member switch
                {
                    MethodBase m => m.GetParameters().Select(p => p.ParameterType).Append((m as MethodInfo)?.ReturnType ?? typeof(void)),
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    _ => [],
                };
                leaks.AddRange(types.Where(IsDrawingType).Select(t => $"{type.Name}.{member.Name}: {t.FullName}"));
            }
        }

        leaks.Should().BeEmpty();
    }

    private static bool IsDrawingType(Type type) =>
        s_drawingAssemblies.Contains(type.Assembly.GetName().Name) ||
        (type.IsGenericType && type.GetGenericArguments().Any(IsDrawingType)) ||
        (type.HasElementType && IsDrawingType(type.GetElementType()!));

    private static string SourceRoot([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "src", "KerasNotes.Plotting"));

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [Fact]
    public void Every_source_file_is_in_the_KerasNotes_Plotting_namespace()
    {
        string root = SourceRoot();
        if (!Directory.Exists(root))
        {
            return; // built with a mapped source path: there is no source tree to read
        }

        var wrong = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).StartsWith("obj", StringComparison.Ordinal) &&
                        !Path.GetRelativePath(root, f).StartsWith("bin", StringComparison.Ordinal))
            .Where(f => NamespaceLine().Match(File.ReadAllText(f)) is not { Success: true } m || m.Groups[1].Value != "KerasNotes.Plotting")
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();

        wrong.Should().BeEmpty();
    }
}
