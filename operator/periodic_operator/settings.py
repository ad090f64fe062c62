"""Operator settings: one dataclass, shared by `run` and `plan`.

Every field has a default, a docstring and an env variable `PERIODIC_<UPPER_SNAKE>`;
`periodic-operator run|plan` also take them as `--kebab-case` flags. The pure core receives
a `Settings` value; only `from_env` reads the environment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta

from .schedule import format_duration, parse_duration

ENV_PREFIX = "PERIODIC_"


@dataclass(frozen=True)
class Settings:
    """What an operator installation decides for all its tasks (pure data, no I/O)."""

    cronjob_start_latency: timedelta = timedelta(seconds=10)
    """How late the CronJob controller may start a Job; precision below it picks Ticker (rule 4)."""

    min_precision: timedelta = timedelta(milliseconds=10)
    """Finest `spec.precision` either mode can honour; below it the task is refused."""

    max_default_timeout: timedelta = timedelta(hours=1)
    """Cap of the default per-attempt timeout (shortest period − cronjobStartLatency)."""

    default_requests: Mapping[str, str] = field(
        default_factory=lambda: {"cpu": "100m", "memory": "128Mi"})
    """Requests given to a container that sets no requests."""

    default_limits: Mapping[str, str] = field(
        default_factory=lambda: {"cpu": "500m", "memory": "512Mi"})
    """Limits given to a container that sets no limits (never below its request)."""

    runner_image: str = "ghcr.io/periodic-dev/ticker:0.1.0"
    """Image holding the `ticker` binary; its init container runs `ticker install DIR`."""

    runner_port: int = 9090
    """Port of the runner's /metrics, /healthz, /readyz."""

    runner_resources: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: {
        "requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "32Mi"}})
    """Resources of the runner's init container."""

    lease_duration: timedelta = timedelta(seconds=15)
    """The ticker's Lease duration (`--lease-duration`)."""

    renew_deadline: timedelta = timedelta(seconds=10)
    """How long the ticker may fail to renew before it kills the run in flight."""

    kill_grace: timedelta = timedelta(seconds=5)
    """Time between TERM and KILL when a run hits its deadline (`--kill-grace`)."""

    field_manager: str = "periodic-operator"
    """The server-side apply field manager of every write."""


def env_var(field_name: str) -> str:
    """The environment variable of a Settings field: `cronjob_start_latency` → `PERIODIC_CRONJOB_START_LATENCY`."""
    return ENV_PREFIX + field_name.upper()


def field_names() -> tuple[str, ...]:
    """The names of every Settings field, in declaration order (for flags and docs)."""
    return tuple(f.name for f in fields(Settings))


def parse_value(field_name: str, text: str) -> object:
    """Parse `text` as the value of Settings field `field_name`; ValueError says what is wrong.

    Durations are Go strings (`10s`, `1h30m`); mappings are JSON objects or `k=v,k=v`
    (`cpu=100m,memory=128Mi`); `runner_resources` is JSON (`{"requests": {"cpu": "10m"}}`).
    """
    default = getattr(Settings(), field_name)
    if isinstance(default, timedelta):
        return _positive_duration(text)
    if isinstance(default, bool):  # none today; kept so a bool never parses as an int
        return _bool(text)
    if isinstance(default, int):
        return _port(text) if field_name.endswith("_port") else _natural(text)
    if field_name == "runner_resources":
        return _nested_mapping(text)
    if isinstance(default, Mapping):
        return _flat_mapping(text)
    if not text.strip():
        raise ValueError("must not be empty")
    return text.strip()


def from_strings(values: Mapping[str, str], base: Settings | None = None,
                 label: str = "field {name}") -> Settings:
    """`base` (default: the defaults) with the fields named in `values` parsed from text.

    Keys are field names (`cronjob_start_latency`). A bad value raises ValueError starting
    with `label` formatted with the field's name and env variable (`{name}`, `{env}`).
    """
    base = base or Settings()
    known = set(field_names())
    changes: dict[str, object] = {}
    for name, text in values.items():
        where = label.format(name=name, env=env_var(name))
        if name not in known:
            raise ValueError(f"{where}: unknown setting")
        try:
            changes[name] = parse_value(name, text)
        except ValueError as err:
            raise ValueError(f"{where}={text!r}: {err}") from None
    result = replace(base, **changes)  # type: ignore[arg-type]  # values checked per field above
    _check_consistent(result, label)
    return result


def from_env(environ: Mapping[str, str]) -> Settings:
    """Settings from `PERIODIC_*` variables in `environ` (defaults for the rest).

    Only variables naming a field are read (e.g. `PERIODIC_CRONJOB_START_LATENCY=10s`);
    an invalid value raises ValueError naming the variable. `unknown_env` lists the
    `PERIODIC_*` variables that name no field, for the caller to warn about.
    """
    values = {name: environ[env_var(name)] for name in field_names() if env_var(name) in environ}
    return from_strings(values, label="{env}")


def unknown_env(environ: Mapping[str, str]) -> list[str]:
    """`PERIODIC_*` variables in `environ` that name no Settings field (likely typos)."""
    known = {env_var(name) for name in field_names()}
    return sorted(key for key in environ if key.startswith(ENV_PREFIX) and key not in known)


def to_env(settings: Settings) -> dict[str, str]:
    """The env variables that reproduce `settings` (the chart and tests use this form)."""
    result: dict[str, str] = {}
    for name in field_names():
        value = getattr(settings, name)
        if isinstance(value, timedelta):
            result[env_var(name)] = format_duration(value)
        elif isinstance(value, Mapping):
            result[env_var(name)] = json.dumps(_plain_mapping(value), sort_keys=True)
        else:
            result[env_var(name)] = str(value)
    return result


def _plain_mapping(value: Mapping[str, object]) -> dict[str, object]:
    return {k: _plain_mapping(v) if isinstance(v, Mapping) else v for k, v in value.items()}


def _positive_duration(text: str) -> timedelta:
    value = parse_duration(text.strip())  # ScheduleError is a ValueError
    if value <= timedelta(0):
        raise ValueError("must be a duration greater than 0")
    return value


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError("must be true or false")


def _natural(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError("must be an integer") from None
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _port(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError("must be an integer") from None
    if not 1 <= value <= 65535:
        raise ValueError("must be a port number in 1..65535")
    return value


def _flat_mapping(text: str) -> dict[str, str]:
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        loaded = _json_object(stripped)
    else:
        loaded = {}
        for item in filter(None, (part.strip() for part in stripped.split(","))):
            key, sep, value = item.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise ValueError(f"expected key=value pairs separated by commas, got {item!r}")
            loaded[key.strip()] = value.strip()
    return _string_values(loaded, "")


def _nested_mapping(text: str) -> dict[str, dict[str, str]]:
    loaded = _json_object(text.strip())
    result: dict[str, dict[str, str]] = {}
    for key, value in loaded.items():
        if key not in ("requests", "limits"):
            raise ValueError(f"unknown key {key!r} (expected requests and limits)")
        if not isinstance(value, dict):
            raise ValueError(f"{key} must be a JSON object")
        result[key] = _string_values(value, f"{key}.")
    return result


def _json_object(text: str) -> dict[str, object]:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON: {err.msg}") from None
    if not isinstance(loaded, dict):
        raise ValueError("must be a JSON object")
    return loaded


def _string_values(mapping: Mapping[str, object], prefix: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in mapping.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{prefix}{key} must be a non-empty string such as \"100m\"")
        result[key] = value
    return result


def _check_consistent(settings: Settings, label: str) -> None:
    """Relations between fields that no single value shows."""
    if settings.min_precision > settings.cronjob_start_latency:
        raise ValueError(f"{label.format(name='min_precision', env=env_var('min_precision'))}: "
                         f"must not exceed cronjob_start_latency ({format_duration(settings.cronjob_start_latency)})")
    if settings.renew_deadline >= settings.lease_duration:
        raise ValueError(f"{label.format(name='renew_deadline', env=env_var('renew_deadline'))}: "
                         f"must be shorter than lease_duration ({format_duration(settings.lease_duration)})")
    _check_resources(settings, label)
    if settings.lease_duration % timedelta(seconds=1):
        raise ValueError(f"{label.format(name='lease_duration', env=env_var('lease_duration'))}: "
                         "must be whole seconds (a Lease holds leaseDurationSeconds)")
    if not settings.runner_image or any(c.isspace() for c in settings.runner_image):
        raise ValueError(f"{label.format(name='runner_image', env=env_var('runner_image'))}: "
                         f"{settings.runner_image!r} is not an image reference")
    # The runner refuses otherwise: a holder that lost the Lease must have killed its run
    # (renew deadline, then the kill grace) before anyone may see the Lease expire.
    if settings.renew_deadline + settings.kill_grace > settings.lease_duration:
        raise ValueError(f"{label.format(name='kill_grace', env=env_var('kill_grace'))}: "
                         f"renew_deadline + kill_grace must not exceed lease_duration "
                         f"({format_duration(settings.lease_duration)})")


def _check_resources(settings: Settings, label: str) -> None:
    """Defaults that would break every child are refused here, not blamed on a user's spec."""
    from .render.quantity import QuantityError, parse_quantity

    groups = {"default_requests": settings.default_requests, "default_limits": settings.default_limits}
    runner = settings.runner_resources
    unknown = set(runner) - {"requests", "limits"}
    if unknown:
        raise ValueError(f"{label.format(name='runner_resources', env=env_var('runner_resources'))}: "
                         f"only requests and limits are allowed, not {sorted(unknown)}")
    for name, mapping in [*groups.items(), *((f"runner_resources.{k}", v) for k, v in runner.items())]:
        where = label.format(name=name.split(".")[0], env=env_var(name.split(".")[0]))
        for resource, value in mapping.items():
            if resource not in ("cpu", "memory", "ephemeral-storage") and "/" not in resource:
                raise ValueError(f"{where}: unknown resource {resource!r} (cpu, memory, ephemeral-storage "
                                 "or an extended resource such as example.com/gpu)")
            try:
                parse_quantity(value)
            except QuantityError as err:
                raise ValueError(f"{where}: {resource}: {err}") from None
    for requests, limits, name in ((settings.default_requests, settings.default_limits, "default_limits"),
                                   (runner.get("requests", {}), runner.get("limits", {}), "runner_resources")):
        for resource, limit in limits.items():
            if resource in requests and parse_quantity(limit) < parse_quantity(requests[resource]):
                raise ValueError(f"{label.format(name=name, env=env_var(name))}: {resource} limit {limit} "
                                 f"is below its request {requests[resource]}")
