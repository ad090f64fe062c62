"""`status` of a PeriodicTask, built as a plain dict from what was decided and observed.

Pure: the caller passes the Decision, the task's generation, `now`, what it saw of the child
(`Readiness`, `ChildRef`, `RunTimes`) and the previous status; these functions return the
new status and, via `status_patch`, the merge patch to send to `/status` — None when nothing
changed, so an unchanged task costs no write.

Conditions (`Valid`, `Ready`, `ScheduleWarning`) follow metav1.Condition: `status` is
"True"/"False", `lastTransitionTime` changes only when `status` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from . import schedule
from .decide import Decision, Warning

CONDITION_TYPES = ("Valid", "Ready", "ScheduleWarning")
STATUS_FIELDS = ("observedGeneration", "mode", "decision", "reason", "schedule", "child", "nextRunTime",
                 "lastScheduleTime", "lastSuccessfulTime", "lastFailureTime", "conditions")
"""Every key of `status` the operator writes (all declared in the CRD; test_crd checks)."""
CONDITION_FIELDS = ("type", "status", "reason", "message", "lastTransitionTime", "observedGeneration")
READY_REASONS = ("Applied", "Available", "Suspended", "Applying", "Unavailable", "Replacing",
                 "ChildRejected", "NameCollision", "InvalidSpec")
"""Every reason of the Ready condition."""
MAX_MESSAGE = 1024
"""Condition messages are cut to this many characters (an API error can be long)."""
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class ChildRef:
    """The workload child: `kind` is CronJob or Deployment, `name` its real (possibly hashed) name."""

    kind: str
    name: str


@dataclass(frozen=True)
class Readiness:
    """The Ready condition's content; build it with the functions below."""

    ready: bool
    reason: str
    message: str


@dataclass(frozen=True)
class RunTimes:
    """Run outcomes seen on the child (CronJob status or the ticker's Lease); None = not known now."""

    last_schedule: datetime | None = None
    last_success: datetime | None = None
    last_failure: datetime | None = None


def readiness(decision: Decision, child: ChildRef | None, *, applied: bool, available: bool = False,
              suspended: bool = False) -> Readiness:
    """Ready as DESIGN defines it, for the ordinary cases.

    `applied`: the current child is applied at the current generation. `available`: for a
    ticker, its Deployment's Available condition is True (ignored for a CronJob).
    `suspended`: `spec.suspend`; a suspended, applied child is Ready with reason Suspended.
    """
    if not decision.valid:
        return Readiness(False, "InvalidSpec", f"no child while the spec is invalid: {decision.reason}")
    what = f"{child.kind} {child.name}" if child else (decision.mode or "child")
    if not applied:
        return Readiness(False, "Applying", f"{what} is not yet applied at the current generation")
    if suspended:
        return Readiness(True, "Suspended", f"{what} is applied and suspended (spec.suspend)")
    if decision.mode == "Ticker" and not available:
        return Readiness(False, "Unavailable", f"{what} is applied; waiting for it to become Available")
    if decision.mode == "Ticker":
        return Readiness(True, "Available", f"{what} is applied and Available")
    return Readiness(True, "Applied", f"{what} is applied")


def replacing(old: ChildRef, new_kind: str) -> Readiness:
    """Ready=False while the old workload of a mode change is deleted (before the new one exists)."""
    return Readiness(False, "Replacing", f"deleting {old.kind} {old.name} and its pods before creating the {new_kind}")


def child_rejected(child: ChildRef, api_message: str) -> Readiness:
    """Ready=False when the API server refused the child (a 422); `api_message` is its message."""
    return Readiness(False, "ChildRejected", f"the API server rejected {child.kind} {child.name}: {api_message}")


def name_collision(child: ChildRef, owner: str) -> Readiness:
    """Ready=False when a child of our name already exists and belongs to `owner` (another task or none)."""
    return Readiness(False, "NameCollision", f"{child.kind} {child.name} already exists and is owned by {owner}; "
                     "rename this task or remove that object")


def build_status(decision: Decision, *, generation: int, now: datetime, ready: Readiness,
                 child: ChildRef | None = None, runs: RunTimes | None = None, suspended: bool = False,
                 previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The whole new `status`. `previous` is the current status (for lastTransitionTime and
    the run times `runs` does not know); `now` must be timezone-aware."""
    previous = previous or {}
    status: dict[str, Any] = {"observedGeneration": generation, "decision": decision.rule, "reason": decision.reason}
    if decision.valid and decision.mode is not None:
        status["mode"] = decision.mode
    text = describe_schedule(decision)
    if text is not None:
        status["schedule"] = text
    if child is not None:
        status["child"] = {"kind": child.kind, "name": child.name}
    upcoming = None if suspended else next_run_time(decision, now)
    if upcoming is not None:
        status["nextRunTime"] = format_time(upcoming)
    status.update(_run_times(runs or RunTimes(), previous))
    status["conditions"] = build_conditions(decision, ready, generation=generation, now=now,
                                            previous=previous.get("conditions"))
    return status


def describe_schedule(decision: Decision) -> str | None:
    """The human form of the schedule (`*/5 * * * * (Europe/Berlin)`, `every 5s, FixedRate`)."""
    timing = decision.timing
    if timing is None:
        return None
    if timing.cron is not None:
        return schedule.describe_cron(timing.cron, timing.zone_name)
    if timing.interval is not None:
        return schedule.describe_interval(timing.interval)
    return None


def next_run_time(decision: Decision, now: datetime) -> datetime | None:
    """The next fire instant strictly after `now`, for periods of at least a minute.

    Slots include the jitter offset (`Timing.offset`), as `plan` prints them.
    None for invalid decisions, FixedDelay intervals (the next start depends on when the
    current run ends) and sub-minute periods (the value would be stale before it is read).
    """
    timing = decision.timing
    if timing is None or timing.shortest_period < _MINUTE:
        return None
    if timing.cron is not None:
        # The runner shifts cron fires by the jitter offset too (zero for a CronJob).
        zone = schedule.load_zone(timing.zone_name)
        fires = [fire + timing.offset for fire in schedule.next_fire_times(timing.cron, zone, now - timing.offset, 1)]
    elif timing.interval is not None and timing.interval.cadence == "FixedRate":
        fires = schedule.next_interval_slots(timing.interval, now, 1)
    else:
        return None
    return fires[0] if fires else None


def format_time(instant: datetime) -> str:
    """RFC 3339 in UTC with `Z`: whole seconds, milliseconds only when there are any."""
    if instant.tzinfo is None:
        raise ValueError("format_time needs a timezone-aware datetime")
    utc = instant.astimezone(timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond // 1000:03d}"
    return text + "Z"


def _run_times(runs: RunTimes, previous: Mapping[str, Any]) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in (("lastScheduleTime", runs.last_schedule), ("lastSuccessfulTime", runs.last_success),
                       ("lastFailureTime", runs.last_failure)):
        if value is not None:
            result[key] = format_time(value)
        elif isinstance(previous.get(key), str):
            result[key] = previous[key]
    return result


def build_conditions(decision: Decision, ready: Readiness, *, generation: int, now: datetime,
                     previous: Sequence[Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Valid, Ready and ScheduleWarning, keeping each lastTransitionTime whose status is unchanged."""
    warning = _warning_condition(decision.warnings)
    valid_message = decision.reason
    wanted = [
        ("Valid", decision.valid, decision.rule, valid_message),
        ("Ready", ready.ready, ready.reason, ready.message),
        ("ScheduleWarning", warning[0], warning[1], warning[2]),
    ]
    before = {c.get("type"): c for c in previous or () if isinstance(c, Mapping)}
    return [condition(kind, value, reason, message, generation=generation, now=now, previous=before.get(kind))
            for kind, value, reason, message in wanted]


def _warning_condition(warnings: Sequence[Warning]) -> tuple[bool, str, str]:
    if not warnings:
        return False, "NoWarnings", "the schedule raised no warnings"
    reason = warnings[0].reason if len({w.reason for w in warnings}) == 1 else "MultipleWarnings"
    return True, reason, "; ".join(f"{w.reason}: {w.message}" for w in warnings)


def condition(kind: str, value: bool, reason: str, message: str, *, generation: int, now: datetime,
              previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One metav1.Condition-shaped dict; lastTransitionTime is kept from `previous` when the
    status did not change (then reason and message may still change)."""
    text = "True" if value else "False"
    transition = format_time(now.replace(microsecond=0))
    if previous is not None and previous.get("status") == text and isinstance(previous.get("lastTransitionTime"), str):
        transition = previous["lastTransitionTime"]
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return {"type": kind, "status": text, "reason": reason, "message": message,
            "lastTransitionTime": transition, "observedGeneration": generation}


def decision_changed(previous: Mapping[str, Any] | None, decision: Decision) -> bool:
    """Whether `decision` differs from the one `previous` status records (rule or mode): the
    moment to post the one Event per decision change, not one per reconcile."""
    previous = previous or {}
    mode = decision.mode if decision.valid else None
    return (previous.get("decision"), previous.get("mode")) != (decision.rule, mode)


def status_patch(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON merge patch (RFC 7386) turning `old` into `new`, or None when they are equal.

    Keys of STATUS_FIELDS that `new` no longer has are set to null (removed); keys the
    operator does not own are left alone.
    """
    patch = _merge_patch(dict(old or {}), dict(new), owned=STATUS_FIELDS)
    return patch or None


def status_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """Whether `new` differs from `old` in anything the operator writes (patch only then)."""
    return status_patch(old, new) is not None


def _merge_patch(old: Mapping[str, Any], new: Mapping[str, Any], owned: Sequence[str] | None = None) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for key, value in new.items():
        before = old.get(key)
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            sub = _merge_patch(before, value)
            if sub:
                patch[key] = sub
        elif before != value or key not in old:
            patch[key] = value
    for key in old:
        if key not in new and (owned is None or key in owned):
            patch[key] = None
    return patch
