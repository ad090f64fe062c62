"""One reconcile of one PeriodicTask: read → plan → compare with the live children → apply
only what differs → report. No kopf here: the kopf glue is in `handlers.py`, and tests call
`reconcile` with an in-memory `Kube` and `ChildCache`.

Writes happen only when something differs: a child is applied when the live copy (as a
watch showed it) disagrees on a field we manage; `/status` is patched when the new status
differs; an Event is posted when the decision changes (Normal) or a spec is refused
(Warning, once per distinct refusal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import drift, status
from .kube import Kube, Manifest, Ref, Rejected
from .plan import TaskPlan, plan_task
from .settings import Settings
from .spec import API_VERSION, KIND
from .status import ChildRef, Readiness, RunTimes

WORKLOAD_KINDS = (("batch/v1", "CronJob"), ("apps/v1", "Deployment"))
TICKER_SUPPORT = (("v1", "ServiceAccount"), ("rbac.authorization.k8s.io/v1", "Role"),
                  ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("coordination.k8s.io/v1", "Lease"))


class ChildCache:
    """The latest copy of each child a watch has shown (keyed by Ref); misses fall back to GET."""

    def __init__(self) -> None:
        self._objects: dict[Ref, Manifest | None] = {}  # None: known not to exist

    def put(self, obj: Manifest) -> None:
        self._objects[Ref.of(obj)] = obj

    def remove(self, obj: Manifest) -> None:
        # Forget rather than remember the absence: deleted Jobs would pile up as tombstones.
        self._objects.pop(Ref.of(obj), None)

    def mark_absent(self, ref: Ref) -> None:
        self._objects[ref] = None

    def get(self, ref: Ref) -> Manifest | None:
        return self._objects.get(ref)

    def known(self, ref: Ref) -> bool:
        return ref in self._objects

    def values(self) -> Iterable[Manifest]:
        return [obj for obj in self._objects.values() if obj is not None]


@dataclass(frozen=True)
class Result:
    """What one reconcile did; `retry_after` (seconds) asks the caller to come back."""

    plan: TaskPlan
    applied: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    status_written: bool = False
    retry_after: float | None = None
    rejected: str | None = None
    task_after: Manifest | None = None  # the task as the status patch returned it


def live(kube: Kube, cache: ChildCache, ref: Ref) -> Manifest | None:
    if cache.known(ref):
        return cache.get(ref)
    found = kube.get(ref)
    if found is None:
        cache.mark_absent(ref)
    else:
        cache.put(found)
    return found


def _controller(obj: Manifest) -> dict[str, Any] | None:
    for ref in obj.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def controller_uid(obj: Manifest) -> str | None:
    ref = _controller(obj)
    return str(ref.get("uid")) if ref is not None else None


def _owned(kube: Kube, cache: ChildCache, task: Manifest, api_version: str, kind: str,
           name: str) -> Manifest | None:
    """The live object of that kind and name in the task's namespace, if this task controls it."""
    meta = task["metadata"]
    found = live(kube, cache, Ref(api_version, kind, meta["namespace"], name))
    return found if found is not None and controller_uid(found) == meta.get("uid") else None


def reconcile(task: Manifest, kube: Kube, cache: ChildCache, settings: Settings,
              now: datetime, retry: int = 0) -> Result:
    meta = task["metadata"]
    plan = plan_task(task, settings, now, owner_uid=meta.get("uid", ""))
    previous = task.get("status") or {}
    if not plan.valid:
        return _refused(kube, cache, task, plan, previous, now)
    assert plan.child is not None
    stale = _other_workload(kube, cache, task, plan)
    if stale is not None:
        return _replace(kube, cache, task, plan, stale, previous, now)
    applied: list[str] = []
    for child in plan.children:
        ref = Ref.of(child)
        current = live(kube, cache, ref)
        owner = controller_uid(current) if current is not None else None
        if current is not None and owner != meta.get("uid"):
            ready = status.name_collision(ChildRef(ref.kind, ref.name), _owner_text(current))
            # The other object carries none of our labels, so no watch tells us when it goes:
            # come back (capped at a minute) instead.
            return _result(plan, kube, task, ready, previous, now, retry_after=min(backoff(retry), 60.0))
        if current is not None and drift.matches(child, current):
            continue
        try:
            cache.put(kube.apply(child))
        except Rejected as err:
            ready = status.child_rejected(ChildRef(ref.kind, ref.name), err.message)
            before = _condition(previous, "Ready")
            if (before.get("reason"), before.get("message")) != (ready.reason, ready.message):
                kube.post_event(task, "Warning", "ChildRejected", ready.message)
            return _result(plan, kube, task, ready, previous, now, applied=tuple(applied),
                           retry_after=backoff(retry), rejected=err.message)
        applied.append(f"{ref.kind}/{ref.name}")
    deleted = _remove_leftover_support(kube, cache, task, plan)
    ready = _readiness(plan, live(kube, cache, Ref.of(plan.children[-1])), bool(task.get("spec", {}).get("suspend")))
    return _result(plan, kube, task, ready, previous, now, applied=tuple(applied), deleted=deleted,
                   runs=_run_times(cache, plan, task["metadata"]["namespace"]))


def _result(plan: TaskPlan, kube: Kube, task: Manifest, ready: Readiness, previous: dict[str, Any],
            now: datetime, *, applied: tuple[str, ...] = (), deleted: tuple[str, ...] = (),
            runs: RunTimes | None = None, retry_after: float | None = None, rejected: str | None = None,
            child: ChildRef | None = None) -> Result:
    after = _write(kube, task, plan, ready, previous, now, runs=runs, child=child)
    return Result(plan, applied, deleted, after is not None, retry_after, rejected, after)


def _refused(kube: Kube, cache: ChildCache, task: Manifest, plan: TaskPlan, previous: dict[str, Any],
             now: datetime) -> Result:
    """An invalid spec creates nothing; a workload from the last valid spec keeps running
    (a typo must not stop a production job) and the status says so."""
    name = (previous.get("child") or {}).get("name") or task["metadata"].get("name", "")
    for api_version, kind in WORKLOAD_KINDS:
        if name and _owned(kube, cache, task, api_version, kind, name) is not None:
            ready = Readiness(False, "InvalidSpec", f"{kind} {name} keeps running the last valid spec; "
                              f"this one is refused: {plan.reason}")
            return _result(plan, kube, task, ready, previous, now, child=ChildRef(kind, name))
    return _result(plan, kube, task, status.readiness(plan.outcome, None, applied=False), previous, now)


def _owner_text(obj: Manifest) -> str:
    ref = _controller(obj)
    return f"{ref.get('kind')} {ref.get('name')}" if ref is not None else "nobody (no controller ownerReference)"


def _condition(st: dict[str, Any], kind: str) -> dict[str, Any]:
    for cond in st.get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == kind:
            return cond
    return {}


def backoff(retry: int) -> float:
    """Capped exponential backoff for a refused child: 10s, 20s, 40s … at most 5 minutes."""
    return float(min(300, 10 * 2 ** min(retry, 5)))


def _other_workload(kube: Kube, cache: ChildCache, task: Manifest, plan: TaskPlan) -> Manifest | None:
    """A workload of the *other* mode that this task owns (left from before a mode change)."""
    assert plan.child is not None
    for api_version, kind in WORKLOAD_KINDS:
        found = None if kind == plan.child.kind else _owned(kube, cache, task, api_version, kind, plan.child.name)
        if found is not None:
            return found
    return None


def _replace(kube: Kube, cache: ChildCache, task: Manifest, plan: TaskPlan, old: Manifest,
             previous: dict[str, Any], now: datetime) -> Result:
    """Mode change: foreground-delete the old workload; the new one waits until it is gone
    (its DELETED event brings us back), so both never run at once."""
    ref = Ref.of(old)
    deleted: tuple[str, ...] = ()
    if not old.get("metadata", {}).get("deletionTimestamp"):
        kube.delete(ref, foreground=True)
        deleted = (f"{ref.kind}/{ref.name}",)
    assert plan.child is not None
    ready = status.replacing(ChildRef(ref.kind, ref.name), plan.child.kind)
    return _result(plan, kube, task, ready, previous, now, deleted=deleted, retry_after=5.0)


def _remove_leftover_support(kube: Kube, cache: ChildCache, task: Manifest, plan: TaskPlan) -> tuple[str, ...]:
    """After a Ticker → CronJob change, the ticker's Lease and RBAC have no use: delete them."""
    if plan.mode != "CronJob" or plan.child is None:
        return ()
    gone = []
    for api_version, kind in TICKER_SUPPORT:
        found = _owned(kube, cache, task, api_version, kind, plan.child.name)
        if found is not None:
            kube.delete(Ref.of(found), foreground=False)
            cache.remove(found)
            gone.append(f"{kind}/{plan.child.name}")
    return tuple(gone)


def _readiness(plan: TaskPlan, workload: Manifest | None, suspended: bool) -> Readiness:
    available = False
    if workload is not None and plan.mode == "Ticker":
        st = workload.get("status") or {}
        fresh = st.get("observedGeneration", 0) >= workload.get("metadata", {}).get("generation", 0)
        available = fresh and any(c.get("type") == "Available" and c.get("status") == "True"
                                  for c in st.get("conditions") or [])
    return status.readiness(plan.outcome, plan.child, applied=workload is not None,
                            available=available, suspended=suspended)


def _run_times(cache: ChildCache, plan: TaskPlan, namespace: str) -> RunTimes:
    assert plan.child is not None
    if plan.mode == "CronJob":
        st = (cache.get(Ref.of(plan.children[-1])) or {}).get("status") or {}
        return RunTimes(_time(st.get("lastScheduleTime")), _time(st.get("lastSuccessfulTime")),
                        _last_job_failure(cache, plan.child.name))
    lease = cache.get(Ref("coordination.k8s.io/v1", "Lease", namespace, plan.child.name)) or {}
    notes = lease.get("metadata", {}).get("annotations") or {}
    return RunTimes(_time(notes.get("periodic.dev/last-slot")), _time(notes.get("periodic.dev/last-success")),
                    _time(notes.get("periodic.dev/last-failure")))


def _last_job_failure(cache: ChildCache, cronjob_name: str) -> datetime | None:
    times = []
    for obj in cache.values():
        if obj.get("kind") != "Job":
            continue
        owners = obj.get("metadata", {}).get("ownerReferences") or []
        if not any(o.get("kind") == "CronJob" and o.get("name") == cronjob_name for o in owners):
            continue
        for cond in (obj.get("status") or {}).get("conditions") or []:
            if cond.get("type") == "Failed" and cond.get("status") == "True":
                parsed = _time(cond.get("lastTransitionTime"))
                if parsed is not None:
                    times.append(parsed)
    return max(times) if times else None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _write(kube: Kube, task: Manifest, plan: TaskPlan, ready: Readiness, previous: dict[str, Any],
           now: datetime, runs: RunTimes | None = None, child: ChildRef | None = None) -> Manifest | None:
    new = status.build_status(plan.outcome, generation=task["metadata"].get("generation", 0), now=now,
                              ready=ready, child=child or plan.child, runs=runs,
                              suspended=bool(task.get("spec", {}).get("suspend")), previous=previous)
    return _report(kube, task, plan, new, previous)


def _report(kube: Kube, task: Manifest, plan: TaskPlan, new: dict[str, Any],
            previous: dict[str, Any]) -> Manifest | None:
    """Patch /status if it changed (returning the patched task); post an Event when the
    decision changed or a refusal is new — judged against `previous`, so the caller must
    pass the newest status it has seen (handlers keep the patched task for the next call)."""
    if plan.valid and status.decision_changed(previous, plan.outcome):
        kube.post_event(task, "Normal", plan.decision, f"runs as {plan.mode}: {plan.reason}")
    if not plan.valid and (previous.get("decision"), previous.get("reason")) != (plan.decision, plan.reason):
        kube.post_event(task, "Warning", plan.decision, plan.reason)
    patch = status.status_patch(previous, new)
    if patch is None:
        return None
    meta = task["metadata"]
    return kube.patch_status(Ref(API_VERSION, KIND, meta["namespace"], meta["name"]), {"status": patch})

