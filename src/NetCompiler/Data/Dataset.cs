namespace NetCompiler.Data;

/// <summary>Labelled samples in memory: features row-major <c>[Count, SampleSize]</c> and one class label per sample.</summary>
public sealed class Dataset
{
    private readonly int[] _shape;

    /// <summary>Creates a dataset over the given arrays (not copied).</summary>
    /// <param name="features">Features, <c>[count, sampleSize]</c> row-major.</param>
    /// <param name="labels">One class label per sample.</param>
    /// <param name="shape">Per-sample shape, e.g. <c>[1, 28, 28]</c>; its product is the sample size.</param>
    public Dataset(float[] features, int[] labels, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (shape.IsEmpty)
            throw new ArgumentException("Expected a per-sample shape with at least one dimension, but it is empty.", nameof(shape));

        long sampleSize = 1;
        foreach (int d in shape)
        {
            if (d <= 0)
                throw new ArgumentException($"Expected positive dimensions, but the shape is [{string.Join(", ", shape.ToArray())}].", nameof(shape));
            sampleSize *= d;
        }

        if (sampleSize * labels.Length != features.Length)
            throw new ArgumentException($"Expected {labels.Length} samples x {sampleSize} elements = {sampleSize * labels.Length} features (one sample per label), but the array has {features.Length}.", nameof(features));

        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Expected labels >= 0, but label {i} is {labels[i]}.");

        Features = features;
        Labels = labels;
        _shape = shape.ToArray();
        SampleSize = (int)sampleSize;
    }

    /// <summary>All features, <c>[Count, SampleSize]</c> row-major.</summary>
    public float[] Features { get; }

    /// <summary>The class label of each sample.</summary>
    public int[] Labels { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>Elements per sample (the product of <see cref="Shape"/>).</summary>
    public int SampleSize { get; }

    /// <summary>Per-sample shape, e.g. <c>[1, 28, 28]</c> (channels, height, width).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of classes: the largest label plus one (0 when empty).</summary>
    public int ClassCount
    {
        get
        {
            int max = -1;
            foreach (int label in Labels)
                max = Math.Max(max, label);
            return max + 1;
        }
    }

    /// <summary>The features of one sample.</summary>
    public ReadOnlySpan<float> Sample(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Features.AsSpan(index * SampleSize, SampleSize);
    }

    /// <summary>Loads an IDX image file and its IDX label file; pixels are scaled from 0..255 to [0, 1] and the shape is <c>[1, rows, columns]</c>.</summary>
    /// <exception cref="InvalidDataException">A file is malformed, or the two files hold different numbers of items.</exception>
    public static Dataset FromIdx(string imagesPath, string labelsPath)
    {
        IdxImages images = Idx.ReadImages(imagesPath);
        byte[] labelBytes = Idx.ReadLabels(labelsPath);
        if (images.Count != labelBytes.Length)
            throw new InvalidDataException($"Image file '{imagesPath}' holds {images.Count} images but label file '{labelsPath}' holds {labelBytes.Length} labels; expected the same count.");

        float[] features = new float[images.Pixels.Length]; // [count, rows * columns]
        const float Scale = 1f / 255f;
        for (int i = 0; i < features.Length; i++)
            features[i] = images.Pixels[i] * Scale;

        int[] labels = new int[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = labelBytes[i];

        return new Dataset(features, labels, [1, images.Rows, images.Columns]);
    }

    /// <summary>Standardizes every feature in place: <c>x = (x - mean) / std</c>.</summary>
    /// <returns>This dataset, for chaining.</returns>
    public Dataset Normalize(float mean, float std)
    {
        if (!(std > 0) || !float.IsFinite(std))
            throw new ArgumentOutOfRangeException(nameof(std), std, "Expected a positive, finite standard deviation.");
        if (!float.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "Expected a finite mean.");

        float scale = 1f / std;
        Span<float> features = Features;
        for (int i = 0; i < features.Length; i++)
            features[i] = (features[i] - mean) * scale;
        return this;
    }

    /// <summary>Copies <paramref name="count"/> samples starting at <paramref name="start"/> into a new dataset.</summary>
    public Dataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start + (long)count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected start + count <= {Count} samples, but start {start} + count {count} = {start + (long)count}.");

        float[] features = Features.AsSpan(start * SampleSize, count * SampleSize).ToArray();
        int[] labels = Labels.AsSpan(start, count).ToArray();
        return new Dataset(features, labels, _shape);
    }

    /// <summary>Copies the first <paramref name="count"/> samples (all of them when there are fewer) into a new dataset, for quick runs.</summary>
    public Dataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Slice(0, Math.Min(count, Count));
    }
}
