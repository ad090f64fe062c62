"""When a ticker's run annotations on its Lease reach the task's status (pure).

The runner writes four annotations on its Lease (runner/README.md, "Lease protocol"): the
slot it started, and at the run's end the success or failure time and the result. The
operator copies them into `status` (lastScheduleTime, lastSuccessfulTime, lastFailureTime)
— at most every `MIRROR_INTERVAL` for short periods, where a status write per run would be
a write every second; once per run (when its result lands) for periods of a minute or more,
so `kubectl get pt` shows a run's outcome as soon as it has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

SLOT_NOTE = "periodic.dev/last-slot"
RESULT_NOTES = ("periodic.dev/last-success", "periodic.dev/last-failure", "periodic.dev/last-result")
RUN_NOTES = (SLOT_NOTE, *RESULT_NOTES)

MIRROR_INTERVAL = 30.0
"""Seconds between two mirrorings of a task with a period under `ONCE_PER_RUN_PERIOD`."""
ONCE_PER_RUN_PERIOD = timedelta(minutes=1)
RESULT_GAP = 5.0
"""Even once per run: retries failing in quick succession are one write per this many seconds."""


def _changed(old: Mapping[str, str], new: Mapping[str, str], keys: tuple[str, ...]) -> bool:
    return any(old.get(k) != new.get(k) for k in keys)


def mirror_delay(old: Mapping[str, str], new: Mapping[str, str], period: timedelta | None,
                 since_last: float | None) -> float | None:
    """Seconds to wait before mirroring a Lease change into status; None: nothing to mirror.

    `old`/`new` are the Lease's annotations before and after the change, `period` the task's
    shortest period (None when unknown: treated as short), `since_last` the seconds since
    this task's status was last written from a reconcile (None: never). A delay above 0 is a
    trailing call: the change is mirrored then, with whatever the Lease says by that time.
    """
    if not _changed(old, new, RUN_NOTES):
        return None  # a plain renewal or a holder change: nothing for status
    elapsed = float("inf") if since_last is None else since_last
    if period is not None and period >= ONCE_PER_RUN_PERIOD:
        if _changed(old, new, RESULT_NOTES):
            return max(0.0, RESULT_GAP - elapsed)
        # Only a run's start: its result will be mirrored at once when it lands; a run that
        # is still going after the interval gets its lastScheduleTime shown then.
        return MIRROR_INTERVAL
    return max(0.0, MIRROR_INTERVAL - elapsed)
