using System.Runtime.CompilerServices;
using NetCompiler.Runtime.Tests.Conv;
using NetCompiler.Threading;
using NetCompiler.Runtime.Tests.Generated;
using Xunit;

namespace NetCompiler.Runtime.Tests.Threading;

/// <summary>
/// Two-thread mode splits the products, convolutions and pools of a batch between the calling thread and a worker:
/// outputs must not change at all, weight gradients only in the last bits (two partial sums instead of one).
/// </summary>
public class TwoThreadTests
{
    // 40 samples: the first thread takes 24 (three tiles of 8), the worker 16.
    private const int Batch = 40;

    [Fact]
    public void LeNetOutputsGradientsAndStepsMatchOneThread() =>
        AssertSameTraining(() => new LeNet5(Batch, seed: 3), LeNet5.InputSize, LeNet5.OutputSize);

    /// <summary>24 samples: the convolutions split, the 256 x 120 dense layer (30,720 weights) only from 30 samples.</summary>
    [Fact]
    public void LeNetWithSomeLayersSplitMatchesOneThread() =>
        AssertSameTraining(() => new LeNet5(Batch, seed: 4), LeNet5.InputSize, LeNet5.OutputSize, batch: 24);

    [Fact]
    public void PackedMlpOutputsGradientsAndStepsMatchOneThread() =>
        AssertSameTraining(() => new PackedReluNet(Batch, seed: 3), PackedReluNet.InputSize, PackedReluNet.OutputSize);

    [Fact]
    public void InferenceOutputsMatchOneThreadExactly()
    {
        var one = new PackedWideNet(Batch);
        var two = new PackedWideNet(Batch) { Threads = 2 };
        float[] input = RandomInput(Batch * PackedWideNet.InputSize, 4);
        float[] expected = new float[Batch * PackedWideNet.OutputSize], actual = new float[expected.Length];
        one.Forward(input, expected);
        two.Forward(input, actual);
        Assert.Equal(expected, actual);
        // Below SplitMinBatch the calling thread runs everything.
        two.Forward(input.AsSpan(0, 3 * PackedWideNet.InputSize), actual.AsSpan(0, 3 * PackedWideNet.OutputSize));
        Assert.Equal(expected.AsSpan(0, 3 * PackedWideNet.OutputSize).ToArray(), actual.AsSpan(0, 3 * PackedWideNet.OutputSize).ToArray());
    }

    [Fact]
    public void ThreadsDefaultsFromTheShapesAndAcceptsOneOrTwo()
    {
        var network = new LeNet5(8);
        Assert.Equal(1, LeNet5.DefaultThreads); // 0.28M multiply-adds per sample: below the two-thread default
        Assert.Equal(1, network.Threads);
        network.Threads = 2;
        Assert.Equal(2, network.Threads);
        network.Threads = 1;
        Assert.Equal(1, network.Threads);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => network.Threads = 3);
        Assert.Contains("1 or 2 threads", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => network.Threads = 0);
    }

    [Fact]
    public void TrainStepOnTwoThreadsAllocatesNothing()
    {
        var network = new LeNet5(Batch) { Threads = 2 };
        float[] input = RandomInput(Batch * LeNet5.InputSize, 5);
        int[] labels = Enumerable.Range(0, Batch).Select(i => i % 10).ToArray();
        for (int i = 0; i < 3; i++) network.TrainStep(input, labels);
        Assert.Equal(0, Allocations.Fewest(() => network.TrainStep(input, labels)));
    }

    [Fact]
    public void WorkerEndsOnceItsOwnerIsCollected()
    {
        SplitWorker worker = StartWorkerForAnOwnerNobodyHolds();
        for (int i = 0; i < 100 && worker.IsAlive; i++)
        {
            GC.Collect();
            Thread.Sleep(50);
        }
        Assert.False(worker.IsAlive, "the worker thread outlived its owner by 5 s");
    }

    [Fact]
    public void WorkerEndsWhenDisposed()
    {
        var owner = new object();
        var worker = new SplitWorker("test", owner);
        worker.Dispose();
        for (int i = 0; i < 100 && worker.IsAlive; i++) Thread.Sleep(10);
        Assert.False(worker.IsAlive);
        GC.KeepAlive(owner);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SplitWorker StartWorkerForAnOwnerNobodyHolds() => new("test", new object());

    private static void AssertSameTraining<T>(Func<T> create, int inputSize, int outputSize, int batch = Batch) where T : ILabelTrainable
    {
        T one = create(), two = create();
        two.Threads = 2;
        float[] input = RandomInput(batch * inputSize, 1);
        int[] labels = Enumerable.Range(0, batch).Select(i => i * 7 % outputSize).ToArray();

        float[] expected = new float[batch * outputSize], actual = new float[expected.Length];
        one.Forward(input, expected);
        two.Forward(input, actual);
        Assert.Equal(expected, actual);

        Assert.Equal(one.Backward(input, labels), two.Backward(input, labels));
        ConvKernelTests.AssertClose(ConvKernelTests.Widen(one.Gradients), two.Gradients, "gradients", tolerance: 1e-5);

        for (int step = 0; step < 5; step++)
        {
            float a = one.TrainStep(input, labels), b = two.TrainStep(input, labels);
            Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Max(1, Math.Abs(a)), $"step {step}: loss {a} on one thread, {b} on two");
        }
        ConvKernelTests.AssertClose(ConvKernelTests.Widen(one.Parameters), two.Parameters, "parameters after 5 steps", tolerance: 1e-5);
        two.Threads = 1;
    }

    private static float[] RandomInput(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        return values;
    }
}
