#!/usr/bin/env bash
# Prints the host state a kubelet and containerd leave outside their own directories, one sorted line
# per item: iptables/ip6tables KUBE-* chains and rules, kubepods and k8s.io cgroups, the fixed paths
# (/var/lib/kubelet, /var/log/pods, /var/log/containers, /run/containerd, /var/lib/cni, /run/mount),
# mounts under them or under the node directory, containerd shims, the CNI bridge, kubelet processes.
# The node e2e compares it before node-up.sh and after node-down.sh: the host must be left as it was.
#   bash host-state.sh [NODE_DIR]
set -uo pipefail
node_dir="${1:-}"
{
  for ipt in iptables ip6tables; do
    command -v "$ipt-save" >/dev/null 2>&1 || continue
    "$ipt-save" 2>/dev/null | grep -E 'KUBE-' | sed "s/^/$ipt: /"
  done
  for dir in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    for name in kubepods kubepods.slice k8s.io; do [[ -d "$dir$name" ]] && echo "cgroup: $dir$name"; done
  done
  for path in /var/lib/kubelet /var/log/pods /var/log/containers /run/containerd /var/lib/cni /run/mount; do
    [[ -e "$path" ]] && echo "path: $path"
  done
  awk -v node="$node_dir" '$5 ~ /^\/(var\/lib\/kubelet|run\/containerd|var\/log\/pods)/ || (node != "" && index($5, node) == 1) {print "mount: " $5}' /proc/self/mountinfo
  for p in /proc/[0-9]*; do
    exe="$(readlink "$p/exe" 2>/dev/null)" || continue
    case "${exe##*/}" in containerd-shim*|kubelet) echo "process: ${exe##*/}" ;; esac
  done
  ip -o link show kclcni0 2>/dev/null | awk '{print "link: " $2}'
} | sort
exit 0
