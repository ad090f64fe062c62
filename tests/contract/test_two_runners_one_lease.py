"""Two real runners, one real Lease, the real API server and the operator that rendered them.

The operator (in-process) reconciles a Ticker-mode task and creates its Lease,
ServiceAccount, Role and RoleBinding. The Deployment's runner container — as the operator
applied it, `--lease` kept — then runs twice as local processes ("two pods" of one task,
as when an evicted pod is still terminating while its replacement starts), each with a
token minted for the rendered ServiceAccount. KWOK's fake pod of the Deployment runs
nothing, so these two are the only runners.
"""

from __future__ import annotations

import json
import signal
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from contract.applied import LEASES, api_env, applied_deployment, mint_token
from contract.podlocal import Processes, Started, free_port, http_get, metric, prepare, \
    rfc3339_ns, wall_ns, with_flag
from controlplane.cluster import ControlPlane
from controlplane.waiting import wait_for
from e2e.harness import OperatorThread, kubectl, task_status

pytestmark = pytest.mark.e2e
SECOND = 1_000_000_000
TASK = "handover"
RUN_LOG_SCRIPT = """
echo "start $PERIODIC_SLOT $PERIODIC_POD_NAME $(date +%s.%N) $PERIODIC_ATTEMPT $PERIODIC_TASK" >> "$RUN_LOG"
sleep 0.8
echo "end $PERIODIC_SLOT $PERIODIC_POD_NAME $(date +%s.%N)" >> "$RUN_LOG"
"""
RUNS_EACH = 15  # by the holder, then by the standby: 30+ s of 1 s slots in all


# --- fixtures (module scope: one task, one pair of runners, three tests) ----------------


@pytest.fixture(scope="module")
def module_namespace(control_plane: ControlPlane) -> Iterator[str]:
    name = control_plane.create_namespace("c")
    yield name
    control_plane.api("DELETE", f"/api/v1/namespaces/{name}")


@pytest.fixture(scope="module")
def module_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    procs = Processes(tmp_path_factory.mktemp("two-runners"))
    try:
        yield procs
    finally:
        procs.cleanup()


@dataclass
class TickerTask:
    namespace: str
    name: str
    child: str                 # the children's name: Lease, Role, ..., Deployment
    pod: dict[str, Any]        # the Deployment's pod spec as the operator applied it
    service_account: str
    run_log: Path


@pytest.fixture(scope="module")
def ticker_task(control_plane: ControlPlane, operator: OperatorThread, module_namespace: str,
                tmp_path_factory: pytest.TempPathFactory) -> TickerTask:
    run_log = tmp_path_factory.mktemp("run-log") / "runs.log"
    run_log.touch()
    manifest = {"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask", "metadata": {"name": TASK},
                "spec": {"interval": "1s", "timeout": "950ms", "concurrencyPolicy": "Forbid",
                         "template": {"spec": {"containers": [{
                             "name": "main", "image": "busybox:1.36", "command": ["sh", "-c", RUN_LOG_SCRIPT],
                             "env": [{"name": "RUN_LOG", "value": str(run_log)}]}]}}}}
    kubectl(control_plane, "apply", "-n", module_namespace, "-f", "-", input=json.dumps(manifest))
    ns = module_namespace
    dep = applied_deployment(control_plane, ns, TASK, 60)
    child = dep["metadata"]["name"]
    pod = dict(dep["spec"]["template"]["spec"])
    account = pod.get("serviceAccountName")
    assert account and account != "default", f"the ticker runs as {account!r}, not an account of its own"
    for path in (f"/api/v1/namespaces/{ns}/serviceaccounts/{account}",
                 f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles/{child}",
                 f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings/{child}",
                 LEASES.format(ns=ns) + f"/{child}"):
        wait_for(lambda: control_plane.api("GET", path)[0] == 200, 30, f"{path} created by the operator")
    return TickerTask(ns, TASK, child, pod, account, run_log)


@pytest.fixture(scope="module")
def token_file(control_plane: ControlPlane, ticker_task: TickerTask,
               tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mint_token(control_plane, ticker_task.namespace, ticker_task.service_account,
                      tmp_path_factory.mktemp("sa") / "token")


class AsAccount:
    """Raw API calls with the rendered ServiceAccount's token (what the runner holds)."""

    def __init__(self, cp: ControlPlane, token: str) -> None:
        self.cp, self.token = cp, token
        self.ctx = ssl.create_default_context(cafile=str(cp.pki / "ca.crt"))

    def __call__(self, method: str, path: str, body: object | None = None) -> tuple[int, str]:
        return http_get(self.cp.server + path, method=method, body=body, context=self.ctx,
                        headers={"Authorization": f"Bearer {self.token}"}, timeout=10)


# --- the two runners ---------------------------------------------------------------------


@dataclass
class Runner:
    pod_name: str
    started: Started
    port: int

    def get(self, path: str) -> tuple[int, str]:
        return http_get(f"http://127.0.0.1:{self.port}{path}", timeout=2)

    def lease_held(self) -> float | None:
        code, text = self.get("/metrics")
        return metric(text, "periodic_ticker_lease_held") if code == 200 else None


@dataclass
class Run:
    slot: str
    pod: str
    start: int                  # wall ns, from `date +%s.%N` inside the run
    end: int | None             # the same at its end; None when it was killed first
    attempt: str
    task: str
    result: str = ""            # from the runner's run line
    launched: int | None = None  # the runner's view: launch ...
    reported: int | None = None  # ... and when it saw the whole process group gone

    def interval(self) -> tuple[int, int]:
        """The widest interval either side saw the run occupy (killed runs included)."""
        ends = [t for t in (self.end, self.reported) if t is not None]
        starts = [t for t in (self.start, self.launched) if t is not None]
        return min(starts), max(ends) if ends else 2**63


@dataclass
class History:
    runs: list[Run]
    holder: str                      # pod that held the Lease first
    standby: str
    sigterm_at: int                  # wall ns
    in_flight_slot: str              # the holder's run in flight at SIGTERM
    holder_exit: int | None
    holder_exit_at: int
    standby_exit: int | None
    standby_health: tuple[int, float | None, float | None]  # standby /healthz, lease_held of standby, holder
    final_lease: dict[str, Any]
    lease_snapshots: list[dict[str, str]] = field(default_factory=list)  # annotations seen
    problems: list[str] = field(default_factory=list)


def parse_runs(path: Path, runners: dict[str, Runner] | None = None) -> tuple[list[Run], list[str]]:
    runs: dict[tuple[str, str], Run] = {}
    problems = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts[0] == "start":
            _, slot, pod, at, attempt, task = parts
            if (slot, pod) in runs:
                problems.append(f"slot {slot} started twice on {pod}")
            runs[(slot, pod)] = Run(slot, pod, wall_ns(at), None, attempt, task)
        elif parts[0] == "end":
            _, slot, pod, at = parts
            runs[(slot, pod)].end = wall_ns(at)
    for pod, runner in (runners or {}).items():
        for rec in runner.started.run_records():
            run = runs.get((rec["slot"], pod))
            if rec["attempt"] == 0:
                continue  # a skipped slot: no process
            if run is None:
                problems.append(f"{pod} reports a run of {rec['slot']} that never started a process: {rec}")
                continue
            run.result, run.reported = rec["result"], rfc3339_ns(rec["time"])
            run.launched = run.reported - int(float(rec["duration"]) * SECOND)
    return sorted(runs.values(), key=lambda r: r.start), problems


def lease(cp: ControlPlane, task: TickerTask) -> dict[str, Any]:
    status, body = cp.api("GET", LEASES.format(ns=task.namespace) + f"/{task.child}")
    assert status == 200, body
    return dict(body)


def holder_pod(cp: ControlPlane, task: TickerTask) -> str:
    identity = str((lease(cp, task).get("spec") or {}).get("holderIdentity") or "")
    return identity.rsplit("_", 1)[0] if identity else ""


@pytest.fixture(scope="module")
def history(control_plane: ControlPlane, ticker_task: TickerTask, token_file: Path,
            module_processes: Processes, ticker_binary: Path) -> History:
    """~35s of 1s slots, 0.8s runs, two runners on one Lease; the holder gets SIGTERM mid-run."""
    cp, task = control_plane, ticker_task
    runners: dict[str, Runner] = {}
    for pod_name in (f"{task.child}-pod-a", f"{task.child}-pod-b"):
        prep = prepare(task.pod, "main", module_processes.workdir / pod_name, module_processes, ticker_binary,
                       {"metadata.name": pod_name, "metadata.namespace": task.namespace})
        assert f"{task.namespace}/{task.child}" in prep.argv, f"--lease missing: {prep.argv}"
        port = free_port()
        argv = with_flag(prep.argv, "--listen", f"127.0.0.1:{port}")  # two "pods" on one host
        env = {**prep.env, **api_env(cp, token_file)}
        runners[pod_name] = Runner(pod_name, module_processes.start(pod_name, argv, env), port)

    snapshots: list[dict[str, str]] = []
    stop_polling = threading.Event()

    def poll_lease() -> None:  # every annotation state the operator could have mirrored
        while not stop_polling.is_set():
            status, body = cp.api("GET", LEASES.format(ns=task.namespace) + f"/{task.child}")
            meta: dict[str, Any] = dict(body.get("metadata") or {}) if status == 200 else {}  # type: ignore[call-overload]
            notes = dict(meta.get("annotations") or {})
            if notes and (not snapshots or snapshots[-1] != notes):
                snapshots.append(notes)
            stop_polling.wait(0.2)
    poller = threading.Thread(target=poll_lease, name="lease-poller", daemon=True)
    poller.start()
    try:
        return _exercise(cp, task, runners, snapshots)
    finally:
        stop_polling.set()
        poller.join(5)


def _alive_all(runners: dict[str, Runner]) -> None:
    for r in runners.values():
        assert r.started.proc.poll() is None, f"{r.pod_name} exited {r.started.proc.returncode}:\n{r.started.tail()}"


def _exercise(cp: ControlPlane, task: TickerTask, runners: dict[str, Runner],
              snapshots: list[dict[str, str]]) -> History:
    def runs_by(pod: str) -> list[Run]:
        return [r for r in parse_runs(task.run_log)[0] if r.pod == pod]

    def holder_running() -> str | None:
        _alive_all(runners)
        pod = holder_pod(cp, task)
        return pod if pod in runners and len(runs_by(pod)) >= RUNS_EACH else None
    holder = wait_for(holder_running, 50, f"{RUNS_EACH} runs by the Lease holder")
    standby = next(p for p in runners if p != holder)
    health = (runners[standby].get("/healthz")[0], runners[standby].lease_held(), runners[holder].lease_held())

    def mid_run() -> str | None:  # the holder's latest run has started and not ended
        last = runs_by(holder)[-1]
        return last.slot if last.end is None else None
    in_flight = wait_for(mid_run, 10, "the holder in the middle of a run", interval=0.01)
    sigterm_at = time.time_ns()
    runners[holder].started.proc.send_signal(signal.SIGTERM)
    try:
        holder_exit: int | None = runners[holder].started.proc.wait(20)
    except Exception:
        holder_exit = None
    holder_exit_at = time.time_ns()

    def standby_took_over() -> bool:
        return len([r for r in runs_by(standby) if r.end is not None]) >= RUNS_EACH
    wait_for(standby_took_over, 50, f"{RUNS_EACH} runs by the standby after the holder left")
    runners[standby].started.proc.send_signal(signal.SIGTERM)
    try:
        standby_exit: int | None = runners[standby].started.proc.wait(20)
    except Exception:
        standby_exit = None
    runs, problems = parse_runs(task.run_log, runners)
    return History(runs, holder, standby, sigterm_at, in_flight, holder_exit, holder_exit_at, standby_exit,
                   health, lease(cp, task), snapshots, problems)


# --- the tests ---------------------------------------------------------------------------


def test_rendered_rbac_reaches_its_own_lease_and_nothing_else(control_plane: ControlPlane,
                                                              ticker_task: TickerTask, token_file: Path) -> None:
    cp, ns, own = control_plane, ticker_task.namespace, ticker_task.child
    leases = LEASES.format(ns=ns)
    other = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "someone-else"}}
    assert cp.api("POST", leases, other)[0] == 201
    as_sa = AsAccount(cp, token_file.read_text())

    code, body = as_sa("GET", f"{leases}/{own}")
    assert code == 200, f"GET own Lease: {code} {body}"
    code, text = as_sa("PUT", f"{leases}/{own}", json.loads(body))  # what the runner does
    assert code == 200, f"update own Lease: {code} {text}"
    refused = {
        "GET another Lease": ("GET", f"{leases}/someone-else", None),
        "create a Lease": ("POST", leases, {**other, "metadata": {"name": "mine-now"}}),
        "delete its own Lease": ("DELETE", f"{leases}/{own}", None),
        "list Leases": ("GET", leases, None),
        "update another Lease": ("PUT", f"{leases}/someone-else", other),
        "list pods": ("GET", f"/api/v1/namespaces/{ns}/pods", None),
        "list secrets": ("GET", f"/api/v1/namespaces/{ns}/secrets", None),
        "GET the same-named Lease elsewhere": ("GET", LEASES.format(ns="default") + f"/{own}", None),
    }
    # (The Role also lists `patch` on this one Lease — render/support.py LEASE_VERBS — beyond
    # DESIGN's get/update; it reaches nothing that update does not, so it is not probed here.)
    allowed = {what: code for what, (method, path, payload) in refused.items()
               if (code := as_sa(method, path, payload)[0]) != 403}
    assert not allowed, f"the ticker's ServiceAccount may do more than get/update its Lease: {allowed}"
    assert cp.api("GET", f"{leases}/{own}")[0] == 200, "the Lease must survive the checks"


def test_two_runners_on_one_lease_never_overlap(history: History, ticker_task: TickerTask) -> None:
    h = history
    assert not h.problems, h.problems
    assert h.standby_health[0] == 200, f"a standby is healthy: /healthz {h.standby_health[0]}"
    assert h.standby_health[1:] == (0.0, 1.0), f"lease_held standby/holder: {h.standby_health[1:]}"
    unreported = [r for r in h.runs if r.reported is None]
    assert not unreported, f"runs the runners never reported as over: {unreported}"
    # A run may time out on a busy machine (0.8s of sleep, 0.95s deadline); that is the
    # deadline at work, not an overlap: its interval then ends when its runner saw it gone.
    slots = [r.slot for r in h.runs]
    assert len(slots) == len(set(slots)), f"a slot ran twice: {sorted(s for s in slots if slots.count(s) > 1)}"
    overlaps = [(a, b) for a, b in zip(h.runs, h.runs[1:]) if b.interval()[0] < a.interval()[1]]
    assert not overlaps, f"overlapping runs: {overlaps}"
    assert sum(r.result == "success" for r in h.runs) >= len(h.runs) - 3, [r.result for r in h.runs]
    for r in h.runs:
        assert r.attempt == "1" and r.task == f"{ticker_task.namespace}/{ticker_task.name}", r
        assert rfc3339_ns(r.slot) % SECOND == 0, f"slot {r.slot} not on a whole second"
    by_pod = {p: [r for r in h.runs if r.pod == p] for p in (h.holder, h.standby)}
    assert len(by_pod[h.holder]) >= RUNS_EACH and len(by_pod[h.standby]) >= RUNS_EACH, {p: len(v) for p, v in by_pod.items()}

    # SIGTERM mid-run: the holder finished that run, started none after, released, exited 0.
    assert h.holder_exit == 0, f"holder exit code {h.holder_exit}"
    in_flight = next(r for r in by_pod[h.holder] if r.slot == h.in_flight_slot)
    # Finished, not stopped by the shutdown (on a busy machine its own deadline may end it).
    assert in_flight.result == "success" or (in_flight.result == "timeout" and in_flight.end is None), in_flight
    assert in_flight.interval()[1] > h.sigterm_at, f"run in flight at SIGTERM: {in_flight}"
    assert by_pod[h.holder][-1] is in_flight, f"the holder started runs after SIGTERM: {by_pod[h.holder][-1]}"
    # Before SIGTERM the standby ran nothing; after it, it took over within a few seconds.
    holder_done = in_flight.interval()[1]
    assert all(r.interval()[0] > holder_done for r in by_pod[h.standby]), \
        "the standby ran while the holder held the Lease"
    gap = (by_pod[h.standby][0].start - holder_done) / SECOND
    assert gap < 6, f"the standby took {gap:.1f}s to take over after the holder's last run"
    assert h.standby_exit == 0, f"standby exit code {h.standby_exit}"
    spec = h.final_lease.get("spec") or {}
    assert not spec.get("holderIdentity"), f"the Lease was not released at the end: {spec}"
    assert int(spec.get("leaseTransitions") or 0) >= 1, spec


def _ms(ns: int) -> int:
    return ns // 1_000_000


def test_operator_mirrors_lease_annotations_into_status(control_plane: ControlPlane, ticker_task: TickerTask,
                                                        history: History) -> None:
    cp, ns, name = control_plane, ticker_task.namespace, ticker_task.name
    snapshots = [*history.lease_snapshots, dict(history.final_lease["metadata"].get("annotations") or {})]
    assert snapshots[-1].get("periodic.dev/last-result") in ("success", "timeout"), snapshots[-1]
    written = {(_ms(rfc3339_ns(s["periodic.dev/last-slot"])), _ms(rfc3339_ns(s["periodic.dev/last-success"])))
               for s in snapshots if "periodic.dev/last-slot" in s and "periodic.dev/last-success" in s}
    assert written, f"the runners wrote no run annotations on the Lease: {snapshots}"

    def mirrored() -> dict[str, Any] | None:  # at most every 30s, so up to ~60s
        st = task_status(cp, ns, name)
        if not st.get("lastSuccessfulTime") or not st.get("lastScheduleTime"):
            return None
        pair = (_ms(rfc3339_ns(str(st["lastScheduleTime"]))), _ms(rfc3339_ns(str(st["lastSuccessfulTime"]))))
        return st if pair in written else None
    st = wait_for(mirrored, 65, f"{ns}/{name} status with lastScheduleTime/lastSuccessfulTime from the Lease")
    # The mirrored success is the end of the run of that slot, as the run itself saw it.
    run = next(r for r in history.runs if _ms(rfc3339_ns(r.slot)) == _ms(rfc3339_ns(str(st["lastScheduleTime"]))))
    success = rfc3339_ns(str(st["lastSuccessfulTime"]))
    assert run.result == "success" and run.end is not None and run.reported is not None, run
    assert _ms(run.end) <= _ms(success) <= _ms(run.reported), (run, st)

    table = kubectl(cp, "get", "pt", "-n", ns).stdout.splitlines()
    header, row = table[0], next(line for line in table[1:] if line.split()[0] == name)
    col = header.index("LAST SUCCESS")
    shown = row[col:].split()[0]
    assert shown == st["lastSuccessfulTime"], f"kubectl get pt LAST SUCCESS {shown!r}:\n" + "\n".join(table)
