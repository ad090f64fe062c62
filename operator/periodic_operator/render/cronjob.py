"""The CronJob (batch/v1) workload, with the deadlines of DESIGN "What gets injected".

All deadlines are whole seconds, rounded up:
- `startingDeadlineSeconds`: RunOnce → the shortest period (at most one catch-up run after
  downtime); Skip → max(10s, precision), capped at the period. Never below 10 (C08): the
  CronJob controller syncs about every 10s and would skip runs under a shorter deadline.
  Without `spec.precision`, Skip uses the setting `cronjobStartLatency` in its place.
- Job `activeDeadlineSeconds` = (retries + 1) × timeout, capped at the shortest period.
- Pod `activeDeadlineSeconds` = timeout (one attempt).
- `ttlSecondsAfterFinished` = max(1 day, (max(history) + 1) × period): a backstop only, long
  enough that the history limits decide which Jobs stay.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..decide import Timing, Warning
from ..settings import Settings
from ..spec import Task, TaskSpec
from . import resources
from .common import (Manifest, RenderError, ceil_seconds, labels, object_meta, pod_metadata,
                     pod_spec_copy, set_operator_field)

MIN_STARTING_DEADLINE = timedelta(seconds=10)
MIN_TTL = timedelta(days=1)
UTC_ZONE = "Etc/UTC"


def starting_deadline_seconds(spec: TaskSpec, timing: Timing, settings: Settings) -> int:
    """`startingDeadlineSeconds` (see the module doc)."""
    period = timing.shortest_period
    if spec.missed_runs == "RunOnce":
        deadline = period
    else:
        wanted = spec.precision if spec.precision is not None else settings.cronjob_start_latency
        deadline = min(max(MIN_STARTING_DEADLINE, wanted), period)
    return max(ceil_seconds(deadline), ceil_seconds(MIN_STARTING_DEADLINE))


def job_active_deadline_seconds(spec: TaskSpec, timing: Timing) -> int:
    """The Job's `activeDeadlineSeconds`: every attempt of one run, within one period."""
    return max(1, ceil_seconds(min((spec.retries + 1) * timing.timeout, timing.shortest_period)))


def ttl_seconds_after_finished(spec: TaskSpec, timing: Timing) -> int:
    """The Job's `ttlSecondsAfterFinished` backstop."""
    kept = max(spec.history.successful, spec.history.failed) + 1
    return ceil_seconds(max(MIN_TTL, kept * timing.shortest_period))


def _pod_spec(task: Task, timing: Timing, settings: Settings,
              warnings: list[Warning]) -> dict[str, Any]:
    pod = pod_spec_copy(task)
    if len(pod["containers"]) > 1:
        # A regular sidecar never exits, so the Job would never complete.
        raise RenderError(
            "spec.template.spec.containers[1]",
            "spec.template.spec.containers[1]: CronJob mode runs containers[0] only; an extra "
            "regular container never exits — make it a native sidecar (an initContainer with "
            "restartPolicy: Always) or use mode: Ticker")
    set_operator_field(pod, "restartPolicy", "Never", warnings)
    set_operator_field(pod, "activeDeadlineSeconds", max(1, ceil_seconds(timing.timeout)), warnings)
    resources.inject(pod, settings.default_requests, settings.default_limits)
    return pod


def _job_spec(task: Task, timing: Timing, settings: Settings,
              warnings: list[Warning]) -> dict[str, Any]:
    spec = task.spec
    return {
        "backoffLimit": spec.retries,
        "activeDeadlineSeconds": job_active_deadline_seconds(spec, timing),
        # Never a second pod of one run while the first is still terminating.
        "podReplacementPolicy": "Failed",
        "ttlSecondsAfterFinished": ttl_seconds_after_finished(spec, timing),
        "template": {
            "metadata": pod_metadata(task, warnings),
            "spec": _pod_spec(task, timing, settings, warnings),
        },
    }


def build(task: Task, timing: Timing, settings: Settings) -> tuple[Manifest, list[Warning]]:
    """The CronJob of `task` and the warnings rendering adds (fields it overrode)."""
    if timing.cronjob_schedule is None:
        raise RenderError("spec.schedule", "spec.schedule: no 5-field form a CronJob can run")
    spec = task.spec
    warnings: list[Warning] = []
    # A converted interval is a cron in UTC; an unset zone would follow the controller's.
    zone = UTC_ZONE if timing.interval is not None else timing.zone_name
    cronjob: Manifest = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": object_meta(task),
        "spec": {
            "schedule": timing.cronjob_schedule,
            "timeZone": zone,
            "concurrencyPolicy": spec.concurrency_policy,
            "suspend": spec.suspend,
            "successfulJobsHistoryLimit": spec.history.successful,
            "failedJobsHistoryLimit": spec.history.failed,
            "startingDeadlineSeconds": starting_deadline_seconds(spec, timing, settings),
            "jobTemplate": {
                "metadata": {"labels": labels(task)},
                "spec": _job_spec(task, timing, settings, warnings),
            },
        },
    }
    return cronjob, warnings
