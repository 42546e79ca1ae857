#!/usr/bin/env bash
# Removes the node node-up.sh added, and every piece of host state it left (host-state.sh lists
# them): pods first (so the kubelet unmounts their volumes), then the kubelet, scheduler, node
# controllers and containerd with their shims, mounts, kubepods cgroups, iptables KUBE-* chains,
# /var/lib/kubelet, /var/log/pods, /run/containerd and the like; then releases the machine lock.
# Leaves the control plane running (down.sh stops it). Idempotent; fails when host state is left.
#   KCL_CLUSTER_DIR=... bash test/cluster/node/node-down.sh
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "node: $*" >&2; }
die() { echo "node: error: $*" >&2; exit 1; }
state="${KCL_CLUSTER_DIR:-/tmp/kube-csr-login-cluster}"
[[ "$state" == /* ]] || state="$PWD/$state"
while [[ "$state" == */ && "$state" != / ]]; do state="${state%/}"; done
node="$state/node"
lock=/run/kube-csr-login-node
if [[ "${_KCL_NODE_LOCK_HELD:-}" != 1 ]]; then
  exec 9>/run/kube-csr-login-node.flock
  flock -w 600 9 || die "another node-up.sh/node-down.sh is running"
  owner="$(cat "$lock/owner" 2>/dev/null || true)"
  [[ -z "$owner" || "$owner" == "$state" ]] || die "the machine's node belongs to $owner, not $state"
fi

# 1. pods first, while the kubelet and API server still run (the kubelet unmounts their volumes)
if [[ -f "$state/cluster.env" && -f "$node/pids/kubelet.pid" ]]; then
  # shellcheck disable=SC1091
  source "$state/cluster.env"
  k() { "$KCL_KUBECTL" --kubeconfig="$state/admin.kubeconfig" --request-timeout=20s "$@"; }
  k delete deployments,replicasets --all --all-namespaces --wait=false >/dev/null 2>&1
  k delete pods --all --all-namespaces --grace-period=5 --timeout=60s >/dev/null 2>&1 || log "pods did not all go within 60 s"
  for _ in $(seq 1 60); do
    [[ -z "$(find "$node/root/pods" -mindepth 1 -maxdepth 1 2>/dev/null)" ]] && break
    sleep 1
  done
fi

# 2. processes of the node (their command lines name the node directory)
# shellcheck source=../processes.sh
source "$here/../processes.sh"
ours() { alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$node/"; }
for name in kubelet kube-scheduler kube-controller-manager; do
  pid="$(cat "$node/pids/$name.pid" 2>/dev/null)" && [[ "$pid" =~ ^[0-9]+$ ]] && stop_pid "$name" "$pid"
done
sock="$node/ctr/containerd.sock"
if [[ -S "$sock" ]]; then
  for task in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
    ctr -a "$sock" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1
  done
  sleep 1
fi
pid="$(cat "$node/pids/containerd.pid" 2>/dev/null)" && [[ "$pid" =~ ^[0-9]+$ ]] && stop_pid containerd "$pid"
# shims outlive containerd by design; ours name its socket. Then anything else naming the node directory.
for p in /proc/[0-9]*; do
  pid="${p#/proc/}"
  ours "$pid" || continue
  log "killing leftover $(readlink "$p/exe" 2>/dev/null) (pid $pid)"
  kill -KILL "$pid" 2>/dev/null
done
sleep 0.5

# 3. mounts (deepest first), cgroups (leaves first), iptables chains, fixed paths, the CNI bridge
awk -v node="$node/" '$5 ~ /^\/(var\/lib\/kubelet|run\/containerd|var\/log\/pods)/ || index($5, node) == 1 {print $5}' /proc/self/mountinfo |
  sort -r | while read -r mnt; do umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || log "could not unmount $mnt"; done
for top in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
  for name in kubepods kubepods.slice k8s.io; do
    [[ -d "$top$name" ]] || continue
    find "$top$name" -depth -type d -exec rmdir {} \; 2>/dev/null
    [[ -d "$top$name" ]] && log "could not remove cgroup $top$name"
  done
done
for ipt in iptables ip6tables; do
  command -v "$ipt" >/dev/null 2>&1 || continue
  for table in filter nat mangle; do
    # rules of built-in chains that jump to a KUBE- chain, then the chains themselves
    "$ipt" -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j KUBE-' | grep -vE '^-A KUBE-' | sed 's/^-A /-D /' |
      while read -r rule; do eval "$ipt -t $table $rule" 2>/dev/null; done
    for chain in $("$ipt" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
      "$ipt" -t "$table" -F "$chain" 2>/dev/null
    done
    for chain in $("$ipt" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
      "$ipt" -t "$table" -X "$chain" 2>/dev/null || log "could not delete $ipt -t $table chain $chain"
    done
  done
done
ip link del kclcni0 >/dev/null 2>&1
# only what was not there before node-up.sh (it recorded the host's state in the lock)
before="$(cat "$lock/host-before" 2>/dev/null || true)"
for path in /var/lib/kubelet /var/log/pods /var/log/containers /run/containerd /var/lib/cni /run/mount; do
  grep -qxF "path: $path" <<<"$before" || rm -rf "$path"
done
if [[ "${_KCL_NODE_KEEP_LOGS:-}" == 1 ]]; then
  find "$node" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} + 2>/dev/null
else
  rm -rf "$node"
fi

left="$(diff <(echo "$before") <(bash "$here/host-state.sh" "$node") | grep '^>' || true)"
[[ -z "$left" ]] || die "host state left after teardown: $(tr '\n' ';' <<<"$left")"
owner="$(cat "$lock/owner" 2>/dev/null || true)"
[[ -z "$owner" || "$owner" == "$state" || "${_KCL_NODE_LOCK_HELD:-}" == 1 ]] && rm -rf "$lock"
log "node removed; host state as before"
