using System.Globalization;

namespace NetCompiler.Cuda.Tests;

/// <summary>
/// A small interpreter for the PTX subset the generated kernels use, so their logic (indexing, tiling, bounds checks,
/// barriers, warp shuffles) is checked on machines without a GPU. Every thread runs until it reaches a barrier, a
/// shuffle or <c>ret</c>; barriers release when every live thread of the block waits there, shuffles when all 32 lanes
/// of the warp do. Out-of-bounds or misaligned accesses, reads of never-written registers and deadlocks throw.
/// Approximate instructions (ex2/lg2.approx) are evaluated exactly, so numeric precision is the GPU tests' job.
/// </summary>
internal sealed class PtxEmulator
{
    private const int WarpSize = 32;
    private const ulong SharedSymbolAddress = 0;

    private readonly Dictionary<string, Function> _functions = new(StringComparer.Ordinal);
    private List<uint[]> _buffers = [];

    public PtxEmulator(string moduleText)
    {
        string[] lines = moduleText.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = StripComment(lines[i]);
            if (line.StartsWith(".visible .entry ", StringComparison.Ordinal))
            {
                i = ParseFunction(lines, i, line);
            }
        }
    }

    /// <summary>Whether the module has an entry named <paramref name="kernel"/>.</summary>
    public bool HasKernel(string kernel) => _functions.ContainsKey(kernel);

    /// <summary>Makes this emulator's global memory the same as <paramref name="other"/>'s.</summary>
    public void ShareMemoryWith(PtxEmulator other) => _buffers = other._buffers;

    /// <summary>Allocates a global buffer of 4-byte elements and returns its device address.</summary>
    public ulong Allocate(int length)
    {
        _buffers.Add(new uint[length]);
        return (ulong)_buffers.Count << 32;
    }

    public uint[] Buffer(ulong address) => _buffers[(int)(address >> 32) - 1];

    /// <summary>Runs <paramref name="kernel"/>; arguments are device addresses (ulong), uint or float, in parameter order.</summary>
    public void Launch(string kernel, (int X, int Y) grid, (int X, int Y) block, int sharedBytes, object[] arguments)
    {
        Function function = _functions[kernel];
        if (arguments.Length != function.Parameters.Count)
        {
            throw new ArgumentException($"{kernel} takes {function.Parameters.Count} arguments, got {arguments.Length}.");
        }

        var parameterValues = new Dictionary<string, ulong>(StringComparer.Ordinal);
        for (int i = 0; i < arguments.Length; i++)
        {
            parameterValues[function.Parameters[i]] = arguments[i] switch
            {
                ulong pointer => pointer,
                uint value => value,
                float value => BitConverter.SingleToUInt32Bits(value),
                _ => throw new ArgumentException($"Unsupported argument type {arguments[i].GetType()}."),
            };
        }

        for (int by = 0; by < grid.Y; by++)
        {
            for (int bx = 0; bx < grid.X; bx++)
            {
                RunBlock(function, parameterValues, (bx, by), block, new uint[sharedBytes / 4]);
            }
        }
    }

    private void RunBlock(Function function, Dictionary<string, ulong> parameters, (int X, int Y) blockIndex, (int X, int Y) blockDim, uint[] shared)
    {
        int count = blockDim.X * blockDim.Y;
        var threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            threads[i] = new Thread(function.RegisterCount)
            {
                TidX = (uint)(i % blockDim.X),
                TidY = (uint)(i / blockDim.X),
                CtaidX = (uint)blockIndex.X,
                CtaidY = (uint)blockIndex.Y,
                Lane = i % WarpSize,
            };
        }

        var context = new Context(this, parameters, shared);
        long budget = 200_000_000;
        while (true)
        {
            bool progressed = false;
            foreach (Thread thread in threads)
            {
                if (thread.Done || thread.Waiting)
                {
                    continue;
                }

                progressed = true;
                while (!thread.Done && !thread.Waiting)
                {
                    if (--budget == 0)
                    {
                        throw new InvalidOperationException($"{function.Name}: instruction budget exhausted (infinite loop?).");
                    }

                    Instruction instruction = function.Instructions[thread.Pc];
                    if (instruction.Guard >= 0 && (thread.Read(instruction.Guard, instruction) != 0) == instruction.GuardNegated)
                    {
                        thread.Pc++;
                        continue;
                    }

                    switch (instruction.Kind)
                    {
                        case Kind.Branch:
                            thread.Pc = instruction.Target;
                            break;
                        case Kind.Return:
                            thread.Done = true;
                            break;
                        case Kind.Barrier:
                        case Kind.Shuffle:
                            thread.Waiting = true;
                            break;
                        default:
                            instruction.Execute!(thread, context);
                            thread.Pc++;
                            break;
                    }
                }
            }

            if (threads.All(t => t.Done))
            {
                return;
            }

            // Warp shuffles: all 32 lanes at the same shuffle.
            for (int warp = 0; warp * WarpSize < count; warp++)
            {
                Thread[] lanes = threads.Skip(warp * WarpSize).Take(WarpSize).ToArray();
                if (lanes.All(t => t.Waiting && function.Instructions[t.Pc].Kind == Kind.Shuffle && t.Pc == lanes[0].Pc))
                {
                    Instruction shuffle = function.Instructions[lanes[0].Pc];
                    ulong[] values = lanes.Select(t => t.Read(shuffle.Sources[0], shuffle)).ToArray();
                    int mask = shuffle.Immediate;
                    foreach (Thread t in lanes)
                    {
                        t.Write(shuffle.Destination, values[t.Lane ^ mask]);
                        t.Waiting = false;
                        t.Pc++;
                    }

                    progressed = true;
                }
                else if (lanes.Any(t => t.Waiting && function.Instructions[t.Pc].Kind == Kind.Shuffle) && lanes.Any(t => t.Done))
                {
                    throw new InvalidOperationException($"{function.Name}: shfl.sync with full member mask while some lanes of warp {warp} have exited.");
                }
            }

            // Barriers: every live thread waits at one.
            Thread[] live = threads.Where(t => !t.Done).ToArray();
            if (live.All(t => t.Waiting && function.Instructions[t.Pc].Kind == Kind.Barrier))
            {
                foreach (Thread t in live)
                {
                    t.Waiting = false;
                    t.Pc++;
                }

                progressed = true;
            }

            if (!progressed)
            {
                throw new InvalidOperationException($"{function.Name}: deadlock in block ({blockIndex.X}, {blockIndex.Y}).");
            }
        }
    }

    private int ParseFunction(string[] lines, int start, string header)
    {
        string name = header[".visible .entry ".Length..].TrimEnd('(').Trim();
        var function = new Function(name);
        int i = start + 1;
        for (; !StripComment(lines[i]).StartsWith(')'); i++)
        {
            string[] parts = StripComment(lines[i]).TrimEnd(',').Split(' ', StringSplitOptions.RemoveEmptyEntries);
            function.Parameters.Add(parts[2]);
        }

        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var pending = new List<(Instruction Instruction, string Label)>();
        for (i++; ; i++)
        {
            string line = StripComment(lines[i]);
            if (line.Length == 0 || line == "{")
            {
                continue;
            }

            if (line == "}")
            {
                break;
            }

            if (line.StartsWith(".reg ", StringComparison.Ordinal))
            {
                string[] parts = line.TrimEnd(';').Split(' ', StringSplitOptions.RemoveEmptyEntries);
                function.Registers.Add(parts[2], function.Registers.Count);
                continue;
            }

            if (line.EndsWith(':'))
            {
                labels.Add(line.TrimEnd(':'), function.Instructions.Count);
                continue;
            }

            Instruction instruction = Decode(function, line.TrimEnd(';'), out string? label);
            function.Instructions.Add(instruction);
            if (label is not null)
            {
                pending.Add((instruction, label));
            }
        }

        foreach ((Instruction instruction, string label) in pending)
        {
            instruction.Target = labels[label];
        }

        _functions.Add(name, function);
        return i;
    }

    private static string StripComment(string line)
    {
        int comment = line.IndexOf("//", StringComparison.Ordinal);
        return (comment >= 0 ? line[..comment] : line).Trim();
    }

    private static Instruction Decode(Function function, string text, out string? label)
    {
        label = null;
        var instruction = new Instruction(text);
        if (text.StartsWith('@'))
        {
            int space = text.IndexOf(' ');
            string guard = text[1..space];
            instruction.GuardNegated = guard.StartsWith('!');
            instruction.Guard = function.Register(guard.TrimStart('!'));
            text = text[(space + 1)..];
        }

        int split = text.IndexOf(' ');
        string opcode = split < 0 ? text : text[..split];
        string[] operands = split < 0 ? [] : text[(split + 1)..].Split(',', StringSplitOptions.TrimEntries);
        switch (opcode)
        {
            case "ret":
                instruction.Kind = Kind.Return;
                return instruction;
            case "bra":
                instruction.Kind = Kind.Branch;
                label = operands[0];
                return instruction;
            case "bar.sync":
                instruction.Kind = Kind.Barrier;
                return instruction;
            case "shfl.sync.bfly.b32":
                instruction.Kind = Kind.Shuffle;
                instruction.Destination = function.Register(operands[0]);
                instruction.Sources = [function.Register(operands[1])];
                instruction.Immediate = ParseInt(operands[2]);
                return instruction;
        }

        instruction.Kind = Kind.Compute;
        int d = operands.Length > 0 && operands[0].StartsWith('%') ? function.Register(operands[0]) : -1;
        instruction.Destination = d;
        Func<Thread, ulong> Src(int index) => Operand(function, operands[index], instruction);

        if (opcode.StartsWith("ld.param.", StringComparison.Ordinal))
        {
            string parameter = operands[1].Trim('[', ']');
            instruction.Execute = (t, c) => t.Write(d, c.Parameters[parameter]);
            return instruction;
        }

        if (opcode == "cvta.to.global.u64")
        {
            var a = Src(1);
            instruction.Execute = (t, c) => t.Write(d, a(t));
            return instruction;
        }

        if (opcode.StartsWith("ld.", StringComparison.Ordinal) || opcode.StartsWith("st.", StringComparison.Ordinal))
        {
            bool load = opcode[0] == 'l';
            bool shared = opcode.Contains(".shared.", StringComparison.Ordinal);
            string memory = load ? operands[1] : operands[0];
            (Func<Thread, ulong> address, long offset) = MemoryOperand(function, memory, instruction);
            if (load)
            {
                instruction.Execute = (t, c) => t.Write(d, c.Load(shared, address(t) + (ulong)offset, instruction));
            }
            else
            {
                var value = Src(1);
                instruction.Execute = (t, c) => c.Store(shared, address(t) + (ulong)offset, (uint)value(t), instruction);
            }

            return instruction;
        }

        if (opcode.StartsWith("setp.", StringComparison.Ordinal))
        {
            string[] parts = opcode.Split('.');
            var a = Src(1);
            var b = Src(2);
            Func<ulong, ulong, bool> compare = parts[2] == "f32"
                ? parts[1] switch
                {
                    "lt" => (x, y) => F(x) < F(y),
                    "gt" => (x, y) => F(x) > F(y),
                    "ge" => (x, y) => F(x) >= F(y),
                    "eq" => (x, y) => F(x) == F(y),
                    "le" => (x, y) => F(x) <= F(y),
                    "nan" => (x, y) => float.IsNaN(F(x)) || float.IsNaN(F(y)),
                    "num" => (x, y) => !float.IsNaN(F(x)) && !float.IsNaN(F(y)),
                    _ => throw Unsupported(text),
                }
                : parts[1] switch
                {
                    "lt" => (x, y) => (uint)x < (uint)y,
                    "ge" => (x, y) => (uint)x >= (uint)y,
                    "eq" => (x, y) => (uint)x == (uint)y,
                    "ne" => (x, y) => (uint)x != (uint)y,
                    "gt" => (x, y) => (uint)x > (uint)y,
                    "le" => (x, y) => (uint)x <= (uint)y,
                    _ => throw Unsupported(text),
                };
            instruction.Execute = (t, c) => t.Write(d, compare(a(t), b(t)) ? 1UL : 0UL);
            return instruction;
        }

        if (opcode == "selp.f32" || opcode == "selp.u32")
        {
            var a = Src(1);
            var b = Src(2);
            var p = Src(3);
            instruction.Execute = (t, c) => t.Write(d, p(t) != 0 ? a(t) : b(t));
            return instruction;
        }

        if (opcode == "mov.u32" || opcode == "mov.f32" || opcode == "mov.u64")
        {
            var a = Src(1);
            instruction.Execute = (t, c) => t.Write(d, a(t));
            return instruction;
        }

        Func<Thread, ulong>[] s = Enumerable.Range(1, operands.Length - 1).Select(Src).ToArray();
        Func<Thread, ulong> result = opcode switch
        {
            "add.u32" => t => (uint)(s[0](t) + s[1](t)),
            "sub.u32" => t => (uint)(s[0](t) - s[1](t)),
            "add.u64" => t => s[0](t) + s[1](t),
            "sub.u64" => t => s[0](t) - s[1](t),
            "mul.lo.u32" => t => (uint)(s[0](t) * s[1](t)),
            "mul.wide.u32" => t => (ulong)(uint)s[0](t) * (uint)s[1](t),
            "mad.lo.u32" => t => (uint)((uint)s[0](t) * (uint)s[1](t) + (uint)s[2](t)),
            "and.b32" => t => (uint)(s[0](t) & s[1](t)),
            "shr.u32" => t => (uint)s[0](t) >> (int)s[1](t),
            "shl.b32" => t => (uint)((uint)s[0](t) << (int)s[1](t)),
            "and.pred" => t => s[0](t) & s[1](t),
            "or.pred" => t => s[0](t) | s[1](t),
            "div.u32" => t => (uint)s[0](t) / (uint)s[1](t),
            "rem.u32" => t => (uint)s[0](t) % (uint)s[1](t),
            "min.u32" => t => Math.Min((uint)s[0](t), (uint)s[1](t)),
            "mul.lo.u64" => t => unchecked(s[0](t) * s[1](t)),
            "shr.u64" => t => s[0](t) >> (int)s[1](t),
            "xor.b64" => t => s[0](t) ^ s[1](t),
            "cvt.u64.u32" => t => (uint)s[0](t),
            "cvt.u32.u64" => t => (uint)s[0](t),
            "add.rn.f32" => t => B(F(s[0](t)) + F(s[1](t))),
            "mul.rn.f32" => t => B(F(s[0](t)) * F(s[1](t))),
            "add.f32" => t => B(F(s[0](t)) + F(s[1](t))),
            "sub.f32" => t => B(F(s[0](t)) - F(s[1](t))),
            "mul.f32" => t => B(F(s[0](t)) * F(s[1](t))),
            "div.rn.f32" => t => B(F(s[0](t)) / F(s[1](t))),
            "fma.rn.f32" => t => B(MathF.FusedMultiplyAdd(F(s[0](t)), F(s[1](t)), F(s[2](t)))),
            "max.f32" => t => B(Max(F(s[0](t)), F(s[1](t)))),
            "neg.f32" => t => B(-F(s[0](t))),
            "abs.f32" => t => B(MathF.Abs(F(s[0](t)))),
            "rcp.rn.f32" => t => B(1f / F(s[0](t))),
            "sqrt.rn.f32" => t => B(MathF.Sqrt(F(s[0](t)))),
            "ex2.approx.ftz.f32" => t => B((float)Math.Pow(2, F(s[0](t)))),
            "lg2.approx.ftz.f32" => t => B((float)Math.Log2(F(s[0](t)))),
            "cvt.rn.f32.u32" => t => B((float)(uint)s[0](t)),
            _ => throw Unsupported(text),
        };
        instruction.Execute = (t, c) => t.Write(d, result(t));
        return instruction;
    }

    // PTX max returns the non-NaN operand when exactly one is NaN.
    private static float Max(float a, float b) => float.IsNaN(a) ? b : float.IsNaN(b) ? a : MathF.Max(a, b);

    private static Func<Thread, ulong> Operand(Function function, string operand, Instruction instruction)
    {
        switch (operand)
        {
            case "%tid.x": return t => t.TidX;
            case "%tid.y": return t => t.TidY;
            case "%ctaid.x": return t => t.CtaidX;
            case "%ctaid.y": return t => t.CtaidY;
        }

        if (operand.StartsWith('%'))
        {
            int register = function.Register(operand);
            return t => t.Read(register, instruction);
        }

        if (operand.StartsWith("0f", StringComparison.Ordinal))
        {
            ulong bits = uint.Parse(operand[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return _ => bits;
        }

        if (char.IsDigit(operand[0]) || operand[0] == '-')
        {
            ulong value = (ulong)ParseLong(operand);
            return _ => value;
        }

        if (operand == function.Name + "_shared")
        {
            return _ => SharedSymbolAddress;
        }

        throw Unsupported(instruction.Text);
    }

    private static (Func<Thread, ulong> Address, long Offset) MemoryOperand(Function function, string operand, Instruction instruction)
    {
        string inner = operand.Trim('[', ']');
        int plus = inner.IndexOf('+');
        return plus < 0
            ? (Operand(function, inner, instruction), 0)
            : (Operand(function, inner[..plus], instruction), ParseLong(inner[(plus + 1)..]));
    }

    private static int ParseInt(string text) => (int)ParseLong(text);

    private static long ParseLong(string text) =>
        text.StartsWith("0x", StringComparison.Ordinal)
            ? long.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static float F(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits);

    private static ulong B(float value) => BitConverter.SingleToUInt32Bits(value);

    private static NotSupportedException Unsupported(string text) => new($"The emulator does not support '{text}'.");

    private enum Kind
    {
        Compute,
        Branch,
        Return,
        Barrier,
        Shuffle,
    }

    private sealed class Instruction(string text)
    {
        public string Text { get; } = text;

        public Kind Kind { get; set; }

        public int Guard { get; set; } = -1;

        public bool GuardNegated { get; set; }

        public int Destination { get; set; } = -1;

        public int[] Sources { get; set; } = [];

        public int Immediate { get; set; }

        public int Target { get; set; }

        public Action<Thread, Context>? Execute { get; set; }
    }

    private sealed class Function(string name)
    {
        public string Name { get; } = name;

        public List<string> Parameters { get; } = [];

        public Dictionary<string, int> Registers { get; } = new(StringComparer.Ordinal);

        public List<Instruction> Instructions { get; } = [];

        public int RegisterCount => Registers.Count;

        public int Register(string name) =>
            Registers.TryGetValue(name, out int index) ? index : throw new InvalidOperationException($"{Name}: register {name} is used but not declared.");
    }

    private sealed class Thread(int registers)
    {
        private readonly ulong[] _values = new ulong[registers];
        private readonly bool[] _written = new bool[registers];

        public uint TidX { get; init; }

        public uint TidY { get; init; }

        public uint CtaidX { get; init; }

        public uint CtaidY { get; init; }

        public int Lane { get; init; }

        public int Pc { get; set; }

        public bool Done { get; set; }

        public bool Waiting { get; set; }

        public ulong Read(int register, Instruction instruction) =>
            _written[register] ? _values[register] : throw new InvalidOperationException($"'{instruction.Text}' reads a register that was never written (thread {TidX}, block {CtaidX},{CtaidY}).");

        public void Write(int register, ulong value)
        {
            _values[register] = value;
            _written[register] = true;
        }
    }

    private sealed class Context(PtxEmulator emulator, Dictionary<string, ulong> parameters, uint[] shared)
    {
        public Dictionary<string, ulong> Parameters { get; } = parameters;

        public uint Load(bool isShared, ulong address, Instruction instruction)
        {
            (uint[] memory, int index) = Resolve(isShared, address, instruction);
            return memory[index];
        }

        public void Store(bool isShared, ulong address, uint value, Instruction instruction)
        {
            (uint[] memory, int index) = Resolve(isShared, address, instruction);
            memory[index] = value;
        }

        private (uint[] Memory, int Index) Resolve(bool isShared, ulong address, Instruction instruction)
        {
            uint[] memory;
            ulong offset;
            if (isShared)
            {
                memory = shared;
                offset = address;
            }
            else
            {
                int buffer = (int)(address >> 32) - 1;
                if (buffer < 0 || buffer >= emulator._buffers.Count)
                {
                    throw new InvalidOperationException($"'{instruction.Text}': address 0x{address:X} is in no buffer.");
                }

                memory = emulator._buffers[buffer];
                offset = address & 0xFFFF_FFFF;
            }

            if (offset % 4 != 0 || offset / 4 >= (ulong)memory.Length)
            {
                throw new InvalidOperationException($"'{instruction.Text}': {(isShared ? "shared" : "global")} byte offset {offset} is misaligned or outside the {memory.Length}-element buffer.");
            }

            return (memory, (int)(offset / 4));
        }
    }
}
