"""The PeriodicTask resource as typed data, and its structural validation.

`parse_task` turns the object the API server (or a manifest file) holds into a `Task`.
It checks types, enums, unknown fields, Go-duration syntax, "exactly one of schedule and
interval" and the template's minimum shape; every error names the field path
(`spec.ticker.jitter`) and the rule broken. What a field *means* (is the cron valid, which
mode) is decided later, in `schedule.py` and `decide.py`.

Field names are the CRD's (camelCase). The models and `crds/periodictask.yaml` must not
drift; `tests/unit/test_crd.py` compares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["Auto", "CronJob", "Ticker"]
State = Literal["Stateless", "Stateful"]
ConcurrencyPolicy = Literal["Allow", "Forbid", "Replace"]
MissedRuns = Literal["RunOnce", "Skip"]
Trigger = Literal["Exec", "Http"]
Cadence = Literal["FixedRate", "FixedDelay"]


class SpecError(ValueError):
    """A spec the operator refuses. `field` is a path such as `spec.ticker.jitter`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class History(_Model):
    """How many finished Jobs a CronJob keeps."""

    successful: int = Field(default=3, ge=0, le=100)
    failed: int = Field(default=3, ge=0, le=100)


class HttpTarget(_Model):
    """Where the runner calls the app for an Http trigger (on localhost)."""

    port: int = Field(default=8080, ge=1, le=65535)
    path: str = "/tick"


class TickerOptions(_Model):
    """Settings only the ticker runner honours."""

    trigger: Trigger = "Exec"
    http: HttpTarget | None = None
    cadence: Cadence = "FixedRate"
    jitter: timedelta = timedelta(0)


class TaskSpec(_Model):
    """`spec` of a PeriodicTask. Durations arrive as Go-style strings and are held parsed."""

    schedule: str | None = None
    interval: timedelta | None = None
    time_zone: str | None = Field(default=None, alias="timeZone")
    state: State = "Stateless"
    precision: timedelta | None = None
    mode: Mode = "Auto"
    timeout: timedelta | None = None
    retries: int = Field(default=0, ge=0, le=100)
    concurrency_policy: ConcurrencyPolicy = Field(default="Forbid", alias="concurrencyPolicy")
    missed_runs: MissedRuns = Field(default="RunOnce", alias="missedRuns")
    suspend: bool = False
    history: History = History()
    ticker: TickerOptions = TickerOptions()
    template: dict[str, Any]


class Task(_Model):
    """One PeriodicTask: identity from metadata plus its parsed spec."""

    namespace: str
    name: str
    uid: str = ""
    generation: int = 0
    spec: TaskSpec


def parse_task(obj: Mapping[str, Any], default_namespace: str = "default") -> Task:
    """Validate a PeriodicTask object (as a dict) into a `Task`; raises `SpecError`."""
    raise NotImplementedError
