using System.Buffers.Binary;
using System.IO.Compression;

namespace NetCompiler.Runtime.Tests.Data;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "netcompiler-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public static class TestFiles
{
    /// <summary>Writes an IDX file: big-endian magic, big-endian dimensions, then the bytes; optionally gzipped.</summary>
    public static void WriteIdx(string path, int magic, int[] dimensions, byte[] data, bool gzip)
    {
        using var buffer = new MemoryStream();
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, magic);
        buffer.Write(word);
        foreach (int d in dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            buffer.Write(word);
        }

        buffer.Write(data);
        File.WriteAllBytes(path, gzip ? Gzip(buffer.ToArray()) : buffer.ToArray());
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
            gz.Write(data);
        return output.ToArray();
    }

    /// <summary>The repository root: the first directory above the test binaries that holds NetCompiler.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetCompiler.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"No directory above '{AppContext.BaseDirectory}' contains NetCompiler.sln.");
    }

    public static string SampleData() => Path.Combine(RepositoryRoot(), "samples", "data");
}
