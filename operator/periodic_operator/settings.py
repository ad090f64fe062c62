"""Operator settings: one dataclass, shared by `run` and `plan`.

Every field has a default, a docstring and an env variable `PERIODIC_<UPPER_SNAKE>`;
`periodic-operator run|plan` also take them as `--kebab-case` flags. The pure core receives
a `Settings` value; only `from_env` reads the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class Settings:
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


def from_env(environ: Mapping[str, str]) -> Settings:
    """Settings from `PERIODIC_*` variables in `environ` (defaults for the rest)."""
    raise NotImplementedError
