using NetCompiler.Compiler.Ptx;
using Xunit;

namespace NetCompiler.Cuda.Tests;

/// <summary>Every kernel family in several shapes (tile multiples and not) and every activation/optimizer variant.</summary>
internal static class KernelCatalog
{
    private static readonly PtxActivation[] Activations = [PtxActivation.Identity, PtxActivation.Relu, PtxActivation.Sigmoid, PtxActivation.Tanh];

    // (in, out): multiples of both tiles, tiny, and sizes that are multiples of neither 16 nor 64.
    private static readonly (int In, int Out)[] DenseShapes = [(128, 64), (2, 8), (100, 10), (784, 70), (33, 130)];

    public static IReadOnlyDictionary<string, Func<PtxKernel>> All { get; } = Build();

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (string name in All.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private static Dictionary<string, Func<PtxKernel>> Build()
    {
        var kernels = new Dictionary<string, Func<PtxKernel>>(StringComparer.Ordinal);
        void Add(string name, Func<string, PtxKernel> create) => kernels.Add(name, () => create(name));

        foreach ((int inFeatures, int outFeatures) in DenseShapes)
        {
            foreach (PtxActivation activation in Activations)
            {
                string a = activation.ToString().ToLowerInvariant();
                Add($"dense_forward_{inFeatures}x{outFeatures}_{a}", n => GemmKernels.Forward(n, inFeatures, outFeatures, activation));
                Add($"dense_backward_input_{inFeatures}x{outFeatures}_{a}", n => GemmKernels.BackwardInput(n, inFeatures, outFeatures, activation));
            }

            Add($"dense_forward_{inFeatures}x{outFeatures}_nobias", n => GemmKernels.Forward(n, inFeatures, outFeatures, PtxActivation.Relu, hasBias: false));
            Add($"dense_backward_weight_{inFeatures}x{outFeatures}", n => GemmKernels.BackwardWeight(n, inFeatures, outFeatures));
            Add($"dense_backward_weight_{inFeatures}x{outFeatures}_nobias", n => GemmKernels.BackwardWeight(n, inFeatures, outFeatures, hasBias: false));
        }

        foreach (int features in new[] { 1, 10, 784 })
        {
            foreach (PtxActivation activation in Activations)
            {
                string a = activation.ToString().ToLowerInvariant();
                Add($"activation_forward_{features}_{a}", n => ElementwiseKernels.ActivationForward(n, features, activation));
                Add($"activation_backward_{features}_{a}", n => ElementwiseKernels.ActivationBackward(n, features, activation));
            }

            Add($"mse_{features}", n => LossKernels.MeanSquaredError(n, features));
            Add($"bce_with_logits_{features}", n => LossKernels.BinaryCrossEntropyWithLogits(n, features));
        }

        foreach (int classes in new[] { 1, 10, 33, 1000 })
        {
            Add($"softmax_cross_entropy_{classes}", n => LossKernels.SoftmaxCrossEntropy(n, classes));
        }

        Add("mean_loss", LossKernels.MeanLoss);
        Add("sgd", n => OptimizerKernels.Sgd(n, 1000));
        Add("sgd_weight_decay", n => OptimizerKernels.Sgd(n, 1000, weightDecay: 1e-4f));
        Add("sgd_momentum", n => OptimizerKernels.Sgd(n, 1000, momentum: 0.9f));
        Add("sgd_nesterov_weight_decay", n => OptimizerKernels.Sgd(n, 1000, momentum: 0.9f, weightDecay: 5e-4f, nesterov: true));
        Add("adagrad", n => OptimizerKernels.Adagrad(n, 257));
        Add("adagrad_weight_decay", n => OptimizerKernels.Adagrad(n, 257, epsilon: 1e-8f, weightDecay: 0.01f));
        Add("adam", n => OptimizerKernels.Adam(n, 100_000));
        Add("adam_weight_decay", n => OptimizerKernels.Adam(n, 3, weightDecay: 0.01f));
        Add("adamw", n => OptimizerKernels.Adam(n, 3, weightDecay: 0.01f, decoupledWeightDecay: true));
        return kernels;
    }
}
