#!/usr/bin/env bash
# inputs_key and build_context_key (lib/common.sh), the cache keys of every image and source
# build: an unchanged context gives the same key; any change of a byte, a file name, a file added
# to a directory, a word or a build arg gives another; a missing input is an error.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export DAPRKIT_CACHE="$tmp/cache"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$here/lib/common.sh"
fail() { echo "FAIL: $*"; exit 1; }
same() { [ "$1" = "$2" ] || fail "$3: $1 != $2"; }
differs() { [ "$1" != "$2" ] || fail "$3: key unchanged ($1)"; }

mkdir -p "$tmp/src/sub" "$tmp/other"
echo 'package main' >"$tmp/src/main.go"; echo 'v1' >"$tmp/src/sub/data"; echo 'binary' >"$tmp/bin"
key() { inputs_key v1.0 "tag=x" -- "$tmp/src" "$tmp/bin"; }
k0=$(key)
[[ "$k0" =~ ^[0-9a-f]{32}$ ]] || fail "not a 32-hex key: $k0"
same "$k0" "$(key)" "same inputs"
echo 'v2' >"$tmp/src/sub/data";      differs "$k0" "$(key)" "a byte in a nested file"
echo 'v1' >"$tmp/src/sub/data";      same "$k0" "$(key)" "content restored"
touch "$tmp/src/sub/data";           same "$k0" "$(key)" "timestamp only"
echo x >"$tmp/src/new";              differs "$k0" "$(key)" "a file added to a directory"
rm "$tmp/src/new"
mv "$tmp/src/main.go" "$tmp/src/other.go"; differs "$k0" "$(key)" "a file renamed"
mv "$tmp/src/other.go" "$tmp/src/main.go"
echo 'binary2' >"$tmp/bin";          differs "$k0" "$(key)" "an input file"
echo 'binary' >"$tmp/bin"
differs "$k0" "$(inputs_key v1.1 "tag=x" -- "$tmp/src" "$tmp/bin")" "a word"
differs "$k0" "$(inputs_key v1.0 "tag=x" -- "$tmp/src")" "an input left out"
cp "$tmp/bin" "$tmp/other/bin2"
differs "$k0" "$(inputs_key v1.0 "tag=x" -- "$tmp/src" "$tmp/other/bin2")" "an input under another name"
if out=$(inputs_key v1 -- "$tmp/nope" 2>&1); then fail "missing input accepted: $out"; fi
[[ "$out" == *"missing input: $tmp/nope"* ]] || fail "missing input not named: $out"

# build_context_key: images/NAME + inputs + build args; CLUSTER_DIR points at a fake tree here
CLUSTER_DIR="$tmp/cluster"; mkdir -p "$CLUSTER_DIR/images/demo"
# shellcheck disable=SC2016 # $BINARY is Dockerfile text
printf 'ARG BINARY\nFROM scratch\nCOPY $BINARY /\n' >"$CLUSTER_DIR/images/demo/Dockerfile"
ctx() { build_context_key demo --build-arg "BINARY=${1:-bin}" "$tmp/bin"; }
c0=$(ctx)
same "$c0" "$(ctx)" "same context"
differs "$c0" "$(ctx other)" "a build arg"
echo '# comment' >>"$CLUSTER_DIR/images/demo/Dockerfile"; differs "$c0" "$(ctx)" "the Dockerfile"
c1=$(ctx); echo 'binary3' >"$tmp/bin"; differs "$c1" "$(ctx)" "a binary in the context"
if out=$(build_context_key demo --build-arg BASE_IMAGE=daprkit-test/none:0 2>&1); then
  fail "a missing base image accepted: $out"
fi
[[ "$out" == *"missing base image: daprkit-test/none:0"* ]] || fail "missing base image not named: $out"
echo "inputs_key and build_context_key: all cases pass"
