#!/usr/bin/env bash
# The project's test command: installs what is missing, then runs every test layer
# (Go runner, static checks, unit, handler, chart and e2e tests on the local control plane).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
echo "== gofmt (runner, bench)"
unformatted="$(gofmt -l runner bench)"
if [[ -n "$unformatted" ]]; then echo "not gofmt'ed: $unformatted" >&2; exit 1; fi
echo "== go vet / go test -race (runner)"
(cd runner && go vet ./... && go test -race -count=1 ./...)
echo "== go vet / go test (bench's own code; the benchmark itself runs with bench/run.sh)"
(cd bench && go vet ./... && go test -count=1 ./...)
echo "== import contracts / mypy"
.venv/bin/lint-imports
.venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest -q "$@"
