"""Running what the operator renders for a ticker pod as plain local processes.

The pod spec is taken as rendered (`plan_task`, or the Deployment the operator applied);
what a kubelet would provide is provided here instead, and nothing else is changed:
- each volume is a temp dir, and every path under a container's `mountPath` in its
  command, args and env is rewritten to that dir (the emptyDirs are shared between the
  init container and the runner, as in the pod);
- downward-API env (`fieldRef`, `resourceFieldRef`) gets values the test chooses or, for
  resources, the container's own quantity in bytes/cores as the kubelet would give it;
- the image's PATH is this machine's, with the built runner's dir first (the runner image
  has `ticker` on PATH: the init container calls it by that name).

Every process started here carries a per-test marker in its environment; teardown kills
exactly the processes with that marker (the runners, their runs, and anything the runs
left behind or sent away into sessions of their own), never anything else.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from controlplane.cluster import _die_with_parent
from periodic_operator.render.quantity import parse_quantity

MARKER_ENV = "PERIODIC_CONTRACT_TEST_MARK"
LEASE_FLAGS = ("--lease", "--lease-duration", "--renew-deadline")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def deployment_of(children: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    found = [dict(c) for c in children if c.get("kind") == "Deployment"]
    assert len(found) == 1, f"expected one Deployment among {[c.get('kind') for c in children]}"
    return found[0]


def pod_spec(deployment: Mapping[str, Any]) -> dict[str, Any]:
    return dict(deployment["spec"]["template"]["spec"])


def container(pod: Mapping[str, Any], name: str) -> dict[str, Any]:
    for kind in ("initContainers", "containers"):
        for c in pod.get(kind) or []:
            if c.get("name") == name:
                return dict(c)
    raise AssertionError(f"no container {name!r} in the pod spec")


def flag_value(argv: Sequence[str], flag: str) -> str:
    """The value after `flag` in argv (before any `--`)."""
    head = list(argv[: argv.index("--")] if "--" in argv else argv)
    assert flag in head, f"{flag} missing from {head}"
    return head[head.index(flag) + 1]


def without_flags(argv: Sequence[str], flags: Sequence[str]) -> list[str]:
    """argv with each of `flags` and its value removed (only before a `--`)."""
    out: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        if items[i] == "--":
            out.extend(items[i:])
            break
        if items[i] in flags:
            i += 2
            continue
        out.append(items[i])
        i += 1
    return out


def with_flag(argv: Sequence[str], flag: str, value: str) -> list[str]:
    """argv with the value of an existing `flag` replaced."""
    out = list(argv)
    end = out.index("--") if "--" in out else len(out)
    idx = out.index(flag, 0, end)
    out[idx + 1] = value
    return out


@dataclass
class Volumes:
    """A temp dir per pod volume, by volume name."""

    root: Path
    dirs: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def for_pod(cls, pod: Mapping[str, Any], root: Path) -> Volumes:
        vols = cls(root)
        for volume in pod.get("volumes") or []:
            d = root / volume["name"]
            d.mkdir(parents=True, exist_ok=True)
            vols.dirs[volume["name"]] = d
        return vols

    def mounts(self, c: Mapping[str, Any]) -> dict[str, Path]:
        return {m["mountPath"].rstrip("/"): self.dirs[m["name"]] for m in c.get("volumeMounts") or []}


def rewrite_paths(value: str, mounts: Mapping[str, Path]) -> str:
    for mount in sorted(mounts, key=len, reverse=True):
        if value == mount or value.startswith(mount + "/"):
            return str(mounts[mount]) + value[len(mount):]
    return value


def _resource_value(c: Mapping[str, Any], ref: Mapping[str, Any]) -> str:
    kind, _, name = str(ref["resource"]).partition(".")
    quantity = ((c.get("resources") or {}).get(kind) or {}).get(name)
    assert quantity is not None, f"resourceFieldRef {ref} but {kind}.{name} is not set"
    # The kubelet gives bytes for memory and whole cores (rounded up) for cpu, divisor 1.
    return str(math.ceil(parse_quantity(quantity)))


def container_env(c: Mapping[str, Any], mounts: Mapping[str, Path], downward: Mapping[str, str],
                  base: Mapping[str, str]) -> dict[str, str]:
    env = dict(base)
    for item in c.get("env") or []:
        if "value" in item:
            env[item["name"]] = rewrite_paths(str(item["value"]), mounts)
        elif "fieldRef" in (item.get("valueFrom") or {}):
            path = item["valueFrom"]["fieldRef"]["fieldPath"]
            assert path in downward, f"env {item['name']}: no value given for fieldRef {path}"
            env[item["name"]] = downward[path]
        elif "resourceFieldRef" in (item.get("valueFrom") or {}):
            env[item["name"]] = _resource_value(c, item["valueFrom"]["resourceFieldRef"])
        else:
            raise AssertionError(f"env {item} has a source this test cannot provide")
    return env


def container_argv(c: Mapping[str, Any], mounts: Mapping[str, Path]) -> list[str]:
    return [rewrite_paths(str(a), mounts) for a in [*(c.get("command") or []), *(c.get("args") or [])]]


def probe_port(c: Mapping[str, Any], probe: str) -> tuple[int, str]:
    """(containerPort, path) of a container's httpGet probe, a named port resolved."""
    get = c[probe]["httpGet"]
    port = get["port"]
    if isinstance(port, str):
        named = [p["containerPort"] for p in c.get("ports") or [] if p.get("name") == port]
        assert named, f"{probe} names port {port!r}, which the container does not declare"
        port = named[0]
    return int(port), str(get["path"])


@dataclass
class Prepared:
    """A pod's runner container made runnable here, its init container already run."""

    rendered: dict[str, Any]  # the runner container as rendered
    argv: list[str]           # its command + args, mount paths rewritten
    env: dict[str, str]       # its env, downward API filled in
    volumes: Volumes
    installed: Path           # the ticker the init container put into the bin emptyDir
    pod_port: int             # the port of the rendered --listen


def prepare(pod: Mapping[str, Any], runner_container: str, root: Path, processes: Processes,
            ticker_binary: Path, downward: Mapping[str, str]) -> Prepared:
    """Run the pod's first init container (`ticker install /periodic/bin`, with `ticker` on
    PATH as in the runner image) on temp-dir volumes; return the runner container ready to run."""
    volumes = Volumes.for_pod(pod, root)
    base = {"PATH": f"{ticker_binary.parent}{os.pathsep}{os.environ['PATH']}"}
    install = pod["initContainers"][0]
    assert install["name"] == "periodic-install", [c["name"] for c in pod["initContainers"]]
    mounts = volumes.mounts(install)
    done = processes.run(container_argv(install, mounts), container_env(install, mounts, downward, base))
    assert done.returncode == 0, f"{install['command']}: exit {done.returncode}: {done.stderr}"
    installed = volumes.dirs["periodic-bin"] / "ticker"
    assert installed.read_bytes() == ticker_binary.read_bytes(), "install did not copy the runner"
    assert installed.stat().st_mode & 0o777 == 0o755, oct(installed.stat().st_mode)
    rendered = container(pod, runner_container)
    mounts = volumes.mounts(rendered)
    argv = container_argv(rendered, mounts)
    assert argv[0] == str(installed), f"the runner container does not run the installed ticker: {argv[:1]}"
    pod_port = int(flag_value(argv, "--listen").rsplit(":", 1)[1])
    return Prepared(rendered, argv, container_env(rendered, mounts, downward, base), volumes, installed, pod_port)


# --- processes ---------------------------------------------------------------------------


@dataclass
class Started:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stderr_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines() if self.log.exists() else []

    def run_records(self) -> list[dict[str, Any]]:
        """The runner's one JSON line per run (`"msg": "run"`)."""
        records = []
        for line in self.stderr_lines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict) and rec.get("msg") == "run":
                records.append(rec)
        return records

    def tail(self, n: int = 25) -> str:
        return "\n".join(self.stderr_lines()[-n:])


class Processes:
    """Starts processes for one test and, at teardown, ends them and all they left."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.marker = secrets.token_hex(8)
        self.started: list[Started] = []

    def env(self, env: Mapping[str, str]) -> dict[str, str]:
        return {**env, MARKER_ENV: self.marker}

    def run(self, argv: Sequence[str], env: Mapping[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(argv), env=self.env(env), capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> Started:
        log = self.workdir / f"{name}.stderr"
        with log.open("ab") as out:
            # Own process group and death with the test process (a hard kill of pytest
            # leaves no runner behind); the runner's runs get groups of their own anyway.
            proc = subprocess.Popen(list(argv), env=self.env(env), stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        started = Started(name, proc, log)
        self.started.append(started)
        return started

    def marked_pids(self) -> list[int]:
        """Live processes carrying this test's marker (zombies have no environ: skipped)."""
        needle = f"{MARKER_ENV}={self.marker}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    def cleanup(self) -> None:
        for s in self.started:
            if s.proc.poll() is None:
                s.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 3
        for s in self.started:
            try:
                s.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                s.proc.kill()
                s.proc.wait(5)
        for _ in range(5):  # runs and leftovers: what carries our marker, nothing else
            pids = self.marked_pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)


def alive(pid: int) -> bool:
    """Whether pid is a live process (a zombie is dead: it runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def group_members(pgid: int) -> list[tuple[int, str]]:
    """(pid, state) of every process, zombies included, whose process group is pgid."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            members.append((int(entry.name), fields[0]))
    return members


# --- HTTP --------------------------------------------------------------------------------


def http_get(url: str, timeout: float = 3, headers: Mapping[str, str] | None = None,
             context: ssl.SSLContext | None = None, method: str = "GET",
             body: object | None = None) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")
    except (urllib.error.URLError, OSError) as err:
        return 0, str(err)


def metric(text: str, name: str, labels: str = "") -> float | None:
    """The value of one sample in Prometheus text format (`labels` as written: `result="x"`)."""
    pattern = re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" (\S+)$"
    for line in text.splitlines():
        m = re.match(pattern, line)
        if m:
            return float(m.group(1))
    return None


# --- time --------------------------------------------------------------------------------


def rfc3339_ns(text: str) -> int:
    """Nanoseconds since the epoch of an RFC 3339 UTC time with any fraction (exact)."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z", text)
    assert m, f"not an RFC 3339 UTC time: {text!r}"
    whole = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    frac = (m.group(2) or "").ljust(9, "0")
    return int(whole.timestamp()) * 1_000_000_000 + int(frac)


def wall_ns(text: str) -> int:
    """Nanoseconds of `date +%s.%N` output."""
    sec, _, frac = text.partition(".")
    return int(sec) * 1_000_000_000 + int(frac.ljust(9, "0")[:9])
