namespace NetCompiler.Training;

/// <summary>How <see cref="Trainer"/> reports progress.</summary>
public enum ProgressDisplay
{
    /// <summary>A live bar when writing to an interactive console, one line per epoch otherwise (redirected output, files, string writers).</summary>
    Auto,

    /// <summary>Always a live one-line bar redrawn with <c>'\r'</c>, then one line per epoch.</summary>
    Bar,

    /// <summary>Only one line per epoch.</summary>
    Lines,
}
