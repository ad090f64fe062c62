"""examples/: one manifest per decision rule and one per refusal kind, each what it says.

Every example must also pass the CRD's schema (checked here by a small structural validator
and Python twins of the CEL rules), since the invalid ones are refused by the operator, not
by the API server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from periodic_operator.plan import plan_task
from periodic_operator.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CRD = yaml.safe_load((ROOT / "crds" / "periodictask.yaml").read_text())
SCHEMA = CRD["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)

# file -> (valid, decision rule, mode)
EXPECTED: dict[str, tuple[bool, str, str | None]] = {
    "01-default-cron.yaml": (True, "Default", "CronJob"),
    "02-explicit-cronjob.yaml": (True, "Explicit", "CronJob"),
    "03-explicit-ticker.yaml": (True, "Explicit", "Ticker"),
    "04-stateful.yaml": (True, "Stateful", "Ticker"),
    "05-ticker-only-http.yaml": (True, "TickerOnlySetting", "Ticker"),
    "06-sub-minute-interval.yaml": (True, "SubMinuteSchedule", "Ticker"),
    "07-sub-minute-six-field.yaml": (True, "SubMinuteSchedule", "Ticker"),
    "08-precision.yaml": (True, "PrecisionBelowCronJobLatency", "Ticker"),
    "09-dst-zone.yaml": (True, "Default", "CronJob"),
    "10-interval-90m.yaml": (True, "SubMinuteSchedule", "Ticker"),
    "11-jitter.yaml": (True, "TickerOnlySetting", "Ticker"),
    "invalid/never-fires.yaml": (False, "InvalidSchedule", None),
    "invalid/hash-token.yaml": (False, "InvalidSchedule", None),
    "invalid/cron-tz-prefix.yaml": (False, "InvalidSchedule", None),
    "invalid/unknown-zone.yaml": (False, "UnknownTimeZone", None),
    "invalid/limit-below-request.yaml": (False, "InvalidResources", None),
    "invalid/precision-too-fine.yaml": (False, "PrecisionTooFine", None),
    "invalid/cronjob-sub-minute.yaml": (False, "CronJobCannotHonour", None),
    "invalid/ticker-without-command.yaml": (False, "MissingCommand", None),
}
FILES = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.yaml"))


def _load(name: str) -> dict[str, Any]:
    documents = list(yaml.safe_load_all((EXAMPLES / name).read_text()))
    assert len(documents) == 1, "one PeriodicTask per example"
    document: dict[str, Any] = documents[0]
    return document


def test_every_example_is_listed() -> None:
    assert FILES == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_decides_as_documented(name: str) -> None:
    valid, rule, mode = EXPECTED[name]
    plan = plan_task(_load(name), Settings(), NOW)
    assert (plan.valid, plan.decision, plan.mode) == (valid, rule, mode), plan.reason
    assert bool(plan.children) == valid


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_shape(name: str) -> None:
    obj = _load(name)
    assert (obj["apiVersion"], obj["kind"]) == ("periodic.dev/v1alpha1", "PeriodicTask")
    assert "namespace" not in obj["metadata"], "examples are namespace-less"
    [container, *_] = obj["spec"]["template"]["spec"]["containers"]
    assert container["image"].startswith("busybox:")
    first_comment = (EXAMPLES / name).read_text().splitlines()[0]
    assert first_comment.startswith("# "), "each example says what it shows"


def test_dst_example_warns() -> None:
    plan = plan_task(_load("09-dst-zone.yaml"), Settings(), NOW)
    assert [w.reason for w in plan.warnings] == ["DaylightSavingTime"]
    assert "2025-03-30" in plan.warnings[0].message


# --- what the API server checks, offline ------------------------------------------------------

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
}


def _schema_errors(schema: dict[str, Any], value: Any, path: str) -> list[str]:
    """OpenAPI v3 checks the API server applies to a structural schema (strict unknown fields)."""
    if not _TYPES[schema["type"]](value):
        return [f"{path}: not {schema['type']}"]
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: not in enum")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: pattern")
        if len(value) > schema.get("maxLength", 10**9) or len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: length")
    if isinstance(value, int) and not isinstance(value, bool):
        if value < schema.get("minimum", -10**18) or value > schema.get("maximum", 10**18):
            errors.append(f"{path}: range")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: minItems")
        for index, item in enumerate(value):
            errors += _schema_errors(schema["items"], item, f"{path}[{index}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{path}.{key}: required" for key in schema.get("required", []) if key not in value]
        for key, item in value.items():
            if key in properties:
                errors += _schema_errors(properties[key], item, f"{path}.{key}")
            elif not schema.get("x-kubernetes-preserve-unknown-fields"):
                errors.append(f"{path}.{key}: unknown field")
        errors += _cel_errors(schema, value, path)
    return errors


# Python twins of the CRD's CEL rules (the API server evaluates the real ones; a CEL rule
# without a twin fails test_every_cel_rule_has_a_twin).
CEL_TWINS: dict[str, Callable[[Any], bool]] = {
    "has(self.schedule) != has(self.interval)": lambda s: ("schedule" in s) != ("interval" in s),
    "!has(self.timeZone) || has(self.schedule)": lambda s: "timeZone" not in s or "schedule" in s,
    "self.matches('[1-9]')": lambda s: re.search("[1-9]", s) is not None,
    "!has(self.trigger) || self.trigger != 'Http' || has(self.http)":
        lambda s: s.get("trigger", "Exec") != "Http" or "http" in s,
}


def _cel_errors(schema: dict[str, Any], value: Any, path: str) -> list[str]:
    errors = []
    for rule in schema.get("x-kubernetes-validations", []):
        if not CEL_TWINS[rule["rule"]](value):
            errors.append(f"{path}: {rule['message']}")
    for key, prop in schema.get("properties", {}).items():
        if key in value and prop.get("type") == "string":
            errors += [f"{path}.{key}: {r['message']}" for r in prop.get("x-kubernetes-validations", [])
                       if not CEL_TWINS[r["rule"]](value[key])]
    return errors


def _rules(node: dict[str, Any]) -> list[str]:
    found = [r["rule"] for r in node.get("x-kubernetes-validations", [])]
    for child in node.get("properties", {}).values():
        found += _rules(child)
    if "items" in node:
        found += _rules(node["items"])
    return found


def test_every_cel_rule_has_a_twin() -> None:
    assert set(_rules(SCHEMA)) == set(CEL_TWINS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_passes_the_crd_schema(name: str) -> None:
    obj = _load(name)
    assert _schema_errors(SCHEMA["properties"]["spec"], obj["spec"], "spec") == []


@pytest.mark.parametrize(("spec", "error"), [
    ({"schedule": "* * * * *", "interval": "5s"}, "exactly one of schedule and interval"),
    ({}, "exactly one of schedule and interval"),
    ({"interval": "0s"}, "interval must be greater than 0"),
    ({"interval": "5 s"}, "spec.interval: pattern"),
    ({"interval": "1h", "timeZone": "UTC"}, "timeZone applies to schedule only"),
    ({"schedule": "* * * * *", "ticker": {"trigger": "Http"}}, "trigger Http needs http.port"),
    ({"schedule": "* * * * *", "retries": 101}, "spec.retries: range"),
    ({"schedule": "* * * * *", "foo": 1}, "spec.foo: unknown field"),
], ids=["both", "neither", "zero-interval", "bad-duration", "zone-with-interval", "http-without-port",
        "retries-range", "unknown-field"])
def test_the_schema_refuses_what_the_api_server_refuses(spec: dict[str, Any], error: str) -> None:
    spec = {**spec, "template": {"spec": {"containers": [{"name": "a", "image": "busybox:1.36"}]}}}
    assert any(error in e for e in _schema_errors(SCHEMA["properties"]["spec"], spec, "spec"))
