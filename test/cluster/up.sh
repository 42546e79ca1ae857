#!/usr/bin/env bash
# Starts a real local Kubernetes control plane for the e2e tests, the demo and the benchmark:
# etcd, kube-apiserver and kube-controller-manager (built from source by build.sh), on free 127.0.0.1 ports,
# with fresh certificates. No root, no containers, no kubelet.
#
#   bash test/cluster/up.sh            (npm run cluster:up)
#
# stdout: the absolute path of the admin kubeconfig (last line). Progress and errors: stderr.
# Env: KCL_CLUSTER_DIR (state directory, default /tmp/kube-csr-login-cluster), KCL_CLUSTER_CSRAPPROVING=1 (also
# run the in-tree csrapproving controller, for the benchmark), KCL_CLUSTER_AUDIT=1 (audit log of every request at
# Metadata level in <state>/logs/audit.log, for the trace e2e), KCL_BIN_CACHE (see build.sh), KCL_KUBERNETES=v1.36.3
# (another release than the pinned one, built from the module module-dir.sh writes; see test/versions/).
# Idempotent: a healthy cluster of the same state directory is reused; stale state is stopped and removed first.
# Writes <state>/cluster.env (KEY=value lines, no quoting needed) for other scripts. Stop with down.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
t0=$(date +%s%N)

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }
elapsed() { echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms"; }

state="${KCL_CLUSTER_DIR:-/tmp/kube-csr-login-cluster}"
[[ "$state" == /* ]] || state="$PWD/$state"
while [[ "$state" == */ && "$state" != / ]]; do state="${state%/}"; done
# The path goes unquoted into cluster.env and into kubeconfig/flag values: keep it simple.
[[ "$state" =~ ^[A-Za-z0-9._/+-]+$ ]] || die "KCL_CLUSTER_DIR may only contain letters, digits and ._/+- (got '$state')"
[[ "$state" != / && "$state" != "$HOME" ]] || die "refusing to use '$state' as the cluster state directory"
csrapproving="${KCL_CLUSTER_CSRAPPROVING:-0}"
[[ "$csrapproving" == 1 ]] || csrapproving=0
audit="${KCL_CLUSTER_AUDIT:-0}"
[[ "$audit" == 1 ]] || audit=0

for tool in openssl curl setsid; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed and not on PATH"
done

# ---- binaries (build.sh explains a missing Go itself; keep its exit code) -------------------------------------
wanted="${KCL_KUBERNETES:-}"
mod="$(bash "$here/module-dir.sh" ${wanted:+"$wanted"})" || die "no Go module for Kubernetes ${wanted:-(pinned)} (see above)"
wanted="$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$mod/go.mod")"
set +e
bin_out="$(bash "$here/build.sh" "$mod")"
rc=$?
set -e
(( rc == 0 )) || { echo "cluster: error: building the control plane failed (build.sh exit $rc)" >&2; exit "$rc"; }
bin="$(tail -n 1 <<<"$bin_out")"
for b in etcd kube-apiserver kube-controller-manager kubectl; do
  [[ -x "$bin/$b" ]] || die "build.sh printed '$bin' but $bin/$b is missing"
done
kubectl="$bin/kubectl"

# ---- one up/down at a time per state directory -----------------------------------------------------------------
mkdir -p "$(dirname "$state")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$state.lock"
  flock -w 300 9 || die "another up.sh/down.sh holds $state.lock"
fi
export _KCL_LOCK_HELD=1 KCL_CLUSTER_DIR="$state"

# shellcheck source=processes.sh
source "$here/processes.sh"

# ---- reuse a healthy cluster -----------------------------------------------------------------------------------
healthy() {
  [[ -f "$state/cluster.env" ]] || return 1
  local KCL_SERVER="" KCL_KCM_PORT="" KCL_CSRAPPROVING="" KCL_AUDIT="0" KCL_KUBERNETES_VERSION="" name pid
  # shellcheck disable=SC1091
  source "$state/cluster.env"
  for name in etcd kube-apiserver kube-controller-manager; do
    pid="$(cat "$state/pids/$name.pid" 2>/dev/null)" || return 1
    alive "$pid" || return 1
  done
  [[ "$KCL_KUBERNETES_VERSION" == "$wanted" ]] || { log "running cluster is Kubernetes $KCL_KUBERNETES_VERSION, wanted $wanted: restarting"; return 1; }
  [[ "$KCL_CSRAPPROVING" == "$csrapproving" ]] || { log "running cluster has csrapproving=$KCL_CSRAPPROVING, wanted $csrapproving: restarting"; return 1; }
  [[ "$KCL_AUDIT" == "$audit" ]] || { log "running cluster has audit=$KCL_AUDIT, wanted $audit: restarting"; return 1; }
  [[ "$(curl -sS -m 5 --cacert "$state/pki/server-ca.crt" --cert "$state/pki/admin.crt" --key "$state/pki/admin.key" \
        "$KCL_SERVER/readyz" 2>/dev/null)" == ok ]] || return 1
  [[ "$(curl -sSk -m 5 "https://127.0.0.1:$KCL_KCM_PORT/healthz" 2>/dev/null)" == ok ]] || return 1
  # a cluster from before kcl-api.test was a SAN (the proxy e2e reaches the server by that name)
  openssl x509 -in "$state/pki/apiserver.crt" -noout -ext subjectAltName 2>/dev/null | grep -q 'DNS:kcl-api.test' ||
    { log "running cluster's serving certificate lacks DNS:kcl-api.test: restarting"; return 1; }
}
if healthy; then
  log "cluster in $state is already running and healthy"
  echo "$state/admin.kubeconfig"
  exit 0
fi
if [[ -e "$state" ]]; then
  log "stale cluster state in $state: cleaning it up"
  bash "$here/down.sh" || die "could not clean up stale state in $state (see above)"
fi

# ---- layout ----------------------------------------------------------------------------------------------------
mkdir -p "$state"
touch "$state/.kube-csr-login-cluster"   # down.sh only deletes directories carrying this marker
mkdir -p "$state"/{pki,etcd,logs,pids,apiserver-certs,kcm-certs}
chmod 700 "$state" "$state/pki" "$state/etcd"
pki="$state/pki"

started=0
on_exit() {
  local rc=$?
  if (( rc != 0 && started )); then
    log "stopping what was started (logs kept in $state/logs)"
    _KCL_DOWN_KEEP_DIR=1 bash "$here/down.sh" >/dev/null 2>&1 || true
  fi
}
trap on_exit EXIT

# ---- ports -----------------------------------------------------------------------------------------------------
# Random ports below the ephemeral range (32768+), checked free on 127.0.0.1 (small race; a clash shows in the log).
used=" "
free_port() { # sets $port (no command substitution: `used` must survive between calls)
  local p i
  for i in $(seq 1 200); do
    p=$(( 10000 + (RANDOM + i) % 22000 ))
    [[ "$used" == *" $p "* ]] && continue
    if command -v ss >/dev/null 2>&1; then
      [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]] || continue
    else
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    fi
    used+="$p "
    port=$p
    return 0
  done
  die "could not find a free port on 127.0.0.1"
}
free_port; etcd_port=$port
free_port; etcd_peer_port=$port
free_port; api_port=$port
free_port; kcm_port=$port
server="https://127.0.0.1:$api_port"

# ---- certificates (openssl 3.0) --------------------------------------------------------------------------------
# server-ca: signs the apiserver serving certificate (KCL_CA_FILE; kubeconfigs trust it).
# client-ca: the apiserver's --client-ca-file and the kube-controller-manager's signing CA for
#            kubernetes.io/kube-apiserver-client, so certificates issued through CSRs authenticate.
log "generating certificates in $pki"
cat >"$pki/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost,IP:127.0.0.1,DNS:kcl-api.test,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.0.0.1
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
ossl() { openssl "$@" 2>"$pki/openssl.err" || { cat "$pki/openssl.err" >&2; die "openssl $1 failed"; }; }
ec_key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/$1.key"; chmod 600 "$pki/$1.key"; }
make_ca() { # name subject
  ec_key "$1"
  ossl req -x509 -new -config "$pki/openssl.cnf" -extensions ca -key "$pki/$1.key" -subj "$2" \
    -days 3650 -sha256 -out "$pki/$1.crt"
}
make_leaf() { # name subject ca section
  ec_key "$1"
  ossl req -new -config "$pki/openssl.cnf" -key "$pki/$1.key" -subj "$2" -out "$pki/$1.csr"
  ossl x509 -req -in "$pki/$1.csr" -CA "$pki/$3.crt" -CAkey "$pki/$3.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 365 -sha256 -extfile "$pki/openssl.cnf" -extensions "$4" -out "$pki/$1.crt"
  rm -f "$pki/$1.csr"
}
make_ca server-ca "/CN=kube-csr-login-server-ca"
make_ca client-ca "/CN=kube-csr-login-client-ca"
make_leaf apiserver "/CN=kube-apiserver" server-ca server
make_leaf admin "/O=system:masters/CN=kube-csr-login-admin" client-ca client
make_leaf kcm "/CN=system:kube-controller-manager" client-ca client
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/sa.key"
chmod 600 "$pki/sa.key"
ossl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
rm -f "$pki/openssl.err"

kubeconfig() { # file user cert key
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kube-csr-login
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$pki/server-ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 <"$3")
    client-key-data: $(base64 -w0 <"$4")
contexts:
- name: kube-csr-login
  context:
    cluster: kube-csr-login
    user: $2
current-context: kube-csr-login
EOF
  chmod 600 "$1"
}
kubeconfig "$state/admin.kubeconfig" admin "$pki/admin.crt" "$pki/admin.key"
kubeconfig "$state/kcm.kubeconfig" kube-controller-manager "$pki/kcm.crt" "$pki/kcm.key"

# ---- processes (each in its own session, see detach in processes.sh) --------------------------------------------
launch() { # name args...
  started=1
  detach "$@" || die "$1 did not start (no PID file)"
}

fail_with_log() { # name reason
  echo "cluster: --- last lines of $state/logs/$1.log ---" >&2
  tail -n 25 "$state/logs/$1.log" >&2 || true
  die "$2"
}

wait_for() { # name seconds what command...
  local name="$1" secs="$2" what="$3"; shift 3
  local pid deadline=$(( $(date +%s) + secs ))
  pid="$(cat "$state/pids/$name.pid")"
  until "$@"; do
    alive "$pid" || fail_with_log "$name" "$name exited during start-up (log: $state/logs/$name.log)"
    (( $(date +%s) < deadline )) || fail_with_log "$name" "$what: not within $secs s (log: $state/logs/$name.log)"
    sleep 0.5
  done
}

log "starting etcd on 127.0.0.1:$etcd_port"
launch etcd "$bin/etcd" \
  --name=kube-csr-login \
  --data-dir="$state/etcd" \
  --listen-client-urls="http://127.0.0.1:$etcd_port" \
  --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster="kube-csr-login=http://127.0.0.1:$etcd_peer_port" \
  --unsafe-no-fsync \
  --log-level=warn
etcd_ok() { curl -sS -m 2 "http://127.0.0.1:$etcd_port/health" 2>/dev/null | grep -q '"health":"true"'; }
wait_for etcd 30 "etcd /health" etcd_ok
log "etcd healthy ($(elapsed))"

# Advertise address: without --advertise-address the apiserver takes the address of the interface that holds the
# default route and fails to start on a machine without one ("Unable to find suitable network address").
# 127.0.0.1 is accepted as advertise address, but the endpoint reconciler then cannot write the `kubernetes`
# Endpoints/EndpointSlice (loopback addresses are invalid endpoints) and logs errors; nothing here runs pods, so
# the reconciler is switched off with --endpoint-reconciler-type=none. The `kubernetes` Service still gets 10.0.0.1.
# Audit (KCL_CLUSTER_AUDIT=1): every request at Metadata level (user with its extra, hence the credential id;
# verb, URI, response code), once per request (ResponseComplete; RequestReceived omitted), JSON lines.
audit_flags=() audit_log=""
if (( audit )); then
  audit_log="$state/logs/audit.log"
  cat >"$state/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
EOF
  audit_flags=(--audit-policy-file="$state/audit-policy.yaml" --audit-log-path="$audit_log" --audit-log-format=json
    --audit-log-mode=blocking)
fi
log "starting kube-apiserver on $server"
launch kube-apiserver "$bin/kube-apiserver" "${audit_flags[@]}" \
  --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 \
  --secure-port="$api_port" \
  --advertise-address=127.0.0.1 \
  --endpoint-reconciler-type=none \
  --cert-dir="$state/apiserver-certs" \
  --tls-cert-file="$pki/apiserver.crt" \
  --tls-private-key-file="$pki/apiserver.key" \
  --client-ca-file="$pki/client-ca.crt" \
  --authorization-mode=Node,RBAC \
  --service-account-issuer=https://kubernetes.default.svc \
  --service-account-key-file="$pki/sa.pub" \
  --service-account-signing-key-file="$pki/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 \
  --profiling=false
api_ok() {
  [[ "$(curl -sS -m 5 --cacert "$pki/server-ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
        "$server/readyz" 2>/dev/null)" == ok ]]
}
wait_for kube-apiserver 120 "kube-apiserver /readyz" api_ok
log "kube-apiserver ready ($(elapsed))"

# --authentication-skip-lookup: the kcm otherwise reads kube-system/extension-apiserver-authentication for its own
# serving authn and, since this apiserver has no --requestheader-client-ca-file (no front proxy), logs
# 'missing content for CA bundle "client-ca::kube-system::extension-apiserver-authentication::requestheader-client-ca-file"'
# forever. Its /healthz is allowed anonymously either way.
controllers=csrsigning,csrcleaner,serviceaccount-token,serviceaccount,namespace,garbagecollector
(( csrapproving )) && controllers+=",csrapproving"
# Publishes the serving CA (--root-ca-file) as a ClusterTrustBundle (signer kubernetes.io/kube-apiserver-serving);
# the controller exists from 1.33 and runs where its ClusterTrustBundle gate is on (by default from 1.37).
kube_minor="$("$bin/kube-apiserver" --version | sed -E 's/^Kubernetes v1\.([0-9]+)\..*/\1/')"
[[ "$kube_minor" =~ ^[0-9]+$ ]] && (( kube_minor >= 33 )) && controllers+=",kube-apiserver-serving-clustertrustbundle-publisher-controller"
log "starting kube-controller-manager on 127.0.0.1:$kcm_port (controllers $controllers)"
launch kube-controller-manager "$bin/kube-controller-manager" \
  --kubeconfig="$state/kcm.kubeconfig" \
  --authentication-kubeconfig="$state/kcm.kubeconfig" \
  --authorization-kubeconfig="$state/kcm.kubeconfig" \
  --authentication-skip-lookup=true \
  --bind-address=127.0.0.1 \
  --secure-port="$kcm_port" \
  --cert-dir="$state/kcm-certs" \
  --leader-elect=false \
  --controllers="$controllers" \
  --use-service-account-credentials=true \
  --cluster-signing-kube-apiserver-client-cert-file="$pki/client-ca.crt" \
  --cluster-signing-kube-apiserver-client-key-file="$pki/client-ca.key" \
  --cluster-signing-duration=24h \
  --root-ca-file="$pki/server-ca.crt" \
  --service-account-private-key-file="$pki/sa.key" \
  --profiling=false
kcm_ok() { [[ "$(curl -sSk -m 5 "https://127.0.0.1:$kcm_port/healthz" 2>/dev/null)" == ok ]]; }
wait_for kube-controller-manager 60 "kube-controller-manager /healthz" kcm_ok
log "kube-controller-manager healthy ($(elapsed))"

# ---- functional gate -------------------------------------------------------------------------------------------
k() { "$kubectl" --kubeconfig="$state/admin.kubeconfig" --request-timeout=10s "$@"; }
sa_ok() { k get serviceaccount default -n default -o name >/dev/null 2>&1; }
wait_for kube-controller-manager 60 "ServiceAccount default/default created by the serviceaccount controller" sa_ok
log "default ServiceAccount exists ($(elapsed))"

canary="kcl-canary-$$-$RANDOM"
ec_key canary
ossl req -new -config "$pki/openssl.cnf" -key "$pki/canary.key" -subj "/CN=$canary" -out "$pki/canary.csr"
k create -f - >/dev/null <<EOF || die "could not create the canary CSR $canary"
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: $canary
spec:
  request: $(base64 -w0 <"$pki/canary.csr")
  signerName: kubernetes.io/kube-apiserver-client
  expirationSeconds: 600
  usages: [digital signature, client auth]
EOF
k certificate approve "$canary" >/dev/null || die "could not approve the canary CSR $canary"
issued() {
  local b64
  b64="$(k get csr "$canary" -o 'jsonpath={.status.certificate}' 2>/dev/null)" && [[ -n "$b64" ]] \
    && base64 -d <<<"$b64" >"$pki/canary.crt"
}
wait_for kube-controller-manager 60 "canary CSR $canary signed by csrsigning" issued
openssl verify -CAfile "$pki/client-ca.crt" "$pki/canary.crt" >/dev/null 2>&1 \
  || die "the canary certificate does not verify against $pki/client-ca.crt"
# The issued certificate must authenticate: ask the apiserver who we are with it.
whoami="$(curl -sS -m 10 --cacert "$pki/server-ca.crt" --cert "$pki/canary.crt" --key "$pki/canary.key" \
  -X POST -H 'Content-Type: application/json' -d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' \
  "$server/apis/authentication.k8s.io/v1/selfsubjectreviews" 2>&1)" || true
[[ "$whoami" == *"\"username\": \"$canary\""* || "$whoami" == *"\"username\":\"$canary\""* ]] \
  || die "the canary certificate does not authenticate as $canary: $(head -c 300 <<<"$whoami" | tr '\n' ' ')"
k delete csr "$canary" >/dev/null || die "could not delete the canary CSR $canary"
rm -f "$pki"/canary.*
log "canary CSR issued, authenticated and deleted ($(elapsed))"

# ---- hand-off --------------------------------------------------------------------------------------------------
cat >"$state/cluster.env" <<EOF
KCL_CLUSTER_DIR=$state
KCL_SERVER=$server
KCL_ADMIN_KUBECONFIG=$state/admin.kubeconfig
KCL_CA_FILE=$pki/server-ca.crt
KCL_CLIENT_CA_FILE=$pki/client-ca.crt
KCL_SIGNER_NAME=kubernetes.io/kube-apiserver-client
KCL_BIN_DIR=$bin
KCL_KUBECTL=$kubectl
KCL_KUBERNETES_VERSION=$("$bin/kube-apiserver" --version | awk '{print $2}')
KCL_ETCD_PORT=$etcd_port
KCL_APISERVER_PORT=$api_port
KCL_KCM_PORT=$kcm_port
KCL_CSRAPPROVING=$csrapproving
KCL_AUDIT=$audit
KCL_AUDIT_LOG=$audit_log
KCL_LOG_DIR=$state/logs
EOF
started=0
log "cluster up in $(elapsed): $server (state $state; stop with npm run cluster:down)"
echo "$state/admin.kubeconfig"
