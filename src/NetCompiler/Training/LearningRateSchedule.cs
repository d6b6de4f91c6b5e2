namespace NetCompiler.Training;

/// <summary>How the learning rate changes from epoch to epoch. Create one with <see cref="Constant"/>, <see cref="Step"/> or <see cref="Cosine"/>.</summary>
public abstract record LearningRateSchedule
{
    private protected LearningRateSchedule()
    {
    }

    /// <summary>The same rate every epoch.</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="everyEpochs"/> epochs (PyTorch <c>StepLR</c>).</summary>
    public static LearningRateSchedule Step(int everyEpochs, float gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(everyEpochs);
        if (!(gamma > 0) || !float.IsFinite(gamma))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "Expected a positive, finite factor.");
        return new StepSchedule(everyEpochs, gamma);
    }

    /// <summary>Anneals the rate from its base value to <paramref name="minimum"/> along half a cosine over the run (PyTorch <c>CosineAnnealingLR</c> with <c>T_max</c> = epochs).</summary>
    public static LearningRateSchedule Cosine(float minimum = 0f)
    {
        if (!(minimum >= 0) || !float.IsFinite(minimum))
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, "Expected a finite rate >= 0.");
        return new CosineSchedule(minimum);
    }

    /// <summary>The rate for <paramref name="epoch"/> (0-based) of a run of <paramref name="epochs"/> epochs starting at <paramref name="baseRate"/>.</summary>
    public float Rate(float baseRate, int epoch, int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        return RateCore(baseRate, epoch, epochs);
    }

    private protected abstract float RateCore(float baseRate, int epoch, int epochs);

    private sealed record ConstantSchedule : LearningRateSchedule
    {
        private protected override float RateCore(float baseRate, int epoch, int epochs) => baseRate;

        public override string ToString() => "constant";
    }

    private sealed record StepSchedule(int EveryEpochs, float Gamma) : LearningRateSchedule
    {
        private protected override float RateCore(float baseRate, int epoch, int epochs) =>
            (float)(baseRate * Math.Pow(Gamma, epoch / EveryEpochs));

        public override string ToString() => $"step(every {EveryEpochs} epochs, gamma {Gamma.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
    }

    private sealed record CosineSchedule(float Minimum) : LearningRateSchedule
    {
        private protected override float RateCore(float baseRate, int epoch, int epochs) =>
            (float)(Minimum + (baseRate - Minimum) * (1 + Math.Cos(Math.PI * epoch / epochs)) / 2);

        public override string ToString() => $"cosine(to {Minimum.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
    }
}
