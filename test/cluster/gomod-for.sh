#!/usr/bin/env bash
# Writes a Go module that builds Kubernetes VERSION's control plane into DIR (default: gomod/, the pinned one):
# k8s.io/kubernetes VERSION, the etcd server its own go.mod pins, a replace line per staging module
# (k8s.io/kubernetes names them v0.0.0 and maps them to ./staging, which `go build` of a dependency refuses),
# its go and godebug lines, and the project's tools.go and Go programs. Then `go mod tidy`.
# Usage: gomod-for.sh v1.37.2 [DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${1:?usage: gomod-for.sh VERSION [DIR]}"
dir="${2:-$here/gomod}"
[[ "$version" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "gomod-for: not a release version: $version" >&2; exit 2; }
staging="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
upstream="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
[[ -f "$upstream" ]] || { echo "gomod-for: the module proxy has no k8s.io/kubernetes $version" >&2; exit 1; }
etcd="$(awk '$1=="go.etcd.io/etcd/server/v3" {print $2; exit}' "$upstream")"
mkdir -p "$dir"
if [[ "$dir" != "$here/gomod" ]]; then
  cp "$here/gomod/tools.go" "$dir/"
  for program in csr-oracle longrun-client; do rm -rf "${dir:?}/$program"; cp -r "$here/gomod/$program" "$dir/"; done
fi
{
  echo "// Wrapper module: builds pinned Kubernetes control-plane binaries from the Go module proxy."
  echo "// Written by ../gomod-for.sh $version; k8s.io/kubernetes maps its staging modules to ./staging with"
  echo "// replace directives, which 'go build' refuses; this module repeats them against the published modules."
  echo "module kube-csr-login/test/cluster/gomod"
  echo
  awk '$1=="go" || $1=="godebug" {print}' "$upstream"
  echo
  echo "require ("
  echo "	go.etcd.io/etcd/server/v3 $etcd"
  echo "	k8s.io/kubernetes $version"
  echo ")"
  echo
  echo "replace ("
  awk -v v="$staging" '$1 ~ /^k8s\.io\// && $2=="v0.0.0" {print "\t" $1 " => " $1 " " v}' "$upstream" | sort -u
  echo ")"
} >"$dir/go.mod"
rm -f "$dir/go.sum"
(cd "$dir" && go mod tidy)
