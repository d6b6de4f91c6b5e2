using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class LossReferenceTests
{
    [Fact]
    public void MeanSquaredError_HandComputed()
    {
        var dPrediction = new double[3];
        double loss = LossReference.MeanSquaredError<double>([1, 2, 3], [1, 0, 5], dPrediction);

        Assert.Equal(8.0 / 3, loss, 15);
        AssertClose([0, 4.0 / 3, -4.0 / 3], dPrediction, 1e-15, "dPrediction");
    }

    [Fact]
    public void BinaryCrossEntropyWithLogits_MatchesCrossEntropyOfSigmoid()
    {
        double[] logits = [0, 2, -1.5, 0.3];
        double[] target = [1, 0, 0.25, 1];
        double expected = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double p = 1 / (1 + Math.Exp(-logits[i]));
            expected -= target[i] * Math.Log(p) + (1 - target[i]) * Math.Log(1 - p);
        }
        expected /= logits.Length;

        double loss = LossReference.BinaryCrossEntropyWithLogits<double>(logits, target, []);

        Assert.Equal(expected, loss, 14);
        Assert.Equal(Math.Log(2), LossReference.BinaryCrossEntropyWithLogits<double>([0], [1], []), 15);
    }

    [Fact]
    public void BinaryCrossEntropyWithLogits_IsStableForLargeLogits()
    {
        var dLogits = new float[2];
        float loss = LossReference.BinaryCrossEntropyWithLogits<float>([1000f, -1000f], [0f, 0f], dLogits);

        // The first term is -log(1 - sigmoid(1000)) = 1000, the second -log(1 - sigmoid(-1000)) = 0.
        Assert.Equal(500f, loss);
        Assert.Equal([0.5f, 0f], dLogits);
    }

    [Fact]
    public void SoftmaxCrossEntropy_HandComputed()
    {
        double[] logits = [0, Math.Log(3), 5, 5];   // [2, 2]
        var dLogits = new double[4];

        double loss = LossReference.SoftmaxCrossEntropy<double>(2, 2, logits, [1, 0], dLogits);

        Assert.Equal((-Math.Log(0.75) - Math.Log(0.5)) / 2, loss, 15);
        AssertClose([0.125, -0.125, -0.25, 0.25], dLogits, 1e-15, "dLogits");
    }

    [Fact]
    public void SoftmaxCrossEntropy_LabelOutOfRange_Throws()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LossReference.SoftmaxCrossEntropy<double>(2, 3, new double[6], [0, 3], []));
        Assert.Equal("labels", exception.ParamName);
    }

    [Fact]
    public void Perceptron_HandComputed()
    {
        var dScores = new double[4];
        double loss = LossReference.Perceptron<double>([0.5, -0.5, 0, 2], [1, 1, 0, 0], dScores);

        Assert.Equal(0.625, loss);
        // y·z = 0 (the third) counts as a mistake, so training starts from all-zero weights.
        Assert.Equal([0, -0.25, 0.25, 0.25], dScores);
    }

    [Fact]
    public void Perceptron_TargetOtherThanZeroOrOne_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(() => LossReference.Perceptron<double>([1, 2], [1, 0.5], []));
        Assert.Equal("target", exception.ParamName);
        Assert.Contains("index 1", exception.Message);
    }

    [Fact]
    public void EmptyPrediction_Throws() =>
        Assert.Throws<ArgumentException>(() => LossReference.MeanSquaredError<double>([], [], []));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    public void MeanSquaredError_GradientMatchesFiniteDifferences(int length)
    {
        var random = new Random(length);
        double[] prediction = RandomArray(random, length, -2, 2);
        double[] target = RandomArray(random, length, -2, 2);
        double[] dPrediction = Garbage(length);
        LossReference.MeanSquaredError<double>(prediction, target, dPrediction);

        Check("dPrediction", prediction, () => LossReference.MeanSquaredError<double>(prediction, target, []), dPrediction);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    public void BinaryCrossEntropyWithLogits_GradientMatchesFiniteDifferences(int length)
    {
        var random = new Random(100 + length);
        double[] logits = RandomArray(random, length, -6, 6);
        double[] target = RandomArray(random, length, 0, 1);
        double[] dLogits = Garbage(length);
        LossReference.BinaryCrossEntropyWithLogits<double>(logits, target, dLogits);

        Check("dLogits", logits, () => LossReference.BinaryCrossEntropyWithLogits<double>(logits, target, []), dLogits);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 3)]
    [InlineData(7, 3)]
    [InlineData(3, 17)]
    public void SoftmaxCrossEntropy_GradientMatchesFiniteDifferences(int batch, int classes)
    {
        var random = new Random(200 + batch * 100 + classes);
        double[] logits = RandomArray(random, batch * classes, -4, 4);
        var labels = new int[batch];
        for (int b = 0; b < batch; b++)
            labels[b] = random.Next(classes);
        double[] dLogits = Garbage(logits.Length);
        LossReference.SoftmaxCrossEntropy<double>(batch, classes, logits, labels, dLogits);

        Check("dLogits", logits, () => LossReference.SoftmaxCrossEntropy<double>(batch, classes, logits, labels, []), dLogits);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    public void Perceptron_GradientMatchesFiniteDifferences(int length)
    {
        var random = new Random(300 + length);
        // |z| >= 0.1 keeps every y·z away from the kink at 0.
        double[] scores = AwayFromZero(random, length, 0.1, 2);
        var target = new double[length];
        for (int i = 0; i < length; i++)
            target[i] = random.Next(2);
        double[] dScores = Garbage(length);
        LossReference.Perceptron<double>(scores, target, dScores);

        Check("dScores", scores, () => LossReference.Perceptron<double>(scores, target, []), dScores);
    }
}
