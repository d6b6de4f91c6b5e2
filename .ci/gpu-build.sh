#!/usr/bin/env bash
# Builds the GPU check on a machine with the .NET SDK, for a GPU machine that has neither the SDK nor network access.
#
#   .ci/gpu-build.sh [OUT]      (OUT defaults to artifacts/gpu-check)
#
# Publishes tests/NetCompiler.Cuda.Check as a self-contained, trimmed linux-x64 program (no .NET install needed on the
# GPU machine) with the MNIST-10k data next to it. Then copy OUT to the GPU machine and run .ci/gpu-check.sh there.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/artifacts/gpu-check}"

rm -rf "$out"
dotnet publish "$repo/tests/NetCompiler.Cuda.Check/NetCompiler.Cuda.Check.csproj" -c Release -r linux-x64 \
    --self-contained true -o "$out" >&2
test -x "$out/NetCompiler.Cuda.Check"
ls "$out"/data/*.gz >/dev/null
du -sh "$out" >&2
echo "$out"
