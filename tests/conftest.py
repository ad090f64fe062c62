"""Session fixtures shared by every test layer.

`control_plane` starts the real local control plane (tests/controlplane/cluster.py) once per
session, only when a test asks for it, and stops it on exit — also when a test fails or the
run is interrupted (SIGTERM is turned into KeyboardInterrupt so pytest's teardown runs; the
components also die with this process if it is killed hard).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from controlplane.cluster import ControlPlane, refuse_foreign_kubeconfig
from e2e.harness import CRD, OperatorThread, kubectl
from periodic_operator.settings import Settings


def _sigterm_as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _sigterm_as_interrupt)


@pytest.fixture(scope="session")
def control_plane() -> Iterator[ControlPlane]:
    saved = {k: os.environ.get(k) for k in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT")}
    with ControlPlane.start() as cp:
        # Whatever kubeconfig or in-cluster config the shell had, tests only ever see ours.
        os.environ["KUBECONFIG"] = str(cp.kubeconfig)
        os.environ.pop("KUBERNETES_SERVICE_HOST", None)
        os.environ.pop("KUBERNETES_SERVICE_PORT", None)
        try:
            yield cp
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture
def kubeconfig(control_plane: ControlPlane) -> Path:
    """The harness kubeconfig, checked to be ours before any test uses it."""
    path = Path(os.environ["KUBECONFIG"])
    refuse_foreign_kubeconfig(path, control_plane.marker)
    return path


@pytest.fixture
def namespace(control_plane: ControlPlane, kubeconfig: Path) -> Iterator[str]:
    """A fresh namespace per test, ready for pods; deleted afterwards."""
    name = control_plane.create_namespace("t")
    yield name
    control_plane.api("DELETE", f"/api/v1/namespaces/{name}")


@pytest.fixture(scope="session")
def crd(control_plane: ControlPlane) -> Path:
    kubectl(control_plane, "apply", "--server-side", "-f", str(CRD))
    kubectl(control_plane, "wait", "--for=condition=Established", "--timeout=60s",
            "crd/periodictasks.periodic.dev")
    return CRD


@pytest.fixture(scope="session")
def operator(control_plane: ControlPlane, crd: Path) -> Iterator[OperatorThread]:
    op = OperatorThread(Settings())
    op.start()
    yield op
    op.stop()
    assert op.error is None, f"operator crashed: {op.error!r}"
