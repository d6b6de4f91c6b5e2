namespace NetCompiler.Data;

/// <summary>
/// Walks a <see cref="Dataset"/> in mini-batches, in a seeded random order that changes every epoch,
/// copying each batch into buffers allocated once. Optionally shifts images by a few pixels (augmentation).
/// </summary>
/// <remarks>
/// <code>
/// var batches = new MiniBatches(train, batchSize: 64, seed: 1);
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
/// {
///     batches.BeginEpoch(epoch);
///     while (batches.MoveNext())
///         network.TrainStep(batches.Features, batches.Labels);
/// }
/// </code>
/// <see cref="BeginEpoch"/> and <see cref="MoveNext"/> allocate nothing. The order depends only on the seed and
/// the epoch number, so a run resumed at epoch k sees the same batches as an uninterrupted one.
/// </remarks>
public sealed class MiniBatches
{
    // Distinct streams so the shuffle and the shifts of one epoch are independent.
    private const ulong ShuffleStream = 0x53485546464C45UL;
    private const ulong ShiftStream = 0x5348494654UL;

    private readonly Dataset _source;
    private readonly int[] _order;       // [count], a permutation of the sample indices
    private readonly float[] _features;  // [batchSize, sampleSize]
    private readonly int[] _labels;      // [batchSize]
    private readonly int _channels;
    private readonly int _height;
    private readonly int _width;
    private SplitMix64 _shiftRandom;
    private int _next;
    private int _count;
    private int _start;

    /// <summary>Creates the batcher and its buffers; call <see cref="BeginEpoch"/> before the first <see cref="MoveNext"/>.</summary>
    /// <param name="source">The samples.</param>
    /// <param name="batchSize">Samples per batch; the last batch of an epoch may be smaller.</param>
    /// <param name="seed">Seed of the per-epoch order and of the shifts.</param>
    /// <param name="augmentShift">Largest random shift in pixels along x and along y (0 = no augmentation); needs a shape with at least two dimensions (height, width).</param>
    /// <param name="shuffle">Whether to visit the samples in a random order; <see langword="false"/> keeps the dataset order.</param>
    public MiniBatches(Dataset source, int batchSize, int seed, int augmentShift = 0, bool shuffle = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(augmentShift);

        ReadOnlySpan<int> shape = source.Shape;
        if (augmentShift > 0)
        {
            if (shape.Length < 2)
                throw new ArgumentException($"Shift augmentation needs images with a shape of at least [height, width], but the samples have shape [{string.Join(", ", shape.ToArray())}].", nameof(augmentShift));
            _height = shape[^2];
            _width = shape[^1];
            _channels = source.SampleSize / (_height * _width);
        }

        _source = source;
        Seed = seed;
        AugmentShift = augmentShift;
        Shuffle = shuffle;
        BatchSize = batchSize;
        _order = new int[source.Count];
        for (int i = 0; i < _order.Length; i++)
            _order[i] = i;
        _features = new float[batchSize * source.SampleSize];
        _labels = new int[batchSize];
        _next = _order.Length; // nothing to read until BeginEpoch
    }

    /// <summary>Largest number of samples in a batch.</summary>
    public int BatchSize { get; }

    /// <summary>Seed of the order and the shifts.</summary>
    public int Seed { get; }

    /// <summary>Largest shift in pixels (0 = off).</summary>
    public int AugmentShift { get; }

    /// <summary>Whether the order is shuffled each epoch.</summary>
    public bool Shuffle { get; }

    /// <summary>Batches per epoch, counting a last partial batch.</summary>
    public int BatchCount => (_source.Count + BatchSize - 1) / BatchSize;

    /// <summary>Samples in the current batch.</summary>
    public int Count => _count;

    /// <summary>Features of the current batch, <c>[Count, SampleSize]</c>.</summary>
    public ReadOnlySpan<float> Features => _features.AsSpan(0, _count * _source.SampleSize);

    /// <summary>Labels of the current batch, <c>[Count]</c>.</summary>
    public ReadOnlySpan<int> Labels => _labels.AsSpan(0, _count);

    /// <summary>Dataset indices of the samples in the current batch, <c>[Count]</c>.</summary>
    public ReadOnlySpan<int> Indices => _order.AsSpan(_start, _count);

    /// <summary>Orders the samples for <paramref name="epoch"/> (a Fisher-Yates shuffle seeded by the seed and the epoch) and rewinds to the first batch.</summary>
    public void BeginEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        int[] order = _order;
        for (int i = 0; i < order.Length; i++)
            order[i] = i;

        if (Shuffle)
        {
            var random = new SplitMix64(Seed, epoch, ShuffleStream);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = random.NextInt32(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }

        _shiftRandom = new SplitMix64(Seed, epoch, ShiftStream);
        _next = 0;
        _start = 0;
        _count = 0;
    }

    /// <summary>Copies the next batch into <see cref="Features"/> and <see cref="Labels"/>; returns <see langword="false"/> at the end of the epoch.</summary>
    public bool MoveNext()
    {
        int remaining = _order.Length - _next;
        if (remaining <= 0)
        {
            _count = 0;
            return false;
        }

        int count = Math.Min(BatchSize, remaining);
        int sampleSize = _source.SampleSize;
        float[] features = _source.Features;
        int[] labels = _source.Labels;
        for (int b = 0; b < count; b++)
        {
            int index = _order[_next + b];
            ReadOnlySpan<float> sample = features.AsSpan(index * sampleSize, sampleSize);
            Span<float> destination = _features.AsSpan(b * sampleSize, sampleSize);
            if (AugmentShift > 0)
            {
                int span = 2 * AugmentShift + 1;
                int dx = _shiftRandom.NextInt32(span) - AugmentShift;
                int dy = _shiftRandom.NextInt32(span) - AugmentShift;
                Shift(sample, _channels, _height, _width, dx, dy, destination);
            }
            else
            {
                sample.CopyTo(destination);
            }

            _labels[b] = labels[index];
        }

        _start = _next;
        _next += count;
        _count = count;
        return true;
    }

    /// <summary>
    /// Moves every channel of an image by <paramref name="dx"/> columns and <paramref name="dy"/> rows
    /// (positive = right, down); pixels moved in from outside are zero.
    /// </summary>
    internal static void Shift(ReadOnlySpan<float> source, int channels, int height, int width, int dx, int dy, Span<float> destination)
    {
        // source, destination: [channels, height, width]
        int xStart = Math.Max(0, dx);
        int xEnd = Math.Min(width, width + dx);
        for (int c = 0; c < channels; c++)
        {
            int plane = c * height * width;
            for (int y = 0; y < height; y++)
            {
                Span<float> row = destination.Slice(plane + y * width, width);
                int sourceY = y - dy;
                if ((uint)sourceY >= (uint)height || xStart >= xEnd)
                {
                    row.Clear();
                    continue;
                }

                row[..xStart].Clear();
                source.Slice(plane + sourceY * width + xStart - dx, xEnd - xStart).CopyTo(row[xStart..xEnd]);
                row[xEnd..].Clear();
            }
        }
    }
}
