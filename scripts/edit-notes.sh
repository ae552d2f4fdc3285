#!/usr/bin/env bash
# Appends one "Follow-up" line to N notes of a vault, for timing incremental index runs
# (the README's "incremental run after 8 one-note edits").
#
#   scripts/edit-notes.sh DIR N
#
# Notes are the first N `.md` files under DIR in byte order of their paths, so a vault made
# by gen_vault gets the same edits every time. Note names contain spaces (and could contain
# any byte but NUL and `/`): paths travel NUL-separated from `find -print0` and are always
# quoted, so a name is never split into words. Run it on a generated vault in a temporary
# folder, never on real notes or inside this repository.
set -euo pipefail

usage() { echo "usage: $0 DIR N   (append a line to the first N notes under DIR)" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
dir=$1
n=$2
case "$n" in '' | *[!0-9]*) usage ;; esac
[[ -d $dir ]] || { echo "$0: $dir is not a folder" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "$(cd "$dir" && pwd)/" in
    "$root"/*) echo "$0: refusing to edit files inside the repository ($root)" >&2; exit 2 ;;
esac

edited=0
while IFS= read -r -d '' note && ((edited < n)); do
    edited=$((edited + 1))
    printf '\n- Follow-up %d: confirm the capacity numbers with the account team.\n' "$edited" >>"$note"
done < <(find "$dir" -mindepth 1 -name '.*' -prune -o -type f -name '*.md' -print0 | LC_ALL=C sort -z)

echo "appended a line to $edited notes under $dir" >&2
((edited == n)) || { echo "$0: only $edited notes under $dir (asked for $n)" >&2; exit 1; }
