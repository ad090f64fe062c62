"""The ticker: Deployment, runner pod shape and flags, support objects and RBAC (C07, C09, C10, C14)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from periodic_operator import render
from periodic_operator.render import ticker
from periodic_operator.render.common import RenderError
from periodic_operator.settings import Settings
from renderkit import container, cron_timing, decision, interval_timing, make_task

SETTINGS = Settings()
SEC = timedelta(seconds=1)
OURS = {"app.kubernetes.io/managed-by": "periodic-operator", "periodic.dev/task": "demo"}
TIMING = interval_timing(5 * SEC, timeout=2 * SEC)
HTTP = {"trigger": "Http", "http": {"port": 8080, "path": "/tick"}}
COMMON_FLAGS = ["--timeout", "2s", "--kill-grace", "5s", "--retries", "0", "--concurrency", "Forbid",
                "--missed-runs", "RunOnce", "--state-dir", "/periodic/state", "--lease", "default/demo",
                "--lease-duration", "15s", "--renew-deadline", "10s", "--listen", ":9090",
                "--task", "default/demo"]
GOMEMLIMIT = {"name": "GOMEMLIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}}
POD_ENV = [{"name": "PERIODIC_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
           {"name": "PERIODIC_POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}]
RUNNER_PARTS = {
    "ports": [{"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
    "livenessProbe": {"httpGet": {"path": "/healthz", "port": "metrics"}, "periodSeconds": 10, "failureThreshold": 3},
    "readinessProbe": {"httpGet": {"path": "/readyz", "port": "metrics"}, "periodSeconds": 5, "failureThreshold": 3},
    "volumeMounts": [{"name": "periodic-bin", "mountPath": "/periodic/bin", "readOnly": True},
                     {"name": "periodic-state", "mountPath": "/periodic/state"}],
}
SECURITY = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
RUNNER_RESOURCES = {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "32Mi"}}


def build(task: Any = None, timing: Any = TIMING, settings: Settings = SETTINGS) -> render.Rendered:
    return render.build(task or make_task(interval=5 * SEC), decision("Ticker", timing), settings)


def kinds(rendered: render.Rendered) -> list[str]:
    return [child["kind"] for child in rendered.children]


def pod_of(rendered: render.Rendered) -> dict[str, Any]:
    pod: dict[str, Any] = rendered.workload["spec"]["template"]["spec"]
    return pod


# --- flags --------------------------------------------------------------------------------

FLAGS = [
    ("interval", {"interval": 5 * SEC}, TIMING,
     ["--interval", "5s", "--cadence", "FixedRate", "--jitter-offset", "0s", *COMMON_FLAGS]),
    ("interval-FixedDelay", {"interval": 90 * SEC, "ticker": {"cadence": "FixedDelay"}},
     interval_timing(90 * SEC, timeout=2 * SEC, cadence="FixedDelay"),
     ["--interval", "1m30s", "--cadence", "FixedDelay", "--jitter-offset", "0s", *COMMON_FLAGS]),
    ("six-field-cron-with-zone", {"schedule": "*/10 * * * * *", "timeZone": "Europe/Berlin"},
     cron_timing("*/10 * * * * *", period=10 * SEC, timeout=2 * SEC, zone="Europe/Berlin", cronjob_schedule=None),
     ["--schedule", "*/10 * * * * *", "--time-zone", "Europe/Berlin", "--jitter-offset", "0s", *COMMON_FLAGS]),
    ("cron-utc", {"schedule": "@hourly"},
     cron_timing("@hourly", period=timedelta(hours=1), timeout=2 * SEC),
     ["--schedule", "@hourly", "--time-zone", "Etc/UTC", "--jitter-offset", "0s", *COMMON_FLAGS]),
]


@pytest.mark.parametrize(("spec", "timing", "flags"), [c[1:] for c in FLAGS], ids=[c[0] for c in FLAGS])
def test_runner_flags(spec: dict[str, Any], timing: Any, flags: list[str]) -> None:
    assert ticker.runner_flags(make_task(**spec), timing, SETTINGS) == flags


def test_flags_from_spec_and_settings() -> None:
    task = make_task(name="report", namespace="team-a", interval=5 * SEC, retries=3, concurrencyPolicy="Replace",
                     missedRuns="Skip", ticker={"jitter": 3 * SEC})
    settings = Settings(kill_grace=2 * SEC, lease_duration=30 * SEC, renew_deadline=20 * SEC, runner_port=9100)
    offset = timedelta(seconds=1, milliseconds=250)
    flags = ticker.runner_flags(task, interval_timing(5 * SEC, timeout=2 * SEC, offset=offset), settings)
    pairs = dict(zip(flags[::2], flags[1::2]))
    assert pairs == {
        "--interval": "5s", "--cadence": "FixedRate",
        "--jitter-offset": "1.25s",
        "--timeout": "2s", "--kill-grace": "2s", "--retries": "3", "--concurrency": "Replace",
        "--missed-runs": "Skip", "--state-dir": "/periodic/state", "--lease": "team-a/report",
        "--lease-duration": "30s", "--renew-deadline": "20s", "--listen": ":9100", "--task": "team-a/report"}


def test_cron_jitter_offset_flag() -> None:
    timing = cron_timing("*/5 * * * *", offset=timedelta(seconds=27, milliseconds=400))
    flags = ticker.runner_flags(make_task(ticker={"jitter": 30 * SEC}), timing, SETTINGS)
    assert flags[flags.index("--jitter-offset") + 1] == "27.4s"


def test_lease_flag_uses_the_hashed_name() -> None:
    name = "nightly-report-aggregation-for-analytics-team-production"
    flags = ticker.runner_flags(make_task(name=name, interval=5 * SEC), TIMING, SETTINGS)
    assert flags[flags.index("--lease") + 1] == "default/nightly-report-aggregation-for-analytics-te-eef0948f"
    assert flags[flags.index("--task") + 1] == f"default/{name}", "PERIODIC_TASK names the task, not the Lease"


# --- the Exec pod ---------------------------------------------------------------------------

def test_exec_pod_shape() -> None:
    task = make_task(interval=5 * SEC, pod={"containers": [container(args=["--fast"])]})
    pod = pod_of(build(task))
    install, = pod["initContainers"]
    assert install == {
        "name": "periodic-install", "image": SETTINGS.runner_image,
        "command": ["ticker", "install", "/periodic/bin"], "resources": RUNNER_RESOURCES,
        "securityContext": SECURITY,
        "volumeMounts": [{"name": "periodic-bin", "mountPath": "/periodic/bin"}], "env": [GOMEMLIMIT]}
    main, = pod["containers"]
    flags = ticker.runner_flags(task, TIMING, SETTINGS)
    assert main == {
        "name": "task", "image": "busybox:1.36",
        "command": ["/periodic/bin/ticker", *flags, "--", "sh", "-c", "date", "--fast"],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}},
        "env": [GOMEMLIMIT, *POD_ENV], **RUNNER_PARTS}
    assert pod["volumes"] == [{"name": "periodic-bin", "emptyDir": {}}, {"name": "periodic-state", "emptyDir": {}}]
    assert pod["restartPolicy"] == "Always"
    assert pod["serviceAccountName"] == "demo"
    assert pod["terminationGracePeriodSeconds"] == 2 + 5 + 10


def test_exec_keeps_the_users_ports_env_mounts_and_containers() -> None:
    main = container(ports=[{"name": "http", "containerPort": 8080}], env=[{"name": "A", "value": "1"}],
                     volumeMounts=[{"name": "data", "mountPath": "/data"}])
    helper = container(name="helper", command=["sleep", "inf"])
    pod = pod_of(build(make_task(interval=5 * SEC, pod={
        "containers": [main, helper], "volumes": [{"name": "data", "emptyDir": {}}],
        "initContainers": [container(name="migrate")]})))
    first = pod["containers"][0]
    assert [p["name"] for p in first["ports"]] == ["http", "metrics"]
    assert [e["name"] for e in first["env"]] == ["A", "GOMEMLIMIT", "PERIODIC_POD_NAME", "PERIODIC_POD_NAMESPACE"]
    assert [m["name"] for m in first["volumeMounts"]] == ["data", "periodic-bin", "periodic-state"]
    assert [c["name"] for c in pod["containers"]] == ["task", "helper"]
    assert pod["containers"][1]["command"] == ["sleep", "inf"]
    assert [c["name"] for c in pod["initContainers"]] == ["periodic-install", "migrate"]
    assert [v["name"] for v in pod["volumes"]] == ["data", "periodic-bin", "periodic-state"]


def test_exec_without_command_refused() -> None:
    bare = {"name": "task", "image": "busybox:1.36"}
    with pytest.raises(RenderError) as caught:
        build(make_task(interval=5 * SEC, pod={"containers": [bare]}))
    assert caught.value.field == "spec.template.spec.containers[0].command"


def test_exec_user_probes_replaced_with_a_warning() -> None:
    main = container(livenessProbe={"exec": {"command": ["true"]}}, startupProbe={"exec": {"command": ["true"]}})
    rendered = build(make_task(interval=5 * SEC, pod={"containers": [main]}))
    first = pod_of(rendered)["containers"][0]
    assert first["livenessProbe"] == RUNNER_PARTS["livenessProbe"] and "startupProbe" not in first
    assert [w.reason for w in rendered.warnings] == ["ProbeReplaced"]


# --- the Http pod ---------------------------------------------------------------------------

def test_http_runner_is_a_native_sidecar() -> None:
    app = container(name="app", command=["serve"], ports=[{"name": "http", "containerPort": 8080}])
    task = make_task(interval=5 * SEC, ticker={"trigger": "Http", "http": {"port": 8080, "path": "/jobs/tick"}},
                     pod={"containers": [app], "initContainers": [container(name="migrate")]})
    pod = pod_of(build(task))
    assert [c["name"] for c in pod["initContainers"]] == ["periodic-install", "migrate", "periodic-ticker"]
    sidecar = pod["initContainers"][-1]
    flags = ticker.runner_flags(task, TIMING, SETTINGS)
    assert sidecar == {
        "name": "periodic-ticker", "image": SETTINGS.runner_image,
        "command": ["/periodic/bin/ticker", *flags, "--http", "http://127.0.0.1:8080/jobs/tick"],
        "env": [*POD_ENV, GOMEMLIMIT], **RUNNER_PARTS, "resources": RUNNER_RESOURCES,
        "securityContext": SECURITY, "restartPolicy": "Always"}
    first = pod["containers"][0]
    assert first["command"] == ["serve"] and first["ports"] == [{"name": "http", "containerPort": 8080}]
    assert "livenessProbe" not in first


def test_http_app_without_command_is_fine() -> None:
    app = {"name": "app", "image": "nginx:1.27"}
    pod = pod_of(build(make_task(interval=5 * SEC, ticker=HTTP, pod={"containers": [app]})))
    assert "command" not in pod["containers"][0]


def test_http_port_equal_to_runner_port_refused() -> None:
    task = make_task(interval=5 * SEC, ticker={"trigger": "Http", "http": {"port": 9090}})
    with pytest.raises(RenderError) as caught:
        build(task)
    assert caught.value.field == "spec.ticker.http.port"


# --- pod lifecycle ---------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "expected", "warned"), [
    (None, 17, False), (60, 60, False), (3, 17, True),
], ids=["default-covers-run", "larger-user-value-kept", "smaller-user-value-raised"])
def test_termination_grace(given: int | None, expected: int, warned: bool) -> None:
    pod_spec: dict[str, Any] = {"containers": [container()]}
    if given is not None:
        pod_spec["terminationGracePeriodSeconds"] = given
    rendered = build(make_task(interval=5 * SEC, pod=pod_spec))
    assert pod_of(rendered)["terminationGracePeriodSeconds"] == expected
    assert [w.reason for w in rendered.warnings] == (["TerminationGracePeriodSecondsOverridden"] if warned else [])


def test_termination_grace_rounds_up() -> None:
    timing = interval_timing(5 * SEC, timeout=timedelta(milliseconds=1500))
    assert ticker.termination_grace_seconds(timing, SETTINGS) == 17


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("restartPolicy", "Never", "RestartPolicyOverridden"),
    ("activeDeadlineSeconds", 600, "ActiveDeadlineSecondsRemoved"),
], ids=["restartPolicy-Always", "activeDeadlineSeconds-dropped"])
def test_operator_owned_pod_fields(field: str, value: Any, reason: str) -> None:
    rendered = build(make_task(interval=5 * SEC, pod={"containers": [container()], field: value}))
    pod = pod_of(rendered)
    assert pod["restartPolicy"] == "Always" and "activeDeadlineSeconds" not in pod
    assert [w.reason for w in rendered.warnings] == [reason]


RESERVED = [
    ("volume", {"containers": [container()], "volumes": [{"name": "periodic-bin", "emptyDir": {}}]},
     "spec.template.spec.volumes[0].name"),
    ("container", {"containers": [container(name="periodic-ticker")]}, "spec.template.spec.containers[0].name"),
    ("init-container", {"containers": [container()], "initContainers": [container(name="periodic-install")]},
     "spec.template.spec.initContainers[0].name"),
    ("runner-port", {"containers": [container(), container(name="b", ports=[{"containerPort": 9090}])]},
     "spec.template.spec.containers[1].ports[0].containerPort"),
    ("no-token", {"containers": [container()], "automountServiceAccountToken": False},
     "spec.template.spec.automountServiceAccountToken"),
]


@pytest.mark.parametrize(("pod", "field"), [c[1:] for c in RESERVED], ids=[c[0] for c in RESERVED])
def test_template_refused(pod: dict[str, Any], field: str) -> None:
    with pytest.raises(RenderError) as caught:
        build(make_task(interval=5 * SEC, pod=pod))
    assert caught.value.field == field
    assert str(caught.value).startswith(field)


# --- the Deployment and its support objects -------------------------------------------------

def test_deployment() -> None:
    deployment = build().workload
    assert deployment["apiVersion"] == "apps/v1" and deployment["kind"] == "Deployment"
    spec = deployment["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "Recreate"}
    assert spec["selector"] == {"matchLabels": OURS}
    assert spec["template"]["metadata"] == {"labels": OURS}


def test_suspended_is_zero_replicas() -> None:
    assert build(make_task(interval=5 * SEC, suspend=True)).workload["spec"]["replicas"] == 0


def test_children_in_apply_order_with_own_service_account() -> None:
    rendered = build()
    assert kinds(rendered) == ["ServiceAccount", "Role", "RoleBinding", "Lease", "Deployment"]
    for child in rendered.children:
        assert child["metadata"] == {
            "name": "demo", "namespace": "default", "labels": OURS,
            "ownerReferences": [{"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask", "name": "demo",
                                 "uid": "uid-1", "controller": True, "blockOwnerDeletion": True}]}


def test_rbac_reaches_exactly_the_lease() -> None:
    sa, role, binding, lease, _ = build().children
    assert sa == {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": sa["metadata"]}
    assert lease == {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": lease["metadata"]}
    assert role["apiVersion"] == "rbac.authorization.k8s.io/v1"
    assert role["rules"] == [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                              "resourceNames": [lease["metadata"]["name"]], "verbs": ["get", "update"]}]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "demo"}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "demo", "namespace": "default"}]


@pytest.mark.parametrize("field", ["serviceAccountName", "serviceAccount"])
def test_template_service_account_used_and_none_rendered(field: str) -> None:
    rendered = build(make_task(interval=5 * SEC, pod={"containers": [container()], field: "reporter"}))
    assert kinds(rendered) == ["Role", "RoleBinding", "Lease", "Deployment"]
    assert rendered.children[1]["subjects"] == [{"kind": "ServiceAccount", "name": "reporter", "namespace": "default"}]
    assert pod_of(rendered)[field] == "reporter"


def test_c07_every_child_named_within_52() -> None:
    name = "nightly-report-aggregation-for-analytics-team-production"
    rendered = build(make_task(name=name, namespace="team-a", interval=5 * SEC))
    hashed = rendered.workload["metadata"]["name"]
    assert len(hashed) <= 52 and hashed.startswith(name[:43] + "-")
    assert {c["metadata"]["name"] for c in rendered.children} == {hashed}
    assert rendered.children[1]["rules"][0]["resourceNames"] == [hashed]
    assert pod_of(rendered)["serviceAccountName"] == hashed
    assert rendered.workload["spec"]["selector"]["matchLabels"]["periodic.dev/task"] == name


def test_c14_user_pod_labels_only_on_the_pod() -> None:
    rendered = build(make_task(interval=5 * SEC, pod_metadata={"labels": {"app.kubernetes.io/instance": "demo-app"}}))
    for child in rendered.children:
        assert child["metadata"]["labels"] == OURS
    assert rendered.workload["spec"]["selector"] == {"matchLabels": OURS}
    assert rendered.workload["spec"]["template"]["metadata"]["labels"] == {
        "app.kubernetes.io/instance": "demo-app", **OURS}


def test_c09_resources_on_the_wrapped_container() -> None:
    main = container(resources={"requests": {"cpu": "0.7", "memory": "256Mi"}})
    first = pod_of(build(make_task(interval=5 * SEC, pod={"containers": [main]})))["containers"][0]
    assert first["resources"] == {"requests": {"cpu": "0.7", "memory": "256Mi"},
                                  "limits": {"cpu": "0.7", "memory": "512Mi"}}


def test_template_never_mutated_and_output_deterministic() -> None:
    task = make_task(interval=5 * SEC, pod={"containers": [container(args=["x"])], "restartPolicy": "Never"})
    before = copy.deepcopy(task.spec.template)
    assert build(task) == build(task)
    assert task.spec.template == before
