"""Proof that the local control plane is a real, working Kubernetes: controllers, scheduler,
fake node, garbage collection and namespace deletion all do their jobs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from controlplane.cluster import ControlPlane, HarnessError, refuse_foreign_kubeconfig
from controlplane.waiting import wait_for

pytestmark = pytest.mark.e2e

BUSYBOX_POD: dict[str, Any] = {
    "containers": [{"name": "main", "image": "busybox:1.36", "command": ["true"]}],
}


def _get(cp: ControlPlane, path: str) -> dict[str, Any] | None:
    status, body = cp.api("GET", path)
    return body if status == 200 else None


def test_server_reports_pinned_version(control_plane: ControlPlane, kubeconfig: Path) -> None:
    out = subprocess.run([str(control_plane.kubectl_path()), "--kubeconfig", str(kubeconfig),
                          "version", "-o", "json"], capture_output=True, text=True, check=True)
    versions = json.loads(out.stdout)
    expected = (Path(__file__).parent / "tools/k8s/VERSION").read_text().strip()
    assert versions["serverVersion"]["gitVersion"] == expected
    assert versions["clientVersion"]["gitVersion"] == expected


def test_cronjob_every_minute_runs_a_job_to_success(control_plane: ControlPlane, namespace: str) -> None:
    cronjob = {
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
        "spec": {"schedule": "* * * * *", "timeZone": "Europe/Berlin",
                 "jobTemplate": {"spec": {"template": {"spec": {**BUSYBOX_POD, "restartPolicy": "Never"}}}}},
    }
    status, body = control_plane.api("POST", f"/apis/batch/v1/namespaces/{namespace}/cronjobs", cronjob)
    assert status == 201, body

    def succeeded_pod() -> str | None:
        pods = _get(control_plane, f"/api/v1/namespaces/{namespace}/pods") or {}
        for pod in pods.get("items", []):
            owners = {o["kind"] for o in pod["metadata"].get("ownerReferences", [])}
            if "Job" in owners and pod.get("status", {}).get("phase") == "Succeeded":
                return str(pod["metadata"]["name"])
        return None

    wait_for(succeeded_pod, 80, "a Job pod of the CronJob to reach Succeeded")

    def job_complete() -> bool:
        jobs = _get(control_plane, f"/apis/batch/v1/namespaces/{namespace}/jobs") or {}
        return any(c["type"] == "Complete" and c["status"] == "True"
                   for j in jobs.get("items", []) for c in j.get("status", {}).get("conditions", []))

    wait_for(job_complete, 30, "the Job to complete")


def test_deployment_becomes_available(control_plane: ControlPlane, namespace: str) -> None:
    labels = {"app": "web"}
    deploy = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {
                     "containers": [{"name": "main", "image": "busybox:1.36", "command": ["sleep", "inf"]}]}}},
    }
    status, body = control_plane.api("POST", f"/apis/apps/v1/namespaces/{namespace}/deployments", deploy)
    assert status == 201, body

    def available() -> bool:
        d = _get(control_plane, f"/apis/apps/v1/namespaces/{namespace}/deployments/web") or {}
        return any(c["type"] == "Available" and c["status"] == "True"
                   for c in d.get("status", {}).get("conditions", []))

    wait_for(available, 60, "Deployment web to become Available")


def test_deleting_owner_collects_dependents(control_plane: ControlPlane, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    status, owner = control_plane.api("POST", base, {"metadata": {"name": "owner"}, "data": {}})
    assert status == 201, owner
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}  # type: ignore[index]
    status, dep = control_plane.api("POST", base, {"metadata": {"name": "dependent", "ownerReferences": [ref]}})
    assert status == 201, dep
    status, _ = control_plane.api("DELETE", f"{base}/owner")
    assert status == 200
    wait_for(lambda: _get(control_plane, f"{base}/dependent") is None, 60,
             "the garbage collector to delete the dependent ConfigMap")


def test_namespace_deletes_to_completion(control_plane: ControlPlane) -> None:
    name = "doomed-ns"
    status, body = control_plane.api("POST", "/api/v1/namespaces", {"metadata": {"name": name}})
    assert status == 201, body
    control_plane.wait_namespace_ready(name)
    control_plane.api("POST", f"/api/v1/namespaces/{name}/configmaps", {"metadata": {"name": "x"}})
    status, _ = control_plane.api("DELETE", f"/api/v1/namespaces/{name}")
    assert status == 200
    wait_for(lambda: _get(control_plane, f"/api/v1/namespaces/{name}") is None, 90,
             "namespace doomed-ns to be gone")


def test_harness_refuses_a_kubeconfig_it_did_not_create(control_plane: ControlPlane, tmp_path: Path) -> None:
    foreign = tmp_path / "config"
    foreign.write_text(json.dumps({"clusters": [{"name": "prod", "cluster": {"server": "https://10.1.2.3"}}]}))
    with pytest.raises(HarnessError, match="not created by this harness"):
        refuse_foreign_kubeconfig(foreign, control_plane.marker)
    other_session = json.loads(control_plane.kubeconfig.read_text())
    other_session["extensions"][0]["extension"]["session"] = "someone-else"
    foreign.write_text(json.dumps(other_session))
    with pytest.raises(HarnessError):
        refuse_foreign_kubeconfig(foreign, control_plane.marker)
    refuse_foreign_kubeconfig(control_plane.kubeconfig, control_plane.marker)  # ours passes
