"""``modelcard merge --in-place``: the hand-written card keeps every byte the merge does not change."""

from __future__ import annotations

import difflib
import functools
import json
import operator
import os
import shutil
import stat
from pathlib import Path

import pytest

from modelcard.card.validate import load_document, validate_file
from modelcard.cli import main
from modelcard.io.source import loads

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

LAYERING = ROOT / "tests" / "data" / "layering"

CARD = """\
# yaml-language-server: $schema=../schemas/modelcard-1.0.schema.json
card:
  schema_version: '1.0'   # single-quoted on purpose
model:
  name: "tiny-model"
  version: "0.1"          # bumped by the release job
  description: |
    Two lines
    of prose.
  languages: [en, fr]

# --- measurements below are generated ---
metrics:
- name: accuracy
  value: 0.80             # old
  n: 100
  dataset: holdout
datasets:
    -   id: holdout       # odd indentation
        name: Holdout
        role: test
"""

FRAGMENT = """\
model:
  languages: [en, de]
  license: MIT
metrics:
- name: accuracy
  dataset: holdout
  value: 0.85
- name: fpr
  dataset: holdout
  value: 0.1
datasets:
- id: holdout
  sha256: 0f343b0931126a20f133d67c2b018a3b5e4d2a5c8b6e0b1f6e8d9c4a3b2a1f0e
intended_use:
  primary_uses: [Testing]
"""

EXPECTED = """\
# yaml-language-server: $schema=../schemas/modelcard-1.0.schema.json
card:
  schema_version: '1.0'   # single-quoted on purpose
model:
  name: "tiny-model"
  version: "0.2"          # bumped by the release job
  description: |
    Two lines
    of prose.
  license: MIT
  languages: [en, de]
intended_use:
  primary_uses:
  - Testing

# --- measurements below are generated ---
metrics:
- name: accuracy
  value: 0.85             # old
  dataset: holdout
- name: fpr
  dataset: holdout
  value: 0.1
datasets:
    -   id: holdout       # odd indentation
        name: Holdout
        role: test
        sha256: 0f343b0931126a20f133d67c2b018a3b5e4d2a5c8b6e0b1f6e8d9c4a3b2a1f0e
"""


@pytest.fixture
def card(tmp_path) -> Path:
    (tmp_path / "frag.yaml").write_text(FRAGMENT, encoding="utf-8")
    path = tmp_path / "card.yaml"
    path.write_text(CARD, encoding="utf-8")
    return path


def merged(card: Path, *overlays, sets=()) -> dict:
    return load_document(card, [str(o) for o in overlays], list(sets)).data


def test_only_what_the_fragments_change_is_rewritten(card, capsys):
    # comments, blank lines, quoting, flow lists, block scalars and odd indentation all survive;
    # new keys go after their schema predecessor; a new measurement drops the stale n
    expected_data = merged(card, card.parent / "frag.yaml", sets=["model.version=0.2"])
    code = main(
        ["merge", str(card), "--with", str(card.parent / "frag.yaml"), "--set", "model.version=0.2", "--in-place"]
    )
    assert code == 0, capsys.readouterr().err
    assert "updated in place" in capsys.readouterr().err
    assert card.read_text(encoding="utf-8") == EXPECTED
    assert loads(EXPECTED, "card.yaml").data == expected_data
    assert validate_file(card).ok


def test_the_result_equals_what_merge_writes(tmp_path, capsys):
    card = tmp_path / "base.yaml"
    shutil.copy(LAYERING / "base.yaml", card)
    overlays = [str(LAYERING / "metrics.yaml"), str(LAYERING / "fairness.yaml")]
    out = tmp_path / "merged.json"
    assert (
        main(
            [
                "merge",
                str(card),
                *functools.reduce(operator.iadd, (["--with", o] for o in overlays), []),
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert (
        main(
            ["merge", str(card), *functools.reduce(operator.iadd, (["--with", o] for o in overlays), []), "--in-place"]
        )
        == 0
    )
    assert loads(card.read_text(encoding="utf-8"), "base.yaml").data == loads(out.read_text(), "m.json").data
    before = (LAYERING / "base.yaml").read_text(encoding="utf-8").splitlines()
    after = card.read_text(encoding="utf-8").splitlines()
    # every line outside the measured results is kept as it was, comments included
    kept = [
        line
        for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, before, after).get_opcodes()
        if tag == "equal"
        for line in before[i1:i2]
    ]
    removed = [line for line in before if line not in kept]
    assert all(
        (
            "value" in line
            or "confidence_interval" in line
            or "n: " in line
            or "undefined_reason" in line
            or "verdict" in line
        )
        for line in removed
    ), removed
    assert before[0].startswith("# Hand-written card") and after[0] == before[0]


def test_the_example_card_keeps_its_mixed_indentation(tmp_path, capsys):
    card = tmp_path / "compas.yaml"
    shutil.copy(EXAMPLE, card)
    frag = tmp_path / "frag.yaml"
    frag.write_text("model:\n  version: 2015 re-run\nmetrics:\n- name: auc\n  dataset: compas-2yr\n  value: 0.7\n")
    assert main(["merge", str(card), "--with", str(frag), "--in-place"]) == 0
    before = EXAMPLE.read_text(encoding="utf-8")
    after = card.read_text(encoding="utf-8")
    assert after.replace(
        '  version: "2015 re-run"\n', '  version: "2013-2014 Broward County deployment"\n', 1
    ) == before.replace("\nfairness:\n", "\n- name: auc\n  dataset: compas-2yr\n  value: 0.7\nfairness:\n", 1)


def test_nothing_to_change_leaves_the_file_alone(card, capsys):
    os.utime(card, (1_000_000_000, 1_000_000_000))
    assert main(["merge", str(card), "--set", "model.version=0.1", "--in-place"]) == 0
    assert "already up to date" in capsys.readouterr().err
    assert card.read_text(encoding="utf-8") == CARD and card.stat().st_mtime == 1_000_000_000


def test_permissions_and_windows_line_ends_are_kept(card, capsys):
    card.write_bytes(CARD.replace("\n", "\r\n").encode("utf-8"))
    card.chmod(0o640)
    assert main(["merge", str(card), "--set", "model.version=0.3", "--in-place"]) == 0
    raw = card.read_bytes()
    assert raw == CARD.replace('"0.1"', '"0.3"').replace("\n", "\r\n").encode("utf-8")
    assert stat.S_IMODE(card.stat().st_mode) == 0o640


def test_a_byte_order_mark_is_kept(card, capsys):
    card.write_bytes(b"\xef\xbb\xbf" + CARD.encode("utf-8"))
    assert main(["merge", str(card), "--set", "model.version=0.3", "--in-place"]) == 0
    assert card.read_bytes().startswith(b"\xef\xbb\xbf# yaml-language-server")


def test_an_invalid_merge_writes_nothing(card, capsys):
    bad = card.parent / "bad.yaml"
    bad.write_text("metrics:\n- value: 0.5\n  dataset: holdout\n")  # no name
    assert main(["merge", str(card), "--with", str(bad), "--in-place"]) == 1
    assert card.read_text(encoding="utf-8") == CARD


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-o", "out.yaml"], "cannot be combined with -o"),
        (["--format", "json"], "cannot be combined with --format"),
    ],
)
def test_in_place_refuses_other_outputs(card, capsys, argv, message):
    assert main(["merge", str(card), "--set", "model.version=2", "--in-place", *argv]) == 2
    assert message in capsys.readouterr().err
    assert card.read_text(encoding="utf-8") == CARD


def test_in_place_refuses_standard_input(capsys):
    assert main(["merge", "-", "--in-place"]) == 2
    assert "not standard input" in capsys.readouterr().err


def test_a_value_shared_through_an_anchor_is_refused(tmp_path, capsys):
    card = tmp_path / "card.yaml"
    text = (
        "card: {schema_version: '1.0'}\nmodel:\n  name: m\n  version: &v '1'\n"
        "datasets:\n- id: d\n  name: D\n  role: test\n  version: *v\n"
    )
    card.write_text(text)
    assert main(["merge", str(card), "--set", "model.version=2", "--in-place"]) == 2
    assert "anchor" in capsys.readouterr().err
    assert card.read_text() == text


def test_an_unshared_anchor_elsewhere_is_no_obstacle(tmp_path, capsys):
    card = tmp_path / "card.yaml"
    text = (
        "card: {schema_version: '1.0'}\nmodel:\n  name: m\n  version: '1'\n  description: &d text\n"
        "datasets:\n- id: d\n  name: D\n  role: test\n  description: *d\n"
    )
    card.write_text(text)
    assert main(["merge", str(card), "--set", "model.version=2", "--in-place"]) == 0
    assert card.read_text() == text.replace("version: '1'", "version: '2'")


def test_json_cards_keep_their_indentation_and_key_order(tmp_path, capsys):
    card = tmp_path / "card.json"
    data = {"model": {"version": "1", "name": "m"}, "card": {"schema_version": "1.0"}}
    card.write_text(json.dumps(data, indent=4) + "\n")
    assert main(["merge", str(card), "--set", "model.version=2", "--set", "model.description=d", "--in-place"]) == 0
    text = card.read_text()
    assert json.loads(text) == {
        "model": {"version": "2", "description": "d", "name": "m"},
        "card": {"schema_version": "1.0"},
    }
    assert text == json.dumps(json.loads(text), indent=4) + "\n"
    assert list(json.loads(text)) == ["model", "card"]
