"""The PeriodicTask resource as typed data, and its structural validation.

`parse_task` turns the object the API server (or a manifest file) holds into a `Task`.
It checks types, enums, unknown fields, Go-duration syntax, "exactly one of schedule and
interval" and the template's minimum shape; every error names the field path
(`spec.ticker.jitter`) and the rule broken. What a field *means* (is the cron valid, which
mode) is decided later, in `schedule.py` and `decide.py`.

Field names are the CRD's (camelCase). The models and `crds/periodictask.yaml` must not
drift; `tests/unit/test_crd.py` compares them.

Validation is strict, like the API server's: `"3"` is not an integer and `"true"` is not a
boolean (a manifest `plan` accepts must be one the API server accepts too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from . import schedule

API_VERSION = "periodic.dev/v1alpha1"
KIND = "PeriodicTask"

Mode = Literal["Auto", "CronJob", "Ticker"]
State = Literal["Stateless", "Stateful"]
ConcurrencyPolicy = Literal["Allow", "Forbid", "Replace"]
MissedRuns = Literal["RunOnce", "Skip"]
Trigger = Literal["Exec", "Http"]
Cadence = Literal["FixedRate", "FixedDelay"]

MAX_SCHEDULE_LENGTH = 256
"""Longest `spec.schedule` accepted (the CRD's maxLength); real crons are far shorter."""
MAX_DURATION_LENGTH = 64
"""Longest duration string accepted (the CRD's maxLength)."""
DURATION_PATTERN = r"^[+]?(0|(([0-9]+([.][0-9]*)?|[.][0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$"
"""Go's `time.ParseDuration` grammar without negatives: the CRD's `pattern` for durations."""
MAX_ZONE_LENGTH = 64
"""Longest `spec.timeZone` accepted (IANA names are at most ~32 characters)."""

# DNS-1123 subdomain: what the API server allows as metadata.name / namespace of any object.
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


class SpecError(ValueError):
    """A spec the operator refuses. `field` is a path such as `spec.ticker.jitter`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _FieldError(ValueError):
    """Raised inside a model validator to name a sub-path of the model being validated."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _go_duration(value: object) -> object:
    """BeforeValidator: a Go duration string becomes a `timedelta`; anything else is refused."""
    if isinstance(value, timedelta):  # built in Python (tests, defaults), already parsed
        return value
    if not isinstance(value, str):
        raise ValueError(f"must be a Go duration string such as \"30s\" or \"1m30s\", got {_show(value)}")
    if len(value) > MAX_DURATION_LENGTH:
        raise ValueError(f"must be at most {MAX_DURATION_LENGTH} characters, got {len(value)}")
    try:
        return schedule.parse_duration(value)
    except ArithmeticError:  # defensive: a duration beyond timedelta's range
        raise ValueError(f"duration {_show(value)} is too large") from None
    except ValueError as err:  # ScheduleError is a ValueError
        raise ValueError(f"{err} (a Go duration such as \"500ms\", \"30s\", \"1m30s\")") from None


Duration = Annotated[timedelta, BeforeValidator(_go_duration)]
"""A Go-style duration string (`500ms`, `1m30s`) held as a `timedelta`."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


class History(_Model):
    """How many finished Jobs a CronJob keeps."""

    successful: int = Field(default=3, ge=0, le=100)
    failed: int = Field(default=3, ge=0, le=100)


class HttpTarget(_Model):
    """Where the runner calls the app for an Http trigger (on localhost).

    `port` is required: the operator cannot know the app's port, and guessing one would
    make every tick fail silently.
    """

    port: int = Field(ge=1, le=65535)
    path: str = Field(default="/tick", min_length=1, max_length=1024, pattern=r"^/")


class TickerOptions(_Model):
    """Settings only the ticker runner honours."""

    trigger: Trigger = "Exec"
    http: HttpTarget | None = None
    cadence: Cadence = "FixedRate"
    jitter: Duration = timedelta(0)


class TaskSpec(_Model):
    """`spec` of a PeriodicTask. Durations arrive as Go-style strings and are held parsed.

    `template` is the PodTemplateSpec as given (plain dicts and lists); only what the
    operator relies on is checked (`spec.containers[*].name/image`, `containers[0].command`).
    """

    schedule: str | None = Field(default=None, min_length=1, max_length=MAX_SCHEDULE_LENGTH)
    interval: Duration | None = None
    time_zone: str | None = Field(default=None, alias="timeZone", min_length=1, max_length=MAX_ZONE_LENGTH)
    state: State = "Stateless"
    precision: Duration | None = None
    mode: Mode = "Auto"
    timeout: Duration | None = None
    retries: int = Field(default=0, ge=0, le=100)
    concurrency_policy: ConcurrencyPolicy = Field(default="Forbid", alias="concurrencyPolicy")
    missed_runs: MissedRuns = Field(default="RunOnce", alias="missedRuns")
    suspend: bool = False
    history: History = History()
    ticker: TickerOptions = TickerOptions()
    template: dict[str, Any]

    @model_validator(mode="after")
    def _check(self) -> TaskSpec:
        if (self.schedule is None) == (self.interval is None):
            got = "neither" if self.schedule is None else "both"
            raise _FieldError("", f"exactly one of schedule and interval must be set, got {got}")
        if self.interval is not None and self.interval <= timedelta(0):
            raise _FieldError("interval", "must be greater than 0")
        if self.timeout is not None and self.timeout <= timedelta(0):
            raise _FieldError("timeout", "must be greater than 0")
        _check_template(self.template)
        return self

    @property
    def containers(self) -> list[dict[str, Any]]:
        """`template.spec.containers` (checked non-empty, each a mapping with name and image)."""
        containers: list[dict[str, Any]] = self.template["spec"]["containers"]
        return containers

    @property
    def command(self) -> list[str] | None:
        """`containers[0].command`, the command an Exec trigger wraps; None when unset or empty."""
        command: list[str] | None = self.containers[0].get("command")
        return command or None


class Task(_Model):
    """One PeriodicTask: identity from metadata plus its parsed spec."""

    namespace: str
    name: str
    uid: str = ""
    generation: int = 0
    spec: TaskSpec


def _check_template(template: dict[str, Any]) -> None:
    """The pod template's minimum shape; the rest of the pod is the API server's business."""
    if not template:
        raise _FieldError("template", "must be a PodTemplateSpec with spec.containers, got an empty mapping")
    metadata = template.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise _FieldError("template.metadata", f"must be a mapping, got {_show(metadata)}")
    pod = template.get("spec")
    if pod is None:
        raise _FieldError("template.spec", "required: the pod spec with containers")
    if not isinstance(pod, dict):
        raise _FieldError("template.spec", f"must be a mapping (a PodSpec), got {_show(pod)}")
    containers = pod.get("containers")
    if not isinstance(containers, list) or not containers:
        got = "nothing" if containers is None else _show(containers)
        raise _FieldError("template.spec.containers", f"must be a non-empty list of containers, got {got}")
    for index, container in enumerate(containers):
        _check_container(f"template.spec.containers[{index}]", container)
    command = containers[0].get("command")
    if command is not None and not (isinstance(command, list) and all(isinstance(a, str) for a in command)):
        raise _FieldError("template.spec.containers[0].command", f"must be a list of strings, got {_show(command)}")


def _check_container(path: str, container: object) -> None:
    if not isinstance(container, dict):
        raise _FieldError(path, f"must be a mapping (a Container), got {_show(container)}")
    for key in ("name", "image"):
        value = container.get(key)
        if not isinstance(value, str) or not value:
            got = "nothing" if value is None else _show(value)
            raise _FieldError(f"{path}.{key}", f"required: a non-empty string, got {got}")


def parse_task(obj: Mapping[str, Any], default_namespace: str = "default") -> Task:
    """Validate a PeriodicTask object (as a dict or any Mapping, e.g. kopf's body) into a `Task`.

    `default_namespace` is used when `metadata.namespace` is absent (manifest files).
    Raises `SpecError` (never another exception) naming the field path and the rule broken.
    """
    try:
        plain = _plain(obj)
    except RecursionError:
        raise SpecError("", "the object is nested too deeply") from None
    if not isinstance(plain, dict):
        raise SpecError("", f"must be a mapping (a PeriodicTask object), got {_show(plain)}")
    if plain.get("apiVersion") != API_VERSION:
        raise SpecError("apiVersion", f"must be {API_VERSION}, got {_show(plain.get('apiVersion'))}")
    if plain.get("kind") != KIND:
        raise SpecError("kind", f"must be {KIND}, got {_show(plain.get('kind'))}")
    namespace, name, uid, generation = _parse_metadata(plain.get("metadata"), default_namespace)
    spec = plain.get("spec")
    if not isinstance(spec, dict):
        got = "nothing" if spec is None else _show(spec)
        raise SpecError("spec", f"must be a mapping with schedule or interval and template, got {got}")
    try:
        task_spec = TaskSpec.model_validate(_without_nulls(spec, _NULLS_PRUNED))
    except ValidationError as err:
        raise _spec_error("spec", err) from None
    return Task(namespace=namespace, name=name, uid=uid, generation=generation, spec=task_spec)


def _parse_metadata(metadata: object, default_namespace: str) -> tuple[str, str, str, int]:
    if not isinstance(metadata, dict):
        got = "nothing" if metadata is None else _show(metadata)
        raise SpecError("metadata", f"must be a mapping with a name, got {got}")
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise SpecError("metadata.name", f"required: a non-empty string, got {_show(name)}")
    if len(name) > 253 or not _DNS1123_SUBDOMAIN.fullmatch(name):
        raise SpecError("metadata.name", f"must be a DNS-1123 subdomain (lowercase a-z, 0-9, '-', '.'; "
                        f"at most 253 characters), got {_show(name)}")
    namespace = metadata.get("namespace", default_namespace)
    if not isinstance(namespace, str) or len(namespace) > 63 or not _DNS1123_LABEL.fullmatch(namespace):
        raise SpecError("metadata.namespace", f"must be a DNS-1123 label, got {_show(namespace)}")
    uid = metadata.get("uid", "")
    if not isinstance(uid, str):
        raise SpecError("metadata.uid", f"must be a string, got {_show(uid)}")
    generation = metadata.get("generation", 0)
    if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
        raise SpecError("metadata.generation", f"must be a non-negative integer, got {_show(generation)}")
    return namespace, name, uid, generation


# Where the API server prunes `null` values (fields of the CRD's schema without `nullable`)
# before defaulting: `ticker: null` or `timeout:` (an empty YAML value) mean "absent".
_NULLS_PRUNED: dict[str, Any] = {
    "history": {}, "ticker": {"http": {}}, "template": {"metadata": {}, "spec": {}},
}


def _without_nulls(mapping: dict[str, Any], nested: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in mapping.items():
        if value is None:
            continue
        if key in nested and isinstance(value, dict):
            value = _without_nulls(value, nested[key])
        result[key] = value
    return result


def _plain(value: object) -> object:
    """Mappings become dicts and tuples lists, recursively (kopf hands over Mapping views)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _spec_error(prefix: str, err: ValidationError) -> SpecError:
    """The first pydantic error as a SpecError with a dotted path and a readable message."""
    errors = err.errors(include_url=False)
    first = errors[0]
    path = _join_path(prefix, first["loc"])
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, _FieldError):
        path = _join_path(path, (cause.path,) if cause.path else ())
        message = cause.message
    else:
        message = _message(first)
    more = len(errors) - 1
    if more:
        message += f" (and {more} more error{'s' if more > 1 else ''})"
    return SpecError(path, message)


def _join_path(prefix: str, loc: tuple[int | str, ...]) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


_TYPE_NAMES = {
    "string_type": "a string", "int_type": "an integer", "bool_type": "a boolean (true or false)",
    "model_type": "a mapping", "dict_type": "a mapping", "model_attributes_type": "a mapping",
    "list_type": "a list", "timedelta_type": "a Go duration string",
}


def _message(error: Any) -> str:
    """A readable sentence for one pydantic error (its `type` chooses the wording)."""
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    got = _show(error.get("input"))
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not in the PeriodicTask schema)"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}, got {got}"
    if kind in _TYPE_NAMES:
        return f"must be {_TYPE_NAMES[kind]}, got {got}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        words = {"greater_than_equal": "at least", "less_than_equal": "at most",
                 "greater_than": "greater than", "less_than": "less than"}
        bound = next(iter(ctx.values()), "")
        return f"must be {words[kind]} {bound}, got {got}"
    if kind in ("string_too_long", "string_too_short"):
        limit = ctx.get("max_length", ctx.get("min_length"))
        word = "at most" if kind == "string_too_long" else "at least"
        length = len(error["input"]) if isinstance(error.get("input"), str) else "?"
        return f"must be {word} {limit} characters, got {length}"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern', '')}, got {got}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg']}, got {got}"


def _show(value: object, limit: int = 60) -> str:
    """A short description of a bad input for error messages (long values are cut)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        kind = "mapping" if isinstance(value, dict) else "list"
        text = repr(value)
        return f"a {kind} {text if len(text) <= limit else text[:limit] + '…'}"
    text = repr(value)
    if isinstance(value, int) and len(text) > limit:
        return f"an integer of {len(text)} digits"
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"
