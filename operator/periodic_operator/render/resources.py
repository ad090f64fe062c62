"""Requests, limits and GOMEMLIMIT for the user's containers (DESIGN "Resources", case C09).

Per resource name (cpu, memory, …) of each container:
- a user limit below its user request is refused, naming both fields;
- a missing request gets the operator default, but never above the user's limit;
- a missing limit gets the operator default, but never below the request (raised to it).
Quantities are compared numerically (`0.7` == `700m`); values the user wrote are copied
unchanged, and a raised default limit takes the request's own spelling.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from .common import RenderError
from .quantity import QuantityError, parse_quantity

CONTAINER_KINDS = ("initContainers", "containers")
GOMEMLIMIT_ENV: dict[str, Any] = {
    "name": "GOMEMLIMIT",
    # The downward API yields the container's own memory limit in bytes, which Go reads.
    "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}},
}


def _quantity(value: object, field: str) -> Fraction:
    try:
        return parse_quantity(value)
    except QuantityError as error:
        raise RenderError(field, f"{field}: {error}", rule="InvalidResources") from None


def _check_user_limits(requests: Mapping[str, Any], limits: Mapping[str, Any], path: str) -> None:
    for name in sorted(requests.keys() & limits.keys()):
        request_field, limit_field = f"{path}.requests.{name}", f"{path}.limits.{name}"
        if _quantity(limits[name], limit_field) < _quantity(requests[name], request_field):
            raise RenderError(
                limit_field,
                f"{limit_field} ({limits[name]}) is below {request_field} ({requests[name]}); "
                "a limit must be at least its request",
                rule="InvalidResources",
            )


def container_resources(
    resources: Mapping[str, Any] | None,
    default_requests: Mapping[str, str],
    default_limits: Mapping[str, str],
    path: str,
) -> dict[str, Any]:
    """The `resources` of one container with the defaults applied (see the module doc).
    `path` is the container's resources field path, used in errors."""
    given = dict(resources or {})
    requests = dict(given.get("requests") or {})
    limits = dict(given.get("limits") or {})
    _check_user_limits(requests, limits, path)
    for name, default in default_requests.items():
        if name not in requests:
            capped = name in limits and (
                _quantity(limits[name], f"{path}.limits.{name}")
                < _quantity(default, f"settings.defaultRequests.{name}"))
            requests[name] = limits[name] if capped else default
    for name, default in default_limits.items():
        if name not in limits:
            raised = name in requests and (
                _quantity(requests[name], f"{path}.requests.{name}")
                > _quantity(default, f"settings.defaultLimits.{name}"))
            limits[name] = requests[name] if raised else default
    given["requests"], given["limits"] = requests, limits
    return given


def with_gomemlimit(container: dict[str, Any]) -> None:
    """Append GOMEMLIMIT (from the memory limit) to the container's env, unless the user set
    it or the container has no memory limit (the downward API would give the node's)."""
    limits = (container.get("resources") or {}).get("limits") or {}
    env = list(container.get("env") or [])
    if "memory" not in limits or any(item.get("name") == "GOMEMLIMIT" for item in env):
        return
    env.append(copy.deepcopy(GOMEMLIMIT_ENV))
    container["env"] = env


def inject(pod: dict[str, Any], default_requests: Mapping[str, str],
           default_limits: Mapping[str, str]) -> None:
    """Apply defaults and GOMEMLIMIT to every user container of `pod` (a copy of
    `spec.template.spec`), init containers and native sidecars included."""
    for kind in CONTAINER_KINDS:
        for index, container in enumerate(pod.get(kind) or []):
            path = f"spec.template.spec.{kind}[{index}].resources"
            container["resources"] = container_resources(
                container.get("resources"), default_requests, default_limits, path)
            with_gomemlimit(container)
