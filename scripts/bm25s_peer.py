#!/usr/bin/env python3
"""Peer BM25 run for issue 4: the Python `bm25s` package on a BEIR-format collection.

Install its dependencies into a throwaway venv:

    python3 -m venv /tmp/quarry-eval-venv
    /tmp/quarry-eval-venv/bin/pip install bm25s PyStemmer
    /tmp/quarry-eval-venv/bin/pip install pytrec-eval-terrier   # optional, see below

Usage:

    /tmp/quarry-eval-venv/bin/python scripts/bm25s_peer.py DIR [DIR ...] \
        [--split test] [--params 1.5,0.75 --params 0.9,0.4] [--json] [--run-out OUTDIR]

Setup, fixed so numbers are comparable between runs:

* text indexed: ``title + " " + text`` (BEIR "flat"), one field;
* tokens: bm25s.tokenize -- lower-cased, regex ``\\b\\w\\w+\\b``, bm25s' English stopword
  list (``stopwords="en"``), Snowball English stemmer from PyStemmer;
* scoring: bm25s ``method="lucene"`` with each ``k1,b`` given; default runs both
  k1=1.5,b=0.75 (bm25s' defaults) and k1=0.9,b=0.4 (Anserini's BEIR setting);
* top 100 per query; documents with score 0 (no query term) are dropped, as Lucene
  returns only matching documents;
* queries: those of ``queries.jsonl`` judged in ``qrels/<split>.tsv``.

Metrics are those of src/eval/metrics.rs: nDCG@10 (trec_eval ``ndcg_cut.10``, linear gain),
Recall@100, MRR@10, averaged over every judged query (trec_eval ``-c``). With pytrec_eval
installed they come from it (raw bm25s scores; trec_eval breaks score ties by doc id,
descending); without it, from an equivalent pure-Python implementation over the same order.
``--run-out`` writes each run as ``query-id<TAB>doc-id<TAB>rank`` in that order, so
quarry's Rust metrics can be checked on it too.

Times are wall-clock on this machine: index = tokenize + index the corpus, query = tokenize
+ retrieve all queries, single-threaded.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

try:
    import bm25s
    import Stemmer
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.exit(f"bm25s_peer.py needs bm25s and PyStemmer ({e}); run: pip install bm25s PyStemmer")

try:
    import pytrec_eval  # type: ignore
except ImportError:  # pragma: no cover
    pytrec_eval = None


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_beir(root: Path, split: str):
    corpus = read_jsonl(root / "corpus.jsonl")
    queries = {str(q["_id"]): q["text"] for q in read_jsonl(root / "queries.jsonl")}
    qrels: dict[str, dict[str, int]] = {}
    with (root / "qrels" / f"{split}.tsv").open(encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            if line.strip():
                q, d, s = line.rstrip("\n").split("\t")
                qrels.setdefault(q, {})[d] = int(s)
    queries = {q: t for q, t in queries.items() if q in qrels}
    return corpus, queries, qrels


def trec_order(ids: list[str], scores: list[float]) -> list[str]:
    """trec_eval's order: score descending, ties by doc id descending (strcmp)."""
    pairs = sorted(zip(scores, ids), key=lambda p: (p[0], p[1].encode()), reverse=True)
    return [d for _, d in pairs]


def mirror_scores(ranked: list[str], judged: dict[str, int]) -> tuple[float, float, float]:
    rels = sorted((r for r in judged.values() if r > 0), reverse=True)
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(rels[:10]))
    dcg = sum(max(judged.get(d, 0), 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ndcg = dcg / idcg if idcg > 0 else 0.0
    recall = sum(1 for d in ranked[:100] if judged.get(d, 0) > 0) / len(rels) if rels else 0.0
    rr = next((1.0 / (i + 1) for i, d in enumerate(ranked[:10]) if judged.get(d, 0) > 0), 0.0)
    return ndcg, recall, rr


def evaluate(run: dict[str, dict[str, float]], qrels: dict) -> tuple[float, float, float]:
    """Mean nDCG@10, R@100, MRR@10 over every qrels query (missing or empty runs count 0)."""
    per: dict[str, tuple[float, float, float]] = {}
    if pytrec_eval is not None:
        nonempty = {q: r for q, r in run.items() if r}
        top10 = {q: dict(sorted(r.items(), key=lambda p: (p[1], p[0].encode()), reverse=True)[:10])
                 for q, r in nonempty.items()}
        a = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100"}).evaluate(nonempty)
        b = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(top10)
        per = {q: (a[q]["ndcg_cut_10"], a[q]["recall_100"], b[q]["recip_rank"]) for q in a}
    else:
        for q, r in run.items():
            if q in qrels and r:
                per[q] = mirror_scores(trec_order(list(r), list(r.values())), qrels[q])
    n = len(qrels)
    return tuple(sum(per.get(q, (0.0, 0.0, 0.0))[i] for q in qrels) / n for i in range(3))


def run_one(name: str, corpus, queries, qrels, k1: float, b: float, run_out: Path | None) -> dict:
    stemmer = Stemmer.Stemmer("english")
    doc_ids = [str(d["_id"]) for d in corpus]
    texts = [f"{d.get('title') or ''} {d.get('text') or ''}".strip() for d in corpus]

    t0 = time.perf_counter()
    tokens = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
    retriever.index(tokens, show_progress=False)
    index_s = time.perf_counter() - t0

    qids = list(queries)
    k = min(100, len(doc_ids))
    t0 = time.perf_counter()
    q_tokens = bm25s.tokenize([queries[q] for q in qids], stopwords="en", stemmer=stemmer,
                              return_ids=False, show_progress=False)
    results, scores = retriever.retrieve(q_tokens, k=k, show_progress=False)
    query_s = time.perf_counter() - t0

    run: dict[str, dict[str, float]] = {}
    for qi, q in enumerate(qids):
        run[q] = {doc_ids[int(di)]: float(s) for di, s in zip(results[qi], scores[qi]) if s > 0}
    ndcg, recall, mrr = evaluate(run, qrels)

    if run_out is not None:
        run_out.mkdir(parents=True, exist_ok=True)
        path = run_out / f"{name}.bm25s.k1={k1}.b={b}.tsv"
        with path.open("w") as f:
            f.write("query-id\tdoc-id\trank\n")
            for q in qids:
                for rank, d in enumerate(trec_order(list(run[q]), list(run[q].values())), 1):
                    f.write(f"{q}\t{d}\t{rank}\n")

    return {
        "collection": name, "k1": k1, "b": b,
        "ndcg@10": round(ndcg, 4), "recall@100": round(recall, 4), "mrr@10": round(mrr, 4),
        "docs": len(doc_ids), "queries": len(qids),
        "index_s": round(index_s, 3), "query_s": round(query_s, 3),
        "ms_per_query": round(1000 * query_s / max(len(qids), 1), 3),
        "metrics_by": "pytrec_eval" if pytrec_eval is not None else "python-mirror",
        "bm25s": getattr(bm25s, "__version__", "?"),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path, help="BEIR-format collection directories")
    ap.add_argument("--split", default="test")
    ap.add_argument("--params", action="append", metavar="K1,B",
                    help="BM25 parameters; repeatable (default: 1.5,0.75 and 0.9,0.4)")
    ap.add_argument("--json", action="store_true", help="print one JSON object per run")
    ap.add_argument("--run-out", type=Path, help="write each ranked run as TSV here")
    args = ap.parse_args()
    params = [tuple(float(x) for x in p.split(",")) for p in (args.params or ["1.5,0.75", "0.9,0.4"])]

    rows = []
    for d in args.dirs:
        corpus, queries, qrels = load_beir(d, args.split)
        name = d.resolve().name
        for k1, b in params:
            row = run_one(name, corpus, queries, qrels, k1, b, args.run_out)
            rows.append(row)
            if args.json:
                print(json.dumps(row), flush=True)

    if not args.json:
        hdr = f"{'collection':<12} {'k1':>4} {'b':>5} {'nDCG@10':>8} {'R@100':>7} {'MRR@10':>7} " \
              f"{'docs':>6} {'queries':>7} {'index s':>8} {'query s':>8} {'ms/q':>6}"
        print(hdr)
        print("-" * len(hdr))
        for r in rows:
            print(f"{r['collection']:<12} {r['k1']:>4} {r['b']:>5} {r['ndcg@10']:>8.4f} "
                  f"{r['recall@100']:>7.4f} {r['mrr@10']:>7.4f} {r['docs']:>6} {r['queries']:>7} "
                  f"{r['index_s']:>8.3f} {r['query_s']:>8.3f} {r['ms_per_query']:>6.2f}")
        print(f"\nmetrics by {rows[0]['metrics_by']}; bm25s {rows[0]['bm25s']}; "
              f"split {args.split}; -c averaging over all judged queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
