using System.Diagnostics;

namespace NetCompiler.Cuda.Tests;

/// <summary>Finds and runs ptxas: $NETCOMPILER_PTXAS, then $REPO/.tools/cuda/usr/bin/ptxas (.ci/install-ptxas.sh), then PATH.</summary>
internal static class Ptxas
{
    public const string EnvironmentVariable = "NETCOMPILER_PTXAS";

    public static readonly string? Path = Find();

    public static string SkipReason =>
        $"ptxas not found (set {EnvironmentVariable}, run .ci/install-ptxas.sh to unpack it into .tools/cuda, or put it on PATH).";

    /// <summary>Assembles <paramref name="ptx"/> for <paramref name="architecture"/>; returns ptxas's exit code and output.</summary>
    public static (int ExitCode, string Output) Assemble(string ptx, string architecture)
    {
        if (Path is null)
        {
            throw new InvalidOperationException(SkipReason);
        }

        string directory = Directory.CreateTempSubdirectory("netcompiler-ptxas-").FullName;
        try
        {
            string input = System.IO.Path.Combine(directory, "module.ptx");
            string output = System.IO.Path.Combine(directory, "module.cubin");
            File.WriteAllText(input, ptx);
            var start = new ProcessStartInfo(Path)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { "--gpu-name", architecture, "--warning-as-error", input, "-o", output })
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Path}.");
            Task<string> error = process.StandardError.ReadToEndAsync();
            string standardOutput = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            int exitCode = process.ExitCode;
            if (exitCode == 0 && !File.Exists(output))
            {
                return (-1, "ptxas exited with 0 but wrote no cubin.");
            }

            return (exitCode, standardOutput + error.Result);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string? Find()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            // An explicit setting that points nowhere is a configuration error, not a reason to skip.
            return File.Exists(fromEnvironment)
                ? fromEnvironment
                : throw new InvalidOperationException($"{EnvironmentVariable} is set to '{fromEnvironment}', which does not exist.");
        }

        string repoTool = System.IO.Path.Combine(RepoPaths.Root, ".tools", "cuda", "usr", "bin", "ptxas");
        if (File.Exists(repoTool))
        {
            return repoTool;
        }

        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = System.IO.Path.Combine(directory, "ptxas");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

internal static class RepoPaths
{
    /// <summary>The repository root: the nearest ancestor of this source file holding NetCompiler.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string TestDirectory { get; } = System.IO.Path.GetDirectoryName(ThisFile())!;

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    private static string FindRoot()
    {
        for (string? directory = System.IO.Path.GetDirectoryName(ThisFile()); directory is not null; directory = System.IO.Path.GetDirectoryName(directory))
        {
            if (File.Exists(System.IO.Path.Combine(directory, "NetCompiler.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException($"No NetCompiler.sln above {ThisFile()}.");
    }
}
