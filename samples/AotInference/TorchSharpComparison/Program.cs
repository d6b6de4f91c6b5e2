// Classifies one 28x28 8-bit grayscale PGM (P5) or IDX image with the MnistMlp weights in LibTorch: the same
// 784-128-10 network as nn.Sequential-like modules named fc1/fc2, loaded from the same safetensors checkpoint with
// TorchSharp.PyBridge. Prints the digit and the logits, like `AotInference --logits`.
using System.Globalization;
using System.IO.Compression;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: TorchSharpComparison MODEL.safetensors IMAGE.pgm | IDX-IMAGES INDEX");
    return 2;
}

byte[] pixels = args.Length == 2 ? ReadPgm(args[1]) : ReadIdx(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
var model = new Mlp();
model.load_safetensors(args[0], strict: true);
model.eval();

using var _ = no_grad();
var input = tensor(pixels.Select(p => p / 255f).ToArray(), [1, 784]);
var logits = model.forward(input).data<float>().ToArray();
int digit = Array.IndexOf(logits, logits.Max());
Console.WriteLine($"{Path.GetFileName(args[1])}: {digit} logits {string.Join(' ', logits.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
return 0;

static byte[] ReadPgm(string path)
{
    // Only what the comparison needs: "P5\n[# comment\n]28 28\n255\n" then 784 bytes.
    byte[] data = File.ReadAllBytes(path);
    string[] header = System.Text.Encoding.ASCII.GetString(data, 0, Math.Min(64, data.Length)).Split('\n');
    string[] fields = header.Where(l => !l.StartsWith('#')).Take(3).ToArray();
    if (fields[0] != "P5" || fields[1] != "28 28" || fields[2] != "255")
        throw new InvalidDataException($"'{path}' is not a 28x28 8-bit P5 PGM.");
    return data[^784..];
}

static byte[] ReadIdx(string path, int index)
{
    using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    var image = new byte[784];
    stream.ReadExactly(new byte[16 + 784 * index]);
    stream.ReadExactly(image);
    return image;
}

/// <summary>784-128-10 with ReLU, parameters named like MnistMlp's (fc1.weight, fc1.bias, fc2.weight, fc2.bias).</summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> fc1 = nn.Linear(784, 128);
    private readonly nn.Module<Tensor, Tensor> fc2 = nn.Linear(128, 10);

    public Mlp() : base(nameof(Mlp)) => RegisterComponents();

    public override Tensor forward(Tensor x) => fc2.forward(nn.functional.relu(fc1.forward(x)));
}
