"""Requests, limits and GOMEMLIMIT injected into the user's containers (case C09, C14)."""

from __future__ import annotations

from typing import Any

import pytest

from periodic_operator.render import resources
from periodic_operator.render.common import RenderError

REQUESTS = {"cpu": "100m", "memory": "128Mi"}
LIMITS = {"cpu": "500m", "memory": "512Mi"}
PATH = "spec.template.spec.containers[0].resources"

CASES: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = [
    ("none-gets-defaults", None,
     {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}),
    ("empty-gets-defaults", {},
     {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}),
    ("C09-limit-raised-to-request", {"requests": {"cpu": "700m", "memory": "256Mi"}},
     {"requests": {"cpu": "700m", "memory": "256Mi"}, "limits": {"cpu": "700m", "memory": "512Mi"}}),
    ("raised-limit-keeps-user-spelling", {"requests": {"cpu": "0.7"}},
     {"requests": {"cpu": "0.7", "memory": "128Mi"}, "limits": {"cpu": "0.7", "memory": "512Mi"}}),
    ("memory-limit-raised", {"requests": {"memory": "1Gi"}},
     {"requests": {"memory": "1Gi", "cpu": "100m"}, "limits": {"cpu": "500m", "memory": "1Gi"}}),
    ("request-equal-to-default-limit", {"requests": {"cpu": "0.5"}},
     {"requests": {"cpu": "0.5", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}),
    ("default-request-capped-at-user-limit", {"limits": {"cpu": "50m"}},
     {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "50m", "memory": "512Mi"}}),
    ("default-request-below-user-limit", {"limits": {"cpu": "2", "memory": "64Mi"}},
     {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "2", "memory": "64Mi"}}),
    ("C14-user-values-unchanged", {"requests": {"cpu": "0.5", "memory": "1e8"}, "limits": {"cpu": 1, "memory": "1Gi"}},
     {"requests": {"cpu": "0.5", "memory": "1e8"}, "limits": {"cpu": 1, "memory": "1Gi"}}),
    ("equal-spellings-accepted", {"requests": {"cpu": "0.7"}, "limits": {"cpu": "700m"}},
     {"requests": {"cpu": "0.7", "memory": "128Mi"}, "limits": {"cpu": "700m", "memory": "512Mi"}}),
    ("extended-resources-copied", {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1"}},
     {"requests": {"nvidia.com/gpu": "1", "cpu": "100m", "memory": "128Mi"},
      "limits": {"nvidia.com/gpu": "1", "cpu": "500m", "memory": "512Mi"}}),
    ("claims-kept", {"claims": [{"name": "gpu"}]},
     {"claims": [{"name": "gpu"}], "requests": {"cpu": "100m", "memory": "128Mi"},
      "limits": {"cpu": "500m", "memory": "512Mi"}}),
]


@pytest.mark.parametrize(("given", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_defaults(given: dict[str, Any] | None, expected: dict[str, Any]) -> None:
    assert resources.container_resources(given, REQUESTS, LIMITS, PATH) == expected


def test_input_not_mutated() -> None:
    given = {"requests": {"cpu": "700m"}}
    resources.container_resources(given, REQUESTS, LIMITS, PATH)
    assert given == {"requests": {"cpu": "700m"}}


REFUSED = [
    ("C09-cpu", {"requests": {"cpu": "0.7"}, "limits": {"cpu": "500m"}},
     "spec.template.spec.containers[0].resources.limits.cpu (500m) is below "
     "spec.template.spec.containers[0].resources.requests.cpu (0.7); a limit must be at least its request"),
    ("memory", {"requests": {"memory": "1Gi"}, "limits": {"memory": "512Mi"}},
     "spec.template.spec.containers[0].resources.limits.memory (512Mi) is below "
     "spec.template.spec.containers[0].resources.requests.memory (1Gi); a limit must be at least its request"),
    ("not-a-quantity", {"requests": {"cpu": "lots"}},
     "spec.template.spec.containers[0].resources.requests.cpu: 'lots' is not a Kubernetes quantity"),
]


@pytest.mark.parametrize(("given", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused(given: dict[str, Any], message: str) -> None:
    with pytest.raises(RenderError) as caught:
        resources.container_resources(given, REQUESTS, LIMITS, PATH)
    assert str(caught.value) == message
    assert caught.value.rule == "InvalidResources"


GOMEMLIMIT = {"name": "GOMEMLIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}}


@pytest.mark.parametrize(("env", "limits", "expected"), [
    (None, {"memory": "512Mi"}, [GOMEMLIMIT]),
    ([{"name": "A", "value": "1"}], {"memory": "512Mi"}, [{"name": "A", "value": "1"}, GOMEMLIMIT]),
    ([{"name": "GOMEMLIMIT", "value": "100MiB"}], {"memory": "512Mi"}, [{"name": "GOMEMLIMIT", "value": "100MiB"}]),
    (None, {"cpu": "1"}, None),
], ids=["added", "appended-after-user-env", "user-value-kept", "no-memory-limit-none"])
def test_gomemlimit(env: list[dict[str, Any]] | None, limits: dict[str, str],
                    expected: list[dict[str, Any]] | None) -> None:
    container: dict[str, Any] = {"name": "c", "resources": {"limits": limits}}
    if env is not None:
        container["env"] = env
    resources.with_gomemlimit(container)
    assert container.get("env") == expected


def test_inject_every_user_container() -> None:
    pod: dict[str, Any] = {
        "initContainers": [{"name": "init"}, {"name": "proxy", "restartPolicy": "Always"}],
        "containers": [{"name": "main"}],
    }
    resources.inject(pod, REQUESTS, LIMITS)
    for container in [*pod["initContainers"], *pod["containers"]]:
        assert container["resources"] == {"requests": REQUESTS, "limits": LIMITS}
        assert container["env"] == [GOMEMLIMIT]


def test_inject_names_the_container_in_errors() -> None:
    pod: dict[str, Any] = {"containers": [{"name": "a"}, {"name": "b", "resources": {
        "requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}]}
    with pytest.raises(RenderError, match=r"^spec\.template\.spec\.containers\[1\]\.resources\.limits\.cpu \(1\)"):
        resources.inject(pod, REQUESTS, LIMITS)
