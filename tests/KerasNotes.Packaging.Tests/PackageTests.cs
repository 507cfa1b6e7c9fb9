using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using FluentAssertions;
using Xunit;

namespace KerasNotes.Packaging.Tests;

/// <summary>The packages as a user gets them from a feed: what is inside, and a program that uses them by id and version.</summary>
public sealed class PackageTests(PackageFixture packages) : IClassFixture<PackageFixture>
{
    public static TheoryData<string> Ids => new() { "KerasNotes", "KerasNotes.Plotting" };

    [Theory]
    [MemberData(nameof(Ids))]
    public void A_package_holds_its_assembly_xml_docs_readme_and_licence_and_nothing_else_of_the_repository(string id)
    {
        using var zip = ZipFile.OpenRead(packages.Package(id));
        var names = zip.Entries.Select(e => e.FullName).ToList();

        names.Should().Contain([$"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml", "PACKAGE.md", "LICENSE", $"{id}.nuspec"]);
        names.Where(n => n.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Should().Equal($"lib/net10.0/{id}.dll");
        names.Should().NotContain(n => n.Contains("Tests", StringComparison.OrdinalIgnoreCase)
            || n.Contains("Sample", StringComparison.OrdinalIgnoreCase) || n.Contains("Benchmark", StringComparison.OrdinalIgnoreCase));
        var nuspec = Nuspec(zip, id);
        Value(nuspec, "id").Should().Be(id);
        Value(nuspec, "version").Should().Be(packages.Version);
        Value(nuspec, "readme").Should().Be("PACKAGE.md");
        Value(nuspec, "license").Should().NotBeNullOrEmpty();
        using var docs = new StreamReader(zip.GetEntry($"lib/net10.0/{id}.xml")!.Open());
        docs.ReadToEnd().Should().Contain("<member name=\"T:", "the XML docs describe the public types");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void A_symbols_package_with_the_portable_pdb_sits_beside_each_package(string id)
    {
        File.Exists(packages.Package(id, ".snupkg")).Should().BeTrue();
        using var zip = ZipFile.OpenRead(packages.Package(id, ".snupkg"));
        zip.Entries.Select(e => e.FullName).Should().Contain($"lib/net10.0/{id}.pdb");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_packed_assembly_comes_from_a_deterministic_build(string id)
    {
        // A deterministic compilation records a "Reproducible" entry in the PE debug directory.
        using var zip = ZipFile.OpenRead(packages.Package(id));
        using var bytes = new MemoryStream();
        using (var dll = zip.GetEntry($"lib/net10.0/{id}.dll")!.Open())
        {
            dll.CopyTo(bytes);
        }

        bytes.Position = 0;
        using var pe = new PEReader(bytes);
        pe.ReadDebugDirectory().Select(d => d.Type).Should().Contain(DebugDirectoryEntryType.Reproducible);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_dependency_names_a_version_range(string id)
    {
        using var zip = ZipFile.OpenRead(packages.Package(id));
        var dependencies = Nuspec(zip, id).Descendants().Where(e => e.Name.LocalName == "dependency").ToList();
        dependencies.Should().NotBeEmpty();
        foreach (var d in dependencies)
        {
            string version = d.Attribute("version")?.Value ?? "";
            version.Should().MatchRegex(@"^[\[(]?\d+\.\d+", $"{d.Attribute("id")?.Value} needs a version range a restore can meet");
        }
    }

    [Fact]
    public void A_project_outside_the_solution_restores_both_packages_by_id_and_version_and_trains_saves_loads_predicts_and_plots()
    {
        string consumer = Path.Combine(packages.Work, "consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="KerasNotes" Version="{packages.Version}" />
                <PackageReference Include="KerasNotes.Plotting" Version="{packages.Version}" />
              </ItemGroup>
            </Project>
            """);
        // The folder feed beside the machine's usual sources (the dependencies come from those).
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="kerasnotes-local" value="{packages.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs.txt"), Path.Combine(consumer, "Program.cs"));

        var (code, output) = PackageFixture.Dotnet(consumer, TimeSpan.FromMinutes(8), "run", "-c", "Release");

        code.Should().Be(0, output);
        output.Should().Contain("CONSUMER OK 3 epochs");
        File.Exists(Path.Combine(consumer, "model.keras")).Should().BeTrue();
        new FileInfo(Path.Combine(consumer, "history.png")).Length.Should().BeGreaterThan(1000);
        File.ReadAllText(Path.Combine(consumer, "obj", "project.assets.json")).Should()
            .Contain($"\"KerasNotes/{packages.Version}\"").And.Contain($"\"KerasNotes.Plotting/{packages.Version}\"")
            .And.NotContain("\"type\": \"project\"", "the library must come from the feed, not a project reference");
    }

    private static XElement Nuspec(ZipArchive zip, string id)
    {
        using var stream = zip.GetEntry($"{id}.nuspec")!.Open();
        return XElement.Load(stream);
    }

    private static string? Value(XElement nuspec, string name) =>
        nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
