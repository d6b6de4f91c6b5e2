using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using NetCompiler.Data;
using NetCompiler.IO;

namespace NetCompiler.Training;

/// <summary>
/// A mini-batch training loop for classifiers: shuffles (and optionally shifts) the training set each epoch, sets the
/// learning rate from a schedule, reports progress, evaluates test accuracy and writes a checkpoint after each epoch.
/// </summary>
/// <remarks>
/// <code>
/// var history = new Trainer { Epochs = 10, BatchSize = 64, Schedule = LearningRateSchedule.Cosine() }
///     .Fit(network, train, test);
/// </code>
/// </remarks>
public sealed class Trainer
{
    // A redraw every 100 ms looks live without the console write costing noticeable time.
    private static readonly TimeSpan s_redrawInterval = TimeSpan.FromMilliseconds(100);
    private const int BarWidth = 20;

    private TextWriter? _output;

    /// <summary>Number of passes over the training set.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per training step; at most the network's <see cref="INetwork.BatchCapacity"/>.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Seed of the sample order and of the augmentation shifts.</summary>
    public int Seed { get; init; }

    /// <summary>The base learning rate; <see langword="null"/> uses the network's <see cref="ITrainableNetwork.LearningRate"/> when <see cref="Fit"/> starts.</summary>
    public float? LearningRate { get; init; }

    /// <summary>How the learning rate changes per epoch.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Largest random image shift in pixels along x and y (0 = no augmentation).</summary>
    public int AugmentShift { get; init; }

    /// <summary>If set, the parameters are saved here (atomically, as safetensors) at the end of every epoch.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Where progress goes; <see cref="Console.Out"/> unless set. Use <see cref="TextWriter.Null"/> for silence.</summary>
    public TextWriter Output
    {
        get => _output ?? Console.Out;
        init => _output = value;
    }

    /// <summary>Live bar or plain lines; by default a bar only on an interactive console.</summary>
    public ProgressDisplay Progress { get; init; } = ProgressDisplay.Auto;

    /// <summary>Trains <paramref name="network"/> on <paramref name="train"/> for <see cref="Epochs"/> epochs.</summary>
    /// <param name="network">The classifier; its <see cref="ITrainableNetwork.LearningRate"/> is set before each epoch, and it is left in <see cref="NetworkMode.Inference"/> mode.</param>
    /// <param name="train">Training samples; their size must be the network's input size.</param>
    /// <param name="test">Optional samples to measure accuracy on after each epoch.</param>
    /// <param name="cancellationToken">Checked between steps; completed epochs keep their checkpoints.</param>
    /// <returns>One record per epoch.</returns>
    /// <exception cref="ArithmeticException">A training step returned a NaN or infinite loss.</exception>
    public TrainingHistory Fit(ILabelTrainable network, Dataset train, Dataset? test = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        CheckSettings(network);
        Evaluate.CheckCompatible(network, train, nameof(train));
        if (test is not null)
            Evaluate.CheckCompatible(network, test, nameof(test));
        if (train.Count == 0)
            throw new ArgumentException("The training set is empty.", nameof(train));

        TextWriter output = Output;
        bool bar = Progress switch
        {
            ProgressDisplay.Bar => true,
            ProgressDisplay.Lines => false,
            _ => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected,
        };

        float baseRate = LearningRate ?? network.LearningRate;
        var batches = new MiniBatches(train, BatchSize, Seed, AugmentShift);
        float[] evaluationOutput = new float[network.BatchCapacity * network.OutputSize]; // [capacity, outputSize]
        var history = new TrainingHistory();

        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            float rate = Schedule.Rate(baseRate, epoch, Epochs);
            network.LearningRate = rate;
            network.Mode = NetworkMode.Training;
            batches.BeginEpoch(epoch);

            long started = Stopwatch.GetTimestamp();
            long lastDraw = 0;
            double lossSum = 0;
            int seen = 0;
            int batchIndex = 0;
            while (batches.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                float loss = network.TrainStep(batches.Features, batches.Labels);
                if (!float.IsFinite(loss))
                    throw new ArithmeticException($"The training loss is {loss.ToString(CultureInfo.InvariantCulture)} at epoch {epoch + 1}, batch {batchIndex + 1} of {batches.BatchCount} (step {network.Step}); lower the learning rate (now {rate.ToString(CultureInfo.InvariantCulture)}) or check the data for NaN.");

                lossSum += (double)loss * batches.Count;
                seen += batches.Count;
                batchIndex++;

                if (bar && (lastDraw == 0 || Stopwatch.GetElapsedTime(lastDraw) >= s_redrawInterval))
                {
                    lastDraw = Stopwatch.GetTimestamp();
                    DrawBar(output, epoch + 1, seen, train.Count, (float)(lossSum / seen), seen / Math.Max(Stopwatch.GetElapsedTime(started).TotalSeconds, 1e-9));
                }
            }

            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            float? accuracy = null;
            if (test is not null)
            {
                network.Mode = NetworkMode.Inference;
                accuracy = Evaluate.Accuracy(network, test, evaluationOutput);
            }

            var record = new EpochRecord(epoch + 1, (float)(lossSum / seen), accuracy, seen / Math.Max(seconds, 1e-9), rate, seconds);
            history.Add(record);
            WriteEpochLine(output, record, bar);

            if (CheckpointPath is not null)
                Checkpoint.Save(CheckpointPath, network, Metadata(record));
        }

        network.Mode = NetworkMode.Inference;
        return history;
    }

    private void CheckSettings(ILabelTrainable network)
    {
        if (Epochs <= 0)
            throw new InvalidOperationException($"Expected Epochs > 0, but it is {Epochs}.");
        if (BatchSize <= 0 || BatchSize > network.BatchCapacity)
            throw new InvalidOperationException($"Expected a BatchSize from 1 to the network's BatchCapacity of {network.BatchCapacity}, but it is {BatchSize}.");
        if (AugmentShift < 0)
            throw new InvalidOperationException($"Expected AugmentShift >= 0, but it is {AugmentShift}.");
        if (LearningRate is float rate && (!(rate > 0) || !float.IsFinite(rate)))
            throw new InvalidOperationException($"Expected a positive, finite LearningRate, but it is {rate.ToString(CultureInfo.InvariantCulture)}.");
        ArgumentNullException.ThrowIfNull(Schedule);
    }

    private void DrawBar(TextWriter output, int epoch, int seen, int total, float loss, double samplesPerSecond)
    {
        int filled = (int)((long)BarWidth * seen / total);
        Span<char> line = stackalloc char[160];
        line[0] = '\r';
        int length = 1;
        length += Append(line[length..], CultureInfo.InvariantCulture, $"epoch {epoch}/{Epochs} [");
        line.Slice(length, filled).Fill('#');
        line.Slice(length + filled, BarWidth - filled).Fill('.');
        length += BarWidth;
        length += Append(line[length..], CultureInfo.InvariantCulture, $"] {100L * seen / total}% loss {loss:F4} {samplesPerSecond:N0} samples/s");

        // Numbers change width between redraws; trailing spaces erase what a longer previous line left behind.
        int padded = Math.Min(line.Length, length + 8);
        line[length..padded].Fill(' ');
        output.Write(line[..padded]);
        output.Flush();
    }

    private void WriteEpochLine(TextWriter output, EpochRecord record, bool bar)
    {
        string accuracy = record.TestAccuracy is float a ? string.Create(CultureInfo.InvariantCulture, $"  test accuracy {a:F4}") : "";
        string text = string.Create(CultureInfo.InvariantCulture,
            $"epoch {record.Epoch}/{Epochs}  loss {record.TrainLoss:F4}{accuracy}  {record.SamplesPerSecond:N0} samples/s  {record.Seconds:F1} s");

        // Pad so the final line fully covers the longer bar it replaces.
        output.WriteLine(bar ? "\r" + text.PadRight(BarWidth + 70) : text);
        output.Flush();
    }

    private static int Append(Span<char> destination, IFormatProvider provider, [InterpolatedStringHandlerArgument(nameof(destination), nameof(provider))] ref MemoryExtensions.TryWriteInterpolatedStringHandler handler)
    {
        return destination.TryWrite(provider, ref handler, out int written) ? written : 0;
    }

    private static Dictionary<string, string> Metadata(EpochRecord record)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["epoch"] = record.Epoch.ToString(CultureInfo.InvariantCulture),
            ["train_loss"] = record.TrainLoss.ToString("R", CultureInfo.InvariantCulture),
            ["learning_rate"] = record.LearningRate.ToString("R", CultureInfo.InvariantCulture),
        };
        if (record.TestAccuracy is float accuracy)
            metadata["test_accuracy"] = accuracy.ToString("R", CultureInfo.InvariantCulture);
        return metadata;
    }
}
