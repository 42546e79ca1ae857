#!/usr/bin/env bash
# Adds a real node to a running local control plane (up.sh): containerd + runc (Debian's, installed
# with apt-get when missing, with the CNI plugins), a kubelet and kube-scheduler built from the pinned
# module set (build-node.sh), and a second kube-controller-manager with the controllers pods need
# (root-ca-cert-publisher, nodelifecycle, deployment, replicaset). Needs root. One node per machine:
# the kubelet writes host state outside its directories (host-state.sh lists it), so a machine-wide
# lock (/run/kube-csr-login-node) is held from here until node-down.sh, which removes all of it.
#
#   KCL_CLUSTER_DIR=... bash test/cluster/node/node-up.sh IMAGE_ARCHIVE...
#
# Imports each OCI/docker image archive into the node's containerd. Writes <state>/node/node.env
# (KCL_NODE_NAME, KCL_NODE_DIR, KCL_CTR_SOCKET, KCL_NODE_BIN_DIR) and waits until the node is Ready.
# Progress and errors on stderr; on failure everything started is stopped again (node-down.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "node: $*" >&2; }
die() { echo "node: error: $*" >&2; exit 1; }
t0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - t0 )) s"; }

state="${KCL_CLUSTER_DIR:-/tmp/kube-csr-login-cluster}"
[[ "$state" == /* ]] || state="$PWD/$state"
while [[ "$state" == */ && "$state" != / ]]; do state="${state%/}"; done
[[ -f "$state/cluster.env" ]] || die "no running control plane in $state (run test/cluster/up.sh first)"
# shellcheck disable=SC1091
source "$state/cluster.env"
(( EUID == 0 )) || die "a kubelet and containerd need root"
node="$state/node"
lock=/run/kube-csr-login-node

# ---- the machine lock (a directory naming its owner; stale when the owner's state is gone) ---------------------
exec 9>/run/kube-csr-login-node.flock
flock -w 600 9 || die "another node-up.sh/node-down.sh is running (waited 600 s)"
if [[ -d "$lock" ]]; then
  owner="$(cat "$lock/owner" 2>/dev/null || true)"
  if [[ "$owner" == "$state" ]]; then die "a node of $state is already up (node-down.sh first)"; fi
  if [[ -n "$owner" && -f "$owner/cluster.env" && -d "$owner/node" ]]; then die "the node of $owner holds the machine ($lock)"; fi
  log "stale machine lock of $owner: cleaning its host state first"
  KCL_CLUSTER_DIR="${owner:-$state}" _KCL_NODE_LOCK_HELD=1 bash "$here/node-down.sh" || die "could not clean up after $owner"
fi
before="$(bash "$here/host-state.sh")"
# paths some hosts have anyway are allowed (node-down.sh keeps them); a kubelet's traces are not
foreign="$(grep -vxE 'path: /(run/mount|var/lib/cni)' <<<"$before" || true)"
[[ -z "$foreign" ]] || die "this host already runs a kubelet or containerd, or one left state: $(head -3 <<<"$foreign" | tr '\n' ';')"
mkdir "$lock"
echo "$state" >"$lock/owner"
echo "$before" >"$lock/host-before"
started=1
on_exit() {
  local rc=$?
  if (( rc != 0 && started )); then
    log "stopping what was started (logs kept in $node/logs)"
    _KCL_NODE_LOCK_HELD=1 _KCL_NODE_KEEP_LOGS=1 bash "$here/node-down.sh" >&2 || true
  fi
}
trap on_exit EXIT

# ---- packages --------------------------------------------------------------------------------------------------
missing=()
command -v containerd >/dev/null 2>&1 || missing+=(containerd)
command -v runc >/dev/null 2>&1 || missing+=(runc)
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local ]] || missing+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
if (( ${#missing[@]} )); then
  log "installing ${missing[*]} (apt-get)"
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" ||
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; }; } >"$state/logs/node-apt.log" 2>&1 ||
    die "apt-get install ${missing[*]} failed (log: $state/logs/node-apt.log)"
  log "installed ${missing[*]} ($(elapsed))"
fi

# ---- binaries --------------------------------------------------------------------------------------------------
bin="$(bash "$here/build-node.sh" | tail -n 1)"
log "node binaries in $bin ($(elapsed))"

mkdir -p "$node"/{pki,logs,pids,ctr/cni-net.d,root,images}
chmod 700 "$node" "$node/pki"
# shellcheck source=../processes.sh
source "$here/../processes.sh"
# processes.sh writes <state>/pids and <state>/logs: the node's go to <state>/node/
nodestate="$node"
detach_node() { local saved="$state"; state="$nodestate"; detach "$@"; local rc=$?; state="$saved"; return $rc; }

free_port() { local p; for _ in $(seq 1 200); do p=$(( 10000 + RANDOM % 22000 )); [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]] && { echo "$p"; return; }; done; die "no free port"; }
node_name="$(hostname | tr 'A-Z' 'a-z')"

# ---- certificates: the kubelet (system:node:<name>) and the scheduler, signed by the cluster's client CA -------
pki="$state/pki"
leaf() { # name subject
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$node/pki/$1.key" 2>/dev/null
  openssl req -new -key "$node/pki/$1.key" -subj "$2" -out "$node/pki/$1.csr" 2>/dev/null
  openssl x509 -req -in "$node/pki/$1.csr" -CA "$pki/client-ca.crt" -CAkey "$pki/client-ca.key" -days 2 -sha256 \
    -set_serial "0x$(openssl rand -hex 16)" -extfile <(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n') \
    -out "$node/pki/$1.crt" 2>/dev/null || die "could not sign the $1 certificate"
  rm -f "$node/pki/$1.csr"
  cat >"$node/$1.kubeconfig" <<EOC
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "$KCL_SERVER", certificate-authority: "$pki/server-ca.crt"}}]
users: [{name: $1, user: {client-certificate: "$node/pki/$1.crt", client-key: "$node/pki/$1.key"}}]
contexts: [{name: local, context: {cluster: local, user: $1}}]
current-context: local
EOC
}
leaf kubelet "/O=system:nodes/CN=system:node:$node_name"
leaf scheduler "/CN=system:kube-scheduler"

# ---- containerd (its own root, state and socket; the CRI clamps oom_score_adj: root cannot lower it here) ------
sock="$node/ctr/containerd.sock"
cat >"$node/ctr/config.toml" <<EOC
version = 2
root = "$node/ctr/root"
state = "$node/ctr/state"
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "docker.io/library/kcl-pause:node"
    stream_server_address = "127.0.0.1"
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$node/ctr/cni-net.d"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
  [plugins."io.containerd.internal.v1.opt"]
    path = "$node/ctr/opt"
EOC
# never used by hostNetwork pods, but the runtime is NetworkReady only with a CNI config
cat >"$node/ctr/cni-net.d/10-kcl-bridge.conflist" <<'EOC'
{"cniVersion": "0.4.0", "name": "kcl", "plugins": [{"type": "bridge", "bridge": "kclcni0", "isGateway": true, "ipMasq": false,
  "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.0.0/24"}]]}}]}
EOC
detach_node containerd containerd --config "$node/ctr/config.toml" || die "containerd did not start"
ctr() { command ctr -a "$sock" -n k8s.io "$@"; }
for _ in $(seq 1 60); do ctr version >/dev/null 2>&1 && break; sleep 0.5; done
ctr version >/dev/null 2>&1 || { tail -n 20 "$node/logs/containerd.log" >&2; die "containerd did not answer on $sock"; }
log "containerd up ($(elapsed))"

node_modules_node="$(cd "$here/../../.." && pwd)/node_modules/.bin/node"
"$node_modules_node" "$here/pause-image.js" "$bin/pause" "$node/images/pause.tar" >&2 || die "could not write the pause image"
for archive in "$node/images/pause.tar" "$@"; do
  ctr images import --all-platforms "$archive" >&2 || die "ctr images import $archive failed"
done
log "images imported ($(elapsed))"

# ---- controllers pods need, and the scheduler ------------------------------------------------------------------
kcm_port="$(free_port)"
detach_node kube-controller-manager "$KCL_BIN_DIR/kube-controller-manager" \
  --kubeconfig="$state/kcm.kubeconfig" --authentication-kubeconfig="$state/kcm.kubeconfig" \
  --authorization-kubeconfig="$state/kcm.kubeconfig" --authentication-skip-lookup=true \
  --bind-address=127.0.0.1 --secure-port="$kcm_port" --cert-dir="$node/kcm-certs" --leader-elect=false \
  --controllers=root-ca-cert-publisher,nodelifecycle,deployment,replicaset \
  --use-service-account-credentials=true --root-ca-file="$pki/server-ca.crt" --profiling=false ||
  die "kube-controller-manager (node controllers) did not start"
sched_port="$(free_port)"
detach_node kube-scheduler "$bin/kube-scheduler" \
  --kubeconfig="$node/scheduler.kubeconfig" --authentication-kubeconfig="$node/scheduler.kubeconfig" \
  --authorization-kubeconfig="$node/scheduler.kubeconfig" --authentication-skip-lookup=true \
  --bind-address=127.0.0.1 --secure-port="$sched_port" --leader-elect=false --profiling=false ||
  die "kube-scheduler did not start"

# ---- the kubelet -----------------------------------------------------------------------------------------------
kubelet_port="$(free_port)"
healthz_port="$(free_port)"
cat >"$node/kubelet-config.yaml" <<EOC
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$sock
imageServiceEndpoint: unix://$sock
failSwapOn: false
failCgroupV1: false
address: 127.0.0.1
port: $kubelet_port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz_port
authentication: {anonymous: {enabled: false}, webhook: {enabled: true}, x509: {clientCAFile: "$pki/client-ca.crt"}}
authorization: {mode: Webhook}
clusterDomain: cluster.local
rotateCertificates: false
serverTLSBootstrap: false
maxPods: 20
podPidsLimit: 1024
evictionHard: {memory.available: "100Mi", nodefs.available: "5%", imagefs.available: "5%"}
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
EOC
detach_node kubelet "$bin/kubelet" --config="$node/kubelet-config.yaml" --kubeconfig="$node/kubelet.kubeconfig" \
  --root-dir="$node/root" --cert-dir="$node/pki/serving" --hostname-override="$node_name" --v=2 || die "kubelet did not start"

cat >"$node/node.env" <<EOC
KCL_NODE_NAME=$node_name
KCL_NODE_DIR=$node
KCL_NODE_BIN_DIR=$bin
KCL_CTR_SOCKET=$sock
KCL_KUBELET_ROOT=$node/root
EOC
k() { "$KCL_KUBECTL" --kubeconfig="$state/admin.kubeconfig" --request-timeout=10s "$@"; }
deadline=$(( $(date +%s) + 120 ))
until [[ "$(k get node "$node_name" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]; do
  alive "$(cat "$node/pids/kubelet.pid")" || { tail -n 30 "$node/logs/kubelet.log" >&2; die "the kubelet exited"; }
  (( $(date +%s) < deadline )) || { tail -n 30 "$node/logs/kubelet.log" >&2; die "node $node_name not Ready within 120 s"; }
  sleep 1
done
# the not-ready taint goes once nodelifecycle sees the node Ready
until [[ -z "$(k get node "$node_name" -o 'jsonpath={.spec.taints}' 2>/dev/null)" ]]; do
  (( $(date +%s) < deadline + 60 )) || die "node $node_name keeps its taints: $(k get node "$node_name" -o 'jsonpath={.spec.taints}')"
  sleep 1
done
started=0
log "node $node_name Ready, untainted ($(elapsed))"
