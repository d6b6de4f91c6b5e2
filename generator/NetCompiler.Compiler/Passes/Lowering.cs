using System.Globalization;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Ops;

namespace NetCompiler.Compiler.Passes;

/// <summary>Spec -> forward graph, with shape inference and declaration checks (each op's rule lives in its op file).</summary>
internal static class Lowering
{
    /// <summary>Error locations that are not layers.</summary>
    public const int ClassLocation = -1, LossLocation = -2, OptimizerLocation = -3;

    public static Graph Run(NetworkSpec spec)
    {
        if (spec.InputShape.Count == 0)
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.MissingInputShape, ClassLocation, spec.ClassName));
        for (int i = 0; i < spec.InputShape.Count; i++)
            if (spec.InputShape[i] <= 0)
                throw new CompileErrorException(CompileError.Create(DiagnosticIds.InvalidLayerArgument, ClassLocation, "Network", "Input", spec.InputShape.ToString(), "positive dimensions"));
        if (spec.Layers.Count == 0)
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.NoLayers, ClassLocation, spec.ClassName));
        ValidateOptimizer(spec);

        var g = new GraphBuilder();
        int input = g.AddTensor("input", spec.InputShape, TensorKind.Input);
        int current = input;
        var lastActivation = ActivationKind.Identity;
        int lastActivationLayer = -1;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            string name = layer.Name ?? i.ToString(CultureInfo.InvariantCulture);
            bool isLast = i == spec.Layers.Count - 1;
            switch (layer.Kind)
            {
                case LayerKind.Dense:
                    // An image computed by a layer (Conv2D, a pool) must be flattened explicitly, so that a forgotten
                    // [Flatten] is an error; the declared network input is read as its row-major features, whatever its shape.
                    if (current != input && g.Tensors[current].Shape.Count != 1)
                        throw new CompileErrorException(CompileError.Create(DiagnosticIds.DenseNeedsFlatInput, i, "[" + string.Join(", ", g.Tensors[current].Shape) + "]"));
                    current = DenseOp.Lower(g, layer, i, name, current, NextIsReLU(spec, i));
                    lastActivation = ActivationKind.Identity;
                    break;
                case LayerKind.Conv2D:
                    current = Conv2DOp.Lower(g, layer, i, name, current, NextIsReLU(spec, i));
                    lastActivation = ActivationKind.Identity;
                    break;
                case LayerKind.MaxPool2D:
                    current = MaxPool2DOp.Lower(g, layer, i, name, current);
                    lastActivation = ActivationKind.Identity;
                    break;
                case LayerKind.AvgPool2D:
                    current = AvgPool2DOp.Lower(g, layer, i, name, current);
                    lastActivation = ActivationKind.Identity;
                    break;
                case LayerKind.Flatten:
                    current = FlattenOp.Lower(g, i, name, current);
                    lastActivation = ActivationKind.Identity;
                    break;
                case LayerKind.Dropout:
                    current = DropoutOp.Lower(g, layer, i, name, current);
                    // The losses fuse the last activation's derivative, so it must produce the output directly.
                    lastActivation = ActivationKind.Identity;
                    break;
                case LayerKind.Activation when layer.Activation == ActivationKind.Softmax:
                    current = SoftmaxOp.Lower(g, layer, i, name, current, isLast);
                    lastActivation = ActivationKind.Softmax;
                    lastActivationLayer = i;
                    break;
                case LayerKind.Activation:
                    bool followsLayer = i > 0 && spec.Layers[i - 1].Kind != LayerKind.Activation;
                    current = ActivationOp.Lower(g, layer, i, name, current, followsLayer);
                    lastActivation = layer.Activation;
                    lastActivationLayer = i;
                    break;
            }
        }

        int forwardCount = g.Nodes.Count;
        int target = -1;
        if (spec.Loss is { } loss)
        {
            // A cast such as (LossKind)7 compiles in an attribute; without this check it would emit code with no loss kernel.
            if (!System.Enum.IsDefined(typeof(LossKind), loss))
                throw new CompileErrorException(CompileError.Create(DiagnosticIds.InvalidLayerArgument, LossLocation, "Loss", "kind", ((int)loss).ToString(CultureInfo.InvariantCulture),
                    "one of " + string.Join(", ", System.Enum.GetNames(typeof(LossKind)))));
            var output = g.Tensors[current];
            LossOp.Validate(loss, output, lastActivation, lastActivationLayer, LossLocation);
            target = loss == LossKind.SoftmaxCrossEntropy
                ? g.AddTensor("labels", EquatableArray.Of(1), TensorKind.Target)
                : g.AddTensor("targets", output.Shape, TensorKind.Target);
            LossOp.Lower(g, loss, current, target, LossLocation);
        }
        else if (spec.Optimizer is not null)
        {
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.OptimizerWithoutLoss, OptimizerLocation, spec.ClassName));
        }

        return g.Build(input, current, target, forwardCount);
    }

    // He initialization keeps ReLU activations' variance constant; Xavier suits the saturating ones.
    private static bool NextIsReLU(NetworkSpec spec, int i) =>
        i + 1 < spec.Layers.Count && spec.Layers[i + 1] is { Kind: LayerKind.Activation, Activation: ActivationKind.ReLU };

    private static void ValidateOptimizer(NetworkSpec spec)
    {
        if (spec.Optimizer is not { } o) return;
        static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        void Fail(string argument, float value, string expected) =>
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.InvalidOptimizerArgument, OptimizerLocation, o.Kind.ToString(), argument, F(value), expected));

        if (!(o.LearningRate > 0f) || float.IsInfinity(o.LearningRate)) Fail("LearningRate", o.LearningRate, "a positive, finite number");
        if (!(o.WeightDecay >= 0f)) Fail("WeightDecay", o.WeightDecay, "zero or a positive number");
        if (!(o.Momentum >= 0f && o.Momentum < 1f)) Fail("Momentum", o.Momentum, "a number in [0, 1)");
        if (o.Nesterov && o.Momentum == 0f) Fail("Momentum", o.Momentum, "a positive momentum, which Nesterov needs");
        if (!(o.Beta1 >= 0f && o.Beta1 < 1f)) Fail("Beta1", o.Beta1, "a number in [0, 1)");
        if (!(o.Beta2 >= 0f && o.Beta2 < 1f)) Fail("Beta2", o.Beta2, "a number in [0, 1)");
        if (!(o.Epsilon > 0f)) Fail("Epsilon", o.Epsilon, "a positive number");
    }
}
