using System.Runtime.ExceptionServices;

namespace NetCompiler.Threading;

/// <summary>Work that divides into two parts (the two halves of a batch): part 0 runs on the caller's thread, part 1 on a <see cref="SplitWorker"/>.</summary>
public interface ISplitWork
{
    /// <summary>Runs one part; <paramref name="input"/> is the caller's input, whole.</summary>
    void RunPart(int part, ReadOnlySpan<float> input);
}

/// <summary>
/// A persistent second thread for a network's two-thread mode. <see cref="Run"/> hands it part 1 of a piece of work, runs
/// part 0 on the calling thread and returns when both are done; the caller's input stays pinned meanwhile, so the worker
/// reads it where it is, without a copy. Nothing is allocated per call: the hand-off is a counter the worker spins on for
/// a while (a training step posts a kernel every few microseconds), and a semaphore it sleeps on after that, so an idle
/// network costs no CPU.
/// </summary>
public sealed class SplitWorker : IDisposable
{
    // SpinWait.SpinOnce calls before the worker blocks: about 50-100 us, longer than the gap between two kernels of a step.
    private const int SpinsBeforeSleep = 200;

    // While idle, the worker wakes this often to see whether its owner is still reachable.
    private const int OwnerCheckMilliseconds = 1000;

    private readonly Thread _thread;
    private readonly WeakReference<object> _owner;
    private readonly SemaphoreSlim _wake = new(0);
    private ISplitWork? _work;
    private unsafe float* _input; // the caller's input, pinned by Run while the worker runs
    private int _inputLength;
    private Exception? _error;
    private int _posted;   // generation of the last posted work
    private int _finished; // generation the worker finished last
    private int _sleeping; // 1 while the worker is (about to be) blocked on _wake
    private volatile bool _disposed;

    /// <summary>
    /// Starts the worker thread (a background thread: it never keeps a process alive). It holds <paramref name="owner"/>
    /// weakly and ends once the owner has been collected, so a network dropped without <c>Threads = 1</c> leaks no thread.
    /// </summary>
    public SplitWorker(string name, object owner)
    {
        _owner = new WeakReference<object>(owner);
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Whether the worker thread is still running.</summary>
    internal bool IsAlive => _thread.IsAlive;

    /// <summary>Runs <c>work.RunPart(1, input)</c> on the worker and <c>work.RunPart(0, input)</c> here; rethrows the first exception of either.</summary>
    public unsafe void Run(ISplitWork work, ReadOnlySpan<float> input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        fixed (float* pinned = input)
        {
            _work = work;
            _input = pinned;
            _inputLength = input.Length;
            _error = null;
            int generation = _posted + 1;
            Volatile.Write(ref _posted, generation);
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();

            Exception? mine = null;
            try { work.RunPart(0, input); }
            catch (Exception e) { mine = e; }

            var spin = new SpinWait();
            while (Volatile.Read(ref _finished) != generation) spin.SpinOnce(sleep1Threshold: -1);
            _work = null;
            _input = null;
            if (mine is not null) ExceptionDispatchInfo.Throw(mine);
            if (_error is { } error) ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>Adds the worker's half of the weight gradients into the first thread's: <c>total += part</c>.</summary>
    public static void Accumulate(Span<float> total, ReadOnlySpan<float> part) =>
        System.Numerics.Tensors.TensorPrimitives.Add(total, part, total);

    /// <summary>Stops the worker thread once it is idle.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Interlocked.Increment(ref _posted);
        _wake.Release();
    }

    private unsafe void RunWorkerPart() => _work!.RunPart(1, new ReadOnlySpan<float>(_input, _inputLength));

    private void Loop()
    {
        int seen = 0;
        while (true)
        {
            var spin = new SpinWait();
            int spins = 0;
            while (Volatile.Read(ref _posted) == seen)
            {
                if (spins++ < SpinsBeforeSleep)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                // Announce the sleep, then look again: a Run that posted in between either is seen here or sees the flag.
                Volatile.Write(ref _sleeping, 1);
                Interlocked.MemoryBarrier();
                bool woken = true;
                if (Volatile.Read(ref _posted) == seen) woken = _wake.Wait(OwnerCheckMilliseconds);
                if (!woken)
                {
                    if (!_owner.TryGetTarget(out _)) return; // the network is gone: nobody can post again
                    continue; // still idle: sleep again without spinning first
                }
                Interlocked.Exchange(ref _sleeping, 0);
                spins = 0;
            }
            if (_disposed) return;
            seen = Volatile.Read(ref _posted);
            try { RunWorkerPart(); }
            catch (Exception e) { _error = e; }
            Volatile.Write(ref _finished, seen);
        }
    }
}
