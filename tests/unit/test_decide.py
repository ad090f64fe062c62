"""decide(): every rule of DESIGN's table, every refusal, the warnings and the Timing.

Named table tests on a fixed clock; the cases of shared/cases (C01–C09) where they concern
the decision.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from periodic_operator.decide import (
    REFUSALS, RULE_IDS, UTC_ZONE, Decision, Warning, decide, default_timeout, from_spec_error, with_warnings,
)
from periodic_operator.settings import Settings
from periodic_operator.spec import SpecError
from taskfactory import task, template

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
SETTINGS = Settings()
NO_COMMAND = template({"name": "app", "image": "nginx:1.27"})
TWO_CONTAINERS = template({"name": "task", "image": "busybox:1.36", "command": ["date"]},
                          {"name": "proxy", "image": "envoy:1.30"})
HTTP = {"trigger": "Http", "http": {"port": 8080}}


def _decide(**spec: Any) -> Decision:
    settings = spec.pop("settings", SETTINGS)
    return decide(task(**spec), settings, now=spec.pop("now", NOW))


# (id, spec, rule, mode, words in the reason)
RULES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # 5 Default
    ("default-cron", {"schedule": "*/5 * * * *"}, "Default", "CronJob",
     "cron '*/5 * * * *' runs at minute granularity and needs no state between runs"),
    ("default-interval-5m", {"interval": "5m"}, "Default", "CronJob", "interval 5m is the cron '*/5 * * * *' (UTC)"),
    ("default-interval-24h", {"interval": "24h"}, "Default", "CronJob", "minute granularity"),
    ("default-interval-8h", {"interval": "8h"}, "Default", "CronJob", "minute granularity"),
    ("default-macro", {"schedule": "@hourly"}, "Default", "CronJob", "cron '@hourly'"),
    ("C01-dom-or-dow", {"schedule": "0 9 1-7 * 1"}, "Default", "CronJob", "minute granularity"),
    ("C03-feb-29-valid", {"schedule": "0 0 29 2 *"}, "Default", "CronJob", "minute granularity"),
    ("C04-six-fields-seconds-zero", {"schedule": "0 0 10 * * *"}, "Default", "CronJob", "minute granularity"),
    ("C04-question-mark", {"schedule": "0 0 10 * * ?"}, "Default", "CronJob", "minute granularity"),
    ("C05-step-7", {"schedule": "*/7 * * * *"}, "Default", "CronJob", "minute granularity"),
    ("C08-every-minute", {"schedule": "* * * * *"}, "Default", "CronJob", "minute granularity"),
    ("precision-equal-latency", {"precision": "10s"}, "Default", "CronJob", "minute granularity"),
    ("precision-coarse", {"precision": "30s"}, "Default", "CronJob", "minute granularity"),
    ("zone-berlin", {"schedule": "0 6 * * *", "timeZone": "Europe/Berlin"}, "Default", "CronJob", "0 6 * * *"),
    ("cronjob-needs-no-command", {"template": NO_COMMAND}, "Default", "CronJob", "minute granularity"),
    # 1 Stateful
    ("stateful", {"state": "Stateful"}, "Stateful", "Ticker", "spec.state is Stateful"),
    ("stateful-before-ticker-only", {"state": "Stateful", "ticker": HTTP, "template": NO_COMMAND},
     "Stateful", "Ticker", "Stateful"),
    # 2 TickerOnlySetting
    ("http-trigger", {"ticker": HTTP, "template": NO_COMMAND}, "TickerOnlySetting", "Ticker",
     "ticker.trigger Http (calling the app) can only be done by the ticker runner"),
    ("fixed-delay", {"interval": "5m", "ticker": {"cadence": "FixedDelay"}}, "TickerOnlySetting", "Ticker",
     "ticker.cadence FixedDelay"),
    ("jitter", {"ticker": {"jitter": "30s"}}, "TickerOnlySetting", "Ticker", "ticker.jitter 30s"),
    ("jitter-and-http", {"ticker": {**HTTP, "jitter": "1s"}}, "TickerOnlySetting", "Ticker",
     "ticker.trigger Http (calling the app) and ticker.jitter 1s"),
    ("ticker-only-before-sub-minute", {"interval": "5s", "ticker": {"jitter": "1s"}}, "TickerOnlySetting",
     "Ticker", "jitter"),
    # 3 SubMinuteSchedule
    ("interval-5s", {"interval": "5s"}, "SubMinuteSchedule", "Ticker", "interval 5s is a sub-minute schedule"),
    ("interval-500ms", {"interval": "500ms"}, "SubMinuteSchedule", "Ticker", "sub-minute schedule"),
    ("C05-interval-90m", {"interval": "90m"}, "SubMinuteSchedule", "Ticker",
     "interval 1h30m is a period no cron fires at exactly"),
    ("interval-7m", {"interval": "7m"}, "SubMinuteSchedule", "Ticker", "no cron fires at exactly"),
    ("interval-5h", {"interval": "5h"}, "SubMinuteSchedule", "Ticker", "no cron fires at exactly"),
    ("interval-48h", {"interval": "48h"}, "SubMinuteSchedule", "Ticker", "no cron fires at exactly"),
    ("C04-six-fields-every-10s", {"schedule": "*/10 * * * * *"}, "SubMinuteSchedule", "Ticker",
     "cron '*/10 * * * * *' is a sub-minute schedule"),
    ("six-fields-second-5", {"schedule": "5 0 * * * *"}, "SubMinuteSchedule", "Ticker", "seconds field is not 0"),
    ("sub-minute-before-precision", {"interval": "5s", "precision": "1s"}, "SubMinuteSchedule", "Ticker",
     "sub-minute"),
    # 4 PrecisionBelowCronJobLatency
    ("precision-2s", {"precision": "2s"}, "PrecisionBelowCronJobLatency", "Ticker",
     "spec.precision 2s is below the CronJob controller's start latency of 10s"),
    ("precision-at-min", {"precision": "10ms"}, "PrecisionBelowCronJobLatency", "Ticker", "10ms"),
    ("C08-precision-below-10s", {"schedule": "* * * * *", "precision": "9s"}, "PrecisionBelowCronJobLatency",
     "Ticker", "9s"),
    # 0 Explicit
    ("explicit-ticker", {"mode": "Ticker"}, "Explicit", "Ticker", "spec.mode is Ticker"),
    ("explicit-ticker-sub-minute", {"mode": "Ticker", "interval": "5s"}, "Explicit", "Ticker", "spec.mode"),
    ("explicit-ticker-http", {"mode": "Ticker", "ticker": HTTP, "template": NO_COMMAND}, "Explicit", "Ticker",
     "Ticker"),
    ("explicit-cronjob", {"mode": "CronJob"}, "Explicit", "CronJob",
     "spec.mode is CronJob, which runs the cron '*/5 * * * *'"),
    ("explicit-cronjob-interval", {"mode": "CronJob", "interval": "15m"}, "Explicit", "CronJob", "'*/15 * * * *'"),
    ("explicit-cronjob-stateful", {"mode": "CronJob", "state": "Stateful"}, "Explicit", "CronJob", "CronJob"),
    ("explicit-cronjob-precision", {"mode": "CronJob", "precision": "1s"}, "Explicit", "CronJob", "CronJob"),
]


@pytest.mark.parametrize(("spec", "rule", "mode", "words"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rules(spec: dict[str, Any], rule: str, mode: str, words: str) -> None:
    decision = _decide(**spec)
    assert decision.valid, decision.reason
    assert (decision.rule, decision.mode) == (rule, mode)
    assert words in decision.reason
    assert decision.rule in RULE_IDS and decision.field is None
    assert decision.timing is not None


# (id, spec, refusal rule, field, words in the reason)
REFUSED: list[tuple[str, dict[str, Any], str, str, str]] = [
    ("C02-hash", {"schedule": "0 0 8-9 * 0#2"}, "InvalidSchedule", "spec.schedule", "#"),
    ("C02-L", {"schedule": "0 0 * * L5"}, "InvalidSchedule", "spec.schedule", "L"),
    ("C02-W", {"schedule": "0 0 15W * *"}, "InvalidSchedule", "spec.schedule", "W"),
    ("C02-hash-in-ticker-mode", {"schedule": "0 0 0 8-9 * 0#2", "mode": "Ticker"}, "InvalidSchedule",
     "spec.schedule", "#"),
    ("C03-feb-30", {"schedule": "0 0 30 2 *"}, "InvalidSchedule", "spec.schedule", "never fire"),
    ("C03-apr-31", {"schedule": "0 0 31 4 *"}, "InvalidSchedule", "spec.schedule", "never fire"),
    ("C06-cron-tz-prefix", {"schedule": "CRON_TZ=Europe/Berlin 0 6 * * *"}, "InvalidSchedule", "spec.schedule",
     "timeZone"),
    ("C06-tz-prefix", {"schedule": "TZ=UTC 0 6 * * *"}, "InvalidSchedule", "spec.schedule", "timeZone"),
    ("C06-prefix-conflicting-zone", {"schedule": "CRON_TZ=Asia/Tokyo 0 6 * * *", "timeZone": "Europe/Berlin"},
     "InvalidSchedule", "spec.schedule", "timeZone"),
    ("at-every", {"schedule": "@every 5m"}, "InvalidSchedule", "spec.schedule", "interval"),
    ("four-fields", {"schedule": "* * * *"}, "InvalidSchedule", "spec.schedule", ""),
    ("seven-fields", {"schedule": "* * * * * * *"}, "InvalidSchedule", "spec.schedule", ""),
    ("minute-60", {"schedule": "60 * * * *"}, "InvalidSchedule", "spec.schedule", "60"),
    ("C06-unknown-zone", {"schedule": "0 6 * * *", "timeZone": "America/New_Yrok"}, "UnknownTimeZone",
     "spec.timeZone", "unknown time zone"),
    ("zone-with-interval", {"interval": "1h", "timeZone": "Europe/Berlin"}, "TimeZoneWithInterval",
     "spec.timeZone", "applies to schedule only"),
    ("fixed-delay-with-schedule", {"ticker": {"cadence": "FixedDelay"}}, "FixedDelayWithSchedule",
     "spec.ticker.cadence", "needs an interval"),
    ("interval-too-short", {"interval": "5ms"}, "IntervalTooShort", "spec.interval",
     "5ms is shorter than 10ms"),
    ("interval-1us", {"interval": "1us"}, "IntervalTooShort", "spec.interval", "minPrecision"),
    ("precision-too-fine", {"precision": "5ms"}, "PrecisionTooFine", "spec.precision",
     "5ms is below 10ms, the finest start precision"),
    ("precision-zero", {"precision": "0s"}, "PrecisionTooFine", "spec.precision", "below 10ms"),
    ("precision-too-fine-explicit-ticker", {"precision": "1ms", "mode": "Ticker"}, "PrecisionTooFine",
     "spec.precision", "minPrecision"),
    ("cronjob-sub-minute-interval", {"mode": "CronJob", "interval": "5s"}, "CronJobCannotHonour", "spec.mode",
     "CronJob cannot run this task: interval 5s is a sub-minute schedule"),
    ("cronjob-90m", {"mode": "CronJob", "interval": "90m"}, "CronJobCannotHonour", "spec.mode", "no cron"),
    ("cronjob-six-fields", {"mode": "CronJob", "schedule": "*/10 * * * * *"}, "CronJobCannotHonour", "spec.mode",
     "sub-minute"),
    ("cronjob-http", {"mode": "CronJob", "ticker": HTTP}, "CronJobCannotHonour", "spec.mode", "Http"),
    ("cronjob-jitter", {"mode": "CronJob", "ticker": {"jitter": "5s"}}, "CronJobCannotHonour", "spec.mode",
     "jitter"),
    ("cronjob-fixed-delay", {"mode": "CronJob", "interval": "5m", "ticker": {"cadence": "FixedDelay"}},
     "CronJobCannotHonour", "spec.mode", "FixedDelay"),
    ("cronjob-stateful-sub-minute", {"mode": "CronJob", "state": "Stateful", "interval": "5s"},
     "CronJobCannotHonour", "spec.mode", "sub-minute"),
    ("extra-container-in-cronjob", {"template": TWO_CONTAINERS}, "ExtraContainersInCronJob",
     "spec.template.spec.containers", "proxy"),
    ("ticker-without-command", {"interval": "5s", "template": NO_COMMAND}, "MissingCommand",
     "spec.template.spec.containers[0].command", "ENTRYPOINT"),
    ("explicit-ticker-without-command", {"mode": "Ticker", "template": NO_COMMAND}, "MissingCommand",
     "spec.template.spec.containers[0].command", "trigger Exec"),
    ("stateful-without-command", {"state": "Stateful", "template": NO_COMMAND}, "MissingCommand",
     "spec.template.spec.containers[0].command", "command"),
    ("http-without-port", {"ticker": {"trigger": "Http"}}, "MissingHttpPort", "spec.ticker.http.port", "port"),
]


@pytest.mark.parametrize(("spec", "rule", "field", "words"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refusals(spec: dict[str, Any], rule: str, field: str, words: str) -> None:
    decision = _decide(**spec)
    assert not decision.valid
    assert (decision.rule, decision.field) == (rule, field)
    assert decision.reason.startswith(f"{field}: ")
    assert words in decision.reason
    assert decision.rule in REFUSALS
    assert decision.mode is None and decision.timing is None and decision.warnings == ()


def test_every_rule_and_refusal_is_covered() -> None:
    assert {r[2] for r in RULES} == set(RULE_IDS)
    assert {r[2] for r in REFUSED} | {"InvalidSpec"} == set(REFUSALS)


def test_ticker_with_several_containers_is_fine() -> None:
    decision = _decide(interval="5s", template=TWO_CONTAINERS)
    assert decision.valid and decision.mode == "Ticker"


JUNK_SCHEDULES = ["", " ", "x", "*", "* * * * * * * *", "*/0 * * * *", "0-100 * * * *", "5-1 * * * *",
                  "*/ * * * *", "1,,2 * * * *", "@", "@weekly @daily", "a b c d e", "☃ * * * *",
                  "99999999999999999999 * * * *", "-1 * * * *", "* * * 13 *", "* * * * 8", "0 0 0 * *",
                  "CRON_TZ= * * * * *", "TZ=Nowhere/Land * * * * *", "x" * 256, "\x00 * * * *",
                  "*/99999999999999999999 * * * *", "1-2-3 * * * *", "? ? ? ? ?"]


@pytest.mark.parametrize("expression", JUNK_SCHEDULES, ids=[repr(s)[:30] for s in JUNK_SCHEDULES])
def test_junk_schedules_never_raise(expression: str) -> None:
    """Whatever the schedule, decide returns a Decision (a refusal names spec.schedule)."""
    try:
        spec_task = task(schedule=expression)
    except SpecError:
        return  # refused structurally (e.g. the empty string), fine too
    decision = decide(spec_task, SETTINGS, now=NOW)
    if not decision.valid:
        assert decision.rule == "InvalidSchedule" and decision.field == "spec.schedule"


# --- Timing -------------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "zone", "period", "cronjob", "timeout"), [
    ({"schedule": "*/5 * * * *"}, UTC_ZONE, timedelta(minutes=5), "*/5 * * * *", timedelta(minutes=4, seconds=50)),
    ({"schedule": "0 * * * *"}, UTC_ZONE, timedelta(hours=1), "0 * * * *", timedelta(minutes=59, seconds=50)),
    ({"schedule": "0 3 * * *"}, UTC_ZONE, timedelta(days=1), "0 3 * * *", timedelta(hours=1)),
    ({"schedule": "0 6 * * *", "timeZone": "Europe/Berlin"}, "Europe/Berlin", timedelta(days=1), "0 6 * * *",
     timedelta(hours=1)),
    ({"schedule": "* * * * *"}, UTC_ZONE, timedelta(minutes=1), "* * * * *", timedelta(seconds=50)),
    ({"schedule": "*/7 * * * *"}, UTC_ZONE, timedelta(minutes=4), "*/7 * * * *", timedelta(minutes=3, seconds=50)),
    ({"schedule": "0 0 10 * * *"}, UTC_ZONE, timedelta(days=1), "0 10 * * *", timedelta(hours=1)),
    ({"schedule": "*/10 * * * * *"}, UTC_ZONE, timedelta(seconds=10), None, timedelta(seconds=5)),
    ({"interval": "5m"}, UTC_ZONE, timedelta(minutes=5), "*/5 * * * *", timedelta(minutes=4, seconds=50)),
    ({"interval": "2h"}, UTC_ZONE, timedelta(hours=2), "0 */2 * * *", timedelta(hours=1)),
    ({"interval": "90m"}, UTC_ZONE, timedelta(minutes=90), None, timedelta(hours=1)),
    ({"interval": "30s"}, UTC_ZONE, timedelta(seconds=30), None, timedelta(seconds=20)),
    ({"interval": "15s"}, UTC_ZONE, timedelta(seconds=15), None, timedelta(milliseconds=7500)),
    ({"interval": "5s"}, UTC_ZONE, timedelta(seconds=5), None, timedelta(milliseconds=2500)),
    ({"interval": "500ms"}, UTC_ZONE, timedelta(milliseconds=500), None, timedelta(milliseconds=250)),
    ({"interval": "5s", "timeout": "3s"}, UTC_ZONE, timedelta(seconds=5), None, timedelta(seconds=3)),
    ({"schedule": "0 3 * * *", "timeout": "2h"}, UTC_ZONE, timedelta(days=1), "0 3 * * *", timedelta(hours=2)),
], ids=["every-5m", "hourly", "daily-capped", "zone", "C08-every-minute", "C05-step-7-shortest-gap",
        "C04-six-to-five", "six-field-10s", "interval-5m", "interval-2h", "C05-90m-no-cron", "30s-minus-latency",
        "15s-half", "5s-half", "500ms-half", "explicit-timeout", "explicit-timeout-over-cap"])
def test_timing(spec: dict[str, Any], zone: str, period: timedelta, cronjob: str | None, timeout: timedelta) -> None:
    decision = _decide(**spec)
    assert decision.valid and decision.timing is not None, decision.reason
    timing = decision.timing
    assert (timing.zone_name, timing.shortest_period, timing.cronjob_schedule, timing.timeout) == (
        zone, period, cronjob, timeout)
    assert (timing.cron is None) != (timing.interval is None)
    if timing.cronjob_schedule is not None:
        assert len(timing.cronjob_schedule.split()) == 5, "a CronJob never receives six fields (C04)"


def test_interval_timing_carries_cadence_and_a_stable_jitter_offset() -> None:
    first = _decide(interval="10s", ticker={"jitter": "3s"}).timing
    again = _decide(interval="10s", ticker={"jitter": "3s"}).timing
    other = decide(task("other-task", interval="10s", ticker={"jitter": "3s"}), SETTINGS).timing
    assert first is not None and first.interval is not None and again is not None and other is not None
    assert first.interval.cadence == "FixedRate" and first.interval.period == timedelta(seconds=10)
    assert timedelta(0) <= first.interval.offset < timedelta(seconds=3)
    assert first == again
    assert other.interval is not None
    no_jitter = _decide(interval="10s").timing
    assert no_jitter is not None and no_jitter.interval is not None and no_jitter.interval.offset == timedelta(0)


@pytest.mark.parametrize(("period", "expected"), [
    (timedelta(days=7), timedelta(hours=1)),
    (timedelta(minutes=1), timedelta(seconds=50)),
    (timedelta(seconds=20), timedelta(seconds=10)),
    (timedelta(seconds=10), timedelta(seconds=5)),
    (timedelta(seconds=1), timedelta(milliseconds=500)),
    (timedelta(milliseconds=10), timedelta(milliseconds=5)),
    (timedelta(milliseconds=1), timedelta(milliseconds=1)),
    (timedelta(microseconds=1), timedelta(milliseconds=1)),
], ids=["week-capped", "minute", "20s-boundary", "10s", "1s", "10ms", "1ms-floor", "1us-floor"])
def test_default_timeout_is_never_zero_or_negative(period: timedelta, expected: timedelta) -> None:
    assert default_timeout(period, SETTINGS) == expected


def test_settings_change_the_decision() -> None:
    slow = Settings(cronjob_start_latency=timedelta(seconds=30), min_precision=timedelta(seconds=1),
                    max_default_timeout=timedelta(minutes=2))
    assert _decide(precision="20s", settings=slow).rule == "PrecisionBelowCronJobLatency"
    assert _decide(precision="20s").rule == "Default"
    refused = _decide(precision="500ms", settings=slow)
    assert refused.rule == "PrecisionTooFine" and "1s" in refused.reason
    timing = _decide(schedule="0 * * * *", settings=slow).timing
    assert timing is not None and timing.timeout == timedelta(minutes=2)
    timing = _decide(schedule="*/2 * * * *", settings=slow).timing
    assert timing is not None and timing.timeout == timedelta(seconds=90)


# --- warnings -------------------------------------------------------------------------------

def _reasons(decision: Decision) -> list[str]:
    return [w.reason for w in decision.warnings]


@pytest.mark.parametrize(("spec", "reason", "words"), [
    ({"schedule": "*/90 * * * *"}, "StepLargerThanRange", "range"),
    ({"schedule": "30 2 * * *", "timeZone": "Europe/Berlin"}, "DaylightSavingTime", "2025-03-30"),
    ({"schedule": "30 2 * * 0", "timeZone": "America/New_York"}, "DaylightSavingTime", "2025-03-09"),
    ({"schedule": "30 1 * * *", "timeZone": "America/New_York"}, "DaylightSavingTime", "2025-11-02"),
    ({"mode": "CronJob", "state": "Stateful"}, "StatefulOnCronJob", "each Job starts without the previous run's state"),
    ({"mode": "CronJob", "precision": "2s"}, "PrecisionNotGuaranteed", "startingDeadlineSeconds"),
    ({"template": template(restartPolicy="OnFailure")}, "RestartPolicyOverridden", "OnFailure is replaced by Never"),
    ({"interval": "5s", "template": template(restartPolicy="Never")}, "RestartPolicyOverridden",
     "Never is replaced by Always in Ticker mode"),
    ({"schedule": "*/5 * * * *", "timeout": "10m"}, "TimeoutLongerThanPeriod", "skipped"),
    ({"interval": "5s", "ticker": {"jitter": "10s"}}, "JitterNotBelowPeriod", "wraps"),
], ids=["C05-step-90", "dst-berlin-gap", "dst-new-york-gap-sunday", "dst-new-york-repeat",
        "explicit-cronjob-stateful", "explicit-cronjob-precision", "restart-policy-cronjob",
        "restart-policy-ticker", "timeout-over-period", "jitter-over-period"])
def test_warnings(spec: dict[str, Any], reason: str, words: str) -> None:
    decision = _decide(**spec)
    assert decision.valid, decision.reason
    assert reason in _reasons(decision)
    warning = next(w for w in decision.warnings if w.reason == reason)
    assert words in warning.message


@pytest.mark.parametrize("spec", [
    {"schedule": "*/5 * * * *"},
    {"schedule": "30 2 * * *"},  # UTC has no DST
    {"schedule": "0 12 * * *", "timeZone": "Europe/Berlin"},  # noon is never in a transition
    {"schedule": "0 3 * * *", "timeZone": "Asia/Tokyo"},  # no DST in Japan
    {"interval": "5s"},
    {"template": template(restartPolicy="Never")},
    {"interval": "5s", "template": template(restartPolicy="Always")},
    {"mode": "Ticker", "state": "Stateful"},
    {"schedule": "*/5 * * * *", "timeout": "5m"},
], ids=["plain", "utc-2-30", "berlin-noon", "tokyo", "interval", "never-in-cronjob", "always-in-ticker",
        "explicit-ticker-stateful", "timeout-equal-period"])
def test_no_warnings(spec: dict[str, Any]) -> None:
    decision = _decide(**spec)
    assert decision.valid and decision.warnings == (), decision.warnings


def test_dst_warning_needs_now() -> None:
    berlin = task(schedule="30 2 * * *", timeZone="Europe/Berlin")
    assert "DaylightSavingTime" not in _reasons(decide(berlin, SETTINGS))
    later = decide(berlin, SETTINGS, now=datetime(2025, 4, 1, tzinfo=timezone.utc))
    dst = [w for w in later.warnings if w.reason == "DaylightSavingTime"]
    assert dst and "2025-10-26" in dst[0].message  # the fall-back repeat


def test_decide_is_deterministic() -> None:
    spec_task = task(schedule="30 2 * * *", timeZone="Europe/Berlin")
    assert decide(spec_task, SETTINGS, now=NOW) == decide(spec_task, SETTINGS, now=NOW)


def test_from_spec_error_and_with_warnings() -> None:
    decision = from_spec_error(SpecError("spec.ticker.jitter", "invalid duration \"x\""))
    assert (decision.valid, decision.rule, decision.field) == (False, "InvalidSpec", "spec.ticker.jitter")
    assert decision.reason == "spec.ticker.jitter: invalid duration \"x\""
    extra = with_warnings(_decide(), Warning("Something", "a sentence"))
    assert extra.warnings[-1] == Warning("Something", "a sentence")
