using System.Globalization;
using System.Runtime.Intrinsics;
using NetCompiler.Benchmarks.Cases;

namespace NetCompiler.Benchmarks.Profiling;

/// <summary>
/// The <c>--cases</c> mode: every contender of every benchmark case, timed in one process and interleaved round after
/// round with the FMA peak, so that ratios between contenders are measured under the same load. A quick, noisy-machine
/// companion to the BenchmarkDotNet run: minima and medians of <see cref="Rounds"/> rounds, 1 thread everywhere.
/// </summary>
internal static class CaseProfile
{
    private const int Rounds = 40;
    private const double RoundTargetMicroseconds = 2_000;

    private sealed record Row(string Contender, Action Run, double Flops);

    /// <param name="filter">Only the cases whose title contains it (e.g. <c>LeNet</c>); empty for all.</param>
    public static int Run(TextWriter log, string filter)
    {
        var fma = new FmaPeak { Iterations = 1 << 14 };
        bool wide = Vector512.IsHardwareAccelerated;
        double fmaFlops = FmaPeak.FlopsPerInvoke(wide ? Vector512<float>.Count : Vector256<float>.Count, fma.Iterations);
        var groups = new List<(string Case, Row[] Rows)>();

        var xor = new[] { new XorTrainStep(), new XorTrainStep() };
        xor[0].SetupLibTorch();
        xor[1].SetupNetCompiler();
        groups.Add(("XOR 2-8-1 train, batch 4", [
            new("LibTorch", () => xor[0].LibTorch(), XorTrainStep.FlopsPerStep),
            new("NetCompiler", () => xor[1].NetCompiler(), XorTrainStep.FlopsPerStep)]));
        foreach (int batch in MlpTrainStep.Batches)
        {
            // Two threads on both sides from batch 32, where NetCompiler splits.
            foreach (int threads in batch >= 32 ? [1, 2] : new[] { 1 })
            {
                var torch = new MlpTrainStep { Batch = batch, Threads = threads };
                var ours = new MlpTrainStep { Batch = batch, Threads = threads };
                torch.SetupLibTorch();
                ours.SetupNetCompiler();
                double flops = MlpTrainStep.FlopsPerSample * batch;
                groups.Add(($"MLP train, batch {batch}{(threads == 2 ? ", 2 threads" : "")}", [
                    new("LibTorch", () => torch.LibTorch(), flops),
                    new("NetCompiler", () => ours.NetCompiler(), flops)]));
            }
        }

        foreach (int batch in MlpInference.Batches)
        {
            var torch = new MlpInference { Batch = batch };
            var ort = new MlpInference { Batch = batch };
            var ours = new MlpInference { Batch = batch };
            torch.SetupLibTorch();
            ort.SetupOnnxRuntime();
            ours.SetupNetCompiler();
            double flops = MlpInference.FlopsPerSample * batch;
            groups.Add(($"MLP inference, batch {batch}", [
                new("LibTorch", torch.LibTorch, flops),
                new("OnnxRuntime", ort.OnnxRuntime, flops),
                new("NetCompiler", ours.NetCompiler, flops)]));
        }

        foreach (int batch in LeNetTrainStep.Batches)
        {
            // Two threads on both sides from batch 32, where NetCompiler splits.
            foreach (int threads in batch >= 32 ? [1, 2] : new[] { 1 })
            {
                var torch = new LeNetTrainStep { Batch = batch, Threads = threads };
                var ours = new LeNetTrainStep { Batch = batch, Threads = threads };
                torch.SetupLibTorch();
                ours.SetupNetCompiler();
                double flops = LeNetTrainStep.FlopsPerSample * batch;
                groups.Add(($"LeNet-5 train, batch {batch}{(threads == 2 ? ", 2 threads" : "")}", [
                    new("LibTorch", () => torch.LibTorch(), flops),
                    new("NetCompiler", () => ours.NetCompiler(), flops)]));
            }
        }

        foreach (int batch in LeNetInference.Batches)
        {
            var torch = new LeNetInference { Batch = batch };
            var ort = new LeNetInference { Batch = batch };
            var ours = new LeNetInference { Batch = batch };
            torch.SetupLibTorch();
            ort.SetupOnnxRuntime();
            ours.SetupNetCompiler();
            double flops = LeNetInference.FlopsPerSample * batch;
            groups.Add(($"LeNet-5 inference, batch {batch}", [
                new("LibTorch", torch.LibTorch, flops),
                new("OnnxRuntime", ort.OnnxRuntime, flops),
                new("NetCompiler", ours.NetCompiler, flops)]));
        }

        var peak = new List<double>();
        log.WriteLine("| case | contender | min us | median us | GFLOP/s (min) | % of FMA peak | median vs LibTorch | median vs ORT |");
        log.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, rows) in groups.Where(g => g.Case.Contains(filter, StringComparison.OrdinalIgnoreCase)))
        {
            Action[] runs = [() => (wide ? fma.Fma512() : fma.Fma256()).ToString(CultureInfo.InvariantCulture), .. rows.Select(r => r.Run)];
            var repetitions = new int[runs.Length];
            var samples = new double[runs.Length][];
            for (int e = 0; e < runs.Length; e++)
            {
                double once = double.MaxValue;
                for (int warm = 0; warm < 30; warm++)
                {
                    once = Math.Min(once, KernelProfile.TimeMicroseconds(runs[e], 1));
                }

                repetitions[e] = Math.Max(1, (int)(RoundTargetMicroseconds / Math.Max(once, 0.01)));
                samples[e] = new double[Rounds];
            }

            for (int round = 0; round < Rounds; round++)
            {
                for (int e = 0; e < runs.Length; e++)
                {
                    samples[e][round] = KernelProfile.TimeMicroseconds(runs[e], repetitions[e]);
                }
            }

            double gflopsPeak = fmaFlops / samples[0].Min() / 1e3;
            peak.Add(gflopsPeak);
            double torchMedian = KernelProfile.Median(samples[1]);
            int ortIndex = Array.FindIndex(rows, r => r.Contender == "OnnxRuntime");
            double ortMedian = ortIndex < 0 ? double.NaN : KernelProfile.Median(samples[ortIndex + 1]);
            for (int e = 1; e < runs.Length; e++)
            {
                double min = samples[e].Min();
                double median = KernelProfile.Median(samples[e]);
                double gflops = rows[e - 1].Flops / min / 1e3;
                string vsOrt = double.IsNaN(ortMedian) ? "-" : (ortMedian / median).ToString("F2", CultureInfo.InvariantCulture) + "x";
                log.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {name} | {rows[e - 1].Contender} | {min:F2} | {median:F2} | {gflops:F1} | {100 * gflops / gflopsPeak:F0} | {torchMedian / median:F2}x | {vsOrt} |"));
            }
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FMA peak per group (GFLOP/s): {string.Join(", ", peak.Select(p => p.ToString("F1", CultureInfo.InvariantCulture)))}"));
        return 0;
    }
}
