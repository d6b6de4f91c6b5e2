using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp.PyBridge;
using Xunit;

namespace NetCompiler.Oracle.Tests;

/// <summary>
/// Pins the safetensors layout NetCompiler's Save/Load will write and read: an 8-byte little-endian header length,
/// a JSON header mapping each name to <c>{"dtype":"F32","shape":[...],"data_offsets":[begin,end]}</c> (offsets
/// relative to the end of the header), then the raw little-endian float32 data. Checked both ways against
/// TorchSharp.PyBridge.
/// </summary>
public class SafetensorsTests
{
    [Fact]
    public void PyBridgeStateDict_ParsesToTheSameNamesShapesAndValues()
    {
        using TorchModel model = TorchOracle.Sequential(
            [1, 6, 6],
            [TorchLayer.Conv2d(1, 2, kernel: 3), TorchLayer.ReLU(), TorchLayer.Flatten(), TorchLayer.Linear(32, 3)],
            seed: 31);
        using var stream = new MemoryStream();

        model.Module.save_safetensors(stream, skip: null, leaveOpen: true);
        Dictionary<string, (int[] Shape, float[] Values)> tensors = MiniSafetensors.Read(stream.ToArray());

        Assert.Equal(model.ParameterLayout.Select(p => p.Name).Order(), tensors.Keys.Order());
        foreach (ParameterInfo info in model.ParameterLayout)
        {
            Assert.Equal(info.Shape, tensors[info.Name].Shape);
            Assert.Equal(model.GetParameter(info.Name), tensors[info.Name].Values);
        }
    }

    [Fact]
    public void MinimalWriter_IsLoadedByPyBridgeWithTheSameValues()
    {
        using TorchModel model = TorchOracle.Mlp([3, 4, 2], ["tanh", "identity"], seed: 32);
        var tensors = new Dictionary<string, (int[] Shape, float[] Values)>();
        foreach (ParameterInfo info in model.ParameterLayout)
        {
            tensors[info.Name] = (info.Shape, TestData.Uniform(33 + info.Offset, info.Length, -1, 1));
        }

        using var stream = new MemoryStream(MiniSafetensors.Write(tensors));
        model.Module.load_safetensors(stream, strict: true, skip: null, loadedParameters: null, leaveOpen: true);

        foreach (ParameterInfo info in model.ParameterLayout)
        {
            Assert.Equal(tensors[info.Name].Values, model.GetParameter(info.Name));
        }
    }

    [Fact]
    public void Read_RejectsAHeaderLongerThanTheFile()
    {
        byte[] bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);

        var error = Assert.Throws<InvalidDataException>(() => MiniSafetensors.Read(bytes));
        Assert.Contains("header of 1000 bytes", error.Message);
    }

    /// <summary>Just enough of safetensors for F32 tensors.</summary>
    private static class MiniSafetensors
    {
        public static Dictionary<string, (int[] Shape, float[] Values)> Read(byte[] file)
        {
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
            if (headerLength > (ulong)(file.Length - 8))
            {
                throw new InvalidDataException($"Safetensors header of {headerLength} bytes does not fit a file of {file.Length} bytes.");
            }

            int dataStart = 8 + (int)headerLength;
            using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
            var tensors = new Dictionary<string, (int[], float[])>();
            foreach (JsonProperty entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    continue;
                }

                string dtype = entry.Value.GetProperty("dtype").GetString()!;
                if (dtype != "F32")
                {
                    throw new InvalidDataException($"Tensor '{entry.Name}': expected dtype F32, got {dtype}.");
                }

                int[] shape = [.. entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())];
                long[] offsets = [.. entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64())];
                int count = shape.Aggregate(1, (a, b) => a * b);
                if (offsets[1] - offsets[0] != 4L * count)
                {
                    throw new InvalidDataException($"Tensor '{entry.Name}': shape [{string.Join(", ", shape)}] needs {4 * count} bytes, offsets give {offsets[1] - offsets[0]}.");
                }

                var values = new float[count];
                for (int i = 0; i < count; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(dataStart + (int)offsets[0] + 4 * i));
                }

                tensors.Add(entry.Name, (shape, values));
            }

            return tensors;
        }

        public static byte[] Write(Dictionary<string, (int[] Shape, float[] Values)> tensors)
        {
            using var json = new MemoryStream();
            long offset = 0;
            using (var writer = new Utf8JsonWriter(json))
            {
                writer.WriteStartObject();
                foreach ((string name, (int[] shape, float[] values)) in tensors)
                {
                    writer.WriteStartObject(name);
                    writer.WriteString("dtype", "F32");
                    writer.WriteStartArray("shape");
                    Array.ForEach(shape, d => writer.WriteNumberValue(d));
                    writer.WriteEndArray();
                    writer.WriteStartArray("data_offsets");
                    writer.WriteNumberValue(offset);
                    writer.WriteNumberValue(offset += 4L * values.Length);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            // The format pads the header with spaces so the data starts 8-byte aligned.
            int headerLength = (int)json.Length;
            int padded = (headerLength + 8 + 7) / 8 * 8 - 8;
            var file = new byte[8 + padded + offset];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
            json.ToArray().CopyTo(file, 8);
            file.AsSpan(8 + headerLength, padded - headerLength).Fill((byte)' ');
            int position = 8 + padded;
            foreach ((int[] _, float[] values) in tensors.Values)
            {
                foreach (float value in values)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(position), value);
                    position += 4;
                }
            }

            return file;
        }
    }
}
