"""The only module that talks to the Kubernetes API server.

`Kube` is the small protocol the handlers use; `ApiKube` implements it on the official
client: server-side apply under one field manager, get, list, foreground delete, `/status`
merge patches and Events. API errors become four domain errors: `NotFound`, `Conflict`,
`Rejected` (the server refused the object: 400/422, with its message) and `Transient`
(anything worth retrying: 5xx, 429, 403 while RBAC settles, connection failures).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

Manifest = dict[str, Any]


class KubeError(Exception):
    """Base of the domain errors; `message` is the API server's own words when it sent any."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class NotFound(KubeError):
    pass


class Conflict(KubeError):
    pass


class Rejected(KubeError):
    pass


class Transient(KubeError):
    pass


@dataclass(frozen=True)
class Ref:
    """Which object: apiVersion, kind, namespace ("" for cluster-scoped) and name."""

    api_version: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: Manifest) -> Ref:
        meta = obj.get("metadata", {})
        return cls(obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"])


class Kube(Protocol):
    def get(self, ref: Ref) -> Manifest | None:
        """The object, or None when it does not exist."""

    def list(self, api_version: str, kind: str, namespace: str, label_selector: str = "") -> list[Manifest]:
        """Objects of a kind in a namespace, optionally filtered by labels."""

    def apply(self, manifest: Manifest) -> Manifest:
        """Server-side apply (forced, our field manager); returns the object as stored."""

    def delete(self, ref: Ref, *, foreground: bool) -> None:
        """Delete; foreground keeps the object until its dependents are gone. NotFound is fine."""

    def patch_status(self, ref: Ref, patch: Manifest) -> Manifest:
        """A JSON merge patch to the `/status` subresource."""

    def post_event(self, regarding: Manifest, event_type: str, reason: str, message: str) -> None:
        """A core/v1 Event about `regarding` (Normal or Warning)."""


# (apiVersion, kind) → plural; the operator only ever touches these kinds.
PLURALS: dict[tuple[str, str], str] = {
    ("v1", "ServiceAccount"): "serviceaccounts",
    ("v1", "Pod"): "pods",
    ("v1", "Event"): "events",
    ("batch/v1", "CronJob"): "cronjobs",
    ("batch/v1", "Job"): "jobs",
    ("apps/v1", "Deployment"): "deployments",
    ("coordination.k8s.io/v1", "Lease"): "leases",
    ("rbac.authorization.k8s.io/v1", "Role"): "roles",
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): "rolebindings",
    ("periodic.dev/v1alpha1", "PeriodicTask"): "periodictasks",
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): "customresourcedefinitions",
}


def collection_path(api_version: str, kind: str, namespace: str) -> str:
    plural = PLURALS.get((api_version, kind))
    if plural is None:
        raise ValueError(f"kube.py does not know {api_version} {kind}")
    prefix = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    return f"{prefix}/namespaces/{namespace}/{plural}" if namespace else f"{prefix}/{plural}"


def object_path(ref: Ref) -> str:
    return f"{collection_path(ref.api_version, ref.kind, ref.namespace)}/{ref.name}"


def error_from_status(status: int, body: str, reason: str = "") -> KubeError:
    """Map an HTTP status and body to a domain error carrying the API's message."""
    try:
        message = str(json.loads(body).get("message") or reason)
    except (ValueError, AttributeError):
        message = body.strip() or reason
    if status == 404:
        return NotFound(message, status)
    if status == 409:
        return Conflict(message, status)
    if status in (400, 422):
        return Rejected(message, status)
    return Transient(message or f"HTTP {status}", status)


class ApiKube:
    """`Kube` over kubernetes.client.ApiClient (raw JSON in and out, no model classes)."""

    def __init__(self, api_client: Any, field_manager: str) -> None:
        self._client = api_client
        self._field_manager = field_manager

    @classmethod
    def from_environment(cls, field_manager: str) -> ApiKube:
        """In-cluster credentials when running in a pod, else $KUBECONFIG / ~/.kube/config."""
        import os

        from kubernetes import client, config

        configuration = client.Configuration()
        try:
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        except config.ConfigException:
            # The client reads $KUBECONFIG once at import; read it now instead.
            config.load_kube_config(config_file=os.environ.get("KUBECONFIG"),  # type: ignore[no-untyped-call]
                                    client_configuration=configuration)
        return cls(client.ApiClient(configuration), field_manager)

    def _call(self, method: str, path: str, *, body: Any = None, query: list[tuple[str, str]] | None = None,
              content_type: str = "application/json") -> Manifest:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        try:
            method, url, headers, body, post = self._client.param_serialize(
                method, path, query_params=query or [], body=body, auth_settings=["BearerToken"],
                header_params={"Content-Type": content_type, "Accept": "application/json"})
            response = self._client.call_api(method, url, headers, body, post, _request_timeout=30)
            raw = response.read()
        except ApiException as err:
            raise error_from_status(int(err.status or 0), str(err.body or ""), str(err.reason or "")) from None
        except (HTTPError, OSError) as err:
            raise Transient(f"cannot reach the API server: {err}") from None
        if not 200 <= int(response.status) < 300:
            raise error_from_status(int(response.status), raw.decode(errors="replace"))
        return json.loads(raw) if raw else {}

    def get(self, ref: Ref) -> Manifest | None:
        try:
            return self._call("GET", object_path(ref))
        except NotFound:
            return None

    def list(self, api_version: str, kind: str, namespace: str, label_selector: str = "") -> list[Manifest]:
        query = [("labelSelector", label_selector)] if label_selector else []
        items = self._call("GET", collection_path(api_version, kind, namespace), query=query).get("items", [])
        return [dict(item, apiVersion=api_version, kind=kind) for item in items]

    def apply(self, manifest: Manifest) -> Manifest:
        query = [("fieldManager", self._field_manager), ("force", "true")]
        return self._call("PATCH", object_path(Ref.of(manifest)), body=manifest, query=query,
                          content_type="application/apply-patch+yaml")

    def delete(self, ref: Ref, *, foreground: bool) -> None:
        policy = "Foreground" if foreground else "Background"
        try:
            self._call("DELETE", object_path(ref), body={"propagationPolicy": policy})
        except NotFound:
            pass

    def patch_status(self, ref: Ref, patch: Manifest) -> Manifest:
        return self._call("PATCH", object_path(ref) + "/status", body=patch,
                          content_type="application/merge-patch+json")

    def post_event(self, regarding: Manifest, event_type: str, reason: str, message: str) -> None:
        meta = regarding["metadata"]
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        event = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"generateName": f"{meta['name']}.", "namespace": meta["namespace"]},
            "involvedObject": {"apiVersion": regarding["apiVersion"], "kind": regarding["kind"],
                               "namespace": meta["namespace"], "name": meta["name"], "uid": meta.get("uid", "")},
            "type": event_type, "reason": reason, "message": message[:1024],
            "source": {"component": self._field_manager}, "reportingComponent": self._field_manager,
            "firstTimestamp": now, "lastTimestamp": now, "count": 1,
        }
        self._call("POST", collection_path("v1", "Event", meta["namespace"]), body=event)
