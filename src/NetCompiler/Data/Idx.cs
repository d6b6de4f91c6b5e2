using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace NetCompiler.Data;

/// <summary>Images read from an IDX file (the MNIST format): unsigned bytes, row-major.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Height of each image.</param>
/// <param name="Columns">Width of each image.</param>
/// <param name="Pixels">All pixels, <c>[Count, Rows, Columns]</c> row-major.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);

/// <summary>Reads IDX files (the format of MNIST and its relatives), gzipped or plain.</summary>
/// <remarks>
/// The header is big-endian: a magic number whose third byte is the element type (0x08 = unsigned byte)
/// and whose fourth byte is the number of dimensions, then one 32-bit size per dimension, then the data.
/// </remarks>
public static class Idx
{
    /// <summary>Magic number of an unsigned-byte IDX file with three dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte IDX file with one dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file (magic <c>0x00000803</c>).</summary>
    /// <exception cref="InvalidDataException">The file is not an IDX image file, or its sizes are implausible, or it is truncated or has trailing bytes.</exception>
    public static IdxImages ReadImages(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using Stream stream = Open(path);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(stream, path, header, ImagesMagic, "image");

        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        int columns = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (count < 0 || rows <= 0 || columns <= 0)
            throw new InvalidDataException($"IDX file '{path}' has implausible dimensions: expected a count >= 0 and rows, columns > 0, found count {count}, rows {rows}, columns {columns}.");

        long size = (long)count * rows * columns;
        if (size > Array.MaxLength)
            throw new InvalidDataException($"IDX file '{path}' declares {count} images of {rows}x{columns} = {size.ToString("N0", CultureInfo.InvariantCulture)} bytes, more than the {Array.MaxLength.ToString("N0", CultureInfo.InvariantCulture)} one array can hold.");

        byte[] pixels = new byte[size];
        ReadBody(stream, path, pixels, header.Length, $"{count} images of {rows}x{columns}");
        return new IdxImages(count, rows, columns, pixels);
    }

    /// <summary>Reads a label file (magic <c>0x00000801</c>).</summary>
    /// <exception cref="InvalidDataException">The file is not an IDX label file, or its count is negative, or it is truncated or has trailing bytes.</exception>
    public static byte[] ReadLabels(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using Stream stream = Open(path);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(stream, path, header, LabelsMagic, "label");

        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        if (count < 0)
            throw new InvalidDataException($"IDX file '{path}' has an implausible label count: expected >= 0, found {count}.");

        byte[] labels = new byte[count];
        ReadBody(stream, path, labels, header.Length, $"{count} labels");
        return labels;
    }

    private static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            // Detect gzip by content, not by extension: downloaded MNIST files are often renamed or already unpacked.
            Span<byte> magic = stackalloc byte[2];
            int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (read == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
                return new GZipStream(file, CompressionMode.Decompress);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static void ReadHeader(Stream stream, string path, Span<byte> header, int expectedMagic, string kind)
    {
        // The magic is checked before the length so that a file of the wrong kind is reported as such, even when short.
        int read = ReadAtMost(stream, path, header);
        if (read >= sizeof(int))
        {
            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
                throw new InvalidDataException($"File '{path}' is not an IDX {kind} file: expected magic number 0x{expectedMagic:X8}, found 0x{magic:X8}.");
        }

        if (read < header.Length)
            throw new InvalidDataException($"IDX file '{path}' is truncated: expected a {header.Length}-byte header, found {read} bytes.");
    }

    private static void ReadBody(Stream stream, string path, byte[] destination, int headerLength, string what)
    {
        int read = ReadAtMost(stream, path, destination);
        if (read < destination.Length)
            throw new InvalidDataException($"IDX file '{path}' is truncated: expected {destination.Length.ToString("N0", CultureInfo.InvariantCulture)} data bytes ({what}) after the {headerLength}-byte header, found {read.ToString("N0", CultureInfo.InvariantCulture)}.");

        // Bytes after the declared data mean the header's count does not describe the file.
        Span<byte> probe = stackalloc byte[1];
        if (ReadAtMost(stream, path, probe) != 0)
            throw new InvalidDataException($"IDX file '{path}' has more data than its header declares: expected exactly {destination.Length.ToString("N0", CultureInfo.InvariantCulture)} data bytes ({what}), found more.");
    }

    private static int ReadAtMost(Stream stream, string path, Span<byte> destination)
    {
        try
        {
            return stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            // GZipStream's own message does not say which file is damaged.
            throw new InvalidDataException($"IDX file '{path}' is not valid gzip data: {ex.Message}", ex);
        }
    }
}
