"""`periodic-operator plan` through the real entry point: output, exit codes, stderr lines.

Golden outputs: every manifest under examples/ is planned at a fixed --now and compared with
tests/unit/golden/<name>.jsonl (stdout) and <name>.stderr (exit code, then stderr lines).
Regenerate them with `UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_cli.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from taskfactory import manifest, template

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / ".venv" / "bin" / "periodic-operator"
EXAMPLES = sorted((ROOT / "examples").glob("**/*.yaml"))
GOLDEN = Path(__file__).parent / "golden"
NOW = "2024-07-01T00:00:00Z"


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PERIODIC_")}
    return subprocess.run([str(ENTRY), *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env={**clean, **(env or {})}, cwd=ROOT)


def write(path: Path, *documents: Any) -> Path:
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return path


def lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_valid_tasks_in_document_order_other_kinds_skipped(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}},
                  manifest("one"), manifest("two", interval="5s"))
    second = write(tmp_path / "b.yaml", manifest("three"))
    result = run("plan", str(first), str(second), "--now", NOW)
    assert (result.returncode, result.stderr) == (0, "")
    out = lines(result.stdout)
    assert [(o["name"], o["mode"], o["valid"]) for o in out] == [
        ("one", "CronJob", True), ("two", "Ticker", True), ("three", "CronJob", True)]
    assert out[0]["nextRunTimes"][0] == "2024-07-01T00:05:00Z"
    assert [c["kind"] for c in out[1]["children"]] == ["ServiceAccount", "Role", "RoleBinding", "Lease", "Deployment"]


def test_invalid_task_printed_with_one_stderr_line(tmp_path: Path) -> None:
    path = write(tmp_path / "t.yaml", manifest("good"), manifest("never", schedule="0 0 30 2 *"),
                 manifest("limits", template=template({"name": "t", "image": "i", "command": ["x"], "resources": {
                     "requests": {"cpu": "0.7"}, "limits": {"cpu": "500m"}}})))
    result = run("plan", str(path), "--now", NOW)
    assert result.returncode == 1
    out = lines(result.stdout)
    assert [o["valid"] for o in out] == [True, False, False]
    assert out[1]["children"] == [] and out[1]["mode"] is None and out[1]["decision"] == "InvalidSchedule"
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"{path}: default/never: invalid (InvalidSchedule): spec.schedule:")
    assert errors[1] == (f"{path}: default/limits: invalid (InvalidResources): spec.template.spec.containers[0]."
                         "resources.limits.cpu (500m) is below spec.template.spec.containers[0].resources.requests."
                         "cpu (0.7); a limit must be at least its request")


def test_unparsable_task_is_invalid_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path / "t.yaml", {"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask",
                                       "metadata": {"namespace": "x"}, "spec": "nonsense"})
    result = run("plan", str(path), "--now", NOW)
    assert result.returncode == 1
    assert lines(result.stdout)[0] == {
        "namespace": "x", "name": "", "valid": False, "mode": None, "decision": "InvalidSpec",
        "reason": lines(result.stdout)[0]["reason"], "warnings": [], "nextRunTimes": None, "children": []}
    assert result.stderr.count("\n") == 1 and "x/<no name>" in result.stderr


USAGE = [
    ("no-files", ["plan"], "the following arguments are required: FILE"),
    ("missing-file", ["plan", "/nonexistent/tasks.yaml"], "cannot read /nonexistent/tasks.yaml: No such file"),
    ("directory", ["plan", "/"], "cannot read /:"),
    ("bad-now", ["plan", "-", "--now", "yesterday"], "--now 'yesterday' is not an RFC 3339 time"),
    ("naive-now", ["plan", "-", "--now", "2024-07-01T00:00:00"], "needs a UTC offset"),
    ("unknown-flag", ["plan", "-", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    ("bad-setting", ["plan", "-", "--runner-port", "70000"], "bad setting: --runner-port='70000'"),
    ("no-command", [], "the following arguments are required: command"),
]


@pytest.mark.parametrize("args", [c[1] for c in USAGE], ids=[c[0] for c in USAGE])
def test_usage_errors_exit_2_with_one_line(args: list[str]) -> None:
    words = dict((tuple(c[1]), c[2]) for c in USAGE)[tuple(args)]
    result = run(*args, stdin="")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and words in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_yaml_exit_2_before_any_output(tmp_path: Path) -> None:
    good = write(tmp_path / "good.yaml", manifest())
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: [unclosed\n")
    result = run("plan", str(good), str(bad), "--now", NOW)
    assert (result.returncode, result.stdout) == (2, "")
    assert len(result.stderr.splitlines()) == 1
    assert f"{bad}: line 3, column 1: bad YAML:" in result.stderr


def test_stdin_namespace_and_list_items() -> None:
    listed = {"apiVersion": "v1", "kind": "List", "items": [manifest("a", namespace=None), manifest("b")]}
    result = run("plan", "-", "--namespace", "team-a", "--now", NOW, stdin=yaml.safe_dump(listed))
    assert result.returncode == 0, result.stderr
    assert [(o["namespace"], o["name"]) for o in lines(result.stdout)] == [("team-a", "a"), ("default", "b")]
    assert lines(result.stdout)[0]["children"][0]["metadata"]["namespace"] == "team-a"


def test_settings_from_env_and_flags_flag_wins() -> None:
    text = yaml.safe_dump(manifest(interval="5s"))

    def image(*flags: str, env: dict[str, str] | None = None) -> str:
        result = run("plan", "-", "--now", NOW, *flags, stdin=text, env=env)
        assert result.returncode == 0, result.stderr
        pod = lines(result.stdout)[0]["children"][-1]["spec"]["template"]["spec"]
        return str(pod["initContainers"][0]["image"])

    assert image() == "ghcr.io/periodic-dev/ticker:0.1.0"
    assert image(env={"PERIODIC_RUNNER_IMAGE": "example/ticker:env"}) == "example/ticker:env"
    assert image("--runner-image", "example/ticker:flag",
                 env={"PERIODIC_RUNNER_IMAGE": "example/ticker:env"}) == "example/ticker:flag"


def test_bad_env_setting_exit_2() -> None:
    result = run("plan", "-", stdin="", env={"PERIODIC_KILL_GRACE": "soon"})
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "PERIODIC_KILL_GRACE" in result.stderr


def test_now_defaults_to_the_clock() -> None:
    result = run("plan", "-", stdin=yaml.safe_dump(manifest()))
    assert result.returncode == 0, result.stderr
    assert len(lines(result.stdout)[0]["nextRunTimes"]) == 5


def test_empty_input_is_fine() -> None:
    assert run("plan", "-", stdin="").returncode == 0


def test_run_refuses_a_bad_setting_before_starting() -> None:
    result = run("run", "--renew-deadline", "soon")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--renew-deadline" in result.stderr


def test_cli_imports_no_kopf() -> None:
    code = "import sys, periodic_operator.cli; sys.exit('kopf' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# --- examples and golden outputs ------------------------------------------------------------

@pytest.mark.parametrize("example", EXAMPLES, ids=[str(p.relative_to(ROOT / "examples")) for p in EXAMPLES])
def test_example_matches_golden(example: Path) -> None:
    result = run("plan", str(example.relative_to(ROOT)), "--now", NOW)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    stem = str(example.relative_to(ROOT / "examples").with_suffix("")).replace(os.sep, "__")
    out_file, err_file = GOLDEN / f"{stem}.jsonl", GOLDEN / f"{stem}.stderr"
    err_text = f"exit {result.returncode}\n{result.stderr}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        out_file.write_text(result.stdout)
        err_file.write_text(err_text)
    assert out_file.exists(), f"no golden output for {example.name}: run with UPDATE_GOLDEN=1"
    assert result.stdout == out_file.read_text()
    assert err_text == err_file.read_text()


def test_every_golden_has_an_example() -> None:
    stems = {str(p.relative_to(ROOT / "examples").with_suffix("")).replace(os.sep, "__") for p in EXAMPLES}
    stale = sorted(p.name for p in GOLDEN.glob("*.jsonl") if p.stem not in stems) if GOLDEN.exists() else []
    assert stale == [], "golden outputs without an example; delete them"


@pytest.mark.parametrize("argv, stdin, fragment", [
    pytest.param(["plan", "--now", "9999-12-31T23:59:59Z", "-"], None, "between 1970 and 9000", id="now-far-future"),
    pytest.param(["plan", "-"], "a: " + "[" * 5000 + "]" * 5000, "nested too deeply", id="deep-yaml"),
])
def test_inputs_that_once_gave_tracebacks_give_one_line(argv: list[str], stdin: str | None, fragment: str) -> None:
    result = run(*argv, stdin=stdin if stdin is not None else yaml.safe_dump(manifest()))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and fragment in result.stderr and "Traceback" not in result.stderr
