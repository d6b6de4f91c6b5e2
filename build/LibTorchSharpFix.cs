// Source of the PatchLibTorchSharp MSBuild task (compiled by RoslynCodeTaskFactory from LibTorchSharpFix.targets)
// and of ElfVersionNeeds, which tests compile directly with LIBTORCHSHARPFIX_NO_TASK defined.
// RoslynCodeTaskFactory compiles against netstandard2.0 reference assemblies: no Span, no BinaryPrimitives.
#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

#if !LIBTORCHSHARPFIX_NO_TASK
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Flags the GLIBCXX_3.4.32 requirement of libLibTorchSharp.so copies weak when the system libstdc++ lacks that version.
/// </summary>
/// <remarks>
/// TorchSharp 0.107.0's libLibTorchSharp.so was linked by GCC 13, which records a GLIBCXX_3.4.32 requirement for
/// <c>std::ios_base_library_init()</c>, a link-time marker with no relocation against it. Older libstdc++ (Debian 12
/// stops at 3.4.30) makes the loader refuse the library. A weak version requirement is only reported, not enforced,
/// and nothing ever binds that symbol, so the library then loads and works.
/// </remarks>
public sealed class PatchLibTorchSharp : Task
{
    /// <summary>The copies to patch (never the package cache's file).</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary><c>auto</c>: patch only when the system libstdc++ lacks the version; <c>always</c>: patch regardless.</summary>
    public string Mode { get; set; } = "auto";

    public override bool Execute()
    {
        if (!string.Equals(Mode, "always", StringComparison.OrdinalIgnoreCase))
        {
            string? libstdcxx = ElfVersionNeeds.FindSystemLibrary(ElfVersionNeeds.LibStdCxx);
            if (libstdcxx is null)
            {
                Log.LogMessage(MessageImportance.Normal, "LibTorchSharpFix: no system {0} found; patching anyway.", ElfVersionNeeds.LibStdCxx);
            }
            else if (ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(libstdcxx), ElfVersionNeeds.MissingVersion))
            {
                Log.LogMessage(MessageImportance.Low, "LibTorchSharpFix: {0} defines {1}; no patch needed.", libstdcxx, ElfVersionNeeds.MissingVersion);
                return true;
            }
        }

        foreach (ITaskItem item in Files)
        {
            string path = item.ItemSpec;
            if (!File.Exists(path))
            {
                Log.LogMessage(MessageImportance.Low, "LibTorchSharpFix: {0} does not exist; skipped.", path);
                continue;
            }

            PatchResult result;
            try
            {
                result = ElfVersionNeeds.PatchFile(path, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.MissingVersion);
            }
            catch (Exception e) when (e is InvalidDataException || e is IndexOutOfRangeException || e is IOException)
            {
                Log.LogError("LibTorchSharpFix: cannot patch {0}: {1}", path, e.Message);
                return false;
            }

            switch (result)
            {
                case PatchResult.Patched:
                    Log.LogMessage(MessageImportance.High, "LibTorchSharpFix: flagged {0} of {1} weak in {2}.", ElfVersionNeeds.MissingVersion, ElfVersionNeeds.LibStdCxx, path);
                    break;
                case PatchResult.AlreadyWeak:
                    Log.LogMessage(MessageImportance.Low, "LibTorchSharpFix: {0} is already patched.", path);
                    break;
                default:
                    Log.LogMessage(MessageImportance.Normal, "LibTorchSharpFix: {0} does not require {1}; left as is.", path, ElfVersionNeeds.MissingVersion);
                    break;
            }
        }

        return true;
    }
}
#endif

/// <summary>Outcome of <see cref="ElfVersionNeeds.SetWeak"/>.</summary>
public enum PatchResult
{
    /// <summary>The requirement was strong and is now weak.</summary>
    Patched,

    /// <summary>The requirement was already weak: nothing changed.</summary>
    AlreadyWeak,

    /// <summary>The file does not require that version: nothing changed.</summary>
    NotRequired,
}

/// <summary>Reads and edits the GNU symbol-versioning sections of little-endian ELF64 files.</summary>
public static class ElfVersionNeeds
{
    /// <summary>The library whose version requirement is relaxed.</summary>
    public const string LibStdCxx = "libstdc++.so.6";

    /// <summary>The version GCC 13 records and older libstdc++ lacks.</summary>
    public const string MissingVersion = "GLIBCXX_3.4.32";

    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 2;

    // The default search path of the x86-64 and arm64 glibc loaders on Debian/Ubuntu and Fedora/RHEL layouts.
    private static readonly string[] s_libraryDirectories =
    {
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/lib64", "/usr/lib64", "/lib", "/usr/lib",
    };

    /// <summary>The first copy of <paramref name="fileName"/> on the loader's default search path, or null.</summary>
    public static string? FindSystemLibrary(string fileName)
    {
        foreach (string directory in s_libraryDirectories)
        {
            string path = Path.Combine(directory, fileName);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>Whether the ELF image defines the symbol version <paramref name="version"/> (its <c>.gnu.version_d</c>).</summary>
    public static bool DefinesVersion(byte[] elf, string version)
    {
        Section[] sections = ReadSections(elf);
        foreach (Section section in sections)
        {
            if (section.Type != ShtGnuVerdef)
            {
                continue;
            }

            Section strings = sections[(int)section.Link];
            long verdef = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32.
                ushort count = U16(elf, verdef + 6);
                long verdaux = verdef + U32(elf, verdef + 12);
                for (int j = 0; j < count; j++)
                {
                    // Elf64_Verdaux: vda_name u32, vda_next u32.
                    if (ReadString(elf, strings, U32(elf, verdaux)) == version)
                    {
                        return true;
                    }

                    verdaux += U32(elf, verdaux + 4);
                }

                uint next = U32(elf, verdef + 16);
                if (next == 0)
                {
                    break;
                }

                verdef += next;
            }
        }

        return false;
    }

    /// <summary>Whether the requirement of <paramref name="version"/> from <paramref name="file"/> is flagged weak; null when absent.</summary>
    public static bool? IsWeak(byte[] elf, string file, string version)
    {
        long flags = FindVernauxFlags(elf, file, version);
        return flags < 0 ? null : (U16(elf, flags) & VerFlagWeak) != 0;
    }

    /// <summary>Flags the requirement of <paramref name="version"/> from <paramref name="file"/> weak in <paramref name="elf"/>.</summary>
    public static PatchResult SetWeak(byte[] elf, string file, string version)
    {
        long flags = FindVernauxFlags(elf, file, version);
        if (flags < 0)
        {
            return PatchResult.NotRequired;
        }

        ushort value = U16(elf, flags);
        if ((value & VerFlagWeak) != 0)
        {
            return PatchResult.AlreadyWeak;
        }

        value |= VerFlagWeak;
        elf[flags] = (byte)value;
        elf[flags + 1] = (byte)(value >> 8);
        return PatchResult.Patched;
    }

    /// <summary>Patches the file at <paramref name="path"/> in place with <see cref="SetWeak"/>, keeping its timestamp.</summary>
    /// <remarks>
    /// The new content goes to a temporary file that replaces the original, so a hard link into the NuGet cache is
    /// broken rather than edited. Keeping the timestamp (size is unchanged) lets the next incremental build's copy
    /// step see the output as up to date instead of restoring the unpatched file.
    /// </remarks>
    public static PatchResult PatchFile(string path, string file, string version)
    {
        byte[] elf = File.ReadAllBytes(path);
        PatchResult result = SetWeak(elf, file, version);
        if (result != PatchResult.Patched)
        {
            return result;
        }

        DateTime lastWrite = File.GetLastWriteTimeUtc(path);
        string temporary = path + ".patching";
        File.WriteAllBytes(temporary, elf);
        File.SetLastWriteTimeUtc(temporary, lastWrite);
        File.Replace(temporary, path, destinationBackupFileName: null);
        return result;
    }

    // Returns the file offset of vna_flags of the matching Elf64_Vernaux, or -1.
    private static long FindVernauxFlags(byte[] elf, string file, string version)
    {
        Section[] sections = ReadSections(elf);
        foreach (Section section in sections)
        {
            if (section.Type != ShtGnuVerneed)
            {
                continue;
            }

            Section strings = sections[(int)section.Link];
            long verneed = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                ushort count = U16(elf, verneed + 2);
                bool fileMatches = ReadString(elf, strings, U32(elf, verneed + 4)) == file;
                long vernaux = verneed + U32(elf, verneed + 8);
                for (int j = 0; j < count && fileMatches; j++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                    if (ReadString(elf, strings, U32(elf, vernaux + 8)) == version)
                    {
                        return vernaux + 4;
                    }

                    vernaux += U32(elf, vernaux + 12);
                }

                uint next = U32(elf, verneed + 12);
                if (next == 0)
                {
                    break;
                }

                verneed += next;
            }
        }

        return -1;
    }

    private static Section[] ReadSections(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("Not an ELF file: expected the magic 7F 45 4C 46.");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException($"Expected a little-endian ELF64 file (class 2, data 1), got class {elf[4]}, data {elf[5]}.");
        }

        long sectionHeaders = (long)U64(elf, 0x28);
        ushort entrySize = U16(elf, 0x3a);
        ushort count = U16(elf, 0x3c);
        if (entrySize != 64 || sectionHeaders + (long)count * entrySize > elf.Length)
        {
            throw new InvalidDataException($"Bad section header table: {count} entries of {entrySize} bytes at {sectionHeaders}, file of {elf.Length} bytes.");
        }

        var sections = new Section[count];
        for (int i = 0; i < count; i++)
        {
            long header = sectionHeaders + (long)i * entrySize;
            sections[i] = new Section(
                type: U32(elf, header + 4),
                offset: (long)U64(elf, header + 24),
                size: (long)U64(elf, header + 32),
                link: U32(elf, header + 40),
                info: U32(elf, header + 44));
        }

        return sections;
    }

    private static string ReadString(byte[] elf, Section strings, uint offset)
    {
        long start = strings.Offset + offset;
        long end = start;
        long limit = Math.Min(strings.Offset + strings.Size, elf.Length);
        while (end < limit && elf[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(elf, checked((int)start), checked((int)(end - start)));
    }

    private static ushort U16(byte[] elf, long offset) => (ushort)(elf[offset] | elf[offset + 1] << 8);

    private static uint U32(byte[] elf, long offset) => U16(elf, offset) | (uint)U16(elf, offset + 2) << 16;

    private static ulong U64(byte[] elf, long offset) => U32(elf, offset) | (ulong)U32(elf, offset + 4) << 32;

    private readonly struct Section
    {
        public Section(uint type, long offset, long size, uint link, uint info)
        {
            Type = type;
            Offset = offset;
            Size = size;
            Link = link;
            Info = info;
        }

        public uint Type { get; }

        public long Offset { get; }

        public long Size { get; }

        public uint Link { get; }

        public uint Info { get; }
    }
}
