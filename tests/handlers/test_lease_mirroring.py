"""Ticker run results from the Lease into status, through the handlers' Runtime (fake kube,
fake monotonic clock, trailing calls collected instead of run on timers)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from kubefake import FakeKube
from periodic_operator.handlers import Runtime, on_child_event
from periodic_operator.kube import Ref
from periodic_operator.settings import Settings

NOW = datetime(2026, 12, 3, 10, 0, 30, tzinfo=timezone.utc)
TASK = Ref("periodic.dev/v1alpha1", "PeriodicTask", "team", "ticks")


class Scene:
    def __init__(self, interval: str) -> None:
        self.kube, self.now = FakeKube(), 1000.0
        self.trailing: list[tuple[float, Callable[[], None]]] = []
        self.rt = Runtime(self.kube, Settings(), clock=lambda: NOW, monotonic=lambda: self.now,
                          later=lambda wait, call: self.trailing.append((wait, call)))
        self.kube.add({"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask",
                       "metadata": {"name": "ticks", "namespace": "team", "generation": 1},
                       "spec": {"interval": interval, "template": {"spec": {"containers": [
                           {"name": "main", "image": "busybox:1.36", "command": ["true"]}]}}}})
        self.rt.reconcile_body(copy.deepcopy(self.kube.objects[TASK]))
        child = self.kube.objects[TASK]["status"]["child"]
        assert child["kind"] == "Deployment", child
        self.lease = copy.deepcopy(self.kube.objects[Ref("coordination.k8s.io/v1", "Lease", "team", child["name"])])
        on_child_event(self.rt, "ADDED", self.lease)
        self.kube.requests.clear()

    def runner_writes(self, **notes: str) -> None:
        self.lease = copy.deepcopy(self.lease)
        self.lease["metadata"].setdefault("annotations", {}).update(
            {f"periodic.dev/{k.replace('_', '-')}": v for k, v in notes.items()})
        self.lease["metadata"]["resourceVersion"] = str(int(self.lease["metadata"]["resourceVersion"]) + 1)
        on_child_event(self.rt, "MODIFIED", self.lease)

    def status(self) -> dict[str, Any]:
        return dict(self.kube.objects[TASK].get("status") or {})

    def status_writes(self) -> int:
        return sum(1 for w in self.kube.writes() if w[0] == "patch-status")


def test_period_of_a_minute_or_more_mirrors_each_result_at_once() -> None:
    s = Scene("90s")
    s.now += 90
    s.runner_writes(last_slot="2026-12-03T10:00:00Z")   # the run starts: waits (result comes first)
    assert s.status_writes() == 0 and [w for w, _ in s.trailing] == [30.0]
    s.now += 0.8
    s.runner_writes(last_success="2026-12-03T10:00:00.800Z", last_result="success")
    assert s.status_writes() == 1
    assert s.status()["lastSuccessfulTime"] == "2026-12-03T10:00:00.800Z"
    assert s.status()["lastScheduleTime"] == "2026-12-03T10:00:00Z"
    s.trailing.pop()[1]()                                # the start's trailing call: nothing new
    assert s.status_writes() == 1
    s.now += 90                                          # the next run fails: at once again
    s.runner_writes(last_slot="2026-12-03T10:01:30Z", last_failure="2026-12-03T10:01:31Z", last_result="failure")
    assert s.status_writes() == 2 and s.status()["lastFailureTime"] == "2026-12-03T10:01:31Z"


def test_short_period_mirrors_at_most_every_30s_with_a_trailing_call() -> None:
    s = Scene("2s")
    s.now += 40
    s.runner_writes(last_slot="2026-12-03T10:00:00Z", last_success="2026-12-03T10:00:00.500Z", last_result="success")
    assert s.status_writes() == 1
    for k in range(1, 6):                                # five more runs in the next 10 s
        s.now += 2
        s.runner_writes(last_slot=f"2026-12-03T10:00:{2 * k:02d}Z",
                        last_success=f"2026-12-03T10:00:{2 * k:02d}.500Z", last_result="success")
    assert s.status_writes() == 1, "a write per run at a 2s period"
    assert len(s.trailing) == 1 and s.trailing[0][0] == 28.0, s.trailing  # one trailing call, 30 s after
    s.now += 28
    s.trailing.pop()[1]()
    assert s.status_writes() == 2 and s.status()["lastSuccessfulTime"] == "2026-12-03T10:00:10.500Z"


def test_a_plain_renewal_writes_nothing() -> None:
    s = Scene("90s")
    s.now += 100
    s.lease = copy.deepcopy(s.lease)
    s.lease.setdefault("spec", {})["renewTime"] = "2026-12-03T10:00:29.000000Z"
    on_child_event(s.rt, "MODIFIED", s.lease)
    assert s.kube.writes() == [] and s.trailing == []
