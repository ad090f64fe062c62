"""spec.parse_task: structure, defaults, and a SpecError naming the field for every bad input."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import pytest

from periodic_operator.spec import SpecError, Task, parse_task
from taskfactory import manifest, template


class FrozenBody(Mapping[str, Any]):
    """A read-only Mapping like kopf's Body/Spec views (not a dict)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = {k: FrozenBody(v) if isinstance(v, Mapping) else v for k, v in data.items()}

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def test_minimal_task_gets_the_crd_defaults() -> None:
    task = parse_task(manifest())
    assert (task.namespace, task.name, task.uid, task.generation) == ("default", "demo", "0000-1111", 1)
    spec = task.spec
    assert spec.schedule == "*/5 * * * *" and spec.interval is None and spec.time_zone is None
    assert (spec.state, spec.mode, spec.retries) == ("Stateless", "Auto", 0)
    assert (spec.concurrency_policy, spec.missed_runs, spec.suspend) == ("Forbid", "RunOnce", False)
    assert (spec.history.successful, spec.history.failed) == (3, 3)
    assert (spec.ticker.trigger, spec.ticker.http, spec.ticker.cadence) == ("Exec", None, "FixedRate")
    assert spec.ticker.jitter == timedelta(0)
    assert spec.precision is None and spec.timeout is None
    assert spec.command == ["sh", "-c", "date"]
    assert spec.containers[0]["image"] == "busybox:1.36"


def test_every_field_parsed() -> None:
    task = parse_task(manifest(
        interval="1m30s", state="Stateful", precision="500ms", mode="Ticker", timeout="2m", retries=2,
        concurrencyPolicy="Replace", missedRuns="Skip", suspend=True, history={"successful": 1, "failed": 5},
        ticker={"trigger": "Http", "http": {"port": 8080, "path": "/run"}, "cadence": "FixedDelay", "jitter": "2s"},
    ))
    spec = task.spec
    assert spec.interval == timedelta(seconds=90)
    assert spec.precision == timedelta(milliseconds=500)
    assert spec.timeout == timedelta(minutes=2)
    assert (spec.state, spec.mode, spec.retries, spec.suspend) == ("Stateful", "Ticker", 2, True)
    assert (spec.concurrency_policy, spec.missed_runs) == ("Replace", "Skip")
    assert (spec.history.successful, spec.history.failed) == (1, 5)
    assert spec.ticker.http is not None and (spec.ticker.http.port, spec.ticker.http.path) == (8080, "/run")
    assert (spec.ticker.trigger, spec.ticker.cadence, spec.ticker.jitter) == ("Http", "FixedDelay", timedelta(seconds=2))


def test_time_zone_and_http_path_default() -> None:
    spec = parse_task(manifest(timeZone="Europe/Berlin", ticker={"trigger": "Http", "http": {"port": 80}})).spec
    assert spec.time_zone == "Europe/Berlin"
    assert spec.ticker.http is not None and spec.ticker.http.path == "/tick"


def test_namespace_defaults_only_when_absent() -> None:
    assert parse_task(manifest(namespace=None), default_namespace="team-a").namespace == "team-a"
    assert parse_task(manifest(namespace="prod"), default_namespace="team-a").namespace == "prod"


def test_kopf_style_mapping_views_are_accepted() -> None:
    """kopf hands over Body/Spec Mapping views, not dicts; the template comes back as plain dicts."""
    task = parse_task(FrozenBody(manifest(interval="5s")))
    assert task.spec.interval == timedelta(seconds=5)
    assert type(task.spec.template) is dict and type(task.spec.template["spec"]) is dict
    assert task.spec.containers[0]["name"] == "task"


def test_unchecked_pod_fields_are_kept_as_given() -> None:
    pod = template({"name": "task", "image": "busybox:1.36", "command": ["true"],
                    "resources": {"requests": {"cpu": "0.5"}}, "anything": {"x": [1, 2]}},
                   nodeSelector={"disk": "ssd"}, restartPolicy="OnFailure")
    pod["metadata"] = {"labels": {"app": "x"}}
    task = parse_task(manifest(template=pod))
    assert task.spec.template == pod
    assert task.spec.template["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "0.5"


def test_empty_command_counts_as_none() -> None:
    task = parse_task(manifest(template=template({"name": "a", "image": "b", "command": []})))
    assert task.spec.command is None


def test_task_is_frozen() -> None:
    task = parse_task(manifest())
    with pytest.raises(Exception):
        task.name = "other"  # type: ignore[misc]


def _with(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """`base` (default manifest()) with the value at a dotted path (`spec.ticker.jitter`, `a[0].b`)
    set; `value` DELETE removes the key."""
    obj = copy.deepcopy(base if base is not None else manifest())
    parts = path.replace("[", ".[").split(".")
    node: Any = obj
    for part in parts[:-1]:
        if part.startswith("["):
            node = node[int(part[1:-1])]
        else:
            node = node.setdefault(part, {})
    last = parts[-1]
    if value is DELETE:
        node.pop(last, None)
    elif last.startswith("["):
        node[int(last[1:-1])] = value
    else:
        node[last] = value
    return obj


DELETE = object()

# (id, path to change, value, expected SpecError.field, words the message must contain)
BAD: list[tuple[str, str, Any, str, str]] = [
    ("wrong-api-version", "apiVersion", "periodic.dev/v1", "apiVersion", "periodic.dev/v1alpha1"),
    ("missing-api-version", "apiVersion", DELETE, "apiVersion", "must be"),
    ("wrong-kind", "kind", "CronJob", "kind", "PeriodicTask"),
    ("metadata-not-mapping", "metadata", ["x"], "metadata", "mapping"),
    ("metadata-missing", "metadata", DELETE, "metadata", "mapping with a name"),
    ("name-missing", "metadata.name", DELETE, "metadata.name", "required"),
    ("name-not-string", "metadata.name", 7, "metadata.name", "non-empty string"),
    ("name-not-dns", "metadata.name", "Big_Name", "metadata.name", "DNS-1123"),
    ("namespace-not-dns", "metadata.namespace", "a.b", "metadata.namespace", "DNS-1123"),
    ("generation-not-int", "metadata.generation", "1", "metadata.generation", "integer"),
    ("spec-missing", "spec", DELETE, "spec", "mapping"),
    ("spec-not-mapping", "spec", "*/5 * * * *", "spec", "mapping"),
    ("spec-list", "spec", [{"schedule": "x"}], "spec", "mapping"),
    ("both-schedule-and-interval", "spec.interval", "5m", "spec", "exactly one of schedule and interval"),
    ("neither-schedule-nor-interval", "spec.schedule", DELETE, "spec", "got neither"),
    ("schedule-not-string", "spec.schedule", 5, "spec.schedule", "must be a string"),
    ("schedule-empty", "spec.schedule", "", "spec.schedule", "at least 1 characters"),
    ("schedule-10000-chars", "spec.schedule", "* " * 5000, "spec.schedule", "at most 256 characters, got 10000"),
    ("interval-zero", "spec.interval", "0s", "spec.interval", "greater than 0"),
    ("interval-not-go", "spec.interval", "5 minutes", "spec.interval", "Go duration"),
    ("interval-int", "spec.interval", 300, "spec.interval", "Go duration string"),
    ("interval-negative", "spec.interval", "-5s", "spec.interval", "Go duration"),
    ("jitter-junk", "spec.ticker.jitter", "soon", "spec.ticker.jitter", "Go duration"),
    ("jitter-huge", "spec.ticker.jitter", "9" * 40 + "h", "spec.ticker.jitter", ""),
    ("timeout-zero", "spec.timeout", "0s", "spec.timeout", "greater than 0"),
    ("precision-list", "spec.precision", ["1s"], "spec.precision", "Go duration string"),
    ("zone-int", "spec.timeZone", 1, "spec.timeZone", "string"),
    ("unknown-field", "spec.scedule", "*/5 * * * *", "spec.scedule", "unknown field"),
    ("unknown-nested-field", "spec.history.succesful", 3, "spec.history.succesful", "unknown field"),
    ("mode-enum", "spec.mode", "Cron", "spec.mode", "'Auto', 'CronJob' or 'Ticker'"),
    ("state-enum", "spec.state", "stateful", "spec.state", "'Stateless' or 'Stateful'"),
    ("cadence-enum", "spec.ticker.cadence", "Fixed", "spec.ticker.cadence", "FixedRate"),
    ("retries-negative", "spec.retries", -1, "spec.retries", "at least 0"),
    ("retries-huge", "spec.retries", 10**30, "spec.retries", "at most 100"),
    ("retries-string", "spec.retries", "2", "spec.retries", "integer"),
    ("retries-bool", "spec.retries", True, "spec.retries", "integer"),
    ("retries-float", "spec.retries", 1.5, "spec.retries", "integer"),
    ("history-successful-huge", "spec.history.successful", 1000, "spec.history.successful", "at most 100"),
    ("history-not-mapping", "spec.history", 3, "spec.history", "mapping"),
    ("suspend-string", "spec.suspend", "true", "spec.suspend", "boolean"),
    ("http-port-missing", "spec.ticker.http", {"path": "/x"}, "spec.ticker.http.port", "required"),
    ("http-port-range", "spec.ticker.http", {"port": 70000}, "spec.ticker.http.port", "at most 65535"),
    ("http-path-relative", "spec.ticker.http", {"port": 80, "path": "tick"}, "spec.ticker.http.path", "match"),
    ("template-missing", "spec.template", DELETE, "spec.template", "required"),
    ("template-empty", "spec.template", {}, "spec.template", "empty"),
    ("template-list", "spec.template", [], "spec.template", "mapping"),
    ("template-metadata-string", "spec.template.metadata", "x", "spec.template.metadata", "mapping"),
    ("template-spec-missing", "spec.template", {"metadata": {}}, "spec.template.spec", "required"),
    ("template-spec-string", "spec.template.spec", "pod", "spec.template.spec", "mapping"),
    ("containers-missing", "spec.template.spec", {}, "spec.template.spec.containers", "non-empty list"),
    ("containers-empty", "spec.template.spec.containers", [], "spec.template.spec.containers", "non-empty list"),
    ("containers-mapping", "spec.template.spec.containers", {"name": "a"}, "spec.template.spec.containers",
     "non-empty list"),
    ("container-not-mapping", "spec.template.spec.containers[0]", "busybox", "spec.template.spec.containers[0]",
     "mapping"),
    ("container-no-name", "spec.template.spec.containers[0].name", DELETE,
     "spec.template.spec.containers[0].name", "required"),
    ("container-no-image", "spec.template.spec.containers[0].image", DELETE,
     "spec.template.spec.containers[0].image", "required"),
    ("container-image-int", "spec.template.spec.containers[0].image", 5,
     "spec.template.spec.containers[0].image", "non-empty string"),
    ("command-string", "spec.template.spec.containers[0].command", "date",
     "spec.template.spec.containers[0].command", "list of strings"),
    ("command-ints", "spec.template.spec.containers[0].command", [1, 2],
     "spec.template.spec.containers[0].command", "list of strings"),
]


@pytest.mark.parametrize(("path", "value", "field", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_names_the_field(path: str, value: Any, field: str, words: str) -> None:
    base = manifest(interval="1m") if path == "spec.interval" and "schedule" not in words else None
    with pytest.raises(SpecError) as caught:
        parse_task(_with(path, value, base))
    assert caught.value.field == field
    assert words in caught.value.message
    assert len(str(caught.value)) < 400, "messages stay readable even for huge inputs"


def test_second_container_checked_too() -> None:
    obj = manifest(template=template({"name": "a", "image": "b", "command": ["x"]}, {"name": "side"}))
    with pytest.raises(SpecError) as caught:
        parse_task(obj)
    assert caught.value.field == "spec.template.spec.containers[1].image"


def test_several_errors_are_counted() -> None:
    with pytest.raises(SpecError) as caught:
        parse_task(manifest(mode="x", state="y"))
    assert "(and 1 more error)" in caught.value.message


JUNK: list[Any] = [None, 0, -1, 10**100, 1.5, float("nan"), True, "", "x" * 10_000, "5s", [], [1, [2, None]],
                   {}, {"a": {"b": [None, {"c": object()}]}}, object(), b"bytes", ("t", 1)]
PATHS = ["spec.schedule", "spec.interval", "spec.timeZone", "spec.state", "spec.precision", "spec.mode",
         "spec.timeout", "spec.retries", "spec.concurrencyPolicy", "spec.missedRuns", "spec.suspend",
         "spec.history", "spec.history.successful", "spec.history.failed", "spec.ticker", "spec.ticker.trigger",
         "spec.ticker.http", "spec.ticker.http.port", "spec.ticker.http.path", "spec.ticker.cadence",
         "spec.ticker.jitter", "spec.template", "spec.template.metadata", "spec.template.spec",
         "spec.template.spec.containers", "spec.template.spec.containers[0]",
         "spec.template.spec.containers[0].name", "spec.template.spec.containers[0].image",
         "spec.template.spec.containers[0].command", "spec", "metadata", "metadata.name",
         "metadata.namespace", "metadata.uid", "metadata.generation", "kind", "apiVersion"]


@pytest.mark.parametrize("path", PATHS)
def test_garbage_anywhere_is_a_spec_error_or_accepted(path: str) -> None:
    """Whatever junk lands in any field, parse_task returns a Task or raises SpecError — nothing else."""
    for junk in JUNK:
        try:
            result = parse_task(_with(path, junk))
        except SpecError as err:
            assert err.field and err.message, (path, junk)
            assert len(err.message) < 400, (path, repr(junk)[:50])
        else:
            assert isinstance(result, Task)


@pytest.mark.parametrize("junk", [None, 0, "PeriodicTask", [], [manifest()], b"x", object()],
                         ids=["none", "int", "string", "empty-list", "list-of-task", "bytes", "object"])
def test_not_a_mapping_at_all(junk: Any) -> None:
    with pytest.raises(SpecError) as caught:
        parse_task(junk)
    assert "mapping" in caught.value.message


def test_pathologically_deep_nesting_is_a_spec_error() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(5000):
        node["x"] = {}
        node = node["x"]
    obj = manifest()
    obj["spec"]["template"]["metadata"] = deep
    with pytest.raises(SpecError) as caught:
        parse_task(obj)
    assert "nested too deeply" in caught.value.message


def test_nulls_mean_absent_as_the_api_server_prunes_them() -> None:
    """`ticker:` (an empty YAML value) or `timeout: null` are pruned by the API server before
    defaulting; plan must read the same manifest the same way."""
    task = parse_task(manifest(ticker=None, history={"successful": None, "failed": 1}, timeout=None,
                               mode=None, precision=None))
    assert task.spec.ticker.trigger == "Exec" and task.spec.timeout is None and task.spec.mode == "Auto"
    assert (task.spec.history.successful, task.spec.history.failed) == (3, 1)
    with pytest.raises(SpecError) as caught:
        parse_task(manifest(template={"spec": {"containers": None}}))
    assert caught.value.field == "spec.template.spec.containers"
