#!/usr/bin/env bash
# Arm64 (NEON) without an Arm machine (docs: DESIGN.md section 9): publishes tests/NetCompiler.Arm64Check self-contained
# for linux-arm64 and runs it under user-mode QEMU with a Debian arm64 sysroot, so that the generated Vector128 kernels
# run as AdvSimd. The program compares training against the NetCompiler.Reference ops. Ends with one PASS or FAIL line.
# Downloads are cached under .tools/arm64; a second run reuses them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start=$SECONDS
tools="$repo/.tools/arm64"
mkdir -p "$tools"

fail() { echo "arm64: FAIL ($*)"; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

step "qemu-user-static"
if ! command -v qemu-aarch64-static >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || fail "apt-get update"
    apt-get install -y -qq qemu-user-static >/dev/null || fail "apt-get install qemu-user-static"
fi
qemu-aarch64-static --version | head -n 1

step "arm64 sysroot (libc, libstdc++, libgcc, zlib)"
sysroot="$tools/sysroot"
if [ ! -f "$sysroot/.complete" ]; then
    rm -rf "$sysroot" "$tools/debs" && mkdir -p "$tools/lists/partial" "$tools/debs" "$sysroot"
    # The machine's own sources, read for arm64 into private lists: the host's apt state stays untouched.
    o=(-oAPT::Architecture=arm64 -oAPT::Architectures=arm64 "-oDir::State::Lists=$tools/lists" -oAPT::Sandbox::User=root)
    apt-get "${o[@]}" update -qq || fail "apt-get update for arm64"
    (cd "$tools/debs" && apt-get "${o[@]}" download libc6 libstdc++6 libgcc-s1 zlib1g) || fail "apt-get download of the arm64 libraries"
    for deb in "$tools"/debs/*.deb; do dpkg -x "$deb" "$sysroot"; done
    touch "$sysroot/.complete"
fi
ls "$sysroot"/lib/aarch64-linux-gnu/libc.so.6 >/dev/null || fail "no arm64 libc in $sysroot"

step "publish tests/NetCompiler.Arm64Check for linux-arm64 (self-contained)"
rm -rf "$tools/out"
dotnet publish tests/NetCompiler.Arm64Check -c Release -r linux-arm64 --self-contained -o "$tools/out" || fail "dotnet publish"
file "$tools/out/NetCompiler.Arm64Check" 2>/dev/null | grep -q 'ARM aarch64' || [ ! -x /usr/bin/file ] || fail "the published program is not an aarch64 binary"

step "run under qemu-aarch64"
out=$(timeout 900 qemu-aarch64-static -L "$sysroot" "$tools/out/NetCompiler.Arm64Check" 2>&1) && rc=0 || rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "the check exited with $rc"
grep -q 'architecture: Arm64; AdvSimd.IsSupported: True; Vector128.IsHardwareAccelerated: True' <<<"$out" || fail "NEON was not in use"
grep -q '^arm64 check: PASS' <<<"$out" || fail "no PASS line from the check"

echo "arm64: PASS (NEON, $((SECONDS - start)) s)"
