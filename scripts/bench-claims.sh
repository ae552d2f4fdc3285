#!/usr/bin/env bash
# Time and peak memory of `quarry claims` on a deterministic synthetic vault.
#
#   scripts/bench-claims.sh [N]          # N notes, default 10000
#
# 1. generates the vault (gen_vault of crates/synth, seed 42) into $VAULT unless it is there;
# 2. builds target/release/quarry and gen_vault (under $CARGO_TARGET_DIR when set);
# 3. indexes it with --no-embed into $IDX (reused when present);
# 4. runs each claims command once to warm the page cache, then under `/usr/bin/time -v`,
#    and prints wall time, peak RSS, entries and passages as a Markdown table on stdout.
#
# Environment: VAULT, IDX (default /tmp/quarry-claims-bench-{vault,index}-N), ENTITY (DDN, a
# competitor the generator writes about), NO_BUILD=1 to use the binaries as they are.
set -euo pipefail

N=${1:-10000}
case "$N" in '' | *[!0-9]*) echo "usage: $0 [N]" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
QUARRY=$TARGET/release/quarry
GEN=$TARGET/release/gen_vault
VAULT=${VAULT:-/tmp/quarry-claims-bench-vault-$N}
IDX=${IDX:-/tmp/quarry-claims-bench-index-$N}
ENTITY=${ENTITY:-DDN}

if [ -z "${NO_BUILD:-}" ]; then
    (cd "$ROOT" && cargo build --release -p quarry -p quarry-synth >&2)
fi
for bin in "$QUARRY" "$GEN"; do
    [ -x "$bin" ] || { echo "$bin is missing: build it, or set CARGO_TARGET_DIR" >&2; exit 2; }
done
if [ ! -d "$VAULT" ]; then
    "$GEN" "$VAULT" "$N" >&2
fi
if [ ! -d "$IDX" ]; then
    "$QUARRY" --index "$IDX" index "$VAULT" --no-embed >&2
fi

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| command | wall | peak RSS | entries printed |"
echo "|---|---|---|---|"
run() {
    local label=$1
    shift
    "$QUARRY" --index "$IDX" "$@" > /dev/null 2>&1 || true
    local log
    log=$(mktemp)
    local lines
    lines=$( { /usr/bin/time -v "$QUARRY" --index "$IDX" "$@" 2> "$log"; } | grep -c '' || true)
    local wall rss
    wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
    rm -f "$log"
    echo "| \`$label\` | $wall | $((rss / 1024)) MB | $lines lines |"
}
run "quarry claims $ENTITY" claims "$ENTITY" --color never
run "quarry claims $ENTITY --json -n 1000000" claims "$ENTITY" --json -n 1000000
run "quarry claims $ENTITY --about \"read throughput\" --json -n 1000000" claims "$ENTITY" --about "read throughput" --json -n 1000000
run "quarry claims $ENTITY --latest" claims "$ENTITY" --latest --color never
