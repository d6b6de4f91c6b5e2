using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;
using NetCompiler.Compiler.Ptx;

namespace NetCompiler.Compiler.Emit;

/// <summary>One kernel argument of a launch.</summary>
public sealed record GpuArgument(GpuArgumentKind Kind, GpuBuffer Buffer = GpuBuffer.Parameters, int Offset = 0)
{
    public static GpuArgument Pointer(GpuBuffer buffer, int offset = 0) => new(GpuArgumentKind.Pointer, buffer, offset);

    public static GpuArgument Scalar(GpuArgumentKind kind) => new(kind);

    /// <summary>The dropout key of the layer at position <paramref name="layer"/> among the layer attributes.</summary>
    public static GpuArgument DropoutKey(int layer) => new(GpuArgumentKind.DropoutKey, Offset: layer);

    public override string ToString() => Kind == GpuArgumentKind.Pointer
        ? (Offset == 0 ? Buffer.ToString() : FormattableString.Invariant($"{Buffer}+{Offset}{(Buffer == GpuBuffer.Arena ? "*capacity" : "")}"))
        : Kind == GpuArgumentKind.DropoutKey ? FormattableString.Invariant($"DropoutKey({Offset})") : Kind.ToString();
}

/// <summary>One launch of the plan: a kernel of the module and its arguments in parameter order.</summary>
public sealed record GpuStep(PtxKernel Kernel, EquatableArray<GpuArgument> Arguments);

/// <summary>
/// Everything the GPU execution of a network needs, decided at compile time: the PTX module and the launches of
/// forward, backward (loss included) and the optimizer update, with their arguments as buffer offsets.
/// </summary>
public sealed record GpuProgram(
    PtxModule Module,
    EquatableArray<GpuStep> Forward,
    EquatableArray<GpuStep> Backward,
    EquatableArray<GpuStep> Update,
    EquatableArray<GpuLayerOutput> LayerOutputs,
    int OutputOffset,
    int OptimizerStateBuffers)
{
    /// <summary>The launch plan as text: one line per launch with grid, block, shared memory and arguments.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        void Section(string title, EquatableArray<GpuStep> steps)
        {
            if (steps.Count == 0) return;
            sb.Append(title).Append('\n');
            foreach (var s in steps)
            {
                var l = s.Kernel.Launch;
                sb.Append(FormattableString.Invariant($"  {s.Kernel.Name,-28} grid ({l.GridX}, {l.GridY}) block {l.BlockX} shared {l.SharedMemoryBytes}: "))
                  .Append(string.Join(", ", s.Arguments.Select(a => a.ToString()))).Append('\n');
            }
        }
        Section("forward", Forward);
        Section("backward", Backward);
        Section("update", Update);
        return sb.ToString();
    }
}

/// <summary>An op the PTX emitter has no kernel for; the network then gets no GPU code (diagnostic NC2001).</summary>
public sealed class PtxUnsupportedException(string op) : Exception($"op {op} has no PTX kernel yet")
{
    public string Op { get; } = op;
}

/// <summary>
/// Maps each node of the fused graph (the same nodes <see cref="CSharpEmitter"/> walks) to a PTX kernel and a launch
/// whose pointers are the memory plan's offsets, so the GPU runs exactly the CPU's schedule.
/// </summary>
public static class PtxEmitter
{
    public static GpuProgram Emit(NetworkSpec spec, Graph graph, MemoryPlan plan)
    {
        var kernels = new List<PtxKernel>();
        var forward = new List<GpuStep>();
        var backward = new List<GpuStep>();
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var steps = i < graph.ForwardNodeCount ? forward : backward;
            foreach (var step in Lower(graph, plan, graph.Nodes[i]))
            {
                kernels.Add(step.Kernel);
                steps.Add(step);
            }
        }

        // The GPU executor copies the output out of the arena; a network whose output is a view of its input (a lone
        // Flatten) has nothing there, and nothing to run on a device either.
        if (!plan.Arena.Any(s => s.Tensor == graph.Output))
            throw new PtxUnsupportedException("an output that is a view of the input");

        var update = new List<GpuStep>();
        int stateBuffers = 0;
        if (spec.Optimizer is { } o && graph.Target >= 0)
        {
            stateBuffers = Kernels.OptimizerKernels.StateBuffers(o);
            var step = Optimizer(o, plan.ParameterCount);
            kernels.Add(step.Kernel);
            update.Add(step);
        }

        var outputs = graph.Nodes.Take(graph.ForwardNodeCount).Where(n => !n.IsView)
            .Select(n => new GpuLayerOutput(n.Name + " (" + n.Op + (n.Activation == ActivationKind.Identity ? "" : ", " + n.Activation) + ")", plan.SlotOf(n.Outputs[0]).Offset, graph.Tensor(n.Outputs[0]).Size))
            .ToEquatableArray();
        return new GpuProgram(
            PtxModule.Create(kernels),
            forward.ToEquatableArray(),
            backward.ToEquatableArray(),
            update.ToEquatableArray(),
            outputs,
            plan.SlotOf(graph.Output).Offset,
            stateBuffers);
    }

    // Every loss but softmax cross-entropy reads the last layer's post-activation output and fuses that activation's derivative.
    private static PtxKernel LossKernel(string name, LossKind loss, ActivationKind activation, int features)
    {
        if (loss == LossKind.BinaryCrossEntropy && activation != ActivationKind.Sigmoid)
        {
            throw new ArgumentException($"Binary cross-entropy needs a sigmoid output, but the activation is {activation}.", nameof(activation));
        }

        return loss switch
        {
            LossKind.SoftmaxCrossEntropy => LossKernels.SoftmaxCrossEntropy(name, features),
            LossKind.MeanSquaredError => LossKernels.MeanSquaredError(name, features, ToPtx(activation)),
            LossKind.BinaryCrossEntropy => LossKernels.BinaryCrossEntropy(name, features),
            LossKind.Perceptron => LossKernels.Perceptron(name, features, ToPtx(activation)),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
        };
    }

    internal static PtxActivation ToPtx(ActivationKind activation) => activation switch
    {
        ActivationKind.Identity => PtxActivation.Identity,
        ActivationKind.ReLU => PtxActivation.Relu,
        ActivationKind.Sigmoid => PtxActivation.Sigmoid,
        ActivationKind.Tanh => PtxActivation.Tanh,
        _ => throw new PtxUnsupportedException(activation + " as an elementwise activation"),
    };

    private static IEnumerable<GpuStep> Lower(Graph graph, MemoryPlan plan, Node n)
    {
        string name = Names.Kernel(n);
        var w = n.Parameters.Count > 0 ? graph.Parameters[n.Parameters[0]] : null;
        // A view (Flatten) addresses the memory of the tensor it reinterprets, which may be the input.
        GpuArgument T(int tensor) => graph.Tensor(graph.Storage(tensor)).Kind switch
        {
            TensorKind.Input => GpuArgument.Pointer(GpuBuffer.Input),
            TensorKind.Target => GpuArgument.Pointer(GpuBuffer.Targets),
            _ => GpuArgument.Pointer(GpuBuffer.Arena, plan.SlotOf(tensor).Offset),
        };
        GpuArgument P(int parameter, bool gradient) =>
            GpuArgument.Pointer(gradient ? GpuBuffer.Gradients : GpuBuffer.Parameters, plan.Of(parameter).Offset);
        var batch = GpuArgument.Scalar(GpuArgumentKind.Batch);
        GpuStep Step(PtxKernel kernel, params GpuArgument[] arguments) => new(kernel, arguments.ToEquatableArray());

        switch (n.Op)
        {
            case OpKind.Dense:
            {
                bool bias = n.Parameters.Count > 1;
                var kernel = GemmKernels.Forward(name, w!.Shape[1], w.Shape[0], ToPtx(n.Activation), bias);
                yield return bias
                    ? Step(kernel, T(n.Inputs[0]), P(n.Parameters[0], false), P(n.Parameters[1], false), batch, T(n.Outputs[0]))
                    : Step(kernel, T(n.Inputs[0]), P(n.Parameters[0], false), batch, T(n.Outputs[0]));
                break;
            }
            case OpKind.Activation:
                yield return Step(ElementwiseKernels.ActivationForward(name, graph.Tensor(n.Inputs[0]).Size, ToPtx(n.Activation)), T(n.Inputs[0]), batch, T(n.Outputs[0]));
                break;
            case OpKind.Softmax:
                yield return Step(SoftmaxKernels.SoftmaxForward(name, graph.Tensor(n.Inputs[0]).Size), T(n.Inputs[0]), batch, T(n.Outputs[0]));
                break;
            case OpKind.LossGrad:
            {
                int features = graph.Tensor(n.Inputs[0]).Size;
                var kernel = LossKernel(name, n.Loss, n.Activation, features);
                yield return Step(kernel, T(n.Inputs[0]), T(n.Inputs[1]), batch, GpuArgument.Pointer(GpuBuffer.RowLoss), T(n.Outputs[0]));
                yield return Step(LossKernels.MeanLoss("MeanLoss"), GpuArgument.Pointer(GpuBuffer.RowLoss), batch, GpuArgument.Pointer(GpuBuffer.Loss));
                break;
            }
            case OpKind.ActivationGrad:
                yield return Step(ElementwiseKernels.ActivationBackward(name, graph.Tensor(n.Inputs[0]).Size, ToPtx(n.Activation)), T(n.Inputs[0]), T(n.Inputs[1]), batch, T(n.Outputs[0]));
                break;
            case OpKind.SoftmaxGrad:
                yield return Step(SoftmaxKernels.SoftmaxBackward(name, graph.Tensor(n.Inputs[0]).Size), T(n.Inputs[0]), T(n.Inputs[1]), batch, T(n.Outputs[0]));
                break;
            case OpKind.DenseGradInput:
            {
                var kernel = GemmKernels.BackwardInput(name, w!.Shape[1], w.Shape[0], ToPtx(n.Activation));
                yield return n.Activation == ActivationKind.Identity
                    ? Step(kernel, T(n.Inputs[0]), P(n.Parameters[0], false), batch, T(n.Outputs[0]))
                    : Step(kernel, T(n.Inputs[0]), P(n.Parameters[0], false), T(n.Inputs[1]), batch, T(n.Outputs[0]));
                break;
            }
            case OpKind.DenseGradParams:
            {
                bool bias = n.Parameters.Count > 1;
                var kernel = GemmKernels.BackwardWeight(name, w!.Shape[1], w.Shape[0], bias);
                yield return bias
                    ? Step(kernel, T(n.Inputs[0]), T(n.Inputs[1]), batch, P(n.Parameters[0], true), P(n.Parameters[1], true))
                    : Step(kernel, T(n.Inputs[0]), T(n.Inputs[1]), batch, P(n.Parameters[0], true));
                break;
            }
            case OpKind.Conv2D when n.Outputs.Count < 2:
                // A 1x1 stride-1 unpadded convolution reads its input as the column matrix on the CPU (no im2col
                // region is planned); the PTX kernels always go through columns.
                throw new PtxUnsupportedException("Conv2D 1x1 without a column buffer");
            case OpKind.Conv2D:
            {
                var shape = ConvShapeOf(graph, n);
                bool bias = n.Parameters.Count > 1;
                yield return Step(ConvKernels.Im2Col(name + "Im2Col", shape), T(n.Inputs[0]), batch, T(n.Outputs[1]));
                var kernel = ConvKernels.Forward(name, shape, ToPtx(n.Activation), bias);
                yield return bias
                    ? Step(kernel, T(n.Outputs[1]), P(n.Parameters[0], false), P(n.Parameters[1], false), batch, T(n.Outputs[0]))
                    : Step(kernel, T(n.Outputs[1]), P(n.Parameters[0], false), batch, T(n.Outputs[0]));
                break;
            }
            case OpKind.Conv2DGradParams:
            {
                var shape = ConvShapeOf(graph, n);
                yield return Step(ConvKernels.BackwardWeight(name + "Weight", shape), T(n.Inputs[0]), T(n.Inputs[1]), batch, P(n.Parameters[0], true));
                if (n.Parameters.Count > 1)
                    yield return Step(ConvKernels.BackwardBias(name + "Bias", shape), T(n.Inputs[0]), batch, P(n.Parameters[1], true));
                break;
            }
            case OpKind.Conv2DGradInput:
            {
                var shape = ConvShapeOf(graph, n);
                yield return Step(ConvKernels.BackwardColumns(name + "Columns", shape), T(n.Inputs[0]), P(n.Parameters[0], false), batch, T(n.Outputs[1]));
                var kernel = ConvKernels.Col2Im(name, shape, ToPtx(n.Activation));
                yield return n.Activation == ActivationKind.Identity
                    ? Step(kernel, T(n.Outputs[1]), batch, T(n.Outputs[0]))
                    : Step(kernel, T(n.Outputs[1]), T(n.Inputs[1]), batch, T(n.Outputs[0]));
                break;
            }
            case OpKind.MaxPool2D:
                yield return Step(PoolKernels.MaxForward(name, PoolShapeOf(graph, n)), T(n.Inputs[0]), batch, T(n.Outputs[0]));
                break;
            case OpKind.AvgPool2D:
                yield return Step(PoolKernels.AvgForward(name, PoolShapeOf(graph, n)), T(n.Inputs[0]), batch, T(n.Outputs[0]));
                break;
            case OpKind.MaxPool2DGrad:
                // The fused derivative reads the activation's output, which is the pool's input x (Inputs[1]).
                yield return Step(PoolKernels.MaxBackward(name, PoolShapeOf(graph, n), ToPtx(n.Activation)), T(n.Inputs[0]), T(n.Inputs[1]), batch, T(n.Outputs[0]));
                break;
            case OpKind.AvgPool2DGrad:
            {
                var kernel = PoolKernels.AvgBackward(name, PoolShapeOf(graph, n), ToPtx(n.Activation));
                yield return n.Activation == ActivationKind.Identity
                    ? Step(kernel, T(n.Inputs[0]), batch, T(n.Outputs[0]))
                    : Step(kernel, T(n.Inputs[0]), T(n.Inputs[1]), batch, T(n.Outputs[0]));
                break;
            }
            case OpKind.Dropout:
                yield return Step(DropoutKernels.Forward(name, graph.Tensor(n.Inputs[0]).Size, n.Rate),
                    T(n.Inputs[0]), GpuArgument.DropoutKey(n.Layer), GpuArgument.Scalar(GpuArgumentKind.Training), batch, T(n.Outputs[0]), T(n.Outputs[1]));
                break;
            case OpKind.DropoutGrad:
            {
                var kernel = DropoutKernels.Backward(name, graph.Tensor(n.Outputs[0]).Size, ToPtx(n.Activation));
                yield return n.Activation == ActivationKind.Identity
                    ? Step(kernel, T(n.Inputs[0]), T(n.Inputs[1]), batch, T(n.Outputs[0]))
                    : Step(kernel, T(n.Inputs[0]), T(n.Inputs[1]), T(n.Inputs[2]), batch, T(n.Outputs[0]));
                break;
            }
            case OpKind.Flatten:
            case OpKind.FlattenGrad:
                // A view: its output shares the input's arena region, so nothing runs.
                break;
            default:
                throw new PtxUnsupportedException(n.Op.ToString());
        }
    }

    /// <summary>The geometry of a Conv2D layer, read from its forward node (backward nodes see only gradients and columns).</summary>
    private static PtxConvShape ConvShapeOf(Graph graph, Node n)
    {
        var f = graph.Nodes.First(f => f.Op == OpKind.Conv2D && f.Layer == n.Layer);
        var x = graph.Tensor(f.Inputs[0]).Shape;
        var y = graph.Tensor(f.Outputs[0]).Shape;
        return new PtxConvShape(x[0], x[1], x[2], y[0], y[1], y[2], f.Window!.Kernel, f.Window.Stride, f.Window.Padding);
    }

    private static PtxPoolShape PoolShapeOf(Graph graph, Node n)
    {
        var f = graph.Nodes.First(f => f.Op is OpKind.MaxPool2D or OpKind.AvgPool2D && f.Layer == n.Layer);
        var x = graph.Tensor(f.Inputs[0]).Shape;
        var y = graph.Tensor(f.Outputs[0]).Shape;
        return new PtxPoolShape(x[0], x[1], x[2], y[1], y[2], f.Window!.Kernel, f.Window.Stride);
    }

    private static GpuStep Optimizer(OptimizerSpec o, int count)
    {
        var grad = GpuArgument.Pointer(GpuBuffer.Gradients);
        var lr = GpuArgument.Scalar(GpuArgumentKind.LearningRate);
        var weight = GpuArgument.Pointer(GpuBuffer.Parameters);
        var state = GpuArgument.Pointer(GpuBuffer.OptimizerState);
        const string Name = "OptimizerStep";
        return o.Kind switch
        {
            OptimizerKind.Sgd when o.Momentum > 0f => new GpuStep(
                Ptx.OptimizerKernels.Sgd(Name, count, o.Momentum, o.WeightDecay, o.Nesterov), EquatableArray.Of(grad, lr, weight, state)),
            OptimizerKind.Sgd => new GpuStep(
                Ptx.OptimizerKernels.Sgd(Name, count, 0f, o.WeightDecay), EquatableArray.Of(grad, lr, weight)),
            OptimizerKind.Adagrad => new GpuStep(
                Ptx.OptimizerKernels.Adagrad(Name, count, o.Epsilon, o.WeightDecay), EquatableArray.Of(grad, lr, weight, state)),
            OptimizerKind.Adam => new GpuStep(
                Ptx.OptimizerKernels.Adam(Name, count, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay),
                EquatableArray.Of(grad, lr, GpuArgument.Scalar(GpuArgumentKind.BiasCorrection1), GpuArgument.Scalar(GpuArgumentKind.BiasCorrection2),
                    weight, state, GpuArgument.Pointer(GpuBuffer.OptimizerState, count))),
            _ => throw new PtxUnsupportedException("optimizer " + o.Kind),
        };
    }

    // The same names as the C# kernels, so a PTX entry is easy to find next to its C# counterpart.

}
