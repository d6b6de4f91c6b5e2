using Xunit;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>Wrong arguments at run time: each error names the expected and the actual value, and leaves the network unchanged.</summary>
public class MisuseTests
{
    // MseMixedNet: 17 inputs, 3 outputs. SceAdamNet: 64 inputs, 17 classes.
    private const int Capacity = 4;

    [Theory]
    [InlineData(35)] // two samples and one element
    [InlineData(16)] // less than one sample
    public void Forward_InputNotAWholeNumberOfSamples_NamesSampleSizeAndLength(int length)
    {
        var network = new MseMixedNet(Capacity);

        var e = Assert.Throws<ArgumentException>(() => network.Forward(new float[length], new float[3]));

        Assert.Equal("input", e.ParamName);
        Assert.Contains("samples of 17 elements", e.Message);
        Assert.Contains($"has {length} elements", e.Message);
    }

    [Fact]
    public void Forward_EmptyInput_NamesSampleSizeAndZeroLength()
    {
        var network = new MseMixedNet(Capacity);

        var e = Assert.Throws<ArgumentException>(() => network.Forward([], []));

        Assert.Equal("input", e.ParamName);
        Assert.Contains("samples of 17 elements each (1 to 4 samples)", e.Message);
        Assert.Contains("has 0 elements", e.Message);
    }

    [Fact]
    public void Forward_BatchAboveCapacity_NamesBatchAndCapacity()
    {
        var network = new MseMixedNet(Capacity);

        var e = Assert.Throws<ArgumentException>(() => network.Forward(new float[5 * 17], new float[5 * 3]));

        Assert.Equal("input", e.ParamName);
        Assert.Contains("5 samples (85 elements)", e.Message);
        Assert.Contains("capacity of 4 samples", e.Message);
    }

    [Fact]
    public void TrainStep_BatchAboveCapacity_Throws()
    {
        var network = new SceAdamNet(Capacity);

        var e = Assert.Throws<ArgumentException>(() => network.TrainStep(new float[5 * 64], new int[5]));

        Assert.Contains("capacity of 4 samples", e.Message);
        Assert.Equal(0, network.Step);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(0)]
    public void Forward_OutputOfWrongLength_NamesExpectedAndActual(int length)
    {
        var network = new MseMixedNet(Capacity);

        var e = Assert.Throws<ArgumentException>(() => network.Forward(new float[2 * 17], new float[length]));

        Assert.Equal("output", e.ParamName);
        Assert.Contains("Expected 6 elements", e.Message);
        Assert.Contains($"has {length}", e.Message);
    }

    [Fact]
    public void BackwardAndTrainStep_TargetsOfWrongLength_NameExpectedAndActual()
    {
        var network = new MseMixedNet(Capacity);
        float[] before = network.Parameters.ToArray();

        var backward = Assert.Throws<ArgumentException>(() => network.Backward(new float[2 * 17], new float[5]));
        var trainStep = Assert.Throws<ArgumentException>(() => network.TrainStep(new float[2 * 17], new float[7]));

        Assert.Equal("targets", backward.ParamName);
        Assert.Contains("Expected 6 elements, but the span has 5", backward.Message);
        Assert.Equal("targets", trainStep.ParamName);
        Assert.Contains("Expected 6 elements, but the span has 7", trainStep.Message);
        Assert.Equal(before, network.Parameters.ToArray());
        Assert.Equal(0, network.Step);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void BackwardAndTrainStep_LabelsOfWrongLength_NameExpectedAndActual(int length)
    {
        var network = new SceAdamNet(Capacity);

        var backward = Assert.Throws<ArgumentException>(() => network.Backward(new float[2 * 64], new int[length]));
        var trainStep = Assert.Throws<ArgumentException>(() => network.TrainStep(new float[2 * 64], new int[length]));

        foreach (var e in new[] { backward, trainStep })
        {
            Assert.Equal("labels", e.ParamName);
            Assert.Contains($"Expected 2 elements, but the span has {length}", e.Message);
        }
        Assert.Equal(0, network.Step);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(17)]
    [InlineData(int.MinValue)]
    public void BackwardAndTrainStep_LabelOutOfRange_NamesLabelIndexAndRange(int label)
    {
        var network = new SceAdamNet(Capacity);
        float[] before = network.Parameters.ToArray();
        int[] labels = [3, label, 0];

        var backward = Assert.Throws<ArgumentOutOfRangeException>(() => network.Backward(new float[3 * 64], labels));
        var trainStep = Assert.Throws<ArgumentOutOfRangeException>(() => network.TrainStep(new float[3 * 64], labels));

        foreach (var e in new[] { backward, trainStep })
        {
            Assert.Equal("labels", e.ParamName);
            Assert.Equal(label, e.ActualValue);
            Assert.Contains($"Label {label} at index 1 is outside [0, 16]", e.Message);
        }
        Assert.Equal(before, network.Parameters.ToArray());
        Assert.Equal(0, network.Step);
    }

    [Fact]
    public void TrainStep_NaNInInput_ThrowsNamingTheFirstLayerAndLeavesParametersUnchanged()
    {
        var network = new MseMixedNet(Capacity);
        var random = new Random(11);
        float[] input = TestData.Uniform(random, 3 * 17, -1f, 1f);
        float[] targets = TestData.Uniform(random, 3 * 3, -1f, 1f);
        network.TrainStep(input, targets);
        float[] before = network.Parameters.ToArray();
        float[] poisoned = (float[])input.Clone();
        poisoned[17 + 5] = float.NaN; // second sample only

        var e = Assert.Throws<NonFiniteLossException>(() => network.TrainStep(poisoned, targets));

        Assert.Equal("0 (Dense(33), ReLU)", e.FirstNonFiniteLayer);
        Assert.Contains("'0 (Dense(33), ReLU)'", e.Message);
        Assert.True(float.IsNaN(e.Loss), $"Expected a NaN loss, but got {e.Loss}.");
        Assert.Contains("NaN", e.Message);
        Assert.Equal(2, e.Step);
        Assert.Equal(1, network.Step);
        Assert.Equal(before, network.Parameters.ToArray());

        // The failed step leaves the network usable.
        network.TrainStep(input, targets);
        Assert.Equal(2, network.Step);
        Assert.True(Guard.AllFinite(network.Parameters));
    }

    [Fact]
    public void Backward_NaNInInput_NamesTheFirstLayerOfATanhNetwork()
    {
        var network = new BceNesterovNet(Capacity);
        float[] input = new float[2 * 33];
        input[40] = float.NaN;
        float[] before = network.Parameters.ToArray();

        var e = Assert.Throws<NonFiniteLossException>(() => network.Backward(input, new float[2 * 7]));

        Assert.Equal("0 (Dense(128), Tanh)", e.FirstNonFiniteLayer);
        Assert.Equal(1, e.Step); // the step a TrainStep with this batch would have taken
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void TrainStep_NaNTargetOnly_SaysEveryLayerIsFinite()
    {
        var network = new MseMixedNet(Capacity);
        float[] before = network.Parameters.ToArray();
        float[] targets = [0f, float.NaN, 0f];

        var e = Assert.Throws<NonFiniteLossException>(() => network.TrainStep(new float[17], targets));

        Assert.Null(e.FirstNonFiniteLayer);
        Assert.Contains("every layer output is finite", e.Message);
        Assert.Equal(before, network.Parameters.ToArray());
        Assert.Equal(0, network.Step);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void LearningRate_NotPositiveAndFinite_ThrowsNamingValueAndKeepsTheOldRate(float value)
    {
        var network = new SceAdamNet(Capacity);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => network.LearningRate = value);

        Assert.Equal("value", e.ParamName);
        Assert.Equal(value, e.ActualValue);
        Assert.Contains("positive and finite", e.Message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        Assert.Equal(0.01f, network.LearningRate);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Constructor_BatchCapacityBelowOne_NamesValue(int capacity)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MseMixedNet(capacity));

        Assert.Equal("batchCapacity", e.ParamName);
        Assert.Equal(capacity, e.ActualValue);
        Assert.Contains("at least 1", e.Message);
        Assert.Contains(capacity.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }
}
