#!/usr/bin/env bash
# Rotates the serving CA of a running local control plane (started by up.sh), one step per call, the way an
# admin does it without breaking clients that refresh their CA in the overlap:
#
#   KCL_CLUSTER_DIR=... bash test/cluster/rotate-serving-ca.sh begin|switch|finish|publish FILE
#
# begin    a new serving CA (pki/server-ca-next.*); clients' trust (pki/server-ca.crt, the admin and kcm
#          kubeconfigs) and kcm's --root-ca-file become old+new; kcm restarts, so its
#          kube-apiserver-serving-clustertrustbundle-publisher-controller publishes both.
# switch   the apiserver serves a certificate of the new CA (restart-apiserver.sh, same command line).
# finish   the old CA is dropped everywhere: trust and --root-ca-file hold the new CA only; kcm restarts.
# publish  kcm restarts with --root-ca-file=FILE (any bundle: a wrong CA, to test that clients refuse it).
# stderr: progress; exit 0 once kcm (or the apiserver) is healthy again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }

state="${KCL_CLUSTER_DIR:-/tmp/kube-csr-login-cluster}"
[[ "$state" == /* ]] || state="$PWD/$state"
while [[ "$state" == */ && "$state" != / ]]; do state="${state%/}"; done
step="${1:-}"
pki="$state/pki"
# shellcheck source=processes.sh
source "$here/processes.sh"
[[ -f "$state/cluster.env" ]] || die "no running cluster in $state (no cluster.env)"
# shellcheck disable=SC1091
source "$state/cluster.env"

ossl() { openssl "$@" 2>"$pki/openssl.err" || { cat "$pki/openssl.err" >&2; die "openssl $1 failed"; }; }

trust() { # bundle file: what clients verify the apiserver with, in the kubeconfigs up.sh wrote too
  cp "$1" "$pki/server-ca.crt.tmp" && mv "$pki/server-ca.crt.tmp" "$pki/server-ca.crt"
  local data f
  data="$(base64 -w0 <"$pki/server-ca.crt")"
  for f in "$state/admin.kubeconfig" "$state/kcm.kubeconfig"; do
    sed -i -E "s|^(    certificate-authority-data: ).*|\1$data|" "$f"
  done
}

restart_kcm() { # [root-ca-file]
  local pid argv=() arg
  pid="$(cat "$state/pids/kube-controller-manager.pid")"
  ours "$pid" || die "kube-controller-manager (pid $pid) of $state is not running"
  mapfile -d '' argv <"/proc/$pid/cmdline"
  if [[ -n "${1:-}" ]]; then
    for i in "${!argv[@]}"; do [[ "${argv[$i]}" == --root-ca-file=* ]] && argv[i]="--root-ca-file=$1"; done
  fi
  stop_pid kube-controller-manager "$pid"
  detach kube-controller-manager "${argv[@]}" || die "kube-controller-manager did not start again"
  for _ in $(seq 1 120); do
    [[ "$(curl -sSk -m 5 "https://127.0.0.1:$KCL_KCM_PORT/healthz" 2>/dev/null)" == ok ]] && { log "kube-controller-manager healthy again"; return 0; }
    sleep 0.5
  done
  die "kube-controller-manager not healthy within 60 s (log: $state/logs/kube-controller-manager.log)"
}

case "$step" in
  begin)
    [[ -f "$pki/server-ca-old.crt" ]] || cp "$pki/server-ca.crt" "$pki/server-ca-old.crt"
    if [[ ! -f "$pki/server-ca-next.crt" ]]; then
      ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/server-ca-next.key"
      chmod 600 "$pki/server-ca-next.key"
      ossl req -x509 -new -config "$pki/openssl.cnf" -extensions ca -key "$pki/server-ca-next.key" \
        -subj "/CN=kube-csr-login-server-ca-$(date +%s)" -days 3650 -sha256 -out "$pki/server-ca-next.crt"
    fi
    cat "$pki/server-ca-old.crt" "$pki/server-ca-next.crt" >"$pki/server-ca-overlap.crt"
    trust "$pki/server-ca-overlap.crt"
    restart_kcm "$pki/server-ca.crt"
    ;;
  switch)
    [[ -f "$pki/server-ca-next.crt" ]] || die "no rotation begun (run: $0 begin)"
    ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/apiserver-next.key"
    ossl req -new -config "$pki/openssl.cnf" -key "$pki/apiserver-next.key" -subj "/CN=kube-apiserver" -out "$pki/apiserver-next.csr"
    ossl x509 -req -in "$pki/apiserver-next.csr" -CA "$pki/server-ca-next.crt" -CAkey "$pki/server-ca-next.key" \
      -set_serial "0x$(openssl rand -hex 16)" -days 365 -sha256 -extfile "$pki/openssl.cnf" -extensions server -out "$pki/apiserver-next.crt"
    chmod 600 "$pki/apiserver-next.key"
    mv "$pki/apiserver-next.key" "$pki/apiserver.key"
    mv "$pki/apiserver-next.crt" "$pki/apiserver.crt"
    rm -f "$pki/apiserver-next.csr"
    bash "$here/restart-apiserver.sh" >/dev/null
    ;;
  finish)
    [[ -f "$pki/server-ca-next.crt" ]] || die "no rotation begun (run: $0 begin)"
    trust "$pki/server-ca-next.crt"
    mv "$pki/server-ca-next.key" "$pki/server-ca.key"
    rm -f "$pki/server-ca-next.crt" "$pki/server-ca-old.crt" "$pki/server-ca-overlap.crt"
    restart_kcm "$pki/server-ca.crt"
    ;;
  publish)
    [[ -f "${2:-}" ]] || die "publish needs a CA bundle FILE"
    restart_kcm "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
    ;;
  *) die "usage: rotate-serving-ca.sh begin|switch|finish|publish FILE" ;;
esac
rm -f "$pki/openssl.err"
