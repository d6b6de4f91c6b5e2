using NetCompiler.Benchmarks.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NetCompiler.Benchmarks.Peers;

/// <summary>
/// The LibTorch peers written as a PyTorch user would: parameters in PyTorch's layout, functional ops,
/// autograd for backward and torch.optim.SGD for the update. Each step runs in a dispose scope so that
/// native memory is returned at once rather than at finalization.
/// </summary>
internal abstract class TorchNetwork : IDisposable
{
    private readonly List<Parameter> _parameters = [];
    private readonly Tensor _input;
    private readonly Tensor _targets;
    private optim.Optimizer? _optimizer;

    protected TorchNetwork(int threads, float[] input, long[] inputShape, Tensor targets)
    {
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        _input = torch.tensor(input, inputShape);
        _targets = targets;
    }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public float TrainStep()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        _optimizer!.zero_grad();
        Tensor loss = Loss(Forward(_input), _targets);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Inference without autograd bookkeeping, as <c>torch.no_grad()</c> users run it.</summary>
    public void Infer(Span<float> output)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor result = Forward(_input);
        if (!output.IsEmpty)
        {
            result.data<float>().CopyTo(output);
        }
    }

    /// <summary>The outputs of <see cref="Infer"/> as a new array.</summary>
    public float[] Outputs()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return Forward(_input).data<float>().ToArray();
    }

    public float[] CopyParameters()
    {
        var values = new List<float>();
        foreach (Parameter parameter in _parameters)
        {
            values.AddRange(parameter.data<float>().ToArray());
        }

        return [.. values];
    }

    public void Dispose()
    {
        _optimizer?.Dispose();
        foreach (Parameter parameter in _parameters)
        {
            parameter.Dispose();
        }

        _input.Dispose();
        _targets.Dispose();
    }

    protected abstract Tensor Forward(Tensor input);

    protected abstract Tensor Loss(Tensor output, Tensor targets);

    protected Parameter AddParameter(float[] values, params long[] shape)
    {
        var parameter = new Parameter(torch.tensor(values, shape), requires_grad: true);
        _parameters.Add(parameter);
        return parameter;
    }

    protected void UseSgd(float learningRate, float momentum) =>
        _optimizer = optim.SGD(_parameters, learningRate, momentum);
}

/// <summary>XOR 2-8-1 (tanh, sigmoid), mean squared error, plain SGD.</summary>
internal sealed class TorchXor : TorchNetwork
{
    private readonly Parameter _w1, _b1, _w2, _b2;

    public TorchXor(XorWeights weights)
        : base(1, XorWeights.Input(), [4, XorWeights.Inputs], torch.tensor(XorWeights.Target(), [4, XorWeights.Outputs]))
    {
        _w1 = AddParameter(weights.Fc1.Weight, XorWeights.Hidden, XorWeights.Inputs);
        _b1 = AddParameter(weights.Fc1.Bias, XorWeights.Hidden);
        _w2 = AddParameter(weights.Fc2.Weight, XorWeights.Outputs, XorWeights.Hidden);
        _b2 = AddParameter(weights.Fc2.Bias, XorWeights.Outputs);
        UseSgd(Hyper.XorLearningRate, 0f);
    }

    protected override Tensor Forward(Tensor input) =>
        F.sigmoid(F.linear(F.tanh(F.linear(input, _w1, _b1)), _w2, _b2)); // [4, 1]

    protected override Tensor Loss(Tensor output, Tensor targets) => F.mse_loss(output, targets);
}

/// <summary>MLP 784-128-10 (ReLU), softmax cross-entropy, SGD with momentum.</summary>
internal sealed class TorchMlp : TorchNetwork
{
    private readonly Parameter _w1, _b1, _w2, _b2;

    public TorchMlp(MlpWeights weights, float[] input, int[] labels, int threads)
        : base(threads, input, [labels.Length, MlpWeights.Inputs], Labels(labels))
    {
        _w1 = AddParameter(weights.Fc1.Weight, MlpWeights.Hidden, MlpWeights.Inputs);
        _b1 = AddParameter(weights.Fc1.Bias, MlpWeights.Hidden);
        _w2 = AddParameter(weights.Fc2.Weight, MlpWeights.Classes, MlpWeights.Hidden);
        _b2 = AddParameter(weights.Fc2.Bias, MlpWeights.Classes);
        UseSgd(Hyper.LearningRate, Hyper.Momentum);
    }

    internal static Tensor Labels(int[] labels) =>
        torch.tensor(Array.ConvertAll(labels, label => (long)label), [labels.Length]);

    protected override Tensor Forward(Tensor input) =>
        F.linear(F.relu(F.linear(input, _w1, _b1)), _w2, _b2); // [batch, 10]

    protected override Tensor Loss(Tensor output, Tensor targets) => F.cross_entropy(output, targets);
}

/// <summary>LeNet-5 (valid convolutions, fc1 with 256 inputs), softmax cross-entropy, SGD with momentum.</summary>
internal sealed class TorchLeNet : TorchNetwork
{
    private readonly Parameter _c1w, _c1b, _c2w, _c2b, _f1w, _f1b, _f2w, _f2b, _f3w, _f3b;

    public TorchLeNet(LeNetWeights weights, float[] input, int[] labels, int threads)
        : base(threads, input, [labels.Length, LeNetWeights.Channels, LeNetWeights.Height, LeNetWeights.Width], TorchMlp.Labels(labels))
    {
        _c1w = AddParameter(weights.Conv1.Weight, 6, 1, 5, 5);
        _c1b = AddParameter(weights.Conv1.Bias, 6);
        _c2w = AddParameter(weights.Conv2.Weight, 16, 6, 5, 5);
        _c2b = AddParameter(weights.Conv2.Bias, 16);
        _f1w = AddParameter(weights.Fc1.Weight, 120, 256);
        _f1b = AddParameter(weights.Fc1.Bias, 120);
        _f2w = AddParameter(weights.Fc2.Weight, 84, 120);
        _f2b = AddParameter(weights.Fc2.Bias, 84);
        _f3w = AddParameter(weights.Fc3.Weight, 10, 84);
        _f3b = AddParameter(weights.Fc3.Bias, 10);
        UseSgd(Hyper.LearningRate, Hyper.Momentum);
    }

    protected override Tensor Forward(Tensor input)
    {
        Tensor x = F.max_pool2d(F.relu(F.conv2d(input, _c1w, _c1b)), 2); // [batch, 6, 12, 12]
        x = F.max_pool2d(F.relu(F.conv2d(x, _c2w, _c2b)), 2); // [batch, 16, 4, 4]
        x = x.flatten(1); // [batch, 256]
        x = F.relu(F.linear(x, _f1w, _f1b)); // [batch, 120]
        x = F.relu(F.linear(x, _f2w, _f2b)); // [batch, 84]
        return F.linear(x, _f3w, _f3b); // [batch, 10]
    }

    protected override Tensor Loss(Tensor output, Tensor targets) => F.cross_entropy(output, targets);
}
