#!/usr/bin/env bash
# The main job. Brings the local control plane up and keeps it running until Ctrl-C;
# prints the KUBECONFIG to use with the kubectl it built.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
exec .venv/bin/python tests/controlplane/cluster.py up
