using NetCompiler.Data;
using Xunit;

namespace NetCompiler.Runtime.Tests.Data;

public sealed class MiniBatchesTests
{
    /// <summary>Sample i has features [i, i + 0.5] and label i % 7, so a batch can be traced back to its indices.</summary>
    private static Dataset Numbered(int count)
    {
        float[] features = new float[count * 2];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            features[2 * i] = i;
            features[2 * i + 1] = i + 0.5f;
            labels[i] = i % 7;
        }

        return new Dataset(features, labels, [2]);
    }

    private static List<int> EpochOrder(MiniBatches batches, int epoch)
    {
        var order = new List<int>();
        batches.BeginEpoch(epoch);
        while (batches.MoveNext())
            order.AddRange(batches.Indices.ToArray());
        return order;
    }

    [Fact]
    public void EveryIndexOnceIncludingThePartialBatch()
    {
        Dataset data = Numbered(103);
        var batches = new MiniBatches(data, batchSize: 10, seed: 5);
        Assert.Equal(11, batches.BatchCount);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            batches.BeginEpoch(epoch);
            var seen = new List<int>();
            var sizes = new List<int>();
            while (batches.MoveNext())
            {
                sizes.Add(batches.Count);
                Assert.Equal(batches.Count * 2, batches.Features.Length);
                Assert.Equal(batches.Count, batches.Labels.Length);
                for (int b = 0; b < batches.Count; b++)
                {
                    int index = batches.Indices[b];
                    Assert.Equal(index, batches.Features[2 * b]);
                    Assert.Equal(index + 0.5f, batches.Features[2 * b + 1]);
                    Assert.Equal(index % 7, batches.Labels[b]);
                    seen.Add(index);
                }
            }

            Assert.Equal(Enumerable.Repeat(10, 10).Append(3), sizes);
            Assert.Equal(Enumerable.Range(0, 103), seen.Order());
            Assert.NotEqual(Enumerable.Range(0, 103), seen);
            Assert.False(batches.MoveNext());
        }
    }

    [Fact]
    public void OrderDiffersBetweenEpochsAndRepeatsForTheSameSeed()
    {
        Dataset data = Numbered(50);
        var a = new MiniBatches(data, batchSize: 8, seed: 42);
        var b = new MiniBatches(data, batchSize: 8, seed: 42);
        var other = new MiniBatches(data, batchSize: 8, seed: 43);

        List<int> epoch0 = EpochOrder(a, 0);
        List<int> epoch1 = EpochOrder(a, 1);

        Assert.NotEqual(epoch0, epoch1);
        Assert.Equal(epoch1, EpochOrder(b, 1)); // depends on (seed, epoch) only, not on earlier epochs
        Assert.Equal(epoch0, EpochOrder(b, 0));
        Assert.NotEqual(epoch0, EpochOrder(other, 0));
    }

    [Fact]
    public void WithoutShuffleTheOrderIsTheDatasetOrder()
    {
        var batches = new MiniBatches(Numbered(20), batchSize: 6, seed: 1, shuffle: false);
        Assert.Equal(Enumerable.Range(0, 20), EpochOrder(batches, 3));
    }

    [Fact]
    public void NothingBeforeBeginEpoch()
    {
        var batches = new MiniBatches(Numbered(5), batchSize: 2, seed: 1);
        Assert.False(batches.MoveNext());
        Assert.Equal(0, batches.Features.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void BatchesAllocateNothing(int augmentShift)
    {
        var data = new Dataset(new float[300 * 16], new int[300], [1, 4, 4]);
        var batches = new MiniBatches(data, batchSize: 32, seed: 9, augmentShift);
        float sink = 0;
        batches.BeginEpoch(0);
        while (batches.MoveNext())
            sink += batches.Features[0] + batches.Labels[0];

        long allocated = Allocations.Fewest(() =>
        {
            for (int epoch = 1; epoch < 4; epoch++)
            {
                batches.BeginEpoch(epoch);
                while (batches.MoveNext())
                    sink += batches.Features[0] + batches.Labels[^1] + batches.Indices[0];
            }
        });
        Assert.Equal(0, allocated);
        Assert.True(sink >= 0);
    }

    [Fact]
    public void ShiftMovesPixelsAndFillsZeros()
    {
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9]; // [1, 3, 3]
        float[] shifted = new float[9];

        MiniBatches.Shift(image, 1, 3, 3, dx: 1, dy: -1, shifted);
        Assert.Equal([0, 4, 5, 0, 7, 8, 0, 0, 0], shifted);

        MiniBatches.Shift(image, 1, 3, 3, dx: -2, dy: 2, shifted);
        Assert.Equal([0, 0, 0, 0, 0, 0, 3, 0, 0], shifted);

        MiniBatches.Shift(image, 1, 3, 3, dx: 0, dy: 0, shifted);
        Assert.Equal(image, shifted);

        MiniBatches.Shift(image, 1, 3, 3, dx: 3, dy: 0, shifted);
        Assert.All(shifted, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ShiftMovesEveryChannelAlike()
    {
        float[] image = [1, 2, 3, 4, 10, 20, 30, 40]; // [2, 2, 2]
        float[] shifted = new float[8];
        MiniBatches.Shift(image, 2, 2, 2, dx: 1, dy: 1, shifted);
        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 10], shifted);
    }

    [Fact]
    public void AugmentedShiftsAreBoundedSeededAndVaried()
    {
        // Each image is 9x9 with one lit pixel in the centre, so its position after the shift reveals (dx, dy).
        const int Count = 600, Side = 9, MaxShift = 2;
        float[] features = new float[Count * Side * Side];
        for (int i = 0; i < Count; i++)
            features[i * Side * Side + 4 * Side + 4] = 1f;
        var data = new Dataset(features, new int[Count], [1, Side, Side]);

        var a = new MiniBatches(data, batchSize: 64, seed: 3, augmentShift: MaxShift);
        var b = new MiniBatches(data, batchSize: 64, seed: 3, augmentShift: MaxShift);
        var offsets = new HashSet<(int, int)>();
        a.BeginEpoch(0);
        b.BeginEpoch(0);
        var firstEpoch = new List<float>();
        while (a.MoveNext())
        {
            Assert.True(b.MoveNext());
            Assert.Equal(a.Features.ToArray(), b.Features.ToArray());
            firstEpoch.AddRange(a.Features.ToArray());
            for (int s = 0; s < a.Count; s++)
            {
                ReadOnlySpan<float> image = a.Features.Slice(s * Side * Side, Side * Side);
                int lit = image.IndexOf(1f);
                Assert.Equal(1f, image.ToArray().Sum());
                int dx = lit % Side - 4, dy = lit / Side - 4;
                Assert.InRange(dx, -MaxShift, MaxShift);
                Assert.InRange(dy, -MaxShift, MaxShift);
                offsets.Add((dx, dy));
            }
        }

        Assert.Equal(25, offsets.Count);

        a.BeginEpoch(1);
        var secondEpoch = new List<float>();
        while (a.MoveNext())
            secondEpoch.AddRange(a.Features.ToArray());
        Assert.NotEqual(firstEpoch, secondEpoch);
    }

    [Fact]
    public void AugmentationNeedsImages()
    {
        var data = new Dataset(new float[8], new int[2], [4]);
        var ex = Assert.Throws<ArgumentException>(() => new MiniBatches(data, 2, 0, augmentShift: 1));
        Assert.Contains("shape [4]", ex.Message);
    }
}
