#!/usr/bin/env bash
# Builds (once) a real helm from the Go module proxy, for the chart's lint/template test and the node
# e2e: `go install helm.sh/helm/v3/cmd/helm@<version>` into ~/.cache/kube-csr-login/tools/helm-<version>/.
# Prints the helm binary's path as its last line. Env: KCL_HELM_VERSION (default: the latest v3 the
# proxy served when this was written).
set -euo pipefail
version="${KCL_HELM_VERSION:-v3.22.1}"
[[ "$version" =~ ^v3\.[0-9]+\.[0-9]+$ ]] || { echo "build-helm: KCL_HELM_VERSION must look like v3.N.N (got '$version')" >&2; exit 2; }
command -v go >/dev/null 2>&1 || { echo "build-helm: building helm needs Go (https://go.dev/dl/)" >&2; exit 3; }
dir="${XDG_CACHE_HOME:-$HOME/.cache}/kube-csr-login/tools/helm-$version"
built() { [[ -x "$dir/helm" ]] && "$dir/helm" version --template '{{.Version}}' 2>/dev/null | grep -qx "$version"; }
if built; then echo "$dir/helm"; exit 0; fi
mkdir -p "$dir"
exec 8>"$dir.lock"
flock -w 1800 8 || { echo "build-helm: timed out waiting for $dir.lock" >&2; exit 1; }
if built; then echo "$dir/helm"; exit 0; fi
echo "building helm $version from the Go module proxy into $dir (first time: a few minutes)" >&2
start=$(date +%s)
# helm's version comes from its ldflags, as its Makefile sets them
CGO_ENABLED=0 GOBIN="$dir" go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$version" "helm.sh/helm/v3/cmd/helm@$version" >&2
built || { echo "build-helm: $dir/helm does not report $version" >&2; exit 1; }
echo "built helm in $(( $(date +%s) - start )) s" >&2
echo "$dir/helm"
