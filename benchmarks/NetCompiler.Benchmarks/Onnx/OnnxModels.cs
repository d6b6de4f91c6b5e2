using NetCompiler.Benchmarks.Data;

namespace NetCompiler.Benchmarks.Onnx;

/// <summary>The benchmark networks as in-memory ONNX models, with a fixed batch size and the shared weights.</summary>
internal static class OnnxModels
{
    public const string InputName = "input";
    public const string OutputName = "logits";

    public static byte[] Mlp(MlpWeights weights, int batch)
    {
        var builder = new OnnxModelBuilder("mlp");
        builder.AddInput(InputName, batch, MlpWeights.Inputs);
        builder.AddOutput(OutputName, batch, MlpWeights.Classes);
        string hidden = AddDense(builder, "fc1", weights.Fc1, InputName);
        builder.AddNode("Relu", [hidden], "fc1_relu");
        AddDense(builder, "fc2", weights.Fc2, "fc1_relu", OutputName);
        return builder.Build();
    }

    public static byte[] LeNet(LeNetWeights weights, int batch)
    {
        var builder = new OnnxModelBuilder("lenet5");
        builder.AddInput(InputName, batch, LeNetWeights.Channels, LeNetWeights.Height, LeNetWeights.Width);
        builder.AddOutput(OutputName, batch, LeNetWeights.Classes);
        string x = AddConv(builder, "conv1", weights.Conv1, InputName);
        builder.AddNode("Relu", [x], "conv1_relu");
        builder.AddNode("MaxPool", ["conv1_relu"], "pool1", OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
        x = AddConv(builder, "conv2", weights.Conv2, "pool1");
        builder.AddNode("Relu", [x], "conv2_relu");
        builder.AddNode("MaxPool", ["conv2_relu"], "pool2", OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
        builder.AddNode("Flatten", ["pool2"], "flat", OnnxAttribute.Int("axis", 1));
        x = AddDense(builder, "fc1", weights.Fc1, "flat");
        builder.AddNode("Relu", [x], "fc1_relu");
        x = AddDense(builder, "fc2", weights.Fc2, "fc1_relu");
        builder.AddNode("Relu", [x], "fc2_relu");
        AddDense(builder, "fc3", weights.Fc3, "fc2_relu", OutputName);
        return builder.Build();
    }

    private static string AddDense(OnnxModelBuilder builder, string name, DenseWeights dense, string input, string? output = null)
    {
        builder.AddInitializer(name + ".weight", dense.Weight, dense.Outputs, dense.Inputs);
        builder.AddInitializer(name + ".bias", dense.Bias, dense.Outputs);
        output ??= name;
        // Gemm computes A * B^T + C with transB = 1, which takes PyTorch's [out, in] weight unchanged.
        builder.AddNode("Gemm", [input, name + ".weight", name + ".bias"], output, OnnxAttribute.Int("transB", 1));
        return output;
    }

    private static string AddConv(OnnxModelBuilder builder, string name, ConvWeights conv, string input)
    {
        builder.AddInitializer(name + ".weight", conv.Weight, conv.OutChannels, conv.InChannels, conv.Kernel, conv.Kernel);
        builder.AddInitializer(name + ".bias", conv.Bias, conv.OutChannels);
        builder.AddNode("Conv", [input, name + ".weight", name + ".bias"], name, OnnxAttribute.Ints("kernel_shape", conv.Kernel, conv.Kernel));
        return name;
    }
}
