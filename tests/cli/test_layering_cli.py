"""Layered cards: merge semantics, --set, located errors, and `modelcard merge`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from modelcard.card.validate import load_card, validate_file
from modelcard.cli import main

DATA = Path(__file__).parents[1] / "data" / "layering"

BASE = DATA / "base.yaml"

METRICS = DATA / "metrics.yaml"

FAIRNESS = DATA / "fairness.yaml"

BAD = DATA / "bad-fragment.yaml"


# --------------------------------------------------------------------------
# through the CLI


def test_cli_validate_with_fragments_and_set(capsys):
    rc = main(["validate", str(BASE), "--with", str(METRICS), "--with", str(FAIRNESS), "--set", "model.version=2.2.0"])
    assert rc == 0, capsys.readouterr()


def test_cli_validate_bad_fragment_exits_1_located(capsys):
    rc = main(["validate", str(BASE), "--with", str(BAD)])
    err = capsys.readouterr().out
    assert rc == 1
    assert f"{BAD}:4:12: error:" in err


def test_cli_bad_set_exits_2_without_traceback(run_cli):
    proc = run_cli("validate", BASE, "--set", "model.verison=2")
    assert proc.returncode == 2
    assert "did you mean 'version'" in proc.stderr and "Traceback" not in proc.stderr
    # the library's message names the path; the CLI puts the flag it came from in front
    assert "modelcard: error: --set model.verison: 'verison' is not a field of model" in proc.stderr


def test_cli_missing_fragment_exits_2(run_cli, tmp_path):
    proc = run_cli("validate", BASE, "--with", tmp_path / "nope.yaml")
    assert proc.returncode == 2 and "no such file" in proc.stdout + proc.stderr


# --------------------------------------------------------------------------
# modelcard merge


def test_merge_writes_a_valid_card_equal_to_the_layered_one(tmp_path):
    out = tmp_path / "merged.yaml"
    rc = main(
        [
            "merge",
            str(BASE),
            "--with",
            str(METRICS),
            "--with",
            str(FAIRNESS),
            "--set",
            "model.version=2.2.0",
            "--set",
            "metrics[0].value=0.9",
            "-o",
            str(out),
        ]
    )
    assert rc == 0
    text = out.read_text()
    assert text.startswith("# Merged by `modelcard merge` from ")
    written = load_card(out)
    layered = load_card(BASE, overlays=[METRICS, FAIRNESS], sets=["model.version=2.2.0", "metrics[0].value=0.9"])
    assert written.model_dump() == layered.model_dump()
    data = yaml.safe_load(text)
    assert data["metrics"][0]["value"] == 0.9  # a number in the file, not the text "0.9"
    assert data["model"]["version"] == "2.2.0"


def test_merge_writes_sections_in_schema_order(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("model:\n  version: '1'\n  name: m\ncard:\n  schema_version: '1.0'\n")
    frag = tmp_path / "frag.yaml"
    frag.write_text(
        "fairness:\n  summary: fine\nmetrics:\n  - value: 0.5\n    name: acc\nintended_use:\n  primary_uses: [x]\n"
    )
    out = tmp_path / "out.yaml"
    assert main(["merge", str(base), "--with", str(frag), "-o", str(out)]) == 0
    data = yaml.safe_load(out.read_text())
    assert list(data) == ["card", "model", "intended_use", "metrics", "fairness"]
    assert list(data["model"]) == ["name", "version"]
    assert list(data["metrics"][0]) == ["name", "value"]


def test_merge_json_by_suffix_and_stdout(tmp_path, capsys):
    out = tmp_path / "merged.json"
    assert main(["merge", str(BASE), "--with", str(METRICS), "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["metrics"][2]["slice"] == {"sex": "male"}
    assert main(["merge", str(BASE), "--with", str(METRICS)]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["metrics"][0]["value"] == 0.86


def test_merge_invalid_result_writes_nothing(tmp_path, capsys):
    out = tmp_path / "merged.yaml"
    out.write_text("previous release\n")
    rc = main(["merge", str(BASE), "--with", str(BAD), "-o", str(out)])
    assert rc == 1
    assert f"{BAD}:4:12" in capsys.readouterr().err
    assert out.read_text() == "previous release\n"
    assert [p.name for p in tmp_path.iterdir()] == ["merged.yaml"]  # no temporary file left behind


def test_merge_strict_refuses_incomplete_cards(tmp_path, capsys):
    out = tmp_path / "merged.yaml"
    assert main(["merge", str(BASE), "--with", str(METRICS), "--strict", "-o", str(out)]) == 1
    assert "missing-recommended" in capsys.readouterr().err
    assert not out.exists()


def test_merge_example_card_round_trips(tmp_path, example_path):
    out = tmp_path / "example.yaml"
    assert main(["merge", str(example_path), "-o", str(out)]) == 0
    assert load_card(out).model_dump() == load_card(example_path).model_dump()
    assert validate_file(out, strict=True).ok
