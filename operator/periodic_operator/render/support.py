"""A ticker's support objects: its Lease, and RBAC that reaches exactly that Lease.

All share the workload's name (`common.child_name`), namespace, labels and owner. The Lease
is rendered without a spec: the runner owns holder and renewal fields, the operator only
creates it (RBAC cannot limit `create` by name) and manages its metadata.
"""

from __future__ import annotations

from typing import Any

from ..spec import Task
from .common import Manifest, child_name, object_meta

LEASE_VERBS = ("get", "update")


def lease(task: Task) -> Manifest:
    """The Lease the runner holds before each run (the singleton lock and checkpoint)."""
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": object_meta(task)}


def service_account(task: Task) -> Manifest:
    """The ticker's own ServiceAccount, so that the namespace's `default` never gains the Lease."""
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": object_meta(task)}


def role(task: Task) -> Manifest:
    """A Role allowing get/update on the task's Lease only (by resourceNames): all the runner does."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": object_meta(task),
        "rules": [{
            "apiGroups": ["coordination.k8s.io"],
            "resources": ["leases"],
            "resourceNames": [child_name(task)],
            "verbs": list(LEASE_VERBS),
        }],
    }


def role_binding(task: Task, service_account_name: str) -> Manifest:
    """Binds `role(task)` to the ServiceAccount the ticker pod runs as."""
    subject: dict[str, Any] = {
        "kind": "ServiceAccount", "name": service_account_name, "namespace": task.namespace}
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": object_meta(task),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": child_name(task)},
        "subjects": [subject],
    }
