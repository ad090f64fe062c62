"""The ticker pod exactly as the operator renders it, run with the real runner binary.

No cluster: `plan_task` renders the Deployment; its init container (`ticker install DIR`)
and then its runner container (command, args, env) run as local processes, with temp dirs
for the emptyDirs and the downward-API values given here (`podlocal`). The only changes to
the rendered command line: `--lease NS/NAME` and its lease flags are removed, because there
is no API server in these tests (the runner then runs unguarded, as documented), and
`--listen` gets a free loopback port instead of the pod's `:9090`.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from contract.podlocal import (LEASE_FLAGS, Processes, Started, Volumes, alive, deployment_of, flag_value,
                               free_port, group_members, http_get, metric, pod_spec, prepare, probe_port,
                               rfc3339_ns, wall_ns, with_flag, without_flags)
from controlplane.waiting import wait_for
from periodic_operator.plan import TaskPlan, plan_task
from periodic_operator.schedule import format_duration
from periodic_operator.settings import Settings

NS = "contract"
POD = "ticker-7d9f-abcde"
SECOND = 1_000_000_000
# Longer than 52 characters: the children (and the Lease) get a hashed name, the runs must
# still get the task's own name in PERIODIC_TASK.
LONG_NAME = "nightly-ledger-reconciliation-against-the-payment-provider"


def manifest(name: str, script: str, env: dict[str, str], **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"template": {"spec": {"containers": [{
        "name": "main", "image": "busybox:1.36", "command": ["sh", "-c", script],
        "env": [{"name": k, "value": v} for k, v in env.items()]}]}}}
    body.update(spec)
    return {"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask",
            "metadata": {"name": name, "namespace": NS, "uid": "0000-contract", "generation": 1}, "spec": body}


def planned(obj: dict[str, Any]) -> TaskPlan:
    plan = plan_task(obj, Settings(), datetime.now(timezone.utc))
    assert plan.valid, f"{obj['metadata']['name']}: {plan.decision}: {plan.reason}"
    assert plan.mode == "Ticker", f"{obj['metadata']['name']} planned as {plan.mode} ({plan.decision})"
    return plan


@dataclass
class LocalTicker:
    """The rendered runner container running locally."""

    runner: Started
    port: int
    rendered: dict[str, Any]  # the runner container as rendered
    argv: list[str]           # what was run
    volumes: Volumes

    def get(self, path: str) -> tuple[int, str]:
        return http_get(f"http://127.0.0.1:{self.port}{path}", timeout=2)

    def metric(self, name: str, labels: str = "") -> float | None:
        code, text = self.get("/metrics")
        return metric(text, name, labels) if code == 200 else None


def launch(plan: TaskPlan, runner_container: str, tmp_path: Path, processes: Processes,
           ticker_binary: Path) -> LocalTicker:
    pod = pod_spec(deployment_of(plan.children))
    prep = prepare(pod, runner_container, tmp_path / "volumes", processes, ticker_binary,
                   {"metadata.name": POD, "metadata.namespace": NS})
    rendered, argv = prep.rendered, prep.argv
    # The kubelet's probes reach what the runner serves: the same port, the runner's paths.
    assert probe_port(rendered, "livenessProbe") == (prep.pod_port, "/healthz")
    assert probe_port(rendered, "readinessProbe") == (prep.pod_port, "/readyz")
    assert {p["name"]: p["containerPort"] for p in rendered["ports"]}.get("metrics") == prep.pod_port

    # No API server in this test: run unguarded, i.e. without --lease NS/NAME and the flags
    # that only matter with it; and on a free loopback port instead of the pod's :9090.
    argv = without_flags(argv, LEASE_FLAGS)
    port = free_port()
    argv = with_flag(argv, "--listen", f"127.0.0.1:{port}")
    ticker = LocalTicker(processes.start("ticker", argv, prep.env), port, rendered, argv, prep.volumes)

    def ready() -> bool:
        assert ticker.runner.proc.poll() is None, f"runner exited {ticker.runner.proc.returncode}:\n{ticker.runner.tail()}"
        return ticker.get("/readyz")[0] == 200
    wait_for(ready, 15, "the runner's /readyz")
    # Both probe paths answer on the runner itself (200 while healthy and serving).
    for path in ("/healthz", "/readyz"):
        code, body = ticker.get(path)
        assert code == 200, f"{path}: {code} {body}"
    return ticker


def lines(path: Path) -> list[list[str]]:
    return [line.split("|") for line in path.read_text().splitlines()] if path.exists() else []


RECORD = ('printf "%s|%s|%s|%s|%s\\n" "$PERIODIC_SLOT" "$PERIODIC_ATTEMPT" "$PERIODIC_TASK" '
          '"$PERIODIC_STATE_DIR" "$(date +%s.%N)" >> "$OUT"')


def collect_runs(ticker: LocalTicker, out: Path, count: int, timeout: float) -> list[list[str]]:
    def enough() -> list[list[str]] | None:
        assert ticker.runner.proc.poll() is None, f"runner exited:\n{ticker.runner.tail()}"
        got = lines(out)
        return got if len(got) >= count else None
    return wait_for(enough, timeout, f"{count} runs in {out}")


def check_runs(runs: list[list[str]], plan: TaskPlan, ticker: LocalTicker, task: str) -> list[int]:
    """What every run got and when it started; returns the slots (ns)."""
    slots = []
    for slot, attempt, periodic_task, state_dir, started in runs:
        slot_ns = rfc3339_ns(slot)
        assert attempt == "1", f"slot {slot}: PERIODIC_ATTEMPT={attempt!r}"
        assert periodic_task == task, f"slot {slot}: PERIODIC_TASK={periodic_task!r}, want the task {task!r}"
        assert state_dir == str(ticker.volumes.dirs["periodic-state"]), f"PERIODIC_STATE_DIR={state_dir!r}"
        assert wall_ns(started) >= slot_ns, f"slot {slot} started early, at {started}"
        slots.append(slot_ns)
    assert slots == sorted(set(slots)), f"slots repeated or out of order: {[r[0] for r in runs]}"
    predicted = {int(t.timestamp()) * SECOND + t.microsecond * 1000 for t in plan.next_run_times or ()}
    assert predicted, "plan predicted no next run times"
    # The runner and the operator's schedule.py agree on the instants (as `plan` prints them).
    in_window = [s for s in slots if s <= max(predicted)]
    assert set(in_window) <= predicted, f"runner slots {in_window} not among plan's {sorted(predicted)}"
    records = ticker.runner.run_records()
    assert any(r["result"] == "success" for r in records), ticker.runner.tail()
    return slots


@pytest.mark.parametrize(("interval", "jitter"), [("1s", None), ("1500ms", "500ms")], ids=["1s", "1500ms-jitter"])
def test_fixed_rate_runs_land_on_epoch_aligned_slots(interval: str, jitter: str | None, tmp_path: Path,
                                                     processes: Processes, ticker_binary: Path) -> None:
    out = tmp_path / "runs"
    spec: dict[str, Any] = {"interval": interval}
    if jitter:
        spec["ticker"] = {"jitter": jitter}
    plan = planned(manifest(LONG_NAME, RECORD, {"OUT": str(out)}, **spec))
    timing = plan.outcome.timing
    assert timing is not None and timing.interval is not None
    period = int(timing.interval.period / timedelta(microseconds=1)) * 1000
    offset = int(timing.offset / timedelta(microseconds=1)) * 1000
    assert (offset > 0) == bool(jitter), f"jitter {jitter}: offset {timing.offset}"

    ticker = launch(plan, "main", tmp_path, processes, ticker_binary)
    assert flag_value(ticker.argv, "--jitter-offset") == format_duration(timing.offset)
    slots = check_runs(collect_runs(ticker, out, 4, 20), plan, ticker, f"{NS}/{LONG_NAME}")
    for slot in slots:  # FixedRate: k × interval after the Unix epoch, plus the task's offset
        assert (slot - offset) % period == 0, f"slot {slot / SECOND:.9f} is not epoch + k×{interval} + {timing.offset}"
    assert all((b - a) % period == 0 for a, b in zip(slots, slots[1:]))
    wait_for(lambda: (ticker.metric("periodic_ticker_runs_total", 'result="success"') or 0) >= 4, 10,
             "periodic_ticker_runs_total{result=success} >= 4")


def test_six_field_cron_fires_on_its_seconds(tmp_path: Path, processes: Processes, ticker_binary: Path) -> None:
    out = tmp_path / "runs"
    plan = planned(manifest("every-other-second", RECORD, {"OUT": str(out)}, schedule="*/2 * * * * *"))
    assert plan.decision == "SubMinuteSchedule"
    ticker = launch(plan, "main", tmp_path, processes, ticker_binary)
    assert flag_value(ticker.argv, "--time-zone") == "Etc/UTC"  # always explicit
    slots = check_runs(collect_runs(ticker, out, 3, 20), plan, ticker, f"{NS}/every-other-second")
    for slot in slots:
        assert slot % SECOND == 0 and (slot // SECOND) % 2 == 0, f"slot {slot / SECOND:.9f}: not an even second"


class _Recorder(BaseHTTPRequestHandler):
    calls: list[dict[str, Any]]

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.calls.append({"method": "POST", "path": self.path, "headers": dict(self.headers.items()),
                           "body_length": length, "at": time.time_ns()})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def app_server() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """The app the Http trigger calls, on 127.0.0.1 (the pod's loopback)."""
    calls: list[dict[str, Any]] = []
    handler = type("Recorder", (_Recorder,), {"calls": calls})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="app-server", daemon=True)
    thread.start()
    try:
        yield server.server_address[1], calls
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_http_trigger_sidecar_posts_every_slot(tmp_path: Path, processes: Processes, ticker_binary: Path,
                                               app_server: tuple[int, list[dict[str, Any]]]) -> None:
    port, calls = app_server
    plan = planned(manifest("rollup", "sleep 3600", {}, interval="1s",
                            ticker={"trigger": "Http", "http": {"port": port, "path": "/tick"}}))
    pod = pod_spec(deployment_of(plan.children))
    sidecar = pod["initContainers"][-1]
    assert sidecar["name"] == "periodic-ticker" and sidecar.get("restartPolicy") == "Always", \
        "the Http runner must be a native sidecar: the last init container, restartPolicy Always"
    assert pod["containers"][0]["command"] == ["sh", "-c", "sleep 3600"], "the app container must stay the app"
    ticker = launch(plan, "periodic-ticker", tmp_path, processes, ticker_binary)
    assert flag_value(ticker.argv, "--http") == f"http://127.0.0.1:{port}/tick"

    def enough() -> list[dict[str, Any]] | None:
        assert ticker.runner.proc.poll() is None, f"runner exited:\n{ticker.runner.tail()}"
        return list(calls) if len(calls) >= 4 else None
    got = wait_for(enough, 20, "4 POSTs from the runner")
    slots = []
    for call in got:
        h = {k.lower(): v for k, v in call["headers"].items()}
        assert call["method"] == "POST" and call["path"] == "/tick" and call["body_length"] == 0, call
        slot = rfc3339_ns(h["periodic-slot"])
        assert slot % SECOND == 0, f"Periodic-Slot {h['periodic-slot']}: interval 1s slots are whole seconds"
        assert call["at"] >= slot, f"POST for {h['periodic-slot']} arrived before its slot"
        assert h.get("periodic-attempt") == "1", h
        assert h.get("periodic-task") == f"{NS}/rollup", h
        assert h.get("periodic-state-dir") == str(ticker.volumes.dirs["periodic-state"]), h
        deadline = rfc3339_ns(h["periodic-deadline"])
        assert slot < deadline <= call["at"] + SECOND, f"Periodic-Deadline {h['periodic-deadline']} vs slot"
        slots.append(slot)
    assert slots == sorted(set(slots)), f"slots repeated: {slots}"
    wait_for(lambda: (ticker.metric("periodic_ticker_runs_total", 'result="success"') or 0) >= 4, 10,
             "periodic_ticker_runs_total{result=success} >= 4")


# A run that ignores SIGTERM in part: the leader (`sleep`) dies of it, a child shell
# ignores it and is only ended by the SIGKILL after --kill-grace.
HANG = """
printf '%s %s\\n' "$PERIODIC_SLOT" "$$" >> "$OUT"
sh -c 'trap "" TERM; echo $$ > "$OUT.stubborn.$PERIODIC_SLOT"; while :; do sleep 0.1; done' &
exec sleep 600
"""


def test_hanging_command_is_killed_at_its_deadline(tmp_path: Path, processes: Processes,
                                                   ticker_binary: Path) -> None:
    out = tmp_path / "runs"
    plan = planned(manifest("hangs", HANG, {"OUT": str(out)}, interval="3s", timeout="1s"))
    ticker = launch(plan, "main", tmp_path, processes, ticker_binary)
    assert flag_value(ticker.argv, "--timeout") == "1s"
    grace = Settings().kill_grace.total_seconds()
    assert flag_value(ticker.argv, "--kill-grace") == format_duration(Settings().kill_grace)

    first = wait_for(lambda: out.exists() and out.read_text().split("\n", 1)[0].split() or None, 10,
                     "the first run to start")
    slot_text, leader = first[0], int(first[1])
    slot = rfc3339_ns(slot_text) / SECOND
    stubborn_file = Path(f"{out}.stubborn.{slot_text}")
    stubborn = int(wait_for(lambda: stubborn_file.read_text().strip() if stubborn_file.exists() else None, 5,
                            "the TERM-ignoring child's pid"))

    # SIGTERM at the deadline ends the leader.
    wait_for(lambda: not alive(leader), slot + 1 + 2.5 - time.time(), f"leader {leader} gone after its 1s deadline")
    # What ignores SIGTERM lives on until the kill grace is over, then SIGKILL ends it.
    assert time.time() < slot + 1 + grace - 1, "the test itself is too slow to look before the grace ends"
    assert alive(stubborn), f"pid {stubborn} ignored SIGTERM but was gone before the {grace}s kill grace ended"
    wait_for(lambda: not alive(stubborn), slot + 1 + grace + 3 - time.time(),
             f"pid {stubborn} (ignores SIGTERM) killed after the grace")
    assert group_members(leader) == [], f"the run's process group is not empty: {group_members(leader)}"

    wait_for(lambda: (ticker.metric("periodic_ticker_runs_total", 'result="timeout"') or 0) > 0, 10,
             'periodic_ticker_runs_total{result="timeout"} > 0')
    record = wait_for(lambda: next((r for r in ticker.runner.run_records() if r["slot"] == slot_text
                                    and r["attempt"] == 1), None), 5, f"the run line of {slot_text}")
    assert record["result"] == "timeout" and record["code"] == 143, record  # leader killed by SIGTERM
    # The deadline held: the ticker is not stuck.
    assert ticker.get("/healthz")[0] == 200


# A run whose process group can never be emptied — what a process stuck in the kernel
# (D state, e.g. on a hung NFS mount) is to the runner: a zombie whose parent has left the
# group (setsid) and never reaps it; neither SIGTERM nor SIGKILL removes it.
STUCK = """
printf '%s %s\\n' "$PERIODIC_SLOT" "$$" >> "$OUT"
sh -c 'sh -c "sleep 0.3" & exec setsid sleep 600' &
exec sleep 600
"""


def test_healthz_fails_when_a_run_outlives_its_deadlines(tmp_path: Path, processes: Processes,
                                                         ticker_binary: Path) -> None:
    if shutil.which("setsid") is None:
        pytest.skip("needs setsid(1) to build a process group that outlives SIGKILL")
    out = tmp_path / "runs"
    # Interval 1s, timeout 1s, kill grace 5s: the first slot T after start must have ended by
    # T + (0 retries + 1) × (1s + 5s) + 5s margin = T + 11s; past that the ticker is stuck.
    plan = planned(manifest("stuck", STUCK, {"OUT": str(out)}, interval="1s", timeout="1s",
                            concurrencyPolicy="Forbid"))
    ticker = launch(plan, "main", tmp_path, processes, ticker_binary)
    first = wait_for(lambda: out.exists() and out.read_text().split("\n", 1)[0].split() or None, 10,
                     "the first run to start")
    slot_text, leader = first[0], int(first[1])
    slot = rfc3339_ns(slot_text) / SECOND
    assert ticker.get("/healthz")[0] == 200, "healthy while the run is within its deadline"

    def unhealthy() -> bool:
        assert ticker.runner.proc.poll() is None, f"runner exited:\n{ticker.runner.tail()}"
        return ticker.get("/healthz")[0] == 503
    wait_for(unhealthy, slot + 20 - time.time(), "/healthz 503 once the run outlived schedule + deadline + grace",
             interval=0.1)
    seen = time.time() - slot
    assert seen >= 11 - 0.5, f"/healthz was 503 already {seen:.1f}s after the slot (budget 11s)"
    assert ticker.get("/readyz")[0] == 200, "/readyz stays 200: the runner still serves"
    stuck = group_members(leader)
    assert stuck, "test precondition: the stuck run's process group must still exist"

    # The run is still not over (its group outlives SIGKILL): the ticker must stay unhealthy
    # so that the liveness probe (every 10s, 3 failures) restarts it, and must start no new
    # run beside the one it could not end (Forbid; runs never overlap through leftovers).
    problems: list[str] = []
    end = time.time() + 3
    while time.time() < end and group_members(leader):
        code, _ = ticker.get("/healthz")
        if code != 503 and not problems:
            problems.append(f"/healthz turned {code} again {time.time() - slot:.1f}s after the slot while the "
                            f"run's process group {leader} still has members {group_members(leader)}")
        time.sleep(0.2)
    later = [line for line in out.read_text().splitlines()[1:]]
    if later and group_members(leader):
        problems.append(f"new runs started while the stuck group {leader} still exists: {later}")
    abandoned = [r for r in ticker.runner.run_records() if r["slot"] == slot_text]
    if abandoned:
        problems.append(f"the runner reported the run over although its group is not empty: {abandoned[0]}")
    assert not problems, "\n".join(problems)
