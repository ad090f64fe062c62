"""Hand-built Tasks, Timings and Decisions for the render tests (no schedule parsing)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from periodic_operator.decide import Decision, Timing, WorkloadMode
from periodic_operator.schedule import CronSchedule, IntervalSchedule
from periodic_operator.spec import Task, TaskSpec

CONTAINER: dict[str, Any] = {"name": "task", "image": "busybox:1.36", "command": ["sh", "-c", "date"]}


def cron(expression: str = "*/5 * * * *") -> CronSchedule:
    """A CronSchedule whose fields render never reads (only `expression`)."""
    every = frozenset({0})
    return CronSchedule(expression=expression, has_seconds_field=len(expression.split()) == 6,
                        seconds=every, minutes=every, hours=every, days_of_month=every,
                        months=every, days_of_week=every, dom_star=True, dow_star=True)


def cron_timing(expression: str = "*/5 * * * *", period: timedelta = timedelta(minutes=5),
                timeout: timedelta = timedelta(minutes=2), zone: str = "Etc/UTC",
                cronjob_schedule: str | None = "", offset: timedelta = timedelta(0)) -> Timing:
    """`cronjob_schedule=""` means: the expression itself (5 fields)."""
    return Timing(cron=cron(expression), interval=None, zone_name=zone, shortest_period=period,
                  cronjob_schedule=expression if cronjob_schedule == "" else cronjob_schedule,
                  timeout=timeout, offset=offset)


def interval_timing(period: timedelta, timeout: timedelta = timedelta(seconds=2),
                    cadence: str = "FixedRate", cronjob_schedule: str | None = None,
                    offset: timedelta = timedelta(0)) -> Timing:
    interval = IntervalSchedule(period=period, cadence=cadence, offset=offset)  # type: ignore[arg-type]
    return Timing(cron=None, interval=interval, zone_name="Etc/UTC", shortest_period=period,
                  cronjob_schedule=cronjob_schedule, timeout=timeout, offset=offset)


def decision(mode: WorkloadMode, timing: Timing) -> Decision:
    return Decision(valid=True, rule="Explicit", reason="test", mode=mode, timing=timing)


def make_task(name: str = "demo", namespace: str = "default", uid: str = "uid-1",
              pod: dict[str, Any] | None = None, pod_metadata: dict[str, Any] | None = None,
              **spec: Any) -> Task:
    """A Task with one busybox container unless `pod` (a pod spec) is given; `spec` keys are
    the CRD's names (`concurrencyPolicy=`), durations as timedelta."""
    template: dict[str, Any] = {"spec": copy.deepcopy(pod) if pod is not None
                                else {"containers": [copy.deepcopy(CONTAINER)]}}
    if pod_metadata is not None:
        template["metadata"] = copy.deepcopy(pod_metadata)
    if "schedule" not in spec and "interval" not in spec:
        spec["schedule"] = "*/5 * * * *"
    return Task(namespace=namespace, name=name, uid=uid, generation=1,
                spec=TaskSpec.model_validate({**spec, "template": template}))


def container(**fields: Any) -> dict[str, Any]:
    return {**copy.deepcopy(CONTAINER), **fields}
