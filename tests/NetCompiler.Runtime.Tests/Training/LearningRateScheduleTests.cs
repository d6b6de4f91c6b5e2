using NetCompiler.Training;
using Xunit;

namespace NetCompiler.Runtime.Tests.Training;

public sealed class LearningRateScheduleTests
{
    private static float[] Rates(LearningRateSchedule schedule, float baseRate, int epochs) =>
        Enumerable.Range(0, epochs).Select(e => schedule.Rate(baseRate, e, epochs)).ToArray();

    [Fact]
    public void ConstantKeepsTheBaseRate()
    {
        Assert.Equal([0.3f, 0.3f, 0.3f], Rates(LearningRateSchedule.Constant, 0.3f, 3));
    }

    [Fact]
    public void StepDecaysEveryNEpochs()
    {
        Assert.Equal([1f, 1f, 0.5f, 0.5f, 0.25f, 0.25f, 0.125f], Rates(LearningRateSchedule.Step(2, 0.5f), 1f, 7));
        Assert.Equal([1f, 0.1f, 0.01f], Rates(LearningRateSchedule.Step(1, 0.1f), 1f, 3), new FloatTolerance(1e-7f));
    }

    [Fact]
    public void CosineFollowsPyTorchsAnnealing()
    {
        float[] rates = Rates(LearningRateSchedule.Cosine(0.1f), 1f, 4);

        // min + (base - min) * (1 + cos(pi * t / T)) / 2 for t = 0..3, T = 4
        Assert.Equal(1f, rates[0], 6);
        Assert.Equal(0.1f + 0.9f * (1 + MathF.Cos(MathF.PI / 4)) / 2, rates[1], 6);
        Assert.Equal(0.55f, rates[2], 6);
        Assert.Equal(0.1f + 0.9f * (1 + MathF.Cos(3 * MathF.PI / 4)) / 2, rates[3], 6);
        Assert.Equal(0.1f, LearningRateSchedule.Cosine(0.1f).Rate(1f, 4, 4), 6);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(0, 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(1, -0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(-1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant.Rate(1f, -1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant.Rate(1f, 0, 0));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
