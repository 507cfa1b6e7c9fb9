using System.Globalization;

namespace KerasNotes;

/// <summary>
/// The argument checks that optimizer, schedule, layer, initializer and regularizer constructors share, so each bad
/// value gets the same kind of message: who rejected it, the argument, the value and the allowed range — thrown at
/// construction, before a model is built with it.
/// </summary>
internal static class HyperparameterChecks
{
    /// <summary>A finite number ≥ 0 (rates, epsilons, decays, clipping thresholds); returns it.</summary>
    public static double NonNegative(double value, string owner, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw Fail(owner, name, value, "a non-negative finite number");
        }

        return value;
    }

    /// <summary>Null, or a finite number ≥ 0.</summary>
    public static void NonNegativeOrNull(double? value, string owner, string name)
    {
        if (value is double v)
        {
            NonNegative(v, owner, name);
        }
    }

    /// <summary>A finite number &gt; 0; returns it.</summary>
    public static double Positive(double value, string owner, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw Fail(owner, name, value, "a positive finite number");
        }

        return value;
    }

    /// <summary>Any finite number; returns it.</summary>
    public static double Finite(double value, string owner, string name)
    {
        if (!double.IsFinite(value))
        {
            throw Fail(owner, name, value, "a finite number");
        }

        return value;
    }

    /// <summary>A decay factor in [0, 1), or in [0, 1] when <paramref name="oneAllowed"/>.</summary>
    public static void Fraction(double value, string owner, string name, bool oneAllowed)
    {
        if (!(value >= 0 && (oneAllowed ? value <= 1 : value < 1)))
        {
            throw Fail(owner, name, value, oneAllowed ? "in [0, 1]" : "in [0, 1)");
        }
    }

    /// <summary>A finite range with <paramref name="low"/> ≤ <paramref name="high"/> (reported against the high end); returns <paramref name="high"/>.</summary>
    public static double Range(double low, double high, string owner, string lowName, string highName)
    {
        Finite(low, owner, lowName);
        Finite(high, owner, highName);
        if (high < low)
        {
            throw Fail(owner, highName, high, string.Create(CultureInfo.InvariantCulture, $"≥ '{lowName}' ({low})"));
        }

        return high;
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
