using System.Text;

namespace NetCompiler.Compiler.Emit;

/// <summary>C# identifiers from layer and parameter names: <c>0.weight</c> becomes <c>Layer0Weight</c>, <c>fc1.bias</c> <c>Fc1Bias</c>.</summary>
internal static class Names
{
    public static string Pascal(string name)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (!char.IsLetterOrDigit(c)) { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, "Layer");
        return sb.ToString();
    }

    public static string Camel(string name)
    {
        string p = Pascal(name);
        return char.ToLowerInvariant(p[0]) + p.Substring(1);
    }
}
