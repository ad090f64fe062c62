"""Go `time.Duration` text, both ways, in integer nanoseconds; private to `schedule`.

Parsing follows Go's `time.ParseDuration` grammar (`[0-9]*(\\.[0-9]*)?unit`, repeated; units
ns us µs μs ms s m h; "0" alone needs no unit) including its float arithmetic for fractions,
so `1.1h` gives the nanoseconds the runner will see. Formatting follows `Duration.String()`.
"""

from __future__ import annotations

_NANOS_PER_UNIT = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # µ MICRO SIGN
    "\u03bcs": 1_000,  # μ GREEK SMALL LETTER MU
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
MAX_NANOS = (1 << 63) - 1
"""Go's largest Duration (about 292 years)."""

MAX_TEXT_LENGTH = 100
"""Longest duration text read; keeps int() on digit runs cheap and errors short."""
_EXAMPLES = "e.g. 500ms, 5s, 1m30s, 2h"


class DurationSyntaxError(ValueError):
    """The text is not a non-negative Go duration; the message quotes it."""


def parse_nanos(text: str) -> int:
    """Parse a Go duration into nanoseconds; negatives, empty text and junk are refused."""
    quoted = _quote(text)
    if len(text) > MAX_TEXT_LENGTH:
        raise DurationSyntaxError(f"duration {quoted} is {len(text)} characters long; at most {MAX_TEXT_LENGTH}")
    rest = text
    if rest[:1] == "-":
        raise DurationSyntaxError(f"duration {quoted} is negative")
    if rest[:1] == "+":
        rest = rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise DurationSyntaxError(f"duration {quoted} is empty ({_EXAMPLES})")
    total = 0
    while rest:
        value, rest = _component(rest, quoted)
        total += value
        if total > MAX_NANOS:
            raise DurationSyntaxError(f"duration {quoted} is longer than Go's maximum (about 292 years)")
    return total


def _component(text: str, quoted: str) -> tuple[int, str]:
    """One `[0-9]*(.[0-9]*)?unit` from the front of `text`: (nanoseconds, the rest)."""
    if not (text[0] == "." or "0" <= text[0] <= "9"):
        raise DurationSyntaxError(f"duration {quoted} is not a Go duration ({_EXAMPLES})")
    whole, text, whole_digits = _digits(text)
    if whole > 1 << 63:
        raise DurationSyntaxError(f"duration {quoted} is longer than Go's maximum (about 292 years)")
    fraction, scale, fraction_digits = 0, 1.0, 0
    if text[:1] == ".":
        fraction, scale, fraction_digits, text = _fraction(text[1:])
    if whole_digits == 0 and fraction_digits == 0:
        raise DurationSyntaxError(f"duration {quoted} has a unit without digits ({_EXAMPLES})")
    end = 0
    while end < len(text) and not (text[end] == "." or "0" <= text[end] <= "9"):
        end += 1
    unit, text = text[:end], text[end:]
    if not unit:
        raise DurationSyntaxError(f"duration {quoted} is missing a unit ({_EXAMPLES})")
    if unit not in _NANOS_PER_UNIT:
        raise DurationSyntaxError(f"duration {quoted} has an unknown unit {_quote(unit)} (ns us ms s m h)")
    per_unit = _NANOS_PER_UNIT[unit]
    if whole > (1 << 63) // per_unit:
        raise DurationSyntaxError(f"duration {quoted} is longer than Go's maximum (about 292 years)")
    value = whole * per_unit
    if fraction > 0:
        value += int(float(fraction) * (float(per_unit) / scale))  # Go's float64 arithmetic
    return value, text


def _digits(text: str) -> tuple[int, str, int]:
    end = 0
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return (int(text[:end]) if end else 0), text[end:], end


def _fraction(text: str) -> tuple[int, float, int, str]:
    """Go's leadingFraction: digits after the point; precision stops where uint64 would overflow."""
    value, scale, end, overflow = 0, 1.0, 0, False
    while end < len(text) and "0" <= text[end] <= "9":
        if not overflow:
            candidate = value * 10 + int(text[end])
            if value > ((1 << 63) - 1) // 10 or candidate > 1 << 63:
                overflow = True
            else:
                value, scale = candidate, scale * 10
        end += 1
    return value, scale, end, text[end:]


def format_nanos(nanos: int) -> str:
    """Go's Duration.String(): `1h0m0s`, `1m30s`, `1.5s`, `500ms`, `1.5µs`, `0s`."""
    sign = "-" if nanos < 0 else ""
    u = abs(nanos)
    if u == 0:
        return "0s"
    if u < 1_000:
        return f"{sign}{u}ns"
    if u < 1_000_000:
        return f"{sign}{_with_fraction(u, 3)}\u00b5s"
    if u < 1_000_000_000:
        return f"{sign}{_with_fraction(u, 6)}ms"
    seconds, nanos_part = divmod(u, 1_000_000_000)
    text = _with_fraction(nanos_part, 9, whole=seconds % 60) + "s"
    minutes = seconds // 60
    if minutes:
        text = f"{minutes % 60}m{text}"
        if minutes // 60:
            text = f"{minutes // 60}h{text}"
    return sign + text


def _with_fraction(value: int, digits: int, whole: int | None = None) -> str:
    """`whole.fraction` with the fraction's trailing zeros (and a bare point) dropped."""
    if whole is None:
        whole, value = divmod(value, 10**digits)
    fraction = f"{value:0{digits}d}".rstrip("0")
    return f"{whole}.{fraction}" if fraction else str(whole)


def _quote(text: str, limit: int = 40) -> str:
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"
