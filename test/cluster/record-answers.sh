#!/usr/bin/env bash
# Records, from a running local control plane (up.sh; KCL_CLUSTER_DIR), the server answers the unit tests
# replay: the CSR list as a server-side Table (test/unit/approver/fixtures/csr-table-page.json) and the
# Status bodies of refused CSR writes (test/unit/kube/fixtures/csr-status-answers.json): an approval
# written over a stale resourceVersion, Approved added to a Denied CSR, a second Approved condition, a
# create of an existing name, a delete with another object's uid. Run it on a fresh cluster (the page
# must hold only its own CSRs):  KCL_CLUSTER_DIR=/tmp/x bash test/cluster/up.sh && bash test/cluster/record-answers.sh
# Usage: record-answers.sh [DIR] (default test/unit; another DIR gets the same layout, to compare versions).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
unit="${1:-$here/../unit}"
mkdir -p "$unit/approver/fixtures" "$unit/kube/fixtures"
state="${KCL_CLUSTER_DIR:-/tmp/kube-csr-login-cluster}"
# shellcheck disable=SC1091
source "$state/cluster.env"
pki="$state/pki"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
k() { "$KCL_KUBECTL" --kubeconfig="$KCL_ADMIN_KUBECONFIG" "$@"; }
api() { # method path [body file]: prints "<status>\n<body>"
  curl -sS -o "$tmp/body" -w '%{http_code}' --cacert "$pki/server-ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    -X "$1" -H 'Content-Type: application/json' -H 'Accept: application/json' ${3:+--data-binary "@$3"} "$KCL_SERVER$2"
}
csr() { # name
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj "/CN=$1" 2>/dev/null >"$tmp/$1.csr"
  k create -f - >/dev/null <<EOF
{"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"$1"},
 "spec":{"request":"$(base64 -w0 <"$tmp/$1.csr")","signerName":"kubernetes.io/kube-apiserver-client",
 "expirationSeconds":3600,"usages":["digital signature","client auth"]}}
EOF
}
with_condition() { # type: the CSR JSON on stdin plus one condition
  jq --arg t "$1" '.status.conditions += [{type: $t, status: "True", reason: "Recorded", message: "recorded by record-answers.sh"}]'
}
approval=/apis/certificates.k8s.io/v1/certificatesigningrequests

# ---- the Table page: t-a pending, t-b approved and issued, t-c denied (beyond the page: a continue token) ----
for name in t-a t-b t-c; do csr "$name"; done
k certificate approve t-b >/dev/null
k certificate deny t-c >/dev/null
until [[ -n "$(k get csr t-b -o 'jsonpath={.status.certificate}')" ]]; do sleep 0.2; done
curl -sS --cacert "$pki/server-ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
  -H 'Accept: application/json;as=Table;g=meta.k8s.io;v=v1' "$KCL_SERVER$approval?limit=2" | jq . >"$unit/approver/fixtures/csr-table-page.json"
k delete csr t-a t-b t-c >/dev/null

# ---- refused writes ---------------------------------------------------------------------------------------------
answer() { # key method path [body file]
  local code
  code="$(api "$2" "$3" "${4:-}")"
  jq -n --arg key "$1" --argjson status "$code" --slurpfile body "$tmp/body" '{($key): {status: $status, body: $body[0]}}'
}
csr r-stale
k get csr r-stale -o json | with_condition Approved >"$tmp/stale.json"
k certificate deny r-stale >/dev/null
k get csr r-stale -o json | with_condition Approved >"$tmp/approve-denied.json"
csr r-twice
k certificate approve r-twice >/dev/null
k get csr r-twice -o json | with_condition Approved >"$tmp/twice.json"
k get csr r-twice -o json | jq 'del(.metadata.resourceVersion, .metadata.uid, .metadata.creationTimestamp, .metadata.managedFields, .status)' >"$tmp/create.json"
echo '{"apiVersion":"v1","kind":"DeleteOptions","preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}' >"$tmp/delete.json"
{
  answer staleApproval PUT "$approval/r-stale/approval" "$tmp/stale.json"
  answer approvedAfterDenied PUT "$approval/r-stale/approval" "$tmp/approve-denied.json"
  answer secondApproved PUT "$approval/r-twice/approval" "$tmp/twice.json"
  answer createExisting POST "$approval" "$tmp/create.json"
  answer deleteOtherUid DELETE "$approval/r-twice" "$tmp/delete.json"
} | jq -s --arg v "$KCL_KUBERNETES_VERSION" \
  '{recordedFrom: $v, recordedBy: "test/cluster/record-answers.sh", answers: add}' >"$unit/kube/fixtures/csr-status-answers.json"
k delete csr r-stale r-twice >/dev/null
# the repo's formatting (npm run lint checks test/ with prettier)
"$here/../../node_modules/.bin/prettier" --log-level warn --write "$unit/approver/fixtures/csr-table-page.json" \
  "$unit/kube/fixtures/csr-status-answers.json"
echo "recorded from Kubernetes $KCL_KUBERNETES_VERSION" >&2
