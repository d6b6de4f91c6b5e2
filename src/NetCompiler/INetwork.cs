namespace NetCompiler;

/// <summary>Whether a network trains (dropout active, batch statistics) or infers.</summary>
public enum NetworkMode
{
    /// <summary>Training behaviour.</summary>
    Training,

    /// <summary>Inference behaviour: deterministic, no dropout.</summary>
    Inference,
}

/// <summary>One named parameter tensor inside <see cref="INetwork.Parameters"/>, in PyTorch's layout and naming.</summary>
/// <param name="Name">State-dict name, e.g. <c>fc1.weight</c>.</param>
/// <param name="Offset">First element in the flat parameter buffer.</param>
/// <param name="Shape">Shape, e.g. <c>[out, in]</c> for a dense weight.</param>
public sealed record ParameterInfo(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of elements.</summary>
    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>The shape as text: <c>[128, 784]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>What every generated network offers, for code that works over any of them (training loops, checkpoints).</summary>
public interface INetwork
{
    /// <summary>Elements of one input sample.</summary>
    int InputSize { get; }

    /// <summary>Elements of one output sample.</summary>
    int OutputSize { get; }

    /// <summary>The largest batch a call accepts, fixed at construction.</summary>
    int BatchCapacity { get; }

    /// <summary>Training or inference behaviour.</summary>
    NetworkMode Mode { get; set; }

    /// <summary>
    /// Threads the calls use: 1, or 2 to share large batches with a persistent worker thread. Generated networks start
    /// at their <c>DefaultThreads</c>, chosen from the layer shapes.
    /// </summary>
    int Threads
    {
        get => 1;
        set { if (value != 1) throw new ArgumentOutOfRangeException(nameof(value), value, "This network runs on one thread."); }
    }

    /// <summary>All parameters, flat, in the order of <see cref="ParameterLayout"/>.</summary>
    Span<float> Parameters { get; }

    /// <summary>Gradients of the mean loss, same layout as <see cref="Parameters"/>; filled by <c>Backward</c> and <c>TrainStep</c>.</summary>
    Span<float> Gradients { get; }

    /// <summary>Names, offsets and shapes of the parameter tensors.</summary>
    IReadOnlyList<ParameterInfo> ParameterLayout { get; }

    /// <summary>Runs inference on <c>input.Length / InputSize</c> samples.</summary>
    void Forward(ReadOnlySpan<float> input, Span<float> output);
}

/// <summary>A network with a loss and an optimizer.</summary>
public interface ITrainableNetwork : INetwork
{
    /// <summary>Current step size of the optimizer; change it for a learning-rate schedule.</summary>
    float LearningRate { get; set; }

    /// <summary>Number of optimizer steps taken.</summary>
    long Step { get; }

    /// <summary>Applies one optimizer step with the current <see cref="INetwork.Gradients"/>.</summary>
    void Update();

    /// <summary>Resets the optimizer state (moments, velocities) and the step count.</summary>
    void ResetOptimizer();
}

/// <summary>A network trained on class labels (softmax cross-entropy).</summary>
public interface ILabelTrainable : ITrainableNetwork
{
    /// <summary>Forward, loss, backward and update on one mini-batch; returns the mean loss.</summary>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels);

    /// <summary>Forward, loss and backward (fills <see cref="INetwork.Gradients"/>) without an update; returns the mean loss.</summary>
    float Backward(ReadOnlySpan<float> input, ReadOnlySpan<int> labels);
}

/// <summary>A network trained on float targets (mean squared error, binary cross-entropy, perceptron criterion).</summary>
public interface ITargetTrainable : ITrainableNetwork
{
    /// <summary>Forward, loss, backward and update on one mini-batch; returns the mean loss.</summary>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets);

    /// <summary>Forward, loss and backward (fills <see cref="INetwork.Gradients"/>) without an update; returns the mean loss.</summary>
    float Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> targets);
}
