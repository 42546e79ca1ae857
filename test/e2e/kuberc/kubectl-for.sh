#!/usr/bin/env bash
# Prints the path of a kubectl of Kubernetes VERSION (v1.35.4, ...) for the kuberc e2e suite. Uses the
# control plane's kubectl when build.sh has built that version; otherwise builds kubectl alone (with an
# empty Go build cache about 160 CPU-seconds, against about 14 CPU-minutes for build.sh) from the same
# Go module dir, cached the same way: keyed by version, Go
# version and go.sum hash, under <cache>/kubectl/, so a second run returns at once.
# The build runs under build.sh's lock for that version: a full build of it running elsewhere is waited
# for (its kubectl is then used), and none starts while kubectl is compiling.
# Usage: kubectl-for.sh VERSION
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cluster="$here/../../cluster"
version="${1:?usage: kubectl-for.sh VERSION}"
[[ "$version" =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || { echo "kubectl-for: not a release version: $version" >&2; exit 2; }
minor="${BASH_REMATCH[1]}"
command -v go >/dev/null 2>&1 || { echo "kubectl-for: building kubectl $version needs Go >= 1.24 (https://go.dev/dl/)" >&2; exit 3; }

# the module dir: gomod/ for the pinned version, else the one gomod-for.sh writes for the version matrix
if [[ "$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$cluster/gomod/go.mod")" == "$version" ]]; then
  mod="$cluster/gomod"
else
  mod="${KCL_GOMOD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-csr-login/gomod}/$version"
  if [[ ! -s "$mod/go.sum" ]]; then
    echo "kubectl-for: writing the Go module for Kubernetes $version into $mod" >&2
    rm -rf "$mod.tmp"
    bash "$cluster/gomod-for.sh" "$version" "$mod.tmp" >&2
    rm -rf "$mod"
    mv "$mod.tmp" "$mod"
  fi
fi

key="$version-$(go env GOVERSION)-$(sha256sum "$mod/go.sum" | cut -c1-12)"
cache_root="${KCL_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-csr-login/control-plane}"
full="$cache_root/$key/kubectl"
only="$cache_root/kubectl/$key/kubectl"
usable() { [[ -x "$1" ]] && "$1" version --client 2>/dev/null | grep -q "^Client Version: $version$"; }
found() {
  for candidate in "$full" "$only"; do
    if usable "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}
found && exit 0

mkdir -p "$cache_root/kubectl"
exec 8>"$cache_root/$key.lock" # build.sh's lock file for this version
if ! flock -n 8; then
  echo "kubectl-for: a build of Kubernetes $version is running; waiting for it (up to 60 min)" >&2
  flock -w 3600 8 || { echo "kubectl-for: timed out waiting for $cache_root/$key.lock" >&2; exit 1; }
fi
found && exit 0

log="$cache_root/kubectl/$key.build.log"
echo "kubectl-for: building kubectl $version alone (log: $log)" >&2
start=$(date +%s)
rm -rf "$cache_root/kubectl/$key.tmp"
mkdir -p "$cache_root/kubectl/$key.tmp"
# the version stamps build.sh sets, so that `kubectl version` names the release
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
if ! (cd "$mod" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -tags selinux,notest -ldflags "$ldflags" \
  -o "$cache_root/kubectl/$key.tmp/kubectl" k8s.io/kubernetes/cmd/kubectl) >"$log" 2>&1; then
  echo "kubectl-for: building kubectl $version failed; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
rm -rf "$cache_root/kubectl/$key"
mv "$cache_root/kubectl/$key.tmp" "$cache_root/kubectl/$key"
echo "kubectl-for: built kubectl $version in $(($(date +%s) - start)) s" >&2
usable "$only" || { echo "kubectl-for: $only does not report version $version" >&2; exit 1; }
echo "$only"
