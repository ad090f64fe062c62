"""The main job: the local control plane, the CRD, the operator (`periodic-operator run`, as
a real process) and every example, then `kubectl get pt` — and it keeps running until
Ctrl-C (or exits after one report with --once)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from controlplane.cluster import ControlPlane, stop_on_signals  # noqa: E402
from controlplane.waiting import wait_for  # noqa: E402

NAMESPACE = "demo"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--once", action="store_true", help="print the tasks once, then stop everything")
    args = parser.parse_args()
    stop = stop_on_signals()
    started = time.monotonic()
    with ControlPlane.start() as cp:
        print(f"control plane up in {time.monotonic() - started:.1f}s", flush=True)
        env = dict(os.environ, KUBECONFIG=str(cp.kubeconfig), PATH=f"{cp.bins['k8s']}:{os.environ['PATH']}")

        def kubectl(*words: str) -> str:
            return subprocess.run(["kubectl", *words], env=env, check=True, capture_output=True, text=True).stdout
        kubectl("apply", "--server-side", "-f", str(ROOT / "crds" / "periodictask.yaml"))
        kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/periodictasks.periodic.dev")
        log = open(cp.workdir / "operator.log", "w")
        operator = subprocess.Popen([str(ROOT / ".venv" / "bin" / "periodic-operator"), "run"], env=env,
                                    stdout=log, stderr=subprocess.STDOUT)
        try:
            kubectl("create", "namespace", NAMESPACE)
            cp.wait_namespace_ready(NAMESPACE)
            examples = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "examples" / "invalid").glob("*.yaml"))
            for path in examples:
                kubectl("apply", "-n", NAMESPACE, "-f", str(path))
            count = len(examples)
            wait_for(lambda: kubectl("get", "pt", "-n", NAMESPACE, "-o",
                                     "jsonpath={.items[*].status.conditions[?(@.type=='Ready')].status}").split()
                     .__len__() == count, 120, "every task to report Ready")
            time.sleep(3)  # let tickers' Deployments become Available before the report
            print(kubectl("get", "pt", "-n", NAMESPACE), flush=True)
            if args.once:
                return 0
            print(f"export KUBECONFIG={cp.kubeconfig}\nexport PATH={cp.bins['k8s']}:{cp.bins['helm']}:$PATH\n"
                  f"operator log: {cp.workdir / 'operator.log'}\nCtrl-C stops everything.", flush=True)
            while not stop.wait(0.5):
                if operator.poll() is not None:
                    print(f"operator exited with {operator.returncode}; see {log.name}", file=sys.stderr)
                    return 1
            return 0
        finally:
            operator.terminate()
            try:
                operator.wait(20)
            except subprocess.TimeoutExpired:
                operator.kill()


if __name__ == "__main__":
    sys.exit(main())
