using NetCompiler.Compiler.Ptx;
using Xunit;

namespace NetCompiler.Cuda.Tests;

/// <summary>Shapes and variants shared by the emulator and GPU runs (batch, in, out): tile multiples and not.</summary>
public static class KernelCases
{
    public static TheoryData<int, int, int, PtxActivation> Dense()
    {
        var data = new TheoryData<int, int, int, PtxActivation>();
        foreach (PtxActivation activation in Enum.GetValues<PtxActivation>())
        {
            data.Add(37, 100, 10, activation);
            data.Add(1, 2, 8, activation);
        }

        data.Add(70, 33, 130, PtxActivation.Relu);
        data.Add(64, 128, 64, PtxActivation.Tanh);
        return data;
    }

    public static TheoryData<int, int, int, bool> DenseWeight() => new()
    {
        { 37, 100, 10, true },
        { 70, 33, 130, true },
        { 1, 2, 8, true },
        { 64, 128, 64, true },
        { 5, 17, 3, false },
    };

    public static TheoryData<int, int, PtxActivation> Activations()
    {
        var data = new TheoryData<int, int, PtxActivation>();
        foreach (PtxActivation activation in Enum.GetValues<PtxActivation>())
        {
            data.Add(3, 100, activation);
        }

        return data;
    }

    public static TheoryData<int, int> Rows() => new() { { 5, 10 }, { 9, 33 }, { 3, 1000 }, { 1, 1 } };

    public static TheoryData<int> Batches() => new() { 1, 300, 1000 };

    public static TheoryData<float, float, bool> SgdVariants() => new()
    {
        { 0f, 0f, false },
        { 0f, 0.01f, false },
        { 0.9f, 0f, false },
        { 0.9f, 0.01f, true },
    };

    public static TheoryData<float, bool> AdamVariants() => new() { { 0f, false }, { 0.01f, false }, { 0.1f, true } };
}

/// <summary>Kernel semantics on the PTX emulator: runs everywhere, including CI without a GPU.</summary>
public class EmulatedKernelTests
{
    [Theory]
    [MemberData(nameof(KernelCases.Dense), MemberType = typeof(KernelCases))]
    public void Dense_forward(int batch, int inFeatures, int outFeatures, PtxActivation activation)
    {
        using var device = new EmulatedDevice();
        KernelChecks.DenseForward(device, batch, inFeatures, outFeatures, activation, hasBias: true);
    }

    [Fact]
    public void Dense_forward_without_bias()
    {
        using var device = new EmulatedDevice();
        KernelChecks.DenseForward(device, 5, 17, 3, PtxActivation.Sigmoid, hasBias: false);
    }

    [Theory]
    [MemberData(nameof(KernelCases.Dense), MemberType = typeof(KernelCases))]
    public void Dense_backward_input(int batch, int inFeatures, int outFeatures, PtxActivation activation)
    {
        using var device = new EmulatedDevice();
        KernelChecks.DenseBackwardInput(device, batch, inFeatures, outFeatures, activation);
    }

    [Theory]
    [MemberData(nameof(KernelCases.DenseWeight), MemberType = typeof(KernelCases))]
    public void Dense_backward_weight(int batch, int inFeatures, int outFeatures, bool hasBias)
    {
        using var device = new EmulatedDevice();
        KernelChecks.DenseBackwardWeight(device, batch, inFeatures, outFeatures, hasBias);
    }

    [Theory]
    [MemberData(nameof(KernelCases.Activations), MemberType = typeof(KernelCases))]
    public void Activation_forward_and_backward(int batch, int features, PtxActivation activation)
    {
        using var device = new EmulatedDevice();
        KernelChecks.Activation(device, batch, features, activation);
    }

    [Theory]
    [MemberData(nameof(KernelCases.Rows), MemberType = typeof(KernelCases))]
    public void Losses(int batch, int features)
    {
        using var device = new EmulatedDevice();
        KernelChecks.SoftmaxCrossEntropy(device, batch, features);
        KernelChecks.MeanSquaredError(device, batch, features);
        KernelChecks.BinaryCrossEntropyWithLogits(device, batch, features);
    }

    [Theory]
    [MemberData(nameof(KernelCases.Batches), MemberType = typeof(KernelCases))]
    public void Mean_loss(int batch)
    {
        using var device = new EmulatedDevice();
        KernelChecks.MeanLoss(device, batch);
    }

    [Theory]
    [MemberData(nameof(KernelCases.SgdVariants), MemberType = typeof(KernelCases))]
    public void Sgd(float momentum, float weightDecay, bool nesterov)
    {
        using var device = new EmulatedDevice();
        KernelChecks.Sgd(device, 1000, momentum, weightDecay, nesterov);
    }

    [Fact]
    public void Adagrad()
    {
        using var device = new EmulatedDevice();
        KernelChecks.Adagrad(device, 257, 1e-10f, 0f);
        KernelChecks.Adagrad(device, 257, 1e-8f, 0.01f);
    }

    [Theory]
    [MemberData(nameof(KernelCases.AdamVariants), MemberType = typeof(KernelCases))]
    public void Adam(float weightDecay, bool decoupled)
    {
        using var device = new EmulatedDevice();
        KernelChecks.Adam(device, 300, weightDecay, decoupled);
    }
}

/// <summary>The same checks on a real GPU (skipped, with the reason, when there is none), plus larger shapes.</summary>
public class GpuKernelTests
{
    [CudaTheory]
    [MemberData(nameof(KernelCases.Dense), MemberType = typeof(KernelCases))]
    [InlineData(130, 784, 70, PtxActivation.Sigmoid)]
    [InlineData(1000, 784, 128, PtxActivation.Relu)]
    public void Dense_forward(int batch, int inFeatures, int outFeatures, PtxActivation activation)
    {
        using var device = new GpuDevice();
        KernelChecks.DenseForward(device, batch, inFeatures, outFeatures, activation, hasBias: true);
        KernelChecks.DenseForward(device, batch, inFeatures, outFeatures, activation, hasBias: false);
    }

    [CudaTheory]
    [MemberData(nameof(KernelCases.Dense), MemberType = typeof(KernelCases))]
    [InlineData(1000, 784, 128, PtxActivation.Relu)]
    public void Dense_backward_input(int batch, int inFeatures, int outFeatures, PtxActivation activation)
    {
        using var device = new GpuDevice();
        KernelChecks.DenseBackwardInput(device, batch, inFeatures, outFeatures, activation);
    }

    [CudaTheory]
    [MemberData(nameof(KernelCases.DenseWeight), MemberType = typeof(KernelCases))]
    [InlineData(1000, 784, 128, true)]
    public void Dense_backward_weight(int batch, int inFeatures, int outFeatures, bool hasBias)
    {
        using var device = new GpuDevice();
        KernelChecks.DenseBackwardWeight(device, batch, inFeatures, outFeatures, hasBias);
    }

    [CudaTheory]
    [MemberData(nameof(KernelCases.Activations), MemberType = typeof(KernelCases))]
    [InlineData(1000, 784, PtxActivation.Tanh)]
    public void Activation_forward_and_backward(int batch, int features, PtxActivation activation)
    {
        using var device = new GpuDevice();
        KernelChecks.Activation(device, batch, features, activation);
    }

    [CudaTheory]
    [MemberData(nameof(KernelCases.Rows), MemberType = typeof(KernelCases))]
    [InlineData(1000, 10)]
    public void Losses(int batch, int features)
    {
        using var device = new GpuDevice();
        KernelChecks.SoftmaxCrossEntropy(device, batch, features);
        KernelChecks.MeanSquaredError(device, batch, features);
        KernelChecks.BinaryCrossEntropyWithLogits(device, batch, features);
    }

    [CudaTheory]
    [MemberData(nameof(KernelCases.Batches), MemberType = typeof(KernelCases))]
    [InlineData(100_000)]
    public void Mean_loss(int batch)
    {
        using var device = new GpuDevice();
        KernelChecks.MeanLoss(device, batch);
    }

    [CudaTheory]
    [MemberData(nameof(KernelCases.SgdVariants), MemberType = typeof(KernelCases))]
    public void Sgd(float momentum, float weightDecay, bool nesterov)
    {
        using var device = new GpuDevice();
        KernelChecks.Sgd(device, 100_003, momentum, weightDecay, nesterov);
    }

    [CudaFact]
    public void Adagrad()
    {
        using var device = new GpuDevice();
        KernelChecks.Adagrad(device, 100_003, 1e-10f, 0f);
        KernelChecks.Adagrad(device, 257, 1e-8f, 0.01f);
    }

    [CudaTheory]
    [MemberData(nameof(KernelCases.AdamVariants), MemberType = typeof(KernelCases))]
    public void Adam(float weightDecay, bool decoupled)
    {
        using var device = new GpuDevice();
        KernelChecks.Adam(device, 100_003, weightDecay, decoupled);
    }
}
