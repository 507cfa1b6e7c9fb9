using System.Globalization;
using Xunit.Sdk;

namespace KerasNotes.Tests.TestSupport;

/// <summary>Element-wise comparisons with the fixtures' rule: pass if |got − expected| ≤ abs + rel·|expected|.</summary>
internal static class TensorAssert
{
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double abs, double rel, string what)
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{what}: expected {expected.Length} values, got {actual.Length}.");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok = (double.IsNaN(e) && double.IsNaN(a)) || Math.Abs(a - e) <= abs + (rel * Math.Abs(e));
            if (!ok)
            {
                throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                    $"{what}[{i}]: expected {e:R}, got {a:R} (|diff| {Math.Abs(a - e):E3} > {abs} + {rel}·|expected|)."));
            }
        }
    }

    public static void Close(Tensor expected, Tensor actual, double abs, double rel, string what)
    {
        if (expected.Shape != actual.Shape)
        {
            throw new XunitException($"{what}: expected shape {expected.Shape}, got {actual.Shape}.");
        }

        Close(expected.AsSpan(), actual.AsSpan(), abs, rel, what);
    }

    public static void Close(double expected, double actual, double abs, double rel, string what)
    {
        bool ok = (double.IsNaN(expected) && double.IsNaN(actual)) || Math.Abs(actual - expected) <= abs + (rel * Math.Abs(expected));
        if (!ok)
        {
            throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                $"{what}: expected {expected:R}, got {actual:R} (|diff| {Math.Abs(actual - expected):E3} > {abs} + {rel}·|expected|)."));
        }
    }

    public static void BitEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{what}: expected {expected.Length} values, got {actual.Length}.");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                    $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (not bit-identical)."));
            }
        }
    }
}
