#!/usr/bin/env bash
# Hybrid `quarry search` per process on indexes with vectors: the compact scan (the default,
# `--scan auto`) side by side with the exact scan of every passage (`--scan exact`, what
# quarry did before compact vectors), in ONE hyperfine run per index, with each command's
# peak RSS and a QUARRY_TIMING breakdown. Prints Markdown on stdout (progress on stderr).
#
#   scripts/bench-hybrid.sh INDEX [INDEX...]
#
# Each INDEX must hold vectors: a real index (`quarry index VAULT`, 20 minutes of 2 cores for
# 10k synthetic notes), or a lexical one given vectors by examples/fill_vectors:
#
#   cargo run --release -p quarry-synth --bin gen_vault -- /tmp/v100k 100000
#   quarry index /tmp/v100k --index /tmp/i100k --no-embed
#   cargo run --release --example fill_vectors -- /tmp/i100k [--like REAL_INDEX]
#
# Environment:
#   QUERIES="a|b|c"   queries, |-separated (default: three note-style questions)
#   FILTER="--account X"   extra arguments for a filtered row (default: none)
#   RUNS=30 WARMUP=3  hyperfine --runs / --warmup
#   NO_BUILD=1        use the existing target/release/quarry
set -euo pipefail

(($#)) || { echo "usage: $0 INDEX [INDEX...]" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
QUARRY=$TARGET/release/quarry
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
QUERIES=${QUERIES:-who is short on GPU capacity|checkpoint stalls on the storage cluster|pricing pushback from finance}
log() { printf '%s\n' "$*" >&2; }

command -v hyperfine >/dev/null || { log "error: needs hyperfine (apt-get install -y hyperfine)"; exit 2; }
[[ -x /usr/bin/time ]] || { log "error: needs GNU time at /usr/bin/time (apt-get install -y time)"; exit 2; }
if [[ -z ${NO_BUILD:-} ]]; then
    log "building quarry (release) in $TARGET"
    (cd "$ROOT" && cargo build --release -p quarry --bin quarry >&2)
fi

# Peak RSS in MB of one run of the arguments.
rss_mb() {
    /usr/bin/time -v "$QUARRY" "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }'
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "## Hybrid search per process: compact scan vs exact scan"
echo
echo "- machine: $cpu, $(nproc) cores; $(date -u +%Y-%m-%d); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $("$QUARRY" --version); $(hyperfine --version); $RUNS runs per command after $WARMUP warm-up runs"
IFS='|' read -r -a queries <<<"$QUERIES"
for idx in "$@"; do
    stats=$("$QUARRY" stats --index "$idx" --json)
    passages=$(jq -r .passages <<<"$stats")
    vectors=$(jq -r .vectors <<<"$stats")
    echo
    echo "### \`$idx\`: $passages passages, $vectors vectors"
    echo
    extra=()
    [[ -n ${FILTER:-} ]] && read -r -a extra <<<"$FILTER"
    cmds=()
    lines=()
    for q in "${queries[@]}"; do
        for scan in exact auto; do
            args="search '$q' --index '$idx' --scan $scan -n 10"
            cmds+=(-n "$scan: $q" "$QUARRY $args")
            lines+=("$args")
            if ((${#extra[@]})); then
                args="$args ${extra[*]}"
                cmds+=(-n "$scan: $q ${extra[*]}" "$QUARRY $args")
                lines+=("$args")
            fi
        done
    done
    json=$(mktemp)
    # -N: no shell; -i: exit 1 (no hits) is not a failure.
    hyperfine -N -i --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$json" "${cmds[@]}" >&2
    echo "| query | scan | median ms | mean ms | min ms | peak RSS MB |"
    echo "|---|---|---:|---:|---:|---:|"
    i=0
    while IFS=$'\t' read -r name median mean min; do
        # The same command once more under GNU time, for its peak RSS.
        rss=$(eval "rss_mb ${lines[$i]}")
        printf '| %s | %s | %.1f | %.1f | %.1f | %s |\n' "${name#*: }" "${name%%:*}" "$median" "$mean" "$min" "$rss"
        i=$((i + 1))
    done < <(jq -r '.results[] | [.command, (.median * 1000), (.mean * 1000), (.min * 1000)] | @tsv' "$json")
    rm -f "$json"
    echo
    echo "QUARRY_TIMING of one compact-scan search (\`${queries[0]}\`):"
    echo
    echo '```'
    QUARRY_TIMING=1 "$QUARRY" search "${queries[0]}" --index "$idx" -n 10 2>&1 >/dev/null | grep '^timing' || true
    echo '```'
done
echo
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
