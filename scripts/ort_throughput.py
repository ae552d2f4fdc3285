#!/usr/bin/env python3
"""Embedding throughput of ONNX Runtime (CPU) on the passages that benches/embed.rs uses, fp32
and dynamic int8 (the models scripts/onnx_export.py writes), and the cosine of each to
sentence-transformers' fp32 vectors of the same texts.

Same texts (tests/fixtures/embeddings/bench_passages.json), batch 32, padded to the longest
text of each batch, --threads intra-op threads (default 2, like quarry on this machine).
Prints passages/s per set (best and median of --repeat runs, and per CPU-second), and the
mean and minimum cosine to sentence-transformers over both sets. With --reference FILE it also
writes the sentence-transformers vectors (short set, then long) as JSON, for
`embed_probe cosine FILE` to compare quarry's vectors with the same reference.

    /tmp/ort/bin/python scripts/ort_throughput.py ONNX_DIR [--repeat 5] [--reference FILE]
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_embeddings import default_model_dir, load_model  # noqa: E402

BATCH = 32


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("onnx_dir", type=Path)
    ap.add_argument("--model", type=Path, default=default_model_dir())
    ap.add_argument("--passages", type=Path, default=Path("tests/fixtures/embeddings/bench_passages.json"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reference", type=Path)
    args = ap.parse_args()

    import numpy as np
    import onnxruntime as ort
    import torch
    from transformers import AutoTokenizer

    torch.set_num_threads(args.threads)
    passages = json.loads(args.passages.read_text(encoding="utf-8"))
    texts = passages["short"] + passages["long"]
    reference = np.asarray(load_model(args.model).encode(texts, batch_size=BATCH))
    if args.reference:
        args.reference.write_text(json.dumps(reference.tolist()))
    tok = AutoTokenizer.from_pretrained(str(args.model))

    for name, file in [("fp32", "model.onnx"), ("int8", "model.int8.onnx")]:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = args.threads
        opts.inter_op_num_threads = 1
        s = ort.InferenceSession(str(args.onnx_dir / file), opts, providers=["CPUExecutionProvider"])

        def embed(batch):
            enc = tok(batch, padding=True, truncation=True, max_length=256, return_tensors="np")
            feeds = {"input_ids": enc["input_ids"].astype(np.int64),
                     "attention_mask": enc["attention_mask"].astype(np.int64)}
            return s.run(None, feeds)[0]

        def embed_all(items):
            return np.concatenate([embed(items[i:i + BATCH]) for i in range(0, len(items), BATCH)])

        got = embed_all(texts)
        cos = (got * reference).sum(1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(reference, axis=1))
        print(f"onnxruntime {ort.__version__} {name}: {args.threads} threads; cosine to "
              f"sentence-transformers mean {cos.mean():.5f} min {cos.min():.5f}")
        for set_name in ("short", "long"):
            items = passages[set_name]
            embed_all(items[:BATCH])  # warm-up
            rates, cpu_rates = [], []
            for _ in range(args.repeat):
                t, c = time.perf_counter(), time.process_time()
                embed_all(items)
                rates.append(len(items) / (time.perf_counter() - t))
                cpu_rates.append(len(items) / (time.process_time() - c))
            print(f"{set_name:5} {name}: best {max(rates):.1f} passages/s, median "
                  f"{statistics.median(rates):.1f} ({', '.join(f'{r:.1f}' for r in rates)}); "
                  f"per CPU-second {', '.join(f'{r:.1f}' for r in cpu_rates)}")


if __name__ == "__main__":
    main()
