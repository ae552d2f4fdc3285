#!/usr/bin/env python3
"""Builds tests/fixtures/embeddings/bench_passages.json, the fixed text that
benches/embed.rs and scripts/st_throughput.py both embed.

Two sets of 200 note passages taken from a synthetic vault written by `quarry::synth`
(notes in the style of real meeting and customer notes; we used 300 notes, seed 7):
  "short": single bullets or paragraphs of 36-44 word pieces ([CLS] and [SEP] included);
  "long":  consecutive bullets of one section of one note, joined until 112-128 word pieces,
           like a passage carried with its neighbours as context.
Markdown list and task markers are stripped; tags, wikilinks and dates stay, as in the index.

    python3 scripts/bench_passages.py VAULT_DIR [--model DIR] [--out FILE]
Needs the `tokenizers` package (sentence-transformers brings it) and the installed model's
tokenizer.json (--model defaults to quarry's model folder).
"""
import argparse
import json
import re
from pathlib import Path

from reference_embeddings import default_model_dir

SHORT = (36, 44)
LONG = (112, 128)
COUNT = 200


def sections(path: Path):
    """Yields lists of passages (list items and paragraphs), one list per section."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4 :] if end > 0 else text
    current, para = [], []

    def flush_para():
        if para:
            current.append(" ".join(para))
            para.clear()

    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            flush_para()
            if current:
                yield current
            current = []
        elif re.match(r"^([-*+]|\d+\.)\s", s):
            flush_para()
            item = re.sub(r"^([-*+]|\d+\.)\s+(\[.\]\s+)?", "", s)
            current.append(item)
        elif not s or s.startswith(("|", "```", "**")):
            flush_para()
        else:
            para.append(s)
    flush_para()
    if current:
        yield current


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vault", type=Path)
    ap.add_argument("--model", type=Path, default=default_model_dir())
    ap.add_argument("--out", type=Path, default=Path("tests/fixtures/embeddings/bench_passages.json"))
    args = ap.parse_args()

    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(args.model / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()

    def pieces(t: str) -> int:
        return len(tok.encode(t).ids)

    short, long_ = [], []
    for note in sorted(args.vault.rglob("*.md")):
        for items in sections(note):
            for item in items:
                if SHORT[0] <= pieces(item) <= SHORT[1] and len(short) < COUNT:
                    short.append(item)
            joined = ""
            for item in items:
                candidate = f"{joined} {item}".strip()
                n = pieces(candidate)
                if n > LONG[1]:
                    joined = item
                    continue
                joined = candidate
                if n >= LONG[0] and len(long_) < COUNT:
                    long_.append(joined)
                    joined = ""
    assert len(short) == COUNT and len(long_) == COUNT, (len(short), len(long_))
    out = {
        "about": "Note passages for embedding throughput; made by scripts/bench_passages.py",
        "short": short,
        "long": long_,
    }
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    for name, xs in (("short", short), ("long", long_)):
        n = [pieces(x) for x in xs]
        print(f"{name}: {len(xs)} passages, word pieces min {min(n)} mean {sum(n) / len(n):.1f} max {max(n)}")


if __name__ == "__main__":
    main()
