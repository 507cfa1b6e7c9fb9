using System.Collections;
using System.Globalization;
using System.Text;

namespace KerasNotes.Saving.Json;

/// <summary>
/// Writes JSON the way Python's <c>json.dumps</c> does with its default settings, which is how Keras writes
/// <c>config.json</c> and <c>metadata.json</c>: one line, <c>", "</c> and <c>": "</c> separators, non-ASCII
/// escaped as <c>\uXXXX</c>, and floats in Python's shortest <c>repr</c> form (<c>1.0</c>, <c>1e-07</c>,
/// <c>0.0010000000474974513</c>).
/// </summary>
/// <remarks>
/// The value tree is made of <see cref="IDictionary{TKey,TValue}"/> (string keys, written in insertion order),
/// lists, strings, booleans, integers, doubles and nulls.
/// </remarks>
internal static class PythonJson
{
    public static string Serialize(object? value)
    {
        var sb = new StringBuilder(1024);
        Write(sb, value, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value, int depth)
    {
        if (depth > 64)
        {
            throw new InvalidOperationException("The configuration is nested more than 64 levels deep; is a layer's config referring to itself?");
        }

        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case string s:
                WriteString(sb, s);
                break;
            case int i:
                sb.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(FormatFloat(d));
                break;
            case float f:
                sb.Append(FormatFloat(f));
                break;
            case IDictionary<string, object?> map:
                {
                    sb.Append('{');
                    bool first = true;
                    foreach (var (k, v) in map)
                    {
                        if (!first)
                        {
                            sb.Append(", ");
                        }

                        first = false;
                        WriteString(sb, k);
                        sb.Append(": ");
                        Write(sb, v, depth + 1);
                    }

                    sb.Append('}');
                    break;
                }

            case IEnumerable list:
                {
                    sb.Append('[');
                    bool first = true;
                    foreach (var item in list)
                    {
                        if (!first)
                        {
                            sb.Append(", ");
                        }

                        first = false;
                        Write(sb, item, depth + 1);
                    }

                    sb.Append(']');
                    break;
                }

            default:
                throw new InvalidOperationException($"Cannot write a {value.GetType().Name} as JSON.");
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, scientific below 1e-4 and from 1e16.</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        string r = d.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r.StartsWith('-');
        if (negative)
        {
            r = r[1..];
        }

        int exponent = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        int dot = r.IndexOf('.', StringComparison.Ordinal);
        string digits = dot >= 0 ? r.Remove(dot, 1) : r;
        int point = (dot >= 0 ? dot : r.Length) + exponent;
        int lead = 0;
        while (lead < digits.Length && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..];
        point -= lead;
        digits = digits.TrimEnd('0');
        string sign = negative ? "-" : string.Empty;
        if (digits.Length == 0)
        {
            return sign + "0.0";
        }

        int x = point - 1;
        if (x >= -4 && x < 16)
        {
            if (point <= 0)
            {
                return sign + "0." + new string('0', -point) + digits;
            }

            if (point >= digits.Length)
            {
                return sign + digits + new string('0', point - digits.Length) + ".0";
            }

            return sign + digits[..point] + "." + digits[point..];
        }

        string mantissa = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
        return sign + mantissa + "e" + (x < 0 ? "-" : "+") + Math.Abs(x).ToString("00", CultureInfo.InvariantCulture);
    }
}
