using System.Buffers.Binary;
using System.Text;

namespace NetCompiler.Benchmarks.Onnx;

/// <summary>
/// Encodes protocol buffer fields by hand: varint (wire type 0), 64-bit (1), length-delimited (2) and 32-bit (5).
/// Nested messages are written into their own writer first, because a length-delimited field needs its length up front.
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private readonly MemoryStream _buffer = new();

    public int Length => (int)_buffer.Length;

    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        // Negative int64 values are encoded as their 64-bit two's complement (10 bytes), as protobuf specifies.
        WriteRawVarint(unchecked((ulong)value));
    }

    public void WriteInt32(int field, int value) => WriteInt64(field, value);

    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteRawVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    public void WriteMessage(int field, ProtoWriter message) => WriteBytes(field, message.AsSpan());

    public ReadOnlySpan<byte> AsSpan() => _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length);

    public byte[] ToArray() => _buffer.ToArray();

    private void WriteTag(int field, int wireType) => WriteRawVarint((ulong)((field << 3) | wireType));

    private void WriteRawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }
}
