namespace KerasNotes.Optimizers;

/// <summary>
/// The argument checks every optimizer and learning-rate schedule constructor shares, so each bad value gets the
/// same kind of message: who rejected it, the argument, the value and the allowed range.
/// </summary>
internal static class HyperparameterChecks
{
    /// <summary>A finite number ≥ 0 (rates, epsilons, decays, clipping thresholds).</summary>
    public static void NonNegative(double value, string owner, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw Fail(owner, name, value, "a non-negative finite number");
        }
    }

    /// <summary>Null, or a finite number ≥ 0.</summary>
    public static void NonNegativeOrNull(double? value, string owner, string name)
    {
        if (value is double v)
        {
            NonNegative(v, owner, name);
        }
    }

    /// <summary>Any finite number.</summary>
    public static void Finite(double value, string owner, string name)
    {
        if (!double.IsFinite(value))
        {
            throw Fail(owner, name, value, "a finite number");
        }
    }

    /// <summary>A decay factor in [0, 1), or in [0, 1] when <paramref name="oneAllowed"/>.</summary>
    public static void Fraction(double value, string owner, string name, bool oneAllowed)
    {
        if (!(value >= 0 && (oneAllowed ? value <= 1 : value < 1)))
        {
            throw Fail(owner, name, value, oneAllowed ? "in [0, 1]" : "in [0, 1)");
        }
    }

    /// <summary>A step count ≥ 1 (≥ 0 when <paramref name="zeroAllowed"/>).</summary>
    public static void Steps(long value, string owner, string name, bool zeroAllowed = false)
    {
        if (value < (zeroAllowed ? 0 : 1))
        {
            throw Fail(owner, name, value, zeroAllowed ? "a number of steps ≥ 0" : "a positive number of steps");
        }
    }

    private static ArgumentOutOfRangeException Fail(string owner, string name, object value, string expected) =>
        // The exception itself appends the parameter name and "Actual value was …".
        new(name, value, $"{owner} '{name}' must be {expected}.");
}
