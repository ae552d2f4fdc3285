#!/usr/bin/env python3
"""Cross-check quarry's ranking metrics (src/eval/metrics.rs) against pytrec_eval.

Dependencies (a throwaway venv is enough):

    python3 -m venv /tmp/quarry-eval-venv
    /tmp/quarry-eval-venv/bin/pip install pytrec-eval-terrier
    /tmp/quarry-eval-venv/bin/python scripts/check_metrics.py

What it does:

* ``--write`` generates random graded qrels and ranked runs (fixed seed) with the awkward
  cases in them -- grades -1..4, queries judged only non-relevant, queries missing from the
  run, run queries missing from the qrels, empty runs, relevant docs past rank 10 and 100 --
  and writes ``tests/fixtures/metrics/{qrels,run,expected}.tsv``. ``expected.tsv`` holds
  pytrec_eval's ``ndcg_cut_10``, ``recall_100`` and ``recip_rank`` on the run cut at 10, per
  query, plus an ``all`` row averaged over every qrels query (trec_eval ``-c``).
* Without ``--write`` it recomputes the expectations from the committed qrels/run and checks
  that they equal ``expected.tsv``.
* Either way it also computes every value with a small pure-Python mirror of trec_eval and
  checks it against pytrec_eval, then (unless ``--no-cargo``) runs the Rust test
  ``eval::metrics::tests::matches_pytrec_eval_fixture``, which compares quarry's numbers to
  ``expected.tsv``.

Without pytrec_eval installed the mirror alone produces the expectations, and the header of
``expected.tsv`` says so.

Runs are written as ranked lists (``query-id  doc-id  rank``); pytrec_eval is given the score
``n - rank`` so that its sort (score descending, ties by doc id descending) reproduces the
list order exactly.
"""

from __future__ import annotations

import argparse
import math
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "metrics"
TOL = 1e-12

try:
    import pytrec_eval  # type: ignore
except ImportError:  # pragma: no cover - depends on the machine
    pytrec_eval = None


# ---------------------------------------------------------------- generation and I/O


def generate(seed: int) -> tuple[dict, dict]:
    rng = random.Random(seed)
    docs = [f"d{i}" for i in range(400)]
    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, list[str]] = {}
    for qi in range(60):
        qid = f"q{qi}"
        kind = qi % 10
        judged = rng.sample(docs, rng.randint(1, 25))
        if kind == 3:  # judged only non-relevant
            qrels[qid] = {d: rng.choice([0, -1]) for d in judged}
        else:
            qrels[qid] = {d: rng.choice([-1, 0, 0, 1, 1, 1, 2, 2, 3, 4]) for d in judged}
        if kind == 5:  # missing from the run: counts as 0 under -c
            continue
        n = 0 if kind == 7 else rng.choice([3, 10, 11, 60, 100, 150])
        rel = [d for d, r in qrels[qid].items() if r > 0]
        other = [d for d in docs if d not in qrels[qid]]
        # Mix relevant docs into random positions, some past rank 10 and 100.
        pool = rng.sample(other, min(n, len(other)))
        for d in rel:
            if rng.random() < 0.7 and pool:
                top = len(pool) + 1 if rng.random() < 0.4 else min(len(pool) + 1, 12)
                pool.insert(rng.randrange(top), d)
        run[qid] = pool[:n] if n else []
    for qi in range(3):  # in the run only: ignored
        run[f"extra{qi}"] = rng.sample(docs, 20)
    return qrels, run


def write_tsv(path: Path, header: list[str], rows, comment: str | None = None) -> None:
    with path.open("w") as f:
        if comment:
            f.write(f"# {comment}\n")
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")


def read_tsv(path: Path) -> list[list[str]]:
    lines = [l for l in path.read_text().splitlines() if l.strip() and not l.startswith("#")]
    return [l.split("\t") for l in lines[1:]]


def read_fixtures() -> tuple[dict, dict]:
    qrels: dict[str, dict[str, int]] = {}
    for q, d, s in read_tsv(FIXTURES / "qrels.tsv"):
        qrels.setdefault(q, {})[d] = int(s)
    ranked: dict[str, list[tuple[int, str]]] = {}
    for q, d, rank in read_tsv(FIXTURES / "run.tsv"):
        ranked.setdefault(q, []).append((int(rank), d))
    return qrels, {q: [d for _, d in sorted(v)] for q, v in ranked.items()}


# ---------------------------------------------------------------- the two evaluators


def with_scores(ranked: list[str]) -> dict[str, float]:
    n = len(ranked)
    return {d: float(n - i) for i, d in enumerate(ranked)}


def by_pytrec_eval(qrels: dict, run: dict) -> dict[str, tuple[float, float, float]]:
    """Per-query (ndcg_cut_10, recall_100, recip_rank on the top 10) for queries in both."""
    full = {q: with_scores(v) for q, v in run.items() if v}
    top10 = {q: with_scores(v[:10]) for q, v in run.items() if v}
    a = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100"}).evaluate(full)
    b = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(top10)
    return {q: (a[q]["ndcg_cut_10"], a[q]["recall_100"], b[q]["recip_rank"]) for q in a}


def by_mirror(qrels: dict, run: dict) -> dict[str, tuple[float, float, float]]:
    """trec_eval's definitions, written out (see src/eval/metrics.rs)."""
    out = {}
    for q, ranked in run.items():
        if q not in qrels or not ranked:
            continue
        j = qrels[q]
        rels = sorted((r for r in j.values() if r > 0), reverse=True)
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(rels[:10]))
        dcg = sum(max(j.get(d, 0), 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
        ndcg = dcg / idcg if idcg > 0 else 0.0
        recall = sum(1 for d in ranked[:100] if j.get(d, 0) > 0) / len(rels) if rels else 0.0
        rr = next((1.0 / (i + 1) for i, d in enumerate(ranked[:10]) if j.get(d, 0) > 0), 0.0)
        out[q] = (ndcg, recall, rr)
    return out


def complete(qrels: dict, per: dict) -> dict[str, tuple[float, float, float]]:
    """trec_eval -c: every qrels query, missing ones as 0, plus the mean as `all`."""
    rows = {q: per.get(q, (0.0, 0.0, 0.0)) for q in sorted(qrels)}
    n = len(rows)
    rows["all"] = tuple(sum(v[i] for v in rows.values()) / n for i in range(3))
    return rows


def agree(a: dict, b: dict, what: str) -> int:
    bad = 0
    for q in a.keys() | b.keys():
        va, vb = a.get(q), b.get(q)
        if va is None or vb is None or any(abs(x - y) > TOL for x, y in zip(va, vb)):
            print(f"MISMATCH {what} {q}: {va} vs {vb}")
            bad += 1
    return bad


# ---------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="regenerate the fixture files")
    ap.add_argument("--seed", type=int, default=20240604)
    ap.add_argument("--no-cargo", action="store_true", help="skip the Rust test")
    args = ap.parse_args()

    if args.write:
        qrels, run = generate(args.seed)
    else:
        qrels, run = read_fixtures()

    mirror = complete(qrels, by_mirror(qrels, run))
    if pytrec_eval is not None:
        reference = complete(qrels, by_pytrec_eval(qrels, run))
        bad = agree(reference, mirror, "pytrec_eval vs mirror")
        source = f"pytrec_eval {getattr(pytrec_eval, '__version__', '(version unknown)')}"
        print(f"pytrec_eval vs Python mirror: {len(reference)} rows, {bad} mismatches")
        if bad:
            return 1
    else:
        print("pytrec_eval is not installed: expectations come from the Python mirror only")
        reference = mirror
        source = "the Python trec_eval mirror in scripts/check_metrics.py (pytrec_eval absent)"

    header = ["query-id", "ndcg_cut_10", "recall_100", "recip_rank_10"]
    rows = [[q, *(repr(x) for x in v)] for q, v in reference.items()]
    if args.write:
        FIXTURES.mkdir(parents=True, exist_ok=True)
        write_tsv(FIXTURES / "qrels.tsv", ["query-id", "corpus-id", "score"],
                  [(q, d, s) for q in sorted(qrels) for d, s in sorted(qrels[q].items())])
        write_tsv(FIXTURES / "run.tsv", ["query-id", "doc-id", "rank"],
                  [(q, d, i + 1) for q in sorted(run) for i, d in enumerate(run[q])])
        write_tsv(FIXTURES / "expected.tsv", header, rows,
                  comment=f"written by scripts/check_metrics.py --write --seed {args.seed}; "
                          f"values from {source}; `all` = mean over every qrels query (-c)")
        print(f"wrote {FIXTURES}/{{qrels,run,expected}}.tsv ({len(qrels)} qrels queries)")
    else:
        committed = {r[0]: tuple(float(x) for x in r[1:4]) for r in read_tsv(FIXTURES / "expected.tsv")}
        bad = agree(reference, committed, "recomputed vs expected.tsv")
        print(f"recomputed vs committed expected.tsv: {len(committed)} rows, {bad} mismatches")
        if bad:
            return 1

    all_row = reference["all"]
    print(f"mean (-c): nDCG@10 {all_row[0]:.6f}  R@100 {all_row[1]:.6f}  MRR@10 {all_row[2]:.6f}")

    if not args.no_cargo:
        cmd = ["cargo", "test", "--lib", "--", "eval::metrics::tests::matches_pytrec_eval_fixture"]
        print("$", " ".join(cmd))
        return subprocess.call(cmd, cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
