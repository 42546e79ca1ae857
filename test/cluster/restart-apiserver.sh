#!/usr/bin/env bash
# Restarts only the kube-apiserver of a running local control plane (started by up.sh), with the same command
# line (read from /proc), so the same port, certificates and etcd: what a client sees when its API server is
# upgraded or crashes. etcd and kube-controller-manager keep running.
#
#   KCL_CLUSTER_DIR=... bash test/cluster/restart-apiserver.sh [SECONDS_DOWN]
#
# Stops the apiserver (SIGTERM to its process group, 15 s, SIGKILL), waits SECONDS_DOWN (default 0), starts it
# again and waits until /readyz answers ok (up to 120 s). stderr: progress; stdout, on success, one line:
# "stopped=<epoch ms> started=<epoch ms> ready=<epoch ms>".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

state="${KCL_CLUSTER_DIR:-/tmp/kube-csr-login-cluster}"
[[ "$state" == /* ]] || state="$PWD/$state"
while [[ "$state" == */ && "$state" != / ]]; do state="${state%/}"; done
down_seconds="${1:-0}"
[[ "$down_seconds" =~ ^[0-9]+$ ]] || die "SECONDS_DOWN must be a whole number (got '$down_seconds')"
# shellcheck source=processes.sh
source "$here/processes.sh"

if command -v flock >/dev/null 2>&1; then
  exec 9>"$state.lock"
  flock -w 300 9 || die "another up.sh/down.sh holds $state.lock"
fi
[[ -f "$state/cluster.env" ]] || die "no running cluster in $state (no cluster.env)"
# shellcheck disable=SC1091
source "$state/cluster.env"
pid="$(cat "$state/pids/kube-apiserver.pid" 2>/dev/null)" || die "no kube-apiserver PID file in $state/pids"
ours "$pid" || die "kube-apiserver (pid $pid) of $state is not running"
mapfile -d '' argv <"/proc/$pid/cmdline"
(( ${#argv[@]} > 0 )) || die "could not read the command line of kube-apiserver (pid $pid)"

stop_pid kube-apiserver "$pid"
alive "$pid" && die "kube-apiserver (pid $pid) did not stop"
stopped=$(now_ms)
sleep "$down_seconds"
detach kube-apiserver "${argv[@]}" || die "kube-apiserver did not start again (no PID file)"
started=$(now_ms)
pid="$(cat "$state/pids/kube-apiserver.pid")"
log "kube-apiserver started again (pid $pid)"
pki="$state/pki"
for _ in $(seq 1 240); do
  if [[ "$(curl -sS -m 5 --cacert "$pki/server-ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
        "$KCL_SERVER/readyz" 2>/dev/null)" == ok ]]; then
    log "kube-apiserver ready again after $(( $(now_ms) - stopped )) ms"
    echo "stopped=$stopped started=$started ready=$(now_ms)"
    exit 0
  fi
  alive "$pid" || { tail -n 20 "$state/logs/kube-apiserver.log" >&2; die "kube-apiserver exited while starting again"; }
  sleep 0.5
done
die "kube-apiserver not ready within 120 s of its restart (log: $state/logs/kube-apiserver.log)"
