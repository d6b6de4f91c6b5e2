using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// Assembles one <c>.entry</c>: header comment, parameters, register declarations collected while the body
/// is written (so every register is named and declared exactly once), and an optional dynamic shared-memory block.
/// </summary>
internal sealed class PtxKernelBuilder
{
    private readonly string _name;
    private readonly List<string> _headerLines = new List<string>();
    private readonly List<PtxParameter> _parameters = new List<PtxParameter>();
    private readonly List<KeyValuePair<string, string>> _registers = new List<KeyValuePair<string, string>>();
    private readonly Dictionary<string, string> _registerTypes = new Dictionary<string, string>(StringComparer.Ordinal);
    private int _sharedBytes;

    public PtxKernelBuilder(string name)
    {
        PtxFormat.ValidateIdentifier(name, nameof(name));
        _name = name;
    }

    /// <summary>The body, one level inside the entry's braces.</summary>
    public PtxWriter Body { get; } = new PtxWriter(1);

    public string Name => _name;

    /// <summary>Symbol of the dynamic shared-memory block; only valid after <see cref="UseSharedMemory"/>.</summary>
    public string SharedSymbol => _name + "_shared";

    public void Header(FormattableString line) => _headerLines.Add(line.ToString(CultureInfo.InvariantCulture));

    public void UseSharedMemory(int bytes) => _sharedBytes = bytes;

    /// <summary>Declares a pointer parameter and loads it as a global-space address.</summary>
    public string PointerParameter(string name, string shape = "")
    {
        string register = U64(Parameter(name, PtxParameterKind.Pointer, shape));
        Body.Line($"ld.param.u64 {register}, [{name}];");
        Body.Line($"cvta.to.global.u64 {register}, {register};");
        return register;
    }

    /// <summary>Declares a u32 parameter and loads it.</summary>
    public string U32Parameter(string name) => Load(U32(Parameter(name, PtxParameterKind.UInt32)), ".u32", name);

    /// <summary>Declares a u64 parameter and loads it.</summary>
    public string U64Parameter(string name) => Load(U64(Parameter(name, PtxParameterKind.UInt64)), ".u64", name);

    /// <summary>Declares an f32 parameter and loads it.</summary>
    public string F32Parameter(string name) => Load(F32(Parameter(name, PtxParameterKind.Float32)), ".f32", name);

    public string U32(string name) => Declare(".u32", name);

    public string U64(string name) => Declare(".u64", name);

    public string F32(string name) => Declare(".f32", name);

    public string Pred(string name) => Declare(".pred", name);

    /// <summary>
    /// Emits the flat index of this thread over a 1-D grid of <paramref name="blockSize"/>-thread blocks and returns from
    /// threads at or past <paramref name="count"/> (an immediate or a register).
    /// </summary>
    public string FlatIndex(int blockSize, string count)
    {
        string index = U32("index");
        string block = U32("block");
        string outside = Pred("outside");
        Body.Line();
        Body.Line($"mov.u32 {index}, %tid.x;");
        Body.Line($"mov.u32 {block}, %ctaid.x;");
        Body.Line($"mad.lo.u32 {index}, {block}, {blockSize}, {index};");
        Body.Line($"setp.ge.u32 {outside}, {index}, {count};");
        Body.Line($"@{outside} ret;");
        return index;
    }

    /// <summary>Emits <c>address = base + 4 * index</c> for a 32-bit element index.</summary>
    public void ElementAddress(string address, string baseAddress, string index)
    {
        string offset = U64("offset");
        Body.Line($"mul.wide.u32 {offset}, {index}, 4;");
        Body.Line($"add.u64 {address}, {baseAddress}, {offset};");
    }

    public PtxKernel Build(PtxLaunch launch)
    {
        if (launch.KernelName != _name)
        {
            throw new ArgumentException($"Launch names kernel '{launch.KernelName}', expected '{_name}'.", nameof(launch));
        }

        var writer = new PtxWriter();
        writer.Comment($"Kernel {_name}");
        foreach (string line in _headerLines)
        {
            writer.Comment($"  {line}");
        }

        writer.Comment($"  launch: grid ({launch.GridX}, {launch.GridY}), block ({launch.BlockX}, {launch.BlockY}), dynamic shared {launch.SharedMemoryBytes} bytes");
        if (_sharedBytes != launch.SharedMemoryBytes)
        {
            throw new ArgumentException($"Kernel '{_name}' uses {_sharedBytes} bytes of shared memory but the launch passes {launch.SharedMemoryBytes}.", nameof(launch));
        }

        if (_sharedBytes > 0)
        {
            writer.Line($".extern .shared .align 16 .b8 {SharedSymbol}[];");
        }

        writer.Line($".visible .entry {_name}(");
        writer.Indent();
        for (int i = 0; i < _parameters.Count; i++)
        {
            PtxParameter parameter = _parameters[i];
            string type = parameter.Kind switch
            {
                PtxParameterKind.Pointer or PtxParameterKind.UInt64 => ".u64",
                PtxParameterKind.UInt32 => ".u32",
                _ => ".f32",
            };
            string separator = i + 1 < _parameters.Count ? "," : "";
            string shape = parameter.Shape.Length > 0 ? " // " + parameter.Shape : "";
            writer.Line($".param {type} {parameter.Name}{separator}{shape}");
        }

        writer.Unindent();
        writer.Line($")");
        writer.Line($"{{");
        writer.Indent();
        foreach (KeyValuePair<string, string> register in _registers)
        {
            writer.Line($".reg {register.Value} {register.Key};");
        }

        writer.Unindent();
        writer.Line();
        writer.Raw(Body.ToString());
        writer.Line($"}}");
        return new PtxKernel(_name, writer.ToString(), _parameters.ToArray(), launch);
    }

    private string Parameter(string name, PtxParameterKind kind, string shape = "")
    {
        PtxFormat.ValidateIdentifier(name, nameof(name));
        _parameters.Add(new PtxParameter(name, kind, shape));
        return name;
    }

    private string Load(string register, string type, string parameter)
    {
        Body.Line($"ld.param{type} {register}, [{parameter}];");
        return register;
    }

    private string Declare(string type, string name)
    {
        PtxFormat.ValidateIdentifier(name, nameof(name));
        string register = "%" + name;
        if (_registerTypes.TryGetValue(register, out string? existing))
        {
            if (existing != type)
            {
                throw new InvalidOperationException($"Register {register} declared as {existing} and again as {type}.");
            }

            return register;
        }

        _registerTypes.Add(register, type);
        _registers.Add(new KeyValuePair<string, string>(register, type));
        return register;
    }
}
