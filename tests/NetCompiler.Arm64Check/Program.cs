// Trains small generated networks and checks them against the float64 NetCompiler.Reference ops: outputs, loss,
// gradients and ten optimizer steps. CI runs it as a linux-arm64 binary under qemu-aarch64, so that the generated
// Vector128 kernels run as NEON on every CI run; on Arm64 it fails unless AdvSimd is really in use.
// Exit code: 0 when everything agrees, 1 on any mismatch.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using NetCompiler;
using NetCompiler.Reference;

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"architecture: {RuntimeInformation.ProcessArchitecture}; AdvSimd.IsSupported: {AdvSimd.IsSupported}; Vector128.IsHardwareAccelerated: {Vector128.IsHardwareAccelerated}; Vector256: {Vector256.IsHardwareAccelerated}; Vector512: {Vector512.IsHardwareAccelerated}"));

var checks = new Checks();
if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64 && !(AdvSimd.IsSupported && Vector128.IsHardwareAccelerated))
    checks.Fail("on Arm64 the Vector128 tier must be NEON (AdvSimd), but it is not hardware accelerated");

const int Batch = 7; // not a multiple of a vector width either
var random = new Random(20240611);

// Softmax cross-entropy + SGD with momentum.
{
    var net = new ClassifierNet(batchCapacity: 8, seed: 3);
    var reference = new ReferenceMlp(net,
        new Layer("fc1", 37, 21, ActivationKind.ReLU), new Layer("fc2", 21, 13, ActivationKind.Tanh), new Layer("fc3", 13, 5, ActivationKind.Identity));
    float[] input = RandomValues(random, Batch * ClassifierNet.InputSize);   // [7, 37]
    int[] labels = Enumerable.Range(0, Batch).Select(_ => random.Next(ClassifierNet.OutputSize)).ToArray();
    double[] input64 = ReferenceMlp.ToDouble(input);
    double Loss(double[] logits, double[] dLogits) => LossReference.SoftmaxCrossEntropy<double>(Batch, 5, logits, labels, dLogits);

    var output = new float[Batch * ClassifierNet.OutputSize]; // [7, 5]
    net.Forward(input, output);
    checks.Compare("classifier forward", output, reference.Forward(Batch, input64), 1e-5);

    float loss = net.Backward(input, labels);
    checks.Compare("classifier loss", [loss], [reference.Backward(Batch, input64, Loss)], 1e-5);
    checks.Compare("classifier gradients", net.Gradients, reference.Gradients, 1e-5);

    float[] losses = new float[10];
    double[] referenceLosses = new double[10];
    for (int step = 0; step < 10; step++)
    {
        losses[step] = net.TrainStep(input, labels);
        referenceLosses[step] = reference.Backward(Batch, input64, Loss);
        reference.Sgd(0.05, 0.9);
    }
    checks.Compare("classifier 10 SGD steps: losses", losses, referenceLosses, 1e-4);
    checks.Compare("classifier 10 SGD steps: parameters", net.Parameters, reference.Parameters, 1e-4);
    checks.Require("classifier training lowers the loss", losses[^1] < losses[0], $"loss {losses[0]} -> {losses[^1]}");
}

// Mean squared error + Adam.
{
    var net = new RegressorNet(batchCapacity: 8, seed: 5);
    var reference = new ReferenceMlp(net, new Layer("fc1", 19, 11, ActivationKind.Sigmoid), new Layer("fc2", 11, 6, ActivationKind.Tanh));
    float[] input = RandomValues(random, Batch * RegressorNet.InputSize);    // [7, 19]
    float[] targets = RandomValues(random, Batch * RegressorNet.OutputSize); // [7, 6]
    double[] input64 = ReferenceMlp.ToDouble(input), targets64 = ReferenceMlp.ToDouble(targets);
    double Loss(double[] prediction, double[] dPrediction) => LossReference.MeanSquaredError<double>(prediction, targets64, dPrediction);

    var output = new float[Batch * RegressorNet.OutputSize]; // [7, 6]
    net.Forward(input, output);
    checks.Compare("regressor forward", output, reference.Forward(Batch, input64), 1e-5);

    float loss = net.Backward(input, targets);
    checks.Compare("regressor loss", [loss], [reference.Backward(Batch, input64, Loss)], 1e-5);
    checks.Compare("regressor gradients", net.Gradients, reference.Gradients, 1e-5);

    float[] losses = new float[10];
    double[] referenceLosses = new double[10];
    for (int step = 0; step < 10; step++)
    {
        losses[step] = net.TrainStep(input, targets);
        referenceLosses[step] = reference.Backward(Batch, input64, Loss);
        reference.Adam(0.01, 0.9, 0.999, 1e-8);
    }
    checks.Compare("regressor 10 Adam steps: losses", losses, referenceLosses, 1e-4);
    checks.Compare("regressor 10 Adam steps: parameters", net.Parameters, reference.Parameters, 1e-4);
    checks.Require("regressor training lowers the loss", losses[^1] < losses[0], $"loss {losses[0]} -> {losses[^1]}");
}

// XOR, mean squared error + SGD with momentum: the fused train step (weights and activations in NEON registers).
{
    var net = new XorNet(batchCapacity: 4, seed: 7);
    var reference = new ReferenceMlp(net, new Layer("fc1", 2, 8, ActivationKind.Tanh), new Layer("fc2", 8, 1, ActivationKind.Sigmoid));
    float[] input = [0, 0, 0, 1, 1, 0, 1, 1], targets = [0, 1, 1, 0]; // [4, 2], [4, 1]
    double[] input64 = ReferenceMlp.ToDouble(input), targets64 = ReferenceMlp.ToDouble(targets);
    double Loss(double[] prediction, double[] dPrediction) => LossReference.MeanSquaredError<double>(prediction, targets64, dPrediction);

    float[] losses = new float[10];
    double[] referenceLosses = new double[10];
    for (int step = 0; step < 10; step++)
    {
        losses[step] = net.TrainStep(input, targets);
        referenceLosses[step] = reference.Backward(4, input64, Loss);
        checks.Compare($"xor fused step {step + 1}: gradients", net.Gradients, reference.Gradients, 1e-5);
        reference.Sgd(0.5, 0.9);
    }
    checks.Compare("xor 10 fused SGD steps: losses", losses, referenceLosses, 1e-4);
    checks.Compare("xor 10 fused SGD steps: parameters", net.Parameters, reference.Parameters, 1e-4);
    checks.Require("xor training lowers the loss", losses[^1] < losses[0], $"loss {losses[0]} -> {losses[^1]}");
}

Console.WriteLine(checks.Failures == 0
    ? $"arm64 check: PASS ({checks.Count} checks on {RuntimeInformation.ProcessArchitecture})"
    : $"arm64 check: FAIL ({checks.Failures} of {checks.Count} checks on {RuntimeInformation.ProcessArchitecture})");
return checks.Failures == 0 ? 0 : 1;

static float[] RandomValues(Random random, int count)
{
    var values = new float[count];
    for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
    return values;
}

/// <summary>Counts and prints comparisons; a mismatch names the first differing index and both values.</summary>
internal sealed class Checks
{
    public int Count { get; private set; }

    public int Failures { get; private set; }

    /// <summary>Passes when every |actual - expected| &lt;= tolerance · max(1, |expected|).</summary>
    public void Compare(string name, ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double tolerance)
    {
        if (actual.Length != expected.Length)
        {
            Fail($"{name}: {actual.Length} values; expected {expected.Length}");
            return;
        }
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i]));
            if (double.IsNaN(error)) error = double.PositiveInfinity;
            if (error > worst || worstIndex < 0) (worst, worstIndex) = (error, i);
        }
        Count++;
        if (worst > tolerance)
        {
            Failures++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FAIL {name}: [{worstIndex}] = {actual[worstIndex]}, reference {expected[worstIndex]}; error {worst:E2} > {tolerance:E0}"));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ok   {name}: {actual.Length} values, max error {worst:E2} (tolerance {tolerance:E0})"));
        }
    }

    public void Require(string name, bool condition, string detail)
    {
        Count++;
        if (condition) Console.WriteLine($"ok   {name}: {detail}");
        else Fail($"{name}: {detail}");
    }

    public void Fail(string message)
    {
        Failures++;
        Console.WriteLine($"FAIL {message}");
    }
}
