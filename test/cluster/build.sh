#!/usr/bin/env bash
# Builds (once) the pinned control-plane binaries: etcd, kube-apiserver, kube-controller-manager, kubectl.
# The result is cached outside the clone, keyed by Kubernetes version, Go version and go.sum hash, so a
# fresh clone on the same machine reuses it. Prints the binary directory as its last line.
# Usage: build.sh [--only kubectl] [MODULE_DIR]; the default is gomod/, the pinned version; gomod-for.sh
# writes others (module-dir.sh VERSION prints the dir). --only kubectl: a kubectl of that version alone
# (about a tenth of the CPU), the full build's directory when it is there, else kubectl built by itself
# and cached under <cache>/kubectl/<same key>; under the same lock, so a full build running is waited for.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
only=""
if [[ "${1:-}" == --only ]]; then
  [[ "${2:-}" == kubectl ]] || { echo "build.sh: --only takes kubectl, not '${2:-}'" >&2; exit 2; }
  only=kubectl
  shift 2
fi
mod="$(cd "${1:-$here/gomod}" && pwd)"

if ! command -v go >/dev/null 2>&1; then
  echo "kube-csr-login: the local control plane is built from source and needs Go >= 1.24 (https://go.dev/dl/); install it and re-run" >&2
  exit 3
fi

k8s_version="$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$mod/go.mod")"
go_version="$(go env GOVERSION)"
sum_hash="$(sha256sum "$mod/go.sum" | cut -c1-12)"
cache_root="${KCL_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-csr-login/control-plane}"
key="$k8s_version-$go_version-$sum_hash"
full="$cache_root/$key"
out="$full"
[[ -z "$only" ]] || out="$cache_root/kubectl/$key"

full_built() {
  [[ -x "$full/kube-apiserver" && -x "$full/kube-controller-manager" && -x "$full/kubectl" && -x "$full/etcd" ]] \
    && "$full/kube-apiserver" --version 2>/dev/null | grep -q "Kubernetes $k8s_version$"
}
kubectl_in() { # captured, not piped to grep -q: kubectl killed by SIGPIPE would fail under pipefail
  local said
  [[ -x "$1/kubectl" ]] && said="$("$1/kubectl" version --client 2>/dev/null)" \
    && [[ $'\n'"$said"$'\n' == *$'\n'"Client Version: $k8s_version"$'\n'* ]]
}
# Prints the directory to use when it is built: the full build serves a kubectl-only request too.
found() {
  if [[ -z "$only" ]]; then full_built && echo "$full"; return; fi
  local dir
  for dir in "$full" "$out"; do
    if kubectl_in "$dir"; then echo "$dir"; return 0; fi
  done
  return 1
}
found && exit 0

# One build at a time per output: parallel clones (or CI next to a developer) would otherwise all compile
# the same packages and race on "$out.tmp". The second waits, then finds the finished build.
# A kubectl-only build takes the full build's lock: neither starts while the other compiles.
mkdir -p "$(dirname "$out")"
if command -v flock >/dev/null 2>&1; then
  exec 8>"$full.lock"
  if ! flock -n 8; then
    echo "another build of $full is running; waiting for it (up to 60 min)" >&2
    flock -w 3600 8 || { echo "kube-csr-login: timed out waiting for the build lock $full.lock" >&2; exit 1; }
  fi
  found && exit 0
fi

log="$out.build.log"
if [[ -n "$only" ]]; then
  echo "building kubectl $k8s_version alone with $go_version into $out (first time: 2-5 min on 2 cores; log: $log)" >&2
else
  echo "building Kubernetes $k8s_version control plane with $go_version into $out (first time: 10-20 min on 2 cores; log: $log)" >&2
fi
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
: >"$log"
minor="${k8s_version#v1.}"; minor="${minor%%.*}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done
k8s_cmds=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl)
etcd_cmd=go.etcd.io/etcd/server/v3
[[ -z "$only" ]] || k8s_cmds=(k8s.io/kubernetes/cmd/kubectl)
start=$(date +%s)

# Reads `go build -v` (it names each package as it compiles it), appends everything to the log, and
# shows packages compiled out of the total with the elapsed time on stderr: rewritten in place on a
# terminal, else one line every 30 s. No forks per line: bash's printf gives the clock.
progress() { # total
  local total=$1 done=0 line now last=0 current='' shown
  exec 7>>"$log"
  while IFS= read -r line; do
    printf '%s\n' "$line" >&7
    [[ "$line" =~ ^[A-Za-z0-9._~/+-]+$ ]] || continue # an import path: one package compiled
    done=$((done + 1)) current=$line
    printf -v now '%(%s)T' -1
    if [[ -t 2 ]] && (( now != last )) || (( now - last >= 30 )); then
      shown=$(( done < total ? done : total ))
      printf -v line 'building: %d/%d packages (%d%%), %dm%02ds, now %s' "$shown" "$total" $((shown * 100 / total)) \
        $(((now - start) / 60)) $(((now - start) % 60)) "$current"
      if [[ -t 2 ]]; then printf '\r\033[K%s' "${line:0:150}" >&2; else printf '%s\n' "$line" >&2; fi
      last=$now
    fi
  done
  [[ -t 2 ]] && printf '\r\033[K' >&2
  exec 7>&-
}

if ! (
  cd "$mod"
  export CGO_ENABLED=0 GOFLAGS=-mod=mod
  echo "resolving the packages to build (the first run also downloads the modules)" >&2
  total=$({ go list -deps -tags selinux,notest "${k8s_cmds[@]}" && { [[ -n "$only" ]] || go list -deps "$etcd_cmd"; }; } 2>>"$log" | sort -u | wc -l)
  (( total > 0 )) || exit 1
  echo "compiling $total packages" >&2
  {
    go build -v -trimpath -tags selinux,notest -ldflags "$ldflags" -o "$out.tmp/" "${k8s_cmds[@]}" \
      && { [[ -n "$only" ]] || go build -v -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" "$etcd_cmd"; }
  } 2>&1 | progress "$total"
); then
  echo "kube-csr-login: building ${only:-the control plane} failed; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
rm -rf "$out"
mv "$out.tmp" "$out"
echo "built in $(( $(date +%s) - start )) s" >&2
if [[ -n "$only" ]] && ! kubectl_in "$out"; then
  echo "kube-csr-login: $out/kubectl does not report version $k8s_version" >&2
  exit 1
fi
echo "$out"
