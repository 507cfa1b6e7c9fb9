using KerasNotes.Data;

namespace KerasNotes.Tests.Data;

/// <summary>The batch sources behind Fit, Evaluate and Predict: order, shuffling, passes across epochs, checks.</summary>
public sealed class DataAdapterTests
{
    private static Tensor Rows(int n, int width = 2)
    {
        var v = new float[n * width];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < width; j++)
            {
                v[(i * width) + j] = i;
            }
        }

        return Tensor.FromArray(v, n, width);
    }

    [Fact]
    public void Arrays_are_cut_in_order_with_the_last_batch_partial()
    {
        var data = new ArrayDataAdapter(Rows(10), Rows(10, 1), null, batchSize: 4, shuffle: false, rng: null);
        data.Count.Should().Be(3);
        data.StartPass();
        var sizes = new List<int>();
        var firsts = new List<float>();
        for (int i = 0; i < data.Count; i++)
        {
            var batch = data.GetBatch(i);
            var (x, y, w) = (batch.X[0], batch.Y[0], batch.W[0]);
            sizes.Add(x.Shape[0]);
            firsts.Add(x.AsSpan()[0]);
            y!.Shape[0].Should().Be(x.Shape[0]);
            w.Should().BeNull();
        }

        sizes.Should().Equal(4, 4, 2);
        firsts.Should().Equal(0f, 4f, 8f);
    }

    [Fact]
    public void A_shuffled_pass_visits_every_row_once_with_inputs_and_targets_kept_together()
    {
        var rng = KerasNotes.RandomSeed.FromSeed(3);
        var data = new ArrayDataAdapter(Rows(11), Rows(11, 1), Rows(11, 1), batchSize: 3, shuffle: true, rng: rng);
        data.StartPass();
        var seen = new List<float>();
        for (int i = 0; i < data.Count; i++)
        {
            var batch = data.GetBatch(i);
            var (x, y, w) = (batch.X[0], batch.Y[0], batch.W[0]);
            var xs = x.AsSpan();
            var ys = y!.AsSpan();
            var ws = w!.AsSpan();
            for (int r = 0; r < x.Shape[0]; r++)
            {
                xs[r * 2].Should().Be(ys[r]);
                ws[r].Should().Be(ys[r]);
                seen.Add(ys[r]);
            }
        }

        seen.Should().BeEquivalentTo(Enumerable.Range(0, 11).Select(i => (float)i));
        seen.Should().NotEqual(Enumerable.Range(0, 11).Select(i => (float)i), "seed 3 does not give the identity order");
    }

    [Fact]
    public void The_epoch_iterator_continues_a_pass_across_epochs_and_starts_a_new_one_when_it_runs_out()
    {
        var data = new ArrayDataAdapter(Rows(5), Rows(5, 1), null, batchSize: 2, shuffle: false, rng: null);
        var batches = new EpochIterator(data);
        var firsts = new List<float>();
        for (int step = 0; step < 5; step++)
        {
            firsts.Add(batches.Next().X[0].AsSpan()[0]);
        }

        firsts.Should().Equal(0f, 2f, 4f, 0f, 2f);
    }

    private sealed class Batches(int count, Func<int, DataBatch> get) : IDataSequence
    {
        public int Count => count;

        public DataBatch GetBatch(int index) => get(index);
    }

    [Fact]
    public void A_sequence_with_no_batches_is_refused_naming_the_argument_and_the_call()
    {
        var act = () => new SequenceDataAdapter(new Batches(0, _ => default), null, "validationData", "Fit");
        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "validationData" && e.Message.Contains("0 batches") && e.Message.Contains("Fit"));
    }

    [Fact]
    public void A_sequence_batch_is_checked_as_it_arrives()
    {
        var nan = Tensor.FromArray([1f, float.NaN], 1, 2);
        var data = new SequenceDataAdapter(new Batches(2, i => new DataBatch(i == 0 ? Rows(2) : nan, Tensor.Zeros(i == 0 ? 2 : 1))), null, "data", "Fit");
        data.StartPass();
        data.GetBatch(0).X[0].Shape.Should().Be(new Shape(2, 2));
        var act = () => data.GetBatch(1);
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "batch.X" && e.Message.Contains("NaN"));
    }

    [Fact]
    public void A_shuffled_sequence_visits_every_batch_once_per_pass()
    {
        var visited = new List<int>();
        var data = new SequenceDataAdapter(new Batches(6, i => { visited.Add(i); return new DataBatch(Rows(1), Tensor.Zeros(1)); }), KerasNotes.RandomSeed.FromSeed(9), "data", "Fit");
        data.StartPass();
        for (int i = 0; i < data.Count; i++)
        {
            data.GetBatch(i);
        }

        visited.Should().BeEquivalentTo(new[] { 0, 1, 2, 3, 4, 5 });
    }

    [Fact]
    public void ForFit_splits_off_the_last_rows_for_validation_before_shuffling()
    {
        var (train, validation) = ArrayDataAdapter.ForFit(
            ModelArrays.Single(Rows(10), Rows(10, 1), null), null, 0.2, null, batchSize: null, stepsPerEpoch: null, shuffle: false, rng: null);
        train.Samples.Should().Be(8);
        validation!.Samples.Should().Be(2);
        validation.Data.X[0].AsSpan()[0].Should().Be(8f);
        train.Count.Should().Be(1, "the default batch size is 32");
    }

    [Fact]
    public void ForFit_turns_class_weights_into_sample_weights_for_the_training_rows_only()
    {
        var y = Tensor.FromArray([0f, 1f, 2f, 1f, 0f], 5);
        var (train, _) = ArrayDataAdapter.ForFit(
            ModelArrays.Single(Rows(5), y, null), new Dictionary<int, double> { [1] = 3.0 }, 0, null, batchSize: 5, stepsPerEpoch: null, shuffle: false, rng: null);
        train.StartPass();
        train.GetBatch(0).W[0]!.ToArray().Should().Equal(1f, 3f, 1f, 3f, 1f);
    }
}
