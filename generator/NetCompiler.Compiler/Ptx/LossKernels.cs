using System;

namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// Loss kernels. The per-row kernels give each batch row to one warp (lanes stride over the row and combine with
/// butterfly shuffles, no shared memory); they write each row's loss and the gradient of the batch-mean loss.
/// <see cref="MeanLoss"/> then reduces the row losses in a fixed order, so results are deterministic (no atomics).
/// </summary>
public static class LossKernels
{
    /// <summary>Threads per block of the per-row kernels.</summary>
    public const int BlockSize = 256;

    /// <summary>Batch rows per block of the per-row kernels (one per warp).</summary>
    public const int RowsPerBlock = BlockSize / WarpSize;

    internal const int WarpSize = 32;

    private static readonly string NegativeInfinity = PtxFormat.Float(float.NegativeInfinity);
    private static readonly string NaN = PtxFormat.Float(float.NaN);
    private static readonly string LogClamp = PtxFormat.Float(-100f);

    /// <summary>
    /// Softmax cross-entropy over <paramref name="classes"/> logits per row with integer labels:
    /// <c>rowLoss[b] = log(sum_c exp(z[b, c])) - z[b, label[b]]</c> and <c>dLogits = (softmax(z) - onehot(label)) / batch</c>.
    /// A label outside [0, classes) gives a NaN row loss (so the host's non-finite check fires) instead of reading out of bounds.
    /// Parameters: <c>logits [batch, classes], labels [batch] int32, batch, rowLoss [batch], dLogits [batch, classes]</c>.
    /// </summary>
    public static PtxKernel SoftmaxCrossEntropy(string name, int classes)
    {
        PtxFormat.ValidatePositive(classes, nameof(classes));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"softmax cross-entropy: logits[batch, {classes}], labels[batch] -> rowLoss[batch], dLogits[batch, {classes}] = (softmax - onehot) / batch");
        string logits = kernel.PointerParameter("logits", $"[batch, {classes}]");
        string labels = kernel.PointerParameter("labels", "[batch] int32");
        string batch = kernel.U32Parameter("batch");
        string rowLoss = kernel.PointerParameter("rowLoss", "[batch]");
        string dLogits = kernel.PointerParameter("dLogits", $"[batch, {classes}]");

        RowContext row = EmitRowStart(kernel, batch, classes);
        var w = kernel.Body;

        string x = kernel.F32("x");
        string address = kernel.U64("address");
        string max = EmitRowMax(kernel, row, logits, classes, x, address);
        string sum = kernel.F32("row_sum");
        string e = kernel.F32("e");

        w.Comment($"Pass 2: sum of exp(z - max).");
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");
        EmitRowLoop(kernel, row, classes, "SUM", column =>
        {
            kernel.ElementAddress(address, row.RowStart(logits), column);
            w.Line($"ld.global.nc.f32 {x}, [{address}];");
            w.Line($"sub.f32 {x}, {x}, {max};");
            PtxActivationEmitter.Exp(kernel, e, x);
            w.Line($"add.f32 {sum}, {sum}, {e};");
        });
        EmitWarpReduce(kernel, sum, "add.f32");

        string label = kernel.U32("label");
        string labelValid = kernel.Pred("label_valid");
        string inverseSum = kernel.F32("inverse_sum");
        string inverseBatch = kernel.F32("inverse_batch");
        string isLabel = kernel.Pred("is_label");
        string rowIndex = row.Row;
        kernel.ElementAddress(address, labels, rowIndex);
        w.Line($"ld.global.nc.u32 {label}, [{address}];");
        w.Comment($"An unsigned compare also rejects negative labels.");
        w.Line($"setp.lt.u32 {labelValid}, {label}, {classes};");
        w.Line($"rcp.rn.f32 {inverseSum}, {sum};");
        w.Line($"cvt.rn.f32.u32 {inverseBatch}, {batch};");
        w.Line($"rcp.rn.f32 {inverseBatch}, {inverseBatch};");

        w.Comment($"Pass 3: dLogits = (softmax - onehot) / batch.");
        EmitRowLoop(kernel, row, classes, "GRAD", column =>
        {
            kernel.ElementAddress(address, row.RowStart(logits), column);
            w.Line($"ld.global.nc.f32 {x}, [{address}];");
            w.Line($"sub.f32 {x}, {x}, {max};");
            PtxActivationEmitter.Exp(kernel, e, x);
            w.Line($"mul.f32 {e}, {e}, {inverseSum};");
            w.Line($"setp.eq.u32 {isLabel}, {column}, {label};");
            w.Line($"@{isLabel} sub.f32 {e}, {e}, {PtxActivationEmitter.One};");
            w.Line($"mul.f32 {e}, {e}, {inverseBatch};");
            kernel.ElementAddress(address, row.RowStart(dLogits), column);
            w.Line($"st.global.f32 [{address}], {e};");
        });

        w.Comment($"Lane 0: rowLoss = log(sum) + max - z[label].");
        string loss = kernel.F32("loss");
        w.Line($"@{row.NotLaneZero} ret;");
        w.Line($"mov.f32 {loss}, {NaN};");
        kernel.ElementAddress(address, row.RowStart(logits), label);
        w.Line($"@{labelValid} ld.global.nc.f32 {x}, [{address}];");
        PtxActivationEmitter.Log(kernel, e, sum);
        w.Line($"add.f32 {e}, {e}, {max};");
        w.Line($"@{labelValid} sub.f32 {loss}, {e}, {x};");
        kernel.ElementAddress(address, rowLoss, rowIndex);
        w.Line($"st.global.f32 [{address}], {loss};");
        w.Line($"ret;");
        return kernel.Build(RowLaunch(name));
    }

    /// <summary>
    /// Mean squared error (PyTorch's mean over all elements) on the output p of <paramref name="activation"/>:
    /// <c>rowLoss[b] = sum_j (p - t)^2 / features</c> and <c>dPredictions = 2 (p - t) / (batch * features) * activation'(p)</c>,
    /// the gradient with respect to the activation's input.
    /// Parameters: <c>predictions [batch, features], targets [batch, features], batch, rowLoss [batch], dPredictions [batch, features]</c>.
    /// </summary>
    public static PtxKernel MeanSquaredError(string name, int features, PtxActivation activation = PtxActivation.Identity)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"mean squared error: predictions[batch, {features}], targets[batch, {features}] -> rowLoss[batch], dPredictions = 2 (p - t) / (batch * {features}){DerivativeNote(activation)}");
        return EmitElementwiseLoss(kernel, features, "predictions", "dPredictions", activation, (p, t, elementLoss, gradientNumerator) =>
        {
            var w = kernel.Body;
            w.Line($"sub.f32 {gradientNumerator}, {p}, {t};");
            w.Line($"mul.f32 {elementLoss}, {gradientNumerator}, {gradientNumerator};");
            w.Line($"add.f32 {gradientNumerator}, {gradientNumerator}, {gradientNumerator};");
        });
    }

    /// <summary>
    /// Binary cross-entropy on sigmoid probabilities p (PyTorch's <c>BCELoss</c>, mean over all elements, logs clamped at
    /// -100): <c>rowLoss[b] = sum_j loss / features</c> and the gradient with respect to the logits,
    /// <c>dLogits = (p - t) / (batch * features)</c>: the sigmoid's derivative cancels the loss's denominator.
    /// Parameters: <c>probabilities [batch, features], targets [batch, features], batch, rowLoss [batch], dLogits [batch, features]</c>.
    /// </summary>
    public static PtxKernel BinaryCrossEntropy(string name, int features)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"binary cross-entropy: probabilities[batch, {features}], targets[batch, {features}] -> rowLoss[batch], dLogits = (p - t) / (batch * {features})");
        return EmitElementwiseLoss(kernel, features, "probabilities", "dLogits", PtxActivation.Identity, (p, t, elementLoss, gradientNumerator) =>
        {
            // loss = -(t max(ln p, -100) + (1 - t) max(ln(1 - p), -100)); ln 0 = -inf clamps to -100.
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
            w.Line($"sub.f32 {gradientNumerator}, {p}, {t};");
        });
    }

    /// <summary>
    /// Perceptron loss (Rosenblatt's rule, <c>s = 2t - 1</c>) on the output p of <paramref name="activation"/>: only a
    /// misclassified or undecided element, <c>s p &lt;= 0</c>, contributes <c>-s p</c> and the gradient
    /// <c>-s / (batch * features) * activation'(p)</c>.
    /// Parameters: <c>predictions [batch, features], targets [batch, features], batch, rowLoss [batch], dPredictions [batch, features]</c>.
    /// </summary>
    public static PtxKernel Perceptron(string name, int features, PtxActivation activation = PtxActivation.Identity)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"perceptron: predictions[batch, {features}], targets[batch, {features}] -> rowLoss[batch], dPredictions = -s / (batch * {features}) where s p <= 0{DerivativeNote(activation)}");
        return EmitElementwiseLoss(kernel, features, "predictions", "dPredictions", activation, (p, t, elementLoss, gradientNumerator) =>
        {
            var w = kernel.Body;
            string sign = kernel.F32("sign");
            string margin = kernel.F32("margin");
            string correct = kernel.Pred("correct");
            w.Line($"fma.rn.f32 {sign}, {t}, {PtxActivationEmitter.Two}, {PtxFormat.Float(-1f)};");
            w.Line($"mul.f32 {margin}, {sign}, {p};");
            w.Line($"setp.gt.f32 {correct}, {margin}, {PtxActivationEmitter.Zero};");
            w.Line($"neg.f32 {elementLoss}, {margin};");
            w.Line($"neg.f32 {gradientNumerator}, {sign};");
            w.Line($"selp.f32 {elementLoss}, {PtxActivationEmitter.Zero}, {elementLoss}, {correct};");
            w.Line($"selp.f32 {gradientNumerator}, {PtxActivationEmitter.Zero}, {gradientNumerator}, {correct};");
        });
    }

    /// <summary>
    /// Binary cross-entropy on logits (PyTorch's <c>BCEWithLogitsLoss</c>, mean over all elements), in the stable form
    /// <c>max(z, 0) - z t + log(1 + exp(-|z|))</c>: <c>rowLoss[b] = sum_j loss / features</c> and
    /// <c>dLogits = (sigmoid(z) - t) / (batch * features)</c>.
    /// Parameters: <c>logits [batch, features], targets [batch, features], batch, rowLoss [batch], dLogits [batch, features]</c>.
    /// </summary>
    public static PtxKernel BinaryCrossEntropyWithLogits(string name, int features)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"binary cross-entropy with logits: logits[batch, {features}], targets[batch, {features}] -> rowLoss[batch], dLogits = (sigmoid(z) - t) / (batch * {features})");
        return EmitElementwiseLoss(kernel, features, "logits", "dLogits", PtxActivation.Identity, (z, t, elementLoss, gradientNumerator) =>
        {
            var w = kernel.Body;
            string e = kernel.F32("e");
            string onePlus = kernel.F32("one_plus_e");
            string negative = kernel.Pred("negative");
            w.Comment($"e = exp(-|z|) never overflows; sigmoid(z) = 1 / (1 + e) for z >= 0, e / (1 + e) for z < 0.");
            w.Line($"abs.f32 {e}, {z};");
            w.Line($"neg.f32 {e}, {e};");
            PtxActivationEmitter.Exp(kernel, e, e);
            w.Line($"add.f32 {onePlus}, {e}, {PtxActivationEmitter.One};");
            PtxActivationEmitter.Log(kernel, elementLoss, onePlus);
            w.Line($"rcp.rn.f32 {onePlus}, {onePlus};");
            w.Line($"setp.lt.f32 {negative}, {z}, {PtxActivationEmitter.Zero};");
            w.Line($"@{negative} mul.f32 {onePlus}, {onePlus}, {e};");
            w.Line($"sub.f32 {gradientNumerator}, {onePlus}, {t};");
            w.Line($"max.f32 {e}, {z}, {PtxActivationEmitter.Zero};");
            w.Line($"add.f32 {elementLoss}, {elementLoss}, {e};");
            w.Line($"neg.f32 {e}, {z};");
            w.Line($"fma.rn.f32 {elementLoss}, {e}, {t}, {elementLoss};");
        });
    }

    /// <summary>
    /// Mean of the row losses in a fixed order: <c>loss[0] = sum_b rowLoss[b] / batch</c>, by one block.
    /// Parameters: <c>rowLoss [batch], batch, loss [1]</c>.
    /// </summary>
    public static PtxKernel MeanLoss(string name)
    {
        const int Warps = BlockSize / WarpSize;
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"mean loss: loss[1] = sum(rowLoss[batch]) / batch, one block of {BlockSize} threads");
        string rowLoss = kernel.PointerParameter("rowLoss", "[batch]");
        string batch = kernel.U32Parameter("batch");
        string loss = kernel.PointerParameter("loss", "[1]");
        kernel.UseSharedMemory(Warps * 4);

        var w = kernel.Body;
        string tid = kernel.U32("thread");
        string lane = kernel.U32("lane");
        string warp = kernel.U32("warp");
        string index = kernel.U32("index");
        string sum = kernel.F32("sum");
        string value = kernel.F32("value");
        string address = kernel.U64("address");
        string done = kernel.Pred("done");
        string shared = kernel.U32("shared");
        string slot = kernel.U32("slot");
        w.Line();
        w.Line($"mov.u32 {tid}, %tid.x;");
        w.Line($"and.b32 {lane}, {tid}, {WarpSize - 1};");
        w.Line($"shr.u32 {warp}, {tid}, 5;");
        w.Line($"mov.u32 {shared}, {kernel.SharedSymbol};");
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");
        w.Line($"mov.u32 {index}, {tid};");
        w.Label("ACCUMULATE");
        w.Line($"setp.ge.u32 {done}, {index}, {batch};");
        w.Line($"@{done} bra ACCUMULATED;");
        kernel.ElementAddress(address, rowLoss, index);
        w.Line($"ld.global.nc.f32 {value}, [{address}];");
        w.Line($"add.f32 {sum}, {sum}, {value};");
        w.Line($"add.u32 {index}, {index}, {BlockSize};");
        w.Line($"bra ACCUMULATE;");
        w.Label("ACCUMULATED");
        EmitWarpReduce(kernel, sum, "add.f32");
        string notLaneZero = kernel.Pred("not_lane_zero");
        w.Line($"setp.ne.u32 {notLaneZero}, {lane}, 0;");
        w.Line($"mad.lo.u32 {slot}, {warp}, 4, {shared};");
        w.Line($"@!{notLaneZero} st.shared.f32 [{slot}], {sum};");
        w.Line($"bar.sync 0;");
        string notFirstWarp = kernel.Pred("not_first_warp");
        string laneInRange = kernel.Pred("lane_in_range");
        w.Line($"setp.ne.u32 {notFirstWarp}, {warp}, 0;");
        w.Line($"@{notFirstWarp} ret;");
        w.Comment($"Warp 0 combines the {Warps} per-warp sums.");
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");
        w.Line($"setp.lt.u32 {laneInRange}, {lane}, {Warps};");
        w.Line($"mad.lo.u32 {slot}, {lane}, 4, {shared};");
        w.Line($"@{laneInRange} ld.shared.f32 {sum}, [{slot}];");
        EmitWarpReduce(kernel, sum, "add.f32");
        w.Line($"@{notLaneZero} ret;");
        w.Line($"cvt.rn.f32.u32 {value}, {batch};");
        w.Line($"div.rn.f32 {sum}, {sum}, {value};");
        w.Line($"st.global.f32 [{loss}], {sum};");
        w.Line($"ret;");
        return kernel.Build(new PtxLaunch(name, PtxGridDim.One, PtxGridDim.One, BlockSize, 1, Warps * 4));
    }

    private static string DerivativeNote(PtxActivation activation) =>
        activation == PtxActivation.Identity ? "" : $" .* {PtxActivationEmitter.Describe(activation)}'(p)";

    /// <summary>
    /// Shared body of the elementwise losses: per-element loss and gradient numerator from (prediction, target); the
    /// numerator is scaled to the mean and multiplied by <paramref name="activation"/>'s derivative at the prediction.
    /// </summary>
    private static PtxKernel EmitElementwiseLoss(PtxKernelBuilder kernel, int features, string inputName, string gradientName, PtxActivation activation, Action<string, string, string, string> element)
    {
        string input = kernel.PointerParameter(inputName, $"[batch, {features}]");
        string targets = kernel.PointerParameter("targets", $"[batch, {features}]");
        string batch = kernel.U32Parameter("batch");
        string rowLoss = kernel.PointerParameter("rowLoss", "[batch]");
        string gradient = kernel.PointerParameter(gradientName, $"[batch, {features}]");

        RowContext row = EmitRowStart(kernel, batch, features);
        var w = kernel.Body;

        string scale = kernel.F32("scale");
        string sum = kernel.F32("row_sum");
        string p = kernel.F32("p");
        string t = kernel.F32("t");
        string elementLoss = kernel.F32("element_loss");
        string numerator = kernel.F32("numerator");
        string address = kernel.U64("address");
        w.Comment($"The gradient is of the mean over batch * {features} elements.");
        w.Line($"cvt.rn.f32.u32 {scale}, {batch};");
        w.Line($"mul.f32 {scale}, {scale}, {PtxFormat.Float(features)};");
        w.Line($"rcp.rn.f32 {scale}, {scale};");
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");
        EmitRowLoop(kernel, row, features, "ELEMENTS", column =>
        {
            kernel.ElementAddress(address, row.RowStart(input), column);
            w.Line($"ld.global.nc.f32 {p}, [{address}];");
            kernel.ElementAddress(address, row.RowStart(targets), column);
            w.Line($"ld.global.nc.f32 {t}, [{address}];");
            element(p, t, elementLoss, numerator);
            w.Line($"add.f32 {sum}, {sum}, {elementLoss};");
            w.Line($"mul.f32 {numerator}, {numerator}, {scale};");
            PtxActivationEmitter.MultiplyByDerivative(kernel, activation, numerator, numerator, p);
            kernel.ElementAddress(address, row.RowStart(gradient), column);
            w.Line($"st.global.f32 [{address}], {numerator};");
        });
        EmitWarpReduce(kernel, sum, "add.f32");
        w.Line($"@{row.NotLaneZero} ret;");
        w.Line($"div.rn.f32 {sum}, {sum}, {PtxFormat.Float(features)};");
        kernel.ElementAddress(address, rowLoss, row.Row);
        w.Line($"st.global.f32 [{address}], {sum};");
        w.Line($"ret;");
        return kernel.Build(RowLaunch(kernel.Name));
    }

    /// <summary>Warp index -> batch row; whole warps past the batch return, so later shuffles see full warps.</summary>
    internal static RowContext EmitRowStart(PtxKernelBuilder kernel, string batch, int columns)
    {
        var w = kernel.Body;
        string tid = kernel.U32("thread");
        string lane = kernel.U32("lane");
        string row = kernel.U32("row");
        string block = kernel.U32("block");
        string outside = kernel.Pred("outside");
        string notLaneZero = kernel.Pred("not_lane_zero");
        string rowOffset = kernel.U32("row_offset");
        w.Line();
        w.Comment($"One warp per row: row = block * {RowsPerBlock} + warp; lanes stride over the {columns} columns.");
        w.Line($"mov.u32 {tid}, %tid.x;");
        w.Line($"and.b32 {lane}, {tid}, {WarpSize - 1};");
        w.Line($"mov.u32 {block}, %ctaid.x;");
        w.Line($"shr.u32 {row}, {tid}, 5;");
        w.Line($"mad.lo.u32 {row}, {block}, {RowsPerBlock}, {row};");
        w.Line($"setp.ge.u32 {outside}, {row}, {batch};");
        w.Line($"@{outside} ret;");
        w.Line($"setp.ne.u32 {notLaneZero}, {lane}, 0;");
        w.Line($"mul.lo.u32 {rowOffset}, {row}, {columns};");
        return new RowContext(kernel, lane, row, rowOffset, notLaneZero);
    }

    internal static void EmitRowLoop(PtxKernelBuilder kernel, RowContext row, int columns, string label, Action<string> body)
    {
        var w = kernel.Body;
        string column = kernel.U32("column");
        string done = kernel.Pred("column_done");
        w.Line($"mov.u32 {column}, {row.Lane};");
        w.Label(label + "_LOOP");
        w.Line($"setp.ge.u32 {done}, {column}, {columns};");
        w.Line($"@{done} bra {label}_DONE;");
        body(column);
        w.Line($"add.u32 {column}, {column}, {WarpSize};");
        w.Line($"bra {label}_LOOP;");
        w.Label(label + "_DONE");
    }

    /// <summary>Emits the maximum of the row of <paramref name="x"/> into every lane, so a softmax's exp never overflows.</summary>
    internal static string EmitRowMax(PtxKernelBuilder kernel, RowContext row, string x, int columns, string value, string address)
    {
        var w = kernel.Body;
        string max = kernel.F32("row_max");
        w.Comment($"Pass 1: row maximum, so exp never overflows.");
        w.Line($"mov.f32 {max}, {NegativeInfinity};");
        EmitRowLoop(kernel, row, columns, "MAX", column =>
        {
            kernel.ElementAddress(address, row.RowStart(x), column);
            w.Line($"ld.global.nc.f32 {value}, [{address}];");
            w.Line($"max.f32 {max}, {max}, {value};");
        });
        EmitWarpReduce(kernel, max, "max.f32");
        return max;
    }

    /// <summary>Butterfly reduction: after it every lane holds the warp-wide result.</summary>
    internal static void EmitWarpReduce(PtxKernelBuilder kernel, string value, string combine)
    {
        var w = kernel.Body;
        string other = kernel.F32("shuffled");
        for (int offset = WarpSize / 2; offset >= 1; offset /= 2)
        {
            w.Line($"shfl.sync.bfly.b32 {other}, {value}, {offset}, 0x1f, 0xffffffff;");
            w.Line($"{combine} {value}, {value}, {other};");
        }
    }

    internal static PtxLaunch RowLaunch(string name) =>
        new PtxLaunch(name, PtxGridDim.PerBatch(1, RowsPerBlock), PtxGridDim.One, BlockSize, 1, 0);

    internal sealed class RowContext
    {
        private readonly PtxKernelBuilder _kernel;
        private readonly string _rowOffset;

        public RowContext(PtxKernelBuilder kernel, string lane, string row, string rowOffset, string notLaneZero)
        {
            _kernel = kernel;
            Lane = lane;
            Row = row;
            _rowOffset = rowOffset;
            NotLaneZero = notLaneZero;
        }

        public string Lane { get; }

        public string Row { get; }

        public string NotLaneZero { get; }

        /// <summary>Emits and returns the address of this row's first element in <paramref name="pointer"/>.</summary>
        public string RowStart(string pointer)
        {
            string start = _kernel.U64("row_start");
            _kernel.ElementAddress(start, pointer, _rowOffset);
            return start;
        }
    }
}
