namespace NetCompiler.Benchmarks.Networks;

// A second part of the generated class: it can call the private kernels on the network's own arena, so
// Profiling/LeNetProfile times exactly the code the generator emitted, one kernel at a time, in the order of a training
// step. If the emitter renames a kernel or a tensor, this file names the change.
public partial class LeNetNet
{
    /// <summary>Every kernel of <see cref="TrainStep"/> on <paramref name="batch"/> samples, then the whole step.</summary>
    internal (string Name, Action Run)[] KernelSteps(float[] input, int[] labels, int batch)
    {
        Span<float> A(int offset, int size) => _arena.AsSpan(offset * _capacity, batch * size);
        Span<float> P(int offset, int size) => _parameters.AsSpan(offset, size);
        Span<float> G(int offset, int size) => _gradients.AsSpan(offset, size);
        return
        [
            ("Conv1Forward", () => Conv1Forward(batch, input, P(Conv1WeightOffset, 150), P(Conv1BiasOffset, 6), A(Layer1Offset, 3456), A(Conv1ColsOffset, 14400))),
            ("Pool1Forward", () => Layer2Forward(batch, A(Layer1Offset, 3456), A(Layer2Offset, 864))),
            ("Conv2Forward", () => Conv2Forward(batch, A(Layer2Offset, 864), P(Conv2WeightOffset, 2400), P(Conv2BiasOffset, 16), A(Layer4Offset, 1024), A(Conv2ColsOffset, 9600))),
            ("Pool2Forward", () => Layer5Forward(batch, A(Layer4Offset, 1024), A(Layer5Offset, 256))),
            ("Fc1Forward", () => Fc1Forward(batch, A(Layer6Offset, 256), P(Fc1WeightOffset, 30720), P(Fc1BiasOffset, 120), A(Layer8Offset, 120))),
            ("Fc2Forward", () => Fc2Forward(batch, A(Layer8Offset, 120), P(Fc2WeightOffset, 10080), P(Fc2BiasOffset, 84), A(Layer10Offset, 84))),
            ("Fc3Forward", () => Fc3Forward(batch, A(Layer10Offset, 84), P(Fc3WeightOffset, 840), P(Fc3BiasOffset, 10), A(Fc3Offset, 10))),
            ("SoftmaxCrossEntropyLoss", () => SoftmaxCrossEntropyLoss(batch, A(Fc3Offset, 10), labels.AsSpan(0, batch), A(Fc3GradOffset, 10))),
            ("Fc3Backward (input + parameters)", () =>
            {
                Fc3BackwardInput(batch, A(Fc3GradOffset, 10), P(Fc3WeightOffset, 840), A(Layer10Offset, 84), A(Fc2GradOffset, 84));
                Fc3BackwardParameters(batch, A(Fc3GradOffset, 10), A(Layer10Offset, 84), G(Fc3WeightOffset, 840), G(Fc3BiasOffset, 10));
            }),
            ("Fc2Backward (input + parameters)", () =>
            {
                Fc2BackwardInput(batch, A(Fc2GradOffset, 84), P(Fc2WeightOffset, 10080), A(Layer8Offset, 120), A(Fc1GradOffset, 120));
                Fc2BackwardParameters(batch, A(Fc2GradOffset, 84), A(Layer8Offset, 120), G(Fc2WeightOffset, 10080), G(Fc2BiasOffset, 84));
            }),
            ("Fc1Backward (input + parameters)", () =>
            {
                Fc1BackwardInput(batch, A(Fc1GradOffset, 120), P(Fc1WeightOffset, 30720), default, A(Layer6GradOffset, 256));
                Fc1BackwardParameters(batch, A(Fc1GradOffset, 120), A(Layer6Offset, 256), G(Fc1WeightOffset, 30720), G(Fc1BiasOffset, 120));
            }),
            ("Pool2Backward", () => Layer5Backward(batch, A(Layer5GradOffset, 256), A(Layer4Offset, 1024), A(Layer4Offset, 1024), A(Conv2GradOffset, 1024))),
            ("Conv2BackwardParameters", () => Conv2BackwardParameters(batch, A(Conv2GradOffset, 1024), A(Conv2ColsOffset, 9600), G(Conv2WeightOffset, 2400), G(Conv2BiasOffset, 16))),
            ("Conv2BackwardInput", () => Conv2BackwardInput(batch, A(Conv2GradOffset, 1024), P(Conv2WeightOffset, 2400), default, A(Layer2GradOffset, 864), A(Conv2ColsGradOffset, 9600))),
            ("Pool1Backward", () => Layer2Backward(batch, A(Layer2GradOffset, 864), A(Layer1Offset, 3456), A(Layer1Offset, 3456), A(Conv1GradOffset, 3456))),
            ("Conv1BackwardParameters", () => Conv1BackwardParameters(batch, A(Conv1GradOffset, 3456), A(Conv1ColsOffset, 14400), G(Conv1WeightOffset, 150), G(Conv1BiasOffset, 6))),
            ("Update", Update),
            ("TrainStep", () => TrainStep(input.AsSpan(0, batch * InputSize), labels.AsSpan(0, batch))),
        ];
    }
}
