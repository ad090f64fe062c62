#!/usr/bin/env bash
# The ticker's own Lease client against client-go's leaderelection (see README.md).
# Builds bench/leasecmp/bin/{clientgo-holder,ticker}, starts the project's local control plane,
# makes a namespace, two Leases and a get/update Role for the default service account, then runs
# side by side for SECONDS (default 60):
#   (a) clientgo-holder on Lease A (LeaseLock, 15s/10s/2s), with a kubeconfig holding the SA token
#   (b) ticker --interval 1s --timeout 500ms --lease NS/b --listen "" -- true, same token
# Samples VmRSS/VmHWM of both from /proc every second, watches both Leases for writes, and prints
# a table. Every process it starts is stopped at the end, also on failure.
#   bash bench/leasecmp/run.sh [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$here/bin"
secs="${1:-60}"
ns=leasecmp
work="$(mktemp -d -t leasecmp.XXXXXX)"
cp_dir="$(mktemp -d -t periodic-cp.XXXXXX)"
cp_pid="" holder_pid="" ticker_pid="" watch_pid=""

stop_pid() { # PID [seconds]: SIGTERM, wait, then SIGKILL — only for processes started here
  local pid="$1" wait="${2:-10}" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  echo "run.sh: $pid did not stop in ${wait}s; SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_pid "$watch_pid" 5
  stop_pid "$ticker_pid" 15
  stop_pid "$holder_pid" 15
  stop_pid "$cp_pid" 60
  rm -rf "$cp_dir"
  if ((rc != 0)); then
    echo "run.sh: failed (exit $rc); logs kept in $work" >&2
    tail -n 20 "$work"/*.log >&2 2>/dev/null || true
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build ---------------------------------------------------------------------------------
uptime >"$work/uptime.start"
mkdir -p "$bin"
(cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$bin/clientgo-holder" ./cmd/clientgo-holder)
"$root/runner/build.sh" "$bin/ticker" >/dev/null

# --- control plane -------------------------------------------------------------------------
(cd "$root" && PERIODIC_CP_DIR="$cp_dir" exec .venv/bin/python tests/controlplane/cluster.py up) \
  >"$work/cp.log" 2>&1 &
cp_pid=$!
for ((i = 0; i < 1800; i++)); do # 180 s: the first start may build the components
  grep -q '^export PATH=' "$work/cp.log" 2>/dev/null && break
  kill -0 "$cp_pid" 2>/dev/null || { echo "run.sh: control plane exited" >&2; exit 1; }
  sleep 0.1
done
grep -q '^export PATH=' "$work/cp.log" || { echo "run.sh: control plane not up in 180s" >&2; exit 1; }
eval "$(grep '^export ' "$work/cp.log")"
kubeconfig="$KUBECONFIG"
ca="$(dirname "$kubeconfig")/pki/ca.crt"
server="$(kubectl config view --kubeconfig "$kubeconfig" -o jsonpath='{.clusters[0].cluster.server}')"

kubectl create namespace "$ns" >/dev/null
for l in a b; do
  printf 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: %s, namespace: %s}\nspec: {}\n' \
    "$l" "$ns" | kubectl apply -f - >/dev/null
done
kubectl -n "$ns" create role lease-holder --verb=get,update --resource=leases.coordination.k8s.io >/dev/null
kubectl -n "$ns" create rolebinding lease-holder --role=lease-holder --serviceaccount="$ns:default" >/dev/null
for ((i = 0; i < 300; i++)); do # the SA appears once the controller-manager sees the namespace
  kubectl -n "$ns" get serviceaccount default >/dev/null 2>&1 && break
  sleep 0.1
done
kubectl -n "$ns" create token default --duration=1h >"$work/token"
# The same token for both: client-go gets it through a kubeconfig of its own.
cat >"$work/holder.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: cp, cluster: {server: "$server", certificate-authority: "$ca"}}]
users: [{name: sa, user: {tokenFile: "$work/token"}}]
contexts: [{name: cp, context: {cluster: cp, user: sa, namespace: $ns}}]
current-context: cp
EOF

# --- run -----------------------------------------------------------------------------------
kubectl -n "$ns" get lease --watch-only \
  -o jsonpath='{.metadata.name} {.metadata.resourceVersion} {.spec.renewTime} {.spec.holderIdentity}{"\n"}' \
  >"$work/watch.txt" 2>"$work/watch.log" &
watch_pid=$!
sleep 1
uptime >"$work/uptime.before"
t0=$(date +%s.%N)
"$bin/clientgo-holder" --kubeconfig "$work/holder.kubeconfig" --lease "$ns/a" >"$work/holder.log" 2>&1 &
holder_pid=$!
PERIODIC_API_SERVER="$server" PERIODIC_TOKEN_FILE="$work/token" PERIODIC_CA_FILE="$ca" \
  PERIODIC_POD_NAME=leasecmp-ticker \
  "$bin/ticker" --interval 1s --timeout 500ms --lease "$ns/b" --listen "" -- true >"$work/ticker.log" 2>&1 &
ticker_pid=$!

: >"$work/rss.txt" # t name VmRSS_kB VmHWM_kB
for ((s = 1; s <= secs; s++)); do
  sleep "$(awk -v t0="$t0" -v s="$s" -v now="$(date +%s.%N)" 'BEGIN { d = t0 + s - now; print (d > 0 ? d : 0) }')"
  for p in holder:$holder_pid ticker:$ticker_pid; do
    name=${p%%:*} pid=${p#*:}
    [[ -r /proc/$pid/status ]] || { echo "run.sh: $name ($pid) died; see its log" >&2; exit 1; }
    awk -v s="$s" -v n="$name" '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print s, n, r, h }' \
      "/proc/$pid/status" >>"$work/rss.txt"
  done
done
t1=$(date +%s.%N)
tck=$(getconf CLK_TCK)
cpu_ms() { awk -v t="$tck" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / t }' "/proc/$1/stat"; }
cpu_a=$(cpu_ms "$holder_pid") cpu_b=$(cpu_ms "$ticker_pid")
uptime >"$work/uptime.after"
cp "$work/watch.txt" "$work/watch.final" # the writes of the window; the releases come after

# --- figures -------------------------------------------------------------------------------
# Writes: watch events (each a new resourceVersion) whose renewTime lies in [t0, t1], so the
# acquiring write is counted and the release at the stop is not.
while read -r name rv renew holder; do
  printf '%s %s %s %s\n' "$name" "$rv" "$(date -d "$renew" +%s.%N)" "${holder:-}"
done <"$work/watch.final" >"$work/writes.txt"
held() { awk -v l="$1" '$1 == l { h = $4 } END { print h }' "$work/writes.txt"; }
[[ "$(held a)" == *_"$holder_pid" ]] || { echo "run.sh: Lease a is not held by clientgo-holder" >&2; exit 1; }
[[ "$(held b)" == leasecmp-ticker_"$ticker_pid" ]] || { echo "run.sh: Lease b is not held by the ticker" >&2; exit 1; }

rss_stats() { # name → "median_RSS_MiB peak_HWM_MiB"
  awk -v n="$1" '$2 == n { print $3, $4 }' "$work/rss.txt" | sort -n |
    awk '{ r[NR] = $1; if ($2 > h) h = $2 }
         END { m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
               printf "%.1f %.1f\n", m / 1024, h / 1024 }'
}
writes() { # lease → "count per_minute median_gap_s"
  local sel n gaps
  sel=$(awk -v l="$1" -v t0="$t0" -v t1="$t1" '$1 == l && $3 >= t0 && $3 <= t1 { print $3 }' "$work/writes.txt")
  n=$(grep -c . <<<"$sel" || true)
  gaps=$(awk 'NR > 1 { print $1 - p } { p = $1 }' <<<"$sel" | sort -g |
    awk '{ g[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? g[(NR + 1) / 2] : (g[NR / 2] + g[NR / 2 + 1]) / 2 }')
  awk -v n="$n" -v g="$gaps" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%d %.1f %.2f\n", n, n * 60 / (t1 - t0), g }'
}
deps() { go version -m "$1" | grep -c $'^\tdep\t' || true; }

window=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "window ${window} s; machine: $(nproc) cores"
echo "uptime at start:        $(cat "$work/uptime.start")"
echo "uptime window start:    $(cat "$work/uptime.before")"
echo "uptime window end:      $(cat "$work/uptime.after")"
echo
printf '| %-34s | %16s | %16s |\n' "" "client-go holder" "ticker"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "$(printf -- '-%.0s' {1..18})" "$(printf -- '-%.0s' {1..18})"
row() { printf '| %-34s | %16s | %16s |\n' "$1" "$2" "$3"; }
sa=$(stat -c %s "$bin/clientgo-holder") sb=$(stat -c %s "$bin/ticker")
row "binary size (bytes)" "$sa" "$sb"
row "binary size (MiB)" "$(awk -v b="$sa" 'BEGIN { printf "%.1f", b / 1048576 }')" \
  "$(awk -v b="$sb" 'BEGIN { printf "%.1f", b / 1048576 }')"
read -r ma pa <<<"$(rss_stats holder)"
read -r mb pb <<<"$(rss_stats ticker)"
row "RSS median of ${secs} samples (MiB)" "$ma" "$mb"
row "RSS peak, VmHWM (MiB)" "$pa" "$pb"
read -r na wa ga <<<"$(writes a)"
read -r nb wb gb <<<"$(writes b)"
row "Lease writes in the window" "$na" "$nb"
row "Lease writes per minute" "$wa" "$wb"
row "median gap between writes (s)" "$ga" "$gb"
row "CPU user+sys of the process (ms)" "$cpu_a" "$cpu_b"
row "Go modules in binary (dep lines)" "$(deps "$bin/clientgo-holder")" "$(deps "$bin/ticker")"
