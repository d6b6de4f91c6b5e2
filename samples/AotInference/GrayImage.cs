using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

/// <summary>An 8-bit grayscale image, row-major, 0 = black.</summary>
internal sealed record GrayImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>Reads a PNG (by its signature) or a PGM (P2 or P5) file.</summary>
    /// <exception cref="InvalidDataException">The file is neither, or uses a variant that is not supported; the message says which.</exception>
    public static GrayImage Read(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        try
        {
            if (data.AsSpan().StartsWith(Png.Signature))
                return Png.Decode(data);
            if (data.Length >= 2 && data[0] == (byte)'P' && (data[1] == (byte)'2' || data[1] == (byte)'5'))
                return Pgm.Decode(data);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Image '{path}': {e.Message}", e);
        }
        throw new InvalidDataException($"Image '{path}' is neither a PNG nor a PGM (P2/P5) file: it starts with {Convert.ToHexString(data.AsSpan(0, Math.Min(8, data.Length)))}.");
    }
}

/// <summary>
/// A PNG decoder for what a digit image needs: 8-bit grayscale, gray + alpha, RGB or RGBA, not interlaced.
/// Color becomes luminance (ITU-R BT.601 weights, as PIL's <c>convert("L")</c>); alpha blends over black, the MNIST background.
/// </summary>
internal static class Png
{
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private const byte Gray = 0, Rgb = 2, Palette = 3, GrayAlpha = 4, Rgba = 6;

    public static GrayImage Decode(byte[] data)
    {
        int width = 0, height = 0, colorType = -1, channels = 0;
        using var idat = new MemoryStream();
        int offset = Signature.Length;
        bool sawHeader = false, sawEnd = false;
        while (!sawEnd)
        {
            if (offset + 12 > data.Length)
                throw new InvalidDataException($"PNG is truncated at byte {offset}: expected another chunk (or IEND) of at least 12 bytes.");
            int length = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset));
            string type = Encoding.ASCII.GetString(data, offset + 4, 4);
            if (length < 0 || offset + 12L + length > data.Length)
                throw new InvalidDataException($"PNG chunk '{type}' at byte {offset} declares {length} bytes, but only {data.Length - offset - 12} remain.");
            var body = data.AsSpan(offset + 8, length);
            switch (type)
            {
                case "IHDR":
                    if (length != 13)
                        throw new InvalidDataException($"PNG IHDR has {length} bytes; expected 13.");
                    width = BinaryPrimitives.ReadInt32BigEndian(body);
                    height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                    int bitDepth = body[8];
                    colorType = body[9];
                    int interlace = body[12];
                    if (width <= 0 || height <= 0 || (long)width * height > 1 << 24)
                        throw new InvalidDataException($"PNG size {width}x{height} is not supported; expected a positive size of at most 16 megapixels.");
                    if (bitDepth != 8)
                        throw new InvalidDataException($"PNG bit depth is {bitDepth}; only 8 bits per channel is supported.");
                    channels = colorType switch
                    {
                        Gray => 1,
                        GrayAlpha => 2,
                        Rgb => 3,
                        Rgba => 4,
                        Palette => throw new InvalidDataException("PNG uses a palette (color type 3); save it as grayscale, RGB or RGBA."),
                        _ => throw new InvalidDataException($"PNG color type {colorType} is not valid; expected 0, 2, 4 or 6."),
                    };
                    if (interlace != 0)
                        throw new InvalidDataException("PNG is interlaced (Adam7); save it without interlacing.");
                    sawHeader = true;
                    break;
                case "IDAT":
                    if (!sawHeader)
                        throw new InvalidDataException("PNG has IDAT before IHDR.");
                    idat.Write(body);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }
            // The CRC is not checked: a corrupt stream still fails in zlib's own Adler-32 check or in the size check below.
            offset += 12 + length;
        }
        if (!sawHeader || idat.Length == 0)
            throw new InvalidDataException("PNG has no IHDR or no IDAT chunk.");

        int stride = width * channels;
        byte[] raw = new byte[(long)(stride + 1) * height]; // [height, 1 + stride]: a filter byte, then the row
        idat.Position = 0;
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
        {
            int read = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (read != raw.Length)
                throw new InvalidDataException($"PNG image data holds {read} bytes after decompression; expected {raw.Length} for {width}x{height} with {channels} channel(s).");
        }

        byte[] pixels = Unfilter(raw, height, stride, channels);
        return new GrayImage(width, height, ToGray(pixels, width * height, colorType));
    }

    /// <summary>Undoes the per-row filters (PNG spec section 9) in place, row by row; returns the rows without filter bytes.</summary>
    private static byte[] Unfilter(byte[] raw, int height, int stride, int bytesPerPixel)
    {
        byte[] pixels = new byte[(long)stride * height]; // [height, stride]
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            var source = raw.AsSpan(y * (stride + 1) + 1, stride);
            var row = pixels.AsSpan(y * stride, stride);
            var above = y > 0 ? pixels.AsSpan((y - 1) * stride, stride) : Span<byte>.Empty;
            for (int x = 0; x < stride; x++)
            {
                int a = x >= bytesPerPixel ? row[x - bytesPerPixel] : 0;
                int b = y > 0 ? above[x] : 0;
                int c = y > 0 && x >= bytesPerPixel ? above[x - bytesPerPixel] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG row {y} has filter type {filter}; expected 0 to 4."),
                };
                row[x] = (byte)(source[x] + predictor);
            }
        }
        return pixels;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
            return a;
        return pb <= pc ? b : c;
    }

    private static byte[] ToGray(byte[] pixels, int count, int colorType)
    {
        if (colorType == Gray)
            return pixels;

        byte[] gray = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int value, alpha;
            switch (colorType)
            {
                case GrayAlpha:
                    value = pixels[2 * i];
                    alpha = pixels[2 * i + 1];
                    break;
                case Rgb:
                    value = Luminance(pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]);
                    alpha = 255;
                    break;
                default: // Rgba
                    value = Luminance(pixels[4 * i], pixels[4 * i + 1], pixels[4 * i + 2]);
                    alpha = pixels[4 * i + 3];
                    break;
            }
            gray[i] = (byte)((value * alpha + 127) / 255);
        }
        return gray;
    }

    // Integer BT.601 weights that sum to 1000, so that r = g = b maps back to exactly that gray level.
    private static int Luminance(int r, int g, int b) => (299 * r + 587 * g + 114 * b + 500) / 1000;
}

/// <summary>Netpbm graymap: P5 (binary) and P2 (ASCII), maximum value up to 255 or 65535, scaled to 0..255.</summary>
internal static class Pgm
{
    public static GrayImage Decode(byte[] data)
    {
        bool binary = data[1] == (byte)'5';
        int position = 2;
        int width = ReadNumber(data, ref position, "width");
        int height = ReadNumber(data, ref position, "height");
        int maxValue = ReadNumber(data, ref position, "maximum value");
        if (width <= 0 || height <= 0 || (long)width * height > 1 << 24)
            throw new InvalidDataException($"PGM size {width}x{height} is not supported; expected a positive size of at most 16 megapixels.");
        if (maxValue is <= 0 or > 65535)
            throw new InvalidDataException($"PGM maximum value is {maxValue}; expected 1 to 65535.");

        int count = width * height;
        var pixels = new byte[count];
        if (binary)
        {
            // Exactly one whitespace byte separates the header from the raster.
            position++;
            int bytesPerSample = maxValue < 256 ? 1 : 2;
            if (position + (long)count * bytesPerSample > data.Length)
                throw new InvalidDataException($"PGM raster is truncated: expected {count * bytesPerSample} bytes for {width}x{height}, found {Math.Max(0, data.Length - position)}.");
            for (int i = 0; i < count; i++)
            {
                int sample = bytesPerSample == 1 ? data[position + i] : BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position + 2 * i));
                pixels[i] = Scale(sample, maxValue);
            }
        }
        else
        {
            for (int i = 0; i < count; i++)
                pixels[i] = Scale(ReadNumber(data, ref position, $"pixel {i}"), maxValue);
        }
        return new GrayImage(width, height, pixels);
    }

    private static byte Scale(int sample, int maxValue)
    {
        if (sample > maxValue)
            throw new InvalidDataException($"PGM sample {sample} exceeds the maximum value {maxValue}.");
        return (byte)((sample * 255 + maxValue / 2) / maxValue);
    }

    /// <summary>Skips whitespace and '#' comments, then reads a decimal number.</summary>
    private static int ReadNumber(byte[] data, ref int position, string what)
    {
        while (position < data.Length)
        {
            if (data[position] == (byte)'#')
            {
                while (position < data.Length && data[position] != (byte)'\n') position++;
            }
            else if (char.IsWhiteSpace((char)data[position]))
            {
                position++;
            }
            else
            {
                break;
            }
        }
        int start = position;
        while (position < data.Length && data[position] is >= (byte)'0' and <= (byte)'9') position++;
        if (position == start || !int.TryParse(data.AsSpan(start, position - start), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            throw new InvalidDataException($"PGM {what} is missing or not a number at byte {start}.");
        return value;
    }
}
