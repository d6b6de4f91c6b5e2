using NetCompiler.Data;
using Xunit;

namespace NetCompiler.Runtime.Tests.Data;

public sealed class MnistTests
{
    [Fact]
    public void LoadsTheSampleFilesWithTheirStatedCounts()
    {
        (Dataset train, Dataset test) = Mnist.Load(TestFiles.SampleData());

        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal(784, train.SampleSize);
        Assert.Equal([1, 28, 28], test.Shape.ToArray());
        Assert.Equal(10, train.ClassCount);

        int[] histogram = new int[10];
        foreach (int label in test.Labels)
            histogram[label]++;
        Assert.Equal([202, 226, 197, 212, 205, 160, 201, 216, 194, 187], histogram);

        Assert.All(train.Features, x => Assert.InRange(x, 0f, 1f));
        Assert.Equal(1f, train.Features.Max());
        float mean = (float)train.Features.Average();
        Assert.InRange(mean, 0.1f, 0.16f); // MNIST's mean pixel is about 0.13
    }

    [Fact]
    public void LoadsStandardNamesPlainOrGzipped()
    {
        using var dir = new TempDirectory();
        TestFiles.WriteIdx(dir.File("train-images-idx3-ubyte"), Idx.ImagesMagic, [3, 2, 2], new byte[12], gzip: false);
        TestFiles.WriteIdx(dir.File("train-labels-idx1-ubyte.gz"), Idx.LabelsMagic, [3], [1, 2, 3], gzip: true);
        TestFiles.WriteIdx(dir.File("t10k-images-idx3-ubyte.gz"), Idx.ImagesMagic, [1, 2, 2], new byte[4], gzip: true);
        TestFiles.WriteIdx(dir.File("t10k-labels-idx1-ubyte"), Idx.LabelsMagic, [1], [9], gzip: false);

        (Dataset train, Dataset test) = Mnist.Load(dir.Path);

        Assert.Equal([1, 2, 3], train.Labels);
        Assert.Equal([9], test.Labels);
        Assert.Equal([1, 2, 2], test.Shape.ToArray());
    }

    [Fact]
    public void MissingFilesListWhatWasLookedFor()
    {
        using var dir = new TempDirectory();
        TestFiles.WriteIdx(dir.File("train-images-idx3-ubyte"), Idx.ImagesMagic, [1, 1, 1], [0], gzip: false);

        var ex = Assert.Throws<FileNotFoundException>(() => Mnist.Load(dir.Path));

        Assert.Contains(dir.Path, ex.Message);
        Assert.Contains("mnist10k-train-images-idx3-ubyte", ex.Message);
        Assert.Contains("mnist10k-test-labels-idx1-ubyte", ex.Message);
        Assert.Contains("t10k-images-idx3-ubyte", ex.Message);
        Assert.Contains("train-labels-idx1-ubyte", ex.Message);
        Assert.Contains("'.gz'", ex.Message);
    }

    [Fact]
    public void MissingDirectoryIsNamed()
    {
        string path = Path.Combine(Path.GetTempPath(), "netcompiler-no-such-dir-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<DirectoryNotFoundException>(() => Mnist.Load(path));
        Assert.Contains(path, ex.Message);
    }
}
