namespace NetCompiler.Data;

/// <summary>Loads MNIST from a folder of IDX files.</summary>
public static class Mnist
{
    /// <summary>Mean pixel value of the MNIST training set after scaling to [0, 1], for <see cref="Dataset.Normalize"/>.</summary>
    public const float Mean = 0.1307f;

    /// <summary>Standard deviation of the MNIST training set after scaling to [0, 1], for <see cref="Dataset.Normalize"/>.</summary>
    public const float StandardDeviation = 0.3081f;

    // Each scheme lists train images, train labels, test images, test labels, without the optional ".gz".
    private static readonly string[][] s_namingSchemes =
    [
        ["mnist10k-train-images-idx3-ubyte", "mnist10k-train-labels-idx1-ubyte", "mnist10k-test-images-idx3-ubyte", "mnist10k-test-labels-idx1-ubyte"],
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
        // Some mirrors (Kaggle among them) replace the second '-' with a '.'.
        ["train-images.idx3-ubyte", "train-labels.idx1-ubyte", "t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"],
    ];

    /// <summary>
    /// Loads the training and test sets from <paramref name="directory"/>. Accepts the MNIST-10k names
    /// (<c>mnist10k-train-images-idx3-ubyte.gz</c> ...) and the standard MNIST names
    /// (<c>train-images-idx3-ubyte</c>, <c>t10k-images-idx3-ubyte</c> ...), each gzipped (<c>.gz</c>) or not.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">No complete set of four files was found; the message lists the names looked for.</exception>
    public static (Dataset Train, Dataset Test) Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"MNIST directory '{Path.GetFullPath(directory)}' does not exist.");

        foreach (string[] scheme in s_namingSchemes)
        {
            string?[] paths = new string?[scheme.Length];
            bool complete = true;
            for (int i = 0; i < scheme.Length; i++)
            {
                paths[i] = Find(directory, scheme[i]);
                complete &= paths[i] is not null;
            }

            if (complete)
                return (Dataset.FromIdx(paths[0]!, paths[1]!), Dataset.FromIdx(paths[2]!, paths[3]!));
        }

        IEnumerable<string> sets = s_namingSchemes.Select(scheme => string.Join(", ", scheme));
        throw new FileNotFoundException(
            $"No complete set of MNIST files in '{Path.GetFullPath(directory)}'. Looked for these sets of four files, each plain or with '.gz': "
            + string.Join("; or ", sets) + ".");
    }

    private static string? Find(string directory, string name)
    {
        string gz = Path.Combine(directory, name + ".gz");
        if (File.Exists(gz))
            return gz;
        string plain = Path.Combine(directory, name);
        return File.Exists(plain) ? plain : null;
    }
}
