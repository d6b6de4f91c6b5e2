using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using NetCompiler.Benchmarks.Cases;

namespace NetCompiler.Benchmarks.Profiling;

/// <summary>
/// The <c>--profile</c> mode: times every <see cref="MlpKernels"/> method and the FMA peak interleaved, round after
/// round, so that all of them see the same load from other processes; the fastest round of each is reported
/// (other processes only add time) with its share of the FMA peak measured in the same rounds.
/// </summary>
internal static class KernelProfile
{
    private const int Rounds = 60;
    private const double RoundTargetMicroseconds = 1_000;

    public static int Run(TextWriter log)
    {
        var fma = new FmaPeak { Iterations = 1 << 14 };
        bool wide = Vector512.IsHardwareAccelerated;
        double fmaFlops = FmaPeak.FlopsPerInvoke(wide ? Vector512<float>.Count : Vector256<float>.Count, fma.Iterations);
        foreach (int batch in MlpKernels.ProfileBatches)
        {
            var kernels = new MlpKernels { Batch = batch };
            kernels.Setup();
            var entries = new (string Name, Action Run, double Flops)[]
            {
                ("FmaPeak", () => (wide ? fma.Fma512() : fma.Fma256()).ToString(CultureInfo.InvariantCulture), fmaFlops),
                Entry(nameof(MlpKernels.Fc1Forward), kernels.Fc1Forward, batch),
                Entry(nameof(MlpKernels.Fc1ForwardPacked), kernels.Fc1ForwardPacked, batch),
                Entry(nameof(MlpKernels.PackFc1Weight), kernels.PackFc1Weight, batch),
                Entry(nameof(MlpKernels.Fc1ForwardPackedGenerated), kernels.Fc1ForwardPackedGenerated, batch),
                Entry(nameof(MlpKernels.PackFc1WeightGenerated), kernels.PackFc1WeightGenerated, batch),
                Entry(nameof(MlpKernels.Fc2Forward), kernels.Fc2Forward, batch),
                Entry(nameof(MlpKernels.SoftmaxCrossEntropyLoss), () => kernels.SoftmaxCrossEntropyLoss(), batch),
                Entry(nameof(MlpKernels.Fc2BackwardInput), kernels.Fc2BackwardInput, batch),
                Entry(nameof(MlpKernels.Fc2BackwardParameters), kernels.Fc2BackwardParameters, batch),
                Entry(nameof(MlpKernels.Fc1BackwardParameters), kernels.Fc1BackwardParameters, batch),
                Entry(nameof(MlpKernels.Fc1WeightGradientPrototype), kernels.Fc1WeightGradientPrototype, batch),
                Entry(nameof(MlpKernels.OptimizerStep), kernels.OptimizerStep, batch),
                Entry(nameof(MlpKernels.TrainStep), () => kernels.TrainStep(), batch),
                Entry(nameof(MlpKernels.Forward), kernels.Forward, batch),
            };

            var repetitions = new int[entries.Length];
            var samples = new double[entries.Length][];
            for (int e = 0; e < entries.Length; e++)
            {
                double once = TimeMicroseconds(entries[e].Run, 1);
                for (int warm = 0; warm < 30; warm++)
                {
                    once = Math.Min(once, TimeMicroseconds(entries[e].Run, 1));
                }

                repetitions[e] = Math.Max(1, (int)(RoundTargetMicroseconds / Math.Max(once, 0.01)));
                samples[e] = new double[Rounds];
            }

            for (int round = 0; round < Rounds; round++)
            {
                for (int e = 0; e < entries.Length; e++)
                {
                    samples[e][round] = TimeMicroseconds(entries[e].Run, repetitions[e]);
                }
            }

            double peak = fmaFlops / samples[0].Min() / 1e3;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MLP 784-128-10, batch {batch}: {Rounds} interleaved rounds; FMA peak in these rounds {peak:F1} GFLOP/s"));
            log.WriteLine("| kernel | min us | median us | GFLOP/s (min) | % of FMA peak |");
            log.WriteLine("|---|---:|---:|---:|---:|");
            for (int e = 1; e < entries.Length; e++)
            {
                double min = samples[e].Min();
                double median = Median(samples[e]);
                double gflops = entries[e].Flops / min / 1e3;
                log.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {entries[e].Name} | {min:F2} | {median:F2} | {(double.IsNaN(gflops) ? "-" : gflops.ToString("F1", CultureInfo.InvariantCulture))} | {(double.IsNaN(gflops) ? "-" : (100 * gflops / peak).ToString("F0", CultureInfo.InvariantCulture))} |"));
            }

            log.WriteLine();
        }

        return 0;
    }

    private static (string, Action, double) Entry(string name, Action run, int batch) =>
        (name, run, MlpKernels.FlopsPerSample(name) * batch);

    internal static double TimeMicroseconds(Action run, int repetitions)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < repetitions; i++)
        {
            run();
        }

        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / repetitions;
    }

    internal static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
