#!/usr/bin/env python3
"""Embedding throughput of sentence-transformers (PyTorch, CPU) on the passages that
benches/embed.rs uses, to compare quarry's candle model with the reference implementation.

Same model files (quarry's model folder), same texts (tests/fixtures/embeddings/
bench_passages.json), same batch size (32), all CPU cores (torch's default thread count).
Prints passages/s per set (best and median of --repeat runs), the latency of one 6-word
query (median of 50), and the model load time.

    python3 -m venv /tmp/st && /tmp/st/bin/pip install sentence-transformers torch
    /tmp/st/bin/python scripts/st_throughput.py [--model DIR] [--repeat 3]
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_embeddings import default_model_dir  # noqa: E402

QUERY = "rotate ssh keys on storage nodes"
BATCH = 32


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=default_model_dir())
    ap.add_argument("--passages", type=Path, default=Path("tests/fixtures/embeddings/bench_passages.json"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sets", default="short,long")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    import sentence_transformers  # noqa: F401  (the slow import, timed apart from the load)
    import torch
    from reference_embeddings import load_model

    if args.threads:
        torch.set_num_threads(args.threads)
    t1 = time.perf_counter()
    model = load_model(args.model)
    t2 = time.perf_counter()
    model.encode([QUERY])
    t3 = time.perf_counter()
    print(
        f"sentence-transformers: torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"import {t1 - t0:.2f} s, model load {(t2 - t1) * 1000:.0f} ms, first query {(t3 - t2) * 1000:.0f} ms"
    )

    passages = json.loads(args.passages.read_text(encoding="utf-8"))
    for name in args.sets.split(","):
        texts = passages[name]
        model.encode(texts[:BATCH], batch_size=BATCH)  # warm-up
        rates, cpu_rates = [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            model.encode(texts, batch_size=BATCH)
            rates.append(len(texts) / (time.perf_counter() - t))
            cpu_rates.append(len(texts) / (time.process_time() - c))
        # passages per CPU-second is the number to compare on a machine shared with other work.
        print(
            f"{name:5}: {len(texts)} passages, batch {BATCH}: best {max(rates):.1f} passages/s, "
            f"median {statistics.median(rates):.1f} ({', '.join(f'{r:.1f}' for r in rates)}); "
            f"per CPU-second {', '.join(f'{r:.1f}' for r in cpu_rates)}"
        )

    lat = []
    for _ in range(50):
        t = time.perf_counter()
        model.encode([QUERY])
        lat.append(time.perf_counter() - t)
    print(f"query ({QUERY!r}): median {statistics.median(lat) * 1000:.1f} ms, min {min(lat) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
