using NetCompiler.Data;
using Xunit;

namespace NetCompiler.Runtime.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Bytes(int count, int seed)
    {
        var data = new byte[count];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImagesRoundTrip(bool gzip)
    {
        byte[] pixels = Bytes(3 * 4 * 5, seed: 1);
        string path = _dir.File("images.idx");
        TestFiles.WriteIdx(path, Idx.ImagesMagic, [3, 4, 5], pixels, gzip);

        IdxImages images = Idx.ReadImages(path);

        Assert.Equal((3, 4, 5), (images.Count, images.Rows, images.Columns));
        Assert.Equal(pixels, images.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LabelsRoundTrip(bool gzip)
    {
        byte[] labels = [3, 1, 4, 1, 5, 9, 2, 6];
        string path = _dir.File("labels.idx.gz");
        TestFiles.WriteIdx(path, Idx.LabelsMagic, [labels.Length], labels, gzip);

        Assert.Equal(labels, Idx.ReadLabels(path));
    }

    [Fact]
    public void EmptyFilesAreValid()
    {
        string path = _dir.File("empty");
        TestFiles.WriteIdx(path, Idx.ImagesMagic, [0, 28, 28], [], gzip: true);
        IdxImages images = Idx.ReadImages(path);
        Assert.Equal(0, images.Count);
        Assert.Empty(images.Pixels);
    }

    [Fact]
    public void ImagesRejectWrongMagic()
    {
        string path = _dir.File("labels");
        TestFiles.WriteIdx(path, Idx.LabelsMagic, [2], [1, 2], gzip: false);

        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("expected magic number 0x00000803", ex.Message);
        Assert.Contains("found 0x00000801", ex.Message);
    }

    [Fact]
    public void LabelsRejectWrongMagic()
    {
        string path = _dir.File("images.gz");
        TestFiles.WriteIdx(path, Idx.ImagesMagic, [1, 1, 1], [7], gzip: true);

        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("expected magic number 0x00000801", ex.Message);
        Assert.Contains("found 0x00000803", ex.Message);
    }

    [Fact]
    public void RejectsTruncatedHeader()
    {
        string path = _dir.File("short");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0, 0]);

        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("expected a 16-byte header, found 7 bytes", ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RejectsTruncatedImages(bool gzip)
    {
        string path = _dir.File("truncated");
        TestFiles.WriteIdx(path, Idx.ImagesMagic, [3, 2, 2], Bytes(10, seed: 2), gzip);

        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("expected 12 data bytes (3 images of 2x2)", ex.Message);
        Assert.Contains("found 10", ex.Message);
    }

    [Fact]
    public void RejectsTruncatedLabels()
    {
        string path = _dir.File("labels");
        TestFiles.WriteIdx(path, Idx.LabelsMagic, [5], [1, 2, 3], gzip: false);

        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains("expected 5 data bytes (5 labels)", ex.Message);
        Assert.Contains("found 3", ex.Message);
    }

    [Fact]
    public void RejectsMoreDataThanDeclared()
    {
        string path = _dir.File("long");
        TestFiles.WriteIdx(path, Idx.LabelsMagic, [2], [1, 2, 3], gzip: true);

        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("expected exactly 2 data bytes (2 labels), found more", ex.Message);
    }

    [Theory]
    [InlineData(-1, 28, 28, "count -1, rows 28, columns 28")]
    [InlineData(10, 0, 28, "count 10, rows 0, columns 28")]
    [InlineData(10, 28, -5, "count 10, rows 28, columns -5")]
    public void RejectsImplausibleDimensions(int count, int rows, int columns, string found)
    {
        string path = _dir.File("dims");
        TestFiles.WriteIdx(path, Idx.ImagesMagic, [count, rows, columns], [], gzip: false);

        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("found " + found, ex.Message);
    }

    [Fact]
    public void RejectsSizesBeyondOneArray()
    {
        string path = _dir.File("huge");
        TestFiles.WriteIdx(path, Idx.ImagesMagic, [100_000, 1000, 1000], [], gzip: false);

        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains("100,000,000,000 bytes", ex.Message);
    }

    [Fact]
    public void RejectsCorruptGzip()
    {
        string path = _dir.File("corrupt.gz");
        byte[] gz = TestFiles.Gzip(Bytes(5000, seed: 3));
        gz[12] ^= 0xff;
        gz[13] ^= 0xff;
        gz[20] ^= 0x5a;
        File.WriteAllBytes(path, gz);

        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void MissingFileThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => Idx.ReadLabels(_dir.File("absent")));
    }
}
