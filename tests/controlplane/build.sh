#!/usr/bin/env bash
# Builds the local control plane's binaries from their Go modules into a cache outside
# the repo, keyed by component, version and Go version. Only what is missing is built.
# Usage: build.sh [k8s|etcd|kwok|helm ...]   (default: all). Prints the bin dir of each.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${PERIODIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/periodic-operator}"
export GOFLAGS="${GOFLAGS:-} -mod=mod"
export CGO_ENABLED=0
go_version="$(go env GOVERSION)"

mod_version() {  # the version of module $2 that tool module $1 resolved
  (cd "$here/tools/$1" && go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$2")
}

build_into() {  # component version out_dir build-args...
  local component="$1" version="$2" out="$3"; shift 3
  if [[ -f "$out/.complete" ]]; then echo "$out"; return; fi
  local start=$SECONDS tmp="$out.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  echo "building $component $version with $go_version into $out" >&2
  (cd "$here/tools/$component" && go build -trimpath -o "$tmp/" "$@")
  if [[ "$component" == kwok ]]; then kwok_stages "$version" > "$tmp/stages.yaml"; fi
  # etcd's main package is its module root (…/server/v3), so go names the binary oddly.
  if [[ "$component" == etcd ]]; then mv "$tmp"/server "$tmp/etcd" 2>/dev/null || mv "$tmp"/v3 "$tmp/etcd"; fi
  touch "$tmp/.complete"
  rm -rf "$out"; mv "$tmp" "$out"
  echo "built $component in $((SECONDS - start))s" >&2
  echo "$out"
}

build_k8s() {
  local version; version="$(cat "$here/tools/k8s/VERSION")"
  local major=1 minor; minor="$(cut -d. -f2 <<<"$version")"
  local build_date; build_date="$(date -u -d @0 +%Y-%m-%dT%H:%M:%SZ)"
  local ldflags="" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  done
  build_into k8s "$version" "$cache/k8s-$version-$go_version" -ldflags "-s -w $ldflags" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}

build_etcd() {
  local version; version="$(mod_version etcd go.etcd.io/etcd/server/v3)"
  build_into etcd "$version" "$cache/etcd-$version-$go_version" -ldflags "-s -w" go.etcd.io/etcd/server/v3
}

kwok_stages() {  # KWOK's own "fast" stage set, shipped in its module, as one --config file
  local dir; dir="$(cd "$here/tools/kwok" && go mod download -json "sigs.k8s.io/kwok@$1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')/kustomize/stage"
  local f
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"; cat "$dir/$f"
  done
}

build_kwok() {
  local version; version="$(mod_version kwok sigs.k8s.io/kwok)"
  build_into kwok "$version" "$cache/kwok-$version-$go_version" \
    -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$version" \
    sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
}

build_helm() {
  local version; version="$(mod_version helm helm.sh/helm/v4)"
  build_into helm "$version" "$cache/helm-$version-$go_version" \
    -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$version" helm.sh/helm/v4/cmd/helm
}

components=("$@"); [[ ${#components[@]} -gt 0 ]] || components=(k8s etcd kwok helm)
for c in "${components[@]}"; do "build_$c"; done
