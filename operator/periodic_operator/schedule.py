"""Schedule truth: what the executor (robfig/cron v3) does, as pure functions.

Cron expressions: 5 fields, 6 fields with seconds first, or the @yearly…@hourly macros;
`?` means `*`. Refused, naming the token: `#`, `L`, `W`, `TZ=`/`CRON_TZ=` prefixes ("use
timeZone"), `@every` ("use interval"), and schedules that can never fire.
Intervals are Go-style durations; FixedRate slots are aligned to the Unix epoch plus a
per-task jitter offset. All instants returned are timezone-aware UTC datetimes.

No clock is read here: every function that needs "now" takes it as an argument.
The parser lives in `cronexpr`, robfig's next-time rule in `crontime`, Go durations in
`durations`; this module is their public face.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from periodic_operator import cronexpr, crontime, durations
# Defined by the parser, public here.
from periodic_operator.cronexpr import CronSchedule as CronSchedule


class ScheduleError(ValueError):
    """A schedule, interval, duration or zone the operator refuses; the message names the token."""


@dataclass(frozen=True)
class IntervalSchedule:
    """A fixed period. For FixedRate, slots are epoch + offset + k·period."""

    period: timedelta
    cadence: Literal["FixedRate", "FixedDelay"]
    offset: timedelta = timedelta(0)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)
_MICROSECOND = timedelta(microseconds=1)


def parse_duration(text: str) -> timedelta:
    """Parse a Go duration (`500ms`, `1m30s`, `2h`); units ns…h; refuses negatives and junk.

    Values finer than a microsecond (what a timedelta holds) are refused, not rounded.
    """
    try:
        nanos = durations.parse_nanos(text)
    except durations.DurationSyntaxError as error:
        raise ScheduleError(str(error)) from None
    if nanos % 1000:
        raise ScheduleError(f"duration {cronexpr.show(text)} is not a whole number of microseconds")
    return timedelta(microseconds=nanos // 1000)


def format_duration(value: timedelta) -> str:
    """Format like Go's `time.Duration.String()` (`1m30s`, `500ms`, `0s`), for runner flags."""
    return durations.format_nanos(value // _MICROSECOND * 1000)


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; ScheduleError('unknown time zone "…"') otherwise.

    `Local` is refused too: Go's LoadLocation maps it to the executor's own zone.
    """
    shown = name if len(name) <= 60 else name[:59] + "…"
    if not name or name.lower() == "local":
        raise ScheduleError(f'unknown time zone "{shown}" (use an IANA name such as Europe/Berlin)')
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(f'unknown time zone "{shown}" (use an IANA name such as Europe/Berlin)') from None


def parse_cron(expression: str) -> CronSchedule:
    """Parse and validate; raises ScheduleError naming the offending token or 'can never fire'."""
    try:
        return cronexpr.parse(expression)
    except cronexpr.CronSyntaxError as error:
        raise ScheduleError(str(error)) from None


def next_fire_times(cron: CronSchedule, zone: ZoneInfo, after: datetime, count: int) -> list[datetime]:
    """The next `count` fire instants strictly after `after`, exactly as robfig/cron v3 computes
    them in `zone` (spring-forward gap times skipped, fall-back repeats fire twice).

    Fewer come back where robfig finds nothing within its 5-year search (Feb 29 around 2100).
    """
    masks = _masks(cron)
    clock = crontime.GoClock(zone)
    current = _unix_seconds(after)
    fires: list[datetime] = []
    while len(fires) < count:
        found = crontime.next_after(masks, clock, current)
        if found is None:
            break
        fires.append(_EPOCH + timedelta(seconds=found))
        current = found
    return fires


def next_interval_slots(interval: IntervalSchedule, after: datetime, count: int) -> list[datetime]:
    """The next `count` FixedRate slots strictly after `after` (epoch-aligned plus offset).

    FixedDelay has no slots (each run starts a period after the previous one ended): ValueError.
    """
    if interval.cadence != "FixedRate":
        raise ValueError("FixedDelay intervals have no fixed slots")
    period = interval.period // _MICROSECOND
    if period <= 0:
        raise ValueError(f"interval period must be positive, got {interval.period}")
    offset = interval.offset // _MICROSECOND
    elapsed = (_require_aware(after) - _EPOCH) // _MICROSECOND
    first = (elapsed - offset) // period + 1
    return [_EPOCH + timedelta(microseconds=(first + k) * period + offset) for k in range(count)]


def shortest_period(cron: CronSchedule) -> timedelta:
    """The smallest nominal gap between two consecutive fires (wall-clock arithmetic, DST ignored).

    Computed from the field sets, not by enumerating fires: within a minute, between minutes,
    between hours, and between firing days (the shortest day gap over 2000–2031, which holds
    every Gregorian year shape and year-to-year pair).
    """
    secs, mins, hours = sorted(cron.seconds), sorted(cron.minutes), sorted(cron.hours)
    gaps: list[int] = []
    if len(secs) > 1:
        gaps.append(_min_step(secs))
    if len(mins) > 1:
        gaps.append(_min_step(mins) * 60 - (secs[-1] - secs[0]))
    first_in_hour, last_in_hour = mins[0] * 60 + secs[0], mins[-1] * 60 + secs[-1]
    if len(hours) > 1:
        gaps.append(_min_step(hours) * 3600 - (last_in_hour - first_in_hour))
    day_span = hours[-1] * 3600 + last_in_hour - (hours[0] * 3600 + first_in_hour)
    gaps.append(_shortest_day_gap(cron) * 86400 - day_span)
    return timedelta(seconds=min(gaps))


def interval_to_cron(period: timedelta) -> str | None:
    """The 5-field cron (in UTC) that fires exactly every `period`, or None if none does.

    Convertible: 1,2,3,4,5,6,10,12,15,20,30 min; 1,2,3,4,6,8,12 h; 24 h. Those divide the
    hour or the day, so the epoch-aligned slots and the cron's fire times coincide.
    """
    if period <= timedelta(0) or period % timedelta(minutes=1):
        return None
    minutes = period // timedelta(minutes=1)
    if minutes == 1:
        return "* * * * *"
    if minutes in (2, 3, 4, 5, 6, 10, 12, 15, 20, 30):
        return f"*/{minutes} * * * *"
    if minutes == 60:
        return "0 * * * *"
    if minutes in (120, 180, 240, 360, 480, 720):
        return f"0 */{minutes // 60} * * *"
    if minutes == 1440:
        return "0 0 * * *"
    return None


def jitter_offset(namespace: str, name: str, jitter: timedelta) -> timedelta:
    """A fixed offset in [0, jitter) from sha256 of `namespace/name`, millisecond resolution.

    The first 8 bytes of the digest, big-endian, modulo the jitter in whole milliseconds;
    0 when the jitter is below 1 ms.
    """
    if jitter < timedelta(0):
        raise ValueError(f"jitter must not be negative, got {jitter}")
    span = jitter // timedelta(milliseconds=1)
    if span == 0:
        return timedelta(0)
    digest = hashlib.sha256(f"{namespace}/{name}".encode()).digest()
    return timedelta(milliseconds=int.from_bytes(digest[:8], "big") % span)


def next_dst_hit(cron: CronSchedule, zone: ZoneInfo, after: datetime, horizon: timedelta) -> date | None:
    """The first local date within `horizon` after `after` on which a fire time of `cron` falls in a
    DST gap (skipped) or repeat (fires twice) of `zone`; None if none does.

    Also reported: a transition that moves a fire off its wall time without a fire falling in
    the gap, as robfig's minute loop does across Australia/Lord_Howe's 30-minute gap.
    """
    masks = _masks(cron)
    clock = crontime.GoClock(zone)
    start = _unix_seconds(after)
    for instant, before, now in crontime.transitions(clock, start, start + _whole_seconds(horizon)):
        hit = crontime.transition_hit(masks, clock, instant, before, now)
        if hit is not None:
            return hit
    return None


def describe_cron(cron: CronSchedule, zone_name: str) -> str:
    """Human form for status.schedule: `*/5 * * * * (Europe/Berlin)`."""
    return f"{cron.expression} ({zone_name})"


def describe_interval(interval: IntervalSchedule) -> str:
    """Human form for status.schedule: `every 5s, FixedRate` (`every 1h30m, FixedDelay`);
    a jitter offset is appended as `, offset 1.234s`."""
    text = f"every {_compact(interval.period)}, {interval.cadence}"
    if interval.offset:
        text += f", offset {_compact(interval.offset)}"
    return text


def _compact(value: timedelta) -> str:
    """Go's form without zero tails: `1h`, `1h30m`, `5m`, `1m30s`."""
    text = format_duration(value)
    if text.endswith("m0s"):
        text = text[:-2]
    if text.endswith("h0m"):
        text = text[:-2]
    return text


def _masks(cron: CronSchedule) -> crontime.Masks:
    return crontime.Masks(
        second=crontime.bits(cron.seconds),
        minute=crontime.bits(cron.minutes),
        hour=crontime.bits(cron.hours),
        dom=crontime.bits(cron.days_of_month),
        month=crontime.bits(cron.months),
        dow=crontime.bits(cron.days_of_week),
        dom_star=cron.dom_star,
        dow_star=cron.dow_star,
    )


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {moment.isoformat()}")
    return moment


def _unix_seconds(moment: datetime) -> int:
    """Whole Unix seconds, rounded down (robfig's Next starts at the next whole second)."""
    return (_require_aware(moment) - _EPOCH) // _SECOND


def _whole_seconds(span: timedelta) -> int:
    return span // _SECOND


def _min_step(values: list[int]) -> int:
    return min(b - a for a, b in zip(values, values[1:]))


def _shortest_day_gap(cron: CronSchedule) -> int:
    """Fewest days between two consecutive firing days, over the years 2000–2031."""
    dom_mask = crontime.bits(cron.days_of_month)
    # week_masks[w]: the days 1..31 whose weekday matches, in a month whose 1st is weekday w.
    week_masks = [sum(1 << d for d in range(1, 32) if (w + d - 1) % 7 in cron.days_of_week) for w in range(7)]
    use_and = cron.dom_star or cron.dow_star
    best, previous = 0, 0
    for year in range(2000, 2032):
        for month in sorted(cron.months):
            first = date(year, month, 1)
            length = (date(year + month // 12, month % 12 + 1, 1) - first).days
            in_month = (1 << (length + 1)) - 2
            week = week_masks[(first.weekday() + 1) % 7]
            fires = (dom_mask & week if use_and else dom_mask | week) & in_month
            base = first.toordinal() - 1
            while fires:
                lowest = fires & -fires
                day = base + lowest.bit_length() - 1
                if previous and (best == 0 or day - previous < best):
                    best = day - previous
                    if best == 1:
                        return 1
                previous = day
                fires ^= lowest
    if best == 0:
        raise ValueError(f"schedule {cron.expression!r} fires on fewer than two days in 2000-2031")
    return best
