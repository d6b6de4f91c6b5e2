using System.Reflection;
using Xunit;

namespace NetCompiler.Oracle.Tests;

/// <summary>The ELF edit of build/LibTorchSharpFix.targets, on the real libLibTorchSharp.so and the system libstdc++.</summary>
public class LibTorchSharpFixTests
{
    private static readonly string s_outputCopy = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");

    [Fact]
    public void OutputCopy_IsWeakExactlyWhenSystemLibStdCxxLacksTheVersion()
    {
        bool systemHasVersion = ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(SystemLibStdCxx()), ElfVersionNeeds.MissingVersion);

        bool? weak = ElfVersionNeeds.IsWeak(File.ReadAllBytes(s_outputCopy), ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion);

        Assert.Equal(!systemHasVersion, weak);
    }

    [Fact]
    public void SystemLibStdCxx_VersionDefinitionsAreRead()
    {
        byte[] libstdcxx = File.ReadAllBytes(SystemLibStdCxx());

        Assert.True(ElfVersionNeeds.DefinesVersion(libstdcxx, "GLIBCXX_3.4"));
        Assert.True(ElfVersionNeeds.DefinesVersion(libstdcxx, "CXXABI_1.3"));
        Assert.False(ElfVersionNeeds.DefinesVersion(libstdcxx, "GLIBCXX_99.0"));
    }

    [Fact]
    public void PackageCopy_IsUntouched_AndSetWeakChangesOneFlagOnce()
    {
        byte[] package = File.ReadAllBytes(PackageCopy());
        byte[] patched = (byte[])package.Clone();

        Assert.False(ElfVersionNeeds.IsWeak(package, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion));
        Assert.Equal(PatchResult.Patched, ElfVersionNeeds.SetWeak(patched, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion));
        Assert.Equal(PatchResult.AlreadyWeak, ElfVersionNeeds.SetWeak(patched, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion));
        Assert.Equal(PatchResult.NotRequired, ElfVersionNeeds.SetWeak(patched, ElfVersionNeeds.LibStdCxx, "GLIBCXX_99.0"));
        Assert.Equal(PatchResult.NotRequired, ElfVersionNeeds.SetWeak(patched, "libc.so.6", ElfVersionNeeds.MissingVersion));
        Assert.True(ElfVersionNeeds.IsWeak(patched, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion));
        Assert.False(ElfVersionNeeds.IsWeak(patched, ElfVersionNeeds.LibStdCxx, "GLIBCXX_3.4.30"));
        Assert.Single(Enumerable.Range(0, package.Length), i => package[i] != patched[i]);
    }

    [Fact]
    public void PatchFile_PatchesACopyOnceAndKeepsItsTimestamp()
    {
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(PackageCopy(), copy);
        try
        {
            DateTime timestamp = File.GetLastWriteTimeUtc(copy);

            Assert.Equal(PatchResult.Patched, ElfVersionNeeds.PatchFile(copy, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion));
            Assert.Equal(PatchResult.AlreadyWeak, ElfVersionNeeds.PatchFile(copy, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion));
            Assert.Equal(timestamp, File.GetLastWriteTimeUtc(copy));
            Assert.True(ElfVersionNeeds.IsWeak(File.ReadAllBytes(copy), ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void NonElfInput_IsRejectedWithTheExpectedMagic()
    {
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.SetWeak(new byte[128], ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion));
        Assert.Contains("7F 45 4C 46", error.Message);
    }

    private static string SystemLibStdCxx() =>
        ElfVersionNeeds.FindSystemLibrary(ElfVersionNeeds.LibStdCxx)
        ?? throw new InvalidOperationException($"No {ElfVersionNeeds.LibStdCxx} on the loader's default search path.");

    // Set by the test project from the restored TorchSharp package.
    private static string PackageCopy() =>
        typeof(LibTorchSharpFixTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "PackageLibTorchSharp").Value
        ?? throw new InvalidOperationException("The PackageLibTorchSharp assembly metadata is missing.");
}
