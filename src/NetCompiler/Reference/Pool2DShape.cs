namespace NetCompiler.Reference;

/// <summary>Shape and index arithmetic of an unpadded square-window pooling over NCHW images.</summary>
internal readonly struct Pool2DShape
{
    private readonly int _height, _width;

    public Pool2DShape(int batch, int channels, int height, int width, int kernel, int stride)
    {
        ReferenceGuard.Positive(batch, nameof(batch));
        ReferenceGuard.Positive(channels, nameof(channels));
        // Each (image, channel) plane pools independently, so the loops only need their count.
        Planes = batch * channels;
        _height = height;
        _width = width;
        Kernel = kernel;
        Stride = stride;
        OutHeight = Conv2DReference.OutputSize(height, kernel, stride, padding: 0);
        OutWidth = Conv2DReference.OutputSize(width, kernel, stride, padding: 0);
    }

    public int Planes { get; }

    public int Kernel { get; }

    public int Stride { get; }

    public int OutHeight { get; }

    public int OutWidth { get; }

    public int InputLength => Planes * _height * _width;

    public int OutputLength => Planes * OutHeight * OutWidth;

    public int InputIndex(int plane, int y, int x) => (plane * _height + y) * _width + x;

    public int OutputIndex(int plane, int y, int x) => (plane * OutHeight + y) * OutWidth + x;
}
