using System.Diagnostics;

namespace KerasNotes.Packaging.Tests;

/// <summary>
/// Packs both packages once for all tests, with a version of their own (so no cached copy of an older build can
/// stand in for them), into a folder feed under a fresh temporary folder; the build goes to its own artifacts folder,
/// leaving the solution's bin and obj alone.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public PackageFixture()
    {
        Work = Path.Combine(Path.GetTempPath(), "kerasnotes-packaging-" + Guid.NewGuid().ToString("N"));
        Feed = Path.Combine(Work, "feed");
        Directory.CreateDirectory(Feed);
        Version = $"0.1.0-ci.{DateTime.UtcNow:yyyyMMddHHmmss}.r{Guid.NewGuid().ToString("N")[..6]}";
        foreach (string project in new[] { "src/KerasNotes/KerasNotes.csproj", "src/KerasNotes.Plotting/KerasNotes.Plotting.csproj" })
        {
            var (code, output) = Dotnet(Repo, TimeSpan.FromMinutes(8), "pack", Path.Combine(Repo, project), "-c", "Release", "-o", Feed,
                "--artifacts-path", Path.Combine(Work, "artifacts"), $"-p:Version={Version}");
            if (code != 0)
            {
                throw new InvalidOperationException($"dotnet pack {project} failed ({code}):\n{output}");
            }
        }
    }

    /// <summary>The repository root (where KerasNotes.sln is).</summary>
    public static string Repo { get; } = FindRepo();

    /// <summary>The temporary folder holding the feed, the build artifacts and the consumer.</summary>
    public string Work { get; }

    /// <summary>The folder feed the packages were packed into.</summary>
    public string Feed { get; }

    /// <summary>The version both packages were packed with.</summary>
    public string Version { get; }

    /// <summary>The path of a package file in the feed, e.g. <c>Package("KerasNotes", ".snupkg")</c>.</summary>
    public string Package(string id, string extension = ".nupkg") => Path.Combine(Feed, $"{id}.{Version}{extension}");

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> in <paramref name="directory"/>; returns the exit code and all output.</summary>
    public static (int ExitCode, string Output) Dotnet(string directory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        // The nested build must not join the test run's build server or inherit its MSBuild settings.
        start.Environment["MSBUILDNOINPROCNODE"] = "1";
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}\n{stdout.Result}\n{stderr.Result}");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        TryDelete(Work);
        // The consumer's restore put this one-off version into the global packages folder; it is of no use to anyone.
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(packages, "kerasnotes", Version));
        TryDelete(Path.Combine(packages, "kerasnotes.plotting", Version));
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRepo()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "KerasNotes.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("KerasNotes.sln not found above " + AppContext.BaseDirectory);
        }

        return dir;
    }
}
