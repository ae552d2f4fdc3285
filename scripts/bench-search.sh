#!/usr/bin/env bash
# Benchmark quarry against ripgrep on a deterministic synthetic vault.
#
#   scripts/bench-search.sh [N]          # N notes, default 10000
#
# 1. generates the vault (gen_vault of crates/synth, seed $SEED) into $VAULT unless it is already there;
# 2. builds target/release/quarry (under $CARGO_TARGET_DIR when set, else ./target);
# 3. times `quarry index VAULT --index IDX --rebuild --no-embed` into a fresh temporary index,
#    then `quarry index` again with nothing changed (the no-op incremental run);
# 4. runs ONE hyperfine comparison of `quarry search WORD --files --mode lexical` against
#    `rg -i -l WORD VAULT` for words of different document frequency, and prints everything as
#    Markdown on stdout (progress goes to stderr).
#
# Not quite the same job, on purpose: rg lists every file containing the word and has no index;
# quarry ranks passages with BM25 (stemmed, case/accent-folded) and lists the best $LIMIT notes.
# Both read from a warm page cache after hyperfine's warm-up runs.
#
# Environment:
#   SEED=42                  generator seed
#   VAULT=/tmp/quarry-bench-vault-N-sSEED   where the vault goes (reused when complete)
#   WORDS="capacity sovereign quuxplorer"   ~97 %, ~16 % and 1 note of the vault
#   LIMIT=10                 quarry -n (notes listed by --files)
#   WARMUP=3 RUNS=           hyperfine --warmup / --runs (default: hyperfine decides)
#   KEEP_INDEX=1             keep the temporary index (its path is printed)
#   NO_BUILD=1               use the existing binaries, don't run cargo
set -euo pipefail

N=${1:-10000}
case "$N" in '' | *[!0-9_]*) echo "usage: $0 [N]   (N = number of notes, default 10000)" >&2; exit 2 ;; esac
N=${N//_/}
SEED=${SEED:-42}
WORDS=${WORDS:-capacity sovereign quuxplorer}
LIMIT=${LIMIT:-10}
WARMUP=${WARMUP:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
QUARRY=$TARGET/release/quarry
GEN=$TARGET/release/gen_vault
VAULT=${VAULT:-/tmp/quarry-bench-vault-$N-s$SEED}
MARKER=$VAULT/.quarry-synth-complete

log() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# --- tools ---------------------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v rg >/dev/null || missing+=(ripgrep)
if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        log "installing ${missing[*]} with apt-get"
        apt-get install -y "${missing[@]}" >&2 || { apt-get update >&2 && apt-get install -y "${missing[@]}" >&2; }
    else
        log "error: need ${missing[*]}: apt-get install -y hyperfine ripgrep (or cargo install hyperfine ripgrep)"
        exit 2
    fi
fi

# --- build ---------------------------------------------------------------------------------
if [[ -z ${NO_BUILD:-} ]]; then
    log "building quarry and gen_vault (release) in $TARGET"
    (cd "$ROOT" && cargo build --release -p quarry --bin quarry -p quarry-synth --bin gen_vault >&2)
fi
for b in "$QUARRY" "$GEN"; do
    [[ -x $b ]] || { log "error: $b not found (set CARGO_TARGET_DIR or unset NO_BUILD)"; exit 2; }
done

# --- vault ---------------------------------------------------------------------------------
if [[ -f $MARKER && $(cat "$MARKER") == "$N $SEED" ]]; then
    log "reusing vault $VAULT ($N notes, seed $SEED)"
    gen_line="reused"
else
    log "generating $N notes (seed $SEED) into $VAULT"
    rm -rf "$VAULT"
    gen_line=$("$GEN" "$VAULT" "$N" --seed "$SEED" | sed -n 1p)
    echo "$N $SEED" >"$MARKER"
fi
vault_mb=$(du -sm "$VAULT" | cut -f1)

# --- index ---------------------------------------------------------------------------------
IDX=$(mktemp -d "${TMPDIR:-/tmp}/quarry-bench-index.XXXXXX")
cleanup() { [[ -n ${KEEP_INDEX:-} ]] && log "index kept at $IDX" || rm -rf "$IDX"; }
trap cleanup EXIT

log "quarry index --rebuild (full build)"
t0=$(now)
"$QUARRY" index "$VAULT" --index "$IDX" --rebuild --no-embed >&2
t1=$(now)
log "quarry index (nothing changed)"
"$QUARRY" index "$VAULT" --index "$IDX" --no-embed >&2
t2=$(now)
full=$(secs "$t0" "$t1")
noop=$(secs "$t1" "$t2")
index_mb=$(du -sm "$IDX" | cut -f1)

# --- sanity: both tools find the words ------------------------------------------------------
declare -A rg_files q_files
for w in $WORDS; do
    rg_files[$w]=$(rg -i -l -- "$w" "$VAULT" | wc -l)
    set +e
    out=$("$QUARRY" search "$w" --index "$IDX" --files --mode lexical -n "$LIMIT")
    rc=$?
    set -e
    if ((rc > 1)); then
        log "error: quarry search $w failed (exit $rc)"
        exit 2
    fi
    q_files[$w]=$(printf '%s' "$out" | grep -c . || true)
done

# --- search: one hyperfine run --------------------------------------------------------------
cmds=()
for w in $WORDS; do
    cmds+=(-n "quarry $w" "'$QUARRY' search '$w' --index '$IDX' --files --mode lexical -n $LIMIT")
    cmds+=(-n "rg $w" "rg -i -l -- '$w' '$VAULT'")
done
md=$(mktemp "${TMPDIR:-/tmp}/quarry-bench-md.XXXXXX")
runs=()
[[ -n ${RUNS:-} ]] && runs=(--runs "$RUNS")
# -N: no shell in between (these take milliseconds; hyperfine discards their output anyway).
# -i: exit status 1 means "no hits" for both tools, like grep.
hyperfine -N -i --style basic --warmup "$WARMUP" "${runs[@]}" --export-markdown "$md" "${cmds[@]}" >&2

# --- report --------------------------------------------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || true)
cat <<EOF
## quarry vs ripgrep, $N synthetic notes (seed $SEED)

- machine: ${cpu:-unknown CPU}, $(nproc) cores; $(date -u +%Y-%m-%d)
- quarry: $("$QUARRY" --version 2>/dev/null || echo quarry); $(rg --version | sed -n 1p); $(hyperfine --version)
- vault: \`$VAULT\`, $vault_mb MB on disk; generation: $gen_line
- index: $index_mb MB

| step | seconds |
|---|---:|
| \`quarry index --rebuild --no-embed\` (full) | $full |
| \`quarry index --no-embed\` (nothing changed) | $noop |

| word | notes containing it (rg -il) | notes listed by quarry --files -n $LIMIT |
|---|---:|---:|
EOF
for w in $WORDS; do
    echo "| $w | ${rg_files[$w]} | ${q_files[$w]} |"
done
echo
sed "s|$QUARRY|quarry|g; s|$IDX|IDX|g; s|$VAULT|VAULT|g" "$md"
rm -f "$md"
