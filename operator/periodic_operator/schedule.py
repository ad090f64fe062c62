"""Schedule truth: what the executor (robfig/cron v3) does, as pure functions.

Cron expressions: 5 fields, 6 fields with seconds first, or the @yearly…@hourly macros;
`?` means `*`. Refused, naming the token: `#`, `L`, `W`, `TZ=`/`CRON_TZ=` prefixes ("use
timeZone"), `@every` ("use interval"), and schedules that can never fire.
Intervals are Go-style durations; FixedRate slots are aligned to the Unix epoch plus a
per-task jitter offset. All instants returned are timezone-aware UTC datetimes.

No clock is read here: every function that needs "now" takes it as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo


class ScheduleError(ValueError):
    """A schedule, interval, duration or zone the operator refuses; the message names the token."""


@dataclass(frozen=True)
class CronSchedule:
    """A parsed cron expression (robfig/cron v3 semantics).

    `seconds` is `frozenset({0})` for 5-field expressions and macros. `dom_star`/`dow_star`
    record whether day-of-month/day-of-week were unrestricted (`*` or `?`): when both are
    restricted, a day matches if *either* matches (robfig/Kubernetes semantics).
    """

    expression: str
    has_seconds_field: bool
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]
    dom_star: bool
    dow_star: bool
    warnings: tuple[str, ...] = ()  # e.g. "step */90 is larger than the minute field's range"

    def cronjob_expression(self) -> str | None:
        """The equivalent 5-field expression for a CronJob, or None when seconds ≠ {0}."""
        raise NotImplementedError


@dataclass(frozen=True)
class IntervalSchedule:
    """A fixed period. For FixedRate, slots are epoch + offset + k·period."""

    period: timedelta
    cadence: Literal["FixedRate", "FixedDelay"]
    offset: timedelta = timedelta(0)


def parse_duration(text: str) -> timedelta:
    """Parse a Go duration (`500ms`, `1m30s`, `2h`); units ns…h; refuses negatives and junk."""
    raise NotImplementedError


def format_duration(value: timedelta) -> str:
    """Format like Go's `time.Duration.String()` (`1m30s`, `500ms`, `0s`), for runner flags."""
    raise NotImplementedError


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; ScheduleError('unknown time zone "…"') otherwise."""
    raise NotImplementedError


def parse_cron(expression: str) -> CronSchedule:
    """Parse and validate; raises ScheduleError naming the offending token or 'can never fire'."""
    raise NotImplementedError


def next_fire_times(cron: CronSchedule, zone: ZoneInfo, after: datetime, count: int) -> list[datetime]:
    """The next `count` fire instants strictly after `after`, exactly as robfig/cron v3 computes
    them in `zone` (spring-forward gap times skipped, fall-back repeats fire twice)."""
    raise NotImplementedError


def next_interval_slots(interval: IntervalSchedule, after: datetime, count: int) -> list[datetime]:
    """The next `count` FixedRate slots strictly after `after` (epoch-aligned plus offset)."""
    raise NotImplementedError


def shortest_period(cron: CronSchedule) -> timedelta:
    """The smallest nominal gap between two consecutive fires (wall-clock arithmetic, DST ignored)."""
    raise NotImplementedError


def interval_to_cron(period: timedelta) -> str | None:
    """The 5-field cron (in UTC) that fires exactly every `period`, or None if none does.

    Convertible: 1,2,3,4,5,6,10,12,15,20,30 min; 1,2,3,4,6,8,12 h; 24 h.
    """
    raise NotImplementedError


def jitter_offset(namespace: str, name: str, jitter: timedelta) -> timedelta:
    """A fixed offset in [0, jitter) from sha256 of `namespace/name`, millisecond resolution."""
    raise NotImplementedError


def next_dst_hit(cron: CronSchedule, zone: ZoneInfo, after: datetime, horizon: timedelta) -> date | None:
    """The first local date within `horizon` after `after` on which a fire time of `cron` falls in a
    DST gap (skipped) or repeat (fires twice) of `zone`; None if none does."""
    raise NotImplementedError


def describe_cron(cron: CronSchedule, zone_name: str) -> str:
    """Human form for status.schedule: `*/5 * * * * (Europe/Berlin)`."""
    raise NotImplementedError


def describe_interval(interval: IntervalSchedule) -> str:
    """Human form for status.schedule: `every 5s, FixedRate`."""
    raise NotImplementedError
