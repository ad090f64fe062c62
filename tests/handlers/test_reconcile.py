"""Handler tests: `reconcile` against an in-memory kube that records every request."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest

from kubefake import FakeKube
from periodic_operator.kube import Ref
from periodic_operator.reconcile import ChildCache, reconcile
from periodic_operator.settings import Settings

NOW = datetime(2024, 7, 1, 12, 0, 0, tzinfo=timezone.utc)
SETTINGS = Settings()
TASK_REF = Ref("periodic.dev/v1alpha1", "PeriodicTask", "team", "cache-refresh")


def task(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"schedule": "*/5 * * * *", "template": {"spec": {"containers": [
        {"name": "main", "image": "busybox:1.36", "command": ["sh", "-c", "true"]}]}}}
    body.update(spec)
    if "interval" in spec:
        body.pop("schedule")
    return {"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask",
            "metadata": {"name": "cache-refresh", "namespace": "team", "generation": 1,
                         "labels": {"app.kubernetes.io/instance": "demo-app"}},
            "spec": body}


def stored(kube: FakeKube) -> dict[str, Any]:
    return copy.deepcopy(kube.objects[TASK_REF])


def run(kube: FakeKube, cache: ChildCache, now: datetime = NOW) -> Any:
    return reconcile(stored(kube), kube, cache, SETTINGS, now)


def kinds(kube: FakeKube) -> set[str]:
    return {ref.kind for ref in kube.objects if ref.kind != "PeriodicTask"}


def test_first_reconcile_applies_cronjob_and_reports_status() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task())
    result = run(kube, cache)
    assert result.applied == ("CronJob/cache-refresh",)
    assert kinds(kube) == {"CronJob"}
    st = stored(kube)["status"]
    assert st["mode"] == "CronJob" and st["decision"] == "Default"
    assert st["nextRunTime"] == "2024-07-01T12:05:00Z"
    assert ("event", "Normal/Default") in kube.requests


def test_unchanged_spec_sends_zero_requests() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task())
    run(kube, cache)
    kube.requests.clear()
    result = run(kube, cache)
    assert kube.requests == []
    assert result.applied == () and not result.status_written


def test_ticker_children_zero_requests_when_unchanged() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task(interval="5s"))
    first = run(kube, cache)
    assert [a.split("/")[0] for a in first.applied] == ["ServiceAccount", "Role", "RoleBinding", "Lease", "Deployment"]
    kube.requests.clear()
    run(kube, cache)
    assert kube.requests == []


def test_hand_edit_of_managed_field_is_put_back() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task())
    run(kube, cache)
    ref = Ref("batch/v1", "CronJob", "team", "cache-refresh")
    edited = copy.deepcopy(kube.objects[ref])
    edited["spec"]["concurrencyPolicy"] = "Allow"
    kube.objects[ref] = edited
    cache.put(copy.deepcopy(edited))  # what the watch shows
    kube.requests.clear()
    run(kube, cache)
    assert kube.writes() == [("apply", "CronJob/cache-refresh")]
    assert kube.objects[ref]["spec"]["concurrencyPolicy"] == "Forbid"


def test_deleted_child_comes_back() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task())
    run(kube, cache)
    ref = Ref("batch/v1", "CronJob", "team", "cache-refresh")
    cache.remove(kube.objects.pop(ref))
    run(kube, cache)
    assert ref in kube.objects


def test_mode_change_deletes_old_before_creating_new() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task())
    run(kube, cache)
    body = stored(kube)
    body["spec"] = task(interval="5s")["spec"]
    body["metadata"]["generation"] = 2
    kube.objects[TASK_REF] = body
    kube.requests.clear()
    result = run(kube, cache)
    assert kube.writes()[0] == ("delete-foreground", "CronJob/cache-refresh")
    assert not any(w[0] == "apply" for w in kube.writes()), "new workload applied while the old one exists"
    ready = {c["type"]: c for c in stored(kube)["status"]["conditions"]}["Ready"]
    assert (ready["status"], ready["reason"]) == ("False", "Replacing")
    assert result.retry_after is not None
    # The old CronJob still exists (its Jobs are being collected): nothing new yet.
    cache.put(copy.deepcopy(kube.objects[Ref("batch/v1", "CronJob", "team", "cache-refresh")]))
    kube.requests.clear()
    run(kube, cache)
    assert not any(w[0] == "apply" for w in kube.writes())
    assert ("delete-foreground", "CronJob/cache-refresh") not in kube.writes(), "deleted twice"
    # Once the garbage collector is done, the Deployment comes.
    for ref in [r for r in kube.objects if r.kind == "CronJob"]:
        cache.remove(kube.objects[ref])
    kube.finish_deletions()
    run(kube, cache)
    assert kinds(kube) == {"ServiceAccount", "Role", "RoleBinding", "Lease", "Deployment"}


def test_ticker_to_cronjob_also_removes_lease_and_rbac() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task(interval="5s"))
    run(kube, cache)
    body = stored(kube)
    body["spec"] = task()["spec"]
    kube.objects[TASK_REF] = body
    run(kube, cache)
    cache.remove(kube.objects[Ref("apps/v1", "Deployment", "team", "cache-refresh")])
    kube.finish_deletions()
    run(kube, cache)
    assert kinds(kube) == {"CronJob"}


@pytest.mark.parametrize("spec, rule", [
    pytest.param({"schedule": "0 0 30 2 *"}, "InvalidSchedule", id="never-fires"),
    pytest.param({"schedule": "0 0 8-9 * 0#2"}, "InvalidSchedule", id="hash-token"),
    pytest.param({"timeZone": "America/New_Yrok"}, "UnknownTimeZone", id="unknown-zone"),
])
def test_bad_spec_gets_valid_false_one_warning_event_and_no_child(spec: dict[str, Any], rule: str) -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task(**spec))
    run(kube, cache)
    assert kinds(kube) == set()
    valid = {c["type"]: c for c in stored(kube)["status"]["conditions"]}["Valid"]
    assert valid["status"] == "False" and valid["reason"] == rule
    assert [e[:2] for e in kube.events] == [("Warning", rule)]
    kube.requests.clear()
    run(kube, cache, now=NOW.replace(minute=30))
    assert kube.requests == [], "a refused spec must not cause a write loop"


def test_rejected_child_reports_api_message_and_backs_off() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.reject["CronJob"] = 'CronJob.batch "cache-refresh" is invalid: spec.timeZone: Invalid value'
    kube.add(task())
    result = run(kube, cache)
    ready = {c["type"]: c for c in stored(kube)["status"]["conditions"]}["Ready"]
    assert ready["reason"] == "ChildRejected" and "spec.timeZone: Invalid value" in ready["message"]
    assert result.retry_after == 10.0
    assert reconcile(stored(kube), kube, cache, SETTINGS, NOW, retry=9).retry_after == 300.0


def test_child_of_another_owner_is_a_name_collision() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {
        "name": "cache-refresh", "namespace": "team",
        "ownerReferences": [{"kind": "PeriodicTask", "name": "other", "uid": "someone-else", "controller": True}]}})
    kube.add(task())
    run(kube, cache)
    ready = {c["type"]: c for c in stored(kube)["status"]["conditions"]}["Ready"]
    assert ready["reason"] == "NameCollision"
    assert ("apply", "CronJob/cache-refresh") not in kube.requests


def test_task_labels_and_spec_are_never_written() -> None:
    kube, cache = FakeKube(), ChildCache()
    original = task(template={"spec": {"containers": [{"name": "m", "image": "busybox", "command": ["true"],
                                                        "resources": {"requests": {"cpu": "0.5"}}}]}})
    kube.add(original)
    run(kube, cache)
    after = stored(kube)
    assert after["spec"] == original["spec"] and after["metadata"]["labels"] == original["metadata"]["labels"]
    child = kube.objects[Ref("batch/v1", "CronJob", "team", "cache-refresh")]
    assert "app.kubernetes.io/instance" not in child["metadata"]["labels"]
    assert {w[0] for w in kube.writes()} <= {"apply", "patch-status", "event"}


def test_cronjob_run_times_are_mirrored_from_the_child() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task())
    run(kube, cache)
    ref = Ref("batch/v1", "CronJob", "team", "cache-refresh")
    seen = copy.deepcopy(kube.objects[ref])
    seen["status"] = {"lastScheduleTime": "2024-07-01T12:05:00Z", "lastSuccessfulTime": "2024-07-01T12:05:09Z"}
    cache.put(seen)
    cache.put({"apiVersion": "batch/v1", "kind": "Job", "metadata": {
        "name": "cache-refresh-1", "namespace": "team", "ownerReferences": [{"kind": "CronJob", "name": "cache-refresh"}]},
        "status": {"conditions": [{"type": "Failed", "status": "True", "lastTransitionTime": "2024-07-01T12:00:30Z"}]}})
    run(kube, cache, now=NOW.replace(minute=6))
    st = stored(kube)["status"]
    assert st["lastScheduleTime"] == "2024-07-01T12:05:00Z"
    assert st["lastSuccessfulTime"] == "2024-07-01T12:05:09Z"
    assert st["lastFailureTime"] == "2024-07-01T12:00:30Z"
    assert st["nextRunTime"] == "2024-07-01T12:10:00Z"


def test_invalid_edit_keeps_the_last_valid_child_and_says_so() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task())
    run(kube, cache)
    body = stored(kube)
    body["spec"]["schedule"] = "0 0 30 2 *"
    body["metadata"]["generation"] = 2
    kube.objects[TASK_REF] = body
    kube.requests.clear()
    run(kube, cache)
    assert not any(w[0].startswith("delete") or w[0] == "apply" for w in kube.writes())
    st = stored(kube)["status"]
    ready = {c["type"]: c for c in st["conditions"]}["Ready"]
    assert ready["reason"] == "InvalidSpec" and "keeps running the last valid spec" in ready["message"]
    assert st["child"] == {"kind": "CronJob", "name": "cache-refresh"}


def test_name_collision_asks_to_come_back() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cache-refresh", "namespace": "team"}})
    kube.add(task())
    result = run(kube, cache)
    assert result.retry_after is not None and result.retry_after <= 60
    ready = {c["type"]: c for c in stored(kube)["status"]["conditions"]}["Ready"]
    assert "nobody" in ready["message"]


def test_rejected_child_posts_one_warning_event() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.reject["CronJob"] = "spec.jobTemplate...name: Invalid value"
    kube.add(task())
    run(kube, cache)
    run(kube, cache, now=NOW.replace(second=30))
    assert [e[:2] for e in kube.events if e[0] == "Warning"] == [("Warning", "ChildRejected")]


def test_decision_event_is_judged_against_the_status_just_written() -> None:
    kube, cache = FakeKube(), ChildCache()
    kube.add(task())
    stale = stored(kube)  # a copy from before the first status write, as a lagging watch has it
    first = reconcile(stale, kube, cache, SETTINGS, NOW)
    assert first.task_after is not None
    reconcile(first.task_after, kube, cache, SETTINGS, NOW)
    assert [e for e in kube.events if e[0] == "Normal"] == [kube.events[0]]
    assert len([e for e in kube.events if e[0] == "Normal"]) == 1
