using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NetCompiler.IO;

/// <summary>One tensor read by <see cref="SafeTensors.ReadAll"/>.</summary>
/// <param name="Name">The tensor's name, e.g. <c>fc1.weight</c>.</param>
/// <param name="Shape">Its shape; empty for a scalar.</param>
/// <param name="Values">Its elements, row-major.</param>
public sealed record SafeTensor(string Name, int[] Shape, float[] Values)
{
    /// <summary>The shape as text: <c>[128, 784]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// Reads and writes the safetensors format (the weight format of Hugging Face and PyTorch tooling): an 8-byte
/// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range, padded with spaces to
/// 8-byte alignment, then the raw little-endian data. Only <c>F32</c> tensors are read and written.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    // The reference implementation rejects larger headers; a bigger value means a corrupt or foreign file.
    private const long MaxHeaderLength = 100_000_000;

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the tensors of <paramref name="layout"/>, taken from <paramref name="parameters"/>, in layout order.</summary>
    /// <param name="destination">Stream written from its current position.</param>
    /// <param name="layout">Name, offset and shape of each tensor inside <paramref name="parameters"/>.</param>
    /// <param name="parameters">The flat parameter buffer.</param>
    /// <param name="metadata">Optional string pairs stored under <c>__metadata__</c> (sorted by key, so output is deterministic).</param>
    public static void Write(Stream destination, IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<float> parameters, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(layout);
        CheckLayout(layout, parameters.Length);

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, s_writerOptions))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> pair in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    writer.WriteString(pair.Key, pair.Value);
                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (ParameterInfo info in layout)
            {
                long end = offset + (long)info.Length * sizeof(float);
                writer.WriteStartObject(info.Name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int d in info.Shape)
                    writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }

            writer.WriteEndObject();
        }

        // Padding the header to a multiple of 8 keeps the data 8-byte aligned for readers that memory-map the file.
        int padding = (8 - json.WrittenCount % 8) % 8;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)(json.WrittenCount + padding));
        destination.Write(prefix);
        destination.Write(json.WrittenSpan);
        Span<byte> spaces = stackalloc byte[8];
        spaces.Fill((byte)' ');
        destination.Write(spaces[..padding]);

        foreach (ParameterInfo info in layout)
            WriteFloats(destination, parameters.Slice(info.Offset, info.Length));
    }

    /// <summary>
    /// Reads the tensors of <paramref name="layout"/> into <paramref name="parameters"/>. The file must hold exactly the
    /// layout's tensors, as F32 with the same shapes; every missing, extra or mismatched tensor is reported in one message,
    /// and nothing is written to <paramref name="parameters"/> unless the header matches.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is not valid safetensors, or it does not match the layout.</exception>
    public static void Read(Stream source, IReadOnlyList<ParameterInfo> layout, Span<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(layout);
        CheckLayout(layout, parameters.Length);

        Header header = ReadHeader(source);
        var problems = new List<string>();
        var expected = new Dictionary<string, ParameterInfo>(StringComparer.Ordinal);
        foreach (ParameterInfo info in layout)
            expected[info.Name] = info;

        foreach (ParameterInfo info in layout)
        {
            if (!header.Tensors.ContainsKey(info.Name))
                problems.Add($"missing tensor '{info.Name}' (expected F32 {info.ShapeText})");
        }

        foreach (Entry entry in header.Entries)
        {
            if (!expected.TryGetValue(entry.Name, out ParameterInfo? info))
            {
                problems.Add($"unexpected tensor '{entry.Name}' ({entry.DType} {entry.ShapeText}) is not a parameter of the network");
                continue;
            }

            if (entry.DType != "F32")
                problems.Add($"tensor '{entry.Name}' has dtype {entry.DType}, expected F32 (the only dtype supported)");
            if (!entry.Shape.AsSpan().SequenceEqual(info.Shape))
                problems.Add($"tensor '{entry.Name}' has shape {entry.ShapeText}, expected {info.ShapeText}");
        }

        ThrowIfProblems(problems, "does not match the parameter layout");

        long position = 0;
        foreach (Entry entry in header.Entries)
        {
            Skip(source, entry.Begin - position, entry.Begin);
            ParameterInfo info = expected[entry.Name];
            ReadFloats(source, entry, parameters.Slice(info.Offset, info.Length));
            position = entry.End;
        }
    }

    /// <summary>Reads every tensor of a safetensors stream, by name (for tools and tests). All tensors must be F32.</summary>
    /// <exception cref="InvalidDataException">The data is not valid safetensors, or holds a tensor of another dtype.</exception>
    public static IReadOnlyDictionary<string, SafeTensor> ReadAll(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Header header = ReadHeader(source);
        var problems = new List<string>();
        foreach (Entry entry in header.Entries)
        {
            if (entry.DType != "F32")
                problems.Add($"tensor '{entry.Name}' has dtype {entry.DType}, expected F32 (the only dtype supported)");
        }

        ThrowIfProblems(problems, "cannot be read");

        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        long position = 0;
        foreach (Entry entry in header.Entries)
        {
            Skip(source, entry.Begin - position, entry.Begin);
            float[] values = new float[entry.ElementCount];
            ReadFloats(source, entry, values);
            tensors.Add(entry.Name, new SafeTensor(entry.Name, entry.Shape, values));
            position = entry.End;
        }

        return tensors;
    }

    /// <summary>Reads only the <c>__metadata__</c> pairs of a safetensors stream (empty when there are none).</summary>
    /// <exception cref="InvalidDataException">The header is not valid safetensors.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return ReadHeader(source).Metadata;
    }

    private static void CheckLayout(IReadOnlyList<ParameterInfo> layout, int parameterCount)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterInfo info in layout)
        {
            ArgumentNullException.ThrowIfNull(info, nameof(layout));
            if (!names.Add(info.Name))
                throw new ArgumentException($"The layout names tensor '{info.Name}' twice; expected unique names.", nameof(layout));
            if (info.Offset < 0 || (long)info.Offset + info.Length > parameterCount)
                throw new ArgumentException($"Tensor '{info.Name}' {info.ShapeText} covers elements [{info.Offset}, {(long)info.Offset + info.Length}), outside the {parameterCount} parameters.", nameof(layout));
        }
    }

    private static void ThrowIfProblems(List<string> problems, string what)
    {
        if (problems.Count == 0)
            return;
        string noun = problems.Count == 1 ? "problem" : "problems";
        throw new InvalidDataException($"The safetensors data {what} ({problems.Count} {noun}):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
    }

    private static void WriteFloats(Stream destination, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            destination.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        Span<byte> buffer = stackalloc byte[1024];
        while (!values.IsEmpty)
        {
            int n = Math.Min(values.Length, buffer.Length / sizeof(float));
            for (int i = 0; i < n; i++)
                BinaryPrimitives.WriteSingleLittleEndian(buffer[(i * sizeof(float))..], values[i]);
            destination.Write(buffer[..(n * sizeof(float))]);
            values = values[n..];
        }
    }

    private static void ReadFloats(Stream source, Entry entry, Span<float> destination)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        int read = source.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length)
            throw new InvalidDataException($"The safetensors data is truncated: tensor '{entry.Name}' needs bytes [{entry.Begin}, {entry.End}) of the data section, but it ends at byte {entry.Begin + read}.");
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> words = MemoryMarshal.Cast<float, int>(destination);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    private static void Skip(Stream source, long count, long target)
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (count > 0)
        {
            int read = source.Read(scratch[..(int)Math.Min(count, scratch.Length)]);
            if (read == 0)
                throw new InvalidDataException($"The safetensors data is truncated: the data section ends before byte {target}.");
            count -= read;
        }
    }

    private static Header ReadHeader(Stream source)
    {
        Span<byte> prefix = stackalloc byte[8];
        int read = source.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (read < prefix.Length)
            throw new InvalidDataException($"The safetensors data is truncated: expected an 8-byte header length, found {read} bytes.");

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength < 2 || headerLength > MaxHeaderLength)
            throw new InvalidDataException($"The safetensors header length is {headerLength} bytes; expected 2 to {MaxHeaderLength} (is this a safetensors file?).");

        long? available = source.CanSeek ? source.Length - source.Position : null;
        if (available < (long)headerLength)
            throw new InvalidDataException($"The safetensors data is truncated: the header declares {headerLength} bytes, but only {available} follow.");

        byte[] json = new byte[headerLength];
        read = source.ReadAtLeast(json, json.Length, throwOnEndOfStream: false);
        if (read < json.Length)
            throw new InvalidDataException($"The safetensors data is truncated: the header declares {headerLength} bytes, but only {read} follow.");

        Header header;
        try
        {
            header = ParseHeader(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The safetensors header is not valid JSON: {ex.Message}", ex);
        }

        CheckOffsets(header, available - (long)headerLength);
        return header;
    }

    private static Header ParseHeader(byte[] json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        Expect(ref reader, JsonTokenType.StartObject, "the header");

        var header = new Header();
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string name = reader.GetString()!;
            if (name == MetadataKey)
            {
                Expect(ref reader, JsonTokenType.StartObject, MetadataKey);
                while (Next(ref reader) != JsonTokenType.EndObject)
                {
                    string key = reader.GetString()!;
                    Expect(ref reader, JsonTokenType.String, $"{MetadataKey}.{key} (metadata values are strings)");
                    header.Metadata[key] = reader.GetString()!;
                }

                continue;
            }

            if (header.Tensors.ContainsKey(name))
                throw new InvalidDataException($"The safetensors header names tensor '{name}' twice.");

            Entry entry = ParseEntry(ref reader, name);
            header.Tensors.Add(name, entry);
            header.Entries.Add(entry);
        }

        // Utf8JsonReader itself rejects anything but whitespace after the object (the padding).
        reader.Read();

        // The data section is read front to back, so visit the tensors by their offsets.
        header.Entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        return header;
    }

    private static Entry ParseEntry(ref Utf8JsonReader reader, string name)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"tensor '{name}'");
        string? dtype = null;
        int[]? shape = null;
        long[]? offsets = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string property = reader.GetString()!;
            switch (property)
            {
                case "dtype":
                    Expect(ref reader, JsonTokenType.String, $"'{name}'.dtype");
                    dtype = reader.GetString()!;
                    break;
                case "shape":
                    shape = ReadIntegers(ref reader, name, property, int.MaxValue).Select(d => (int)d).ToArray();
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(ref reader, name, property, long.MaxValue);
                    break;
                default:
                    reader.Read();
                    reader.Skip();
                    break;
            }
        }

        if (dtype is null || shape is null || offsets is null)
            throw new InvalidDataException($"The safetensors header entry for tensor '{name}' lacks {(dtype is null ? "\"dtype\"" : shape is null ? "\"shape\"" : "\"data_offsets\"")}; expected dtype, shape and data_offsets.");
        if (offsets.Length != 2 || offsets[1] < offsets[0])
            throw new InvalidDataException($"Tensor '{name}' has data_offsets [{string.Join(", ", offsets)}]; expected [begin, end] with begin <= end.");

        long elements = 1;
        foreach (int d in shape)
        {
            elements *= d;
            if (elements > Array.MaxLength)
                throw new InvalidDataException($"Tensor '{name}' has shape [{string.Join(", ", shape)}], more elements than one array can hold.");
        }

        return new Entry(name, dtype, shape, (int)elements, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string name, string property, long max)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"'{name}'.{property}");
        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0 || value > max)
                throw new InvalidDataException($"Tensor '{name}' has {property} element {Encoding.UTF8.GetString(reader.ValueSpan)}; expected an integer from 0 to {max}.");
            values.Add(value);
        }

        return values.ToArray();
    }

    private static void CheckOffsets(Header header, long? dataLength)
    {
        // Like the reference implementation, require the tensors to tile the data section: no gaps, no overlaps.
        var problems = new List<string>();
        long expectedBegin = 0;
        foreach (Entry entry in header.Entries)
        {
            string range = $"[{entry.Begin}, {entry.End}]";
            int? elementSize = ElementSize(entry.DType);
            if (elementSize is int size && entry.End - entry.Begin != (long)entry.ElementCount * size)
                problems.Add($"tensor '{entry.Name}' has data_offsets {range} ({entry.End - entry.Begin} bytes), but {entry.DType} {entry.ShapeText} needs {(long)entry.ElementCount * size} bytes");
            if (entry.Begin != expectedBegin)
                problems.Add($"tensor '{entry.Name}' starts at byte {entry.Begin}, expected {expectedBegin} (tensors must follow each other without gaps or overlaps)");
            if (dataLength is long length && entry.End > length)
                problems.Add($"tensor '{entry.Name}' has data_offsets {range}, beyond the {length}-byte data section");
            expectedBegin = entry.End;
        }

        ThrowIfProblems(problems, "has inconsistent data_offsets");
    }

    private static int? ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => null,
    };

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
            throw new InvalidDataException("The safetensors header ends in the middle of its JSON.");
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        JsonTokenType actual = Next(ref reader);
        if (actual != type)
            throw new InvalidDataException($"The safetensors header has a {actual} for {what}; expected a {type}.");
    }

    private sealed record Entry(string Name, string DType, int[] Shape, int ElementCount, long Begin, long End)
    {
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    }

    private sealed class Header
    {
        public Dictionary<string, Entry> Tensors { get; } = new(StringComparer.Ordinal);

        public List<Entry> Entries { get; } = [];

        public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
    }
}
