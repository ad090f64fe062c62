"""A real, local Kubernetes control plane on loopback, for tests and the main job.

etcd → kube-apiserver → kube-controller-manager → kube-scheduler → KWOK, built from their Go
modules by `build.sh` (cached outside the repo), each on a free 127.0.0.1 port, with a fresh
CA, certificates, service-account key pair and one kubeconfig in a temp dir per session.
One fake node is managed by KWOK so that pods "run" (KWOK's fast stages: Ready at once,
Job-owned pods Succeeded, deleted pods removed).

Usage as a library: `with ControlPlane.start() as cp: cp.kubeconfig ...`.
Usage from a shell: `python tests/controlplane/cluster.py up` (runs until Ctrl-C).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER_KEY = "periodic.dev/harness-session"  # written into the kubeconfig we create
FAKE_NODE = "kwok-node-0"
START_TIMEOUT = 120.0


class HarnessError(RuntimeError):
    """The control plane could not be built, started or verified."""


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: if the test process is killed hard, the components die with it
    # instead of lingering on ports; finalizers still stop them in order on a normal exit.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    os.setpgrp()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_binaries() -> dict[str, Path]:
    """Runs build.sh (a no-op when cached); returns the bin dir of each component."""
    out = subprocess.run(["bash", str(HERE / "build.sh")], check=False, capture_output=False,
                         stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        raise HarnessError(f"build.sh failed with exit {out.returncode}")
    dirs = [Path(line) for line in out.stdout.split() if line.strip()]
    names = ["k8s", "etcd", "kwok", "helm"]
    if len(dirs) != len(names):
        raise HarnessError(f"build.sh printed {out.stdout!r}, expected {len(names)} dirs")
    return dict(zip(names, dirs))


def _openssl(*args: str, cwd: Path) -> None:
    res = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        raise HarnessError(f"openssl {' '.join(args[:2])} failed: {res.stderr.strip()}")


def make_pki(pki: Path) -> None:
    """CA, apiserver serving cert, admin client cert (system:masters), SA signing pair."""
    pki.mkdir(parents=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2", "-subj", "/CN=periodic-harness-ca", cwd=pki)
    sans = "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes," \
           "DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    for name, subj, ext in [
        ("apiserver", "/CN=kube-apiserver", sans + "\nextendedKeyUsage=serverAuth"),
        ("admin", "/O=system:masters/CN=harness-admin", "extendedKeyUsage=clientAuth"),
    ]:
        (pki / f"{name}.ext").write_text(ext + "\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", subj, cwd=pki)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext", cwd=pki)
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=pki)
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=pki)


def write_kubeconfig(path: Path, server: str, pki: Path, marker: str) -> None:
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "harness",
        "clusters": [{"name": "harness", "cluster": {
            "server": server, "certificate-authority": str(pki / "ca.crt")}}],
        "users": [{"name": "admin", "user": {
            "client-certificate": str(pki / "admin.crt"), "client-key": str(pki / "admin.key")}}],
        "contexts": [{"name": "harness", "context": {"cluster": "harness", "user": "admin"}}],
        "preferences": {},
        "extensions": [{"name": MARKER_KEY, "extension": {"session": marker}}],
    }
    path.write_text(json.dumps(config, indent=1))  # JSON is valid YAML for every client


@dataclass
class Component:
    name: str
    argv: list[str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            tail = self.log.read_text(errors="replace").splitlines()[-15:]
            raise HarnessError(f"{self.name} exited with {self.proc.returncode}:\n" + "\n".join(tail))

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


@dataclass
class ControlPlane:
    """A running control plane. Use `ControlPlane.start()` as a context manager."""

    workdir: Path
    bins: dict[str, Path]
    marker: str = field(default_factory=lambda: secrets.token_hex(16))
    components: list[Component] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)
    keep_workdir: bool = False

    @property
    def kubeconfig(self) -> Path:
        return self.workdir / "kubeconfig"

    @property
    def pki(self) -> Path:
        return self.workdir / "pki"

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.ports['apiserver']}"

    def kubectl_path(self) -> Path:
        return self.bins["k8s"] / "kubectl"

    def helm_path(self) -> Path:
        return self.bins["helm"] / "helm"

    @classmethod
    @contextlib.contextmanager
    def start(cls, workdir: Path | None = None, keep_workdir: bool = False) -> Iterator[ControlPlane]:
        bins = build_binaries()
        tmp = workdir or Path(tempfile.mkdtemp(prefix="periodic-cp-"))
        cp = cls(workdir=tmp, bins=bins, keep_workdir=keep_workdir)
        try:
            cp._boot()
            yield cp
        finally:
            cp.stop()

    def stop(self) -> None:
        for comp in reversed(self.components):
            comp.stop()
        self.components.clear()
        if not self.keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # --- booting -------------------------------------------------------------------------
    def _boot(self) -> None:
        make_pki(self.pki)
        for name in ["etcd", "etcd_peer", "apiserver", "kcm", "scheduler", "kwok"]:
            self.ports[name] = free_port()
        write_kubeconfig(self.kubeconfig, self.server, self.pki, self.marker)
        self._launch(self._etcd_argv(), "etcd", lambda: self._http_ok(
            f"http://127.0.0.1:{self.ports['etcd']}/health"))
        self._launch(self._apiserver_argv(), "kube-apiserver", self._apiserver_ready)
        self._launch(self._kcm_argv(), "kube-controller-manager", lambda: self._https_ok(
            self.ports["kcm"], "/healthz") and self._default_sa_exists("default"))
        self._launch(self._scheduler_argv(), "kube-scheduler", lambda: self._https_ok(
            self.ports["scheduler"], "/healthz"))
        self._create_fake_node()
        self._launch(self._kwok_argv(), "kwok", self._node_ready)

    def _launch(self, argv: list[str], name: str, ready: Callable[[], bool]) -> None:
        comp = Component(name, argv, self.workdir / f"{name}.log")
        self.components.append(comp)
        comp.start()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            comp.check_alive()
            if ready():
                return
            time.sleep(0.2)
        raise HarnessError(f"{name} not ready after {START_TIMEOUT:.0f}s; log: {comp.log}")

    def _etcd_argv(self) -> list[str]:
        client = f"http://127.0.0.1:{self.ports['etcd']}"
        peer = f"http://127.0.0.1:{self.ports['etcd_peer']}"
        return [str(self.bins["etcd"] / "etcd"), "--name=harness", f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls={client}", f"--advertise-client-urls={client}",
                f"--listen-peer-urls={peer}", f"--initial-advertise-peer-urls={peer}",
                f"--initial-cluster=harness={peer}", "--unsafe-no-fsync", "--log-level=warn"]

    def _apiserver_argv(self) -> list[str]:
        p = self.pki
        return [str(self.bins["k8s"] / "kube-apiserver"),
                f"--etcd-servers=http://127.0.0.1:{self.ports['etcd']}",
                "--bind-address=127.0.0.1", f"--secure-port={self.ports['apiserver']}",
                "--advertise-address=127.0.0.1", "--endpoint-reconciler-type=none",
                f"--tls-cert-file={p / 'apiserver.crt'}", f"--tls-private-key-file={p / 'apiserver.key'}",
                f"--client-ca-file={p / 'ca.crt'}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={p / 'sa.pub'}",
                f"--service-account-signing-key-file={p / 'sa.key'}",
                "--service-cluster-ip-range=10.0.0.0/24", "--authorization-mode=Node,RBAC",
                "--v=1"]

    def _component_common(self, port_name: str) -> list[str]:
        kc = str(self.kubeconfig)
        return [f"--kubeconfig={kc}", f"--authentication-kubeconfig={kc}", f"--authorization-kubeconfig={kc}",
                "--leader-elect=false", "--bind-address=127.0.0.1", f"--secure-port={self.ports[port_name]}"]

    def _kcm_argv(self) -> list[str]:
        return [str(self.bins["k8s"] / "kube-controller-manager"), *self._component_common("kcm"),
                f"--service-account-private-key-file={self.pki / 'sa.key'}",
                f"--root-ca-file={self.pki / 'ca.crt'}", "--use-service-account-credentials=true",
                "--controllers=*", "--v=1"]

    def _scheduler_argv(self) -> list[str]:
        return [str(self.bins["k8s"] / "kube-scheduler"), *self._component_common("scheduler"), "--v=1"]

    def _kwok_argv(self) -> list[str]:
        return [str(self.bins["kwok"] / "kwok"), f"--kubeconfig={self.kubeconfig}",
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--node-ip=127.0.0.1", f"--server-address=127.0.0.1:{self.ports['kwok']}",
                # The heartbeat-with-lease stage renews the node Lease only when this is set;
                # without it the node-lifecycle controller marks the node NotReady after 40s.
                "--node-lease-duration-seconds=40",
                f"--config={self.bins['kwok'] / 'stages.yaml'}"]

    # --- probes --------------------------------------------------------------------------
    def _ssl_context(self, client_cert: bool) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.pki / "ca.crt"))
        if client_cert:
            ctx.load_cert_chain(str(self.pki / "admin.crt"), str(self.pki / "admin.key"))
        return ctx

    @staticmethod
    def _http_ok(url: str, ctx: ssl.SSLContext | None = None) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2, context=ctx) as resp:
                return bool(resp.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def _https_ok(self, port: int, path: str) -> bool:
        # Controller manager and scheduler serve self-signed certs; only liveness is read.
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return self._http_ok(f"https://127.0.0.1:{port}{path}", ctx)

    def api(self, method: str, path: str, body: object | None = None) -> tuple[int, dict[str, object]]:
        """A raw call to the API server as the harness admin; returns (status, decoded JSON)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10, context=self._ssl_context(True)) as resp:
                return resp.status, _decode(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, _decode(err.read())
        except (urllib.error.URLError, OSError) as err:
            return 0, {"message": str(err)}

    def _apiserver_ready(self) -> bool:
        status, _ = self.api("GET", "/readyz")
        return status == 200 and self.api("GET", "/api/v1/namespaces/default")[0] == 200

    def _default_sa_exists(self, namespace: str) -> bool:
        return self.api("GET", f"/api/v1/namespaces/{namespace}/serviceaccounts/default")[0] == 200

    def _create_fake_node(self) -> None:
        node = {"apiVersion": "v1", "kind": "Node", "metadata": {
            "name": FAKE_NODE, "annotations": {"kwok.x-k8s.io/node": "fake"},
            "labels": {"type": "kwok", "kubernetes.io/hostname": FAKE_NODE, "kubernetes.io/os": "linux"}},
            "spec": {}}
        status, body = self.api("POST", "/api/v1/nodes", node)
        if status not in (201, 409):
            raise HarnessError(f"creating fake node: HTTP {status}: {body.get('message')}")

    def _node_ready(self) -> bool:
        status, node = self.api("GET", f"/api/v1/nodes/{FAKE_NODE}")
        if status != 200:
            return False
        conds = node.get("status", {}).get("conditions", [])  # type: ignore[union-attr]
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)
        taints = node.get("spec", {}).get("taints") or []  # type: ignore[union-attr]
        # The node-lifecycle controller removes the not-ready taint once the node is Ready.
        return ready and not any(t.get("key", "").startswith("node.kubernetes.io/not-ready") for t in taints)

    def create_namespace(self, prefix: str) -> str:
        """A fresh namespace `<prefix>-<random>`, ready for pods (its default ServiceAccount exists)."""
        name = f"{prefix}-{secrets.token_hex(4)}"
        status, body = self.api("POST", "/api/v1/namespaces",
                                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        if status != 201:
            raise HarnessError(f"creating namespace {name}: HTTP {status}: {body.get('message')}")
        self.wait_namespace_ready(name)
        return name

    def wait_namespace_ready(self, namespace: str, timeout: float = 60.0) -> None:
        """Pods are refused in a namespace until its `default` ServiceAccount exists."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._default_sa_exists(namespace):
                return
            time.sleep(0.1)
        raise HarnessError(f"namespace {namespace}: default ServiceAccount never appeared")

    def check_own_kubeconfig(self, path: Path) -> None:
        """Refuse any kubeconfig this harness did not create (never touch a real cluster)."""
        refuse_foreign_kubeconfig(path, self.marker)


def _decode(raw: bytes) -> dict[str, object]:
    """JSON bodies decoded; plain ones (`/readyz` says `ok`) kept under "text"."""
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {"text": raw.decode(errors="replace")}
    return value if isinstance(value, dict) else {"value": value}


def refuse_foreign_kubeconfig(path: Path, marker: str) -> None:
    try:
        config = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise HarnessError(f"refusing kubeconfig {path}: not one this harness wrote ({err})") from None
    marks = [e.get("extension", {}).get("session") for e in config.get("extensions", [])
             if e.get("name") == MARKER_KEY]
    servers = [c["cluster"]["server"] for c in config.get("clusters", [])]
    if marks != [marker] or not all(s.startswith("https://127.0.0.1:") for s in servers):
        raise HarnessError(f"refusing kubeconfig {path}: not created by this harness session")


def stop_on_signals() -> threading.Event:
    """An Event set by SIGTERM or SIGINT: the long-running commands stop cleanly on either."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    signal.signal(signal.SIGINT, lambda _signum, _frame: stop.set())
    return stop


def main(argv: list[str]) -> int:
    if argv[1:2] != ["up"]:
        print("usage: cluster.py up   (starts the control plane and waits for Ctrl-C)", file=sys.stderr)
        return 2
    started = time.monotonic()
    workdir = Path(os.environ.get("PERIODIC_CP_DIR") or tempfile.mkdtemp(prefix="periodic-cp-"))
    if workdir.exists() and any(workdir.iterdir()):
        print(f"cluster.py: {workdir} is not empty; choose a fresh PERIODIC_CP_DIR", file=sys.stderr)
        return 2
    stop = stop_on_signals()
    with ControlPlane.start(workdir=workdir, keep_workdir=False) as cp:
        print(f"control plane up in {time.monotonic() - started:.1f}s", flush=True)
        print(f"export KUBECONFIG={cp.kubeconfig}", flush=True)
        print(f"export PATH={cp.bins['k8s']}:{cp.bins['helm']}:$PATH", flush=True)
        while not stop.wait(0.5):
            for comp in cp.components:
                comp.check_alive()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
