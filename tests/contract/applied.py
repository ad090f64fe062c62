"""A Ticker-mode task as the operator applied it on the real API server, and what a runner
of it needs to reach its Lease from a local process (shared by the Lease contract tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from controlplane.cluster import ControlPlane
from controlplane.waiting import wait_for
from e2e.harness import kubectl, task_status

LEASES = "/apis/coordination.k8s.io/v1/namespaces/{ns}/leases"


def applied_deployment(cp: ControlPlane, namespace: str, name: str, timeout: float) -> dict[str, Any]:
    """The Deployment the operator applied for task `name`, once status names it."""
    def deployment() -> dict[str, Any] | None:
        child: dict[str, Any] = dict(task_status(cp, namespace, name).get("child") or {})  # type: ignore[call-overload]
        if child.get("kind") != "Deployment":
            return None
        status, body = cp.api("GET", f"/apis/apps/v1/namespaces/{namespace}/deployments/{child['name']}")
        return dict(body) if status == 200 else None
    return wait_for(deployment, timeout, f"the operator's Deployment for {namespace}/{name}")


def mint_token(cp: ControlPlane, namespace: str, account: str, path: Path) -> Path:
    """A token for the ServiceAccount, written to path (what the kubelet would mount)."""
    token = kubectl(cp, "create", "token", account, "-n", namespace, "--duration=10m").stdout.strip()
    assert token.count(".") == 2, "kubectl create token printed no JWT"
    path.write_text(token)
    return path


def api_env(cp: ControlPlane, token_file: Path) -> dict[str, str]:
    """The runner's in-cluster credentials, pointed at the local API server."""
    return {"PERIODIC_API_SERVER": cp.server, "PERIODIC_TOKEN_FILE": str(token_file),
            "PERIODIC_CA_FILE": str(cp.pki / "ca.crt")}
