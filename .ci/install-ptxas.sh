#!/usr/bin/env bash
# Installs ptxas (CUDA 11.8, from Debian bookworm's non-free nvidia-cuda-toolkit package) into
# $REPO/.tools/cuda without installing the package: ptxas runs standalone, and unpacking the
# .deb avoids pulling the driver and the rest of the toolkit's dependencies.
# Idempotent: does nothing when ptxas is already unpacked. Prints the ptxas path on stdout.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo/.tools/cuda"
ptxas="$dest/usr/bin/ptxas"

if [[ -x "$ptxas" ]]; then
    echo "$ptxas"
    exit 0
fi

sudo=""
if [[ "$(id -u)" != "0" ]]; then
    sudo="sudo"
fi

# nvidia-cuda-toolkit lives in non-free; add that component for the mirror this machine already uses.
sources=/etc/apt/sources.list.d/non-free.sources
if [[ ! -f "$sources" ]]; then
    uri=""
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        uri="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
    fi
    uri="${uri:-http://deb.debian.org/debian}"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm\nComponents: contrib non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
        | $sudo tee "$sources" >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

$sudo apt-get update -qq >&2
# apt-get download writes into the current directory; the _apt user must be able to write there.
chmod 777 "$work"
(cd "$work" && apt-get download -qq nvidia-cuda-toolkit >&2)

mkdir -p "$dest"
dpkg -x "$work"/nvidia-cuda-toolkit_*.deb "$dest"

if [[ ! -x "$ptxas" ]]; then
    echo "install-ptxas: $ptxas not found after unpacking nvidia-cuda-toolkit" >&2
    exit 1
fi

"$ptxas" --version >&2
echo "$ptxas"
