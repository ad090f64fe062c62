#!/usr/bin/env bash
# Builds the ticker runner as a static binary.
# Usage: runner/build.sh OUTPUT   (e.g. runner/build.sh runner/bin/ticker)
set -euo pipefail
if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: $0 OUTPUT" >&2
  exit 2
fi
out="$1"
[[ "$out" = /* ]] || out="$PWD/$out"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$(dirname "$out")"
cd "$here"
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$out" ./cmd/ticker
echo "$out"
