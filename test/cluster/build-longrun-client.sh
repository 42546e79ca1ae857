#!/usr/bin/env bash
# Builds (once) the long-running client-go program of the e2e suite (gomod/longrun-client) from the same pinned
# modules as the control plane, into a cache outside the clone keyed by Go version, go.sum and the program's
# source: `$KCL_BIN_CACHE/../longrun-client/<go>-<hash>/` (default ~/.cache/kube-csr-login/longrun-client/...).
# Prints the binary's path as its last line. Needs Go >= 1.24 (exit 3 without Go).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mod="$here/gomod"

if ! command -v go >/dev/null 2>&1; then
  echo "kube-csr-login: the long-running client test is built from source and needs Go >= 1.24 (https://go.dev/dl/)" >&2
  exit 3
fi
go_version="$(go env GOVERSION)"
hash="$(cat "$mod/go.sum" "$mod/go.mod" "$mod/longrun-client/main.go" | sha256sum | cut -c1-12)"
cache_root="${KCL_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-csr-login/control-plane}"
out="$(dirname "$cache_root")/longrun-client/$go_version-$hash"
if [[ -x "$out/longrun-client" ]]; then
  echo "$out/longrun-client"
  exit 0
fi
mkdir -p "$out"
# One build at a time per output (as build.sh): a second caller waits, then finds the binary.
if command -v flock >/dev/null 2>&1; then
  exec 8>"$out.lock"
  flock -w 1800 8 || { echo "kube-csr-login: timed out waiting for the build lock $out.lock" >&2; exit 1; }
  if [[ -x "$out/longrun-client" ]]; then
    echo "$out/longrun-client"
    exit 0
  fi
fi
echo "building the long-running client-go test program into $out" >&2
start=$(date +%s)
tmp="$(mktemp -d "$out/build.XXXXXX")"
# -mod=readonly: the control plane's go.mod already requires client-go; never rewrite the clone's files.
(cd "$mod" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$tmp/longrun-client" ./longrun-client)
mv "$tmp/longrun-client" "$out/longrun-client"
rm -rf "$tmp"
echo "built in $(( $(date +%s) - start )) s" >&2
echo "$out/longrun-client"
