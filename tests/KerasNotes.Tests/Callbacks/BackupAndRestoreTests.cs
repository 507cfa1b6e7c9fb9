using System.Diagnostics;
using KerasNotes.Callbacks;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Callbacks;

/// <summary>
/// BackupAndRestore for real: a child process trains, is killed with SIGKILL in the middle of an epoch, is started
/// again, resumes from the backup, and ends with bit-for-bit the weights of a run that was never interrupted.
/// </summary>
public sealed class BackupAndRestoreTests
{
    private static string WorkerPath => Path.Combine(AppContext.BaseDirectory, "KerasNotes.ResumeWorker.dll");

    private static Process StartWorker(string backupDir, string resultPath, int delayMs)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(WorkerPath);
        info.ArgumentList.Add(backupDir);
        info.ArgumentList.Add(resultPath);
        info.ArgumentList.Add(delayMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(info)!;
    }

    private static string RunToEnd(string backupDir, string resultPath)
    {
        using var worker = StartWorker(backupDir, resultPath, 0);
        string output = worker.StandardOutput.ReadToEnd();
        string errors = worker.StandardError.ReadToEnd();
        worker.WaitForExit(120_000).Should().BeTrue("the worker finishes");
        worker.ExitCode.Should().Be(0, errors);
        return output;
    }

    [Fact]
    public void A_run_killed_mid_epoch_and_restarted_ends_with_the_weights_of_an_uninterrupted_run()
    {
        string root = Path.Combine(Path.GetTempPath(), $"kn-backup-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            string referenceResult = Path.Combine(root, "reference.bin");
            RunToEnd(Path.Combine(root, "reference-backup"), referenceResult).Should().Contain("started fresh");

            // Kill the second run with SIGKILL in the middle of epoch 3 (after batch 7 of 20).
            string backupDir = Path.Combine(root, "backup");
            string resumedResult = Path.Combine(root, "resumed.bin");
            using (var worker = StartWorker(backupDir, resumedResult, delayMs: 20))
            {
                bool inEpoch3 = false;
                string? line;
                while ((line = worker.StandardOutput.ReadLine()) is not null)
                {
                    inEpoch3 |= line == "epoch 3";
                    if (inEpoch3 && line == "batch 7")
                    {
                        worker.Kill(entireProcessTree: true);
                        break;
                    }
                }

                worker.WaitForExit(60_000).Should().BeTrue();
                inEpoch3.Should().BeTrue("the worker reached epoch 3 before it was killed");
            }

            File.Exists(resumedResult).Should().BeFalse("the killed run never finished");
            File.Exists(Path.Combine(backupDir, BackupAndRestore.BackupFileName)).Should().BeTrue("epochs 0-2 left a backup");

            string output = RunToEnd(backupDir, resumedResult);
            output.Should().Contain("resumed after epoch 2").And.NotContain("epoch 0\n").And.Contain("epoch 3");
            File.Exists(Path.Combine(backupDir, BackupAndRestore.BackupFileName)).Should().BeFalse("the backup is deleted when training finishes");

            var expected = File.ReadAllBytes(referenceResult);
            var actual = File.ReadAllBytes(resumedResult);
            actual.Should().Equal(expected, "the resumed run's weights are bit for bit those of the uninterrupted run");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_backup_is_written_at_each_epoch_end_and_removed_when_training_finishes()
    {
        var (x, y) = TestModels.Classification(samples: 40);
        var model = TestModels.Classifier();
        model.Compile(new Adam(), "sparse_categorical_crossentropy");
        string dir = Path.Combine(Path.GetTempPath(), $"kn-backup-{Guid.NewGuid():N}");
        var seen = new List<bool>();
        var probe = new LambdaCallback(onEpochEnd: (_, _) => seen.Add(File.Exists(Path.Combine(dir, BackupAndRestore.BackupFileName))));
        try
        {
            model.Fit(x, y, epochs: 3, verbose: 0, callbacks: [new BackupAndRestore(dir), probe]);
            seen.Should().Equal(true, true, true);
            File.Exists(Path.Combine(dir, BackupAndRestore.BackupFileName)).Should().BeFalse();
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
