using Xunit;

namespace NetCompiler.Cuda.Tests;

public class CudaRuntimeTests
{
    [NoCudaDriverFact]
    public void Without_a_driver_the_device_is_unavailable_with_a_clear_reason()
    {
        Assert.False(CudaDevice.IsAvailable);
        Assert.Equal(0, CudaDevice.Count);
        Assert.NotNull(CudaDevice.UnavailableReason);
        Assert.Contains("libcuda.so.1", CudaDevice.UnavailableReason, StringComparison.Ordinal);
        var exception = Assert.Throws<InvalidOperationException>(() => new CudaContext());
        Assert.Contains(CudaDevice.UnavailableReason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_arguments_hold_at_most_sixteen_values()
    {
        var arguments = new CudaKernelArguments();
        for (int i = 0; i < CudaKernelArguments.MaxCount; i++)
        {
            arguments.Add((uint)i);
        }

        Assert.Equal(CudaKernelArguments.MaxCount, arguments.Count);
        InvalidOperationException? caught = null;
        try
        {
            arguments.Add(1f);
        }
        catch (InvalidOperationException ex)
        {
            caught = ex;
        }

        Assert.NotNull(caught);
        Assert.Contains("at most 16", caught.Message, StringComparison.Ordinal);
    }

    [CudaFact]
    public void Device_reports_a_name()
    {
        Assert.True(CudaDevice.Count >= 1);
        Assert.Null(CudaDevice.UnavailableReason);
        Assert.False(string.IsNullOrWhiteSpace(CudaDevice.GetName(0)));
    }

    [CudaFact]
    public void Buffers_round_trip_and_check_lengths()
    {
        using var context = new CudaContext();
        using var buffer = new DeviceBuffer(context, 5);
        float[] source = [1f, -2f, 3.5f, float.MaxValue, 0f];
        buffer.CopyFrom(source);
        var destination = new float[5];
        buffer.CopyTo(destination);
        Assert.Equal(source, destination);

        buffer.CopyFrom(new[] { 7, -8 });
        var ints = new int[2];
        buffer.CopyTo(ints);
        Assert.Equal([7, -8], ints);

        var tooLong = Assert.Throws<ArgumentException>(() => buffer.CopyFrom(new float[6]));
        Assert.Contains("6 elements", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("only 5", tooLong.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => buffer.CopyTo(new float[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceBuffer(context, 0));
    }

    [CudaFact]
    public void Missing_kernel_is_a_cuda_exception_with_the_error_name()
    {
        using var context = new CudaContext();
        var ptx = NetCompiler.Compiler.Ptx.PtxModule.Create([NetCompiler.Compiler.Ptx.LossKernels.MeanLoss("mean_loss")]);
        using CudaModule module = CudaModule.Load(context, System.Text.Encoding.UTF8.GetBytes(ptx.Text));
        Assert.Equal("mean_loss", module.GetKernel("mean_loss").Name);
        var exception = Assert.Throws<CudaException>(() => module.GetKernel("no_such_kernel"));
        Assert.Equal("CUDA_ERROR_NOT_FOUND", exception.ErrorName);
        Assert.Equal(500, exception.ErrorCode);
        Assert.Contains("no_such_kernel", exception.Message, StringComparison.Ordinal);
    }

    [CudaFact]
    public void Invalid_ptx_is_a_cuda_exception()
    {
        using var context = new CudaContext();
        var exception = Assert.Throws<CudaException>(() => CudaModule.Load(context, ".version 7.8\n.target sm_80\nnot ptx"u8));
        Assert.StartsWith("CUDA_ERROR_", exception.ErrorName, StringComparison.Ordinal);
    }
}
