from __future__ import annotations

from datetime import timedelta

import pytest

from periodic_operator.mirroring import MIRROR_INTERVAL, RESULT_GAP, mirror_delay

SLOT = "periodic.dev/last-slot"
SUCCESS = "periodic.dev/last-success"
FAILURE = "periodic.dev/last-failure"
RESULT = "periodic.dev/last-result"
T0 = "2026-12-03T10:00:00Z"
T1 = "2026-12-03T10:01:00Z"
BEFORE = {SLOT: T0, SUCCESS: "2026-12-03T10:00:00.8Z", RESULT: "success", "other": "x"}
STARTED = {**BEFORE, SLOT: T1}
SUCCEEDED = {**STARTED, SUCCESS: "2026-12-03T10:01:00.8Z"}
FAILED = {**STARTED, FAILURE: "2026-12-03T10:01:00.9Z", RESULT: "failure"}
SECOND, MINUTE, HOUR = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1)


@pytest.mark.parametrize(("old", "new", "period", "since_last", "expected"), [
    # Nothing a run wrote changed (a renewal, a new holder, someone else's annotation).
    (BEFORE, BEFORE, SECOND, 100.0, None),
    (BEFORE, {**BEFORE, "other": "y"}, MINUTE, None, None),
    ({}, {}, None, None, None),
    # Short periods: at most every 30 s, the rest as a trailing call.
    (BEFORE, STARTED, SECOND, None, 0.0),
    (BEFORE, STARTED, SECOND, 31.0, 0.0),
    (BEFORE, SUCCEEDED, SECOND, 10.0, MIRROR_INTERVAL - 10.0),
    (BEFORE, FAILED, 59 * SECOND, 0.0, MIRROR_INTERVAL),
    (BEFORE, SUCCEEDED, None, 12.5, MIRROR_INTERVAL - 12.5),  # period unknown: short
    # A minute or more: a run's result at once (once per run) ...
    (STARTED, SUCCEEDED, MINUTE, 0.9, RESULT_GAP - 0.9),
    (STARTED, SUCCEEDED, MINUTE, 60.0, 0.0),
    (STARTED, FAILED, HOUR, 30.0, 0.0),
    (BEFORE, SUCCEEDED, HOUR, None, 0.0),
    # ... but retries failing back to back within a few seconds are one write per RESULT_GAP.
    (FAILED, {**FAILED, FAILURE: "2026-12-03T10:01:01.9Z"}, MINUTE, 1.0, RESULT_GAP - 1.0),
    # ... and a start alone waits: its run's result usually comes first and covers it.
    (BEFORE, STARTED, MINUTE, 120.0, MIRROR_INTERVAL),
    (BEFORE, STARTED, 24 * HOUR, None, MIRROR_INTERVAL),
    # An annotation removed counts as a change (a Lease re-created by hand).
    (BEFORE, {}, HOUR, 100.0, 0.0),
])
def test_mirror_delay(old: dict[str, str], new: dict[str, str], period: timedelta | None,
                      since_last: float | None, expected: float | None) -> None:
    assert mirror_delay(old, new, period, since_last) == expected
