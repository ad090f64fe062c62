"""A ticker with a period of a minute or more: each run's result reaches the task's status
at once (once per run), not within the 30 s throttle that short periods get.

The operator (in-process) reconciles a 60 s interval task with a jitter (so: Ticker mode);
the Deployment's runner container, as applied, runs as a local process with a token for
the rendered ServiceAccount. The task's name is chosen so that its jitter offset puts the
first slot about ten seconds ahead, which keeps the test short.
"""

from __future__ import annotations

import json
import math
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.applied import LEASES, api_env, applied_deployment, mint_token
from contract.podlocal import Processes, free_port, prepare, rfc3339_ns, with_flag
from controlplane.cluster import ControlPlane
from controlplane.waiting import wait_for
from e2e.harness import OperatorThread, kubectl, task_status
from periodic_operator.schedule import jitter_offset

pytestmark = pytest.mark.e2e
PERIOD = 60
JITTER = timedelta(seconds=59)


def name_with_first_slot_in(namespace: str, low: float, high: float) -> tuple[str, float]:
    """A task name whose slots (k × 60 s + its jitter offset) have one in [now+low, now+high]."""
    now = time.time()
    for i in range(100_000):
        name = f"hourly-ish-{i}"
        offset = jitter_offset(namespace, name, JITTER).total_seconds()
        slot = math.floor((now - offset) / PERIOD) * PERIOD + offset + PERIOD
        if now + low <= slot <= now + high:
            return name, slot
    raise AssertionError("no name found")  # 100k names cover the 59 s span many times over


def test_minute_period_mirrors_each_result_at_once(control_plane: ControlPlane, operator: OperatorThread,
                                                   namespace: str, processes: Processes, tmp_path: Path,
                                                   ticker_binary: Path) -> None:
    cp, ns = control_plane, namespace
    name, slot = name_with_first_slot_in(ns, 12, 18)
    manifest = {"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask", "metadata": {"name": name},
                "spec": {"interval": f"{PERIOD}s", "timeout": "10s", "ticker": {"jitter": "59s"},
                         "template": {"spec": {"containers": [{
                             "name": "main", "image": "busybox:1.36", "command": ["sh", "-c", "exit 0"]}]}}}}
    kubectl(cp, "apply", "-n", ns, "-f", "-", input=json.dumps(manifest))
    dep = applied_deployment(cp, ns, name, 30)
    child, pod = dep["metadata"]["name"], dict(dep["spec"]["template"]["spec"])
    lease_path = LEASES.format(ns=ns) + f"/{child}"
    wait_for(lambda: cp.api("GET", lease_path)[0] == 200, 30, "the Lease created by the operator")
    token = mint_token(cp, ns, pod["serviceAccountName"], tmp_path / "token")
    prep = prepare(pod, "main", tmp_path / "pod", processes, ticker_binary,
                   {"metadata.name": f"{child}-pod", "metadata.namespace": ns})
    argv = with_flag(prep.argv, "--listen", f"127.0.0.1:{free_port()}")
    runner = processes.start("runner", argv, {**prep.env, **api_env(cp, token)})

    def result_on_lease() -> dict[str, str] | None:
        assert runner.proc.poll() is None, f"the runner exited:\n{runner.tail()}"
        status, body = cp.api("GET", lease_path)
        notes: dict[str, str] = dict(body.get("metadata", {}).get("annotations") or {})  # type: ignore[union-attr]
        return notes if status == 200 and "periodic.dev/last-success" in notes else None
    notes = wait_for(result_on_lease, slot - time.time() + 15, "the first run's success on the Lease",
                     interval=0.05)
    seen_on_lease = time.time()
    assert rfc3339_ns(notes["periodic.dev/last-slot"]) // 1_000_000 == round(slot * 1000), (notes, slot)

    def mirrored() -> dict[str, Any] | None:
        st = task_status(cp, ns, name)
        return st if st.get("lastSuccessfulTime") else None
    st = wait_for(mirrored, 30, "lastSuccessfulTime in the task's status", interval=0.05)
    delay = time.time() - seen_on_lease
    # The 30 s throttle would have held this back: the task was reconciled ~15 s before.
    assert delay < 5, f"the run's result reached status {delay:.1f}s after the Lease had it"
    assert rfc3339_ns(st["lastSuccessfulTime"]) // 1_000_000 == rfc3339_ns(notes["periodic.dev/last-success"]) // 1_000_000
    assert rfc3339_ns(st["lastScheduleTime"]) == rfc3339_ns(notes["periodic.dev/last-slot"]), (st, notes)
