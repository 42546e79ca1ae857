#!/usr/bin/env bash
# Stops the local control plane started by up.sh and removes its state directory.
#
#   bash test/cluster/down.sh            (npm run cluster:down)
#
# State directory: $KCL_CLUSTER_DIR, default /tmp/kube-csr-login-cluster. Idempotent: exits 0 when nothing runs.
# Stops kube-controller-manager, kube-apiserver, etcd (in that order) by the PIDs in <state>/pids/: SIGTERM to the
# process group (each process is a session leader, see up.sh), up to 15 s, then SIGKILL. Then sweeps for any
# etcd/kube-* process whose command line names the state directory, checks that none is left and removes the
# directory. It only deletes a directory that carries up.sh's marker file (or is empty).
# Internal: _KCL_DOWN_KEEP_DIR=1 stops the processes but keeps the directory (up.sh uses it on failure, so the
# logs stay readable); _KCL_LOCK_HELD=1 means the caller (up.sh) already holds the lock.
set -euo pipefail

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }

state="${KCL_CLUSTER_DIR:-/tmp/kube-csr-login-cluster}"
[[ "$state" == /* ]] || state="$PWD/$state"
while [[ "$state" == */ && "$state" != / ]]; do state="${state%/}"; done
[[ "$state" != / && "$state" != "$HOME" ]] || die "refusing to use '$state' as the cluster state directory"
marker="$state/.kube-csr-login-cluster"

if [[ "${_KCL_LOCK_HELD:-}" != 1 ]] && command -v flock >/dev/null 2>&1; then
  exec 9>"$state.lock"
  flock -w 300 9 || die "another up.sh/down.sh holds $state.lock"
fi

# shellcheck source=processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"

if [[ ! -d "$state" ]]; then
  log "no cluster state at $state; nothing to stop"
  exit 0
fi
if [[ ! -e "$marker" ]] && [[ -n "$(ls -A "$state")" ]]; then
  die "$state exists but was not created by up.sh (no $marker); not touching it"
fi

for name in kube-controller-manager kube-apiserver etcd; do
  pidfile="$state/pids/$name.pid"
  [[ -f "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] && stop_pid "$name" "$pid"
done

# Sweep: anything of ours that is not in a PID file (e.g. up.sh was killed between start and PID file write),
# stopped in the same order (an apiserver whose etcd is gone hangs in shutdown until SIGKILL).
left=()
for name in kube-controller-manager kube-apiserver etcd; do
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    exe="$(readlink "$dir/exe" 2>/dev/null)" || continue
    [[ "${exe##*/}" == "$name" ]] && ours "$pid" && left+=("$pid") && stop_pid "$name" "$pid"
  done
done

still=()
for pid in "${left[@]+"${left[@]}"}" $(cat "$state"/pids/*.pid 2>/dev/null || true); do
  ours "$pid" && still+=("$pid")
done
if (( ${#still[@]} > 0 )); then
  die "processes still running after SIGKILL: ${still[*]}"
fi

if [[ "${_KCL_DOWN_KEEP_DIR:-}" == 1 ]]; then
  rm -f "$state"/pids/*.pid "$state/cluster.env"
  log "stopped; kept $state for its logs"
else
  rm -rf -- "$state"
  log "stopped and removed $state"
fi
