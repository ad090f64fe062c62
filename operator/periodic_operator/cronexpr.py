"""Cron expression parsing with robfig/cron v3 rules; private to `schedule`.

robfig/cron v3.0.1 (`parser.go`) is the reference, because it is what the CronJob controller
and the runner execute. What it accepts, and how, in short:

- fields are comma lists of `*`, `?`, `N`, `N-M`, each with an optional `/step`; `N/step`
  means `N-max/step`; month and day-of-week also take three-letter names, any case;
- day-of-week is 0-6 (Sunday = 0; robfig refuses 7);
- a field is "star" only when an element is `*` or `?` with no step above 1 (`*/1` stays
  star, `*/2` does not); when both day fields are restricted, a day matches if either does.

This parser is stricter than robfig where robfig accepts things by accident (`*-5` read as
`*`, empty list elements `1,,2`, signed numbers `+5`): those are refused as garbage, which
never changes a fire time, only refuses a typo. It also refuses what robfig refuses and what
the operator does not support (`#`, `L`, `W`, zone prefixes, `@every`), naming the token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

MAX_EXPRESSION_LENGTH = 1000
"""Longest schedule accepted, in characters: a list of all 60 minutes takes 170."""

MACROS: Mapping[str, str] = MappingProxyType(
    {
        # Each expands to the 5-field spec with the same bits as robfig's parseDescriptor.
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    }
)

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_MAX_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # per month, leap years included
_QUARTZ_L_W = re.compile(r"[0-9]*L[0-9]*|L-[0-9]+|LW|[0-9]*W", re.IGNORECASE)
_ZONE_PREFIX = re.compile(r"(CRON_TZ|TZ)=(\S*)", re.IGNORECASE)


class CronSyntaxError(ValueError):
    """The expression is refused; the message names the token and the rule broken."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] stands for low + i


_SECOND = _Field("second", 0, 59)
_MINUTE = _Field("minute", 0, 59)
_HOUR = _Field("hour", 0, 23)
_DOM = _Field("day-of-month", 1, 31)
_MONTH = _Field("month", 1, 12, _MONTH_NAMES)
_DOW = _Field("day-of-week", 0, 6, _DOW_NAMES)


@dataclass(frozen=True)
class CronSchedule:
    """A parsed cron expression (robfig/cron v3 semantics).

    `seconds` is `frozenset({0})` for 5-field expressions and macros. `dom_star`/`dow_star`
    record whether day-of-month/day-of-week were unrestricted (`*` or `?`): when both are
    restricted, a day matches if *either* matches (robfig/Kubernetes semantics).
    `expression` is the normalised text (stripped, one space between fields, or the macro);
    `fields` the field texts as written (6 with a seconds field, else 5; empty for a macro).
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
    warnings: tuple[str, ...] = ()  # e.g. "minute field: '*/90' has a step larger than the field's range …"
    fields: tuple[str, ...] = ()

    def cronjob_expression(self) -> str | None:
        """The equivalent 5-field expression for a CronJob, or None when seconds ≠ {0}.

        A macro stays a macro (the CronJob API accepts them); a 6-field expression whose
        seconds are exactly {0} loses its seconds field.
        """
        if self.seconds != frozenset({0}):
            return None
        if not self.fields:
            return self.expression
        return " ".join(self.fields[-5:])



def show(token: str, limit: int = 40) -> str:
    """`token` quoted for a message, cut short so a huge input gives a short error."""
    if len(token) > limit:
        token = token[: limit - 1] + "…"
    return f"'{token}'"


def parse(expression: str) -> CronSchedule:
    """Parse a 5-field, 6-field (seconds first) or macro expression; raise CronSyntaxError."""
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise CronSyntaxError(
            f"schedule is {len(expression)} characters long; at most {MAX_EXPRESSION_LENGTH} are allowed"
        )
    text = expression.strip()
    if not text:
        raise CronSyntaxError("schedule is empty")
    prefix = _ZONE_PREFIX.match(text)
    if prefix:
        raise _zone_prefix_error(prefix.group(0))
    if text.startswith("@"):
        return _parse_macro(text)
    tokens = text.split()
    if len(tokens) not in (5, 6):
        raise CronSyntaxError(
            "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), "
            f"found {len(tokens)} in {show(text)}"
        )
    if len(tokens) == 5:
        return _parse_fields(" ".join(tokens), ("0", *tokens), tuple(tokens))
    return _parse_fields(" ".join(tokens), tuple(tokens), tuple(tokens))


def _parse_macro(text: str) -> CronSchedule:
    word = text.split()[0]
    if word.lower() == "@every":
        rest = text[len(word) :].strip()
        hint = f"; use interval: {rest}" if rest and len(rest) <= 40 else "; use interval"
        raise CronSyntaxError(f"{show(text)}: '@every' is not supported in schedule{hint}")
    if word not in MACROS:
        known = ", ".join(MACROS)
        raise CronSyntaxError(f"unknown macro {show(word)}; the macros are (lowercase) {known}")
    if word != text:
        raise CronSyntaxError(f"macro {show(word)} takes no fields, found {show(text)}")
    expansion = MACROS[word].split()
    return _parse_fields(word, ("0", *expansion), ())


def _parse_fields(expression: str, six: tuple[str, ...], written: tuple[str, ...]) -> CronSchedule:
    warnings: list[str] = []
    specs = (_SECOND, _MINUTE, _HOUR, _DOM, _MONTH, _DOW)
    sets: list[frozenset[int]] = []
    stars: list[bool] = []
    for text, spec in zip(six, specs):
        values, star = _parse_field(text, spec, warnings)
        sets.append(values)
        stars.append(star)
    parsed = CronSchedule(
        expression=expression,
        has_seconds_field=len(written) == 6,
        fields=written,
        seconds=sets[0],
        minutes=sets[1],
        hours=sets[2],
        days_of_month=sets[3],
        months=sets[4],
        days_of_week=sets[5],
        dom_star=stars[3],
        dow_star=stars[5],
        warnings=tuple(warnings),
    )
    _check_can_fire(parsed)
    return parsed


def _parse_field(text: str, spec: _Field, warnings: list[str]) -> tuple[frozenset[int], bool]:
    values: set[int] = set()
    star = False
    for element in text.split(","):
        if not element:
            raise CronSyntaxError(f"{spec.name} field {show(text)}: empty element in the list")
        element_values, element_star = _parse_element(element, spec, warnings)
        values.update(element_values)
        star = star or element_star
    return frozenset(values), star


def _parse_element(element: str, spec: _Field, warnings: list[str]) -> tuple[range, bool]:
    """One list element: `*`, `?`, `N` or `N-M`, optionally `/step` (robfig's getRange)."""
    _refuse_extensions(element, spec)
    base, slash, step_text = element.partition("/")
    if "/" in step_text:
        raise CronSyntaxError(f"{spec.name} field: too many '/' in {show(element)}")
    star = base in ("*", "?")
    if star:
        low, high = spec.low, spec.high
    else:
        low_text, dash, high_text = base.partition("-")
        if "-" in high_text:
            raise CronSyntaxError(f"{spec.name} field: too many '-' in {show(element)}")
        low = _value(low_text, element, spec)
        high = _value(high_text, element, spec) if dash else low
        if slash and not dash:
            high = spec.high  # robfig: "N/step" means "N-max/step"
    step = 1
    if slash:
        if not (step_text.isascii() and step_text.isdigit()):
            raise CronSyntaxError(f"{spec.name} field: step in {show(element)} is not a whole number")
        step = int(step_text)
        if step == 0:
            raise CronSyntaxError(f"{spec.name} field: step in {show(element)} must be positive")
        if step > 1:
            star = False  # robfig sets its star bit only for an unstepped (or /1) * or ?
    for value in (low, high):
        if not spec.low <= value <= spec.high:
            hint = " (Sunday is 0)" if spec is _DOW and value == 7 else ""
            raise CronSyntaxError(
                f"{spec.name} field: {value} in {show(element)} is out of range {spec.low}-{spec.high}{hint}"
            )
    if low > high:
        raise CronSyntaxError(f"{spec.name} field: range {show(element)} starts after it ends")
    if step > 1 and high > low and step > high - low:
        warnings.append(
            f"{spec.name} field: {show(element)} has a step larger than the field's range "
            f"({low}-{high}), so it matches only {low}"
        )
    return range(low, high + 1, step), star


def _value(text: str, element: str, spec: _Field) -> int:
    if text.isascii() and text.isdigit():  # str.isdigit alone would take "٣"; int() would take "1_0"
        return int(text)  # at most MAX_EXPRESSION_LENGTH digits: far below int()'s limit
    lowered = text.lower()
    if lowered in spec.names:
        return spec.low + spec.names.index(lowered)
    if spec.names:
        example = "JAN" if spec is _MONTH else "MON"
        raise CronSyntaxError(
            f"{spec.name} field: {show(text)} in {show(element)} is neither a number nor a name like {example}"
        )
    raise CronSyntaxError(f"{spec.name} field: {show(text)} in {show(element)} is not a number")


def _refuse_extensions(element: str, spec: _Field) -> None:
    """Name the Quartz/Vixie extensions that robfig and the CronJob API refuse."""
    if "#" in element:
        raise CronSyntaxError(
            f"{spec.name} field: token {show(element)} uses '#', which neither the CronJob API "
            "nor robfig/cron supports"
        )
    if _QUARTZ_L_W.fullmatch(element):
        letter = "L" if "L" in element.upper() else "W"
        raise CronSyntaxError(
            f"{spec.name} field: token {show(element)} uses '{letter}', which neither the CronJob API "
            "nor robfig/cron supports"
        )
    prefix = _ZONE_PREFIX.search(element)
    if prefix:
        raise _zone_prefix_error(prefix.group(0))


def _zone_prefix_error(prefix: str) -> CronSyntaxError:
    return CronSyntaxError(
        f"time zone prefix {show(prefix)} is not supported in schedule: use the timeZone field"
    )


def _check_can_fire(parsed: CronSchedule) -> None:
    """Refuse schedules whose day fields match no calendar day at all.

    Only "day-of-month restricted, day-of-week `*`" can be empty: every month has every
    weekday, and with both restricted the day-of-week alternative (OR) always matches some day.
    February counts as having a 29th (leap years exist; robfig finds it within its 5 years).
    """
    if parsed.dom_star or not parsed.dow_star:
        return
    first_day = min(parsed.days_of_month)
    if any(first_day <= _MAX_DAYS[month - 1] for month in parsed.months):
        return
    months = ", ".join(_MONTH_NAMES[m - 1].capitalize() for m in sorted(parsed.months))
    days = ",".join(str(d) for d in sorted(parsed.days_of_month))
    raise CronSyntaxError(
        f"schedule {show(parsed.expression)} can never fire: day-of-month {days} "
        f"does not occur in {months}"
    )
