#!/usr/bin/env bash
# Runs the GPU check on a machine with an NVIDIA GPU and driver; needs neither the .NET SDK nor network access.
#
#   .ci/gpu-build.sh              (on a machine with the SDK: publishes artifacts/gpu-check)
#   .ci/gpu-check.sh [BUNDLE]     (on the GPU machine; BUNDLE defaults to artifacts/gpu-check)
#
# The check (tests/NetCompiler.Cuda.Check) compares every generated GPU network with its generated CPU code (forward,
# loss and gradients, 10 training steps), trains the MNIST MLP and LeNet-5 for one epoch each on the GPU and prints
# their test accuracy, and times TrainStep CPU vs GPU (LeNet-5 at batch 32 and 128, the MLP at 32 and 256). Each check prints PASS or FAIL; a missing device is a FAIL, never
# a skip. Exits non-zero on any failure or when the check runs past 6 minutes.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="${1:-$repo/artifacts/gpu-check}"
check="$bundle/NetCompiler.Cuda.Check"

if [[ ! -x "$check" ]]; then
    echo "gpu-check: $check not found; build it with .ci/gpu-build.sh on a machine with the .NET SDK" >&2
    exit 2
fi

if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
    echo "gpu-check: nvidia-smi not found (the check itself reports whether the driver loads)" >&2
fi

timeout 360 "$check" "$bundle/data"
