#!/usr/bin/env bash
# Prints the Go module directory that builds Kubernetes VERSION's control plane: gomod/ for the pinned
# version, else $KCL_GOMOD_CACHE/VERSION (default ~/.cache/kube-csr-login/gomod/VERSION), written once by
# gomod-for.sh (into a temporary directory first, so an interrupted run leaves nothing half-written).
# Usage: module-dir.sh [VERSION]; without VERSION (or with the pinned one): gomod/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pinned="$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$here/gomod/go.mod")"
version="${1:-$pinned}"
if [[ "$version" == "$pinned" ]]; then
  echo "$here/gomod"
  exit 0
fi
[[ "$version" =~ ^v1\.[0-9]+\.[0-9]+$ ]] || { echo "module-dir: not a release version like v1.36.3: '$version'" >&2; exit 2; }
mod="${KCL_GOMOD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-csr-login/gomod}/$version"
if [[ ! -s "$mod/go.sum" ]]; then
  echo "writing the Go module for Kubernetes $version into $mod" >&2
  rm -rf "$mod.tmp"
  bash "$here/gomod-for.sh" "$version" "$mod.tmp" >&2
  rm -rf "$mod"
  mv "$mod.tmp" "$mod"
fi
echo "$mod"
