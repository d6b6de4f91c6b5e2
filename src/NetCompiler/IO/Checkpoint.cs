namespace NetCompiler.IO;

/// <summary>Saves and loads a network's parameters as a safetensors file (loadable by <c>safetensors.torch.load_file</c>).</summary>
/// <remarks>Only <see cref="INetwork.Parameters"/> are stored; optimizer state is not, so a resumed run restarts its moments.</remarks>
public static class Checkpoint
{
    /// <summary>Writes the network's parameters to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>), creating its directory if needed.</summary>
    /// <param name="path">The checkpoint file, conventionally <c>*.safetensors</c>.</param>
    /// <param name="network">The network whose parameters are saved.</param>
    /// <param name="metadata">Extra string pairs for the header; <c>format</c> = <c>pt</c> is added unless given, as PyTorch tooling expects it.</param>
    public static void Save(string path, INetwork network, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string> pair in metadata)
                pairs[pair.Key] = pair.Value;
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
            Directory.CreateDirectory(directory);

        AtomicFile.Write(path, stream => SafeTensors.Write(stream, network.ParameterLayout, network.Parameters, pairs));
    }

    /// <summary>Reads parameters saved by <see cref="Save"/> (or by PyTorch as safetensors) into the network; names, dtypes and shapes must match its layout.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors or does not match the network; the message names the file and every mismatch.</exception>
    public static void Load(string path, INetwork network)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            SafeTensors.Read(stream, network.ParameterLayout, network.Parameters);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Checkpoint '{path}': {ex.Message}", ex);
        }
    }
}
