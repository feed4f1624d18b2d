#!/usr/bin/env bash
# Throughput and memory of `hopsleuth scan` (a benchmark run by hand, not a test).
#
#   scripts/bench-scan.sh [CORPUS_DIR]
#
# 1. scan --no-dns over the corpus (default: ../shared/corpora/messages/spamassassin_public_corpus),
#    best of 3 warm runs: messages/s and peak RSS;
# 2. the same over a 1 GiB mbox built from the corpus in a temporary directory (deleted after);
# 3. SpamAssassin 4 (`spamassassin -L`) over 200 of the same messages, when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpora/messages/spamassassin_public_corpus}
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
# The distribution profile (fat LTO, one codegen unit): what a packaged binary is.
cargo build --profile release-lto --quiet
bin=target/release-lto/hopsleuth
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # label, args...: best messages/s of 3 runs, and the peak RSS of that run
  local label=$1; shift
  local best=0 best_rss=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%M" -o "$tmp/rss" "$bin" scan --no-dns --fail-on never --summary "$tmp/summary.json" "$@" > /dev/null 2> /dev/null
    local rate rss
    rate=$(python3 -c "import json;print(int(json.load(open('$tmp/summary.json'))['messages_per_s']))")
    rss=$(tail -1 "$tmp/rss")
    if [ "$rate" -gt "$best" ]; then best=$rate; best_rss=$rss; fi
  done
  local n
  n=$(python3 -c "import json;print(json.load(open('$tmp/summary.json'))['messages'])")
  printf '%-34s %8s messages  %8s messages/s  peak RSS %6.1f MiB\n' "$label" "$n" "$best" "$(echo "$best_rss / 1024" | bc -l)"
}

echo "machine: $(nproc) cores, $(uname -m)"
"$bin" scan --no-dns --fail-on never "$corpus" > /dev/null 2>&1 || true   # warm the page cache
run "scan $(basename "$corpus")" "$corpus"

# A 1 GiB mbox from the corpus, repeated until it is large enough.
python3 - "$corpus" "$tmp/big.mbox" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(src) for f in fs)
msgs = []
for p in files:
    b = open(p, 'rb').read()
    if not b.startswith(b'From '):
        b = b'From bench@example.invalid Thu Jan  1 00:00:00 2026\n' + b
    msgs.append(b.rstrip(b'\n') + b'\n\n')
size = 0
with open(dst, 'wb') as out:
    while size < 1 << 30:
        for b in msgs:
            out.write(b)
            size += len(b)
            if size >= 1 << 30:
                break
PY
run "scan 1 GiB mbox ($(du -h "$tmp/big.mbox" | cut -f1))" "$tmp/big.mbox"
rm -f "$tmp/big.mbox"

if command -v spamassassin > /dev/null; then
  # The same 200 messages as one mbox: both tools read it in a single process.
  find "$corpus" -type f | sort > "$tmp/list"
  head -200 "$tmp/list" > "$tmp/list200"
  while read -r f; do
    if ! head -c 5 "$f" | grep -q '^From '; then echo 'From bench@example.invalid Thu Jan  1 00:00:00 2026'; fi
    cat "$f"; echo
  done < "$tmp/list200" > "$tmp/sa.mbox"
  start=$(date +%s.%N)
  spamassassin -L --mbox < "$tmp/sa.mbox" > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  printf '%-34s %8s messages  %8.1f messages/s  (SpamAssassin %s, all rules, local tests only)\n' \
    "spamassassin -L --mbox" 200 "$(echo "200 / ($end - $start)" | bc -l)" "$(spamassassin -V | head -1 | awk '{print $3}')"
  start=$(date +%s.%N)
  "$bin" scan --no-dns --fail-on never "$tmp/sa.mbox" > /dev/null 2>&1
  end=$(date +%s.%N)
  printf '%-34s %8s messages  %8.1f messages/s  (including process start-up)\n' \
    "hopsleuth scan (same mbox)" 200 "$(echo "200 / ($end - $start)" | bc -l)"
else
  echo "spamassassin not installed: side-by-side skipped (apt-get install spamassassin)"
fi
