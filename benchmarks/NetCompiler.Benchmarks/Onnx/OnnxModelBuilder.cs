using System.Buffers.Binary;

namespace NetCompiler.Benchmarks.Onnx;

/// <summary>An ONNX node attribute: a single int64 or a list of int64 (all the ops used here need).</summary>
internal sealed class OnnxAttribute
{
    private OnnxAttribute(string name, long value, long[]? values)
    {
        Name = name;
        Value = value;
        Values = values;
    }

    public string Name { get; }

    public long Value { get; }

    public long[]? Values { get; }

    public static OnnxAttribute Int(string name, long value) => new(name, value, null);

    public static OnnxAttribute Ints(string name, params long[] values) => new(name, 0, values);
}

/// <summary>
/// Builds an ONNX ModelProto (IR version 7, default-domain opset 13) with float32 tensors, without any ONNX library.
/// Field numbers follow onnx/onnx.proto.
/// </summary>
internal sealed class OnnxModelBuilder(string graphName)
{
    // onnx.proto: TensorProto.DataType.FLOAT and the IR version that introduced opset 13.
    private const int FloatDataType = 1;
    private const long IrVersion = 7;
    private const long Opset = 13;

    // onnx.proto: AttributeProto.AttributeType.
    private const int AttributeTypeInt = 2;
    private const int AttributeTypeInts = 7;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];

    public void AddInput(string name, params long[] shape) => _inputs.Add(ValueInfo(name, shape));

    public void AddOutput(string name, params long[] shape) => _outputs.Add(ValueInfo(name, shape));

    public void AddInitializer(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        long count = 1;
        foreach (long dim in dims)
        {
            count *= dim;
        }

        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Initializer '{name}' has {data.Length} values but its dims [{string.Join(", ", dims)}] hold {count}.",
                nameof(data));
        }

        // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian float32).
        var tensor = new ProtoWriter();
        foreach (long dim in dims)
        {
            tensor.WriteInt64(1, dim);
        }

        tensor.WriteInt32(2, FloatDataType);
        tensor.WriteString(8, name);
        var raw = new byte[data.Length * sizeof(float)];
        for (int i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), data[i]);
        }

        tensor.WriteBytes(9, raw);
        _initializers.Add(tensor);
    }

    public void AddNode(string opType, string[] inputs, string output, params OnnxAttribute[] attributes)
    {
        // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.WriteString(1, input);
        }

        node.WriteString(2, output);
        node.WriteString(3, output + "_" + opType);
        node.WriteString(4, opType);
        foreach (OnnxAttribute attribute in attributes)
        {
            // AttributeProto: name = 1, i = 3, ints = 8, type = 20.
            var encoded = new ProtoWriter();
            encoded.WriteString(1, attribute.Name);
            if (attribute.Values is null)
            {
                encoded.WriteInt64(3, attribute.Value);
                encoded.WriteInt32(20, AttributeTypeInt);
            }
            else
            {
                foreach (long value in attribute.Values)
                {
                    encoded.WriteInt64(8, value);
                }

                encoded.WriteInt32(20, AttributeTypeInts);
            }

            node.WriteMessage(5, encoded);
        }

        _nodes.Add(node);
    }

    public byte[] Build()
    {
        // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
        var graph = new ProtoWriter();
        foreach (ProtoWriter node in _nodes)
        {
            graph.WriteMessage(1, node);
        }

        graph.WriteString(2, graphName);
        foreach (ProtoWriter initializer in _initializers)
        {
            graph.WriteMessage(5, initializer);
        }

        foreach (ProtoWriter input in _inputs)
        {
            graph.WriteMessage(11, input);
        }

        foreach (ProtoWriter output in _outputs)
        {
            graph.WriteMessage(12, output);
        }

        // OperatorSetIdProto: domain = 1 (empty: the default ONNX domain), version = 2.
        var opset = new ProtoWriter();
        opset.WriteString(1, "");
        opset.WriteInt64(2, Opset);

        // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8.
        var model = new ProtoWriter();
        model.WriteInt64(1, IrVersion);
        model.WriteString(2, "NetCompiler.Benchmarks");
        model.WriteMessage(7, graph);
        model.WriteMessage(8, opset);
        return model.ToArray();
    }

    private static ProtoWriter ValueInfo(string name, long[] shape)
    {
        // TensorShapeProto.Dimension: dim_value = 1.
        var tensorShape = new ProtoWriter();
        foreach (long dim in shape)
        {
            var dimension = new ProtoWriter();
            dimension.WriteInt64(1, dim);
            tensorShape.WriteMessage(1, dimension);
        }

        // TypeProto.Tensor: elem_type = 1, shape = 2; TypeProto: tensor_type = 1; ValueInfoProto: name = 1, type = 2.
        var tensorType = new ProtoWriter();
        tensorType.WriteInt32(1, FloatDataType);
        tensorType.WriteMessage(2, tensorShape);
        var type = new ProtoWriter();
        type.WriteMessage(1, tensorType);
        var valueInfo = new ProtoWriter();
        valueInfo.WriteString(1, name);
        valueInfo.WriteMessage(2, type);
        return valueInfo;
    }
}
