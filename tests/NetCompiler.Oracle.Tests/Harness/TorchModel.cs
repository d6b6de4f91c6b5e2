using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetCompiler.Oracle.Tests;

/// <summary>Output, loss and parameter gradients of one forward and backward pass in LibTorch.</summary>
/// <param name="Output">Network outputs, <c>[batch, outputSize]</c> flat.</param>
/// <param name="Loss">Mean loss over the batch, as PyTorch's default <c>reduction='mean'</c>.</param>
/// <param name="Gradients">Gradient of <paramref name="Loss"/> per parameter name, flat in PyTorch layout.</param>
public sealed record TorchPass(float[] Output, float Loss, IReadOnlyDictionary<string, float[]> Gradients)
{
    /// <summary>The gradients concatenated in the order of <paramref name="layout"/> (e.g. an <see cref="INetwork.ParameterLayout"/>).</summary>
    public float[] Flatten(IReadOnlyList<ParameterInfo> layout)
    {
        int length = 0;
        foreach (ParameterInfo info in layout)
        {
            length = Math.Max(length, info.Offset + info.Length);
        }

        var flat = new float[length];
        foreach (ParameterInfo info in layout)
        {
            if (!Gradients.TryGetValue(info.Name, out float[]? gradient))
            {
                throw new ArgumentException($"LibTorch has no parameter '{info.Name}'; it has {string.Join(", ", Gradients.Keys)}.", nameof(layout));
            }

            if (gradient.Length != info.Length)
            {
                throw new ArgumentException($"Parameter '{info.Name}': layout says {info.Length} elements {info.ShapeText}, LibTorch has {gradient.Length}.", nameof(layout));
            }

            gradient.CopyTo(flat, info.Offset);
        }

        return flat;
    }
}

/// <summary>
/// An <c>nn.Sequential</c> in LibTorch (float32) with helpers to set weights, run forward and backward, and train,
/// all over flat float arrays in PyTorch layout. Not thread-safe; dispose it.
/// </summary>
public sealed class TorchModel : IDisposable
{
    private readonly Sequential _module;
    private readonly Dictionary<string, Parameter> _parameters = [];

    internal TorchModel(Sequential module, int[] inputShape, IReadOnlyList<int> linearIndices)
    {
        _module = module;
        InputShape = inputShape;
        LinearIndices = linearIndices;

        var layout = new List<ParameterInfo>();
        int offset = 0;
        foreach ((string name, Parameter parameter) in module.named_parameters())
        {
            int[] shape = Array.ConvertAll(parameter.shape, d => checked((int)d));
            var info = new ParameterInfo(name, offset, shape);
            layout.Add(info);
            _parameters.Add(name, parameter);
            offset += info.Length;
        }

        ParameterLayout = layout;
        ParameterCount = offset;
        InputSize = SizeOf(inputShape);

        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            long[] probeShape = [1, .. Array.ConvertAll(inputShape, d => (long)d)];
            Tensor probe = _module.forward(torch.zeros(probeShape));
            OutputShape = Array.ConvertAll(probe.shape[1..], d => checked((int)d));
        }

        OutputSize = SizeOf(OutputShape);
    }

    /// <summary>Shape of one input sample.</summary>
    public int[] InputShape { get; }

    /// <summary>Shape of one output sample.</summary>
    public int[] OutputShape { get; }

    /// <summary>Elements of one input sample.</summary>
    public int InputSize { get; }

    /// <summary>Elements of one output sample.</summary>
    public int OutputSize { get; }

    /// <summary>Total number of parameters.</summary>
    public int ParameterCount { get; }

    /// <summary>Names (<c>0.weight</c>, ...), offsets into <see cref="GetParameters"/> and shapes, in <c>named_parameters()</c> order.</summary>
    public IReadOnlyList<ParameterInfo> ParameterLayout { get; }

    /// <summary>Sequential indices of the Linear modules, first to last.</summary>
    public IReadOnlyList<int> LinearIndices { get; }

    /// <summary>The underlying module, for tests that need LibTorch directly.</summary>
    public Sequential Module => _module;

    /// <summary>All parameters, flat, in <see cref="ParameterLayout"/> order.</summary>
    public float[] GetParameters()
    {
        var flat = new float[ParameterCount];
        foreach (ParameterInfo info in ParameterLayout)
        {
            GetParameter(info.Name).CopyTo(flat, info.Offset);
        }

        return flat;
    }

    /// <summary>Overwrites all parameters from a flat buffer in <see cref="ParameterLayout"/> order.</summary>
    public void SetParameters(ReadOnlySpan<float> flat)
    {
        if (flat.Length != ParameterCount)
        {
            throw new ArgumentException($"Expected {ParameterCount} parameters, got {flat.Length}.", nameof(flat));
        }

        foreach (ParameterInfo info in ParameterLayout)
        {
            SetParameter(info.Name, flat.Slice(info.Offset, info.Length));
        }
    }

    /// <summary>One parameter tensor, flat in PyTorch layout.</summary>
    public float[] GetParameter(string name) => ToArray(Find(name));

    /// <summary>Overwrites one parameter tensor from flat values in PyTorch layout.</summary>
    public void SetParameter(string name, ReadOnlySpan<float> values)
    {
        Parameter parameter = Find(name);
        if (values.Length != parameter.numel())
        {
            throw new ArgumentException($"Parameter '{name}' {ShapeText(parameter.shape)} has {parameter.numel()} elements, got {values.Length}.", nameof(values));
        }

        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            parameter.copy_(torch.tensor(values.ToArray(), parameter.shape));
        }
    }

    /// <summary>Copies every parameter of <paramref name="network"/> into this model by name, checking shapes.</summary>
    public void CopyFrom(INetwork network)
    {
        CheckLayout(network.ParameterLayout);
        ReadOnlySpan<float> parameters = network.Parameters;
        foreach (ParameterInfo info in network.ParameterLayout)
        {
            SetParameter(info.Name, parameters.Slice(info.Offset, info.Length));
        }
    }

    /// <summary>Copies every parameter of this model into <paramref name="network"/> by name, checking shapes.</summary>
    public void CopyTo(INetwork network)
    {
        CheckLayout(network.ParameterLayout);
        Span<float> parameters = network.Parameters;
        foreach (ParameterInfo info in network.ParameterLayout)
        {
            GetParameter(info.Name).CopyTo(parameters.Slice(info.Offset, info.Length));
        }
    }

    /// <summary>All parameters in the order of another layout, e.g. to compare with an <see cref="INetwork.Parameters"/>.</summary>
    public float[] GetParameters(IReadOnlyList<ParameterInfo> layout)
    {
        CheckLayout(layout);
        var flat = new float[layout.Sum(p => p.Length)];
        foreach (ParameterInfo info in layout)
        {
            GetParameter(info.Name).CopyTo(flat, info.Offset);
        }

        return flat;
    }

    /// <summary>Inference on <c>input.Length / InputSize</c> samples; returns <c>[batch, OutputSize]</c> flat.</summary>
    public float[] Forward(ReadOnlySpan<float> input)
    {
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            return ToArray(_module.forward(InputTensor(input)));
        }
    }

    /// <summary>Forward, loss against float targets (<c>[batch, OutputSize]</c>) and backward.</summary>
    public TorchPass Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, LossKind loss)
    {
        using (torch.NewDisposeScope())
        {
            Tensor target = TargetTensor(input, targets);
            return Backward(input, output => Loss(output, target, loss));
        }
    }

    /// <summary>Forward, softmax cross-entropy against class labels (<c>[batch]</c>, as int64) and backward.</summary>
    public TorchPass Backward(ReadOnlySpan<float> input, ReadOnlySpan<int> labels)
    {
        using (torch.NewDisposeScope())
        {
            Tensor target = LabelTensor(input, labels);
            return Backward(input, output => nn.functional.cross_entropy(output, target));
        }
    }

    /// <summary>
    /// Runs <paramref name="steps"/> optimizer steps on one fixed batch with float targets; returns the loss before
    /// each step (what a <c>TrainStep</c> returns). The trained weights stay in the model.
    /// </summary>
    public float[] Train(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, LossKind loss, OptimizerAttribute optimizer, int steps)
    {
        using TorchTrainer trainer = CreateTrainer(optimizer);
        var losses = new float[steps];
        for (int i = 0; i < steps; i++)
        {
            losses[i] = trainer.Step(input, targets, loss);
        }

        return losses;
    }

    /// <summary>As the float-target overload, for softmax cross-entropy on class labels.</summary>
    public float[] Train(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, OptimizerAttribute optimizer, int steps)
    {
        using TorchTrainer trainer = CreateTrainer(optimizer);
        var losses = new float[steps];
        for (int i = 0; i < steps; i++)
        {
            losses[i] = trainer.Step(input, labels);
        }

        return losses;
    }

    /// <summary>
    /// A LibTorch optimizer over this model with the hyperparameters of a NetCompiler optimizer attribute, for
    /// training over several batches. Its state lives until it is disposed.
    /// </summary>
    public TorchTrainer CreateTrainer(OptimizerAttribute optimizer) => new(this, CreateOptimizer(optimizer));

    /// <inheritdoc />
    public void Dispose() => _module.Dispose();

    internal float TrainStep(optim.Optimizer optimizer, ReadOnlySpan<float> input, Func<Tensor, Tensor> lossOf)
    {
        using (torch.NewDisposeScope())
        {
            optimizer.zero_grad();
            Tensor loss = lossOf(_module.forward(InputTensor(input)));
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }
    }

    internal Tensor TargetTensor(ReadOnlySpan<float> input, ReadOnlySpan<float> targets)
    {
        int batch = BatchOf(input);
        if (targets.Length != batch * OutputSize)
        {
            throw new ArgumentException($"Expected {batch} x {OutputSize} = {batch * OutputSize} targets, got {targets.Length}.", nameof(targets));
        }

        long[] shape = [batch, .. Array.ConvertAll(OutputShape, d => (long)d)];
        return torch.tensor(targets.ToArray(), shape);
    }

    internal Tensor LabelTensor(ReadOnlySpan<float> input, ReadOnlySpan<int> labels)
    {
        int batch = BatchOf(input);
        if (labels.Length != batch)
        {
            throw new ArgumentException($"Expected {batch} labels, got {labels.Length}.", nameof(labels));
        }

        long[] values = new long[batch];
        for (int i = 0; i < batch; i++)
        {
            if ((uint)labels[i] >= (uint)OutputSize)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} at {i} is outside [0, {OutputSize}).");
            }

            values[i] = labels[i];
        }

        return torch.tensor(values, [batch]);
    }

    /// <summary>The loss of <paramref name="output"/>, mean over the batch as PyTorch's default reduction.</summary>
    internal static Tensor Loss(Tensor output, Tensor target, LossKind loss) => loss switch
    {
        LossKind.MeanSquaredError => nn.functional.mse_loss(output, target),

        // BCELoss takes probabilities: the model must end in Sigmoid.
        LossKind.BinaryCrossEntropy => nn.functional.binary_cross_entropy(output, target),

        // max(0, -y z) with y = 2t - 1, mean over all outputs.
        LossKind.Perceptron => nn.functional.relu(-(target * 2 - 1) * output).mean(),
        _ => throw new ArgumentException($"Loss {loss} needs class labels: use the labels overload.", nameof(loss)),
    };

    private TorchPass Backward(ReadOnlySpan<float> input, Func<Tensor, Tensor> lossOf)
    {
        _module.zero_grad();
        Tensor output = _module.forward(InputTensor(input));
        Tensor loss = lossOf(output);
        loss.backward();

        var gradients = new Dictionary<string, float[]>();
        foreach ((string name, Parameter parameter) in _parameters)
        {
            // A parameter that does not reach the loss has no grad tensor; its gradient is zero.
            gradients.Add(name, parameter.grad is Tensor grad ? ToArray(grad) : new float[parameter.numel()]);
        }

        return new TorchPass(ToArray(output.detach()), loss.item<float>(), gradients);
    }

    private optim.Optimizer CreateOptimizer(OptimizerAttribute optimizer)
    {
        IEnumerable<Parameter> parameters = _module.parameters();
        return optimizer switch
        {
            SgdAttribute sgd => optim.SGD(parameters, sgd.LearningRate, momentum: sgd.Momentum, dampening: 0, weight_decay: sgd.WeightDecay, nesterov: sgd.Nesterov),
            AdamAttribute adam => optim.Adam(parameters, adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay),
            AdagradAttribute adagrad => optim.Adagrad(parameters, adagrad.LearningRate, lr_decay: 0, weight_decay: adagrad.WeightDecay, initial_accumulator_value: 0, eps: adagrad.Epsilon),
            _ => throw new ArgumentException($"Unsupported optimizer {optimizer.GetType().Name}: expected Sgd, Adam or Adagrad.", nameof(optimizer)),
        };
    }

    private Tensor InputTensor(ReadOnlySpan<float> input)
    {
        int batch = BatchOf(input);
        long[] shape = [batch, .. Array.ConvertAll(InputShape, d => (long)d)];
        return torch.tensor(input.ToArray(), shape);
    }

    private int BatchOf(ReadOnlySpan<float> input)
    {
        if (input.Length == 0 || input.Length % InputSize != 0)
        {
            throw new ArgumentException($"Input of {input.Length} floats is not a positive multiple of the sample size {InputSize} {ShapeText(InputShape)}.", nameof(input));
        }

        return input.Length / InputSize;
    }

    private Parameter Find(string name) =>
        _parameters.TryGetValue(name, out Parameter? parameter)
            ? parameter
            : throw new ArgumentException($"No parameter '{name}'; the model has {string.Join(", ", _parameters.Keys)}.", nameof(name));

    private void CheckLayout(IReadOnlyList<ParameterInfo> layout)
    {
        if (layout.Count != ParameterLayout.Count)
        {
            throw new ArgumentException(
                $"Expected {ParameterLayout.Count} parameter tensors ({string.Join(", ", ParameterLayout.Select(p => p.Name))}), got {layout.Count} ({string.Join(", ", layout.Select(p => p.Name))}).",
                nameof(layout));
        }

        foreach (ParameterInfo info in layout)
        {
            Parameter parameter = Find(info.Name);
            int[] shape = Array.ConvertAll(parameter.shape, d => (int)d);
            if (!shape.AsSpan().SequenceEqual(info.Shape))
            {
                throw new ArgumentException($"Parameter '{info.Name}': expected shape {ShapeText(parameter.shape)} (LibTorch), got {info.ShapeText}.", nameof(layout));
            }
        }
    }

    private static float[] ToArray(Tensor tensor) => tensor.contiguous().data<float>().ToArray();

    private static int SizeOf(int[] shape)
    {
        int size = 1;
        foreach (int d in shape)
        {
            size *= d;
        }

        return size;
    }

    private static string ShapeText(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    private static string ShapeText(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";
}

/// <summary>A LibTorch optimizer bound to a <see cref="TorchModel"/>; each step is zero_grad, forward, loss, backward, step.</summary>
public sealed class TorchTrainer : IDisposable
{
    private readonly TorchModel _model;
    private readonly optim.Optimizer _optimizer;

    internal TorchTrainer(TorchModel model, optim.Optimizer optimizer)
    {
        _model = model;
        _optimizer = optimizer;
    }

    /// <summary>One step on float targets; returns the loss before the update.</summary>
    public float Step(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, LossKind loss)
    {
        using (torch.NewDisposeScope())
        {
            Tensor target = _model.TargetTensor(input, targets);
            return _model.TrainStep(_optimizer, input, output => TorchModel.Loss(output, target, loss));
        }
    }

    /// <summary>One softmax cross-entropy step on class labels; returns the loss before the update.</summary>
    public float Step(ReadOnlySpan<float> input, ReadOnlySpan<int> labels)
    {
        using (torch.NewDisposeScope())
        {
            Tensor target = _model.LabelTensor(input, labels);
            return _model.TrainStep(_optimizer, input, output => nn.functional.cross_entropy(output, target));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _optimizer.Dispose();
}
