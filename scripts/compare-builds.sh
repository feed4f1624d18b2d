#!/usr/bin/env bash
# Proof that a change of structure changed no output: builds REV (default: HEAD~1) in a
# temporary worktree and the working tree as it is, runs both over every message under
# ../shared/corpora/messages (scan, NDJSON) and over every DNS fixture with its recording,
# and compares the outputs byte for byte.
#
#   scripts/compare-builds.sh [REV]
#
# Prints one line per input set and exits 1 on the first difference (showing it).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD~1}
corpus=../shared/corpora/messages
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
base=$(git rev-parse --short "$rev")
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/base" "$base" >/dev/null 2>&1
# One target folder for both: the dependencies are built once.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
(cd "$tmp/base" && cargo build --release --quiet)
cp "$CARGO_TARGET_DIR/release/hopsleuth" "$tmp/old"
cargo build --release --quiet
cp "$CARGO_TARGET_DIR/release/hopsleuth" "$tmp/new"

same() { # label, then the arguments both binaries get
  local label=$1; shift
  "$tmp/old" "$@" > "$tmp/old.out" 2> "$tmp/old.err" || true
  "$tmp/new" "$@" > "$tmp/new.out" 2> "$tmp/new.err" || true
  if cmp -s "$tmp/old.out" "$tmp/new.out"; then
    echo "identical: $label ($(wc -l < "$tmp/new.out") lines, $(wc -c < "$tmp/new.out") bytes)"
  else
    echo "DIFFERENT: $label"
    diff <(head -c 2000000 "$tmp/old.out") <(head -c 2000000 "$tmp/new.out") | head -20
    exit 1
  fi
}

export HOPSLEUTH_NOW=2026-11-26T07:18:02Z
same "scan --no-dns of $corpus against $base" scan --no-dns --fail-on never "$corpus"
same "text reports of the samples" analyze --no-dns --format text samples/*.eml
same "spamassassin format of the samples" analyze --no-dns --format spamassassin samples/*.eml
for rec in tests/fixtures/*/*.dns.json; do
  same "replay of ${rec%.dns.json}.eml" analyze --dns-replay "$rec" "${rec%.dns.json}.eml"
done
