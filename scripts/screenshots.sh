#!/usr/bin/env bash
# The README's screenshots: two samples' HTML reports rendered by headless Chromium
# (Debian's chromium), the network off for the page (its proxy is a closed port).
# Usage: scripts/screenshots.sh   (writes docs/report-*.png)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for sample in forged-replayed-chain exim-sendmail-mix; do
    ./target/release/hopsleuth analyze --no-dns --format html "samples/$sample.eml" > "$tmp/$sample.html"
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --disable-background-networking --proxy-server=127.0.0.1:9 \
        --user-data-dir="$tmp/profile" --window-size=1280,1100 \
        --screenshot="docs/report-$sample.png" "file://$tmp/$sample.html" 2>/dev/null
    echo "docs/report-$sample.png"
done
