using System.Globalization;
using NetCompiler.Benchmarks.Data;
using NetCompiler.Benchmarks.Networks;

namespace NetCompiler.Benchmarks.Profiling;

/// <summary>
/// The <c>--profile-lenet</c> mode: each kernel of the generated LeNet-5 train step on the arena of a network that has
/// trained a few steps on the shared inputs, interleaved round after round; the fastest round of each is reported.
/// </summary>
internal static class LeNetProfile
{
    private const int Rounds = 20;

    public static int Run(TextWriter log)
    {
        foreach (int batch in new[] { 1, 32, 128 })
        {
            var net = NetCompilerNetworks.LeNet(batch);
            float[] input = Inputs.Images(batch, LeNetWeights.InputSize);
            int[] labels = Inputs.Labels(batch, LeNetWeights.Classes);
            for (int i = 0; i < 20; i++) net.TrainStep(input, labels);

            var steps = net.KernelSteps(input, labels, batch);
            var fastest = new double[steps.Length];
            Array.Fill(fastest, double.MaxValue);
            int repetitions = Math.Max(1, 256 / batch);
            for (int round = 0; round < Rounds; round++)
                for (int s = 0; s < steps.Length; s++)
                    fastest[s] = Math.Min(fastest[s], KernelProfile.TimeMicroseconds(steps[s].Run, repetitions));

            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LeNet-5 train step, batch {batch}: fastest of {Rounds} interleaved rounds, us"));
            for (int s = 0; s < steps.Length; s++)
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {steps[s].Name,-34} {fastest[s],10:F1}"));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"sum of the kernels",-34} {fastest[..^1].Sum(),10:F1}"));
        }
        return 0;
    }
}
