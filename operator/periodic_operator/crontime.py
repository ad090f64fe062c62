"""robfig/cron v3.0.1's `SpecSchedule.Next`, replayed over Go's time semantics; private to `schedule`.

Fire times must equal the executor's to the second, DST included, so this follows robfig's
algorithm step by step (month, day, hour, minute, second loops with wrap-around and the
5-year limit) on top of a small model of Go's `time` package: instants are integer Unix
seconds, wall fields come from the zone's offset at the instant, `time.Date` resolves a wall
time in a gap or a repeat the way Go does, `Add` is absolute and `AddDate` goes through
`time.Date`. That is what produces robfig's DST behaviour:

- a wall time in a spring-forward gap is skipped (hour/minute steps are absolute, so the
  gap's wall times are never visited); where midnight itself is skipped (America/Havana,
  America/Santiago) that day's midnight fire is lost, not moved;
- a wall time in a fall-back repeat fires twice (the absolute steps visit it twice);
- in a zone whose shift is 30 minutes (Australia/Lord_Howe) hour steps land on :30, so robfig
  misfires around both transitions: `15,45 1 * * *` also fires at 02:45 on the spring day
  and skips 01:15 the next day, `0 0 * * *` skips the day after each transition, and
  `0 12 * * 0` skips that Sunday. The shared vectors pin these, proven against robfig.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Iterator, NamedTuple

_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_LAST_YEAR = 9990  # keep date() arithmetic inside Python's year range (robfig adds 5 years)
_MAX_STEPS = 200_000  # robfig's loops end by themselves; this only guards against a model bug
_SAMPLE_STEP = 6 * 3600  # offsets of real zones never change twice within 6 hours
_COMPARE_LIMIT = 10_000  # fires walked around one transition, at most


class Wall(NamedTuple):
    """Wall-clock fields of an instant in a zone (Go's t.Date(), t.Clock(), t.Weekday())."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    weekday: int  # Sunday = 0, like Go's time.Weekday


class GoClock:
    """Go's wall-clock arithmetic in one zone; `zone=None` is UTC (no offsets at all)."""

    def __init__(self, zone: tzinfo | None) -> None:
        self._zone = zone

    def offset(self, unix: int) -> int:
        """The zone's UTC offset at `unix`, in seconds (Go's loc.lookup)."""
        if self._zone is None:
            return 0
        delta = datetime.fromtimestamp(unix, self._zone).utcoffset()
        return 0 if delta is None else delta.days * 86400 + delta.seconds

    def wall(self, unix: int) -> Wall:
        local = unix + self.offset(unix)
        days, seconds = divmod(local, 86400)
        day = date.fromordinal(days + _UNIX_EPOCH_ORDINAL)
        hour, rest = divmod(seconds, 3600)
        return Wall(day.year, day.month, day.day, hour, rest // 60, rest % 60, (day.weekday() + 1) % 7)

    def date(self, year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
        """Go's time.Date: out-of-range fields normalise; a gap or repeat resolves as Go does.

        Go looks up the offset at the wall time read as UTC, then, unless that offset is 0,
        re-looks it up at the instant that guess gives — so a gap's wall time lands on one
        side of the transition or the other, and a repeated one on its first occurrence.
        """
        year += (month - 1) // 12
        month = (month - 1) % 12 + 1
        days = date(year, month, 1).toordinal() - _UNIX_EPOCH_ORDINAL + day - 1
        local = days * 86400 + hour * 3600 + minute * 60 + second
        offset = self.offset(local)
        if offset != 0:
            offset = self.offset(local - offset)
        return local - offset

    def add_date(self, unix: int, months: int, days: int) -> int:
        """Go's t.AddDate(0, months, days)."""
        w = self.wall(unix)
        return self.date(w.year, w.month + months, w.day + days, w.hour, w.minute, w.second)


@dataclass(frozen=True)
class Masks:
    """A schedule as robfig's bit sets (bit i set = value i matches)."""

    second: int
    minute: int
    hour: int
    dom: int
    month: int
    dow: int
    dom_star: bool
    dow_star: bool

    def day_matches(self, w: Wall) -> bool:
        """robfig's dayMatches: AND when either day field is star, OR when both are restricted."""
        dom_match = bool(self.dom >> w.day & 1)
        dow_match = bool(self.dow >> w.weekday & 1)
        if self.dom_star or self.dow_star:
            return dom_match and dow_match
        return dom_match or dow_match


def bits(values: frozenset[int]) -> int:
    result = 0
    for value in values:
        result |= 1 << value
    return result


def next_after(masks: Masks, clock: GoClock, after: int) -> int | None:
    """robfig's Next(after) for whole-second `after`: the first fire instant > after, or None
    where robfig returns the zero time (nothing within its 5-year search)."""
    t = after + 1
    added = False
    year_limit = clock.wall(t).year + 5
    steps = 0
    while True:  # robfig's WRAP label
        w = clock.wall(t)
        if w.year > year_limit or w.year > _LAST_YEAR or steps > _MAX_STEPS:
            return None
        wrapped = False
        while not masks.month >> w.month & 1:
            if not added:
                added = True
                t = clock.date(w.year, w.month, 1, 0, 0, 0)
            t = clock.add_date(t, 1, 0)
            w = clock.wall(t)
            steps += 1
            if w.month == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while not masks.day_matches(w):
            if not added:
                added = True
                t = clock.date(w.year, w.month, w.day, 0, 0, 0)
            t = clock.add_date(t, 0, 1)
            w = clock.wall(t)
            # robfig: a midnight lost to DST shows up as hour 23 or 1; move back onto the day.
            if w.hour != 0:
                t += (24 - w.hour) * 3600 if w.hour > 12 else -w.hour * 3600
                w = clock.wall(t)
            steps += 1
            if w.day == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while not masks.hour >> w.hour & 1:
            if not added:
                added = True
                t = clock.date(w.year, w.month, w.day, w.hour, 0, 0)
            t = _advance(clock, t, 3600, masks.hour, 24)
            w = clock.wall(t)
            steps += 1
            if w.hour == 0:
                wrapped = True
                break
        if wrapped:
            continue
        while not masks.minute >> w.minute & 1:
            if not added:
                added = True
                t -= t % 60  # Go's Truncate(time.Minute) works on the instant, not the wall
            t = _advance(clock, t, 60, masks.minute, 60)
            w = clock.wall(t)
            steps += 1
            if w.minute == 0:
                wrapped = True
                break
        if wrapped:
            continue
        while not masks.second >> w.second & 1:
            added = True  # Truncate(time.Second) is a no-op: t is whole seconds already
            t = _advance(clock, t, 1, masks.second, 60)
            w = clock.wall(t)
            steps += 1
            if w.second == 0:
                wrapped = True
                break
        if wrapped:
            continue
        return t


def _advance(clock: GoClock, t: int, unit: int, mask: int, modulus: int) -> int:
    """robfig's `t = t.Add(unit)` repeated until the wall field (hour, minute or second) is in
    `mask` or wraps to 0 — in one jump when the zone's offset is the same at both ends (the
    field then counts up one per unit, as the steps would see it), else one step."""
    w = clock.wall(t)
    value = w.hour if unit == 3600 else w.minute if unit == 60 else w.second
    above = mask >> (value + 1)
    target = value + (above & -above).bit_length() if above else modulus
    jumped = t + (min(target, modulus) - value) * unit
    return jumped if clock.offset(jumped) == clock.offset(t) else t + unit


def transitions(clock: GoClock, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """The zone's offset changes in (start, end]: (first instant of the new offset, offset
    before, offset after), found by sampling every 6 hours and bisecting to the second."""
    low, low_offset = start, clock.offset(start)
    while low < end:
        high = min(low + _SAMPLE_STEP, end)
        high_offset = clock.offset(high)
        if high_offset != low_offset:
            a, b = low, high
            while b - a > 1:
                middle = (a + b) // 2
                if clock.offset(middle) == low_offset:
                    a = middle
                else:
                    b = middle
            high, high_offset = b, clock.offset(b)
            yield b, low_offset, high_offset
        low, low_offset = high, high_offset


def transition_hit(masks: Masks, clock: GoClock, instant: int, before: int, after: int) -> date | None:
    """The local date on which the transition at `instant` changes the schedule's fires, or None.

    A fire whose wall time lies in the gap is skipped; one in the repeat that robfig fires a
    second time is doubled; failing both, robfig's fires from the last one before the
    transition to the third after it are compared with the plain wall-clock ones (catches
    Lord_Howe's half-hour gap, where the minute loop lands on an hour the schedule lacks).
    """
    naive = GoClock(None)
    low, high = sorted((instant + before, instant + after))  # the wall times skipped or repeated
    fire = next_after(masks, naive, low - 1)
    if fire is not None and fire < high:
        if after > before:
            return _wall_date(fire)
        second = fire - after  # the repeat's second occurrence of that wall time
        if next_after(masks, clock, second - 1) == second:
            return _wall_date(fire)
    previous = _last_fire_before(masks, naive, low)
    start = naive.wall(low - 1 if previous is None else previous)
    real = clock.date(start.year, start.month, start.day, start.hour, start.minute, start.second)
    return _first_difference(masks, clock, naive, real + clock.offset(real), real, instant)


def _last_fire_before(masks: Masks, naive: GoClock, wall: int) -> int | None:
    """The schedule's last wall-clock fire before `wall`, searching back up to about 5 years."""
    span = 60
    while span < 6 * 366 * 86400:
        fire = next_after(masks, naive, wall - span - 1)
        if fire is not None and fire < wall:
            for _ in range(_COMPARE_LIMIT):
                following = next_after(masks, naive, fire)
                if following is None or following >= wall:
                    break
                fire = following
            return fire
        span *= 8
    return None


def _first_difference(masks: Masks, clock: GoClock, naive: GoClock, plain: int, real: int,
                      instant: int) -> date | None:
    """Walk robfig's fires from instant `real` and the wall-clock ones from wall time `plain`
    side by side, up to the third fire after the transition `instant`; the first that differ."""
    after_transition = 0
    for _ in range(_COMPARE_LIMIT):
        next_real = next_after(masks, clock, real)
        next_plain = next_after(masks, naive, plain)
        if next_real is None or next_plain is None:
            return None
        real_wall = next_real + clock.offset(next_real)
        if real_wall != next_plain:
            return _wall_date(min(real_wall, next_plain))
        after_transition += next_real >= instant
        if after_transition >= 3:
            return None
        real, plain = next_real, next_plain
    return None


def _wall_date(wall_seconds: int) -> date:
    return date.fromordinal(wall_seconds // 86400 + _UNIX_EPOCH_ORDINAL)
