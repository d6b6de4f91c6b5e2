using System.Buffers.Binary;
using System.Text;
using NetCompiler.IO;
using Xunit;

namespace NetCompiler.Runtime.Tests.IO;

public sealed class SafeTensorsTests
{
    private static readonly ParameterInfo[] s_layout =
    [
        new("fc1.weight", 0, [3, 2]),
        new("fc1.bias", 6, [3]),
        new("fc2.weight", 9, [1, 3]),
    ];

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>A safetensors file from a literal header (padded like the writer does) and raw data.</summary>
    private static MemoryStream File(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        int padding = (8 - json.Length % 8) % 8;
        var stream = new MemoryStream();
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)(json.Length + padding));
        stream.Write(prefix);
        stream.Write(json);
        stream.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        stream.Write(data);
        stream.Position = 0;
        return stream;
    }

    private static byte[] Floats(params float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    [Fact]
    public void RoundTrip()
    {
        float[] parameters = Values(12, seed: 1);
        var stream = new MemoryStream();
        SafeTensors.Write(stream, s_layout, parameters, new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "3" });

        stream.Position = 0;
        float[] read = new float[12];
        SafeTensors.Read(stream, s_layout, read);
        Assert.Equal(parameters, read);
        Assert.Equal(stream.Length, stream.Position);

        stream.Position = 0;
        IReadOnlyDictionary<string, SafeTensor> all = SafeTensors.ReadAll(stream);
        Assert.Equal(["fc1.bias", "fc1.weight", "fc2.weight"], all.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([3, 2], all["fc1.weight"].Shape);
        Assert.Equal(parameters[6..9], all["fc1.bias"].Values);
        Assert.Equal(parameters[9..12], all["fc2.weight"].Values);

        stream.Position = 0;
        IReadOnlyDictionary<string, string> metadata = SafeTensors.ReadMetadata(stream);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("3", metadata["epoch"]);
    }

    [Fact]
    public void RoundTripWithTensorsOutOfBufferOrder()
    {
        ParameterInfo[] layout = [new("b", 4, [2]), new("a", 0, [2, 2])];
        float[] parameters = Values(6, seed: 2);
        var stream = new MemoryStream();
        SafeTensors.Write(stream, layout, parameters);

        stream.Position = 0;
        float[] read = new float[6];
        SafeTensors.Read(new NonSeekableStream(stream), layout, read);
        Assert.Equal(parameters, read);
    }

    [Fact]
    public void ByteLayoutMatchesTheFormat()
    {
        ParameterInfo[] layout = [new("w", 1, [2]), new("s", 0, [])];
        var stream = new MemoryStream();
        SafeTensors.Write(stream, layout, [0.5f, 1f, -2f], new Dictionary<string, string> { ["z"] = "1", ["a"] = "x y" });
        byte[] bytes = stream.ToArray();

        const string Json = """{"__metadata__":{"a":"x y","z":"1"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"s":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}""";
        int padded = (Json.Length + 7) / 8 * 8;
        Assert.Equal(0, padded % 8);
        Assert.Equal((ulong)padded, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(Json + new string(' ', padded - Json.Length), Encoding.UTF8.GetString(bytes, 8, padded));
        Assert.Equal(Floats(1f, -2f, 0.5f), bytes[(8 + padded)..]);
    }

    [Fact]
    public void HeaderWithoutMetadataStartsWithTheFirstTensor()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, [new ParameterInfo("x", 0, [1])], [3f]);
        string header = Encoding.UTF8.GetString(stream.ToArray(), 8, 56);
        Assert.Equal("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}  """, header);
    }

    [Fact]
    public void ReadsAHandBuiltFile()
    {
        // Key order, extra whitespace and the position of __metadata__ are free in the format.
        using MemoryStream file = File("""{ "fc1.bias": {"shape": [3], "data_offsets": [24, 36], "dtype": "F32"}, "__metadata__": {"k": "v"}, "fc1.weight": {"dtype":"F32","shape":[3,2],"data_offsets":[0,24]}, "fc2.weight": {"dtype":"F32","shape":[1,3],"data_offsets":[36,48]} }""",
            Floats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));

        float[] parameters = new float[12];
        SafeTensors.Read(file, s_layout, parameters);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], parameters);
    }

    [Fact]
    public void ReportsEveryMismatchInOneMessage()
    {
        using MemoryStream file = File("""{"fc1.weight":{"dtype":"F16","shape":[3,2],"data_offsets":[0,12]},"fc1.bias":{"dtype":"F32","shape":[4],"data_offsets":[12,28]},"extra":{"dtype":"F32","shape":[1],"data_offsets":[28,32]}}""",
            new byte[32]);
        float[] parameters = Enumerable.Repeat(7f, 12).ToArray();

        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(file, s_layout, parameters));

        Assert.Contains("(4 problems)", ex.Message);
        Assert.Contains("missing tensor 'fc2.weight' (expected F32 [1, 3])", ex.Message);
        Assert.Contains("unexpected tensor 'extra' (F32 [1])", ex.Message);
        Assert.Contains("tensor 'fc1.weight' has dtype F16, expected F32", ex.Message);
        Assert.Contains("tensor 'fc1.bias' has shape [4], expected [3]", ex.Message);
        Assert.All(parameters, v => Assert.Equal(7f, v)); // nothing read on a mismatch
    }

    [Fact]
    public void ReportsWrongOffsets()
    {
        using MemoryStream file = File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}""",
            new byte[20]);

        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadAll(file));

        Assert.Contains("tensor 'a' has data_offsets [0, 12] (12 bytes), but F32 [2] needs 8 bytes", ex.Message);
        Assert.Contains("tensor 'b' starts at byte 16, expected 12", ex.Message);
    }

    [Fact]
    public void ReportsOffsetsBeyondTheData()
    {
        using MemoryStream file = File("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[12]);

        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(file, [new ParameterInfo("a", 0, [4])], new float[4]));

        Assert.Contains("data_offsets [0, 16], beyond the 12-byte data section", ex.Message);
    }

    [Fact]
    public void ReportsTruncatedDataOnAStreamThatCannotSeek()
    {
        using MemoryStream file = File("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[12]);

        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new NonSeekableStream(file), [new ParameterInfo("a", 0, [4])], new float[4]));

        Assert.Contains("tensor 'a' needs bytes [0, 16) of the data section, but it ends at byte 12", ex.Message);
    }

    [Fact]
    public void ReadAllNamesTheUnsupportedDtype()
    {
        using MemoryStream file = File("""{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}""", new byte[4]);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadAll(file));
        Assert.Contains("tensor 'a' has dtype BF16, expected F32", ex.Message);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}""", "not valid JSON")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1]}}""", "lacks \"data_offsets\"")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "shape element -1")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}""", "data_offsets [4, 0]; expected [begin, end]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "names tensor 'a' twice")]
    [InlineData("""{"__metadata__":{"k":1}}""", "metadata values are strings")]
    [InlineData("""[1]""", "StartArray for the header")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} {}""", "not valid JSON")]
    public void RejectsMalformedHeaders(string header, string expected)
    {
        using MemoryStream file = File(header, new byte[8]);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadAll(file));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void RejectsAnImplausibleHeaderLength()
    {
        byte[] bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 0x7FFF_FFFF_FFFF);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadAll(new MemoryStream(bytes)));
        Assert.Contains($"header length is {0x7FFF_FFFF_FFFF} bytes", ex.Message);

        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 64);
        ex = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadAll(new MemoryStream(bytes)));
        Assert.Contains("the header declares 64 bytes, but only 8 follow", ex.Message);

        ex = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadAll(new MemoryStream(new byte[5])));
        Assert.Contains("expected an 8-byte header length, found 5 bytes", ex.Message);
    }

    [Fact]
    public void WriteChecksTheLayout()
    {
        var stream = new MemoryStream();
        var ex = Assert.Throws<ArgumentException>(() => SafeTensors.Write(stream, [new ParameterInfo("a", 2, [3])], new float[4]));
        Assert.Contains("covers elements [2, 5), outside the 4 parameters", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => SafeTensors.Write(stream, [new ParameterInfo("a", 0, [1]), new ParameterInfo("a", 1, [1])], new float[2]));
        Assert.Contains("names tensor 'a' twice", ex.Message);
    }

    /// <summary>Hides seeking so the reader takes its streaming path (as for a network or pipe stream).</summary>
    private sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 5));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
