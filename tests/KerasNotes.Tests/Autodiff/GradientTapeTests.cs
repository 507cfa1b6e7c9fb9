namespace KerasNotes.Tests.Autodiff;

/// <summary>GradientTape: single use vs persistent, watched tensors, what is and is not recorded, and nesting.</summary>
public sealed class GradientTapeTests
{
    private static Variable V(string name, params float[] values) => new(Tensor.FromArray(values), name);

    [Fact]
    public void Non_persistent_tape_used_twice_throws()
    {
        var w = V("w", 1f, 2f);
        using var tape = new GradientTape();
        var loss = Ops.Sum(Ops.Square(w));
        tape.Gradient(loss, [w]);
        var again = () => tape.Gradient(loss, [w]);
        again.Should().Throw<InvalidOperationException>().WithMessage("*persistent*");
    }

    [Fact]
    public void Persistent_tape_gives_the_same_gradients_twice()
    {
        var w = V("w", 1f, -2f);
        var b = V("b", 3f);
        using var tape = new GradientTape(persistent: true);
        var loss = Ops.Sum(Ops.Multiply(Ops.Square(w), b));
        var first = tape.Gradient(loss, [w, b]);
        var second = tape.Gradient(loss, [w]);
        first[0].ToArray().Should().Equal(6f, -12f);
        first[1].ToArray().Should().Equal(5f);
        second[0].ToArray().Should().Equal(first[0].ToArray());
    }

    [Fact]
    public void Watched_plain_tensor_gets_a_gradient()
    {
        var x = Tensor.FromArray([1f, 2f, 3f]);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = Ops.Sum(Ops.Multiply(x, x));
        tape.Gradient(y, [x])[0].ToArray().Should().Equal(2f, 4f, 6f);
    }

    [Fact]
    public void Ops_on_untracked_tensors_are_not_recorded()
    {
        var x = Tensor.FromArray([1f, 2f, 3f]);
        var frozen = new Variable(Tensor.FromArray([1f, 1f, 1f]), "frozen", trainable: false);
        using var tape = new GradientTape();
        _ = Ops.Sum(Ops.Exp(Ops.Multiply(x, frozen)));
        tape.RecordedOpCount.Should().Be(0);
        var w = V("w", 1f, 2f, 3f);
        _ = Ops.Sum(Ops.Multiply(Ops.Add(x, 1f), w));
        tape.RecordedOpCount.Should().Be(2, "only the Multiply reading w and the Sum of its result are recorded");
    }

    [Fact]
    public void Ops_without_an_active_tape_are_not_recorded_anywhere()
    {
        var w = V("w", 1f, 2f);
        var y = Ops.Square(w);
        using var tape = new GradientTape();
        tape.Gradient(Ops.Sum(y), [w])[0].ToArray().Should().Equal(0f, 0f);
    }

    [Fact]
    public void Gradient_of_an_unconnected_variable_is_zero_with_its_shape()
    {
        var w = V("w", 1f, 2f);
        var unused = new Variable(Tensor.Ones(2, 3), "unused");
        using var tape = new GradientTape();
        var grads = tape.Gradient(Ops.Sum(Ops.Square(w)), [w, unused]);
        grads[0].ToArray().Should().Equal(2f, 4f);
        grads[1].Shape.Should().Be(new Shape(2, 3));
        grads[1].ToArray().Should().OnlyContain(v => v == 0f);
    }

    [Fact]
    public void Gradient_of_a_non_scalar_target_is_the_gradient_of_its_sum()
    {
        var w = V("w", 1f, 2f, 3f);
        using var tape = new GradientTape();
        tape.Gradient(Ops.Square(w), [w])[0].ToArray().Should().Equal(2f, 4f, 6f);
    }

    [Fact]
    public void Contributions_from_several_uses_of_a_variable_add_up()
    {
        var w = V("w", 2f);
        using var tape = new GradientTape();
        // y = w·w + 3w + w³ → dy/dw = 2w + 3 + 3w² = 4 + 3 + 12.
        var y = Ops.Add(Ops.Add(Ops.Multiply(w, w), Ops.Multiply(w, 3f)), Ops.Power(w, 3f));
        tape.Gradient(y, [w])[0].Item().Should().BeApproximately(19f, 1e-5f);
    }

    [Fact]
    public void Nested_tapes_record_on_the_innermost_active_tape()
    {
        var w = V("w", 3f);
        using var outer = new GradientTape(persistent: true);
        Tensor inner;
        Tensor[] innerGrad;
        using (var tape = new GradientTape())
        {
            inner = Ops.Square(w);
            tape.RecordedOpCount.Should().Be(1);
            innerGrad = tape.Gradient(inner, [w]);
        }

        outer.RecordedOpCount.Should().Be(0, "ops run while the inner tape was active are recorded on it only");
        innerGrad[0].Item().Should().Be(6f);
        var afterInner = Ops.Multiply(w, 5f);
        outer.RecordedOpCount.Should().Be(1, "once the inner tape is disposed the outer one records again");
        outer.Gradient(afterInner, [w])[0].Item().Should().Be(5f);
    }

    [Fact]
    public void Disposed_tape_stops_recording_but_still_computes_its_gradients()
    {
        var w = V("w", 1f, 2f);
        var tape = new GradientTape();
        var loss = Ops.Sum(Ops.Square(w));
        tape.Dispose();
        int recorded = tape.RecordedOpCount;
        _ = Ops.Exp(w);
        tape.RecordedOpCount.Should().Be(recorded);
        tape.Gradient(loss, [w])[0].ToArray().Should().Equal(2f, 4f);
    }

    [Fact]
    public void Variable_sources_and_their_tensors_give_the_same_gradients()
    {
        var w = V("w", 1f, -1f);
        using var tape = new GradientTape(persistent: true);
        var loss = Ops.Sum(Ops.Multiply(w, 4f));
        tape.Gradient(loss, new[] { w })[0].ToArray().Should().Equal(4f, 4f);
        tape.Gradient(loss, new Tensor[] { w.Value })[0].ToArray().Should().Equal(4f, 4f);
    }

    [Fact]
    public void Gradients_flow_to_a_watched_row_view_as_to_a_copy_of_it()
    {
        var data = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 3, 2);
        var w = new Variable(Tensor.FromArray([1f, -1f, 2f, 0.5f], 2, 2), "w");
        float[][] Grads(Tensor rows)
        {
            using var tape = new GradientTape();
            tape.Watch(rows);
            var y = Ops.Sum(Ops.Softmax(Ops.MatMul(rows, w)), 0);
            var loss = Ops.Sum(Ops.Multiply(y, Tensor.FromArray([1f, 3f])));
            return tape.Gradient(loss, [rows, w.Value]).Select(g => g.ToArray()).ToArray();
        }

        var view = Grads(data.SliceRows(1, 2));
        var copy = Grads(data.SliceRows(1, 2).Clone());
        view[0].Should().Equal(copy[0]);
        view[1].Should().Equal(copy[1]);
        view[0].Should().Contain(v => v != 0f);
    }
}
