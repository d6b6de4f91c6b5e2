using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>Activations and softmax that stand alone (not fused into a product), forward next to backward.</summary>
internal static class ElementwiseKernels
{
    public static void ActivationForward(CodeWriter w, string name, string[] header, ActivationKind act)
    {
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(ReadOnlySpan<float> x, Span<float> y)"))
            w.Line($"for (int i = 0; i < x.Length; i++) y[i] = {ActivationTable.Forward(act, "x[i]")};");
    }

    public static void ActivationBackward(CodeWriter w, string name, string[] header, ActivationKind act)
    {
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(ReadOnlySpan<float> dY, ReadOnlySpan<float> y, Span<float> dX)"))
            w.Line($"for (int i = 0; i < dY.Length; i++) dX[i] = {ActivationTable.Backward(act, "dY[i]", "y[i]", TargetProfile.Scalar)};");
    }

    public static void SoftmaxForward(CodeWriter w, string name, string[] header, int features)
    {
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(int batch, ReadOnlySpan<float> x, Span<float> y)"))
        {
            w.Line($"const int Features = {Int(features)};");
            using (w.Block("for (int n = 0; n < batch; n++)"))
            {
                w.Line("ReadOnlySpan<float> row = x.Slice(n * Features, Features);");
                w.Line("Span<float> output = y.Slice(n * Features, Features);");
                w.Line("float max = row[0];");
                w.Line("for (int c = 1; c < Features; c++) max = MathF.Max(max, row[c]);");
                w.Line("float sum = 0f;");
                w.Line("for (int c = 0; c < Features; c++) sum += output[c] = MathF.Exp(row[c] - max);");
                w.Line("float inv = 1f / sum;");
                w.Line("for (int c = 0; c < Features; c++) output[c] *= inv;");
            }
        }
    }

    public static void SoftmaxBackward(CodeWriter w, string name, string[] header, int features)
    {
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(int batch, ReadOnlySpan<float> dY, ReadOnlySpan<float> y, Span<float> dX)"))
        {
            w.Line($"const int Features = {Int(features)};");
            using (w.Block("for (int n = 0; n < batch; n++)"))
            {
                w.Line("int row = n * Features;");
                w.Line("float dot = 0f;");
                w.Line("for (int c = 0; c < Features; c++) dot += dY[row + c] * y[row + c];");
                w.Line("for (int c = 0; c < Features; c++) dX[row + c] = y[row + c] * (dY[row + c] - dot);");
            }
        }
    }
}
