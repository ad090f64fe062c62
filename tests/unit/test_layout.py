"""The layout rules of DESIGN/STYLE that keep the interpreter and the pure core sound."""

from __future__ import annotations

import ast
import operator
import sysconfig
from pathlib import Path

import pytest

import periodic_operator

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "operator" / "periodic_operator"
# The pure core: spec → schedule (and its private helpers) → decide → render/status.
PURE = sorted(
    [PACKAGE / f"{name}.py" for name in ("spec", "schedule", "decide", "status", "cronexpr", "crontime", "durations")
     if (PACKAGE / f"{name}.py").exists()]
    + list((PACKAGE / "render").glob("*.py")))
# (module or class name, attribute) pairs that read a clock or the environment.
IMPURE = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
          ("time", "time"), ("time", "time_ns"), ("time", "monotonic"), ("time", "perf_counter"),
          ("time", "localtime"), ("os", "environ"), ("os", "getenv"), ("os", "environb")}
IMPURE_MODULES = {"os", "time", "subprocess", "socket", "kopf", "kubernetes", "prometheus_client"}
# The operator's own I/O and glue modules, which the pure core never imports (import-linter
# can only forbid modules that exist; this scan covers those still to come).
GLUE = {"kube", "handlers", "metrics", "cli", "plan"}


def test_operator_is_the_stdlib_module() -> None:
    """operator/ holds the package but must never shadow stdlib `operator` (imported at start-up)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(operator.__file__).resolve().is_relative_to(stdlib), operator.__file__
    assert operator.itemgetter(1)([0, 1]) == 1


def test_operator_dir_is_not_a_package() -> None:
    assert not (ROOT / "operator" / "__init__.py").exists()
    assert [Path(p).resolve() for p in periodic_operator.__path__] == [PACKAGE]


def test_pure_modules_found() -> None:
    names = {p.stem for p in PURE}
    assert {"spec", "schedule", "decide", "status"} <= names


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in IMPURE:
                found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] in IMPURE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in IMPURE_MODULES:
                found.append(f"line {node.lineno}: from {node.module} import …")
        if isinstance(node, ast.ImportFrom):
            module = (node.module or "").removeprefix("periodic_operator.").split(".")[0]
            names = {a.name for a in node.names}
            if module in GLUE or (module in ("", "periodic_operator") and names & GLUE):
                found.append(f"line {node.lineno}: imports glue ({node.module or '.'})")
    return found


@pytest.mark.parametrize("path", PURE, ids=[str(p.relative_to(PACKAGE)) for p in PURE])
def test_pure_modules_read_no_clock_and_no_environment(path: Path) -> None:
    assert _violations(path) == [], f"{path.name} must get now/settings as arguments"


def test_the_scan_catches_what_it_should(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom datetime import datetime\nx = datetime.now()\ny = os.environ['A']\n"
                   "import time\nz = time.time()\nfrom . import kube\nfrom ..handlers import reconcile\n"
                   "from periodic_operator.metrics import X\n")
    assert len(_violations(bad)) == 8
