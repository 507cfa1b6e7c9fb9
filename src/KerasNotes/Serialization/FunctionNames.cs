namespace KerasNotes.Serialization;

/// <summary>
/// The name a loss or metric function goes by in logs and model files when nobody registered one for it — Keras uses
/// the Python function's <c>__name__</c>. A named method keeps its name; a local function its own name; a lambda the
/// name of the method it is written in (<c>FocalLoss(2f)</c> returning a lambda gives "FocalLoss", as a Python
/// closure <c>def focal_loss(gamma): def loss(...)</c> is at least named); a lambda in top-level statements has
/// nothing to be named after and is anonymous.
/// </summary>
internal static class FunctionNames
{
    /// <summary>What Keras writes for a function it cannot name (Python's lambda name).</summary>
    public const string Anonymous = "<lambda>";

    /// <summary>The readable name of <paramref name="function"/>'s method, or <see cref="Anonymous"/>.</summary>
    public static string Of(Delegate function) => Of(function.Method.Name);

    /// <summary>The readable name for a method called <paramref name="name"/>, or <see cref="Anonymous"/>.</summary>
    internal static string Of(string name)
    {
        if (!name.StartsWith('<'))
        {
            return name;
        }

        // Compiler-generated: "<Outer>g__Local|3_0" for a local function, "<Outer>b__3_0" for a lambda.
        int close = name.IndexOf('>', StringComparison.Ordinal);
        if (close < 0)
        {
            return Anonymous;
        }

        int local = name.IndexOf(">g__", StringComparison.Ordinal);
        if (local >= 0)
        {
            int start = local + 4, bar = name.IndexOf('|', start);
            string own = bar > start ? name[start..bar] : name[start..];
            if (IsIdentifier(own))
            {
                return own;
            }
        }

        string outer = name[1..close];
        return IsIdentifier(outer) ? outer : Anonymous;
    }

    /// <summary>True if <paramref name="name"/> is the name given to a function nobody could name.</summary>
    public static bool IsAnonymous(string name) => name == Anonymous;

    private static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
