#!/usr/bin/env python3
"""Exports quarry's installed all-MiniLM-L6-v2 to ONNX and quantises it with ONNX Runtime's
own dynamic int8 quantiser, for the peer rows of scripts/bench-embed.sh (what fastembed-based
tools run). Nothing it writes belongs in the repository: pass an output folder outside it.

Writes OUT/model.onnx (fp32) and OUT/model.int8.onnx (`quantize_dynamic`, QInt8 weights, as
the onnxruntime documentation shows). The graph takes input_ids and attention_mask (int64,
batch × length, both axes dynamic) and returns the mean-pooled, L2-normalised embedding, so
an ONNX Runtime session does everything sentence-transformers does after tokenisation.

Export traps (see the project's measurement notes): the model is loaded with eager attention
(the SDPA path traces a mask shortcut), called with keyword arguments, and traced on a padded
batch of two different lengths, so the padding mask stays a real input; the script then
checks a padded batch against unpadded single texts and exits 1 if they differ.

    python3 -m venv /tmp/ort && /tmp/ort/bin/pip install torch transformers onnx onnxruntime onnxscript
    /tmp/ort/bin/python scripts/onnx_export.py OUT [--model DIR]
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_embeddings import default_model_dir  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--model", type=Path, default=default_model_dir())
    args = ap.parse_args()

    import numpy as np
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    args.out.mkdir(parents=True, exist_ok=True)
    fp32, int8 = args.out / "model.onnx", args.out / "model.int8.onnx"
    tok = AutoTokenizer.from_pretrained(str(args.model))
    bert = AutoModel.from_pretrained(str(args.model), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            h = self.m(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(h.dtype)
            v = (h * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(v, p=2, dim=1)

    texts = ["a short one", "a somewhat longer text, so that the batch is padded for sure"]
    enc = tok(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        torch.onnx.export(
            Pooled(bert),
            (enc["input_ids"], enc["attention_mask"]),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "length"},
                "attention_mask": {0: "batch", 1: "length"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)

    # A padded batch must equal the texts one by one.
    s = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    batch = s.run(None, {k: enc[k].numpy() for k in ("input_ids", "attention_mask")})[0]
    for i, t in enumerate(texts):
        one = tok([t], return_tensors="np")
        v = s.run(None, {"input_ids": one["input_ids"], "attention_mask": one["attention_mask"]})[0][0]
        cos = float(np.dot(v, batch[i]))
        if cos < 0.99999:
            sys.exit(f"padded batch differs from the single text {i}: cosine {cos}")
    print(f"wrote {fp32} and {int8}; padded batches check out")


if __name__ == "__main__":
    main()
