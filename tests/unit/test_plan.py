"""plan.plan_task: one object → parse → decide → render → TaskPlan, on a fixed clock (C01–C14)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from periodic_operator.plan import TaskPlan, is_periodic_task, merge_warnings, plan_task
from periodic_operator.decide import Warning
from periodic_operator.schedule import jitter_offset
from periodic_operator.settings import Settings
from taskfactory import manifest, template

NOW = datetime(2024, 7, 1, tzinfo=timezone.utc)
SETTINGS = Settings()
C07 = "nightly-report-aggregation-for-analytics-team-production"


def plan(obj: dict[str, Any], **kwargs: Any) -> TaskPlan:
    return plan_task(obj, SETTINGS, kwargs.pop("now", NOW), **kwargs)


def kinds(result: TaskPlan) -> list[str]:
    return [c["kind"] for c in result.children]


def flags(result: TaskPlan) -> dict[str, str]:
    command = result.children[-1]["spec"]["template"]["spec"]["containers"][0]["command"]
    head = command[1:command.index("--")]
    return dict(zip(head[::2], head[1::2]))


# --- valid tasks ----------------------------------------------------------------------------

def test_cronjob_plan() -> None:
    result = plan(manifest(schedule="*/5 * * * *"))
    assert (result.valid, result.mode, result.decision) == (True, "CronJob", "Default")
    assert kinds(result) == ["CronJob"]
    assert result.next_run_times == tuple(datetime(2024, 7, 1, 0, m, tzinfo=timezone.utc) for m in (5, 10, 15, 20, 25))
    assert result.child is not None and (result.child.kind, result.child.name) == ("CronJob", "demo")
    assert result.status["mode"] == "CronJob"
    assert result.status["child"] == {"kind": "CronJob", "name": "demo"}
    assert result.status["nextRunTime"] == "2024-07-01T00:05:00Z"
    assert result.status["observedGeneration"] == 1


def test_ticker_plan_c10_singleton() -> None:
    result = plan(manifest(interval="5s", concurrencyPolicy="Forbid"))
    assert (result.mode, result.decision) == ("Ticker", "SubMinuteSchedule")
    assert kinds(result) == ["ServiceAccount", "Role", "RoleBinding", "Lease", "Deployment"]
    deployment = result.children[-1]["spec"]
    assert deployment["replicas"] == 1 and deployment["strategy"] == {"type": "Recreate"}
    assert flags(result)["--concurrency"] == "Forbid"
    assert flags(result)["--lease"] == "default/demo"
    assert result.next_run_times is not None and result.next_run_times[0] == NOW + timedelta(seconds=5)
    assert "nextRunTime" not in result.status  # sub-minute: stale before anyone reads it


def test_to_line_shape() -> None:
    line = plan(manifest()).to_line()
    assert list(line) == ["namespace", "name", "valid", "mode", "decision", "reason", "warnings",
                          "nextRunTimes", "children"]
    assert line["nextRunTimes"][0] == "2024-07-01T00:05:00Z"
    json.dumps(line)  # plain JSON data only


# (id, spec, next run times as "MM-DDTHH:MM:SS")
RUNS = [
    ("C01-dom-or-dow", {"schedule": "0 9 1-7 * 1"},
     ["07-01T09:00:00", "07-02T09:00:00", "07-03T09:00:00", "07-04T09:00:00", "07-05T09:00:00"]),
    ("C01-step-restricts", {"schedule": "0 0 */2 * 1"},
     ["07-01T00:00:00", "07-03T00:00:00", "07-05T00:00:00", "07-07T00:00:00", "07-08T00:00:00"]),
    ("C05-every-7-minutes", {"schedule": "*/7 * * * *"},
     ["07-01T00:07:00", "07-01T00:14:00", "07-01T00:21:00", "07-01T00:28:00", "07-01T00:35:00"]),
    ("C05-interval-90m", {"interval": "90m"},
     ["07-01T01:30:00", "07-01T03:00:00", "07-01T04:30:00", "07-01T06:00:00", "07-01T07:30:00"]),
    ("zone-berlin", {"schedule": "0 6 * * *", "timeZone": "Europe/Berlin"},
     ["07-01T04:00:00", "07-02T04:00:00", "07-03T04:00:00", "07-04T04:00:00", "07-05T04:00:00"]),
]


@pytest.mark.parametrize(("spec", "expected"), [c[1:] for c in RUNS], ids=[c[0] for c in RUNS])
def test_next_run_times(spec: dict[str, Any], expected: list[str]) -> None:
    now = datetime(2024, 6, 30, 23, 59, 59, tzinfo=timezone.utc) if spec.get("schedule", "").startswith("0 0 */2") else NOW
    result = plan(manifest(**spec), now=now)
    assert result.next_run_times is not None
    assert [t.strftime("%m-%dT%H:%M:%S") for t in result.next_run_times] == expected
    assert all(t.tzinfo == timezone.utc or t.utcoffset() == timedelta(0) for t in result.next_run_times)


def test_c05_interval_90m_is_a_ticker_with_that_period() -> None:
    result = plan(manifest(interval="90m"))
    assert result.mode == "Ticker"
    assert flags(result)["--interval"] == "1h30m0s"


@pytest.mark.parametrize("spec", [
    {"interval": "5s", "ticker": {"cadence": "FixedDelay"}},
    {"schedule": "*/5 * * * *", "suspend": True},
], ids=["FixedDelay", "suspended"])
def test_no_next_run_times(spec: dict[str, Any]) -> None:
    result = plan(manifest(**spec))
    assert result.valid and result.next_run_times is None
    assert result.to_line()["nextRunTimes"] is None


def test_jitter_shifts_cron_fires_like_the_runner() -> None:
    result = plan(manifest(name="report", schedule="*/5 * * * *", ticker={"jitter": "30s"}))
    offset = jitter_offset("default", "report", timedelta(seconds=30))
    assert result.mode == "Ticker"
    assert result.next_run_times is not None
    assert timedelta(0) < offset < timedelta(seconds=30)
    # The 00:00 fire, shifted, is still after NOW (00:00:00): the runner would start it.
    assert result.next_run_times[:2] == (NOW + offset, NOW + timedelta(minutes=5) + offset)


def test_c04_six_fields_become_five_for_a_cronjob() -> None:
    for schedule in ("0 0 10 * * *", "0 0 10 * * ?"):
        result = plan(manifest(schedule=schedule))
        assert result.mode == "CronJob"
        rendered = result.children[0]["spec"]["schedule"]
        assert rendered.split() in (["0", "10", "*", "*", "*"], ["0", "10", "*", "*", "?"])


def test_c04_sub_minute_cron_is_a_ticker() -> None:
    result = plan(manifest(schedule="*/10 * * * * *"))
    assert result.mode == "Ticker"
    assert flags(result)["--schedule"] == "*/10 * * * * *"


def test_c07_long_name() -> None:
    result = plan(manifest(name=C07))
    child = result.children[0]["metadata"]
    assert child["name"] == "nightly-report-aggregation-for-analytics-te-eef0948f"
    assert result.status["child"]["name"] == child["name"]
    assert child["labels"]["periodic.dev/task"] == C07


def test_c08_every_minute() -> None:
    for spec in ({}, {"missedRuns": "Skip"}, {"missedRuns": "Skip", "precision": "1s", "mode": "CronJob"}):
        result = plan(manifest(schedule="* * * * *", **spec))
        assert result.mode == "CronJob", result.reason
        assert 10 <= result.children[0]["spec"]["startingDeadlineSeconds"] <= 60


def test_c14_gitops_labels_never_reach_children() -> None:
    obj = manifest(template={"metadata": {"labels": {"team": "data"}}, "spec": {"containers": [
        {"name": "task", "image": "busybox:1.36", "command": ["date"], "resources": {"requests": {"cpu": "0.5"}}}]}})
    obj["metadata"]["labels"] = {"app.kubernetes.io/instance": "demo-app"}
    obj["metadata"]["annotations"] = {"argocd.argoproj.io/tracking-id": "demo-app:periodic.dev/PeriodicTask:default/demo"}
    before = copy.deepcopy(obj)
    for mode in ("CronJob", "Ticker"):
        obj["spec"]["mode"] = mode
        result = plan(obj)
        text = json.dumps(result.children)
        assert "app.kubernetes.io/instance" not in text and "argocd" not in text
        assert '"cpu": "0.5"' in text
        assert all(c["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "periodic-operator",
                                               "periodic.dev/task": "demo"} for c in result.children)
    obj["spec"].pop("mode")
    assert obj == before  # the task itself is never rewritten


def test_owner_uid() -> None:
    assert plan(manifest()).children[0]["metadata"]["ownerReferences"][0]["uid"] == "0000-1111"
    overridden = plan(manifest(), owner_uid="live-uid").children[0]["metadata"]["ownerReferences"][0]
    assert overridden["uid"] == "live-uid"


def test_default_namespace() -> None:
    result = plan(manifest(namespace=None), default_namespace="team-b")
    assert result.namespace == "team-b"
    assert result.children[0]["metadata"]["namespace"] == "team-b"


def test_restart_policy_warned_once() -> None:
    obj = manifest(template=template(restartPolicy="OnFailure"))
    result = plan(obj)
    assert [w.reason for w in result.warnings] == ["RestartPolicyOverridden"]
    assert result.status["conditions"][2]["type"] == "ScheduleWarning"
    assert result.status["conditions"][2]["status"] == "True"


def test_deterministic() -> None:
    assert plan(manifest(interval="5s")).to_line() == plan(manifest(interval="5s")).to_line()


# --- invalid tasks --------------------------------------------------------------------------

INVALID = [
    ("parse-unknown-field", manifest(scheduel="x"), "InvalidSpec", "spec"),
    ("parse-wrong-version", {**manifest(), "apiVersion": "periodic.dev/v1"}, "InvalidSpec", "apiVersion"),
    ("C02-hash", manifest(schedule="0 0 8-9 * 0#2"), "InvalidSchedule", "#"),
    ("C02-L", manifest(schedule="0 0 * * L5"), "InvalidSchedule", "L"),
    ("C03-never-fires", manifest(schedule="0 0 30 2 *"), "InvalidSchedule", "can never fire"),
    ("C06-unknown-zone", manifest(schedule="0 6 * * *", timeZone="America/New_Yrok"), "UnknownTimeZone",
     "unknown time zone"),
    ("C09-limit-below-request", manifest(template=template({"name": "t", "image": "i", "command": ["x"],
     "resources": {"requests": {"cpu": "0.7"}, "limits": {"cpu": "500m"}}})), "InvalidResources",
     "spec.template.spec.containers[0].resources.limits.cpu (500m) is below "
     "spec.template.spec.containers[0].resources.requests.cpu (0.7)"),
    ("ticker-reserved-volume", manifest(interval="5s", template=template(volumes=[{"name": "periodic-bin"}])),
     "InvalidPodTemplate", "spec.template.spec.volumes[0].name"),
]


@pytest.mark.parametrize(("obj", "rule", "words"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid(obj: dict[str, Any], rule: str, words: str) -> None:
    result = plan(obj)
    assert (result.valid, result.mode, result.children, result.next_run_times) == (False, None, (), None)
    assert result.decision == rule
    assert words in result.reason
    assert result.status["conditions"][0] == {**result.status["conditions"][0], "type": "Valid", "status": "False",
                                              "reason": rule}
    assert (result.namespace, result.name) == ("default", "demo")
    assert result.to_line()["children"] == []


def test_c06_no_child_contains_tz_prefixes() -> None:
    result = plan(manifest(schedule="CRON_TZ=Europe/Berlin 0 6 * * *"))
    assert "TZ=" not in json.dumps(result.children)


def test_invalid_metadata_still_named() -> None:
    obj = manifest()
    obj["metadata"] = {"name": "Bad_Name", "namespace": "team-a", "generation": 4}
    result = plan(obj)
    assert (result.valid, result.namespace, result.name, result.decision) == (False, "team-a", "Bad_Name", "InvalidSpec")
    assert result.status["observedGeneration"] == 4


# --- helpers --------------------------------------------------------------------------------

@pytest.mark.parametrize(("document", "expected"), [
    (manifest(), True),
    ({**manifest(), "apiVersion": "periodic.dev/v2"}, True),
    ({**manifest(), "apiVersion": "example.com/v1"}, False),
    ({"apiVersion": "v1", "kind": "ConfigMap"}, False),
    (None, False), ("text", False), ([manifest()], False),
], ids=["task", "other-version-planned", "other-group", "other-kind", "empty", "scalar", "list"])
def test_is_periodic_task(document: object, expected: bool) -> None:
    assert is_periodic_task(document) is expected


def test_merge_warnings() -> None:
    a, b, c = Warning("A", "1"), Warning("B", "2"), Warning("A", "3")
    assert merge_warnings([a], [b, c]) == (a, b)
