"""The operator end to end on the real local control plane (operator in-process)."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from controlplane.cluster import ControlPlane
from controlplane.waiting import wait_for
from e2e.harness import ROOT, OperatorThread, condition, kubectl, task_status, wait_condition
from periodic_operator import drift
from periodic_operator.kube import Ref, object_path
from periodic_operator.plan import plan_task
from periodic_operator.settings import Settings

pytestmark = pytest.mark.e2e
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
INVALID = sorted((ROOT / "examples" / "invalid").glob("*.yaml"))
API = "/apis/periodic.dev/v1alpha1"


def load(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def get(cp: ControlPlane, ref: Ref) -> dict[str, Any] | None:
    status, body = cp.api("GET", object_path(ref))
    return dict(body) if status == 200 else None


def task_body(cp: ControlPlane, namespace: str, name: str) -> dict[str, Any]:
    body = get(cp, Ref("periodic.dev/v1alpha1", "PeriodicTask", namespace, name))
    assert body is not None, f"task {namespace}/{name} is gone"
    return body


def planned(cp: ControlPlane, namespace: str, name: str) -> Any:
    body = task_body(cp, namespace, name)
    return plan_task(body, Settings(), datetime.now(timezone.utc), owner_uid=body["metadata"]["uid"])


def apply_task(cp: ControlPlane, namespace: str, manifest: dict[str, Any]) -> None:
    kubectl(cp, "apply", "-n", namespace, "-f", "-", input=json.dumps(manifest))


def simple_task(name: str, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"schedule": "*/5 * * * *", "template": {"spec": {"containers": [
        {"name": "main", "image": "busybox:1.36", "command": ["sh", "-c", "true"]}]}}}
    body.update(spec)
    if "interval" in spec:
        body.pop("schedule", None)
    return {"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask", "metadata": {"name": name}, "spec": body}


def spec_writes(cp: ControlPlane, refs: list[Ref]) -> dict[Ref, str]:
    """What changes when anyone writes an object other than its status: generation, labels,
    annotations, and the time of our field manager's last apply."""
    found = {}
    for ref in refs:
        obj = get(cp, ref)
        assert obj is not None, f"{ref} missing"
        meta = obj["metadata"]
        ours = [f.get("time") for f in meta.get("managedFields") or []
                if f.get("manager") == "periodic-operator" and f.get("operation") == "Apply"]
        found[ref] = json.dumps([meta.get("generation"), meta.get("labels"), meta.get("annotations"), ours])
    return found


def test_examples_get_exactly_the_children_plan_prints(control_plane: ControlPlane, operator: OperatorThread,
                                                       namespace: str) -> None:
    for path in EXAMPLES:
        kubectl(control_plane, "apply", "-n", namespace, "-f", str(path))
    refs: list[Ref] = []
    for path in EXAMPLES:
        name = load(path)["metadata"]["name"]
        wait_condition(control_plane, namespace, name, "Valid", "True")
        plan = planned(control_plane, namespace, name)
        assert plan.valid, (path.name, plan.reason)

        def children_match() -> bool:
            for child in plan.children:
                live = get(control_plane, Ref.of(child))
                if live is None or drift.differences(child, live):
                    return False
            return True
        wait_for(children_match, 60, f"children of {path.name} to equal what plan prints")
        st = task_status(control_plane, namespace, name)
        assert (st["mode"], st["decision"]) == (plan.mode, plan.decision), path.name
        refs += [Ref.of(c) for c in plan.children]
        refs.append(Ref("periodic.dev/v1alpha1", "PeriodicTask", namespace, name))
    # Re-applying the same manifests changes nothing anywhere.
    wait_for(lambda: all(condition(control_plane, namespace, load(p)["metadata"]["name"], "Ready")
                         for p in EXAMPLES), 60, "every example to report Ready")
    # One Normal Event per decision (not one per reconcile, nor one per racing watch event).
    _, events = control_plane.api("GET", f"/api/v1/namespaces/{namespace}/events")
    per_task: dict[str, int] = {}
    for event in events.get("items", []):  # type: ignore[union-attr]
        if event["involvedObject"]["kind"] == "PeriodicTask" and event["type"] == "Normal":
            per_task[event["involvedObject"]["name"]] = per_task.get(event["involvedObject"]["name"], 0) + event.get("count", 1)
    assert per_task == {load(p)["metadata"]["name"]: 1 for p in EXAMPLES}
    before = spec_writes(control_plane, refs)
    for path in EXAMPLES:
        kubectl(control_plane, "apply", "-n", namespace, "-f", str(path))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # "consistently": nothing may be written for 5 s
        # Status moves on its own (a CronJob fires, KWOK runs a pod); writes to the objects don't.
        changed = {r for r, v in spec_writes(control_plane, list(before)).items() if before[r] != v}
        assert not changed, changed
        time.sleep(0.5)


def test_invalid_examples_end_valid_false_with_reason_and_no_child(control_plane: ControlPlane,
                                                                   operator: OperatorThread, namespace: str) -> None:
    for path in INVALID:
        manifest = load(path)
        name = manifest["metadata"]["name"]
        apply_task(control_plane, namespace, manifest)
        plan = plan_task(dict(manifest, metadata={"name": name, "namespace": namespace}), Settings(),
                         datetime.now(timezone.utc))
        assert not plan.valid, path.name
        cond = wait_condition(control_plane, namespace, name, "Valid", "False")
        assert cond["reason"] == plan.decision, path.name
        assert plan.reason.split(":")[0] in str(cond["message"]), path.name
    for kind, api in (("CronJob", "batch/v1"), ("Deployment", "apps/v1")):
        status, body = control_plane.api("GET", object_path(Ref(api, kind, namespace, "x"))[:-2])
        assert status == 200 and body.get("items") == [], f"an invalid task got a {kind}"


def test_api_server_refuses_schedule_and_interval_together(control_plane: ControlPlane, crd: Path,
                                                           namespace: str) -> None:
    manifest = simple_task("both", interval="5s")
    manifest["spec"]["schedule"] = "*/5 * * * *"
    result = kubectl(control_plane, "apply", "-n", namespace, "-f", "-", input=json.dumps(manifest), check=False)
    assert result.returncode != 0
    assert "schedule" in result.stderr and "interval" in result.stderr


def test_mode_change_swaps_cronjob_for_deployment_never_both(control_plane: ControlPlane,
                                                             operator: OperatorThread, namespace: str) -> None:
    apply_task(control_plane, namespace, simple_task("swap", schedule="* * * * *"))
    wait_condition(control_plane, namespace, "swap", "Ready", "True")
    cronjob = Ref("batch/v1", "CronJob", namespace, "swap")
    deployment = Ref("apps/v1", "Deployment", namespace, "swap")
    both: list[str] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            if get(control_plane, cronjob) is not None and get(control_plane, deployment) is not None:
                both.append(datetime.now(timezone.utc).isoformat())
            time.sleep(0.05)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        apply_task(control_plane, namespace, simple_task("swap", interval="5s"))
        wait_for(lambda: get(control_plane, deployment), 90, "the ticker Deployment")
        wait_condition(control_plane, namespace, "swap", "Ready", "True", timeout=90)
    finally:
        stop.set()
        sampler.join()
    assert get(control_plane, cronjob) is None
    assert both == [], f"CronJob and Deployment existed at once at {both}"


def test_hand_edit_is_put_back_and_deleted_child_comes_back(control_plane: ControlPlane,
                                                            operator: OperatorThread, namespace: str) -> None:
    apply_task(control_plane, namespace, simple_task("heal"))
    wait_condition(control_plane, namespace, "heal", "Ready", "True")
    ref = Ref("batch/v1", "CronJob", namespace, "heal")
    kubectl(control_plane, "patch", "-n", namespace, "cronjob/heal", "--type=merge",
            "-p", '{"spec":{"concurrencyPolicy":"Allow","suspend":true}}')
    wait_for(lambda: (c := get(control_plane, ref)) and c["spec"]["concurrencyPolicy"] == "Forbid"
             and c["spec"]["suspend"] is False, 30, "the hand edit to be put back")
    uid = get(control_plane, ref)["metadata"]["uid"]  # type: ignore[index]
    kubectl(control_plane, "delete", "-n", namespace, "cronjob/heal", "--wait=true")
    wait_for(lambda: (c := get(control_plane, ref)) and c["metadata"]["uid"] != uid, 30,
             "the deleted CronJob to come back")


def test_every_minute_task_records_schedule_and_success(control_plane: ControlPlane,
                                                        operator: OperatorThread, namespace: str) -> None:
    apply_task(control_plane, namespace, simple_task("minutely", schedule="* * * * *"))
    wait_condition(control_plane, namespace, "minutely", "Ready", "True")
    st = wait_for(lambda: (s := task_status(control_plane, namespace, "minutely")).get("lastSuccessfulTime") and s,
                  150, "lastSuccessfulTime on the task")
    assert st["lastScheduleTime"] and st["nextRunTime"] > st["lastScheduleTime"]  # type: ignore[operator]


def test_interval_task_turns_ready_and_kubectl_wait_works(control_plane: ControlPlane,
                                                         operator: OperatorThread, namespace: str) -> None:
    apply_task(control_plane, namespace, simple_task("beat", interval="5s"))
    kubectl(control_plane, "wait", "-n", namespace, "--for=condition=Ready", "--timeout=90s", "pt/beat")
    cond = condition(control_plane, namespace, "beat", "Ready")
    assert cond and cond["reason"] == "Available"
    out = kubectl(control_plane, "get", "-n", namespace, "pt", "beat").stdout
    assert "Ticker" in out and "every 5s" in out


def test_child_the_api_server_refuses_is_reported(control_plane: ControlPlane, operator: OperatorThread,
                                                  namespace: str) -> None:
    manifest = simple_task("refused")
    manifest["spec"]["template"]["spec"]["containers"][0]["name"] = "Not_A_DNS_Label"
    apply_task(control_plane, namespace, manifest)
    cond = wait_condition(control_plane, namespace, "refused", "Ready", "False", reason="ChildRejected")
    assert "Not_A_DNS_Label" in str(cond["message"])
    assert get(control_plane, Ref("batch/v1", "CronJob", namespace, "refused")) is None


def test_gitops_labels_and_quantities_untouched(control_plane: ControlPlane, operator: OperatorThread,
                                                namespace: str) -> None:
    manifest = simple_task("argo")
    manifest["metadata"]["labels"] = {"app.kubernetes.io/instance": "demo-app"}
    manifest["metadata"]["annotations"] = {"argocd.argoproj.io/tracking-id": "demo-app:periodic.dev/PeriodicTask:x"}
    manifest["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "0.5"}}
    apply_task(control_plane, namespace, manifest)
    wait_condition(control_plane, namespace, "argo", "Ready", "True")
    body = task_body(control_plane, namespace, "argo")
    assert body["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "0.5"
    assert body["metadata"]["labels"] == {"app.kubernetes.io/instance": "demo-app"}
    child = get(control_plane, Ref("batch/v1", "CronJob", namespace, "argo"))
    assert child is not None
    assert "app.kubernetes.io/instance" not in (child["metadata"].get("labels") or {})
    assert not any(k.startswith("argocd") for k in child["metadata"].get("annotations") or {})
    assert child["metadata"]["ownerReferences"][0]["uid"] == body["metadata"]["uid"]


def test_status_is_complete_and_written_through_status(control_plane: ControlPlane, operator: OperatorThread,
                                                       namespace: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    apply_task(control_plane, namespace, simple_task("c12"))
    wait_condition(control_plane, namespace, "c12", "Ready", "True")
    st = task_status(control_plane, namespace, "c12")
    for key in ("mode", "reason", "nextRunTime", "schedule", "observedGeneration"):
        assert st.get(key), key
    assert "inconsistencies" not in caplog.text
    assert "status" not in json.dumps(task_body(control_plane, namespace, "c12")["metadata"].get("annotations", {}))


def test_task_deletes_with_operator_stopped(control_plane: ControlPlane, operator: OperatorThread,
                                            namespace: str) -> None:
    apply_task(control_plane, namespace, simple_task("doomed", interval="5s"))
    wait_for(lambda: get(control_plane, Ref("apps/v1", "Deployment", namespace, "doomed")), 60, "the Deployment")
    assert not task_body(control_plane, namespace, "doomed")["metadata"].get("finalizers")
    operator.stop()
    try:
        kubectl(control_plane, "delete", "-n", namespace, "pt/doomed", "--wait=true", "--timeout=60s")
        wait_for(lambda: get(control_plane, Ref("apps/v1", "Deployment", namespace, "doomed")) is None, 60,
                 "the garbage collector to remove the Deployment")
    finally:
        operator.start()
