"""The operator in-process on the real local control plane, and helpers to look at tasks.
The session fixtures `crd` and `operator` (tests/conftest.py) are built from these."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from controlplane.cluster import ControlPlane
from controlplane.waiting import wait_for
from periodic_operator import handlers
from periodic_operator.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CRD = ROOT / "crds" / "periodictask.yaml"


class OperatorThread:
    """The operator in this process, as `periodic-operator run` would run it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.error: BaseException | None = None

    def start(self) -> None:
        self._stop = threading.Event()
        ready = threading.Event()

        def main() -> None:
            try:
                handlers.run(self.settings, stop_flag=self._stop, ready_flag=ready)
            except BaseException as err:  # surfaced by the next wait or at teardown
                self.error = err
                ready.set()
        self._thread = threading.Thread(target=main, name="operator", daemon=True)
        self._thread.start()
        assert ready.wait(60), "operator did not become ready in 60s"
        assert self.error is None, f"operator failed to start: {self.error!r}"

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(30)
        assert not self._thread.is_alive(), "operator did not stop within 30s"
        self._thread = None


def kubectl(cp: ControlPlane, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(cp.kubectl_path()), "--kubeconfig", str(cp.kubeconfig), *args],
                            input=input, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def task_status(cp: ControlPlane, namespace: str, name: str) -> dict[str, object]:
    status, body = cp.api("GET", f"/apis/periodic.dev/v1alpha1/namespaces/{namespace}/periodictasks/{name}")
    return dict(body.get("status") or {}) if status == 200 else {}  # type: ignore[call-overload]


def condition(cp: ControlPlane, namespace: str, name: str, kind: str) -> dict[str, object] | None:
    for cond in task_status(cp, namespace, name).get("conditions") or []:  # type: ignore[attr-defined]
        if cond.get("type") == kind:
            return dict(cond)
    return None


def wait_condition(cp: ControlPlane, namespace: str, name: str, kind: str, value: str,
                   timeout: float = 60, reason: str | None = None) -> dict[str, object]:
    def probe() -> dict[str, object] | None:
        cond = condition(cp, namespace, name, kind)
        if cond and cond.get("status") == value and (reason is None or cond.get("reason") == reason):
            return cond
        return None
    return wait_for(probe, timeout, f"{namespace}/{name} {kind}={value}" + (f" ({reason})" if reason else ""))
