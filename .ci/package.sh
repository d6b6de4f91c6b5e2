#!/usr/bin/env bash
# Packs the NetCompiler package into a local folder feed and uses it the way a new user would: `dotnet new console`
# and `dotnet new xunit`, `dotnet add package NetCompiler --source <feed>`, build, test, publish, run. Also checks the
# package layout and that a generator diagnostic (NC0001) reaches a consumer's build. Ends with one PASS or FAIL line.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start=$SECONDS

# A fresh version per run: the NuGet cache never re-reads a version it already holds.
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props")-ci.$(date -u +%Y%m%d%H%M%S).$$"
feed="$repo/.tools/feed"
# The consumer lives outside the repository so that none of its Directory.*.props or NuGet.config apply.
work=$(mktemp -d /tmp/netcompiler-consumer.XXXXXX)
# Each run's version is unique, so its copy in the NuGet cache is never used again.
trap 'rm -rf "$work" "${NUGET_PACKAGES:-$HOME/.nuget/packages}/netcompiler/$version"' EXIT

fail() { echo "package: FAIL ($*)"; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

if ! command -v unzip >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq unzip >/dev/null || fail "apt-get install unzip"
fi

step "pack NetCompiler $version"
mkdir -p "$feed"
rm -f "$feed"/NetCompiler.*-ci.*.nupkg
dotnet pack "$repo/src/NetCompiler/NetCompiler.csproj" -c Release -p:Version="$version" -o "$feed" || fail "dotnet pack"
nupkg="$feed/NetCompiler.$version.nupkg"
[ -f "$nupkg" ] || fail "no $nupkg"

step "package layout"
listing=$(unzip -Z1 "$nupkg")
for f in lib/net10.0/NetCompiler.dll lib/net10.0/NetCompiler.xml analyzers/dotnet/cs/NetCompiler.Generator.dll analyzers/dotnet/cs/NetCompiler.CodeFixes.dll README.md; do
    grep -qx "$f" <<<"$listing" || fail "$f missing from the package"
done
# The generator must be self-contained (its compiler core compiled in), and nothing else may ship as an analyzer or library.
extra=$(grep -E '^(lib|analyzers)/' <<<"$listing" | grep -vxE 'lib/net10.0/NetCompiler\.(dll|xml)|analyzers/dotnet/cs/NetCompiler\.(Generator|CodeFixes)\.dll' || true)
[ -z "$extra" ] || fail "unexpected files in the package: $extra"
deps=$(unzip -p "$nupkg" NetCompiler.nuspec | grep -o '<dependency id="[^"]*"' | sed 's/<dependency id="//; s/"$//' | sort -u | tr '\n' ' ')
[ "$deps" = "System.Numerics.Tensors " ] || fail "dependencies are '$deps'; expected only System.Numerics.Tensors"
echo "layout ok; dependencies: $deps"

step "consumer console app"
cd "$work"
dotnet new console -o Consumer >/dev/null
cd Consumer
dotnet add package NetCompiler --version "$version" --source "$feed" || fail "dotnet add package"
cat > Program.cs <<'CS'
using NetCompiler;

float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1]; // [4, 2]
float[] targets = [0, 1, 1, 0];            // [4, 1]
var net = new XorNet(batchCapacity: 4);
for (int epoch = 0; epoch < 2000; epoch++) net.TrainStep(inputs, targets);

var outputs = new float[4];
net.Forward(inputs, outputs);
int correct = 0;
for (int i = 0; i < 4; i++) if ((outputs[i] > 0.5f ? 1f : 0f) == targets[i]) correct++;

// The checkpoint must carry the trained function into a freshly initialized network.
string path = Path.Combine(Path.GetTempPath(), $"consumer-{Environment.ProcessId}.safetensors");
net.Save(path);
var loaded = new XorNet(batchCapacity: 4, seed: 7);
loaded.Load(path);
File.Delete(path);
var reloaded = new float[4];
loaded.Forward(inputs, reloaded);
bool same = outputs.AsSpan().SequenceEqual(reloaded);

Console.WriteLine($"consumer: accuracy {correct}/4, reload {(same ? "identical" : "different")}, {XorNet.ParameterCount} parameters");
return correct == 4 && same ? 0 : 1;

[Network(Input = [2])]
[Dense(8), Tanh]
[Dense(1), Sigmoid]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.5f, Momentum = 0.9f)]
public partial class XorNet;
CS
dotnet build -c Release -warnaserror || fail "consumer build"
dotnet publish -c Release -o "$work/publish" || fail "consumer publish"
"$work/publish/Consumer" || fail "the published consumer's checks"

step "a generator diagnostic reaches the consumer's build (expect NC0001)"
sed -i 's/public partial class XorNet;/public class XorNet;/' Program.cs
if out=$(dotnet build -c Release 2>&1); then fail "a non-partial network class built without error"; fi
grep -q 'error NC0001' <<<"$out" || { echo "$out" | tail -n 20; fail "the build failed without NC0001"; }
echo "NC0001 reported: $(grep -m1 -o 'error NC0001.*' <<<"$out" | cut -c1-120)"

step "consumer test project"
cd "$work"
dotnet new xunit -o Consumer.Tests >/dev/null
cd Consumer.Tests
dotnet add package NetCompiler --version "$version" --source "$feed" || fail "dotnet add package (tests)"
rm -f UnitTest1.cs
cat > NetworkTests.cs <<'CS'
using NetCompiler;

public class NetworkTests
{
    [Fact]
    public void TrainingLowersTheLoss()
    {
        float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1];
        float[] targets = [0, 1, 1, 0];
        var net = new XorNet(batchCapacity: 4);
        float first = net.TrainStep(inputs, targets);
        float last = first;
        for (int i = 0; i < 500; i++) last = net.TrainStep(inputs, targets);
        Assert.True(last < first / 4, $"loss went from {first} to {last}");
    }

    [Fact]
    public void WrongInputSizeThrows()
    {
        var net = new XorNet(batchCapacity: 4);
        var e = Assert.ThrowsAny<ArgumentException>(() => net.Forward(new float[3], new float[1]));
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void ParametersUsePyTorchNames()
    {
        var names = new XorNet().ParameterLayout.Select(p => p.Name);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], names);
    }
}

[Network(Input = [2])]
[Dense(8), Tanh]
[Dense(1), Sigmoid]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.5f, Momentum = 0.9f)]
public partial class XorNet;
CS
dotnet test -c Release || fail "consumer tests"

echo "package: PASS (NetCompiler $version, $((SECONDS - start)) s)"
