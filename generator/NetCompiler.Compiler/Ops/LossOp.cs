using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Ops;

/// <summary>
/// The losses, each a mean: MSE <c>Σ (y - t)² / N</c>; BCE on a sigmoid output
/// <c>-Σ [t log y + (1 - t) log(1 - y)] / N</c> (logs clamped at -100 as PyTorch's BCELoss);
/// softmax cross-entropy on logits <c>Σ_b [logΣexp(z_b) - z_b,label] / batch</c>; perceptron criterion
/// <c>Σ max(0, -s·z) / N</c> with <c>s = 2t - 1</c>.
/// Gradients: MSE <c>2(y - t)/N</c>; BCE fused with its sigmoid <c>(y - t)/N</c> w.r.t. the logits;
/// softmax cross-entropy <c>(softmax(z) - onehot)/batch</c>; perceptron <c>-s/N</c> where <c>s·z ≤ 0</c>.
/// </summary>
internal static class LossOp
{
    /// <summary>Checks that the loss fits the network's output; <paramref name="lastActivation"/> is the activation of the last layer.</summary>
    public static void Validate(LossKind loss, TensorDef output, ActivationKind lastActivation, int lastActivationLayer, int lossLayer)
    {
        switch (loss)
        {
            case LossKind.SoftmaxCrossEntropy when lastActivation == ActivationKind.Softmax:
                throw new CompileErrorException(CompileError.Create(DiagnosticIds.SoftmaxBeforeCrossEntropy, lastActivationLayer));
            case LossKind.SoftmaxCrossEntropy when output.Size < 2:
                throw new CompileErrorException(CompileError.Create(DiagnosticIds.LossNeedsWiderOutput, lossLayer, "SoftmaxCrossEntropy", output.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), "2 classes"));
            case LossKind.BinaryCrossEntropy when lastActivation != ActivationKind.Sigmoid:
                throw new CompileErrorException(CompileError.Create(DiagnosticIds.LossNeedsActivation, lossLayer, "BinaryCrossEntropy", "Sigmoid", lastActivation.ToString()));
            case LossKind.Perceptron when lastActivation != ActivationKind.Identity:
                throw new CompileErrorException(CompileError.Create(DiagnosticIds.LossNeedsActivation, lossLayer, "Perceptron", "no activation (Identity)", lastActivation.ToString()));
        }
    }

    public static void Lower(GraphBuilder g, LossKind loss, int prediction, int target, int layer) =>
        g.AddNode(new Node(OpKind.Loss, "loss", layer, EquatableArray.Of(prediction, target), EquatableArray<int>.Empty, EquatableArray<int>.Empty, ActivationKind.Identity, loss));

    public static void Backward(Autodiff.Context ctx, Node node)
    {
        int prediction = node.Inputs[0];
        int dPrediction = ctx.CreateGradient(prediction);
        ctx.Emit(new Node(OpKind.LossGrad, "loss", node.Layer, node.Inputs, EquatableArray.Of(dPrediction), EquatableArray<int>.Empty, ActivationKind.Identity, node.Loss));
    }
}
