"""schedule.py gives robfig/cron's instants: the shared vectors, also proven by the Go test.

`tests/vectors/schedule.json` is checked against robfig/cron v3.0.1 itself by
`runner/internal/vectors` (`go test ./internal/vectors/`, `-update` regenerates it). Here the
same file is replayed through schedule.py, and the values of shared/cases are checked by
hand, so a regenerated file cannot silently change what the cases say.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from periodic_operator.schedule import next_fire_times, parse_cron

VECTORS_PATH = Path(__file__).resolve().parents[1] / "vectors" / "schedule.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text())


def _utc(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fires(expression: str, zone: str, start: str, count: int) -> list[str]:
    found = next_fire_times(parse_cron(expression), ZoneInfo(zone), datetime.fromisoformat(start), count)
    return [_utc(instant) for instant in found]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    exhausted = bool(vector.get("exhausted"))
    count = len(vector["next"]) + (1 if exhausted else 0)  # an exhausted vector asks for one more
    assert _fires(vector["expression"], vector["zone"], vector["start"], count) == vector["next"]


def test_vectors_cover_the_brief() -> None:
    ids = [v["id"] for v in VECTORS]
    zones = {v["zone"] for v in VECTORS}
    assert len(ids) == len(set(ids)) and len(ids) >= 60
    assert {"UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata",
            "Australia/Lord_Howe"} <= zones
    assert any(len(v["expression"].split()) == 6 for v in VECTORS)
    assert any(v["expression"].startswith("@") for v in VECTORS)
    assert any("?" in v["expression"] for v in VECTORS)


def _vector(vector_id: str) -> dict[str, Any]:
    return next(v for v in VECTORS if v["id"] == vector_id)


# The values shared/cases/README.md states, typed in by hand (UTC).
CASES = [
    ("C01-dom-range-or-dow", "c01-dom-range-or-dow", "0 9 1-7 * 1", "2024-07-01T00:00:00Z",
     ["2024-07-01T09:00:00Z", "2024-07-02T09:00:00Z", "2024-07-03T09:00:00Z", "2024-07-04T09:00:00Z",
      "2024-07-05T09:00:00Z", "2024-07-06T09:00:00Z", "2024-07-07T09:00:00Z", "2024-07-08T09:00:00Z",
      "2024-07-15T09:00:00Z", "2024-07-22T09:00:00Z", "2024-07-29T09:00:00Z", "2024-08-01T09:00:00Z"]),
    ("C01-step-is-restricted", "c01-dom-step-or-dow", "0 0 */2 * 1", "2024-07-01T00:00:00Z",
     ["2024-07-03T00:00:00Z", "2024-07-05T00:00:00Z", "2024-07-07T00:00:00Z", "2024-07-08T00:00:00Z",
      "2024-07-09T00:00:00Z", "2024-07-11T00:00:00Z"]),
    ("C03-leap-day", "c03-leap-day", "0 0 29 2 *", "2025-01-01T00:00:00Z",
     ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]),
    ("C04-six-fields-daily-10", "c04-six-fields-daily-10", "0 0 10 * * *", "2024-07-01T00:00:00Z",
     ["2024-07-01T10:00:00Z", "2024-07-02T10:00:00Z", "2024-07-03T10:00:00Z"]),
    ("C05-step-7-across-hour", "c05-step-7-across-hour", "*/7 * * * *", "2024-01-01T00:50:00Z",
     ["2024-01-01T00:56:00Z", "2024-01-01T01:00:00Z", "2024-01-01T01:07:00Z", "2024-01-01T01:14:00Z"]),
]


@pytest.mark.parametrize(("vector_id", "expression", "start", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_case_values_by_hand(vector_id: str, expression: str, start: str, expected: list[str]) -> None:
    assert _fires(expression, "UTC", start, len(expected)) == expected
    vector = _vector(vector_id)
    assert (vector["expression"], vector["zone"], vector["start"]) == (expression, "UTC", start)
    assert vector["next"] == expected
