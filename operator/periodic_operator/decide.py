"""The decision table of DESIGN.md: which mode a task runs in, and why.

`decide(task, settings, now=None)` is pure. It parses the schedule (via `schedule.py`),
applies the rules in order (Explicit, Stateful, TickerOnlySetting, SubMinuteSchedule,
PrecisionBelowCronJobLatency, Default), checks explicit-mode feasibility, and collects
warnings. Refusals come back as `Decision(valid=False, …)`, never as exceptions.

Clock: `decide` reads none. The DST warning needs a starting instant, so it is computed only
when the caller passes `now` (the operator passes its reconcile time, `plan` its `--now`);
without `now` every other part of the decision is the same and that one warning is absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from . import schedule
from .schedule import CronSchedule, IntervalSchedule, ScheduleError
from .settings import Settings
from .spec import SpecError, Task, TaskSpec

WorkloadMode = Literal["CronJob", "Ticker"]

UTC_ZONE = "Etc/UTC"
DST_HORIZON = timedelta(days=366)
"""How far ahead the DST warning looks (a year: every transition of a zone comes round)."""
RULE_IDS = ("Explicit", "Stateful", "TickerOnlySetting", "SubMinuteSchedule",
            "PrecisionBelowCronJobLatency", "Default")
"""The rule ids of DESIGN's table, in evaluation order."""
REFUSALS = ("InvalidSpec", "InvalidSchedule", "UnknownTimeZone", "TimeZoneWithInterval",
            "FixedDelayWithSchedule", "IntervalTooShort", "PrecisionTooFine", "CronJobCannotHonour",
            "ExtraContainersInCronJob", "MissingCommand", "MissingHttpPort")
"""Every `Decision.rule` of a refusal (`valid=False`)."""
_MINUTE = timedelta(minutes=1)


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
    offset: timedelta = timedelta(0)  # jitter offset every slot is shifted by (cron fires too)


@dataclass(frozen=True)
class Decision:
    """The outcome. `rule` is the rule id (or a refusal reason such as `InvalidSchedule`),
    `reason` its sentence; `mode` and `timing` are None when `valid` is False.

    `field` is the spec path a refusal is about (`spec.schedule`), None for valid decisions.
    """

    valid: bool
    rule: str
    reason: str
    mode: WorkloadMode | None = None
    timing: Timing | None = None
    warnings: tuple[Warning, ...] = field(default_factory=tuple)
    field: str | None = None


class _Refusal(Exception):
    """Internal: stops the decision with a refusal (turned into a Decision, never escapes)."""

    def __init__(self, rule: str, field_path: str, message: str) -> None:
        super().__init__(message)
        self.rule, self.field_path, self.message = rule, field_path, message


def refusal(rule: str, field_path: str, message: str) -> Decision:
    """An invalid Decision; `reason` reads `field: message` so it names what to fix."""
    reason = f"{field_path}: {message}" if field_path else message
    return Decision(valid=False, rule=rule, reason=reason, field=field_path or None)


def from_spec_error(error: SpecError) -> Decision:
    """The Decision for a task `spec.parse_task` refused (rule `InvalidSpec`)."""
    return refusal("InvalidSpec", error.field, error.message)


def decide(task: Task, settings: Settings, now: datetime | None = None) -> Decision:
    """Decide the mode of `task` under `settings`; never raises for anything in the spec.

    `now` (timezone-aware) enables the DST warning, which looks `DST_HORIZON` ahead.
    """
    try:
        timing = _resolve_timing(task, settings)
        _check_precision(task.spec, settings)
        rule, mode, reason, warnings = _choose(task.spec, timing, settings)
        _check_mode(task.spec, mode)
    except _Refusal as refused:
        return refusal(refused.rule, refused.field_path, refused.message)
    warnings += _warnings(task.spec, timing, mode, now)
    return Decision(valid=True, rule=rule, reason=reason, mode=mode, timing=timing, warnings=warnings)


# --- the schedule, resolved --------------------------------------------------------------

def _resolve_timing(task: Task, settings: Settings) -> Timing:
    spec = task.spec
    if spec.interval is not None:
        if spec.time_zone is not None:
            raise _Refusal("TimeZoneWithInterval", "spec.timeZone", "applies to schedule only: interval slots "
                           "are zone-free (aligned to the Unix epoch); remove timeZone or use a schedule")
        # The offset wraps round the period: FixedRate slots are the same either way, and a
        # FixedDelay runner would otherwise wait the whole offset before its first run.
        interval = IntervalSchedule(period=spec.interval, cadence=spec.ticker.cadence,
                                    offset=_offset(task) % spec.interval)
        period = spec.interval
        return Timing(cron=None, interval=interval, zone_name=UTC_ZONE, shortest_period=period,
                      cronjob_schedule=schedule.interval_to_cron(period),
                      timeout=_timeout(spec, period, settings), offset=interval.offset)
    assert spec.schedule is not None  # TaskSpec guarantees exactly one of the two
    zone_name = spec.time_zone or UTC_ZONE
    _zone(zone_name)
    try:
        cron = schedule.parse_cron(spec.schedule)
    except ScheduleError as err:
        raise _Refusal("InvalidSchedule", "spec.schedule", str(err)) from None
    if spec.ticker.cadence == "FixedDelay":
        raise _Refusal("FixedDelayWithSchedule", "spec.ticker.cadence", "FixedDelay (each run starts a fixed "
                       "delay after the previous one ends) needs an interval, not a schedule")
    period = schedule.shortest_period(cron)
    return Timing(cron=cron, interval=None, zone_name=zone_name, shortest_period=period,
                  cronjob_schedule=cron.cronjob_expression(), timeout=_timeout(spec, period, settings),
                  offset=_offset(task))


def _offset(task: Task) -> timedelta:
    """The fixed per-task offset in [0, jitter) the runner shifts every slot by."""
    jitter = task.spec.ticker.jitter
    return schedule.jitter_offset(task.namespace, task.name, jitter) if jitter > timedelta(0) else timedelta(0)


def _zone(name: str) -> ZoneInfo:
    try:
        return schedule.load_zone(name)
    except ScheduleError as err:
        raise _Refusal("UnknownTimeZone", "spec.timeZone", str(err)) from None


def default_timeout(period: timedelta, settings: Settings) -> timedelta:
    """The per-attempt deadline when `spec.timeout` is unset.

    The shortest period minus `cronjobStartLatency` (a run should end before the next slot
    even when it started late), capped by `maxDefaultTimeout`. For periods under twice the
    latency that would leave less than half the period (or nothing, for sub-10s tickers), so
    the default is then half the period; whole milliseconds, never below 1 ms.
    """
    timeout = max(period - settings.cronjob_start_latency, period / 2)
    timeout = min(timeout, settings.max_default_timeout)
    timeout = timedelta(milliseconds=int(timeout / timedelta(milliseconds=1)))
    return max(timeout, timedelta(milliseconds=1))


def _timeout(spec: TaskSpec, period: timedelta, settings: Settings) -> timedelta:
    return spec.timeout if spec.timeout is not None else default_timeout(period, settings)


def _check_precision(spec: TaskSpec, settings: Settings) -> None:
    if spec.interval is not None and spec.interval < settings.min_precision:
        raise _Refusal("IntervalTooShort", "spec.interval", f"{_d(spec.interval)} is shorter than "
                       f"{_d(settings.min_precision)}, the finest timing either mode can honour "
                       "(operator setting minPrecision)")
    if spec.precision is not None and spec.precision < settings.min_precision:
        raise _Refusal("PrecisionTooFine", "spec.precision", f"{_d(spec.precision)} is below "
                       f"{_d(settings.min_precision)}, the finest start precision either mode can honour "
                       "(operator setting minPrecision)")


# --- the rules ---------------------------------------------------------------------------

def _stateful(spec: TaskSpec) -> str | None:
    if spec.state != "Stateful":
        return None
    return "spec.state is Stateful: the ticker keeps its state directory between runs (a CronJob starts every run afresh)"


def _ticker_only(spec: TaskSpec) -> str | None:
    asks = []
    if spec.ticker.trigger == "Http":
        asks.append("ticker.trigger Http (calling the app)")
    if spec.ticker.cadence == "FixedDelay":
        asks.append("ticker.cadence FixedDelay")
    if spec.ticker.jitter > timedelta(0):
        asks.append(f"ticker.jitter {_d(spec.ticker.jitter)}")
    if not asks:
        return None
    return f"{' and '.join(asks)} can only be done by the ticker runner"


def _sub_minute(spec: TaskSpec, timing: Timing) -> str | None:
    if timing.interval is not None:
        if timing.cronjob_schedule is not None:
            return None
        period = _d(timing.interval.period)
        if timing.interval.period < _MINUTE:
            return f"interval {period} is a sub-minute schedule, finer than any cron"
        return f"interval {period} is a period no cron fires at exactly (only 1-6,10,12,15,20,30 min; 1-4,6,8,12,24 h)"
    assert timing.cron is not None
    if timing.cron.seconds == frozenset({0}):
        return None
    return f"cron '{timing.cron.expression}' is a sub-minute schedule (its seconds field is not 0)"


def _precision_below_latency(spec: TaskSpec, settings: Settings) -> str | None:
    if spec.precision is None or spec.precision >= settings.cronjob_start_latency:
        return None
    return (f"spec.precision {_d(spec.precision)} is below the CronJob controller's start latency "
            f"of {_d(settings.cronjob_start_latency)} (operator setting cronjobStartLatency)")


def _default_sentence(timing: Timing) -> str:
    if timing.interval is not None:
        return (f"interval {_d(timing.interval.period)} is the cron '{timing.cronjob_schedule}' (UTC), "
                "runs at minute granularity and needs no state between runs")
    assert timing.cron is not None
    return f"cron '{timing.cron.expression}' runs at minute granularity and needs no state between runs"


def _choose(spec: TaskSpec, timing: Timing, settings: Settings) -> tuple[str, WorkloadMode, str, tuple[Warning, ...]]:
    """(rule id, mode, sentence, warnings of the choice); refuses an infeasible explicit CronJob."""
    auto: list[tuple[str, str]] = [
        (rule, sentence) for rule, sentence in (
            ("Stateful", _stateful(spec)),
            ("TickerOnlySetting", _ticker_only(spec)),
            ("SubMinuteSchedule", _sub_minute(spec, timing)),
            ("PrecisionBelowCronJobLatency", _precision_below_latency(spec, settings)),
        ) if sentence is not None]
    if spec.mode == "Ticker":
        return "Explicit", "Ticker", "spec.mode is Ticker", ()
    if spec.mode == "CronJob":
        return _explicit_cronjob(spec, timing, auto, settings)
    if auto:
        rule, sentence = auto[0]
        return rule, "Ticker", sentence, ()
    return "Default", "CronJob", _default_sentence(timing), ()


def _explicit_cronjob(spec: TaskSpec, timing: Timing, auto: list[tuple[str, str]],
                      settings: Settings) -> tuple[str, WorkloadMode, str, tuple[Warning, ...]]:
    """Rules 2–3 make a CronJob impossible; rules 1 and 4 only make it worse than a ticker."""
    for rule, sentence in auto:
        if rule in ("TickerOnlySetting", "SubMinuteSchedule"):
            raise _Refusal("CronJobCannotHonour", "spec.mode", f"CronJob cannot run this task: {sentence} "
                           "(use mode Auto or Ticker)")
    warnings = []
    rules = {rule for rule, _ in auto}
    if "Stateful" in rules:
        warnings.append(Warning("StatefulOnCronJob", "spec.state is Stateful but spec.mode is CronJob: each Job "
                                "starts without the previous run's state (only a ticker keeps its state directory)"))
    if "PrecisionBelowCronJobLatency" in rules:
        latency = _d(settings.cronjob_start_latency)
        warnings.append(Warning("PrecisionNotGuaranteed", f"spec.precision {_d(spec.precision or timedelta(0))} is "
                                f"below the CronJob controller's start latency of {latency} but spec.mode is "
                                f"CronJob: Jobs may start up to {latency} late; startingDeadlineSeconds is "
                                "clamped to at least 10s"))
    expression = timing.cronjob_schedule
    return "Explicit", "CronJob", f"spec.mode is CronJob, which runs the cron '{expression}'", tuple(warnings)


def _check_mode(spec: TaskSpec, mode: WorkloadMode) -> None:
    """What the chosen mode needs from the spec and the pod template."""
    if spec.ticker.trigger == "Http" and spec.ticker.http is None:
        raise _Refusal("MissingHttpPort", "spec.ticker.http.port", "trigger Http needs the port the app "
                       "listens on for the runner's calls (and optionally http.path, default /tick)")
    if mode == "Ticker" and spec.ticker.trigger == "Exec" and spec.command is None:
        raise _Refusal("MissingCommand", "spec.template.spec.containers[0].command", "trigger Exec needs the "
                       "command the runner wraps (the image's ENTRYPOINT is unknown to the operator)")
    if mode == "CronJob" and len(spec.containers) > 1:
        names = ", ".join(str(c.get("name")) for c in spec.containers[1:])
        raise _Refusal("ExtraContainersInCronJob", "spec.template.spec.containers", f"a CronJob pod ends when all "
                       f"its containers exit, and extra containers ({names}) never do; make them native "
                       "sidecars (initContainers with restartPolicy: Always) or use mode Ticker")


# --- warnings ----------------------------------------------------------------------------

def _warnings(spec: TaskSpec, timing: Timing, mode: WorkloadMode, now: datetime | None) -> tuple[Warning, ...]:
    found: list[Warning] = []
    if timing.cron is not None:
        for text in timing.cron.warnings:
            found.append(Warning("StepLargerThanRange" if "step" in text else "CronExpression", text))
        if now is not None and timing.zone_name not in ("Etc/UTC", "UTC"):
            found.extend(_dst_warning(timing.cron, timing.zone_name, now))
    found.extend(_restart_policy_warning(spec.template, mode))
    if spec.timeout is not None and spec.timeout > timing.shortest_period:
        found.append(Warning("TimeoutLongerThanPeriod", f"spec.timeout {_d(spec.timeout)} is longer than the "
                             f"shortest period {_d(timing.shortest_period)}: a slow run "
                             f"{_overlap(spec.concurrency_policy)}"))
    if timing.interval is not None and spec.ticker.jitter >= timing.interval.period:
        found.append(Warning("JitterNotBelowPeriod", f"spec.ticker.jitter {_d(spec.ticker.jitter)} is not below "
                             f"the interval {_d(timing.interval.period)}; the offset wraps round the period"))
    return tuple(found)


def _overlap(policy: str) -> str:
    return {"Forbid": "makes the next slots be skipped", "Allow": "overlaps the next run",
            "Replace": "is killed by the next slot"}.get(policy, "meets the next slot")


def _dst_warning(cron: CronSchedule, zone_name: str, now: datetime) -> list[Warning]:
    zone = schedule.load_zone(zone_name)  # already loaded once by _zone: cannot fail here
    hit = schedule.next_dst_hit(cron, zone, now, DST_HORIZON)
    if hit is None:
        return []
    return [Warning("DaylightSavingTime", f"fire times of '{cron.expression}' fall in a daylight-saving "
                    f"transition of {zone_name}; next affected date {hit.isoformat()} (a time in the "
                    "spring-forward gap is skipped, one in the fall-back hour fires twice)")]


def _restart_policy_warning(template: dict[str, Any], mode: WorkloadMode) -> list[Warning]:
    wanted = "Never" if mode == "CronJob" else "Always"
    pod = template.get("spec") or {}
    given = pod.get("restartPolicy")
    if given is None or given == wanted:
        return []
    why = ("a Job pod is never restarted in place (retries are new pods)" if mode == "CronJob"
           else "the ticker pod runs for ever")
    return [Warning("RestartPolicyOverridden", f"spec.template.spec.restartPolicy {given} is replaced by "
                    f"{wanted} in {mode} mode: {why}")]


def _d(value: timedelta) -> str:
    """Go's duration form without trailing zero units, for sentences: 5m, 1h30m, 2h, 1m5s."""
    text = schedule.format_duration(value)
    if len(text) > 2 and text.endswith("m0s"):
        text = text[:-2]
    if len(text) > 2 and text.endswith("h0m"):
        text = text[:-2]
    return text


def with_warnings(decision: Decision, *extra: Warning) -> Decision:
    """`decision` with `extra` warnings appended (for warnings found later, e.g. by render)."""
    return replace(decision, warnings=decision.warnings + tuple(extra))
