"""The CRD and the examples checked offline by the API server's own code (tests/crdcheck).

tests/crdcheck is a small Go program over k8s.io/apiextensions-apiserver: it validates the
CRD as a create would (structural schema, CEL compilation and cost, defaults) and custom
resources against it (pruning, defaulting, OpenAPI schema, CEL rules). Built once into a
cache keyed by its sources (seconds with a warm Go build cache); skipped without `go`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from periodic_operator.plan import plan_task
from periodic_operator.settings import Settings
from taskfactory import manifest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "crdcheck"
CRD = ROOT / "crds" / "periodictask.yaml"
EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="needs the Go toolchain")


@pytest.fixture(scope="module")
def crdcheck() -> Path:
    digest = hashlib.sha256(b"".join((SOURCE / n).read_bytes() for n in ("main.go", "go.mod", "go.sum")))
    cache = Path(os.environ.get("PERIODIC_CACHE", Path.home() / ".cache" / "periodic-operator"))
    binary = cache / f"crdcheck-{digest.hexdigest()[:16]}" / "crdcheck"
    if not binary.exists():
        flags = f"{os.environ.get('GOFLAGS', '')} -mod=mod -buildvcs=false".strip()
        env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": flags}
        subprocess.run(["go", "build", "-trimpath", "-o", str(binary), "."], cwd=SOURCE, env=env, check=True,
                       timeout=900)
    return binary


def _check(binary: Path, paths: list[Path]) -> dict[str, list[str]]:
    result = subprocess.run([str(binary), str(CRD), *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return {line["file"]: line["errors"] for line in lines}


@pytest.mark.timeout(900)
def test_crd_and_examples_are_accepted(crdcheck: Path) -> None:
    errors = _check(crdcheck, EXAMPLES)
    assert errors == {str(p): [] for p in [CRD, *EXAMPLES]}


# (id, spec changes, words of the API server's error)
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("both", {"interval": "5s"}, "exactly one of schedule and interval"),
    ("neither", {"schedule": None}, "exactly one of schedule and interval"),
    ("zero-interval", {"schedule": None, "interval": "0s"}, "interval must be greater than 0"),
    ("zero-timeout", {"timeout": "0.0s"}, "timeout must be greater than 0"),
    ("bad-duration", {"schedule": None, "interval": "5 minutes"}, "should match"),
    ("negative-jitter", {"ticker": {"jitter": "-1s"}}, "should match"),
    ("zone-with-interval", {"schedule": None, "interval": "1h", "timeZone": "UTC"}, "timeZone applies to schedule"),
    ("http-without-port", {"ticker": {"trigger": "Http"}}, "trigger Http needs http.port"),
    ("http-port-missing", {"ticker": {"trigger": "Http", "http": {"path": "/x"}}}, "port: Required value"),
    ("retries-range", {"retries": 101}, "less than or equal to 100"),
    ("mode-enum", {"mode": "Cron"}, "Unsupported value"),
    ("long-schedule", {"schedule": "* " * 200}, "may not be more than 256"),
    ("no-containers", {"template": {"spec": {"containers": []}}}, "at least 1 items"),
    ("no-image", {"template": {"spec": {"containers": [{"name": "a"}]}}}, "image: Required value"),
    ("no-template-spec", {"template": {"metadata": {}}}, "spec: Required value"),
]


@pytest.mark.timeout(900)
def test_api_server_refusals_are_refused_by_parse_task_too(crdcheck: Path, tmp_path: Path) -> None:
    """Whatever the API server refuses, `plan` refuses as well (the same manifest never
    plans fine and then fails to apply)."""
    paths = []
    for name, changes, _ in REFUSED:
        obj = manifest(name=name)
        for key, value in changes.items():
            if value is None:
                obj["spec"].pop(key, None)
            else:
                obj["spec"][key] = value
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(obj))
        paths.append(path)
        assert not plan_task(obj, Settings(), NOW).valid, name
    errors = _check(crdcheck, paths)
    for (name, _, words), path in zip(REFUSED, paths):
        assert any(words in e for e in errors[str(path)]), (name, errors[str(path)])
