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

        // Conv shapes: LeNet-5's two layers, a padded one, strided and padded, and one with a single output position.
        PtxConvShape[] convShapes =
        [
            new(1, 28, 28, 6, 24, 24, 5, 1, 0),
            new(6, 12, 12, 16, 8, 8, 5, 1, 0),
            new(4, 4, 4, 6, 4, 4, 3, 1, 1),
            new(2, 9, 9, 4, 5, 5, 3, 2, 1),
            new(3, 3, 3, 70, 1, 1, 3, 1, 0),
        ];
        foreach (PtxConvShape c in convShapes)
        {
            string shape = FormattableString.Invariant($"{c.InChannels}x{c.InHeight}x{c.InWidth}_{c.OutChannels}_k{c.Kernel}s{c.Stride}p{c.Padding}");
            Add($"conv_im2col_{shape}", n => ConvKernels.Im2Col(n, c));
            Add($"conv_forward_{shape}_relu", n => ConvKernels.Forward(n, c, PtxActivation.Relu, hasBias: true));
            Add($"conv_forward_{shape}_tanh_nobias", n => ConvKernels.Forward(n, c, PtxActivation.Tanh, hasBias: false));
            Add($"conv_backward_weight_{shape}", n => ConvKernels.BackwardWeight(n, c));
            Add($"conv_backward_bias_{shape}", n => ConvKernels.BackwardBias(n, c));
            Add($"conv_backward_columns_{shape}", n => ConvKernels.BackwardColumns(n, c));
            Add($"conv_col2im_{shape}", n => ConvKernels.Col2Im(n, c, PtxActivation.Identity));
            Add($"conv_col2im_{shape}_sigmoid", n => ConvKernels.Col2Im(n, c, PtxActivation.Sigmoid));
        }

        // Pool shapes: LeNet-5's, overlapping windows, a window wider than its stride by more than one, and a 7x7 window.
        PtxPoolShape[] poolShapes =
        [
            new(6, 24, 24, 12, 12, 2, 2),
            new(3, 3, 3, 2, 2, 2, 1),
            new(2, 9, 9, 3, 3, 5, 2),
            new(1, 7, 7, 1, 1, 7, 7),
        ];
        foreach (PtxPoolShape p in poolShapes)
        {
            string shape = FormattableString.Invariant($"{p.Channels}x{p.InHeight}x{p.InWidth}_k{p.Kernel}s{p.Stride}");
            Add($"max_pool_forward_{shape}", n => PoolKernels.MaxForward(n, p));
            Add($"avg_pool_forward_{shape}", n => PoolKernels.AvgForward(n, p));
            Add($"max_pool_backward_{shape}", n => PoolKernels.MaxBackward(n, p, PtxActivation.Identity));
            Add($"max_pool_backward_{shape}_relu", n => PoolKernels.MaxBackward(n, p, PtxActivation.Relu));
            Add($"avg_pool_backward_{shape}", n => PoolKernels.AvgBackward(n, p, PtxActivation.Identity));
            Add($"avg_pool_backward_{shape}_tanh", n => PoolKernels.AvgBackward(n, p, PtxActivation.Tanh));
        }

        foreach ((int size, float rate) in new[] { (1, 0f), (120, 0.25f), (784, 0.5f), (33, 0.999f) })
        {
            string shape = FormattableString.Invariant($"{size}_{(int)(rate * 1000)}");
            Add($"dropout_forward_{shape}", n => DropoutKernels.Forward(n, size, rate));
            Add($"dropout_backward_{shape}", n => DropoutKernels.Backward(n, size, PtxActivation.Identity));
            Add($"dropout_backward_{shape}_relu", n => DropoutKernels.Backward(n, size, PtxActivation.Relu));
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
