#!/usr/bin/env bash
# Regenerates go.mod/go.sum of this tool module for one Kubernetes release.
# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with
# local paths; replaces only apply in the main module, so we derive one replace per
# staging module (-> v0.X.Y) from the release's own go.mod instead of keeping a list.
set -euo pipefail
cd "$(dirname "$0")"
version="${1:-$(cat VERSION)}"
minor_patch="${version#v1.}"            # 37.2
staging_version="v0.${minor_patch}"     # v0.37.2

release_mod="$(go mod download -json "k8s.io/kubernetes@${version}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"

rm -f go.mod go.sum
go mod init periodic.dev/tools/k8s >/dev/null 2>&1
go_directive="$(awk '$1=="go"{print $2; exit}' "$release_mod")"
go mod edit -go="$go_directive"
go mod edit -require="k8s.io/kubernetes@${version}"
# Every `k8s.io/X => ./staging/src/k8s.io/X` line of the release becomes X => X@v0.Y.Z.
awk '/^replace \(/{in_block=1; next} in_block && /^\)/{in_block=0} in_block && $2=="=>" {print $1}' \
  "$release_mod" | while read -r staging; do
  go mod edit -replace="${staging}=${staging}@${staging_version}"
done
for tool in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  go mod edit -tool="k8s.io/kubernetes/cmd/${tool}"
done
echo "$version" > VERSION
go mod tidy
