"""settings.from_env and friends: PERIODIC_* variables, parsed and checked."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import timedelta

import pytest

from periodic_operator import settings as settings_module
from periodic_operator.settings import (
    Settings, env_var, field_names, from_env, from_strings, parse_value, to_env, unknown_env,
)


def test_defaults_without_environment() -> None:
    assert from_env({}) == Settings()
    assert from_env({"HOME": "/root", "PATH": "/bin"}) == Settings()


def test_every_field_from_env() -> None:
    environ = {
        "PERIODIC_CRONJOB_START_LATENCY": "15s",
        "PERIODIC_MIN_PRECISION": "50ms",
        "PERIODIC_MAX_DEFAULT_TIMEOUT": "2h30m",
        "PERIODIC_DEFAULT_REQUESTS": "cpu=50m, memory=64Mi",
        "PERIODIC_DEFAULT_LIMITS": '{"cpu": "1", "memory": "1Gi"}',
        "PERIODIC_RUNNER_IMAGE": "registry.local/ticker:dev",
        "PERIODIC_RUNNER_PORT": "9191",
        "PERIODIC_RUNNER_RESOURCES": '{"requests": {"cpu": "5m"}, "limits": {"memory": "64Mi"}}',
        "PERIODIC_LEASE_DURATION": "30s",
        "PERIODIC_RENEW_DEADLINE": "20s",
        "PERIODIC_KILL_GRACE": "10s",
        "PERIODIC_FIELD_MANAGER": "my-manager",
    }
    assert set(environ) == {env_var(name) for name in field_names()}, "the test covers every field"
    s = from_env(environ)
    assert s.cronjob_start_latency == timedelta(seconds=15)
    assert s.min_precision == timedelta(milliseconds=50)
    assert s.max_default_timeout == timedelta(hours=2, minutes=30)
    assert dict(s.default_requests) == {"cpu": "50m", "memory": "64Mi"}
    assert dict(s.default_limits) == {"cpu": "1", "memory": "1Gi"}
    assert s.runner_image == "registry.local/ticker:dev"
    assert s.runner_port == 9191
    assert s.runner_resources == {"requests": {"cpu": "5m"}, "limits": {"memory": "64Mi"}}
    assert (s.lease_duration, s.renew_deadline, s.kill_grace) == (
        timedelta(seconds=30), timedelta(seconds=20), timedelta(seconds=10))
    assert s.field_manager == "my-manager"


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("PERIODIC_CRONJOB_START_LATENCY", "10", "PERIODIC_CRONJOB_START_LATENCY='10'"),
    ("PERIODIC_CRONJOB_START_LATENCY", "0s", "greater than 0"),
    ("PERIODIC_MIN_PRECISION", "fast", "PERIODIC_MIN_PRECISION"),
    ("PERIODIC_MIN_PRECISION", "1m", "must not exceed cronjob_start_latency"),
    ("PERIODIC_MAX_DEFAULT_TIMEOUT", "-1h", "PERIODIC_MAX_DEFAULT_TIMEOUT"),
    ("PERIODIC_RUNNER_PORT", "http", "must be an integer"),
    ("PERIODIC_RUNNER_PORT", "70000", "1..65535"),
    ("PERIODIC_DEFAULT_REQUESTS", "cpu", "key=value"),
    ("PERIODIC_DEFAULT_LIMITS", '{"cpu": 1}', "non-empty string"),
    ("PERIODIC_DEFAULT_LIMITS", "[1]", "JSON object"),
    ("PERIODIC_RUNNER_RESOURCES", "{", "not valid JSON"),
    ("PERIODIC_RUNNER_RESOURCES", '{"requets": {}}', "unknown key"),
    ("PERIODIC_RUNNER_IMAGE", " ", "must not be empty"),
    ("PERIODIC_RENEW_DEADLINE", "15s", "shorter than lease_duration"),
], ids=["latency-no-unit", "latency-zero", "precision-junk", "precision-over-latency", "timeout-negative",
        "port-not-int", "port-range", "mapping-no-equals", "mapping-int", "mapping-not-object", "json-broken",
        "resources-typo", "image-empty", "renew-not-below-lease"])
def test_invalid_values_name_the_variable(variable: str, value: str, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        from_env({variable: value})
    message = str(caught.value)
    assert words in message
    assert "PERIODIC_" in message


def test_unknown_variables_are_listed_not_fatal() -> None:
    environ = {"PERIODIC_CRONJOB_LATENCY": "5s", "PERIODIC_RUNNER_PORT": "1", "OTHER": "x"}
    assert from_env(environ).runner_port == 1
    assert unknown_env(environ) == ["PERIODIC_CRONJOB_LATENCY"]


def test_from_strings_for_flags() -> None:
    s = from_strings({"cronjob_start_latency": "20s"}, label="--{name}")
    assert s.cronjob_start_latency == timedelta(seconds=20)
    with pytest.raises(ValueError, match="^--kill_grace='x'"):
        from_strings({"kill_grace": "x"}, label="--{name}")
    with pytest.raises(ValueError, match="unknown setting"):
        from_strings({"nope": "1"})
    base = Settings(runner_port=1234)
    assert from_strings({"kill_grace": "2s"}, base=base).runner_port == 1234


def test_parse_value_types() -> None:
    assert parse_value("kill_grace", "1m30s") == timedelta(seconds=90)
    assert parse_value("default_limits", "cpu=1") == {"cpu": "1"}
    assert parse_value("default_limits", "") == {}


def test_to_env_round_trips() -> None:
    custom = Settings(cronjob_start_latency=timedelta(seconds=12), default_limits={"cpu": "2"}, runner_port=9999)
    assert from_env(to_env(custom)) == custom
    assert from_env(to_env(Settings())) == Settings()


def test_settings_is_pure_data_with_a_docstring_per_field() -> None:
    source = inspect.getsource(Settings)
    for f in dataclasses.fields(Settings):
        assert f'{f.name}:' in source
        after = source.split(f"{f.name}:", 1)[1]
        assert '"""' in after.split("\n\n")[0], f"{f.name} has no docstring"
    assert dataclasses.is_dataclass(Settings) and Settings.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert "os.environ" not in inspect.getsource(settings_module)


def test_kill_grace_must_fit_between_renew_deadline_and_lease_duration() -> None:
    # The runner exits 2 otherwise: a holder that lost the Lease must have killed its run
    # before a standby may take the Lease over.
    with pytest.raises(ValueError, match="renew_deadline \\+ kill_grace"):
        from_env({"PERIODIC_KILL_GRACE": "6s"})
    assert from_env({"PERIODIC_KILL_GRACE": "5s"}).kill_grace == timedelta(seconds=5)


@pytest.mark.parametrize("environ, fragment", [
    pytest.param({"PERIODIC_LEASE_DURATION": "1.5s", "PERIODIC_RENEW_DEADLINE": "1s", "PERIODIC_KILL_GRACE": "0.5s"},
                 "whole seconds", id="lease-not-whole-seconds"),
    pytest.param({"PERIODIC_DEFAULT_REQUESTS": '{"cpu": "lots"}'}, "'lots'", id="request-not-a-quantity"),
    pytest.param({"PERIODIC_DEFAULT_REQUESTS": "cpu=1,foo=bar"}, "unknown resource 'foo'", id="unknown-resource"),
    pytest.param({"PERIODIC_DEFAULT_LIMITS": "cpu=50m,memory=512Mi"}, "below its request", id="limit-below-request"),
    pytest.param({"PERIODIC_RUNNER_RESOURCES": '{"requests": {"memory": "64Mi"}, "limits": {"memory": "32Mi"}}'},
                 "below its request", id="runner-limit-below-request"),
    pytest.param({"PERIODIC_RUNNER_RESOURCES": '{"request": {"cpu": "1"}}'}, "unknown key 'request'",
                 id="runner-resources-typo"),
    pytest.param({"PERIODIC_RUNNER_IMAGE": "bad image"}, "not an image reference", id="image-with-space"),
])
def test_settings_that_would_break_every_child_are_refused(environ: dict[str, str], fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        from_env(environ)
    assert fragment in str(caught.value)
