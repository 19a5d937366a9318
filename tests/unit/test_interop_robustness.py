"""Mutated corpus files never crash an importer: each one imports (and round-trips) or fails cleanly."""

from __future__ import annotations

import copy
import json
import random

import pytest
import yaml
from interop_helpers import CORPUS, hub_card

from modelcard.diagnostics import CardError
from modelcard.interop import cyclonedx, huggingface, import_file, spdx

VALUES = [None, 1, -1.5, "x", "", [], {}, [1], {"a": 1}, True, "0.5", [None], [{"name": None}], "2020-01-01"]


def _paths(o, p=()):
    yield p
    if isinstance(o, dict):
        for k, v in o.items():
            yield from _paths(v, p + (k,))
    elif isinstance(o, list):
        for i, v in enumerate(o[:4]):
            yield from _paths(v, p + (i,))


def _mutate(data, rng):
    t = copy.deepcopy(data)
    path = rng.choice(list(_paths(t))[1:])
    cur = t
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = rng.choice(VALUES)
    return t


def _exports(card):
    cyclonedx.export_bom(card)
    spdx.export_document(card)
    huggingface.export_readme(card)


@pytest.mark.parametrize(
    "name",
    [
        "mct-json/full.json",
        "mct-json/cats_vs_dogs_v0_0_1.json",
        "cyclonedx-mlbom/valid-machine-learning-1.6.json",
        "cyclonedx-mlbom/valid-machine-learning-considerations-env-1.6.json",
    ],
)
def test_json_importers_survive_wrong_types(name, tmp_path):
    rng = random.Random(name)
    data = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    fmt = "mct" if name.startswith("mct") else "cyclonedx"
    imported = 0
    for i in range(60):
        src = tmp_path / f"m{i}.json"
        src.write_text(json.dumps(_mutate(data, rng)))
        try:
            result = import_file(src, fmt)
        except CardError as exc:  # a rejection must be a located content error, not a usage or I/O one
            assert exc.exit_code == 1 and exc.diagnostics and exc.diagnostics[0].file == str(src), str(exc)
            continue
        _exports(result.card())
        imported += 1
    # a wrong type in one field is kept (under x-*) or dropped with a warning: losing the whole card
    # is for mutations that remove what makes the file a card of this format (e.g. the model component)
    assert imported >= 48, f"only {imported} of 60 mutated files imported"


@pytest.mark.parametrize(
    "name",
    [
        "hf-readme/MoritzLaurer__DeBERTa-v3-base-mnli-fever-anli.md",
        "hf-readme/nvidia__stt_en_conformer_ctc_large.md",
        "hf-readme-fixtures/huggingface_hub__sample_simple_model_index.md",
    ],
)
def test_readme_front_matter_with_wrong_types_round_trips(name, tmp_path):
    """Whatever the metadata holds: the export loads in huggingface_hub, keeps the metadata as it was (what
    breaks a Hub rule travels in the embedded card instead) and imports back to the same card."""
    rng = random.Random(name)
    text = (CORPUS / name).read_text(encoding="utf-8")
    fm_text, _, body = huggingface.split_front_matter(text, huggingface.Notes("t"))
    fm = yaml.safe_load(fm_text)
    kept = 0
    for _ in range(24):
        mutated = _mutate(fm, rng)
        src = "---\n" + yaml.safe_dump(mutated, allow_unicode=True) + "---\n" + body
        card = huggingface.import_text(src, "o__m.md", filename="o__m.md").card()
        out = huggingface.export_readme(card)
        hub_card(out, tmp_path)
        written = yaml.safe_load(huggingface.split_front_matter(out, huggingface.Notes("t"))[0])
        # the metadata as it was, or (when it breaks a Hub rule) what the Hub takes plus the embedded card
        assert written == mutated or huggingface.EMBED_KEY in written
        kept += written == mutated
        assert huggingface.import_text(out, "o__m.md", filename="o__m.md").card().model_dump() == card.model_dump()
        _exports(card)
    assert kept >= 6


def test_readme_text_mutations_never_crash():
    rng = random.Random(7)
    files = sorted(CORPUS.glob("hf-readme*/*.md"))
    imported = 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for _ in range(6):
            i, j = sorted((rng.randrange(len(text) + 1), rng.randrange(len(text) + 1)))
            t = rng.choice(
                [
                    text[:i],
                    text[:i] + text[j:],
                    text[:i]
                    + rng.choice(
                        [
                            "\t",
                            "---\n",
                            ":",
                            "- ",
                            '"',
                            "\n#",
                            "```\n",
                            "{",
                            "[",
                            "\r\n",
                            "*a",
                            "!!python/object:x ",
                            "\x00",
                        ]
                    )
                    + text[i:],
                ]
            )
            # a README always imports: what cannot be mapped is kept verbatim with a warning
            card = huggingface.import_text(t, "o__m.md", filename="o__m.md").card()
            out = huggingface.export_readme(card)
            assert huggingface.import_text(out, "o__m.md", filename="o__m.md").card().model_dump() == card.model_dump()
            imported += 1
    assert imported >= 300, imported  # every mutation of every readable corpus README was tried
