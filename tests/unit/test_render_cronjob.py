"""The CronJob child: deadlines, clamps, pod shape, resources, labels (C07, C08, C09, C14)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from periodic_operator import render
from periodic_operator.render import cronjob
from periodic_operator.render.common import RenderError
from periodic_operator.settings import Settings
from renderkit import container, cron_timing, decision, interval_timing, make_task

SETTINGS = Settings()
MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
OURS = {"app.kubernetes.io/managed-by": "periodic-operator", "periodic.dev/task": "demo"}


def build(task: Any = None, timing: Any = None, settings: Settings = SETTINGS) -> dict[str, Any]:
    rendered = render.build(task or make_task(), decision("CronJob", timing or cron_timing()), settings)
    assert len(rendered.children) == 1
    return rendered.children[0]


def pod_of(child: dict[str, Any]) -> dict[str, Any]:
    pod: dict[str, Any] = child["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return pod


STARTING = [
    ("RunOnce-is-the-period", {}, 5 * MIN, None, 300),
    ("RunOnce-hourly", {}, HOUR, None, 3600),
    ("Skip-without-precision-uses-latency", {"missedRuns": "Skip"}, 5 * MIN, None, 10),
    ("Skip-precision-30s", {"missedRuns": "Skip", "precision": timedelta(seconds=30)}, 5 * MIN, None, 30),
    ("C08-Skip-precision-below-10s-clamped", {"missedRuns": "Skip", "precision": timedelta(seconds=2)},
     MIN, None, 10),
    ("Skip-precision-1500ms-clamped", {"missedRuns": "Skip", "precision": timedelta(milliseconds=1500)},
     MIN, None, 10),
    ("Skip-precision-capped-at-period", {"missedRuns": "Skip", "precision": 2 * HOUR}, HOUR, None, 3600),
    ("Skip-fraction-rounded-up", {"missedRuns": "Skip", "precision": timedelta(seconds=12, milliseconds=1)},
     MIN, None, 13),
    ("Skip-latency-setting-20s", {"missedRuns": "Skip"}, MIN,
     Settings(cronjob_start_latency=timedelta(seconds=20)), 20),
]


@pytest.mark.parametrize(("spec", "period", "settings", "seconds"), [c[1:] for c in STARTING],
                         ids=[c[0] for c in STARTING])
def test_starting_deadline_seconds(spec: dict[str, Any], period: timedelta, settings: Settings | None,
                                   seconds: int) -> None:
    child = build(make_task(**spec), cron_timing(period=period), settings or SETTINGS)
    assert child["spec"]["startingDeadlineSeconds"] == seconds


def test_c08_every_minute_deadline_between_10_and_period() -> None:
    for spec in ({}, {"missedRuns": "Skip"}, {"missedRuns": "Skip", "precision": timedelta(seconds=1)}):
        child = build(make_task(schedule="* * * * *", **spec), cron_timing("* * * * *", period=MIN))
        assert 10 <= child["spec"]["startingDeadlineSeconds"] <= 60


JOB_DEADLINE = [
    ("one-attempt", 0, 2 * MIN, 5 * MIN, 120),
    ("two-attempts", 1, 2 * MIN, 5 * MIN, 240),
    ("three-attempts-capped-at-period", 2, 2 * MIN, 5 * MIN, 300),
    ("sub-second-timeout-at-least-1", 0, timedelta(milliseconds=500), 5 * MIN, 1),
    ("fraction-rounded-up", 0, timedelta(seconds=90, milliseconds=500), 5 * MIN, 91),
]


@pytest.mark.parametrize(("retries", "timeout", "period", "seconds"), [c[1:] for c in JOB_DEADLINE],
                         ids=[c[0] for c in JOB_DEADLINE])
def test_job_active_deadline(retries: int, timeout: timedelta, period: timedelta, seconds: int) -> None:
    child = build(make_task(retries=retries), cron_timing(period=period, timeout=timeout))
    job = child["spec"]["jobTemplate"]["spec"]
    assert job["activeDeadlineSeconds"] == seconds
    assert job["backoffLimit"] == retries
    assert pod_of(child)["activeDeadlineSeconds"] == max(1, -(-timeout // timedelta(seconds=1)))


TTL = [
    ("floor-one-day", {}, 5 * MIN, 86400),
    ("history-3-daily", {}, DAY, 4 * 86400),
    ("failed-larger", {"history": {"successful": 1, "failed": 9}}, HOUR, 86400),
    ("history-30-hourly", {"history": {"successful": 30, "failed": 0}}, HOUR, 31 * 3600),
    ("history-0-weekly", {"history": {"successful": 0, "failed": 0}}, 7 * DAY, 7 * 86400),
]


@pytest.mark.parametrize(("spec", "period", "seconds"), [c[1:] for c in TTL], ids=[c[0] for c in TTL])
def test_ttl_seconds_after_finished(spec: dict[str, Any], period: timedelta, seconds: int) -> None:
    child = build(make_task(**spec), cron_timing(period=period, timeout=MIN))
    assert child["spec"]["jobTemplate"]["spec"]["ttlSecondsAfterFinished"] == seconds


def test_cronjob_spec() -> None:
    task = make_task(concurrencyPolicy="Replace", suspend=True, history={"successful": 5, "failed": 1})
    spec = build(task)["spec"]
    assert {k: v for k, v in spec.items() if k != "jobTemplate"} == {
        "schedule": "*/5 * * * *", "timeZone": "Etc/UTC", "concurrencyPolicy": "Replace",
        "suspend": True, "successfulJobsHistoryLimit": 5, "failedJobsHistoryLimit": 1,
        "startingDeadlineSeconds": 300}
    assert spec["jobTemplate"]["spec"]["podReplacementPolicy"] == "Failed"


@pytest.mark.parametrize(("timing", "schedule", "zone"), [
    (cron_timing("0 6 * * *", period=DAY, zone="Europe/Berlin"), "0 6 * * *", "Europe/Berlin"),
    (cron_timing("0 0 10 * * *", period=DAY, cronjob_schedule="0 10 * * *"), "0 10 * * *", "Etc/UTC"),
    (interval_timing(2 * HOUR, cronjob_schedule="0 */2 * * *"), "0 */2 * * *", "Etc/UTC"),
], ids=["zone-rendered", "C04-six-fields-never", "interval-cron-in-utc"])
def test_schedule_and_zone_always_rendered(timing: Any, schedule: str, zone: str) -> None:
    spec = build(timing=timing)["spec"]
    assert (spec["schedule"], spec["timeZone"]) == (schedule, zone)
    assert len(spec["schedule"].split()) == 5 and "TZ=" not in spec["schedule"]


def test_no_cronjob_schedule_refused() -> None:
    with pytest.raises(RenderError):
        build(timing=cron_timing("*/10 * * * * *", cronjob_schedule=None))


@pytest.mark.parametrize(("given", "warned"), [(None, False), ("Never", False), ("OnFailure", True),
                                               ("Always", True)],
                         ids=["unset", "Never", "OnFailure-warned", "Always-warned"])
def test_restart_policy_never(given: str | None, warned: bool) -> None:
    pod: dict[str, Any] = {"containers": [container()]}
    if given is not None:
        pod["restartPolicy"] = given
    rendered = render.build(make_task(pod=pod), decision("CronJob", cron_timing()), SETTINGS)
    assert pod_of(rendered.children[0])["restartPolicy"] == "Never"
    assert [w.reason for w in rendered.warnings] == (["RestartPolicyOverridden"] if warned else [])


def test_extra_regular_container_refused() -> None:
    pod = {"containers": [container(), container(name="sidecar", command=["sleep", "inf"])]}
    with pytest.raises(RenderError) as caught:
        build(make_task(pod=pod))
    assert caught.value.field == "spec.template.spec.containers[1]"
    assert "native sidecar" in caught.value.message


def test_native_sidecar_accepted() -> None:
    sidecar = container(name="proxy", restartPolicy="Always", command=["proxy"])
    pod = pod_of(build(make_task(pod={"containers": [container()], "initContainers": [sidecar]})))
    assert [c["name"] for c in pod["initContainers"]] == ["proxy"]
    assert pod["initContainers"][0]["restartPolicy"] == "Always"
    assert "limits" in pod["initContainers"][0]["resources"]


def test_c09_resources_injected() -> None:
    given = container(resources={"requests": {"cpu": "700m", "memory": "256Mi"}})
    main = pod_of(build(make_task(pod={"containers": [given]})))["containers"][0]
    assert main["resources"] == {"requests": {"cpu": "700m", "memory": "256Mi"},
                                 "limits": {"cpu": "700m", "memory": "512Mi"}}
    assert {"name": "GOMEMLIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}} in main["env"]


def test_c09_limit_below_request_refused() -> None:
    given = container(resources={"requests": {"cpu": "0.7"}, "limits": {"cpu": "500m"}})
    with pytest.raises(RenderError) as caught:
        build(make_task(pod={"containers": [given]}))
    assert caught.value.rule == "InvalidResources"
    assert str(caught.value).startswith(
        "spec.template.spec.containers[0].resources.limits.cpu (500m) is below "
        "spec.template.spec.containers[0].resources.requests.cpu (0.7)")


def test_container_kept_as_the_user_wrote_it() -> None:
    given = container(args=["--verbose"], workingDir="/work", env=[{"name": "A", "value": "1"}])
    main = pod_of(build(make_task(pod={"containers": [given]})))["containers"][0]
    assert main["command"] == ["sh", "-c", "date"] and main["args"] == ["--verbose"]
    assert main["workingDir"] == "/work" and main["env"][0] == {"name": "A", "value": "1"}


def test_c07_long_name() -> None:
    name = "nightly-report-aggregation-for-analytics-team-production"
    child = build(make_task(name=name))
    assert child["metadata"]["name"] == "nightly-report-aggregation-for-analytics-te-eef0948f"
    assert child["metadata"]["labels"]["periodic.dev/task"] == name


def test_c14_labels_ours_on_every_level_and_the_tasks_never() -> None:
    task = make_task(pod_metadata={"labels": {"team": "data"}})
    child = build(task)
    assert child["metadata"]["labels"] == OURS
    assert child["metadata"]["ownerReferences"][0]["uid"] == "uid-1"
    assert "annotations" not in child["metadata"]
    assert child["spec"]["jobTemplate"]["metadata"] == {"labels": OURS}
    assert child["spec"]["jobTemplate"]["spec"]["template"]["metadata"] == {"labels": {"team": "data", **OURS}}


def test_template_never_mutated() -> None:
    task = make_task(pod={"containers": [container(resources={"requests": {"cpu": "0.5"}})],
                          "restartPolicy": "OnFailure"})
    before = copy.deepcopy(task.spec.template)
    build(task)
    assert task.spec.template == before


def test_deterministic() -> None:
    assert build() == build()
    assert list(build()) == ["apiVersion", "kind", "metadata", "spec"]


def test_deadline_helpers_directly() -> None:
    spec = make_task(retries=2).spec
    timing = cron_timing(period=HOUR, timeout=10 * MIN)
    assert cronjob.job_active_deadline_seconds(spec, timing) == 1800
    assert cronjob.starting_deadline_seconds(spec, timing, SETTINGS) == 3600
    assert cronjob.ttl_seconds_after_finished(spec, timing) == 86400
