#!/usr/bin/env bash
# Start-lateness and RSS benchmark of the ticker runner against a bare Go time.Ticker loop.
# Builds the runner (runner/build.sh) and the benchmark's programs into bench/bin, then runs
# bench/bin/benchrun with the arguments given (see bench/README.md), e.g.
#   bash bench/run.sh                 # 4 conditions × 60 s + a 120 s soak, ~6½ minutes
#   bash bench/run.sh -seconds 5      # a quick look
# The figures are printed and written as JSON to bench/bin/results.json (-json FILE to change).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/bin"
mkdir -p "$bin"
"$here/../runner/build.sh" "$bin/ticker" >/dev/null
(cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$bin/" ./cmd/...)
# The C probe, static if the C library allows; without a C compiler the runs exec the Go probe.
rm -f "$bin/probe-c"
if command -v cc >/dev/null; then
  cc -O2 -static -o "$bin/probe-c" "$here/cprobe/probe.c" 2>/dev/null ||
    cc -O2 -o "$bin/probe-c" "$here/cprobe/probe.c" ||
    echo "run.sh: the C probe did not build; the runs exec the Go probe" >&2
else
  echo "run.sh: no cc; the runs exec the Go probe (its runtime start counts into fork/exec)" >&2
fi
exec "$bin/benchrun" -bin "$bin" -json "$bin/results.json" "$@"
