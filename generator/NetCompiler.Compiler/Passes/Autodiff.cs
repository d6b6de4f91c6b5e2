using System.Collections.Generic;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Ops;

namespace NetCompiler.Compiler.Passes;

/// <summary>
/// Reverse-mode differentiation: walks the forward nodes backwards and appends each op's gradient nodes
/// (its rule lives in its op file). Gradients of the network input are not computed.
/// </summary>
internal static class Autodiff
{
    public static Graph Run(Graph forward)
    {
        if (forward.Target < 0) return forward;
        var ctx = new Context(new GraphBuilder(forward), forward.Input);
        for (int i = forward.Nodes.Count - 1; i >= 0; i--)
        {
            var node = forward.Nodes[i];
            switch (node.Op)
            {
                case OpKind.Loss: LossOp.Backward(ctx, node); break;
                case OpKind.Dense: DenseOp.Backward(ctx, node); break;
                case OpKind.Activation: ActivationOp.Backward(ctx, node); break;
                case OpKind.Softmax: SoftmaxOp.Backward(ctx, node); break;
                case OpKind.Conv2D: Conv2DOp.Backward(ctx, node); break;
                case OpKind.MaxPool2D: MaxPool2DOp.Backward(ctx, node); break;
                case OpKind.AvgPool2D: AvgPool2DOp.Backward(ctx, node); break;
                case OpKind.Flatten: FlattenOp.Backward(ctx, node); break;
                case OpKind.Dropout: DropoutOp.Backward(ctx, node); break;
                default: throw new System.InvalidOperationException($"No gradient rule for {node.Op}.");
            }
        }
        return ctx.Builder.Build(forward.Input, forward.Output, forward.Target, forward.ForwardNodeCount);
    }

    internal sealed class Context(GraphBuilder builder, int input)
    {
        private readonly Dictionary<int, int> _gradients = new();

        public GraphBuilder Builder { get; } = builder;

        public bool NeedsGradient(int tensor) => tensor != input;

        /// <summary>Creates the gradient tensor of <paramref name="tensor"/>. Chains have one consumer per tensor, so each gradient is written once.</summary>
        public int CreateGradient(int tensor)
        {
            var t = Builder.Tensors[tensor];
            if (_gradients.ContainsKey(tensor))
                throw new System.InvalidOperationException($"Tensor '{t.Name}' has several consumers; gradient accumulation is not supported yet.");
            int id = Builder.AddTensor("d" + t.Name, t.Shape, TensorKind.Gradient);
            _gradients.Add(tensor, id);
            return id;
        }

        public int GradientOf(int tensor) => _gradients[tensor];

        public void Emit(Node node) => Builder.AddNode(node);
    }
}
