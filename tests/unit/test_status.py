"""status.py: the status dict, its conditions, nextRunTime and patch-only-on-change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from periodic_operator.decide import Decision, Warning, decide, from_spec_error
from periodic_operator.settings import Settings
from periodic_operator.spec import SpecError
from periodic_operator.status import (
    READY_REASONS, STATUS_FIELDS, ChildRef, Readiness, RunTimes, build_conditions, build_status, child_rejected,
    decision_changed, format_time, name_collision, next_run_time, readiness, replacing, status_changed, status_patch,
)
from taskfactory import task

NOW = datetime(2024, 7, 1, 0, 0, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(minutes=3)
CRON_CHILD = ChildRef("CronJob", "demo")
TICKER_CHILD = ChildRef("Deployment", "demo")


def _decision(**spec: Any) -> Decision:
    return decide(task(**spec), Settings(), now=NOW)


def _ready(decision: Decision) -> Readiness:
    return readiness(decision, CRON_CHILD, applied=True)


def _conditions(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in status["conditions"]}


def test_valid_cronjob_status() -> None:
    decision = _decision(schedule="*/5 * * * *", timeZone="Europe/Berlin")
    status = build_status(decision, generation=4, now=NOW, ready=_ready(decision), child=CRON_CHILD)
    assert status["observedGeneration"] == 4
    assert (status["mode"], status["decision"]) == ("CronJob", "Default")
    assert status["reason"] == "cron '*/5 * * * *' runs at minute granularity and needs no state between runs"
    assert status["schedule"] == "*/5 * * * * (Europe/Berlin)"
    assert status["child"] == {"kind": "CronJob", "name": "demo"}
    assert status["nextRunTime"] == "2024-07-01T00:05:00Z"
    conditions = _conditions(status)
    assert [c["type"] for c in status["conditions"]] == ["Valid", "Ready", "ScheduleWarning"]
    assert conditions["Valid"] == {"type": "Valid", "status": "True", "reason": "Default",
                                   "message": status["reason"], "lastTransitionTime": "2024-07-01T00:00:00Z",
                                   "observedGeneration": 4}
    assert (conditions["Ready"]["status"], conditions["Ready"]["reason"]) == ("True", "Applied")
    # every-5-minutes in Berlin has fire times in the spring-forward gap (2024-10-27 is the next
    # transition after NOW: the fall-back hour, in which they fire twice)
    warning = conditions["ScheduleWarning"]
    assert (warning["status"], warning["reason"]) == ("True", "DaylightSavingTime")
    assert "2024-10-27" in warning["message"]
    assert set(status) <= set(STATUS_FIELDS)


def test_no_warning_condition_is_false() -> None:
    decision = _decision(schedule="*/5 * * * *")
    warning = _conditions(build_status(decision, generation=1, now=NOW, ready=_ready(decision)))["ScheduleWarning"]
    assert (warning["status"], warning["reason"]) == ("False", "NoWarnings")


@pytest.mark.parametrize(("spec", "after", "expected"), [
    ({"schedule": "0 9 1-7 * 1"}, datetime(2024, 7, 7, 9, 0, tzinfo=timezone.utc), "2024-07-08T09:00:00Z"),
    ({"schedule": "0 0 */2 * 1"}, datetime(2024, 7, 7, 0, 0, tzinfo=timezone.utc), "2024-07-08T00:00:00Z"),
    ({"schedule": "*/7 * * * *"}, datetime(2024, 7, 1, 0, 56, tzinfo=timezone.utc), "2024-07-01T01:00:00Z"),
    ({"schedule": "0 0 29 2 *"}, datetime(2025, 1, 1, tzinfo=timezone.utc), "2028-02-29T00:00:00Z"),
    ({"schedule": "0 0 10 * * *"}, NOW, "2024-07-01T10:00:00Z"),
    ({"schedule": "0 6 * * *", "timeZone": "Europe/Berlin"}, NOW, "2024-07-01T04:00:00Z"),
    ({"interval": "5m"}, datetime(2024, 7, 1, 0, 2, 30, tzinfo=timezone.utc), "2024-07-01T00:05:00Z"),
    ({"interval": "90m"}, NOW, "2024-07-01T01:30:00Z"),
], ids=["C01-or-semantics", "C01-step-restricts", "C05-step-7-gap", "C03-leap-day", "C04-six-fields",
        "zone-in-utc", "interval-epoch-aligned", "C05-90m"])
def test_next_run_time(spec: dict[str, Any], after: datetime, expected: str) -> None:
    decision = _decision(**spec)
    upcoming = next_run_time(decision, after)
    assert upcoming is not None and format_time(upcoming) == expected


@pytest.mark.parametrize("spec", [
    {"interval": "30s"},
    {"schedule": "*/10 * * * * *"},
    {"interval": "5m", "ticker": {"cadence": "FixedDelay"}},
    {"schedule": "0 0 30 2 *"},
], ids=["sub-minute-interval", "sub-minute-cron", "fixed-delay", "invalid"])
def test_no_next_run_time(spec: dict[str, Any]) -> None:
    decision = _decision(**spec)
    assert next_run_time(decision, NOW) is None
    status = build_status(decision, generation=1, now=NOW, ready=_ready(decision))
    assert "nextRunTime" not in status


def test_suspended_task_has_no_next_run_and_is_ready_suspended() -> None:
    decision = _decision()
    ready = readiness(decision, CRON_CHILD, applied=True, suspended=True)
    status = build_status(decision, generation=2, now=NOW, ready=ready, child=CRON_CHILD, suspended=True)
    assert "nextRunTime" not in status
    assert (_conditions(status)["Ready"]["status"], _conditions(status)["Ready"]["reason"]) == ("True", "Suspended")


def test_interval_schedule_text() -> None:
    decision = _decision(interval="5s")
    status = build_status(decision, generation=1, now=NOW, ready=readiness(decision, TICKER_CHILD, applied=True,
                                                                           available=True))
    assert status["schedule"] == "every 5s, FixedRate"
    assert status["mode"] == "Ticker" and status["decision"] == "SubMinuteSchedule"


def test_invalid_status() -> None:
    decision = _decision(schedule="0 0 30 2 *")
    status = build_status(decision, generation=3, now=NOW, ready=readiness(decision, None, applied=False))
    assert "mode" not in status and "schedule" not in status and "child" not in status
    assert status["decision"] == "InvalidSchedule"
    assert "can never fire" in status["reason"]
    conditions = _conditions(status)
    assert (conditions["Valid"]["status"], conditions["Valid"]["reason"]) == ("False", "InvalidSchedule")
    assert conditions["Valid"]["message"].startswith("spec.schedule: ")
    assert (conditions["Ready"]["status"], conditions["Ready"]["reason"]) == ("False", "InvalidSpec")


def test_spec_error_status() -> None:
    decision = from_spec_error(SpecError("spec.ticker.jitter", "invalid duration"))
    status = build_status(decision, generation=1, now=NOW, ready=readiness(decision, None, applied=False))
    assert status["decision"] == "InvalidSpec" and status["reason"] == "spec.ticker.jitter: invalid duration"


# (id, readiness, ready?, reason, words in the message)
READINESS: list[tuple[str, Readiness, bool, str, str]] = [
    ("cronjob-applied", readiness(_decision(), CRON_CHILD, applied=True), True, "Applied", "CronJob demo"),
    ("cronjob-not-applied", readiness(_decision(), CRON_CHILD, applied=False), False, "Applying", "not yet applied"),
    ("ticker-available", readiness(_decision(interval="5s"), TICKER_CHILD, applied=True, available=True), True,
     "Available", "Deployment demo"),
    ("ticker-unavailable", readiness(_decision(interval="5s"), TICKER_CHILD, applied=True), False, "Unavailable",
     "waiting"),
    ("ticker-suspended", readiness(_decision(interval="5s"), TICKER_CHILD, applied=True, suspended=True), True,
     "Suspended", "suspended"),
    ("invalid", readiness(_decision(schedule="0 0 31 4 *"), None, applied=False), False, "InvalidSpec", "invalid"),
    ("replacing", replacing(CRON_CHILD, "Deployment"), False, "Replacing", "deleting CronJob demo"),
    ("child-rejected", child_rejected(CRON_CHILD, 'spec.timeZone: Invalid value: "Mars/Base"'), False,
     "ChildRejected", "Mars/Base"),
    ("name-collision", name_collision(CRON_CHILD, "PeriodicTask other"), False, "NameCollision",
     "PeriodicTask other"),
]


@pytest.mark.parametrize(("ready", "value", "reason", "words"), [r[1:] for r in READINESS],
                         ids=[r[0] for r in READINESS])
def test_readiness(ready: Readiness, value: bool, reason: str, words: str) -> None:
    assert (ready.ready, ready.reason) == (value, reason)
    assert words in ready.message
    assert ready.reason in READY_REASONS


def test_ready_condition_carries_the_given_reason() -> None:
    decision = _decision()
    status = build_status(decision, generation=1, now=NOW, ready=child_rejected(CRON_CHILD, "boom"),
                          child=CRON_CHILD)
    assert _conditions(status)["Ready"]["reason"] == "ChildRejected"
    assert _conditions(status)["Valid"]["status"] == "True"


def test_schedule_warning_condition() -> None:
    one = _decision(schedule="*/90 * * * *")
    condition = _conditions(build_status(one, generation=1, now=NOW, ready=_ready(one)))["ScheduleWarning"]
    assert (condition["status"], condition["reason"]) == ("True", "StepLargerThanRange")
    assert "step" in condition["message"]
    two = Decision(valid=True, rule="Default", reason="r", mode="CronJob", timing=one.timing,
                   warnings=(Warning("A", "first"), Warning("B", "second")))
    condition = _conditions(build_status(two, generation=1, now=NOW, ready=_ready(two)))["ScheduleWarning"]
    assert (condition["status"], condition["reason"]) == ("True", "MultipleWarnings")
    assert condition["message"] == "A: first; B: second"


def test_long_messages_are_cut() -> None:
    ready = child_rejected(CRON_CHILD, "x" * 5000)
    [_, cond, _] = build_conditions(_decision(), ready, generation=1, now=NOW)
    assert len(cond["message"]) == 1024 and cond["message"].endswith("…")


def test_last_transition_time_kept_while_status_unchanged() -> None:
    decision = _decision()
    first = build_status(decision, generation=1, now=NOW, ready=readiness(decision, CRON_CHILD, applied=False))
    second = build_status(decision, generation=2, now=LATER, ready=_ready(decision), previous=first)
    before, after = _conditions(first), _conditions(second)
    assert after["Valid"]["lastTransitionTime"] == before["Valid"]["lastTransitionTime"] == "2024-07-01T00:00:00Z"
    assert after["Ready"]["lastTransitionTime"] == "2024-07-01T00:03:00Z"  # False -> True
    assert after["Valid"]["observedGeneration"] == 2
    # reason changes without a status change keep the time too
    third = build_status(decision, generation=2, now=LATER + timedelta(hours=1),
                         ready=readiness(decision, CRON_CHILD, applied=True, suspended=True), previous=second)
    assert _conditions(third)["Ready"]["lastTransitionTime"] == "2024-07-01T00:03:00Z"
    assert _conditions(third)["Ready"]["reason"] == "Suspended"


def test_run_times_are_written_and_carried_forward() -> None:
    decision = _decision()
    runs = RunTimes(last_schedule=NOW, last_success=NOW + timedelta(seconds=42, milliseconds=5))
    first = build_status(decision, generation=1, now=NOW, ready=_ready(decision), runs=runs)
    assert first["lastScheduleTime"] == "2024-07-01T00:00:00Z"
    assert first["lastSuccessfulTime"] == "2024-07-01T00:00:42.005Z"
    assert "lastFailureTime" not in first
    second = build_status(decision, generation=1, now=LATER, ready=_ready(decision),
                          runs=RunTimes(last_failure=LATER), previous=first)
    assert second["lastSuccessfulTime"] == first["lastSuccessfulTime"]
    assert second["lastFailureTime"] == "2024-07-01T00:03:00Z"


def test_format_time() -> None:
    berlin = datetime(2024, 7, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_time(berlin) == "2024-07-01T00:00:00Z"
    assert format_time(NOW + timedelta(microseconds=1500)) == "2024-07-01T00:00:00.001Z"
    with pytest.raises(ValueError):
        format_time(datetime(2024, 7, 1))


def test_unchanged_status_needs_no_patch() -> None:
    decision = _decision()
    old = build_status(decision, generation=1, now=NOW, ready=_ready(decision), child=CRON_CHILD)
    # a later reconcile before the next slot computes the same status
    new = build_status(decision, generation=1, now=NOW + timedelta(minutes=1), ready=_ready(decision),
                       child=CRON_CHILD, previous=old)
    assert new == old
    assert status_patch(old, new) is None and not status_changed(old, new)


def test_patch_contains_only_the_changes() -> None:
    decision = _decision()
    old = build_status(decision, generation=1, now=NOW, ready=_ready(decision), child=CRON_CHILD)
    new = build_status(decision, generation=1, now=NOW + timedelta(minutes=6), ready=_ready(decision),
                       child=CRON_CHILD, previous=old)
    assert status_patch(old, new) == {"nextRunTime": "2024-07-01T00:10:00Z"}
    assert status_changed(old, new)


def test_patch_removes_fields_no_longer_written_and_leaves_foreign_ones() -> None:
    valid = _decision()
    old = build_status(valid, generation=1, now=NOW, ready=_ready(valid), child=CRON_CHILD)
    old["somethingElse"] = "kept"
    invalid = _decision(schedule="0 0 30 2 *")
    new = build_status(invalid, generation=2, now=LATER, ready=readiness(invalid, None, applied=False), previous=old)
    patch = status_patch(old, new)
    assert patch is not None
    assert patch["mode"] is None and patch["schedule"] is None and patch["child"] is None
    assert patch["nextRunTime"] is None
    assert "somethingElse" not in patch
    assert patch["decision"] == "InvalidSchedule"


def test_patch_of_nested_child_is_a_merge() -> None:
    decision = _decision()
    old = build_status(decision, generation=1, now=NOW, ready=_ready(decision), child=CRON_CHILD)
    new = build_status(decision, generation=1, now=NOW, ready=_ready(decision), child=ChildRef("CronJob", "x"),
                       previous=old)
    assert status_patch(old, new) == {"child": {"name": "x"}}


def test_first_status_is_a_full_patch() -> None:
    decision = _decision()
    new = build_status(decision, generation=1, now=NOW, ready=_ready(decision))
    assert status_patch(None, new) == new
    assert status_patch({}, new) == new


def test_next_run_time_includes_the_jitter_offset() -> None:
    """The runner shifts every slot by the task's fixed offset, cron fires included."""
    decision = _decision(schedule="0 * * * *", ticker={"jitter": "10m"})
    assert decision.timing is not None
    offset = decision.timing.offset
    assert timedelta(0) < offset < timedelta(minutes=10)
    upcoming = next_run_time(decision, NOW)
    assert upcoming == NOW + timedelta(hours=1) + offset or upcoming == NOW + offset
    interval = _decision(interval="1h", ticker={"jitter": "10m"})
    assert interval.timing is not None and interval.timing.interval is not None
    assert interval.timing.offset == interval.timing.interval.offset
    assert next_run_time(interval, NOW) == NOW + interval.timing.offset


def test_decision_changed_only_on_rule_or_mode() -> None:
    decision = _decision()
    old = build_status(decision, generation=1, now=NOW, ready=_ready(decision))
    assert decision_changed(None, decision) and decision_changed({}, decision)
    assert not decision_changed(old, decision)
    assert not decision_changed(old, _decision(schedule="*/10 * * * *")), "same rule and mode, other sentence"
    assert decision_changed(old, _decision(interval="5s"))
    invalid = _decision(schedule="0 0 30 2 *")
    assert decision_changed(old, invalid)
    refused = build_status(invalid, generation=2, now=NOW, ready=readiness(invalid, None, applied=False))
    assert not decision_changed(refused, invalid)
