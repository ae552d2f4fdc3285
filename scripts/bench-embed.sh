#!/usr/bin/env bash
# Embedding throughput: quarry's encoder at each precision against sentence-transformers and
# ONNX Runtime (fp32 and dynamic int8), side by side in one run on the same passages
# (tests/fixtures/embeddings/bench_passages.json: 200 of ~40 and 200 of ~120 word pieces), the
# same model files and the same machine, with the cosine of each to sentence-transformers.
#
#   scripts/bench-embed.sh [PYTHON] [ONNX_DIR]
#
# PYTHON has sentence-transformers, torch, onnx, onnxruntime and onnxscript (default: $PYTHON,
# else python3), e.g. after
#   python3 -m venv /tmp/ort && /tmp/ort/bin/pip install sentence-transformers torch onnx onnxruntime onnxscript
# ONNX_DIR (default /tmp/quarry-onnx) receives the exported models (scripts/onnx_export.py) on
# the first run; they are never part of the repository.
#
# Runs, in this order: quarry's criterion bench (packed encoder in fp32 and in int8,
# candle-transformers' BertModel; batch 32, both cores), sentence-transformers (batch 32, torch's
# default threads), ONNX Runtime fp32 and int8 (batch 32, 2 threads), then quarry once more
# (fp32 and int8 interleaved, examples/embed_probe) and the cosines of quarry's vectors, so
# that a change in machine load shows up as a difference between quarry's first and last
# figures. The load average is printed at the start and the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-${PYTHON:-python3}}
ONNX=${2:-/tmp/quarry-onnx}
if ! "$PY" -c 'import sentence_transformers, torch, onnxruntime' 2>/dev/null; then
  echo "$PY cannot import sentence_transformers, torch and onnxruntime; pass an interpreter that can" >&2
  exit 2
fi
if [ ! -f "$ONNX/model.int8.onnx" ]; then
  "$PY" scripts/onnx_export.py "$ONNX"
fi
REF=$(mktemp --suffix=.json)
trap 'rm -f "$REF"' EXIT

echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(date -u +%F)"
echo "# CPU flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f|avx512_vnni|avx512_bf16|avx_vnni)$' | tr '\n' ' ')"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## quarry (cargo bench --bench embed)"
cargo bench --quiet --bench embed -- 'embed_all|query' 2>&1 |
  grep -E '^(embed_all|query)|thrpt:|time:|allocator|arithmetic' || true
echo "## sentence-transformers"
"$PY" scripts/st_throughput.py --repeat 5 2>&1 | grep -E '^(sentence|short|long|query)'
echo "## ONNX Runtime"
"$PY" scripts/ort_throughput.py "$ONNX" --repeat 5 --reference "$REF" 2>&1 | grep -E '^(onnxruntime|short|long)'
echo "## quarry again (fp32 and int8 interleaved, examples/embed_probe)"
cargo run --quiet --release --example embed_probe -- ab 3
echo "## quarry's vectors: cosine to its fp32 and to sentence-transformers"
cargo run --quiet --release --example embed_probe -- cosine "$REF"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
