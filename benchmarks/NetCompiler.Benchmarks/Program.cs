using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NetCompiler.Benchmarks.Infrastructure;

namespace NetCompiler.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>--check</c> runs every contender once outside BenchmarkDotNet and verifies their outputs agree (exit code 1 if not);
    /// <c>--profile</c> times each generated MLP kernel, interleaved with the FMA peak (Profiling/KernelProfile.cs);
    /// <c>--profile-lenet</c> times each generated LeNet-5 train-step kernel (Profiling/LeNetProfile.cs);
    /// <c>--cases [filter]</c> times every contender of every case in one process, interleaved (Profiling/CaseProfile.cs);
    /// any other arguments go to BenchmarkDotNet's switcher (<c>--filter '*' --job short</c>, <c>--job dry --inProcess</c>).
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--check"))
        {
            return AgreementCheck.Run(Console.Out);
        }

        if (args.Contains("--cases"))
        {
            int at = Array.IndexOf(args, "--cases");
            return Profiling.CaseProfile.Run(Console.Out, at + 1 < args.Length ? args[at + 1] : "");
        }

        if (args.Contains("--profile-lenet"))
        {
            return Profiling.LeNetProfile.Run(Console.Out);
        }

        if (args.Contains("--profile"))
        {
            return Profiling.KernelProfile.Run(Console.Out);
        }

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());
        // A smoke run in CI must fail when a benchmark throws or does not validate, which BenchmarkDotNet only reports.
        bool failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
        return failed ? 1 : 0;
    }
}
