using System.Runtime.CompilerServices;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Tests;

/// <summary>
/// <see cref="Graph.Dump"/> of small networks after each pass, compared with checked-in baselines under Baselines/.
/// Set NETCOMPILER_UPDATE_BASELINES=1 to rewrite them, then review the diff.
/// </summary>
public sealed class GoldenDumpTests
{
    [Fact]
    public void SmallMlp_Dumps() => AssertPasses(Specs.SmallMlp(), "SmallMlp");

    [Fact]
    public void Classifier_Dumps() => AssertPasses(Specs.Classifier(), "Classifier");

    private static void AssertPasses(Model.NetworkSpec spec, string name)
    {
        var lowered = Verifier.Run(Lowering.Run(spec), nameof(Lowering));
        var differentiated = Verifier.Run(Autodiff.Run(lowered), nameof(Autodiff));
        var fused = Verifier.Run(Fusion.Run(differentiated), nameof(Fusion));

        Baseline.AssertMatches(lowered.Dump(), $"{name}.lowered.txt");
        Baseline.AssertMatches(differentiated.Dump(), $"{name}.autodiff.txt");
        Baseline.AssertMatches(fused.Dump(), $"{name}.fused.txt");
    }
}

/// <summary>Compares text with a checked-in baseline file, or rewrites the file when NETCOMPILER_UPDATE_BASELINES=1.</summary>
internal static class Baseline
{
    public const string UpdateVariable = "NETCOMPILER_UPDATE_BASELINES";

    public static void AssertMatches(string actual, string fileName, [CallerFilePath] string callerPath = "")
    {
        // The source directory, not the output directory: an update must land in the checked-in file.
        string path = Path.Combine(Path.GetDirectoryName(callerPath)!, "Baselines", fileName);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"Baseline {path} does not exist; run the tests with {UpdateVariable}=1 to create it.");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected == actual) return;
        Assert.Fail($"{fileName} differs from its baseline ({path}); if the change is intended, rerun with {UpdateVariable}=1 and review the diff.\n{Diff(expected, actual)}");
    }

    /// <summary>A line diff: the first differing line with context, and both line counts.</summary>
    internal static string Diff(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        int i = 0;
        while (i < e.Length && i < a.Length && e[i] == a[i]) i++;
        var sb = new System.Text.StringBuilder();
        sb.Append($"first difference at line {i + 1} (baseline {e.Length} lines, actual {a.Length} lines):\n");
        for (int j = Math.Max(0, i - 2); j < i; j++) sb.Append("  ").Append(e[j]).Append('\n');
        for (int j = i; j < Math.Min(e.Length, i + 3); j++) sb.Append("- ").Append(e[j]).Append('\n');
        for (int j = i; j < Math.Min(a.Length, i + 3); j++) sb.Append("+ ").Append(a[j]).Append('\n');
        return sb.ToString();
    }
}
