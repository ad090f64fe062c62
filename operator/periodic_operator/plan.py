"""The pure pipeline shared by `periodic-operator plan` and the operator's reconcile:
one PeriodicTask object → parse → decide → render → a `TaskPlan`.

`plan_task` reads no clock, file or environment: `now`, the settings and the owner UID are
arguments. What `plan` prints is what the operator applies (`TaskPlan.children`), except
the ownerReference UIDs, which a manifest file does not have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from . import render, status
from .decide import Decision, Timing, Warning, WorkloadMode, decide, from_spec_error
from .schedule import load_zone, next_fire_times, next_interval_slots
from .settings import Settings
from .spec import KIND, SpecError, Task, parse_task
from .status import ChildRef, format_time

API_GROUP = "periodic.dev"
NEXT_RUN_COUNT = 5


@dataclass(frozen=True)
class TaskPlan:
    """Everything the operator would do for one task, decided but not done.

    `decision` is the rule id (or a refusal id such as `InvalidSpec`, `InvalidResources`);
    `warnings` those of decide and of render; `next_run_times` the next five slots in UTC,
    None when unknowable (FixedDelay, suspended, invalid); `children` the manifests in
    apply order (empty when invalid). `outcome` is the Decision with render's refusal or
    warnings folded in, and `child` the workload, for `status.build_status`; `status` is
    the status right after a first apply (Ready=False, Applying)."""

    namespace: str
    name: str
    valid: bool
    mode: WorkloadMode | None
    decision: str
    reason: str
    warnings: tuple[Warning, ...]
    next_run_times: tuple[datetime, ...] | None
    children: tuple[render.Manifest, ...]
    status: dict[str, Any]
    outcome: Decision
    child: ChildRef | None

    def to_line(self) -> dict[str, Any]:
        """The JSON object `plan` prints (DESIGN "plan"), keys in the documented order."""
        return {
            "namespace": self.namespace,
            "name": self.name,
            "valid": self.valid,
            "mode": self.mode,
            "decision": self.decision,
            "reason": self.reason,
            "warnings": [{"reason": w.reason, "message": w.message} for w in self.warnings],
            "nextRunTimes": (None if self.next_run_times is None
                             else [format_time(t) for t in self.next_run_times]),
            "children": list(self.children),
        }


def is_periodic_task(document: object) -> bool:
    """Whether a manifest document is a PeriodicTask of our group, at any version: a version
    other than v1alpha1 is planned (and refused by `parse_task`), never silently skipped."""
    if not isinstance(document, Mapping) or document.get("kind") != KIND:
        return False
    api_version = document.get("apiVersion")
    return isinstance(api_version, str) and api_version.split("/")[0] == API_GROUP


def identity(obj: Mapping[str, Any], default_namespace: str) -> tuple[str, str]:
    """(namespace, name) as far as a possibly malformed object tells them."""
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    namespace, name = metadata.get("namespace"), metadata.get("name")
    return (namespace if isinstance(namespace, str) and namespace else default_namespace,
            name if isinstance(name, str) else "")


def _generation(obj: Mapping[str, Any]) -> int:
    metadata = obj.get("metadata")
    value = metadata.get("generation") if isinstance(metadata, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def merge_warnings(first: Iterable[Warning], second: Iterable[Warning]) -> tuple[Warning, ...]:
    """`first` then the items of `second` whose reason `first` does not already have
    (decide and render both notice an overridden restartPolicy)."""
    kept = list(first)
    seen = {w.reason for w in kept}
    return (*kept, *(w for w in second if w.reason not in seen))


def plan_task(obj: Mapping[str, Any], settings: Settings, now: datetime, *,
              default_namespace: str = "default", owner_uid: str | None = None) -> TaskPlan:
    """Plan one PeriodicTask object (as the API server or a manifest holds it).

    `now` must be timezone-aware; `owner_uid` overrides `metadata.uid` in ownerReferences.
    Refusals (parse, decide or render) come back as `valid=False` plans, never raised."""
    try:
        task = parse_task(obj, default_namespace)
    except SpecError as error:
        namespace, name = identity(obj, default_namespace)
        return _refused(namespace, name, from_spec_error(error), now, _generation(obj))
    if owner_uid is not None:
        task = task.model_copy(update={"uid": owner_uid})
    decision = decide(task, settings, now)
    if not decision.valid or decision.timing is None:
        return _refused(task.namespace, task.name, decision, now, task.generation)
    try:
        rendered = render.build(task, decision, settings)
    except render.RenderError as error:
        refused = Decision(valid=False, rule=error.rule, reason=error.message, field=error.field)
        return _refused(task.namespace, task.name, refused, now, task.generation)
    outcome = replace(decision, warnings=merge_warnings(decision.warnings, rendered.warnings))
    child = ChildRef(rendered.workload["kind"], rendered.workload["metadata"]["name"])
    ready = status.readiness(outcome, child, applied=False)
    return TaskPlan(
        task.namespace, task.name, True, outcome.mode, outcome.rule, outcome.reason,
        outcome.warnings, next_run_times(task, decision.timing, now), rendered.children,
        status.build_status(outcome, generation=task.generation, now=now, ready=ready,
                            child=child, suspended=task.spec.suspend),
        outcome, child)


def _refused(namespace: str, name: str, decision: Decision, now: datetime,
             generation: int) -> TaskPlan:
    ready = status.readiness(decision, None, applied=False)
    built = status.build_status(decision, generation=generation, now=now, ready=ready)
    return TaskPlan(namespace, name, False, None, decision.rule, decision.reason,
                    decision.warnings, None, (), built, decision, None)


def next_run_times(task: Task, timing: Timing, now: datetime,
                   count: int = NEXT_RUN_COUNT) -> tuple[datetime, ...] | None:
    """The next `count` slots strictly after `now`, shifted by the jitter offset
    (`Timing.offset`; the runner shifts cron fires too); None when suspended or FixedDelay
    (its slots depend on when runs end)."""
    if task.spec.suspend:
        return None
    if timing.interval is not None:
        if timing.interval.cadence == "FixedDelay":
            return None
        return tuple(next_interval_slots(timing.interval, now, count))  # offset included
    if timing.cron is None:
        return None
    fires = next_fire_times(timing.cron, load_zone(timing.zone_name), now - timing.offset, count)
    return tuple(fire + timing.offset for fire in fires)
