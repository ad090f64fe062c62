"""Rendering: a valid decision → the child manifests the operator applies (pure data).

    rendered = render.build(task, decision, settings)
    rendered.children   # apply order; the workload (CronJob or Deployment) is last
    rendered.warnings   # what rendering itself adds (fields of the template it overrode)

Children, in this order: CronJob mode → [CronJob]; Ticker mode → [ServiceAccount (only
when the template names none), Role, RoleBinding, Lease, Deployment]. Each child depends
only on those before it, so applying in order never starts a pod without its Lease.
A template the operator refuses raises `RenderError`, naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..decide import Decision, Warning
from ..settings import Settings
from ..spec import Task
from . import cronjob, ticker
from .common import Manifest, RenderError, child_name, labels, owner_reference

__all__ = ["Manifest", "RenderError", "Rendered", "build", "child_name", "labels",
           "owner_reference"]


@dataclass(frozen=True)
class Rendered:
    """The children of one task, in apply order, and the warnings rendering added."""

    children: tuple[Manifest, ...]
    warnings: tuple[Warning, ...]

    @property
    def workload(self) -> Manifest:
        """The CronJob or Deployment (always the last child)."""
        return self.children[-1]


def build(task: Task, decision: Decision, settings: Settings) -> Rendered:
    """Render the children of `task` for a valid `decision`; raises `RenderError`."""
    if not decision.valid or decision.timing is None or decision.mode is None:
        raise ValueError(f"render.build needs a valid decision, got {decision.rule}")
    if decision.mode == "CronJob":
        workload, warnings = cronjob.build(task, decision.timing, settings)
        return Rendered((workload,), tuple(warnings))
    children, warnings = ticker.build(task, decision.timing, settings)
    return Rendered(tuple(children), tuple(warnings))
