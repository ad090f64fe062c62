"""drift: does a live object still hold what we would apply (managed fields only)?"""

from __future__ import annotations

from typing import Any

import pytest

from periodic_operator.drift import differences, matches

POD = {"containers": [{"name": "main", "image": "busybox", "resources": {"requests": {"cpu": "0.5"}}}]}


@pytest.mark.parametrize("desired, live", [
    pytest.param({"spec": {"a": 1}}, {"spec": {"a": 1, "defaulted": True}, "status": {}}, id="server-added-fields"),
    pytest.param({"spec": POD}, {"spec": {"containers": [{"name": "main", "image": "busybox",
                  "resources": {"requests": {"cpu": "500m"}}, "imagePullPolicy": "Always"}]}},
                 id="quantity-canonicalised"),
    pytest.param({"spec": {"x": {}, "y": [], "z": None}}, {"spec": {}}, id="empty-desired-matches-absent"),
    pytest.param({"spec": {"env": [{"name": "A", "value": "1"}]}},
                 {"spec": {"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}},
                 id="named-list-extra-live-item"),
    pytest.param({"spec": {"n": 1}}, {"spec": {"n": 1.0}}, id="json-number"),
    pytest.param({"metadata": {"name": "x", "namespace": "ns"}}, {"metadata": {"name": "x"}}, id="namespace-implied"),
])
def test_matches(desired: dict[str, Any], live: dict[str, Any]) -> None:
    assert matches(desired, live), differences(desired, live)


@pytest.mark.parametrize("desired, live, path", [
    pytest.param({"spec": {"policy": "Forbid"}}, {"spec": {"policy": "Allow"}}, "spec.policy", id="hand-edit"),
    pytest.param({"spec": {"a": 1}}, {"spec": {}}, "spec.a", id="missing-field"),
    pytest.param({"spec": {"args": ["a", "b"]}}, {"spec": {"args": ["a"]}}, "spec.args", id="positional-length"),
    pytest.param({"spec": {"args": ["a", "b"]}}, {"spec": {"args": ["b", "a"]}}, "spec.args[0] spec.args[1]",
                 id="positional-order"),
    pytest.param({"spec": {"containers": [{"name": "main"}]}}, {"spec": {"containers": [{"name": "other"}]}},
                 "spec.containers[name=main]", id="named-item-gone"),
    pytest.param({"spec": POD}, {"spec": {"containers": [{"name": "main", "image": "busybox",
                  "resources": {"requests": {"cpu": "600m"}}}]}},
                 "spec.containers[name=main].resources.requests.cpu", id="quantity-differs"),
    pytest.param({"spec": {"suspend": False}}, {"spec": {"suspend": 0}}, "spec.suspend", id="bool-is-not-number"),
    pytest.param({"spec": {"labels": {"a": "b"}}}, {"spec": {"labels": "a=b"}}, "spec.labels", id="type-change"),
])
def test_differences_name_the_path(desired: dict[str, Any], live: dict[str, Any], path: str) -> None:
    assert differences(desired, live) == path.split()
