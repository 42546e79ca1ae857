#!/usr/bin/env bash
# Builds (once) what a node adds to the local control plane, from the project's pinned module set
# (test/cluster/gomod, as build.sh does, so the shared Go cache of the control-plane build is reused):
# kubelet and kube-scheduler, plus a static pause binary for the pod sandbox image.
# Cached beside build.sh's output as <version>-<go>-<go.sum hash>-node/. Prints that directory last.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mod="$(cd "${1:-$here/../gomod}" && pwd)"
command -v go >/dev/null 2>&1 || { echo "build-node: the node is built from source and needs Go (https://go.dev/dl/)" >&2; exit 3; }
k8s_version="$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$mod/go.mod")"
sum_hash="$(sha256sum "$mod/go.sum" | cut -c1-12)"
cache_root="${KCL_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-csr-login/control-plane}"
out="$cache_root/$k8s_version-$(go env GOVERSION)-$sum_hash-node"
built() { [[ -x "$out/kubelet" && -x "$out/kube-scheduler" && -x "$out/pause" ]] && "$out/kubelet" --version 2>/dev/null | grep -q "Kubernetes $k8s_version$"; }
if built; then echo "$out"; exit 0; fi
mkdir -p "$cache_root"
exec 8>"$out.lock"
flock -w 3600 8 || { echo "build-node: timed out waiting for $out.lock" >&2; exit 1; }
if built; then echo "$out"; exit 0; fi
echo "building kubelet and kube-scheduler $k8s_version into $out (after the control-plane build: about 2 min)" >&2
start=$(date +%s)
work="$out.mod"
rm -rf "$work" "$out.tmp"
mkdir -p "$work/pause" "$out.tmp"
cp "$mod/go.mod" "$mod/go.sum" "$work/"   # a copy: -mod=mod adds the kubelet's few extra go.sum lines to it
cp "$here/pause/main.go" "$work/pause/"
minor="${k8s_version#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
(
  cd "$work"
  export CGO_ENABLED=0 GOFLAGS=-mod=mod
  go build -trimpath -tags selinux,notest -ldflags "$ldflags" -o "$out.tmp/" k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-scheduler
  go build -trimpath -ldflags "-s -w" -o "$out.tmp/pause" ./pause
) >"$out.build.log" 2>&1 || { tail -n 20 "$out.build.log" >&2; echo "build-node: the build failed (log: $out.build.log)" >&2; exit 1; }
rm -rf "$out" "$work"
mv "$out.tmp" "$out"
echo "built the node binaries in $(( $(date +%s) - start )) s" >&2
echo "$out"
