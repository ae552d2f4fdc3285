#!/usr/bin/env bash
# Embedding throughput: quarry's encoders against sentence-transformers, side by side in one run
# on the same passages (tests/fixtures/embeddings/bench_passages.json: 200 of ~40 and 200 of
# ~120 word pieces), the same model files and the same machine.
#
#   scripts/bench-embed.sh [PYTHON]
#
# PYTHON is an interpreter with sentence-transformers and torch installed (default: $PYTHON,
# else python3), e.g. after
#   python3 -m venv /tmp/st && /tmp/st/bin/pip install sentence-transformers torch
#
# Runs, in this order: quarry's criterion bench (packed encoder and candle-transformers'
# BertModel, batch 32, both cores), sentence-transformers (batch 32, torch's default threads),
# then quarry's packed encoder once more, so that a change in machine load between the two
# shows up as a difference between quarry's first and last figures.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-${PYTHON:-python3}}
if ! "$PY" -c 'import sentence_transformers, torch' 2>/dev/null; then
  echo "$PY cannot import sentence_transformers and torch; pass an interpreter that can" >&2
  exit 2
fi

echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(date -u +%F)"
echo "## quarry (cargo bench --bench embed)"
cargo bench --quiet --bench embed -- 'embed_all|query' 2>&1 |
  grep -E '^(embed_all|query)|thrpt:|time:|allocator' || true
echo "## sentence-transformers"
"$PY" scripts/st_throughput.py --repeat 5 2>&1 | grep -E '^(sentence|short|long|query)'
echo "## quarry again (packed encoder, examples/embed_probe)"
cargo run --quiet --release --example embed_probe -- both 5
