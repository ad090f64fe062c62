"""Names, labels and ownership shared by every child (cases C07, C14)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest

from periodic_operator.decide import Warning
from periodic_operator.render import common
from renderkit import make_task

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
C07 = "nightly-report-aggregation-for-analytics-team-production"


def _hash(namespace: str, name: str) -> str:
    return hashlib.sha256(f"{namespace}/{name}".encode()).hexdigest()[:8]


NAMES = [
    ("short-kept", "demo", "demo"),
    ("52-kept", "a" * 52, "a" * 52),
    ("53-hashed", "a" * 53, "a" * 43 + "-" + _hash("default", "a" * 53)),
    ("C07-56-chars", C07, "nightly-report-aggregation-for-analytics-te-eef0948f"),
    ("dotted-hashed", "report.v2", "report-v2-" + _hash("default", "report.v2")),
]


@pytest.mark.parametrize(("name", "expected"), [n[1:] for n in NAMES], ids=[n[0] for n in NAMES])
def test_child_name(name: str, expected: str) -> None:
    result = common.child_name(make_task(name=name))
    assert result == expected
    assert len(result) <= 52 and DNS_LABEL.fullmatch(result)


def test_child_names_unique_when_prefixes_match() -> None:
    first, second = C07 + "-a", C07 + "-b"
    assert common.child_name(make_task(name=first)) != common.child_name(make_task(name=second))


def test_child_name_depends_on_namespace_when_hashed() -> None:
    names = {common.child_name(make_task(name=C07, namespace=ns)) for ns in ("team-a", "team-b")}
    assert len(names) == 2


LABELS = [
    ("short-kept", "demo", "demo"),
    ("C07-56-chars-kept", C07, C07),
    ("dotted-kept", "report.v2", "report.v2"),
    ("63-kept", "b" * 63, "b" * 63),
    ("64-hashed", "b" * 64, "b" * 54 + "-" + _hash("default", "b" * 64)),
    ("253-hashed", "c" * 253, "c" * 54 + "-" + _hash("default", "c" * 253)),
]


@pytest.mark.parametrize(("name", "expected"), [n[1:] for n in LABELS], ids=[n[0] for n in LABELS])
def test_task_label_value(name: str, expected: str) -> None:
    result = common.task_label_value(make_task(name=name))
    assert result == expected
    assert len(result) <= 63 and LABEL_VALUE.fullmatch(result)


def test_labels_are_ours_only() -> None:
    assert common.labels(make_task(name=C07)) == {
        "app.kubernetes.io/managed-by": "periodic-operator", "periodic.dev/task": C07}


def test_owner_reference() -> None:
    assert common.owner_reference(make_task(name="demo", uid="abc-123")) == {
        "apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask", "name": "demo",
        "uid": "abc-123", "controller": True, "blockOwnerDeletion": True}


def test_object_meta() -> None:
    task = make_task(name=C07, namespace="team-a", uid="u")
    meta = common.object_meta(task)
    assert meta["name"] == common.child_name(task)
    assert meta["namespace"] == "team-a"
    assert meta["labels"] == common.labels(task)
    assert meta["ownerReferences"] == [common.owner_reference(task)]
    assert set(meta) == {"name", "namespace", "labels", "ownerReferences"}


def test_pod_metadata_keeps_the_users_pod_labels_and_ours_win() -> None:
    task = make_task(pod_metadata={
        "labels": {"app": "report", "periodic.dev/task": "mine"},
        "annotations": {"prometheus.io/scrape": "true"}, "name": "ignored"})
    warnings: list[Warning] = []
    meta = common.pod_metadata(task, warnings)
    assert meta == {"labels": {"app": "report", "periodic.dev/task": "demo",
                               "app.kubernetes.io/managed-by": "periodic-operator"},
                    "annotations": {"prometheus.io/scrape": "true"}}
    assert [w.reason for w in warnings] == ["PodLabelOverridden"]


def test_pod_metadata_without_template_metadata() -> None:
    warnings: list[Warning] = []
    assert common.pod_metadata(make_task(), warnings) == {"labels": common.labels(make_task())}
    assert warnings == []


@pytest.mark.parametrize(("pod", "value", "warned"), [
    ({}, "Never", False),
    ({"restartPolicy": "Never"}, "Never", False),
    ({"restartPolicy": "OnFailure"}, "Never", True),
], ids=["unset", "same", "conflict"])
def test_set_operator_field(pod: dict[str, Any], value: str, warned: bool) -> None:
    warnings: list[Warning] = []
    common.set_operator_field(pod, "restartPolicy", value, warnings)
    assert pod["restartPolicy"] == value
    assert [w.reason for w in warnings] == (["RestartPolicyOverridden"] if warned else [])


@pytest.mark.parametrize(("value", "seconds"), [
    (timedelta(0), 0), (timedelta(milliseconds=1), 1), (timedelta(seconds=10), 10),
    (timedelta(seconds=90, milliseconds=500), 91), (timedelta(days=1), 86400),
], ids=["zero", "1ms-up", "exact", "fraction-up", "day"])
def test_ceil_seconds(value: timedelta, seconds: int) -> None:
    assert common.ceil_seconds(value) == seconds


def test_pod_spec_copy_is_deep() -> None:
    task = make_task()
    pod = common.pod_spec_copy(task)
    pod["containers"][0]["image"] = "changed"
    assert task.spec.template["spec"]["containers"][0]["image"] == "busybox:1.36"
