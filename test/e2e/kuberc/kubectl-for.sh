#!/usr/bin/env bash
# Prints the path of a kubectl of Kubernetes VERSION (v1.35.4, ...) for the kuberc e2e suite: the module
# dir from test/cluster/module-dir.sh, then `build.sh --only kubectl`, which returns the control plane's
# kubectl when that version is built, else builds (once, cached) kubectl alone under the same lock.
# Usage: kubectl-for.sh VERSION
set -euo pipefail
cluster="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../cluster" && pwd)"
version="${1:?usage: kubectl-for.sh VERSION}"
mod="$(bash "$cluster/module-dir.sh" "$version")"
dir="$(bash "$cluster/build.sh" --only kubectl "$mod" | tail -n 1)"
echo "$dir/kubectl"
