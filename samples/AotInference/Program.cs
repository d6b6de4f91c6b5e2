// Classifies handwritten digits with a trained MnistMlp checkpoint (samples/Mnist --checkpoint FILE). Built to be
// published as a Native AOT binary: no JIT, no reflection, one file. Inputs are 28x28 images as PNG or PGM, or an IDX
// image file (MNIST's format, gzipped or not) with optional labels.
using System.Globalization;
using NetCompiler;
using NetCompiler.Data;

const int Side = 28;
const string Usage = """
    usage: AotInference --checkpoint FILE [--invert] IMAGE...          classify 28x28 PNG or PGM images
           AotInference --checkpoint FILE --idx IMAGES [--index N]      classify one image of an IDX file
           AotInference --checkpoint FILE --idx IMAGES [--labels FILE]  classify all of them (and report accuracy)
      --invert   for dark digits on a light background (MNIST digits are light on black)
      --logits   print the raw outputs (round-trip precision) instead of rounded probabilities
    """;

string? checkpoint = null, idxImages = null, idxLabels = null;
int? index = null;
bool invert = false, printLogits = false;
var images = new List<string>();
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--checkpoint": checkpoint = Next(); break;
            case "--idx": idxImages = Next(); break;
            case "--labels": idxLabels = Next(); break;
            case "--index": index = int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture); break;
            case "--invert": invert = true; break;
            case "--logits": printLogits = true; break;
            case "-h" or "--help": throw new ArgumentException("");
            case var a when a.StartsWith("--", StringComparison.Ordinal): throw new ArgumentException($"unknown option '{a}'");
            case var path: images.Add(path); break;
        }
    }
    if (checkpoint is null)
        throw new ArgumentException("--checkpoint is required");
    if ((idxImages is null) == (images.Count == 0))
        throw new ArgumentException("give either image files or --idx, not both or neither");
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    if (e.Message.Length > 0) Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

try
{
    return idxImages is null ? ClassifyFiles() : ClassifyIdx();
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

int ClassifyFiles()
{
    var network = Load(images.Count);
    float[] input = new float[images.Count * MnistMlp.InputSize]; // [images, 784]
    for (int i = 0; i < images.Count; i++)
    {
        var image = GrayImage.Read(images[i]);
        if (image.Width != Side || image.Height != Side)
            throw new InvalidDataException($"Image '{images[i]}' is {image.Width}x{image.Height}; the network expects {Side}x{Side} (MNIST). Resizing is not built in: resize it first.");
        Scale(image.Pixels, invert, input.AsSpan(i * MnistMlp.InputSize, MnistMlp.InputSize));
    }

    float[] logits = new float[images.Count * MnistMlp.OutputSize]; // [images, 10]
    network.Forward(input, logits);
    for (int i = 0; i < images.Count; i++)
        Report(images[i], logits.AsSpan(i * MnistMlp.OutputSize, MnistMlp.OutputSize));
    return 0;
}

int ClassifyIdx()
{
    IdxImages idx = Idx.ReadImages(idxImages!);
    if (idx.Rows != Side || idx.Columns != Side)
        throw new InvalidDataException($"IDX file '{idxImages}' holds {idx.Rows}x{idx.Columns} images; the network expects {Side}x{Side} (MNIST).");

    if (index is { } n)
    {
        if (n >= idx.Count)
            throw new ArgumentException($"--index {n} is out of range: '{idxImages}' holds {idx.Count} images (0 to {idx.Count - 1}).");
        var one = Load(1);
        float[] input = new float[MnistMlp.InputSize]; // [1, 784]
        Scale(idx.Pixels.AsSpan(n * MnistMlp.InputSize, MnistMlp.InputSize), invert, input);
        float[] logits = new float[MnistMlp.OutputSize]; // [1, 10]
        one.Forward(input, logits);
        Report($"{Path.GetFileName(idxImages)}[{n}]", logits);
        return 0;
    }

    byte[]? labels = idxLabels is null ? null : Idx.ReadLabels(idxLabels);
    if (labels is not null && labels.Length != idx.Count)
        throw new InvalidDataException($"Label file '{idxLabels}' holds {labels.Length} labels; expected {idx.Count}, one per image.");

    const int Batch = 256;
    var network = Load(Batch);
    float[] batchInput = new float[Batch * MnistMlp.InputSize];   // [256, 784]
    float[] batchLogits = new float[Batch * MnistMlp.OutputSize]; // [256, 10]
    int[] counts = new int[MnistMlp.OutputSize];
    int correct = 0;
    for (int start = 0; start < idx.Count; start += Batch)
    {
        int batch = Math.Min(Batch, idx.Count - start);
        var input = batchInput.AsSpan(0, batch * MnistMlp.InputSize);
        Scale(idx.Pixels.AsSpan(start * MnistMlp.InputSize, input.Length), invert, input);
        var logits = batchLogits.AsSpan(0, batch * MnistMlp.OutputSize);
        network.Forward(input, logits);
        for (int i = 0; i < batch; i++)
        {
            int digit = ArgMax(logits.Slice(i * MnistMlp.OutputSize, MnistMlp.OutputSize));
            counts[digit]++;
            if (labels is not null && labels[start + i] == digit) correct++;
        }
    }

    Console.WriteLine($"classified {idx.Count} images; predictions per digit: {string.Join(' ', counts)}");
    if (labels is not null)
        Console.WriteLine($"accuracy: {((double)correct / Math.Max(1, idx.Count)).ToString("F4", CultureInfo.InvariantCulture)} ({correct}/{idx.Count})");
    return 0;
}

MnistMlp Load(int batchCapacity)
{
    var network = new MnistMlp(batchCapacity) { Mode = NetworkMode.Inference };
    network.Load(checkpoint!);
    return network;
}

// The same input scaling as training (Dataset.FromIdx): pixel / 255, no standardization.
static void Scale(ReadOnlySpan<byte> pixels, bool invert, Span<float> destination)
{
    for (int i = 0; i < pixels.Length; i++)
        destination[i] = (invert ? 255 - pixels[i] : pixels[i]) * (1f / 255f);
}

void Report(string source, ReadOnlySpan<float> logits)
{
    if (printLogits)
    {
        var values = new string[logits.Length];
        for (int i = 0; i < logits.Length; i++) values[i] = logits[i].ToString("R", CultureInfo.InvariantCulture);
        Console.WriteLine($"{source}: {ArgMax(logits)} logits {string.Join(' ', values)}");
        return;
    }

    // Softmax with the maximum subtracted, so that large logits cannot overflow exp.
    Span<float> probabilities = stackalloc float[logits.Length];
    float max = logits[ArgMax(logits)], sum = 0;
    for (int i = 0; i < logits.Length; i++)
        sum += probabilities[i] = MathF.Exp(logits[i] - max);
    var text = new System.Text.StringBuilder();
    for (int i = 0; i < probabilities.Length; i++)
        text.Append(' ').Append((probabilities[i] / sum).ToString("F4", CultureInfo.InvariantCulture));
    int digit = ArgMax(logits);
    Console.WriteLine($"{source}: {digit} (p {(probabilities[digit] / sum).ToString("F4", CultureInfo.InvariantCulture)}) probabilities{text}");
}

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++)
        if (values[i] > values[best]) best = i;
    return best;
}
