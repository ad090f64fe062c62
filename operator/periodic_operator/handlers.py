"""kopf glue: watches PeriodicTasks and the children they own, and calls `reconcile`.

No finalizers, timers, daemons or delete handlers anywhere (deletion never hangs; children
go by ownerReferences). A task is reconciled on create/resume/spec update, and whenever a
watch shows one of its children change or vanish — so a hand edit is put back and a deleted
child comes back without polling. kopf writes nothing of its own into status: its progress
lives in `periodic.dev/*` annotations and handlers return nothing; kopf's own Event posting
is off — the operator posts its Events itself (Normal on a decision change, Warning on a
refused spec).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import kopf

from .kube import ApiKube, Kube, KubeError, Manifest, Ref, Transient
from .mirroring import mirror_delay
from .reconcile import ChildCache, Result, reconcile
from .settings import Settings
from .spec import API_VERSION, KIND

GROUP, VERSION, PLURAL = "periodic.dev", "v1alpha1", "periodictasks"
MANAGED = {"app.kubernetes.io/managed-by": "periodic-operator"}
CHILD_RESOURCES = (("batch", "v1", "cronjobs"), ("batch", "v1", "jobs"), ("apps", "v1", "deployments"),
                   ("coordination.k8s.io", "v1", "leases"), ("", "v1", "serviceaccounts"),
                   ("rbac.authorization.k8s.io", "v1", "roles"),
                   ("rbac.authorization.k8s.io", "v1", "rolebindings"))
log = logging.getLogger("periodic_operator")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def start_timer(wait: float, call: Callable[[], None]) -> None:
    timer = threading.Timer(wait, call)
    timer.daemon = True
    timer.start()


@dataclass
class Runtime:
    """State shared by the handlers of one operator process."""

    kube: Kube
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    monotonic: Callable[[], float] = time.monotonic
    later: Callable[[float, Callable[[], None]], None] = start_timer
    cache: ChildCache = field(default_factory=ChildCache)
    tasks: dict[tuple[str, str], Manifest] = field(default_factory=dict)
    _locks: dict[tuple[str, str], threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _mirrored: dict[tuple[str, str], float] = field(default_factory=dict)
    _pending: set[tuple[str, str]] = field(default_factory=set)
    _periods: dict[tuple[str, str], timedelta] = field(default_factory=dict)

    def lock(self, key: tuple[str, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def reconcile_body(self, body: Manifest, retry: int = 0) -> Result:
        key = (body["metadata"]["namespace"], body["metadata"]["name"])
        with self.lock(key):
            # A newer copy from the task watch (e.g. with the status we just wrote) wins.
            current = self.tasks.get(key, body)
            if _rv(current) < _rv(body):
                current = body
            result = reconcile(current, self.kube, self.cache, self.settings, self.clock(), retry)
            self._mirrored[key] = self.monotonic()
            timing = result.plan.outcome.timing
            if timing is not None:
                self._periods[key] = timing.shortest_period
            if result.task_after is not None and _rv(result.task_after) >= _rv(self.tasks.get(key, {"metadata": {}})):
                # The next reconcile must judge "changed?" against the status just written,
                # not an older copy still on its way through the watch (one Event per change).
                self.tasks[key] = result.task_after
            _log_result(key, result)
            return result

    def reconcile_by_name(self, namespace: str, name: str) -> None:
        body = self.tasks.get((namespace, name))
        if body is None:
            body = self.kube.get(Ref(API_VERSION, KIND, namespace, name))
        if body is None or body["metadata"].get("deletionTimestamp"):
            return
        try:
            self.reconcile_body(body)
        except KubeError as err:
            log.warning("reconcile of %s/%s after a child event failed: %s", namespace, name, err)

    def mirror_later(self, namespace: str, name: str, old: Mapping[str, str], new: Mapping[str, str]) -> None:
        """Mirror a change of the Lease's run annotations into status, when `mirror_delay` says."""
        key = (namespace, name)
        last = self._mirrored.get(key)
        wait = mirror_delay(old, new, self._periods.get(key), None if last is None else self.monotonic() - last)
        if wait is None:
            return
        if wait <= 0:
            self.reconcile_by_name(namespace, name)
            return
        with self._guard:
            if key in self._pending:
                return
            self._pending.add(key)

        def fire() -> None:
            with self._guard:
                self._pending.discard(key)
            self.reconcile_by_name(namespace, name)
        self.later(wait, fire)


def _log_result(key: tuple[str, str], result: Result) -> None:
    where = f"{key[0]}/{key[1]}"
    for what in result.applied:
        log.info("%s: applied %s", where, what)
    for what in result.deleted:
        log.info("%s: deleted %s", where, what)
    if result.rejected is not None:
        log.warning("%s: child rejected by the API server: %s", where, result.rejected)
    elif not result.plan.valid and result.status_written:
        log.warning("%s: spec refused (%s): %s", where, result.plan.decision, result.plan.reason)


def _rv(obj: Manifest) -> int:
    try:
        return int(obj["metadata"].get("resourceVersion", 0))
    except (TypeError, ValueError):
        return 0


def owning_task(obj: Manifest, cache: ChildCache) -> tuple[str, str] | None:
    """(namespace, name) of the task a child belongs to; Jobs go via their CronJob."""
    meta = obj.get("metadata", {})
    for ref in meta.get("ownerReferences") or []:
        if ref.get("kind") == KIND and ref.get("apiVersion", "").startswith(GROUP + "/"):
            return meta.get("namespace", ""), str(ref.get("name"))
        if ref.get("kind") == "CronJob":
            parent = cache.get(Ref("batch/v1", "CronJob", meta.get("namespace", ""), str(ref.get("name"))))
            if parent is not None:
                return owning_task(parent, cache)
    return None


def on_child_event(rt: Runtime, event_type: str, body: Manifest) -> None:
    before = rt.cache.get(Ref.of(body))
    if event_type == "DELETED":
        rt.cache.remove(body)
    else:
        rt.cache.put(body)
    owner = owning_task(body if event_type != "DELETED" or before is None else before, rt.cache)
    if owner is None:
        return
    if body.get("kind") == "Lease" and event_type == "MODIFIED":
        notes = body["metadata"].get("annotations") or {}
        old = (before or {}).get("metadata", {}).get("annotations") or {}
        rt.mirror_later(*owner, old, notes)
        return
    rt.reconcile_by_name(*owner)


def build_registry(rt: Runtime) -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
        # kopf's own readers: they look at $KUBECONFIG when called, not when imported.
        return kopf.login_with_service_account(**kwargs) or kopf.login_with_kubeconfig(**kwargs)

    kopf.on.login(registry=registry)(login)

    def on_task(body: kopf.Body, retry: int, **_: Any) -> None:
        try:
            result = rt.reconcile_body(_plain(body), retry)
        except Transient as err:
            raise kopf.TemporaryError(f"API server: {err.message}", delay=10) from None
        if result.retry_after is not None:
            why = result.rejected or "waiting (name collision or a workload being replaced)"
            raise kopf.TemporaryError(why, delay=result.retry_after)

    for decorator in (kopf.on.create, kopf.on.resume):
        decorator(GROUP, VERSION, PLURAL, registry=registry)(on_task)
    kopf.on.update(GROUP, VERSION, PLURAL, field="spec", registry=registry)(on_task)

    def on_task_event(type: str | None, body: kopf.Body, **_: Any) -> None:
        key = (body["metadata"]["namespace"], body["metadata"]["name"])
        if type == "DELETED":
            rt.tasks.pop(key, None)
            return
        plain = _plain(body)
        if _rv(plain) >= _rv(rt.tasks.get(key, {"metadata": {}})):
            rt.tasks[key] = plain
        observed = (plain.get("status") or {}).get("observedGeneration")
        if observed is not None and plain["metadata"].get("generation", 0) > observed:
            # A new spec while kopf may still be waiting out a retry backoff for the old
            # one (e.g. a rejected child the user just fixed): act on it now.
            rt.reconcile_by_name(*key)

    kopf.on.event(GROUP, VERSION, PLURAL, registry=registry)(on_task_event)

    def on_child(type: str | None, body: kopf.Body, **_: Any) -> None:
        on_child_event(rt, type or "ADDED", _plain(body))

    for group, version, plural in CHILD_RESOURCES:
        kopf.on.event(group, version, plural, labels=MANAGED, registry=registry,
                      id=f"child-{plural}")(on_child)
    return registry


def _plain(body: kopf.Body) -> Manifest:
    """A detached dict copy of kopf's live body view."""
    return copy.deepcopy(dict(body))


def operator_settings(settings: Settings) -> kopf.OperatorSettings:
    kopf_settings = kopf.OperatorSettings()
    kopf_settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix="periodic.dev")
    kopf_settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix="periodic.dev", key="last-handled-configuration")
    kopf_settings.persistence.finalizer = "periodic.dev/kopf-finalizer"  # never added: no delete handlers
    kopf_settings.posting.enabled = False
    kopf_settings.execution.max_workers = 8
    return kopf_settings


def run(settings: Settings, *, namespaces: Collection[str] = (), kube: Kube | None = None,
        stop_flag: threading.Event | None = None, ready_flag: threading.Event | None = None,
        liveness_endpoint: str | None = None) -> None:
    """Run the operator until `stop_flag` is set (or SIGINT/SIGTERM)."""
    rt = Runtime(kube or ApiKube.from_environment(settings.field_manager), settings)
    asyncio.run(kopf.operator(
        registry=build_registry(rt), settings=operator_settings(settings), standalone=True,
        clusterwide=not namespaces, namespaces=list(namespaces), stop_flag=stop_flag, ready_flag=ready_flag,
        liveness_endpoint=liveness_endpoint))
