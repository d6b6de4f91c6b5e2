using System.Globalization;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Reports;
using NetCompiler.Benchmarks.Cases;

namespace NetCompiler.Benchmarks.Infrastructure;

internal static class BenchmarkConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(StatisticColumn.Min)
        .AddColumn(new GflopsColumn(fromMin: false))
        .AddColumn(new GflopsColumn(fromMin: true))
        .AddFilter(new SimpleFilter(IsMeaningful));

    /// <summary>
    /// Drops the cases that would only repeat another: a single-threaded contender at a thread count other than 1
    /// (NetCompiler and ONNX Runtime at 2 threads only from batch 32, the rows the 2-thread comparison is about), and Vector512 FMA where
    /// Vector512 is not accelerated.
    /// </summary>
    private static bool IsMeaningful(BenchmarkCase benchmarkCase)
    {
        string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        if (benchmarkCase.Descriptor.Type == typeof(FmaPeak) && method == nameof(FmaPeak.Fma512))
        {
            return Vector512.IsHardwareAccelerated;
        }

        object? threads = Parameter(benchmarkCase, "Threads");
        object? batch = Parameter(benchmarkCase, "Batch");
        return threads is null || Convert.ToInt32(threads, CultureInfo.InvariantCulture) == 1 || method == "LibTorch"
            || method is "NetCompiler" or "OnnxRuntime" && batch is not null && Convert.ToInt32(batch, CultureInfo.InvariantCulture) >= 32;
    }

    internal static object? Parameter(BenchmarkCase benchmarkCase, string name) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;
}

/// <summary>
/// GFLOP/s from each case's FLOP-count constant and the median time, or the minimum: on a shared machine other
/// processes only ever add time, so the fastest iteration is the closest to what the code itself costs.
/// </summary>
internal sealed class GflopsColumn(bool fromMin) : IColumn
{
    public string Id => nameof(GflopsColumn) + (fromMin ? "Min" : "");

    public string ColumnName => fromMin ? "GFLOP/s (min)" : "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => fromMin ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Floating-point operations (2 per multiply-add, forward and backward) per second, from the {(fromMin ? "fastest iteration" : "median")}";

    /// <summary>FLOP per invocation of a benchmark method; NaN for a case without a count.</summary>
    public static double FlopsPerInvoke(BenchmarkCase benchmarkCase)
    {
        Type type = benchmarkCase.Descriptor.Type;
        if (type == typeof(XorTrainStep))
        {
            return XorTrainStep.FlopsPerStep;
        }

        if (type == typeof(FmaPeak))
        {
            int lanes = benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(FmaPeak.Fma512) ? Vector512<float>.Count : Vector256<float>.Count;
            return FmaPeak.FlopsPerInvoke(lanes, new FmaPeak().Iterations);
        }

        double perSample =
            type == typeof(Profiling.MlpKernels) ? Profiling.MlpKernels.FlopsPerSample(benchmarkCase.Descriptor.WorkloadMethod.Name) :
            type == typeof(MlpTrainStep) ? MlpTrainStep.FlopsPerSample :
            type == typeof(MlpInference) ? MlpInference.FlopsPerSample :
            type == typeof(LeNetTrainStep) ? LeNetTrainStep.FlopsPerSample :
            type == typeof(LeNetInference) ? LeNetInference.FlopsPerSample :
            double.NaN;
        object? batch = BenchmarkConfig.Parameter(benchmarkCase, "Batch");
        return batch is null ? double.NaN : perSample * Convert.ToInt32(batch, CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        double? nanoseconds = fromMin ? statistics?.Min : statistics?.Median;
        double flops = FlopsPerInvoke(benchmarkCase);
        if (nanoseconds is not > 0 || double.IsNaN(flops))
        {
            return "-";
        }

        // FLOP per nanosecond is GFLOP per second; overhead-bound cases (XOR) need significant digits, not decimals.
        double gflops = flops / nanoseconds.Value;
        return gflops.ToString(gflops >= 1 ? "F2" : "G3", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
