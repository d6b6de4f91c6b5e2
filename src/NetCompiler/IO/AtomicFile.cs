namespace NetCompiler.IO;

/// <summary>Replaces a file all at once, so a crash or an exception never leaves a half-written file in its place.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <c>path + ".tmp"</c> with <paramref name="write"/>, flushes it to disk, then moves it over <paramref name="path"/>.
    /// If <paramref name="write"/> or any step fails, the temporary file is deleted and the previous file is left untouched.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content to the stream it is given, and leaves the stream open (it is flushed to disk afterwards).</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);

        // The temporary file sits in the same directory so the final move is a rename within one file system, which is atomic.
        string fullPath = Path.GetFullPath(path);
        string temporary = fullPath + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);

                // Without this, a power loss after the rename can leave the new name pointing at data still in the page cache.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original exception matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
