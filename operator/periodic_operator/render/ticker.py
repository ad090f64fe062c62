"""The ticker workload: a one-replica Deployment whose pod runs the `ticker` runner.

Pod shape (DESIGN "The runner contract"):
- an emptyDir `periodic-bin`, filled by the init container `periodic-install`
  (`ticker install /periodic/bin`, image = setting `runnerImage`), and an emptyDir
  `periodic-state` for `--state-dir`;
- Exec trigger: containers[0] runs `/periodic/bin/ticker FLAGS -- COMMAND ARGS…` (its
  `args` folded in), with the runner's `metrics` port, /healthz liveness, /readyz readiness;
- Http trigger: containers[0] stays the app; the runner is the native sidecar
  `periodic-ticker` (an initContainer with restartPolicy Always, last of the init
  containers) running `/periodic/bin/ticker FLAGS --http http://127.0.0.1:PORT/PATH`.
The pod restarts Always, runs as the template's ServiceAccount or one of our own, and gets
`terminationGracePeriodSeconds` = timeout + kill grace + 10s, so a run in flight can end.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from ..decide import Timing, Warning
from ..schedule import format_duration
from ..settings import Settings
from ..spec import Task
from . import resources, support
from .common import (Manifest, RenderError, ceil_seconds, child_name, object_meta, pod_metadata,
                     pod_spec_copy, set_operator_field)
from .common import labels as our_labels

BIN_DIR = "/periodic/bin"
TICKER = f"{BIN_DIR}/ticker"
STATE_DIR = "/periodic/state"
BIN_VOLUME = "periodic-bin"
STATE_VOLUME = "periodic-state"
INSTALL_CONTAINER = "periodic-install"
RUNNER_CONTAINER = "periodic-ticker"
METRICS_PORT = "metrics"
GRACE_MARGIN = timedelta(seconds=10)
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
# Safe for a static binary that only writes to its mounted emptyDirs.
_RUNNER_SECURITY = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                    "capabilities": {"drop": ["ALL"]}}


def runner_flags(task: Task, timing: Timing, settings: Settings) -> list[str]:
    """The runner's flags, every one explicit so that what runs is what `plan` prints."""
    spec = task.spec
    if timing.interval is not None:
        when = ["--interval", format_duration(timing.interval.period),
                "--cadence", timing.interval.cadence]
    elif timing.cron is not None:
        when = ["--schedule", timing.cron.expression, "--time-zone", timing.zone_name]
    else:
        raise RenderError("spec.schedule", "spec.schedule or spec.interval is required")
    return when + [
        "--jitter-offset", format_duration(timing.offset),
        "--timeout", format_duration(timing.timeout),
        "--kill-grace", format_duration(settings.kill_grace),
        "--retries", str(spec.retries),
        "--concurrency", spec.concurrency_policy,
        "--missed-runs", spec.missed_runs,
        "--state-dir", STATE_DIR,
        "--lease", f"{task.namespace}/{child_name(task)}",
        "--lease-duration", format_duration(settings.lease_duration),
        "--renew-deadline", format_duration(settings.renew_deadline),
        "--listen", f":{settings.runner_port}",
        # PERIODIC_TASK for each run: the task's own name (the Lease's may be hashed, C07).
        "--task", f"{task.namespace}/{task.name}",
    ]


def termination_grace_seconds(timing: Timing, settings: Settings) -> int:
    """Long enough for a run in flight to hit its timeout, be killed, and the Lease released."""
    return ceil_seconds(timing.timeout + settings.kill_grace + GRACE_MARGIN)


def _runner_parts(settings: Settings) -> dict[str, Any]:
    """What the container running the ticker gets: port, probes, mounts, pod identity."""
    def probe(path: str, period: int) -> dict[str, Any]:
        return {"httpGet": {"path": path, "port": METRICS_PORT},
                "periodSeconds": period, "failureThreshold": 3}
    def field_env(name: str, path: str) -> dict[str, Any]:
        return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}
    return {
        # The Lease holder identity: the pod name, even when spec.hostname is shared.
        "env": [field_env("PERIODIC_POD_NAME", "metadata.name"),
                field_env("PERIODIC_POD_NAMESPACE", "metadata.namespace")],
        "ports": [{"name": METRICS_PORT, "containerPort": settings.runner_port, "protocol": "TCP"}],
        "livenessProbe": probe("/healthz", 10),
        "readinessProbe": probe("/readyz", 5),
        "volumeMounts": [{"name": BIN_VOLUME, "mountPath": BIN_DIR, "readOnly": True},
                         {"name": STATE_VOLUME, "mountPath": STATE_DIR}],
    }


def _install_container(settings: Settings) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": INSTALL_CONTAINER,
        "image": settings.runner_image,
        "command": ["ticker", "install", BIN_DIR],
        "resources": {k: dict(v) for k, v in settings.runner_resources.items()},
        "securityContext": copy.deepcopy(_RUNNER_SECURITY),
        "volumeMounts": [{"name": BIN_VOLUME, "mountPath": BIN_DIR}],
    }
    resources.with_gomemlimit(container)
    return container


def _http_sidecar(task: Task, flags: list[str], settings: Settings) -> dict[str, Any]:
    target = task.spec.ticker.http
    if target is None:
        raise RenderError("spec.ticker.http.port", "spec.ticker.http.port is required by the "
                          "Http trigger (the port the app listens on)")
    port, path = target.port, target.path
    if port == settings.runner_port:
        raise RenderError("spec.ticker.http.port", f"spec.ticker.http.port {port} is the "
                          "runner's own port (setting runnerPort); the app needs another")
    parts = _runner_parts(settings)
    container: dict[str, Any] = {
        "name": RUNNER_CONTAINER,
        "image": settings.runner_image,
        "command": [TICKER, *flags, "--http", f"http://127.0.0.1:{port}/{path.lstrip('/')}"],
        **parts,
        "resources": {k: dict(v) for k, v in settings.runner_resources.items()},
        "securityContext": copy.deepcopy(_RUNNER_SECURITY),
        "restartPolicy": "Always",  # a native sidecar: started before, and beside, the app
    }
    resources.with_gomemlimit(container)
    return container


def _wrap_exec(container: dict[str, Any], flags: list[str], settings: Settings,
               warnings: list[Warning]) -> None:
    """Make containers[0] run the ticker, which runs the task's command on schedule."""
    command = container.get("command")
    if not command:
        raise RenderError("spec.template.spec.containers[0].command",
                          "spec.template.spec.containers[0].command is required by the Exec "
                          "trigger (the image's ENTRYPOINT is unknown to the operator)")
    replaced = [key for key in _PROBES if key in container]
    if replaced:
        warnings.append(Warning("ProbeReplaced", f"spec.template.spec.containers[0] "
                                f"{', '.join(replaced)} replaced by the runner's health checks"))
        for key in replaced:
            del container[key]
    container["command"] = [TICKER, *flags, "--", *command, *container.pop("args", [])]
    parts = _runner_parts(settings)
    for key in ("env", "ports", "volumeMounts"):
        container[key] = [*(container.get(key) or []), *parts.pop(key)]
    container.update(parts)


def _check_reserved(pod: dict[str, Any], settings: Settings) -> None:
    """Refuse a template that uses a name or port the runner needs."""
    for index, volume in enumerate(pod.get("volumes") or []):
        if volume.get("name") in (BIN_VOLUME, STATE_VOLUME):
            raise RenderError(f"spec.template.spec.volumes[{index}].name",
                              f"spec.template.spec.volumes[{index}].name {volume['name']!r} "
                              "is reserved for the ticker runner")
    for kind in resources.CONTAINER_KINDS:
        for index, container in enumerate(pod.get(kind) or []):
            field = f"spec.template.spec.{kind}[{index}]"
            if container.get("name") in (INSTALL_CONTAINER, RUNNER_CONTAINER):
                raise RenderError(f"{field}.name", f"{field}.name {container['name']!r} is "
                                  "reserved for the ticker runner")
            for port_index, port in enumerate(container.get("ports") or []):
                if port.get("containerPort") == settings.runner_port:
                    raise RenderError(
                        f"{field}.ports[{port_index}].containerPort",
                        f"{field}.ports[{port_index}].containerPort {settings.runner_port} is "
                        "the ticker runner's port (setting runnerPort)")


def _pod_lifecycle(pod: dict[str, Any], timing: Timing, settings: Settings,
                   warnings: list[Warning]) -> None:
    set_operator_field(pod, "restartPolicy", "Always", warnings)
    if "activeDeadlineSeconds" in pod:  # a Deployment refuses it; the runner's --timeout rules
        del pod["activeDeadlineSeconds"]
        warnings.append(Warning("ActiveDeadlineSecondsRemoved", "spec.template.spec."
                                "activeDeadlineSeconds is not used by a ticker; spec.timeout is"))
    grace = termination_grace_seconds(timing, settings)
    user_grace = pod.get("terminationGracePeriodSeconds")
    if isinstance(user_grace, int) and user_grace >= grace:
        return
    set_operator_field(pod, "terminationGracePeriodSeconds", grace, warnings)


def _service_account(task: Task, pod: dict[str, Any]) -> tuple[str, bool]:
    """The ServiceAccount the pod runs as, and whether it is one we render."""
    if pod.get("automountServiceAccountToken") is False:
        raise RenderError("spec.template.spec.automountServiceAccountToken",
                          "spec.template.spec.automountServiceAccountToken: false leaves the "
                          "ticker runner no token to hold its Lease with")
    named = pod.get("serviceAccountName") or pod.get("serviceAccount")
    if isinstance(named, str) and named:
        return named, False
    pod["serviceAccountName"] = child_name(task)
    return child_name(task), True


def _pod_spec(task: Task, timing: Timing, settings: Settings,
              warnings: list[Warning]) -> dict[str, Any]:
    pod = pod_spec_copy(task)
    _check_reserved(pod, settings)
    resources.inject(pod, settings.default_requests, settings.default_limits)
    flags = runner_flags(task, timing, settings)
    init = [_install_container(settings), *(pod.get("initContainers") or [])]
    if task.spec.ticker.trigger == "Http":
        init.append(_http_sidecar(task, flags, settings))
    else:
        _wrap_exec(pod["containers"][0], flags, settings, warnings)
    pod["initContainers"] = init
    pod["volumes"] = [*(pod.get("volumes") or []),
                      {"name": BIN_VOLUME, "emptyDir": {}}, {"name": STATE_VOLUME, "emptyDir": {}}]
    _pod_lifecycle(pod, timing, settings, warnings)
    return pod


def build(task: Task, timing: Timing, settings: Settings) -> tuple[list[Manifest], list[Warning]]:
    """The ticker's children in apply order — [ServiceAccount (only when the template names
    none), Role, RoleBinding, Lease, Deployment] — and the warnings rendering adds."""
    warnings: list[Warning] = []
    pod = _pod_spec(task, timing, settings, warnings)
    account, own_account = _service_account(task, pod)
    deployment: Manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": object_meta(task),
        "spec": {
            "replicas": 0 if task.spec.suspend else 1,
            # Recreate alone still lets an evicted pod overlap its successor; the Lease guards.
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": our_labels(task)},
            "template": {"metadata": pod_metadata(task, warnings), "spec": pod},
        },
    }
    children = [support.service_account(task)] if own_account else []
    children += [support.role(task), support.role_binding(task, account), support.lease(task),
                 deployment]
    return children, warnings
