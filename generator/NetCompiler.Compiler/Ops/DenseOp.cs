using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Ops;

/// <summary>
/// Dense (PyTorch <c>nn.Linear</c>): <c>y[b, o] = Σ_i x[b, i] · W[o, i] + bias[o]</c>, weight <c>[out, in]</c>.
/// Backward: <c>dX = dY · W</c>, <c>dW = dYᵀ · X</c>, <c>dBias = Σ_b dY</c>.
/// </summary>
internal static class DenseOp
{
    public static int Lower(GraphBuilder g, LayerSpec spec, int layer, string name, int input, bool nextIsReLU)
    {
        var x = g.Tensors[input];
        if (spec.Units <= 0)
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.InvalidLayerArgument, layer, "Dense", "units", spec.Units.ToString(System.Globalization.CultureInfo.InvariantCulture), "a positive number of output features"));
        int inFeatures = x.Size;
        // He initialization keeps ReLU activations' variance constant; Xavier suits the saturating ones.
        var init = nextIsReLU ? ParameterInit.HeUniform : ParameterInit.XavierUniform;
        int w = g.AddParameter(name + ".weight", EquatableArray.Of(spec.Units, inFeatures), init, inFeatures, spec.Units);
        var parameters = spec.Bias
            ? EquatableArray.Of(w, g.AddParameter(name + ".bias", EquatableArray.Of(spec.Units), ParameterInit.Zeros, inFeatures, spec.Units))
            : EquatableArray.Of(w);
        int y = g.AddTensor(name, EquatableArray.Of(spec.Units), TensorKind.Activation);
        g.AddNode(new Node(OpKind.Dense, name, layer, EquatableArray.Of(input), EquatableArray.Of(y), parameters));
        return y;
    }

    public static void Backward(Autodiff.Context ctx, Node node)
    {
        int x = node.Inputs[0], y = node.Outputs[0];
        int dY = ctx.GradientOf(y);
        if (ctx.NeedsGradient(x))
        {
            int dX = ctx.CreateGradient(x);
            ctx.Emit(new Node(OpKind.DenseGradInput, node.Name, node.Layer, EquatableArray.Of(dY), EquatableArray.Of(dX), EquatableArray.Of(node.Parameters[0])));
        }
        ctx.Emit(new Node(OpKind.DenseGradParams, node.Name, node.Layer, EquatableArray.Of(dY, x), EquatableArray<int>.Empty, node.Parameters));
    }
}
