#!/usr/bin/env bash
# Throughput of two builds compared in one run: REV (default HEAD~1) against the working
# tree, both in the distribution profile (release-lto), alternating `scan --no-dns` over
# the corpus RUNS times each (this machine's speed drifts over the day, so only
# alternating runs are comparable). Prints each run and the medians.
#
#   scripts/ab-scan.sh [REV] [RUNS] [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD~1}
runs=${2:-7}
corpus=${3:-../shared/corpora/messages/spamassassin_public_corpus}
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
base=$(git rev-parse --short "$rev")
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/base" "$base" >/dev/null 2>&1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
(cd "$tmp/base" && cargo build --profile release-lto --quiet)
cp "$CARGO_TARGET_DIR/release-lto/hopsleuth" "$tmp/A"
cargo build --profile release-lto --quiet
cp "$CARGO_TARGET_DIR/release-lto/hopsleuth" "$tmp/B"

rate() { # binary: messages/s of one scan
  "$1" scan --no-dns --fail-on never --summary "$tmp/s.json" "$corpus" > /dev/null 2> /dev/null
  python3 -c "import json;print(int(json.load(open('$tmp/s.json'))['messages_per_s']))"
}
rate "$tmp/A" > /dev/null; rate "$tmp/B" > /dev/null   # warm the page cache
: > "$tmp/a"; : > "$tmp/b"
for i in $(seq "$runs"); do
  a=$(rate "$tmp/A"); b=$(rate "$tmp/B")
  echo "run $i: A ($base) $a  B (working tree) $b messages/s"
  echo "$a" >> "$tmp/a"; echo "$b" >> "$tmp/b"
done
median() { sort -n "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "median: A ($base) $(median "$tmp/a")  B (working tree) $(median "$tmp/b") messages/s"
