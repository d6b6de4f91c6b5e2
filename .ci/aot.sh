#!/usr/bin/env bash
# Native AOT: trains the MNIST MLP to get a checkpoint, publishes samples/AotInference with PublishAot (any trim or AOT
# warning fails), and checks the binary: IDX accuracy equal to the trainer's, every sample PNG/PGM decoded to exactly
# the logits of the same IDX image, and a clear error for a wrongly sized image. Ends with one PASS or FAIL line.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start=$SECONDS
work="$repo/.tools/aot"
rm -rf "$work" && mkdir -p "$work"

fail() { echo "aot: FAIL ($*)"; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) fail "no Native AOT runtime identifier for $(uname -m)" ;;
esac
# Native AOT links with the system C toolchain (clang, or gcc as a fallback).
if ! command -v clang >/dev/null && ! command -v gcc >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq clang zlib1g-dev >/dev/null || fail "apt-get install clang"
fi
images="$repo/samples/data/mnist10k-test-images-idx3-ubyte.gz"
labels="$repo/samples/data/mnist10k-test-labels-idx1-ubyte.gz"

step "checkpoint: train samples/Mnist"
dotnet run -c Release --project samples/Mnist -- --model mlp --checkpoint "$work/mnist-mlp.safetensors" | tee "$work/train.txt" || fail "training"
trained=$(sed -n 's/^test accuracy: //p' "$work/train.txt")
[ -n "$trained" ] || fail "the trainer printed no test accuracy"

step "publish samples/AotInference ($rid, PublishAot)"
dotnet publish samples/AotInference -c Release -r "$rid" -o "$work/bin" 2>&1 | tee "$work/publish.txt" || fail "dotnet publish"
# TreatWarningsAsErrors already fails the build on a warning; this also catches any the linker or ILC print.
if grep -E 'warning (IL[0-9]+|CS[0-9]+|NU[0-9]+|NC[0-9]+)' "$work/publish.txt"; then fail "publish printed warnings"; fi
app="$work/bin/AotInference"
[ -x "$app" ] || fail "no native binary at $app"
[ ! -e "$work/bin/AotInference.dll" ] || fail "publish produced a managed dll, not a native binary"
size=$(stat -c %s "$app")

step "classify the IDX test set"
out=$("$app" --checkpoint "$work/mnist-mlp.safetensors" --idx "$images" --labels "$labels") || fail "the binary failed on the IDX set"
echo "$out"
accuracy=$(sed -n 's/^accuracy: \([0-9.]*\).*/\1/p' <<<"$out")
# Same weights, same images, same generated code: the accuracy must be the trainer's to the last digit.
[ "$accuracy" = "$trained" ] || fail "AOT accuracy $accuracy differs from the trainer's $trained"

step "PNG and PGM files decode to the same pixels as the IDX images they were made from"
for file in samples/AotInference/images/*.png samples/AotInference/images/*.pgm; do
    n=$(basename "$file" | cut -d- -f1)
    from_file=$("$app" --checkpoint "$work/mnist-mlp.safetensors" --logits "$file") || fail "the binary failed on $file"
    from_idx=$("$app" --checkpoint "$work/mnist-mlp.safetensors" --logits --idx "$images" --index "$n") || fail "the binary failed on IDX image $n"
    [ "${from_file#*: }" = "${from_idx#*: }" ] || fail "$file: '${from_file#*: }' but IDX image $n: '${from_idx#*: }'"
    echo "ok   $from_file"
done

step "a wrongly sized image is refused with a clear message"
printf 'P2\n2 2\n255\n0 255 255 0\n' > "$work/small.pgm"
if err=$("$app" --checkpoint "$work/mnist-mlp.safetensors" "$work/small.pgm" 2>&1); then fail "a 2x2 image was accepted"; fi
grep -q 'is 2x2; the network expects 28x28' <<<"$err" || fail "unexpected message: $err"
echo "ok   $err"

echo "aot: PASS (binary $size bytes, accuracy $accuracy, $((SECONDS - start)) s)"
