"""An in-memory `Kube` that records every request. It never opens a socket: a handler
test that reached a real client would fail (the e2e layer is the place for that)."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from periodic_operator.kube import Manifest, NotFound, Ref, Rejected

_uids = itertools.count(1)


class FakeKube:
    def __init__(self) -> None:
        self.objects: dict[Ref, Manifest] = {}
        self.requests: list[tuple[str, str]] = []
        self.events: list[tuple[str, str, str]] = []
        self.reject: dict[str, str] = {}  # kind -> message of a 422 to answer with
        self._rv = itertools.count(100)

    # --- helpers for tests -------------------------------------------------------------
    def add(self, obj: Manifest) -> Manifest:
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        meta.setdefault("uid", f"uid-{next(_uids)}")
        meta.setdefault("generation", 1)
        meta["resourceVersion"] = str(next(self._rv))
        self.objects[Ref.of(obj)] = obj
        return copy.deepcopy(obj)

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "get" and r[0] != "list"]

    def finish_deletions(self) -> None:
        """What the garbage collector does once dependents are gone."""
        for ref, obj in list(self.objects.items()):
            if obj["metadata"].get("deletionTimestamp"):
                del self.objects[ref]

    # --- the Kube protocol -------------------------------------------------------------
    def get(self, ref: Ref) -> Manifest | None:
        self.requests.append(("get", f"{ref.kind}/{ref.name}"))
        found = self.objects.get(ref)
        return copy.deepcopy(found) if found is not None else None

    def list(self, api_version: str, kind: str, namespace: str, label_selector: str = "") -> list[Manifest]:
        self.requests.append(("list", kind))
        return [copy.deepcopy(o) for r, o in self.objects.items() if r.kind == kind and r.namespace == namespace]

    def apply(self, manifest: Manifest) -> Manifest:
        ref = Ref.of(manifest)
        self.requests.append(("apply", f"{ref.kind}/{ref.name}"))
        if ref.kind in self.reject:
            raise Rejected(self.reject[ref.kind], 422)
        existing = self.objects.get(ref)
        obj = copy.deepcopy(manifest)
        meta = obj["metadata"]
        meta["uid"] = existing["metadata"]["uid"] if existing else f"uid-{next(_uids)}"
        meta["resourceVersion"] = str(next(self._rv))
        meta["generation"] = (existing["metadata"].get("generation", 1) + 1) if existing else 1
        if existing and "status" in existing:
            obj["status"] = existing["status"]
        self.objects[ref] = obj
        return copy.deepcopy(obj)

    def delete(self, ref: Ref, *, foreground: bool) -> None:
        self.requests.append(("delete-foreground" if foreground else "delete", f"{ref.kind}/{ref.name}"))
        obj = self.objects.get(ref)
        if obj is None:
            return
        if foreground:
            obj["metadata"]["deletionTimestamp"] = "2024-07-01T00:00:00Z"
        else:
            del self.objects[ref]

    def patch_status(self, ref: Ref, patch: Manifest) -> Manifest:
        self.requests.append(("patch-status", f"{ref.kind}/{ref.name}"))
        obj = self.objects.get(ref)
        if obj is None:
            raise NotFound("not found", 404)
        obj["status"] = _merge(obj.get("status") or {}, patch["status"])
        obj["metadata"]["resourceVersion"] = str(next(self._rv))
        return copy.deepcopy(obj)

    def post_event(self, regarding: Manifest, event_type: str, reason: str, message: str) -> None:
        self.requests.append(("event", f"{event_type}/{reason}"))
        self.events.append((event_type, reason, message))


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
