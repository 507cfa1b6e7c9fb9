using KerasNotes.Callbacks;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving.Files;
using KerasNotes.Saving;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// A process killed during a save leaves its temporary file behind; the next save to the same path removes it,
/// but only it: files of other targets, files merely resembling ours, a recent one (a save in progress in another
/// process) and one held open all stay.
/// </summary>
public sealed class StaleTemporaryTests
{
    private static readonly DateTime s_longAgo = DateTime.UtcNow.AddHours(-1);

    /// <summary>Runs a save that dies right after creating its temporary file, and recreates that file as a killed process would leave it.</summary>
    private static string InterruptedSave(Action save)
    {
        string? temporary = null;
        AtomicFile.StreamWrapperForTests = s =>
        {
            temporary = ((FileStream)s).Name;
            throw new IOException("Simulated kill in the middle of writing.");
        };
        try
        {
            save.Should().Throw<IOException>();
        }
        finally
        {
            AtomicFile.StreamWrapperForTests = null;
        }

        temporary.Should().NotBeNull();
        File.WriteAllBytes(temporary!, [0x50, 0x4B, 0x03, 0x04, 1, 2, 3]);
        File.SetLastWriteTimeUtc(temporary!, s_longAgo);
        return temporary!;
    }

    private static string Touch(TempFolder temp, string name, bool old = true)
    {
        string path = temp.File(name);
        File.WriteAllText(path, "not ours");
        if (old)
        {
            File.SetLastWriteTimeUtc(path, s_longAgo);
        }

        return path;
    }

    [Fact]
    public void Temporary_files_are_named_after_their_target_so_a_user_recognises_them()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(2), new Dense(1));
        string leftover = InterruptedSave(() => model.Save(temp.File("m.keras")));
        Path.GetFileName(leftover).Should().MatchRegex("^\\.m\\.keras\\.kerasnotes-tmp-[0-9a-f]{32}$");
        Path.GetDirectoryName(leftover).Should().Be(temp.Path);
    }

    [Fact]
    public void A_file_name_near_the_255_byte_limit_saves_and_its_stale_temporaries_are_still_found()
    {
        // ".<name>.kerasnotes-tmp-<32 hex>" would pass the limit: the temporary repeats only the longest prefix that fits.
        using var temp = SavingTestSupport.Temp();
        string name = new string('m', 240) + ".weights.h5";
        var model = new Sequential(new Input(2), new Dense(1));
        string leftover = InterruptedSave(() => model.SaveWeights(temp.File(name)));
        System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(leftover)).Should().BeLessThanOrEqualTo(255);
        File.SetLastWriteTimeUtc(leftover, s_longAgo);

        model.SaveWeights(temp.File(name));

        Directory.GetFiles(temp.Path).Should().Equal(temp.File(name));
    }

    [Fact]
    public void Save_removes_the_stale_temporary_an_interrupted_save_left_and_nothing_else()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(2), new Dense(1));
        string path = temp.File("m.keras");
        model.Save(path);
        string leftover = InterruptedSave(() => model.Save(path));
        string legacy = Touch(temp, ".m.keras.0123456789abcdef0123456789abcdef.tmp");
        string[] unrelated =
        [
            Touch(temp, ".other.keras.kerasnotes-tmp-0123456789abcdef0123456789abcdef"),
            Touch(temp, "m.keras.kerasnotes-tmp-0123456789abcdef0123456789abcdef"),
            Touch(temp, ".m.keras.kerasnotes-tmp-not-hex"),
            Touch(temp, ".m.keras.kerasnotes-tmp-0123456789abcdef0123456789abcdef.bak"),
            Touch(temp, ".m.keras.notes"),
            Touch(temp, "readme.txt"),
        ];

        model.Save(path);

        File.Exists(leftover).Should().BeFalse("the next save to the same path removes its stale temporary");
        File.Exists(legacy).Should().BeFalse("earlier versions named temporaries .<name>.<hex>.tmp");
        unrelated.Should().OnlyContain(f => File.Exists(f));
        Directory.GetFiles(temp.Path).Should().HaveCount(unrelated.Length + 1);
        Model.Load(path).Should().NotBeNull();
    }

    [Fact]
    public void SaveWeights_removes_the_stale_temporaries_of_its_own_target_only()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(2), new Dense(1));
        string mine = InterruptedSave(() => model.SaveWeights(temp.File("a.weights.h5")));
        string theirs = InterruptedSave(() => model.SaveWeights(temp.File("b.weights.h5")));
        model.SaveWeights(temp.File("a.weights.h5"));
        File.Exists(mine).Should().BeFalse();
        File.Exists(theirs).Should().BeTrue("it belongs to another target");
    }

    [Fact]
    public void A_recent_temporary_is_left_alone_as_another_process_may_be_writing_it()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(2), new Dense(1));
        string path = temp.File("m.keras");
        string inProgress = InterruptedSave(() => model.Save(path));
        File.SetLastWriteTimeUtc(inProgress, DateTime.UtcNow.AddSeconds(-30));
        model.Save(path);
        File.Exists(inProgress).Should().BeTrue();
    }

    [Fact]
    public void An_old_temporary_still_held_open_by_a_writer_is_left_alone()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(2), new Dense(1));
        string path = temp.File("m.keras");
        string held = InterruptedSave(() => model.Save(path));
        using (new FileStream(held, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            model.Save(path);
            File.Exists(held).Should().BeTrue("a writer still has it open");
        }

        model.Save(path);
        File.Exists(held).Should().BeFalse("once closed and old it is stale");
    }

    [Fact]
    public void BackupAndRestore_removes_stale_temporaries_of_its_backup_and_leaves_its_folder_otherwise_untouched()
    {
        using var temp = SavingTestSupport.Temp();
        string folder = temp.File("backup");
        Directory.CreateDirectory(folder);
        string stale = Path.Combine(folder, $".{BackupAndRestore.BackupFileName}{AtomicFile.TemporaryMarker}{Guid.NewGuid():N}");
        File.WriteAllBytes(stale, [1, 2, 3]);
        File.SetLastWriteTimeUtc(stale, s_longAgo);
        string notes = Path.Combine(folder, "notes.txt");
        File.WriteAllText(notes, "mine");

        var model = SavingTestSupport.SmallModel(dropout: false);
        var (x, y) = SavingTestSupport.SmallData(16);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, callbacks: [new BackupAndRestore(folder)]);

        File.Exists(stale).Should().BeFalse();
        File.Exists(notes).Should().BeTrue();
        Directory.GetFiles(folder).Select(Path.GetFileName).Should().Equal("notes.txt");
    }
}
