"""The decision table of DESIGN.md: which mode a task runs in, and why.

`decide(task, settings)` is pure. It parses the schedule (via `schedule.py`), applies the
rules in order (Explicit, Stateful, TickerOnlySetting, SubMinuteSchedule,
PrecisionBelowCronJobLatency, Default), checks explicit-mode feasibility, and collects
warnings. Refusals come back as `Decision(valid=False, …)`, never as exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from .schedule import CronSchedule, IntervalSchedule
from .settings import Settings
from .spec import Task

WorkloadMode = Literal["CronJob", "Ticker"]


@dataclass(frozen=True)
class Warning:
    """One ScheduleWarning item: `reason` is CamelCase, `message` a sentence."""

    reason: str
    message: str


@dataclass(frozen=True)
class Timing:
    """What the schedule means, resolved: exactly one of `cron`/`interval` is set."""

    cron: CronSchedule | None
    interval: IntervalSchedule | None
    zone_name: str                   # "Etc/UTC" when spec.timeZone is absent
    shortest_period: timedelta
    cronjob_schedule: str | None     # 5-field form a CronJob can run, else None
    timeout: timedelta               # per-attempt deadline (spec.timeout or the default)


@dataclass(frozen=True)
class Decision:
    """The outcome. `rule` is the rule id (or a refusal reason such as `InvalidSchedule`),
    `reason` its sentence; `mode` and `timing` are None when `valid` is False."""

    valid: bool
    rule: str
    reason: str
    mode: WorkloadMode | None = None
    timing: Timing | None = None
    warnings: tuple[Warning, ...] = field(default_factory=tuple)


def decide(task: Task, settings: Settings) -> Decision:
    raise NotImplementedError
