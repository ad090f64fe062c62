"""Builders of PeriodicTask manifests and Tasks for the core's unit tests."""

from __future__ import annotations

import copy
from typing import Any

from periodic_operator.spec import Task, parse_task

CONTAINER: dict[str, Any] = {"name": "task", "image": "busybox:1.36", "command": ["sh", "-c", "date"]}


def manifest(name: str = "demo", namespace: str | None = "default", **spec: Any) -> dict[str, Any]:
    """A PeriodicTask dict; `spec` keys are the CRD's names (`timeZone=`), `schedule` defaults
    to `*/5 * * * *` unless `interval` is given; `template` defaults to one busybox container."""
    body: dict[str, Any] = {}
    if "schedule" not in spec and "interval" not in spec:
        body["schedule"] = "*/5 * * * *"
    body["template"] = {"spec": {"containers": [copy.deepcopy(CONTAINER)]}}
    body.update(spec)
    metadata: dict[str, Any] = {"name": name, "generation": 1, "uid": "0000-1111"}
    if namespace is not None:
        metadata["namespace"] = namespace
    return {"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask", "metadata": metadata, "spec": body}


def task(name: str = "demo", **spec: Any) -> Task:
    """`manifest(...)` parsed."""
    return parse_task(manifest(name, **spec))


def template(*containers: dict[str, Any], **pod: Any) -> dict[str, Any]:
    """A pod template with these containers (default: the busybox one) and extra pod fields."""
    return {"spec": {"containers": [dict(c) for c in containers] or [copy.deepcopy(CONTAINER)], **pod}}
