using System.Globalization;

namespace KerasNotes.Callbacks;

/// <summary>Python's <c>repr(float)</c>: the shortest digits that round-trip, in Python's layout.</summary>
/// <remarks>
/// Fixed notation when the decimal exponent is in [-4, 16) (with ".0" for integral values), scientific
/// otherwise with a signed, at least two-digit exponent (<c>1e-05</c>, <c>1.5e+16</c>); <c>nan</c>, <c>inf</c>.
/// Keras writes logs (CSVLogger) and messages this way.
/// </remarks>
internal static class PythonFloat
{
    /// <summary>Formats <paramref name="value"/> as Python's <c>repr</c> would.</summary>
    public static string Repr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // "R"/default ToString gives the shortest round-trip digits; re-lay them out the Python way.
        string shortest = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = shortest.StartsWith('-');
        if (negative)
        {
            shortest = shortest[1..];
        }

        // Extract digits and decimal exponent from the shortest form.
        string mantissa = shortest;
        int exp10 = 0;
        int ePos = shortest.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            mantissa = shortest[..ePos];
            exp10 = int.Parse(shortest[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        string fracPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        string digits = (intPart + fracPart).TrimStart('0');
        int leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;
        // Position of the decimal point relative to the first significant digit.
        int pointPos = intPart.Length - leadingZeros + exp10;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        int decimalExponent = pointPos - 1; // scientific exponent
        string body;
        if (decimalExponent >= -4 && decimalExponent < 16)
        {
            if (pointPos <= 0)
            {
                body = "0." + new string('0', -pointPos) + digits;
            }
            else if (pointPos >= digits.Length)
            {
                body = digits + new string('0', pointPos - digits.Length) + ".0";
            }
            else
            {
                body = digits[..pointPos] + "." + digits[pointPos..];
            }
        }
        else
        {
            string m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            body = m + "e" + (decimalExponent < 0 ? "-" : "+") + Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture);
        }

        return negative ? "-" + body : body;
    }
}
