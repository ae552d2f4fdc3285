#!/usr/bin/env python3
"""Reference vectors for quarry's embedding test, computed with sentence-transformers.

Writes tests/fixtures/embeddings/reference.json: for four sentences (a short query, a
~40-word note bullet, one with accents, curly quotes and CJK, one longer than the model's
256 word-piece limit) the all-MiniLM-L6-v2 embedding as sentence-transformers computes it
(PyTorch, CPU, float32), with the untruncated word-piece count. The Rust unit test in
src/embed/candle.rs requires a cosine of at least 0.999 with each.

Setup (once; CPU is enough, a CUDA-enabled torch wheel also works on a machine without GPU):
    python3 -m venv /tmp/st && /tmp/st/bin/pip install sentence-transformers torch
Run from the repository root, after `quarry model install`:
    /tmp/st/bin/python scripts/reference_embeddings.py [--model DIR] [--out FILE]
--model defaults to quarry's model folder ($QUARRY_MODEL_DIR, else the user cache dir).
"""
import argparse
import json
import os
import sys
from pathlib import Path

SENTENCES = [
    ("query", "how do I rotate my ssh keys"),
    (
        "passage",
        "Agreed with the platform team to move the nightly backup window from 01:00 to 03:30 UTC "
        "so it no longer overlaps the EMEA batch jobs; Priya will update the runbook and watch the "
        "first three runs for slow snapshots before Friday.",
    ),
    (
        "non_ascii",
        "Zoë’s “quick” résumé of the café meeting in Zürich — naïve pricing, ½ price for "
        "東京 partners, ‘no’ to the 10 % discount… and the Señor’s ≥ 3 follow-ups 🚀",
    ),
    (
        "long",
        " ".join(
            [
                "Quarterly architecture review of the storage platform, with notes from the",
                "discussion and the follow-ups each team agreed to own before the next review.",
                "The ingest tier now handles roughly forty thousand writes per second at peak,",
                "but the tail latency of small appends doubled after the March kernel upgrade,",
                "which the performance group traced to a change in the default I/O scheduler on",
                "the NVMe hosts; pinning the scheduler back to none restored the old numbers in",
                "staging, and the change will roll out region by region behind a feature flag.",
                "Capacity planning assumes thirty percent growth in stored bytes over the next",
                "two quarters, driven mostly by the analytics customers who keep raw event logs",
                "for compliance, so procurement was asked to pull forward the order for the next",
                "batch of dense chassis and to renegotiate the support contract, which currently",
                "charges per drive rather than per node. On the metadata side, the team wants to",
                "split the single Postgres cluster into per-tenant shards; the prototype showed",
                "that cross-shard listing is the hard part, and the proposal is to keep a small",
                "global index of bucket names with eventual consistency, documented clearly for",
                "customers. Security raised two items: the service accounts used by the backup",
                "jobs still have write access to production buckets, which violates the least",
                "privilege policy, and the key rotation for the encryption-at-rest master keys is",
                "a manual runbook that has not been exercised since last year. Both are now",
                "tracked as blocking issues for the certification audit in September. Finally,",
                "the on-call rotation is too thin: two engineers covered eleven of the last",
                "fourteen incidents, and the managers agreed to add the new hires to the",
                "secondary rotation after their shadowing period ends next month, with a review",
                "of paging thresholds so that noisy disk-usage warnings stop waking people up at",
                "night when nothing is actually at risk of filling before the morning shift.",
            ]
        ),
    ),
]


def default_model_dir() -> Path:
    env = os.environ.get("QUARRY_MODEL_DIR")
    if env:
        return Path(env)
    if sys.platform == "darwin":
        cache = Path.home() / "Library" / "Caches"
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "quarry" / "models" / "all-MiniLM-L6-v2"


def load_model(path: Path):
    """The model as sentence-transformers runs it: Transformer(max_seq_length 256), mean
    pooling, Normalize. Built explicitly so a folder without modules.json gives the same."""
    from sentence_transformers import SentenceTransformer, models

    if (path / "modules.json").is_file():
        model = SentenceTransformer(str(path), device="cpu")
    else:
        t = models.Transformer(str(path), max_seq_length=256)
        p = models.Pooling(t.get_word_embedding_dimension(), pooling_mode="mean")
        model = SentenceTransformer(modules=[t, p, models.Normalize()], device="cpu")
    assert model.max_seq_length == 256, model.max_seq_length
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=default_model_dir())
    ap.add_argument("--out", type=Path, default=Path("tests/fixtures/embeddings/reference.json"))
    args = ap.parse_args()

    import numpy as np
    import sentence_transformers
    import torch
    import transformers

    model = load_model(args.model)
    names = [n for n, _ in SENTENCES]
    texts = [t for _, t in SENTENCES]
    # One call per sentence: no padding, nothing shared between them.
    vectors = [model.encode([t], convert_to_numpy=True)[0] for t in texts]
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "dims": int(vectors[0].shape[0]),
        "generated_by": (
            f"scripts/reference_embeddings.py with sentence-transformers {sentence_transformers.__version__}, "
            f"transformers {transformers.__version__}, torch {torch.__version__} (CPU, float32)"
        ),
        "sentences": [],
    }
    for name, text, v in zip(names, texts, vectors):
        pieces = len(model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])
        assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-5
        out["sentences"].append(
            {
                "name": name,
                "text": text,
                "word_pieces": pieces,
                # Shortest text that round-trips to the same float32.
                "embedding": [float(str(np.float32(x))) for x in v],
            }
        )
        print(f"{name:10} {pieces:4} word pieces  {v[:3]}", file=sys.stderr)
    assert out["sentences"][-1]["word_pieces"] > 256, "the long sentence must exceed 256 word pieces"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
