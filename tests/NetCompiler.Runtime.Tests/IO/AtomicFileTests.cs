using NetCompiler.IO;
using NetCompiler.Runtime.Tests.Data;
using Xunit;

namespace NetCompiler.Runtime.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WritesAndReplaces()
    {
        string path = _dir.File("data.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));

        AtomicFile.Write(path, s => s.Write([9]));
        Assert.Equal([9], File.ReadAllBytes(path));
        Assert.Equal(["data.bin"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void WritesToATemporaryFileNextToTheTarget()
    {
        string path = _dir.File("model.safetensors");
        string? seen = null;
        AtomicFile.Write(path, s =>
        {
            seen = ((FileStream)s).Name;
            Assert.False(File.Exists(path));
        });

        Assert.Equal(path + ".tmp", seen);
        Assert.True(File.Exists(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void AFailingWriterLeavesThePreviousFileByteIdentical()
    {
        string path = _dir.File("checkpoint.safetensors");
        byte[] previous = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, previous);

        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[3000]);
            s.Flush();
            throw new InvalidOperationException("disk full, say");
        }));

        Assert.Equal("disk full, say", ex.Message);
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void AFailingFirstWriteLeavesNoFile()
    {
        string path = _dir.File("new.bin");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => throw new IOException("boom")));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }
}
