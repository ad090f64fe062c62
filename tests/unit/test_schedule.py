"""schedule.py tables: parsing and refusals, durations, intervals, periods, jitter, DST hits.

Fire times themselves are proven against robfig/cron in test_schedule_vectors.py.
"""

from __future__ import annotations

import ast
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from periodic_operator import schedule
from periodic_operator.schedule import (
    CronSchedule, IntervalSchedule, ScheduleError, describe_cron, describe_interval, format_duration,
    interval_to_cron, jitter_offset, load_zone, next_dst_hit, next_fire_times, next_interval_slots,
    parse_cron, parse_duration, shortest_period,
)

UTC = timezone.utc
START = datetime(2024, 1, 1, tzinfo=UTC)
ALL_MINUTES = frozenset(range(60))
ALL_HOURS = frozenset(range(24))
ALL_DOM = frozenset(range(1, 32))
ALL_MONTHS = frozenset(range(1, 13))
ALL_DOW = frozenset(range(7))
S, M, H = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1)
DAY = timedelta(days=1)


# --- parsing -------------------------------------------------------------------------------

# id, expression, (seconds, minutes, hours, dom, months, dow), dom_star, dow_star, cronjob expression
ACCEPTED = [
    ("every-minute", "* * * * *", ({0}, ALL_MINUTES, ALL_HOURS, ALL_DOM, ALL_MONTHS, ALL_DOW), True, True,
     "* * * * *"),
    ("C01-dom-and-dow", "0 9 1-7 * 1", ({0}, {0}, {9}, set(range(1, 8)), ALL_MONTHS, {1}), False, False,
     "0 9 1-7 * 1"),
    ("C01-step-is-not-star", "0 0 */2 * 1", ({0}, {0}, {0}, set(range(1, 32, 2)), ALL_MONTHS, {1}), False, False,
     "0 0 */2 * 1"),
    ("step-1-stays-star", "0 0 */1 * 1", ({0}, {0}, {0}, ALL_DOM, ALL_MONTHS, {1}), True, False, "0 0 */1 * 1"),
    ("star-in-list-is-star", "0 0 1,* * 1", ({0}, {0}, {0}, ALL_DOM, ALL_MONTHS, {1}), True, False,
     "0 0 1,* * 1"),
    ("question-marks", "0 0 ? * ?", ({0}, {0}, {0}, ALL_DOM, ALL_MONTHS, ALL_DOW), True, True, "0 0 ? * ?"),
    ("question-mark-step", "?/20 * * * *", ({0}, {0, 20, 40}, ALL_HOURS, ALL_DOM, ALL_MONTHS, ALL_DOW), True,
     True, "?/20 * * * *"),
    ("value-slash-step-runs-to-max", "5/20 * * * *", ({0}, {5, 25, 45}, ALL_HOURS, ALL_DOM, ALL_MONTHS, ALL_DOW),
     True, True, "5/20 * * * *"),
    ("range-step", "10-50/20 9-17/4 * * *", ({0}, {10, 30, 50}, {9, 13, 17}, ALL_DOM, ALL_MONTHS, ALL_DOW), True,
     True, "10-50/20 9-17/4 * * *"),
    ("names-any-case", "0 0 * jan,Jul,DEC mon-FRI", ({0}, {0}, {0}, ALL_DOM, {1, 7, 12}, {1, 2, 3, 4, 5}), True,
     False, "0 0 * jan,Jul,DEC mon-FRI"),
    ("name-with-step", "0 0 * feb/4 sun/3", ({0}, {0}, {0}, ALL_DOM, {2, 6, 10}, {0, 3, 6}), True, False,
     "0 0 * feb/4 sun/3"),
    ("leading-zeros", "05 09 * * *", ({0}, {5}, {9}, ALL_DOM, ALL_MONTHS, ALL_DOW), True, True, "05 09 * * *"),
    ("extra-whitespace-normalised", "  */5\t*  * * *  ", ({0}, set(range(0, 60, 5)), ALL_HOURS, ALL_DOM,
     ALL_MONTHS, ALL_DOW), True, True, "*/5 * * * *"),
    ("C04-six-fields-second-zero", "0 0 10 * * *", ({0}, {0}, {10}, ALL_DOM, ALL_MONTHS, ALL_DOW), True, True,
     "0 10 * * *"),
    ("C04-six-fields-question-mark", "0 0 10 * * ?", ({0}, {0}, {10}, ALL_DOM, ALL_MONTHS, ALL_DOW), True, True,
     "0 10 * * ?"),
    ("C04-six-fields-every-10s", "*/10 * * * * *", ({0, 10, 20, 30, 40, 50}, ALL_MINUTES, ALL_HOURS, ALL_DOM,
     ALL_MONTHS, ALL_DOW), True, True, None),
    ("six-fields-seconds-00", "00 30 7 * * *", ({0}, {30}, {7}, ALL_DOM, ALL_MONTHS, ALL_DOW), True, True,
     "30 7 * * *"),
    ("macro-yearly", "@yearly", ({0}, {0}, {0}, {1}, {1}, ALL_DOW), False, True, "@yearly"),
    ("macro-annually", "@annually", ({0}, {0}, {0}, {1}, {1}, ALL_DOW), False, True, "@annually"),
    ("macro-monthly", "@monthly", ({0}, {0}, {0}, {1}, ALL_MONTHS, ALL_DOW), False, True, "@monthly"),
    ("macro-weekly", "@weekly", ({0}, {0}, {0}, ALL_DOM, ALL_MONTHS, {0}), True, False, "@weekly"),
    ("macro-daily", "@daily", ({0}, {0}, {0}, ALL_DOM, ALL_MONTHS, ALL_DOW), True, True, "@daily"),
    ("macro-midnight", "@midnight", ({0}, {0}, {0}, ALL_DOM, ALL_MONTHS, ALL_DOW), True, True, "@midnight"),
    ("macro-hourly", "@hourly", ({0}, {0}, ALL_HOURS, ALL_DOM, ALL_MONTHS, ALL_DOW), True, True, "@hourly"),
    ("C03-feb-29-can-fire", "0 0 29 2 *", ({0}, {0}, {0}, {29}, {2}, ALL_DOW), False, True, "0 0 29 2 *"),
    ("feb-30-or-monday-can-fire", "0 0 30 2 1", ({0}, {0}, {0}, {30}, {2}, {1}), False, False, "0 0 30 2 1"),
    ("day-31-in-some-month", "0 0 31 4,5 *", ({0}, {0}, {0}, {31}, {4, 5}, ALL_DOW), False, True,
     "0 0 31 4,5 *"),
]


@pytest.mark.parametrize(("expression", "sets", "dom_star", "dow_star", "cronjob"),
                         [case[1:] for case in ACCEPTED], ids=[case[0] for case in ACCEPTED])
def test_parse_accepted(expression: str, sets: tuple[set[int], ...], dom_star: bool, dow_star: bool,
                        cronjob: str | None) -> None:
    cron = parse_cron(expression)
    got = (cron.seconds, cron.minutes, cron.hours, cron.days_of_month, cron.months, cron.days_of_week)
    assert got == tuple(frozenset(s) for s in sets)
    assert (cron.dom_star, cron.dow_star) == (dom_star, dow_star)
    assert cron.cronjob_expression() == cronjob
    assert cron.has_seconds_field == (len(expression.split()) == 6)
    assert cron.warnings == ()


REFUSED = [
    ("C02-hash", "0 0 8-9 * 0#2", "token '0#2' uses '#', which neither the CronJob API nor robfig/cron supports"),
    ("C02-hash-in-list", "0 0 * * 1,5#3", "token '5#3' uses '#'"),
    ("C02-L-weekday", "0 0 * * L5", "token 'L5' uses 'L'"),
    ("C02-L-suffix", "0 0 * * 5L", "token '5L' uses 'L'"),
    ("C02-L-day", "0 0 L * *", "token 'L' uses 'L'"),
    ("C02-L-offset", "0 0 L-3 * *", "token 'L-3' uses 'L'"),
    ("C02-W", "0 0 15W * *", "token '15W' uses 'W'"),
    ("C02-LW", "0 0 LW * *", "token 'LW' uses 'L'"),
    ("C06-cron-tz", "CRON_TZ=Europe/Berlin 0 6 * * *", "'CRON_TZ=Europe/Berlin' is not supported in schedule: "
     "use the timeZone field"),
    ("C06-tz", "TZ=UTC 0 6 * * *", "use the timeZone field"),
    ("C06-tz-lowercase", "tz=UTC 0 6 * * *", "use the timeZone field"),
    ("tz-prefix-on-macro", "CRON_TZ=Asia/Tokyo @daily", "use the timeZone field"),
    ("tz-as-a-field", "0 6 * * * TZ=UTC", "use the timeZone field"),
    ("at-every", "@every 5m", "use interval: 5m"),
    ("at-every-bare", "@every", "use interval"),
    ("unknown-macro", "@reboot", "unknown macro '@reboot'"),
    ("macro-uppercase", "@DAILY", "unknown macro '@DAILY'"),
    ("macro-with-fields", "@daily 5", "takes no fields"),
    ("empty", "", "schedule is empty"),
    ("blank", "   ", "schedule is empty"),
    ("four-fields", "* * * *", "found 4"),
    ("seven-fields-quartz-year", "0 0 12 * * ? 2025", "found 7"),
    ("one-word", "hourly", "found 1"),
    ("minute-60", "60 * * * *", "minute field: 60 in '60' is out of range 0-59"),
    ("hour-24", "0 24 * * *", "hour field: 24"),
    ("dom-0", "0 0 0 * *", "day-of-month field: 0"),
    ("dom-32", "0 0 32 * *", "out of range 1-31"),
    ("month-13", "0 0 * 13 *", "month field: 13"),
    ("dow-7-robfig-refuses", "0 0 * * 7", "out of range 0-6 (Sunday is 0)"),
    ("second-60", "60 * * * * *", "second field: 60"),
    ("range-reversed", "5-3 * * * *", "range '5-3' starts after it ends"),
    ("range-wraps-names", "0 6 * * sat-sun", "range 'sat-sun' starts after it ends"),
    ("step-zero", "*/0 * * * *", "must be positive"),
    ("step-not-number", "*/x * * * *", "step in '*/x' is not a whole number"),
    ("two-slashes", "1/2/3 * * * *", "too many '/'"),
    ("two-dashes", "1-2-3 * * * *", "too many '-'"),
    ("negative", "-5 * * * *", "minute field: '' in '-5' is not a number"),
    ("signed", "+5 * * * *", "'+5' in '+5' is not a number"),
    ("star-range", "*-5 * * * *", "'*' in '*-5' is not a number"),
    ("empty-list-element", "1,,2 * * * *", "empty element"),
    ("trailing-comma", "0 0 * * 1,", "empty element"),
    ("name-in-minute-field", "mon * * * *", "minute field: 'mon' in 'mon' is not a number"),
    ("full-day-name", "0 0 * * MONDAY", "is neither a number nor a name like MON"),
    ("month-name-in-dow", "0 0 * * JUL", "is neither a number nor a name like MON"),
    ("unicode-digit", "\u0663 * * * *", "is not a number"),
    ("underscore-number", "1_0 * * * *", "is not a number"),
    ("jenkins-hash", "H * * * *", "'H' in 'H' is not a number"),
    ("garbage", "every day at noon please", "is not a number"),
    ("C03-feb-30", "0 0 30 2 *", "schedule '0 0 30 2 *' can never fire: day-of-month 30 does not occur in Feb"),
    ("C03-apr-31", "0 0 31 4 *", "can never fire"),
    ("short-months-31", "0 0 31 2,4,6,9,11 *", "does not occur in Feb, Apr, Jun, Sep, Nov"),
    ("six-fields-never", "0 0 0 30,31 2 ?", "can never fire"),
]


@pytest.mark.parametrize(("expression", "message"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_parse_refused(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_cron(expression)
    assert message in str(raised.value)


@pytest.mark.timeout(2)
@pytest.mark.parametrize("expression", ["1" * 10_000, "* " * 5_000, "0 0 1," + "1," * 5_000 + "1 * *",
                                        "9" * 2_000 + " * * * *"], ids=["digits", "stars", "list", "long-number"])
def test_huge_schedules_give_a_short_error(expression: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_cron(expression)
    assert len(str(raised.value)) < 200


def test_long_number_within_the_limit_is_range_checked() -> None:
    with pytest.raises(ScheduleError, match="out of range 0-59"):
        parse_cron("9" * 500 + " * * * *")


STEP_WARNINGS = [
    ("C05-step-90", "*/90 * * * *", "minute field: '*/90' has a step larger than the field's range (0-59), "
     "so it matches only 0"),
    ("step-60", "*/60 * * * *", "step larger than the field's range"),
    ("hour-step-24", "0 */24 * * *", "hour field: '*/24' has a step larger than the field's range"),
    ("offset-step", "0 5/60 * * *", "'5/60' has a step larger than the field's range (5-23)"),
    ("range-step", "10-20/15 * * * *", "matches only 10"),
    ("seconds", "*/75 * * * * *", "second field"),
]


@pytest.mark.parametrize(("expression", "needle"), [c[1:] for c in STEP_WARNINGS], ids=[c[0] for c in STEP_WARNINGS])
def test_step_larger_than_range_warns(expression: str, needle: str) -> None:
    warnings = parse_cron(expression).warnings
    assert len(warnings) == 1 and needle in warnings[0]


@pytest.mark.parametrize("expression", ["*/59 * * * *", "*/7 * * * *", "0 */12 * * *", "5 * * * *"])
def test_fitting_steps_do_not_warn(expression: str) -> None:
    assert parse_cron(expression).warnings == ()


# --- durations -----------------------------------------------------------------------------

# Values checked against Go's time.ParseDuration and Duration.String().
DURATIONS = [
    ("500ms", "500ms", timedelta(milliseconds=500), "500ms"),
    ("5s", "5s", timedelta(seconds=5), "5s"),
    ("1m30s", "1m30s", timedelta(seconds=90), "1m30s"),
    ("1.5h", "1.5h", timedelta(minutes=90), "1h30m0s"),
    ("2h45m", "2h45m", timedelta(hours=2, minutes=45), "2h45m0s"),
    ("90m", "90m", timedelta(minutes=90), "1h30m0s"),
    ("24h", "24h", timedelta(hours=24), "24h0m0s"),
    ("1.1h-float-fraction", "1.1h", timedelta(minutes=66), "1h6m0s"),
    ("zero-without-unit", "0", timedelta(0), "0s"),
    ("plus-zero", "+0", timedelta(0), "0s"),
    ("zero-seconds", "0s", timedelta(0), "0s"),
    ("double-zero-seconds", "00s", timedelta(0), "0s"),
    ("leading-point", ".5s", timedelta(milliseconds=500), "500ms"),
    ("trailing-point", "1.s", timedelta(seconds=1), "1s"),
    ("us", "1us", timedelta(microseconds=1), "1µs"),
    ("micro-sign", "1\u00b5s", timedelta(microseconds=1), "1µs"),
    ("greek-mu", "1\u03bcs", timedelta(microseconds=1), "1µs"),
    ("ns-whole-microsecond", "1000ns", timedelta(microseconds=1), "1µs"),
    ("units-any-order", "3m2h", timedelta(hours=2, minutes=3), "2h3m0s"),
    ("mixed", "300ms1s", timedelta(milliseconds=1300), "1.3s"),
    ("fraction-of-second-in-hour", "1h0m0.5s", timedelta(hours=1, milliseconds=500), "1h0m0.5s"),
    ("tiny-fraction-truncated", "1.0000000001s", timedelta(seconds=1), "1s"),
]


@pytest.mark.parametrize(("text", "value", "go_string"), [c[1:] for c in DURATIONS], ids=[c[0] for c in DURATIONS])
def test_parse_and_format_duration(text: str, value: timedelta, go_string: str) -> None:
    assert parse_duration(text) == value
    assert format_duration(value) == go_string


DURATION_ERRORS = [
    ("empty", "", "is empty"),
    ("missing-unit", "5", "missing a unit"),
    ("double-zero-no-unit", "00", "missing a unit"),
    ("negative", "-5s", "is negative"),
    ("negative-zero", "-0", "is negative"),
    ("unknown-unit-day", "1d", "unknown unit 'd'"),
    ("uppercase-unit", "5S", "unknown unit 'S'"),
    ("exponent", "1e5s", "unknown unit 'e'"),
    ("space", "1h 30m", "unknown unit 'h '"),
    ("point-only", ".s", "unit without digits"),
    ("junk", "soon", "not a Go duration"),
    ("overflow", "9223372036854775808ns", "longer than Go's maximum"),
    ("overflow-hours", "3000000h", "longer than Go's maximum"),
    ("sub-microsecond", "1500ns", "not a whole number of microseconds"),
    ("very-long", "1" * 10_000 + "s", "characters long"),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in DURATION_ERRORS], ids=[c[0] for c in DURATION_ERRORS])
def test_parse_duration_refused(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_duration(text)
    assert message in str(raised.value) and len(str(raised.value)) < 200


@pytest.mark.parametrize(("value", "go_string"), [
    (timedelta(0), "0s"), (timedelta(microseconds=1500), "1.5ms"), (timedelta(microseconds=999), "999µs"),
    (timedelta(microseconds=1_500_001), "1.500001s"), (timedelta(seconds=60), "1m0s"),
    (timedelta(seconds=61), "1m1s"), (timedelta(hours=1, seconds=1, milliseconds=500), "1h0m1.5s"),
    (timedelta(days=2), "48h0m0s"), (timedelta(seconds=-90), "-1m30s"),
], ids=lambda value: str(value))
def test_format_duration_like_go(value: timedelta, go_string: str) -> None:
    assert format_duration(value) == go_string


# --- intervals -----------------------------------------------------------------------------

CONVERTIBLE = [
    (M, "* * * * *"), (2 * M, "*/2 * * * *"), (3 * M, "*/3 * * * *"), (4 * M, "*/4 * * * *"),
    (5 * M, "*/5 * * * *"), (6 * M, "*/6 * * * *"), (10 * M, "*/10 * * * *"), (12 * M, "*/12 * * * *"),
    (15 * M, "*/15 * * * *"), (20 * M, "*/20 * * * *"), (30 * M, "*/30 * * * *"), (H, "0 * * * *"),
    (2 * H, "0 */2 * * *"), (3 * H, "0 */3 * * *"), (4 * H, "0 */4 * * *"), (6 * H, "0 */6 * * *"),
    (8 * H, "0 */8 * * *"), (12 * H, "0 */12 * * *"), (24 * H, "0 0 * * *"),
]


@pytest.mark.parametrize(("period", "cron"), CONVERTIBLE, ids=[format_duration(p) for p, _ in CONVERTIBLE])
def test_interval_to_cron(period: timedelta, cron: str) -> None:
    assert interval_to_cron(period) == cron
    # The cron fires exactly on the epoch-aligned slots.
    slots = next_interval_slots(IntervalSchedule(period, "FixedRate"), START + 7 * S, 4)
    assert next_fire_times(parse_cron(cron), ZoneInfo("UTC"), START + 7 * S, 4) == slots


@pytest.mark.parametrize("period", [
    timedelta(0), 5 * S, 90 * S, M + timedelta(milliseconds=1), 7 * M, 8 * M, 9 * M, 25 * M, 45 * M,
    90 * M, 5 * H, 7 * H, 9 * H, 10 * H, 16 * H, 48 * H, 7 * DAY, -M,
], ids=lambda p: format_duration(p))
def test_interval_without_cron(period: timedelta) -> None:
    assert interval_to_cron(period) is None


SLOTS = [
    ("epoch-aligned", IntervalSchedule(5 * S, "FixedRate"), START + 2 * S, [START + 5 * S, START + 10 * S]),
    ("strictly-after-a-slot", IntervalSchedule(5 * S, "FixedRate"), START, [START + 5 * S, START + 10 * S]),
    ("with-offset", IntervalSchedule(5 * S, "FixedRate", timedelta(milliseconds=1250)), START,
     [START + timedelta(milliseconds=1250), START + timedelta(milliseconds=6250)]),
    ("offset-beyond-period", IntervalSchedule(5 * S, "FixedRate", 7 * S), START, [START + 2 * S, START + 7 * S]),
    ("90-minutes", IntervalSchedule(90 * M, "FixedRate"), START + M, [START + 90 * M, START + 180 * M]),
    ("milliseconds", IntervalSchedule(timedelta(milliseconds=500), "FixedRate"),
     START + timedelta(microseconds=1), [START + timedelta(milliseconds=500), START + S]),
    ("aware-non-utc-after", IntervalSchedule(H, "FixedRate"),
     datetime(2024, 1, 1, 5, 30, tzinfo=ZoneInfo("Asia/Kolkata")), [START + H, START + 2 * H]),
]


@pytest.mark.parametrize(("interval", "after", "expected"), [c[1:] for c in SLOTS], ids=[c[0] for c in SLOTS])
def test_next_interval_slots(interval: IntervalSchedule, after: datetime, expected: list[datetime]) -> None:
    slots = next_interval_slots(interval, after, 2)
    assert slots == expected and all(slot.tzinfo == UTC for slot in slots)


def test_fixed_delay_has_no_slots() -> None:
    with pytest.raises(ValueError, match="FixedDelay"):
        next_interval_slots(IntervalSchedule(5 * S, "FixedDelay"), START, 1)


# --- shortest period -----------------------------------------------------------------------

PERIODS = [
    ("every-second", "* * * * * *", S),
    ("every-minute", "* * * * *", M),
    ("C05-step-7", "*/7 * * * *", 4 * M),
    ("C05-step-90-is-hourly", "*/90 * * * *", H),
    ("minutes-list-wrapping-hour", "10,50 * * * *", 20 * M),
    ("hours-with-minutes", "0,30 9-17 * * *", 30 * M),
    ("hour-gap-minus-minute-span", "0,50 */2 * * *", 50 * M),
    ("seconds-across-minutes", "50 * * * * *", M),
    ("seconds-pair-wrapping", "0,45 * * * * *", 15 * S),
    ("C01-dom-or-dow", "0 9 1-7 * 1", DAY),
    ("C01-step-or-dow", "0 0 */2 * 1", DAY),
    ("first-and-31st", "0 0 1,31 * *", DAY),
    ("daily", "@daily", DAY),
    ("night-and-morning", "0 23,1 * * *", 2 * H),
    ("weekdays", "0 8 * * 1-5", DAY),
    ("weekly", "@weekly", 7 * DAY),
    ("mondays-and-fridays", "0 0 * * 1,5", 3 * DAY),
    ("dom-1-and-15", "0 0 1,15 * *", 14 * DAY),
    ("monthly", "@monthly", 28 * DAY),
    ("day-31", "0 0 31 * *", 31 * DAY),
    ("day-30-skips-february", "0 0 30 * *", 30 * DAY),
    ("february-and-march-1st", "0 0 1 2,3 *", 28 * DAY),
    ("yearly", "@yearly", 365 * DAY),
    ("C03-leap-day", "0 0 29 2 *", 1461 * DAY),
    ("friday-13th-or", "0 0 13 * 5", DAY),
    ("fridays", "0 0 * * 5", 7 * DAY),
]


@pytest.mark.timeout(2)
@pytest.mark.parametrize(("expression", "period"), [c[1:] for c in PERIODS], ids=[c[0] for c in PERIODS])
def test_shortest_period(expression: str, period: timedelta) -> None:
    assert shortest_period(parse_cron(expression)) == period


# --- jitter --------------------------------------------------------------------------------

def test_jitter_offset_is_stable_and_pinned() -> None:
    # sha256("default/cache-refresh")[:8] as a big-endian integer, modulo 30000 ms.
    assert jitter_offset("default", "cache-refresh", 30 * S) == timedelta(milliseconds=13827)
    assert jitter_offset("prod", "report", 5 * M) == timedelta(milliseconds=213087)


@pytest.mark.parametrize("jitter", [timedelta(milliseconds=1), timedelta(milliseconds=7), S, 90 * S, H],
                         ids=lambda j: format_duration(j))
def test_jitter_offset_in_range_with_ms_resolution(jitter: timedelta) -> None:
    offsets = {jitter_offset("ns", f"task-{i}", jitter) for i in range(200)}
    assert all(timedelta(0) <= o < jitter and o % timedelta(milliseconds=1) == timedelta(0) for o in offsets)


@pytest.mark.parametrize("jitter", [timedelta(0), timedelta(microseconds=999)], ids=["zero", "below-1ms"])
def test_no_jitter_no_offset(jitter: timedelta) -> None:
    assert jitter_offset("default", "cache-refresh", jitter) == timedelta(0)


def test_jitter_depends_on_namespace_and_name() -> None:
    assert jitter_offset("a", "bc", H) != jitter_offset("ab", "c", H)


def test_negative_jitter_refused() -> None:
    with pytest.raises(ValueError):
        jitter_offset("a", "b", -S)


# --- DST -----------------------------------------------------------------------------------

DST_HITS = [
    ("ny-gap-skipped", "30 2 * * *", "America/New_York", date(2024, 3, 10)),
    ("ny-gap-at-2", "0 2 * * *", "America/New_York", date(2024, 3, 10)),
    ("ny-hourly", "0 * * * *", "America/New_York", date(2024, 3, 10)),
    ("ny-repeat-fires-twice", "30 1 * * *", "America/New_York", date(2024, 11, 3)),
    ("ny-morning-untouched", "0 9 * * *", "America/New_York", None),
    ("ny-3am-untouched", "0 3 * * *", "America/New_York", None),
    ("berlin-gap", "30 2 * * *", "Europe/Berlin", date(2024, 3, 31)),
    ("berlin-3am-untouched", "0 3 * * *", "Europe/Berlin", None),
    ("berlin-seconds-in-repeat", "30 15 2 * * *", "Europe/Berlin", date(2024, 3, 31)),
    ("berlin-sundays-only-in-october", "30 2 * 10 0", "Europe/Berlin", date(2024, 10, 27)),
    ("sydney-repeat-in-april", "30 2 * * *", "Australia/Sydney", date(2024, 4, 7)),
    ("kolkata-no-dst", "*/5 * * * *", "Asia/Kolkata", None),
    ("utc-no-dst", "* * * * * *", "UTC", None),
    ("lord-howe-half-hour-repeat", "45 1 * * *", "Australia/Lord_Howe", date(2024, 4, 7)),
    ("lord-howe-minute-loop-oddity", "15 1 * * *", "Australia/Lord_Howe", None),
    ("santiago-midnight-gap", "0 0 * * *", "America/Santiago", date(2024, 9, 8)),
    ("santiago-23-30-repeat", "30 23 * * *", "America/Santiago", date(2024, 4, 6)),
    ("havana-midnight-gap-dom-10", "0 0 10 * *", "America/Havana", date(2024, 3, 10)),
    ("havana-first-of-month-untouched", "0 0 1 * *", "America/Havana", None),
]


@pytest.mark.parametrize(("expression", "zone", "expected"), [c[1:] for c in DST_HITS], ids=[c[0] for c in DST_HITS])
def test_next_dst_hit(expression: str, zone: str, expected: date | None) -> None:
    assert next_dst_hit(parse_cron(expression), ZoneInfo(zone), START, timedelta(days=366)) == expected


def test_dst_hit_for_odd_minute_loop_across_a_half_hour_gap() -> None:
    # robfig fires "15,45 1 * * *" at 02:45 on 2024-10-06 in Lord_Howe (the minute loop crosses the
    # 02:00->02:30 gap without re-checking the hour): no fire falls in the gap, yet the day is hit.
    cron = parse_cron("15,45 1 * * *")
    zone = ZoneInfo("Australia/Lord_Howe")
    after = datetime(2024, 5, 1, tzinfo=UTC)
    assert next_dst_hit(cron, zone, after, timedelta(days=200)) == date(2024, 10, 6)
    fires = next_fire_times(cron, zone, datetime(2024, 10, 5, 12, tzinfo=UTC), 3)
    assert [f.astimezone(zone).strftime("%H:%M%z") for f in fires] == ["01:15+1030", "01:45+1030", "02:45+1100"]


def test_dst_hit_respects_the_horizon() -> None:
    cron = parse_cron("30 2 * * *")
    assert next_dst_hit(cron, ZoneInfo("Europe/Berlin"), START, timedelta(days=60)) is None
    assert next_dst_hit(cron, ZoneInfo("Europe/Berlin"), datetime(2024, 4, 1, tzinfo=UTC),
                        timedelta(days=366)) == date(2024, 10, 27)


# --- zones, descriptions, next_fire_times edges ---------------------------------------------

@pytest.mark.parametrize("name", ["UTC", "Etc/UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
def test_load_zone(name: str) -> None:
    assert load_zone(name).key == name


@pytest.mark.parametrize("name", ["America/New_Yrok", "Mars/Olympus", "", "Local", "local", "../../etc/passwd",
                                  "/etc/localtime", "Europe", "x" * 5000, "Europe/Berlin "])
def test_unknown_zone(name: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        load_zone(name)
    assert "unknown time zone" in str(raised.value) and len(str(raised.value)) < 200


def test_describe() -> None:
    assert describe_cron(parse_cron(" */5 *  * * * "), "Europe/Berlin") == "*/5 * * * * (Europe/Berlin)"
    assert describe_cron(parse_cron("@daily"), "Etc/UTC") == "@daily (Etc/UTC)"
    assert describe_interval(IntervalSchedule(5 * S, "FixedRate")) == "every 5s, FixedRate"
    assert describe_interval(IntervalSchedule(90 * M, "FixedDelay")) == "every 1h30m, FixedDelay"
    assert describe_interval(IntervalSchedule(H, "FixedRate")) == "every 1h, FixedRate"
    assert describe_interval(IntervalSchedule(timedelta(milliseconds=500), "FixedRate",
                                              timedelta(milliseconds=1234))) == "every 500ms, FixedRate, offset 1.234s"


def test_next_fire_times_edges() -> None:
    cron = parse_cron("* * * * * *")
    utc = ZoneInfo("UTC")
    assert next_fire_times(cron, utc, START, 0) == []
    fires = next_fire_times(cron, utc, START + timedelta(microseconds=999_999), 2)
    assert fires == [START + S, START + 2 * S] and all(f.tzinfo == UTC for f in fires)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_fire_times(cron, utc, datetime(2024, 1, 1), 1)


def test_next_fire_times_stop_where_robfig_gives_up() -> None:
    # robfig searches 5 years: 2100 is no leap year, so from 2097 "Feb 29" finds nothing.
    assert next_fire_times(parse_cron("0 0 29 2 *"), ZoneInfo("UTC"), datetime(2097, 1, 1, tzinfo=UTC), 3) == []


def test_cron_schedule_built_by_hand() -> None:
    cron = CronSchedule("0 0 * * *", False, frozenset({0}), frozenset({0}), frozenset({0}), ALL_DOM, ALL_MONTHS,
                        ALL_DOW, True, True)
    assert cron.cronjob_expression() == "0 0 * * *"
    assert shortest_period(cron) == DAY


# --- purity --------------------------------------------------------------------------------

PURE_MODULES = ["schedule", "cronexpr", "crontime", "durations"]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_schedule_modules_are_pure(module: str) -> None:
    source = Path(schedule.__file__).with_name(f"{module}.py").read_text()
    tree = ast.parse(source)
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"os", "time", "kopf", "kubernetes", "subprocess", "socket", "croniter"}
    called = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Attribute)}
    assert not called & {"now", "utcnow", "today", "time", "getenv"}
    assert len(source.splitlines()) <= 400


def _first_dst_difference(expression: str, zone_name: str, after: datetime, until: datetime) -> date | None:
    """Oracle: the first local date where robfig's fires (as wall times) differ from the
    plain wall-clock fires, found by enumerating both."""
    cron, zone, utc = parse_cron(expression), ZoneInfo(zone_name), ZoneInfo("UTC")
    wall_start = after.astimezone(zone).replace(tzinfo=UTC)
    real, plain = after, wall_start
    while True:
        [real] = next_fire_times(cron, zone, real, 1)
        [plain] = next_fire_times(cron, utc, plain, 1)
        real_wall = real.astimezone(zone).replace(tzinfo=UTC)
        if real_wall != plain:
            return min(real_wall, plain).date()
        if real >= until:
            return None


ORACLE_SCHEDULES = ["30 2 * * *", "0 1 * * *", "45 1 * * *", "0 0 * * *", "0 0 1 1 *", "0 0 1 * *", "0 12 * * 0",
                    "15,45 1 * * *", "0 */6 * * *", "30 23 * * *", "0 3 * * 0", "0 0 10 * *", "0 2 * 3,10 *",
                    "*/20 1-3 * * *", "0 0 * * 6"]
# Each zone's 2024 transitions (local dates), from the tz database.
ORACLE_WINDOWS = [
    ("America/New_York", date(2024, 3, 10)), ("America/New_York", date(2024, 11, 3)),
    ("Europe/Berlin", date(2024, 3, 31)), ("Europe/Berlin", date(2024, 10, 27)),
    ("Europe/Dublin", date(2024, 3, 31)), ("Europe/Dublin", date(2024, 10, 27)),
    ("Australia/Sydney", date(2024, 4, 7)), ("Australia/Sydney", date(2024, 10, 6)),
    ("Australia/Lord_Howe", date(2024, 4, 7)), ("Australia/Lord_Howe", date(2024, 10, 6)),
    ("America/Santiago", date(2024, 4, 6)), ("America/Santiago", date(2024, 9, 8)),
    ("America/Havana", date(2024, 3, 10)), ("America/Havana", date(2024, 11, 3)),
    ("Pacific/Chatham", date(2024, 4, 7)), ("Pacific/Chatham", date(2024, 9, 29)),
    ("Asia/Kolkata", date(2024, 3, 31)),
]


@pytest.mark.parametrize(("zone", "day"), ORACLE_WINDOWS, ids=[f"{z}-{d}" for z, d in ORACLE_WINDOWS])
def test_next_dst_hit_agrees_with_enumeration(zone: str, day: date) -> None:
    """Over a week around each transition, next_dst_hit names the first day on which robfig's
    fires differ from plain wall-clock ones, and only such a day."""
    after = datetime(day.year, day.month, day.day, tzinfo=UTC) - 3 * DAY
    for expression in ORACLE_SCHEDULES:
        expected = _first_dst_difference(expression, zone, after, after + 7 * DAY)
        got = next_dst_hit(parse_cron(expression), ZoneInfo(zone), after, 7 * DAY)
        assert (expression, got) == (expression, expected)
