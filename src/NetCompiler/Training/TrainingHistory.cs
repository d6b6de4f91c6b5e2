namespace NetCompiler.Training;

/// <summary>What one training epoch did.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's samples.</param>
/// <param name="TestAccuracy">Fraction of test samples classified correctly after the epoch; <see langword="null"/> without a test set.</param>
/// <param name="SamplesPerSecond">Training throughput (training steps only, evaluation excluded).</param>
/// <param name="LearningRate">The learning rate used for the epoch.</param>
/// <param name="Seconds">Wall time of the training steps.</param>
public sealed record EpochRecord(int Epoch, float TrainLoss, float? TestAccuracy, double SamplesPerSecond, float LearningRate, double Seconds);

/// <summary>The per-epoch records of a <see cref="Trainer.Fit"/> run, in order.</summary>
public sealed class TrainingHistory : IReadOnlyList<EpochRecord>
{
    private readonly List<EpochRecord> _epochs = [];

    /// <summary>Number of epochs recorded.</summary>
    public int Count => _epochs.Count;

    /// <summary>The record of epoch <paramref name="index"/> + 1.</summary>
    public EpochRecord this[int index] => _epochs[index];

    /// <summary>The last epoch's record.</summary>
    /// <exception cref="InvalidOperationException">No epoch has been recorded.</exception>
    public EpochRecord Last => _epochs.Count > 0 ? _epochs[^1] : throw new InvalidOperationException("The history is empty: no epoch has completed.");

    /// <inheritdoc/>
    public IEnumerator<EpochRecord> GetEnumerator() => _epochs.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(EpochRecord record) => _epochs.Add(record);
}
