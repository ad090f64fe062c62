#!/usr/bin/env bash
# Installs everything the project needs from its own files: the Python venv (.venv) with the
# pinned packages, the runner's Go modules, and the control plane's binaries (cached outside
# the repo by tests/controlplane/build.sh; a cached run only checks).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v go >/dev/null || { echo "setup: go is required (Go 1.26+)" >&2; exit 1; }
command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl; }
if [[ ! -x .venv/bin/python ]]; then python3 -m venv .venv; fi
.venv/bin/pip install -q --disable-pip-version-check -e '.[dev]'
(cd runner && go mod download)
bash tests/controlplane/build.sh >/dev/null
