#!/usr/bin/env bash
# The main job: control plane, CRD, operator, examples, `kubectl get pt` (scripts/demo.py).
# Runs until Ctrl-C; `--once` stops after the report.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
exec .venv/bin/python scripts/demo.py "$@"
