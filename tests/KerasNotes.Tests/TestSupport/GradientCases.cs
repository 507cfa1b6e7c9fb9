namespace KerasNotes.Tests.TestSupport;

/// <summary>
/// A named table of gradient checks, so one [Theory] reports every op (or loss) as its own test case.
/// </summary>
internal sealed class GradientCases
{
    private readonly Dictionary<string, Case> _cases = new(StringComparer.Ordinal);

    private sealed record Case(Func<Tensor[], Tensor> F, Tensor[] Inputs, double Abs, double Rel, Func<Tensor[], Tensor>? Reference);

    /// <summary>Adds a case checked with the default tolerances.</summary>
    public GradientCases Add(string name, Func<Tensor[], Tensor> f, params Tensor[] inputs) => Add(name, f, 2e-3, 2e-2, inputs);

    /// <summary>Adds a case with its own tolerances.</summary>
    public GradientCases Add(string name, Func<Tensor[], Tensor> f, double abs, double rel, params Tensor[] inputs)
    {
        _cases.Add(name, new Case(f, inputs, abs, rel, null));
        return this;
    }

    /// <summary>Adds a case whose analytic gradient (of <paramref name="f"/>) is compared with finite differences of <paramref name="reference"/>.</summary>
    public GradientCases AddAgainst(string name, Func<Tensor[], Tensor> f, Func<Tensor[], Tensor> reference, params Tensor[] inputs)
    {
        _cases.Add(name, new Case(f, inputs, 2e-3, 2e-2, reference));
        return this;
    }

    /// <summary>The case names, for [MemberData].</summary>
    public TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in _cases.Keys)
            {
                data.Add(name);
            }

            return data;
        }
    }

    /// <summary>Runs the named case.</summary>
    public void Check(string name)
    {
        var c = _cases[name];
        GradientCheck.Check(c.F, c.Inputs, abs: c.Abs, rel: c.Rel, what: name, reference: c.Reference);
    }
}
