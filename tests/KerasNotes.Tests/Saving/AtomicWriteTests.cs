using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving.Files;
using KerasNotes.Saving;

namespace KerasNotes.Tests.Saving;

/// <summary>Writes are atomic: a crash midway (simulated by a stream that fails after N bytes) leaves the previous file intact.</summary>
public sealed class AtomicWriteTests
{
    /// <summary>Passes writes through until <c>failAfter</c> bytes, then throws as a full disk or a killed process would.</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long _written;

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => inner.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > failAfter)
            {
                int part = (int)(failAfter - _written);
                inner.Write(buffer[..part]);
                _written = failAfter;
                throw new IOException("Simulated crash in the middle of writing.");
            }

            inner.Write(buffer);
            _written += buffer.Length;
        }

        protected override void Dispose(bool disposing)
        {
            // The inner stream belongs to the writer.
            base.Dispose(disposing);
        }
    }

    private static void WithFailingWrites(long failAfter, Action action)
    {
        AtomicFile.StreamWrapperForTests = s => new FailingStream(s, failAfter);
        try
        {
            action();
        }
        finally
        {
            AtomicFile.StreamWrapperForTests = null;
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(5000)]
    public void A_Save_that_fails_midway_leaves_the_previous_file_intact_and_no_temporary_file(long failAfter)
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel();
        string path = temp.File("m.keras");
        model.Save(path);
        var before = SavingTestSupport.Sha(path);

        var changed = new Sequential(new Input(4), new Dense(3));
        var act = () => WithFailingWrites(failAfter, () => changed.Save(path));

        act.Should().Throw<IOException>().WithMessage("Simulated crash*");
        SavingTestSupport.Sha(path).Should().Equal(before);
        Directory.GetFiles(temp.Path).Should().Equal(path);
        Model.Load(path).Layers.Count.Should().Be(model.Layers.Count);
    }

    [Fact]
    public void A_SaveWeights_that_fails_midway_leaves_the_previous_file_intact()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(4), new Dense(3));
        string path = temp.File("m.weights.h5");
        model.SaveWeights(path);
        var before = SavingTestSupport.Sha(path);

        var act = () => WithFailingWrites(1000, () => model.SaveWeights(path));

        act.Should().Throw<IOException>();
        SavingTestSupport.Sha(path).Should().Equal(before);
        Directory.GetFiles(temp.Path).Should().Equal(path);
    }

    [Fact]
    public void A_failed_first_save_leaves_no_file_at_all()
    {
        using var temp = SavingTestSupport.Temp();
        var act = () => WithFailingWrites(10, () => SavingTestSupport.SmallModel().Save(temp.File("new.keras")));
        act.Should().Throw<IOException>();
        Directory.GetFiles(temp.Path).Should().BeEmpty();
    }

    [Fact]
    public void A_successful_save_replaces_the_previous_file()
    {
        using var temp = SavingTestSupport.Temp();
        string path = temp.File("m.keras");
        new Sequential(new Input(4), new Dense(3)).Save(path);
        new Sequential(new Input(4), new Dense(5)).Save(path);
        ((Dense)Model.Load(path).Layers[0]).Units.Should().Be(5);
        Directory.GetFiles(temp.Path).Should().Equal(path);
    }

    [Fact]
    public void Saving_into_a_missing_folder_says_which_folder()
    {
        string path = Path.Combine(Path.GetTempPath(), "kerasnotes-missing-" + Guid.NewGuid().ToString("N"), "m.keras");
        var act = () => new Sequential(new Input(4), new Dense(3)).Save(path);
        act.Should().Throw<DirectoryNotFoundException>().WithMessage("*does not exist*");
    }
}
