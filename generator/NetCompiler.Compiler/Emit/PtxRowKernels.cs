using System;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Ptx;

namespace NetCompiler.Compiler.Emit;

/// <summary>
/// The PTX counterparts of the C# kernels that the generic builders in <c>Ptx/</c> lack: softmax forward and
/// backward, and the losses that read the last layer's post-activation output and fuse that activation's derivative
/// into the gradient (as <see cref="Kernels.LossKernels"/> does). All are one-warp-per-row kernels, so the per-row
/// losses are reduced by <see cref="LossKernels.MeanLoss"/> in a fixed order, like the other losses.
/// </summary>
public static class PtxRowKernels
{
    private static readonly string NegativeInfinity = PtxFormat.Float(float.NegativeInfinity);
    private static readonly string LogClamp = PtxFormat.Float(-100f);

    /// <summary>
    /// <c>y = exp(x - max) / sum exp(x - max)</c> per row. Parameters: <c>x [batch, features], batch, y [batch, features]</c>.
    /// </summary>
    public static PtxKernel SoftmaxForward(string name, int features)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"softmax forward: y[batch, {features}] = softmax(x[batch, {features}]) per row");
        kernel.Parameter("x", PtxParameterKind.Pointer, $"[batch, {features}]");
        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("y", PtxParameterKind.Pointer, $"[batch, {features}]");
        string x = kernel.LoadPointer("x");
        string batch = kernel.LoadU32("batch");
        string y = kernel.LoadPointer("y");
        LossKernels.RowContext row = LossKernels.EmitRowStart(kernel, batch, features);
        var w = kernel.Body;
        string value = kernel.F32("value");
        string max = kernel.F32("row_max");
        string sum = kernel.F32("row_sum");
        string address = kernel.U64("address");

        w.Comment($"Pass 1: row maximum, so exp never overflows.");
        w.Line($"mov.f32 {max}, {NegativeInfinity};");
        LossKernels.EmitRowLoop(kernel, row, features, "MAX", column =>
        {
            kernel.ElementAddress(address, row.RowStart(x), column);
            w.Line($"ld.global.nc.f32 {value}, [{address}];");
            w.Line($"max.f32 {max}, {max}, {value};");
        });
        LossKernels.EmitWarpReduce(kernel, max, "max.f32");

        w.Comment($"Pass 2: y = exp(x - max), and its row sum.");
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");
        LossKernels.EmitRowLoop(kernel, row, features, "EXP", column =>
        {
            kernel.ElementAddress(address, row.RowStart(x), column);
            w.Line($"ld.global.nc.f32 {value}, [{address}];");
            w.Line($"sub.f32 {value}, {value}, {max};");
            PtxActivationEmitter.Exp(kernel, value, value);
            w.Line($"add.f32 {sum}, {sum}, {value};");
            kernel.ElementAddress(address, row.RowStart(y), column);
            w.Line($"st.global.f32 [{address}], {value};");
        });
        LossKernels.EmitWarpReduce(kernel, sum, "add.f32");

        // Each lane rescales exactly the elements it wrote, so no barrier is needed between the passes.
        w.Comment($"Pass 3: y /= sum.");
        w.Line($"rcp.rn.f32 {sum}, {sum};");
        LossKernels.EmitRowLoop(kernel, row, features, "SCALE", column =>
        {
            kernel.ElementAddress(address, row.RowStart(y), column);
            w.Line($"ld.global.f32 {value}, [{address}];");
            w.Line($"mul.f32 {value}, {value}, {sum};");
            w.Line($"st.global.f32 [{address}], {value};");
        });
        w.Line($"ret;");
        return kernel.Build(LossKernels.RowLaunch(name));
    }

    /// <summary>
    /// <c>dX = y * (dY - sum(dY * y))</c> per row. Parameters: <c>dY [batch, features], y [batch, features], batch, dX [batch, features]</c>.
    /// </summary>
    public static PtxKernel SoftmaxBackward(string name, int features)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"softmax backward: dX[batch, {features}] = y .* (dY - rowsum(dY .* y))");
        kernel.Parameter("dY", PtxParameterKind.Pointer, $"[batch, {features}]");
        kernel.Parameter("y", PtxParameterKind.Pointer, $"[batch, {features}]");
        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("dX", PtxParameterKind.Pointer, $"[batch, {features}]");
        string dY = kernel.LoadPointer("dY");
        string y = kernel.LoadPointer("y");
        string batch = kernel.LoadU32("batch");
        string dX = kernel.LoadPointer("dX");
        LossKernels.RowContext row = LossKernels.EmitRowStart(kernel, batch, features);
        var w = kernel.Body;
        string gradient = kernel.F32("gradient");
        string output = kernel.F32("output");
        string dot = kernel.F32("dot");
        string address = kernel.U64("address");

        w.Comment($"Pass 1: dot = sum(dY * y).");
        w.Line($"mov.f32 {dot}, {PtxActivationEmitter.Zero};");
        LossKernels.EmitRowLoop(kernel, row, features, "DOT", column =>
        {
            kernel.ElementAddress(address, row.RowStart(dY), column);
            w.Line($"ld.global.nc.f32 {gradient}, [{address}];");
            kernel.ElementAddress(address, row.RowStart(y), column);
            w.Line($"ld.global.nc.f32 {output}, [{address}];");
            w.Line($"fma.rn.f32 {dot}, {gradient}, {output}, {dot};");
        });
        LossKernels.EmitWarpReduce(kernel, dot, "add.f32");

        w.Comment($"Pass 2: dX = y * (dY - dot).");
        LossKernels.EmitRowLoop(kernel, row, features, "GRAD", column =>
        {
            kernel.ElementAddress(address, row.RowStart(dY), column);
            w.Line($"ld.global.nc.f32 {gradient}, [{address}];");
            kernel.ElementAddress(address, row.RowStart(y), column);
            w.Line($"ld.global.nc.f32 {output}, [{address}];");
            w.Line($"sub.f32 {gradient}, {gradient}, {dot};");
            w.Line($"mul.f32 {gradient}, {gradient}, {output};");
            kernel.ElementAddress(address, row.RowStart(dX), column);
            w.Line($"st.global.f32 [{address}], {gradient};");
        });
        w.Line($"ret;");
        return kernel.Build(LossKernels.RowLaunch(name));
    }

    /// <summary>
    /// A loss on the post-activation output y with targets, writing each row's loss (its sum over features divided by
    /// the features, so <see cref="LossKernels.MeanLoss"/> gives the mean over all elements) and the gradient of the
    /// mean loss with respect to the pre-activation: MSE <c>2 (y - t) / N * f'(y)</c>; binary cross-entropy on a sigmoid
    /// output <c>(y - t) / N</c> (logs clamped at -100 as PyTorch's BCELoss); perceptron <c>-s / N</c> where <c>s y &lt;= 0</c>, <c>s = 2t - 1</c>.
    /// Parameters: <c>y [batch, features], targets [batch, features], batch, rowLoss [batch], dZ [batch, features]</c>.
    /// </summary>
    public static PtxKernel TargetLoss(string name, LossKind loss, ActivationKind activation, int features)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        if (loss == LossKind.SoftmaxCrossEntropy)
        {
            throw new ArgumentException("Softmax cross-entropy takes labels; use LossKernels.SoftmaxCrossEntropy.", nameof(loss));
        }

        if (loss == LossKind.BinaryCrossEntropy && activation != ActivationKind.Sigmoid)
        {
            throw new ArgumentException($"Binary cross-entropy needs a sigmoid output, but the activation is {activation}.", nameof(activation));
        }

        PtxActivation derivative = PtxEmitter.ToPtx(activation);
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"{loss} loss on y[batch, {features}] after {activation}, and its gradient with respect to the pre-activation");
        kernel.Parameter("y", PtxParameterKind.Pointer, $"[batch, {features}] {activation} output");
        kernel.Parameter("targets", PtxParameterKind.Pointer, $"[batch, {features}]");
        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("rowLoss", PtxParameterKind.Pointer, "[batch]");
        kernel.Parameter("dZ", PtxParameterKind.Pointer, $"[batch, {features}]");
        string y = kernel.LoadPointer("y");
        string targets = kernel.LoadPointer("targets");
        string batch = kernel.LoadU32("batch");
        string rowLoss = kernel.LoadPointer("rowLoss");
        string dZ = kernel.LoadPointer("dZ");
        LossKernels.RowContext row = LossKernels.EmitRowStart(kernel, batch, features);
        var w = kernel.Body;

        string scale = kernel.F32("scale");
        string sum = kernel.F32("row_sum");
        string p = kernel.F32("p");
        string t = kernel.F32("t");
        string elementLoss = kernel.F32("element_loss");
        string gradient = kernel.F32("gradient");
        string address = kernel.U64("address");
        w.Comment($"scale = 1 / (batch * {features}): the gradient is of the mean over all elements.");
        w.Line($"cvt.rn.f32.u32 {scale}, {batch};");
        w.Line($"mul.f32 {scale}, {scale}, {PtxFormat.Float(features)};");
        w.Line($"rcp.rn.f32 {scale}, {scale};");
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");
        LossKernels.EmitRowLoop(kernel, row, features, "ELEMENTS", column =>
        {
            kernel.ElementAddress(address, row.RowStart(y), column);
            w.Line($"ld.global.nc.f32 {p}, [{address}];");
            kernel.ElementAddress(address, row.RowStart(targets), column);
            w.Line($"ld.global.nc.f32 {t}, [{address}];");
            switch (loss)
            {
                case LossKind.MeanSquaredError:
                    w.Line($"sub.f32 {gradient}, {p}, {t};");
                    w.Line($"mul.f32 {elementLoss}, {gradient}, {gradient};");
                    w.Line($"add.f32 {gradient}, {gradient}, {gradient};");
                    w.Line($"mul.f32 {gradient}, {gradient}, {scale};");
                    PtxActivationEmitter.MultiplyByDerivative(kernel, derivative, gradient, gradient, p);
                    break;
                case LossKind.BinaryCrossEntropy:
                    EmitBinaryCrossEntropy(kernel, p, t, elementLoss);
                    // The sigmoid's derivative cancels the loss's denominator.
                    w.Line($"sub.f32 {gradient}, {p}, {t};");
                    w.Line($"mul.f32 {gradient}, {gradient}, {scale};");
                    break;
                case LossKind.Perceptron:
                    EmitPerceptron(kernel, p, t, scale, elementLoss, gradient);
                    PtxActivationEmitter.MultiplyByDerivative(kernel, derivative, gradient, gradient, p);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
            }

            w.Line($"add.f32 {sum}, {sum}, {elementLoss};");
            kernel.ElementAddress(address, row.RowStart(dZ), column);
            w.Line($"st.global.f32 [{address}], {gradient};");
        });
        LossKernels.EmitWarpReduce(kernel, sum, "add.f32");
        w.Line($"@{row.NotLaneZero} ret;");
        w.Line($"div.rn.f32 {sum}, {sum}, {PtxFormat.Float(features)};");
        kernel.ElementAddress(address, rowLoss, row.Row);
        w.Line($"st.global.f32 [{address}], {sum};");
        w.Line($"ret;");
        return kernel.Build(LossKernels.RowLaunch(name));
    }

    // loss = -(t max(ln p, -100) + (1 - t) max(ln(1 - p), -100)); ln 0 = -inf clamps to -100, as PyTorch's BCELoss.
    private static void EmitBinaryCrossEntropy(PtxKernelBuilder kernel, string p, string t, string elementLoss)
    {
        var w = kernel.Body;
        string logP = kernel.F32("log_p");
        string log1mP = kernel.F32("log_1m_p");
        string oneMinus = kernel.F32("one_minus");
        PtxActivationEmitter.Log(kernel, logP, p);
        w.Line($"max.f32 {logP}, {logP}, {LogClamp};");
        w.Line($"sub.f32 {oneMinus}, {PtxActivationEmitter.One}, {p};");
        PtxActivationEmitter.Log(kernel, log1mP, oneMinus);
        w.Line($"max.f32 {log1mP}, {log1mP}, {LogClamp};");
        w.Line($"sub.f32 {oneMinus}, {PtxActivationEmitter.One}, {t};");
        w.Line($"mul.f32 {elementLoss}, {oneMinus}, {log1mP};");
        w.Line($"fma.rn.f32 {elementLoss}, {t}, {logP}, {elementLoss};");
        w.Line($"neg.f32 {elementLoss}, {elementLoss};");
    }

    // Rosenblatt's rule: only a misclassified (or undecided) element, s y <= 0, contributes -s y and moves the weights.
    private static void EmitPerceptron(PtxKernelBuilder kernel, string p, string t, string scale, string elementLoss, string gradient)
    {
        var w = kernel.Body;
        string sign = kernel.F32("sign");
        string margin = kernel.F32("margin");
        string correct = kernel.Pred("correct");
        w.Line($"fma.rn.f32 {sign}, {t}, {PtxActivationEmitter.Two}, {PtxFormat.Float(-1f)};");
        w.Line($"mul.f32 {margin}, {sign}, {p};");
        w.Line($"setp.gt.f32 {correct}, {margin}, {PtxActivationEmitter.Zero};");
        w.Line($"neg.f32 {elementLoss}, {margin};");
        w.Line($"mul.f32 {gradient}, {sign}, {scale};");
        w.Line($"neg.f32 {gradient}, {gradient};");
        w.Line($"selp.f32 {elementLoss}, {PtxActivationEmitter.Zero}, {elementLoss}, {correct};");
        w.Line($"selp.f32 {gradient}, {PtxActivationEmitter.Zero}, {gradient}, {correct};");
    }
}
