using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NetCompiler.Compiler;
using NetCompiler.Compiler.Model;

namespace NetCompiler.Generator;

/// <summary>A source location as plain values, so pipeline models never hold a <see cref="Location"/> (which pins a syntax tree).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A diagnostic to report, as plain values.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Args);

/// <summary>
/// The parser's output for one class: the spec (null when the declaration cannot be compiled), parse diagnostics,
/// and the locations that compile-stage errors point at. Only <see cref="Spec"/> flows into the compile stage, so
/// an edit that moves code without changing the network leaves the compile stage cached.
/// </summary>
internal sealed record ParseResult(
    string FullName,
    NetworkSpec? Spec,
    EquatableArray<DiagnosticInfo> Diagnostics,
    LocationInfo? ClassLocation,
    EquatableArray<LocationInfo> LayerLocations,
    LocationInfo? LossLocation,
    LocationInfo? OptimizerLocation);
