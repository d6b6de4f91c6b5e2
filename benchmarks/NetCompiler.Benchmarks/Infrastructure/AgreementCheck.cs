using System.Globalization;

namespace NetCompiler.Benchmarks.Infrastructure;

/// <summary>One contender of a case for the agreement check: set up, run, and return what it computed.</summary>
internal sealed record Contender(string Name, Func<float[]> Run)
{
    /// <summary>Training steps run per contender in the check: more than one, so that momentum state is exercised.</summary>
    public const int TrainingSteps = 3;

    /// <summary>
    /// Runs <see cref="TrainingSteps"/> steps and returns their losses, the final parameters, and the trained
    /// network's outputs on the same batch (so that a trainable network's inference path is checked too).
    /// </summary>
    public static float[] Train(Func<float> step, Func<float[]> parameters, Func<float[]> outputs)
    {
        var losses = new float[TrainingSteps];
        for (int i = 0; i < losses.Length; i++)
        {
            losses[i] = step();
        }

        return [.. losses, .. parameters(), .. outputs()];
    }
}

/// <summary>A benchmark case whose contenders' outputs must agree.</summary>
internal interface ICheckedCase
{
    /// <summary>True when each contender's output starts with <see cref="Contender.TrainingSteps"/> losses.</summary>
    bool IsTraining { get; }

    /// <summary>For a training case, how many outputs of the trained network end each contender's output.</summary>
    int TrainedOutputCount => 0;

    IReadOnlyList<Contender> Contenders { get; }

    void Cleanup();
}

/// <summary>
/// The <c>--check</c> mode: runs every contender of every case and batch size outside BenchmarkDotNet and
/// compares each output with the first contender's (the baseline), element by element.
/// </summary>
internal static class AgreementCheck
{
    /// <summary>Relative to max(1, |value|): float32 sums over a few hundred products differ in their last bits.</summary>
    public const float Tolerance = 1e-4f;

    public static int Run(TextWriter log)
    {
        var cases = new (string Name, IEnumerable<int> Batches, Func<int, ICheckedCase> Create)[]
        {
            (nameof(Cases.XorTrainStep), [Cases.XorTrainStep.Batch], _ => new Cases.XorTrainStep()),
            (nameof(Cases.MlpTrainStep), Cases.MlpTrainStep.Batches, b => new Cases.MlpTrainStep { Batch = b, Threads = 1 }),
            (nameof(Cases.MlpInference), Cases.MlpInference.Batches, b => new Cases.MlpInference { Batch = b }),
            (nameof(Cases.LeNetTrainStep), Cases.LeNetTrainStep.Batches, b => new Cases.LeNetTrainStep { Batch = b, Threads = 1 }),
            (nameof(Cases.LeNetInference), Cases.LeNetInference.Batches, b => new Cases.LeNetInference { Batch = b }),
            // Two threads on both sides, at the batches NetCompiler splits.
            (nameof(Cases.MlpTrainStep) + ", 2 threads", Cases.MlpTrainStep.Batches.Where(b => b >= 32), b => new Cases.MlpTrainStep { Batch = b, Threads = 2 }),
            (nameof(Cases.LeNetTrainStep) + ", 2 threads", Cases.LeNetTrainStep.Batches.Where(b => b >= 32), b => new Cases.LeNetTrainStep { Batch = b, Threads = 2 }),
            (nameof(Cases.MlpInference) + ", 2 threads", Cases.MlpInference.Batches.Where(b => b >= 32), b => new Cases.MlpInference { Batch = b, Threads = 2 }),
            (nameof(Cases.LeNetInference) + ", 2 threads", Cases.LeNetInference.Batches.Where(b => b >= 32), b => new Cases.LeNetInference { Batch = b, Threads = 2 }),
        };

        int failures = 0;
        foreach (var (name, batches, create) in cases)
        {
            foreach (int batch in batches)
            {
                failures += CheckCase($"{name}(Batch={batch})", create(batch), log);
            }
        }

        failures += CheckFma(log);
        log.WriteLine(failures == 0 ? "check: all contenders agree" : $"check: {failures} failure(s)");
        return failures == 0 ? 0 : 1;
    }

    private static int CheckCase(string caseName, ICheckedCase benchmarkCase, TextWriter log)
    {
        int failures = 0;
        float[]? baseline = null;
        string baselineName = "";
        try
        {
            foreach (Contender contender in benchmarkCase.Contenders)
            {
                float[] output;
                try
                {
                    output = contender.Run();
                }
                catch (Exception e)
                {
                    log.WriteLine($"FAIL {caseName} {contender.Name}: threw {e.GetType().Name}: {e.Message}");
                    failures++;
                    continue;
                }

                string? problem = benchmarkCase.IsTraining ? CheckLosses(output) : null;
                problem ??= CheckFinite(output);
                if (problem is null && baseline is not null)
                {
                    problem = Compare(baseline, output, baselineName, index => Describe(benchmarkCase, index, output.Length));
                }

                if (problem is not null)
                {
                    log.WriteLine($"FAIL {caseName} {contender.Name}: {problem}");
                    failures++;
                    continue;
                }

                string detail = baseline is null
                    ? $"baseline, {output.Length} values"
                    : $"max |diff| vs {baselineName} {MaxDifference(baseline, output).ToString("G3", CultureInfo.InvariantCulture)}";
                string losses = benchmarkCase.IsTraining
                    ? ", losses " + string.Join(" ", output.Take(Contender.TrainingSteps).Select(l => l.ToString("F5", CultureInfo.InvariantCulture)))
                    : "";
                log.WriteLine($"ok   {caseName} {contender.Name}: {detail}{losses}");
                if (baseline is null)
                {
                    baseline = output;
                    baselineName = contender.Name;
                }
            }
        }
        finally
        {
            benchmarkCase.Cleanup();
        }

        return failures;
    }

    private static string? CheckLosses(float[] output)
    {
        float first = output[0];
        float last = output[Contender.TrainingSteps - 1];
        // The same batch every step with a small learning rate: gradient descent must lower its loss.
        return last < first
            ? null
            : $"loss did not decrease over {Contender.TrainingSteps} steps on one batch: first {first.ToString("G6", CultureInfo.InvariantCulture)}, last {last.ToString("G6", CultureInfo.InvariantCulture)}";
    }

    private static string? CheckFinite(float[] output)
    {
        int index = Array.FindIndex(output, value => !float.IsFinite(value));
        return index < 0 ? null : $"value [{index}] is {output[index].ToString(CultureInfo.InvariantCulture)}, expected a finite number";
    }

    /// <summary>Names a value of a contender's output: a loss, a final parameter or an output of the trained network.</summary>
    private static string Describe(ICheckedCase benchmarkCase, int index, int length)
    {
        if (!benchmarkCase.IsTraining)
        {
            return $"output [{index}]";
        }

        int outputsStart = length - benchmarkCase.TrainedOutputCount;
        return index < Contender.TrainingSteps ? $"loss of step {index + 1}"
            : index < outputsStart ? $"final parameter [{index - Contender.TrainingSteps}]"
            : $"output [{index - outputsStart}] of the trained network";
    }

    private static string? Compare(float[] expected, float[] actual, string expectedName, Func<int, string> describe)
    {
        if (expected.Length != actual.Length)
        {
            return $"{actual.Length} values, expected {expected.Length} as from {expectedName}";
        }

        for (int i = 0; i < expected.Length; i++)
        {
            float scale = MathF.Max(1f, MathF.Max(MathF.Abs(expected[i]), MathF.Abs(actual[i])));
            if (MathF.Abs(expected[i] - actual[i]) > Tolerance * scale)
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"{describe(i)} is {actual[i]:G9}, expected {expected[i]:G9} ({expectedName}) within {Tolerance}");
            }
        }

        return null;
    }

    private static float MaxDifference(float[] expected, float[] actual)
    {
        float max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = MathF.Max(max, MathF.Abs(expected[i] - actual[i]));
        }

        return max;
    }

    private static int CheckFma(TextWriter log)
    {
        var fma = new Cases.FmaPeak { Iterations = 1_000 };
        float expected = fma.Scalar();
        int failures = 0;
        foreach (var (name, run, available) in new (string, Func<float>, bool)[]
        {
            (nameof(Cases.FmaPeak.Fma256), fma.Fma256, true),
            (nameof(Cases.FmaPeak.Fma512), fma.Fma512, System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated),
        })
        {
            if (!available)
            {
                log.WriteLine($"skip FmaPeak {name}: Vector512 is not hardware accelerated here");
                continue;
            }

            float actual = run();
            bool agrees = MathF.Abs(actual - expected) <= Tolerance * MathF.Max(1f, MathF.Abs(expected));
            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{(agrees ? "ok  " : "FAIL")} FmaPeak {name}: {actual:G9}, scalar reference {expected:G9}"));
            failures += agrees ? 0 : 1;
        }

        return failures;
    }
}
