"""What every child shares: names, labels, the ownerReference, the pod template's metadata.

Names follow DESIGN "Names": the task's name when it is a DNS-1123 label of at most 52
characters (a CronJob's Jobs add an 11-character suffix, 63 in all), else its first 43
characters, `-`, and 8 hex of sha256("namespace/name") — stable across reconciles and
unique per task. Label values use the same rule with their own limit of 63.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ..decide import Warning
from ..spec import Task

Manifest = dict[str, Any]
"""One Kubernetes object as plain data, ready for server-side apply."""

OWNER_API_VERSION = "periodic.dev/v1alpha1"
OWNER_KIND = "PeriodicTask"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "periodic-operator"
TASK_LABEL = "periodic.dev/task"

CHILD_NAME_LIMIT = 52
LABEL_VALUE_LIMIT = 63
_HASH_HEX = 8

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
_NOT_LABEL_CHAR = re.compile(r"[^-a-z0-9]")


class RenderError(ValueError):
    """A pod template the operator refuses to render. `field` is the offending path
    (`spec.template.spec.containers[1]`), `rule` the CamelCase id reported as the
    decision (`InvalidResources`, `InvalidPodTemplate`); the message names the field."""

    def __init__(self, field: str, message: str, rule: str = "InvalidPodTemplate") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.rule = rule


def bounded_name(namespace: str, name: str, limit: int, pattern: re.Pattern[str]) -> str:
    """`name` if it matches `pattern` within `limit` characters, else a prefix of it (cut so
    that prefix + `-` + 8 hex is exactly `limit` long) with the hash of `namespace/name`."""
    if len(name) <= limit and pattern.fullmatch(name):
        return name
    digest = hashlib.sha256(f"{namespace}/{name}".encode()).hexdigest()[:_HASH_HEX]
    # A subdomain name may hold dots, which neither a DNS label nor our prefix may keep.
    prefix = _NOT_LABEL_CHAR.sub("-", name.lower()[: limit - _HASH_HEX - 1]).lstrip("-")
    return f"{prefix}-{digest}" if prefix else digest


def child_name(task: Task) -> str:
    """The name of every child of `task` (workload, Lease, ServiceAccount, Role, RoleBinding)."""
    return bounded_name(task.namespace, task.name, CHILD_NAME_LIMIT, _DNS_LABEL)


def task_label_value(task: Task) -> str:
    """The value of the `periodic.dev/task` label: at most 63 characters."""
    return bounded_name(task.namespace, task.name, LABEL_VALUE_LIMIT, _LABEL_VALUE)


def labels(task: Task) -> dict[str, str]:
    """Our labels, on every child and pod; never any of the task's own labels."""
    return {MANAGED_BY_LABEL: MANAGED_BY, TASK_LABEL: task_label_value(task)}


def owner_reference(task: Task) -> dict[str, Any]:
    """The controller ownerReference to `task` (its UID is empty when the task has none yet,
    as in `plan` on a manifest file)."""
    return {
        "apiVersion": OWNER_API_VERSION,
        "kind": OWNER_KIND,
        "name": task.name,
        "uid": task.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def object_meta(task: Task) -> dict[str, Any]:
    """`metadata` of a child: our name, the task's namespace, our labels, the owner."""
    return {
        "name": child_name(task),
        "namespace": task.namespace,
        "labels": labels(task),
        "ownerReferences": [owner_reference(task)],
    }


def pod_metadata(task: Task, warnings: list[Warning]) -> dict[str, Any]:
    """The pod template's metadata: the user's pod labels and annotations (it is their pod)
    plus ours, which win — the workload's selector depends on them."""
    user = task.spec.template.get("metadata") or {}
    pod_labels = dict(user.get("labels") or {})
    ours = labels(task)
    clashes = sorted(k for k in ours if k in pod_labels and pod_labels[k] != ours[k])
    if clashes:
        warnings.append(Warning(
            "PodLabelOverridden",
            f"spec.template.metadata.labels {', '.join(clashes)} are set by the operator"))
    meta: dict[str, Any] = {"labels": {**pod_labels, **ours}}
    if user.get("annotations"):
        meta["annotations"] = dict(user["annotations"])
    return meta


def pod_spec_copy(task: Task) -> dict[str, Any]:
    """A deep copy of `spec.template.spec`: rendering never touches the task's own data."""
    spec = task.spec.template.get("spec")
    if not isinstance(spec, Mapping):
        raise RenderError("spec.template.spec", "spec.template.spec is required (a pod spec)")
    containers = spec.get("containers")
    if not isinstance(containers, list) or not containers:
        raise RenderError("spec.template.spec.containers",
                          "spec.template.spec.containers needs at least one container")
    return copy.deepcopy(dict(spec))


def set_operator_field(pod: dict[str, Any], key: str, value: Any, warnings: list[Warning]) -> None:
    """Set a pod field the operator owns; a different value in the template is replaced
    with a `ScheduleWarning` item (reason `<Key>Overridden`, e.g. `RestartPolicyOverridden`),
    never silently."""
    if key in pod and pod[key] != value:
        warnings.append(Warning(
            f"{key[0].upper()}{key[1:]}Overridden",
            f"spec.template.spec.{key} {pod[key]!r} is replaced by {value!r}, the operator's value"))
    pod[key] = value


def ceil_seconds(value: timedelta) -> int:
    """Whole seconds, rounded up (a deadline is never shortened by rounding)."""
    return -(-value // timedelta(seconds=1))

