"""crds/periodictask.yaml against the models (spec.py) and the status writer (status.py).

Drift in either direction fails: every model field is in the schema with the same default,
enum, bounds and requiredness, and every schema property is a model field; every status key
status.py can write is declared.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from periodic_operator import schedule
from periodic_operator.decide import decide
from periodic_operator.settings import Settings
from periodic_operator.spec import DURATION_PATTERN, TaskSpec, parse_task
from periodic_operator.status import (
    CONDITION_FIELDS, STATUS_FIELDS, ChildRef, RunTimes, build_status, child_rejected, readiness,
)
from taskfactory import manifest, task

ROOT = Path(__file__).resolve().parents[2]
CRD = yaml.safe_load((ROOT / "crds" / "periodictask.yaml").read_text())
VERSION = CRD["spec"]["versions"][0]
SCHEMA = VERSION["schema"]["openAPIV3Schema"]
SPEC = SCHEMA["properties"]["spec"]
STATUS = SCHEMA["properties"]["status"]
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_identity() -> None:
    assert CRD["apiVersion"] == "apiextensions.k8s.io/v1" and CRD["kind"] == "CustomResourceDefinition"
    spec = CRD["spec"]
    assert CRD["metadata"]["name"] == "periodictasks.periodic.dev"
    assert (spec["group"], spec["scope"]) == ("periodic.dev", "Namespaced")
    assert spec["names"]["plural"] == "periodictasks" and spec["names"]["kind"] == "PeriodicTask"
    assert spec["names"]["shortNames"] == ["pt"]
    assert [v["name"] for v in spec["versions"]] == ["v1alpha1"]
    assert VERSION["served"] and VERSION["storage"]
    assert VERSION["subresources"] == {"status": {}}


# --- models <-> schema ----------------------------------------------------------------------

def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the non-None type, whether None is allowed)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        assert len(args) == 1
        return args[0], True
    return annotation, False


def _model_fields(model: type[BaseModel]) -> Iterator[tuple[str, FieldInfo, Any]]:
    hints = typing.get_type_hints(model, include_extras=True)
    for name, info in model.model_fields.items():
        yield info.alias or name, info, hints[name]


def _is_duration(annotation: Any) -> bool:
    return annotation is timedelta or (typing.get_origin(annotation) is typing.Annotated
                                       and typing.get_args(annotation)[0] is timedelta)


def _check_model(model: type[BaseModel], node: dict[str, Any], path: str) -> None:
    properties = node["properties"]
    fields = {alias: (info, hint) for alias, info, hint in _model_fields(model)}
    assert set(fields) == set(properties), f"{path}: model and CRD properties differ"
    required = {alias for alias, (info, _) in fields.items() if info.is_required()}
    assert required == set(node.get("required", [])) - {"schedule", "interval"}, f"{path}: required differs"
    for alias, (info, hint) in fields.items():
        _check_field(info, hint, properties[alias], f"{path}.{alias}")


def _check_field(info: FieldInfo, hint: Any, prop: dict[str, Any], path: str) -> None:
    annotation, _ = _unwrap(info.annotation)
    hint, _ = _unwrap(hint)
    assert prop.get("description"), f"{path} has no description"
    metadata = {type(m): m for m in info.metadata}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        assert prop["type"] == "object", path
        if not info.is_required() and info.default is not None:
            assert "default" in prop and annotation.model_validate(prop["default"]) == info.default, path
        _check_model(annotation, prop, path)
        return
    if typing.get_origin(annotation) is typing.Literal:
        assert prop["type"] == "string" and prop["enum"] == list(typing.get_args(annotation)), path
    elif _is_duration(hint) or annotation is timedelta:
        assert prop["type"] == "string" and prop["pattern"] == DURATION_PATTERN, path
    elif annotation is bool:
        assert prop["type"] == "boolean", path
    elif annotation is int:
        assert prop["type"] == "integer", path
        assert prop.get("minimum") == (metadata[Ge].ge if Ge in metadata else None), path
        assert prop.get("maximum") == (metadata[Le].le if Le in metadata else None), path
    elif annotation is str:
        assert prop["type"] == "string", path
        assert prop.get("maxLength") == (metadata[MaxLen].max_length if MaxLen in metadata else None), path
        assert prop.get("minLength") == (metadata[MinLen].min_length if MinLen in metadata else None), path
        pattern = next((m.pattern for m in info.metadata if hasattr(m, "pattern")), None)
        assert prop.get("pattern") == pattern, path
    elif typing.get_origin(annotation) is dict:
        assert prop["type"] == "object" and prop.get("x-kubernetes-preserve-unknown-fields") is True, path
        return
    else:
        raise AssertionError(f"{path}: no CRD check for {annotation}")
    _check_default(info, prop, path, duration=_is_duration(hint))


def _check_default(info: FieldInfo, prop: dict[str, Any], path: str, *, duration: bool) -> None:
    if info.is_required() or info.default is None:
        assert "default" not in prop, f"{path}: CRD default but no model default"
        return
    assert "default" in prop, f"{path}: model default {info.default!r} missing in the CRD"
    crd_default = schedule.parse_duration(prop["default"]) if duration else prop["default"]
    assert crd_default == info.default, path


def test_spec_models_match_the_schema() -> None:
    _check_model(TaskSpec, SPEC, "spec")


def test_duration_pattern_is_go_syntax() -> None:
    """The CRD's pattern accepts exactly what schedule.parse_duration accepts (no drift)."""
    samples = ["0", "+0", "0s", "5s", "500ms", "1m30s", "1.5h", ".5s", "1.s", "2h45m", "1us", "1µs", "1μs",
               "3000ns", "+5s", "10s5ms", "", "s", "5", "-5s", "5S", "5 s", "1d", "1w", "5sec", "00", ".s", "5s ",
               "1h-5m", "++5s", "5m.", "1e3s", "0x10s", "١s"]
    for text in samples:
        try:
            schedule.parse_duration(text)
            parsed = True
        except ValueError:
            parsed = False
        assert bool(re.fullmatch(DURATION_PATTERN, text)) == parsed, text
    # Syntax only: values the API server lets through but a timedelta cannot hold exactly
    # (below a microsecond) are refused by parse_task, naming the field.
    assert re.fullmatch(DURATION_PATTERN, "3ns")


def test_template_keeps_unknown_fields_and_checks_what_spec_checks() -> None:
    template = SPEC["properties"]["template"]
    assert template["x-kubernetes-preserve-unknown-fields"] is True
    assert template["required"] == ["spec"]
    pod = template["properties"]["spec"]
    assert pod["x-kubernetes-preserve-unknown-fields"] is True and pod["required"] == ["containers"]
    containers = pod["properties"]["containers"]
    assert containers["minItems"] == 1 and containers["items"]["required"] == ["name", "image"]
    assert containers["items"]["x-kubernetes-preserve-unknown-fields"] is True


def test_validation_rules() -> None:
    rules = {rule["rule"]: rule["message"] for rule in SPEC["x-kubernetes-validations"]}
    assert rules["has(self.schedule) != has(self.interval)"] == "exactly one of schedule and interval must be set"
    assert "!has(self.timeZone) || has(self.schedule)" in rules
    for name in ("interval", "timeout"):
        [rule] = SPEC["properties"][name]["x-kubernetes-validations"]
        assert rule["rule"] == "self.matches('[1-9]')"
    [http_rule] = SPEC["properties"]["ticker"]["x-kubernetes-validations"]
    assert "has(self.http)" in http_rule["rule"]


def test_schedule_description_says_seconds_first() -> None:
    assert "SECONDS FIRST" in SPEC["properties"]["schedule"]["description"]


def _walk(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    yield path, node
    for name, child in node.get("properties", {}).items():
        yield from _walk(child, f"{path}.{name}")
    if "items" in node:
        yield from _walk(node["items"], f"{path}[]")


@pytest.mark.parametrize("root", ["spec", "status"])
def test_every_node_is_typed_and_described(root: str) -> None:
    for path, node in _walk(SCHEMA["properties"][root], root):
        assert node.get("description"), f"{path} has no description"
        assert node.get("type") in ("object", "array", "string", "integer", "boolean"), path


def _defaulted(schema: dict[str, Any], value: Any) -> Any:
    """Structural defaulting as the API server does it (defaults of absent properties, recursively)."""
    if not isinstance(value, dict) or "properties" not in schema:
        return value
    result = dict(value)
    for name, prop in schema["properties"].items():
        if name not in result and "default" in prop:
            result[name] = prop["default"]
        if name in result:
            result[name] = _defaulted(prop, result[name])
    return result


@pytest.mark.parametrize("spec", [{}, {"ticker": {"trigger": "Http", "http": {"port": 80}}}, {"history": {}}],
                         ids=["minimal", "http", "empty-history"])
def test_crd_defaults_equal_model_defaults(spec: dict[str, Any]) -> None:
    """A manifest read by plan (model defaults) equals what the API server stores (CRD defaults)."""
    raw = manifest(**spec)
    stored = dict(raw, spec=_defaulted(SPEC, raw["spec"]))
    assert parse_task(stored) == parse_task(raw)


# --- status ---------------------------------------------------------------------------------

def _all_statuses() -> Iterator[dict[str, Any]]:
    settings = Settings()
    runs = RunTimes(last_schedule=NOW, last_success=NOW, last_failure=NOW)
    for spec in ({}, {"interval": "5s"}, {"schedule": "30 2 * * *", "timeZone": "Europe/Berlin"},
                 {"schedule": "0 0 30 2 *"}, {"interval": "5m", "ticker": {"cadence": "FixedDelay"}}):
        decision = decide(task(**spec), settings, now=NOW)
        child = ChildRef("CronJob", "demo")
        for ready in (readiness(decision, child, applied=True), child_rejected(child, "nope")):
            yield build_status(decision, generation=3, now=NOW, ready=ready, child=child, runs=runs)


def test_every_status_field_written_is_declared() -> None:
    declared = STATUS["properties"]
    seen: set[str] = set()
    for status in _all_statuses():
        seen |= set(status)
        for key, value in status.items():
            assert key in declared, f"status.{key} is not in the CRD (it would be pruned)"
            prop = declared[key]
            if prop["type"] == "string":
                assert isinstance(value, str), key
                if "enum" in prop:
                    assert value in prop["enum"], key
            elif prop["type"] == "integer":
                assert isinstance(value, int), key
            elif prop["type"] == "object":
                assert set(value) <= set(prop["properties"]), key
        for condition in status["conditions"]:
            item = declared["conditions"]["items"]
            assert set(condition) <= set(item["properties"])
            assert condition["status"] in item["properties"]["status"]["enum"]
    assert seen == set(STATUS_FIELDS), "every status field is exercised"
    assert set(declared) == set(STATUS_FIELDS), "the CRD declares nothing the operator never writes"
    assert set(declared["conditions"]["items"]["properties"]) == set(CONDITION_FIELDS)


def test_conditions_are_a_map_list() -> None:
    conditions = STATUS["properties"]["conditions"]
    assert conditions["x-kubernetes-list-type"] == "map"
    assert conditions["x-kubernetes-list-map-keys"] == ["type"]
    assert set(conditions["items"]["required"]) == {"type", "status"}


def test_printer_columns() -> None:
    columns = {c["name"]: c for c in VERSION["additionalPrinterColumns"]}
    assert list(columns) == ["Mode", "Schedule", "Next Run", "Last Success", "Ready", "Age"]
    assert columns["Mode"]["jsonPath"] == ".status.mode"
    assert columns["Schedule"]["jsonPath"] == ".status.schedule"
    assert (columns["Next Run"]["jsonPath"], columns["Next Run"]["type"]) == (".status.nextRunTime", "string")
    assert (columns["Last Success"]["jsonPath"], columns["Last Success"]["type"]) == (
        ".status.lastSuccessfulTime", "string")
    assert columns["Ready"]["jsonPath"] == '.status.conditions[?(@.type=="Ready")].status'
    assert (columns["Age"]["jsonPath"], columns["Age"]["type"]) == (".metadata.creationTimestamp", "date")
    for column in VERSION["additionalPrinterColumns"]:
        path = column["jsonPath"]
        if path.startswith(".status."):
            assert path.split(".")[2].split("[")[0] in STATUS["properties"], path
