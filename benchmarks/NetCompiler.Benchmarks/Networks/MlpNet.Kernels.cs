namespace NetCompiler.Benchmarks.Networks;

// A second part of the generated class: it can call the private kernels, so Profiling/MlpKernels times exactly the
// code the generator emitted, one kernel at a time. If the emitter renames a kernel, this file names the change.
public partial class MlpNet
{
    internal static class Kernels
    {
        public static void Fc1Forward(int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y) =>
            MlpNet.Fc1Forward(batch, x, weight, bias, y);

        public static void Fc1ForwardPack(ReadOnlySpan<float> weight, Span<float> packed) =>
            MlpNet.Fc1ForwardPack(weight, packed);

        public static void Fc1ForwardPacked(int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, Span<float> y) =>
            MlpNet.Fc1ForwardPacked(batch, x, packed, bias, y);

        public static void Fc2Forward(int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y) =>
            MlpNet.Fc2Forward(batch, x, weight, bias, y);

        public static float SoftmaxCrossEntropyLoss(int batch, ReadOnlySpan<float> y, ReadOnlySpan<int> labels, Span<float> dZ) =>
            MlpNet.SoftmaxCrossEntropyLoss(batch, y, labels, dZ);

        public static void Fc2BackwardInput(int batch, ReadOnlySpan<float> dZ, ReadOnlySpan<float> weight, ReadOnlySpan<float> x, Span<float> dX) =>
            MlpNet.Fc2BackwardInput(batch, dZ, weight, x, dX);

        public static void Fc2BackwardParameters(int batch, ReadOnlySpan<float> dZ, ReadOnlySpan<float> x, Span<float> dWeight, Span<float> dBias) =>
            MlpNet.Fc2BackwardParameters(batch, dZ, x, dWeight, dBias);

        public static void Fc1BackwardParameters(int batch, ReadOnlySpan<float> dZ, ReadOnlySpan<float> x, Span<float> dWeight, Span<float> dBias) =>
            MlpNet.Fc1BackwardParameters(batch, dZ, x, dWeight, dBias);

        public static void OptimizerStep(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state, float learningRate) =>
            MlpNet.OptimizerStep(parameters, gradients, state, learningRate, 1f, 1f);
    }
}
