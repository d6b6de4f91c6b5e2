using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>
/// Each loss as one kernel that returns the mean loss and writes its gradient with respect to the last layer's
/// pre-activation (the last activation's derivative is fused in). Sums accumulate in double: a batch of
/// thousands of float terms would otherwise lose digits the oracle comparison can see.
/// </summary>
internal static class LossKernels
{
    public static void Emit(CodeWriter w, string name, string[] header, LossKind loss, ActivationKind act, int features)
    {
        foreach (var line in header) w.Line("// " + line);
        string targetType = loss == LossKind.SoftmaxCrossEntropy ? "ReadOnlySpan<int> labels" : "ReadOnlySpan<float> targets";
        w.Line(Tiered.Optimized);
        w.Open($"private static float {name}(int batch, ReadOnlySpan<float> y, {targetType}, Span<float> dZ)");
        w.Line($"const int Features = {Int(features)};");
        w.Line("double total = 0;");
        switch (loss)
        {
            case LossKind.SoftmaxCrossEntropy:
                w.Line("float scale = 1f / batch;");
                using (w.Block("for (int n = 0; n < batch; n++)"))
                {
                    w.Line("ReadOnlySpan<float> z = y.Slice(n * Features, Features);");
                    w.Line("Span<float> d = dZ.Slice(n * Features, Features);");
                    w.Line("float max = z[0];");
                    w.Line("for (int c = 1; c < Features; c++) max = MathF.Max(max, z[c]);");
                    w.Line("float sum = 0f;");
                    using (w.Block("for (int c = 0; c < Features; c++)"))
                    {
                        w.Line("float e = MathF.Exp(z[c] - max);");
                        w.Line("d[c] = e;");
                        w.Line("sum += e;");
                    }
                    w.Line("int label = labels[n];");
                    w.Line("total += MathF.Log(sum) + max - z[label];");
                    w.Line("float inv = scale / sum;");
                    w.Line("for (int c = 0; c < Features; c++) d[c] *= inv;");
                    w.Line("d[label] -= scale;");
                }
                w.Line("return (float)(total / batch);");
                break;
            case LossKind.MeanSquaredError:
                w.Line("int count = batch * Features;");
                w.Line("float scale = 2f / count;");
                using (w.Block("for (int i = 0; i < count; i++)"))
                {
                    w.Line("float diff = y[i] - targets[i];");
                    w.Line("total += (double)diff * diff;");
                    w.Line($"dZ[i] = {ActivationTable.Backward(act, "scale * diff", "y[i]", TargetProfile.Scalar)};");
                }
                w.Line("return (float)(total / count);");
                break;
            case LossKind.BinaryCrossEntropy:
                // BCE on a sigmoid output; the sigmoid's derivative cancels the loss's denominator: dZ = (y - t) / N.
                w.Line("int count = batch * Features;");
                w.Line("float scale = 1f / count;");
                using (w.Block("for (int i = 0; i < count; i++)"))
                {
                    w.Line("float p = y[i], t = targets[i];");
                    w.Line("// Logs clamped at -100, as PyTorch's BCELoss, so a saturated sigmoid gives a large finite loss.");
                    w.Line("float logP = MathF.Max(MathF.Log(p), -100f), log1mP = MathF.Max(MathF.Log(1f - p), -100f);");
                    w.Line("total -= t * logP + (1f - t) * log1mP;");
                    w.Line("dZ[i] = (p - t) * scale;");
                }
                w.Line("return (float)(total / count);");
                break;
            case LossKind.Perceptron:
                w.Line("int count = batch * Features;");
                w.Line("float scale = 1f / count;");
                using (w.Block("for (int i = 0; i < count; i++)"))
                {
                    w.Line("float sign = 2f * targets[i] - 1f, margin = sign * y[i];");
                    w.Line("// Rosenblatt's rule: only a misclassified (or undecided) sample moves the weights.");
                    w.Line("if (margin <= 0f) { total -= margin; dZ[i] = -sign * scale; }");
                    w.Line("else dZ[i] = 0f;");
                }
                w.Line("return (float)(total / count);");
                break;
        }
        w.Close();
    }
}
