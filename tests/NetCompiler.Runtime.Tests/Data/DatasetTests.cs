using NetCompiler.Data;
using Xunit;

namespace NetCompiler.Runtime.Tests.Data;

public sealed class DatasetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FromIdxScalesPixelsAndKeepsLabels()
    {
        string images = _dir.File("images");
        string labels = _dir.File("labels.gz");
        TestFiles.WriteIdx(images, Idx.ImagesMagic, [2, 1, 3], [0, 51, 255, 102, 204, 1], gzip: false);
        TestFiles.WriteIdx(labels, Idx.LabelsMagic, [2], [7, 3], gzip: true);

        Dataset data = Dataset.FromIdx(images, labels);

        Assert.Equal(2, data.Count);
        Assert.Equal(3, data.SampleSize);
        Assert.Equal([1, 1, 3], data.Shape.ToArray());
        Assert.Equal([7, 3], data.Labels);
        Assert.Equal(8, data.ClassCount);
        float[] expected = [0f, 0.2f, 1f, 0.4f, 0.8f, 1f / 255];
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], data.Features[i], 6);
        Assert.Equal(data.Features[3..6], data.Sample(1).ToArray());
    }

    [Fact]
    public void FromIdxRejectsCountMismatch()
    {
        string images = _dir.File("images");
        string labels = _dir.File("labels");
        TestFiles.WriteIdx(images, Idx.ImagesMagic, [3, 1, 1], [1, 2, 3], gzip: false);
        TestFiles.WriteIdx(labels, Idx.LabelsMagic, [2], [0, 1], gzip: false);

        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels));

        Assert.Contains($"'{images}' holds 3 images", ex.Message);
        Assert.Contains($"'{labels}' holds 2 labels", ex.Message);
    }

    [Fact]
    public void NormalizeStandardizesInPlace()
    {
        var data = new Dataset([1f, 3f, 5f, 7f], [0, 1], [2]);

        Dataset same = data.Normalize(mean: 4f, std: 2f);

        Assert.Same(data, same);
        Assert.Equal([-1.5f, -0.5f, 0.5f, 1.5f], data.Features);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Normalize(0f, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Normalize(float.NaN, 1f));
    }

    [Fact]
    public void SliceAndTakeCopy()
    {
        var data = new Dataset([0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f], [0, 1, 2, 3], [1, 2]);

        Dataset middle = data.Slice(1, 2);
        Dataset first = data.Take(3);
        Dataset all = data.Take(100);

        Assert.Equal([2f, 3f, 4f, 5f], middle.Features);
        Assert.Equal([1, 2], middle.Labels);
        Assert.Equal([1, 2], middle.Shape.ToArray());
        Assert.Equal(3, first.Count);
        Assert.Equal(4, all.Count);
        middle.Features[0] = 99f;
        Assert.Equal(2f, data.Features[2]);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(3, 2));
        Assert.Contains("start 3 + count 2 = 5", ex.Message);
    }

    [Fact]
    public void ConstructorChecksSizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Dataset(new float[7], [0, 1], [4]));
        Assert.Contains("Expected 2 samples x 4 elements = 8 features", ex.Message);
        Assert.Contains("has 7", ex.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[2], [0, -1], [1]));
        Assert.Throws<ArgumentException>(() => new Dataset(new float[2], [0, 1], [1, 0]));
    }
}
