"""Hugging Face README parsing: modelcard's importer vs huggingface_hub's ModelCard, side by side.

Both tools read every README of tests/data/interop/corpus (valid, malformed and
fixture cards, 58 files). Per pass, modelcard does a full import (front matter,
model-index -> metrics, sections -> fields, schema validation) and an export back
to README text; huggingface_hub does ``ModelCard.load`` (front matter -> CardData
with eval results) and ``str(card)``. Passes are interleaved; medians and the ratio
are printed, plus how many files each tool read without an exception, how many
it wrote back with the same front-matter data (modelcard rewrites metadata the Hub
would refuse, carrying it in the embedded card instead), and how many of the files
it wrote huggingface_hub loads with metadata errors not ignored.

    .venv/bin/python benchmarks/bench_interop.py [--runs 7]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "data" / "interop" / "corpus"
FILES = sorted([*CORPUS.glob("hf-readme*/*.md"), *CORPUS.glob("google-model-cards/*.md")])


def ours() -> tuple[int, list[str]]:
    from modelcard.diagnostics import ModelcardError
    from modelcard.interop import huggingface

    ok, out = 0, []
    for f in FILES:
        try:
            card = huggingface.import_readme(f).card()
            out.append(huggingface.export_readme(card))
            ok += 1
        except ModelcardError:
            out.append("")
    return ok, out


def peer() -> tuple[int, list[str]]:
    from huggingface_hub import ModelCard

    ok, out = 0, []
    for f in FILES:
        try:
            card = ModelCard.load(f)
            _ = card.data.to_dict()
            out.append(str(card))
            ok += 1
        except Exception:  # the peer raises on malformed metadata
            out.append("")
    return ok, out


def same_front_matter(outputs: list[str]) -> int:
    import yaml

    from modelcard.interop import huggingface
    from modelcard.interop._common import Notes

    def fm(text: str):
        text = text.replace("\r\n", "\n")
        raw, _line, body = huggingface.split_front_matter(text, Notes("b"))
        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the parser both importers use
            return (yaml.load(raw, Loader=loader) if raw is not None else None), body
        except yaml.YAMLError:
            return ("raw", raw), body

    n = 0
    for f, text in zip(FILES, outputs):
        if not text:
            continue
        raw = f.read_bytes()
        orig = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
        (a, body_a), (b, body_b) = fm(orig), fm(text)
        if (a == b or (not a and not b)) and body_a.strip() == body_b.strip():
            n += 1
    return n


def hub_loads(outputs: list[str]) -> int:
    """How many outputs huggingface_hub loads with metadata errors not ignored (eval results parsed)."""
    import tempfile

    from huggingface_hub import ModelCard

    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "README.md"
        for text in outputs:
            if not text:
                continue
            path.write_text(text, encoding="utf-8", newline="")
            try:
                card = ModelCard.load(path, ignore_metadata_errors=False)
                _ = card.data.eval_results, card.data.to_dict()
            except Exception:  # what the peer refuses
                continue
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    ok_a, out_a = ours()  # warm up imports and caches
    ok_b, out_b = peer()
    a, b = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        ours()
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        peer()
        b.append(time.perf_counter() - t)
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{len(FILES)} READMEs, {args.runs} interleaved passes each")
    print(f"{'tool':<44}{'median/pass':>12}{'read':>8}{'same data':>11}{'Hub loads':>11}")
    print(
        f"{'modelcard import+export (validated card)':<44}{ma * 1e3:>10.1f}ms{ok_a:>8}"
        f"{same_front_matter(out_a):>11}{hub_loads(out_a):>11}"
    )
    print(
        f"{'huggingface_hub ModelCard.load + str()':<44}{mb * 1e3:>10.1f}ms{ok_b:>8}"
        f"{same_front_matter(out_b):>11}{hub_loads(out_b):>11}"
    )
    print(f"ratio modelcard / huggingface_hub: {ma / mb:.2f}x")


if __name__ == "__main__":
    main()
