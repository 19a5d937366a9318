"""`modelcard check --profile eu-gpai|eu-annex-iv` and `modelcard render --layout eu-gpai-form --audience`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GPAI = ROOT / "examples" / "small-gpai-model.yaml"


def test_check_eu_gpai_passes_the_complete_example(run_cli):
    proc = run_cli("check", GPAI, "--profile", "eu-gpai", "--min-score", "100%")
    assert proc.returncode == 0, proc.stderr
    assert "43/43 items covered (100%)" in proc.stdout
    assert "✓ 1.1 Legal name for the model provider" in proc.stdout and "✗" not in proc.stdout


def test_check_eu_gpai_lists_missing_items_by_the_forms_numbers_and_wording(example_path, run_cli):
    proc = run_cli("check", example_path, "--profile", "eu-gpai")
    assert proc.returncode == 0, proc.stderr  # no --min-score: a report, not a gate
    out = proc.stdout
    assert "✗ 1.3 Model authenticity" in out
    assert "Evidence of the provenance and authenticity of the model" in out
    assert "missing: model.authenticity" in out
    assert "✗ 2.6 Model size range" in out and "✗ 8.1 Amount of energy used for training" in out
    assert "✗ 3.4 License: additional assets" in out
    assert "missing: distribution.assets or distribution[no_additional_assets=true]" in out
    assert "✗ 7.1 Training time: range" in out and "✗ 7.4 Amount of computation used for training: two" in out
    numbers = [line.split()[1] for line in out.splitlines() if line.startswith(("✓ ", "✗ ")) and line[2].isdigit()]
    assert numbers == sorted(numbers, key=lambda n: tuple(int(x) for x in n.split(".")))  # the form's order


@pytest.mark.parametrize(("min_score", "code"), [("0.1", 0), ("50%", 1), ("1", 1)])
def test_check_eu_gpai_min_score_exit_codes(example_path, run_cli, min_score, code):
    proc = run_cli("check", example_path, "--profile", "eu-gpai", "--min-score", min_score)
    assert proc.returncode == code, proc.stderr
    if code:
        assert "is below the required" in proc.stderr


def test_check_eu_gpai_json_and_github(example_path, run_cli):
    data = json.loads(run_cli("check", example_path, "--profile", "eu-gpai", "--format", "json").stdout)
    assert data["profile"] == "eu-gpai" and data["total"] == len(data["items"]) == 43
    item = next(i for i in data["items"] if i["id"] == "1.5")
    assert item["title"] == "1.5 Union market release date" and item["missing"] == ["regulatory.union_market_date"]
    proc = run_cli("check", example_path, "--profile", "eu-gpai", "--format", "github", "--min-score", "0.9")
    assert proc.returncode == 1
    assert any(
        "1.5 Union market release date: missing regulatory.union_market_date" in x for x in proc.stdout.splitlines()
    )


def test_check_eu_annex_iv_and_its_former_name(example_path, run_cli):
    new = json.loads(run_cli("check", example_path, "--profile", "eu-annex-iv", "--format", "json").stdout)
    old = json.loads(run_cli("check", example_path, "--profile", "eu-ai-act", "--format", "json").stdout)
    assert [i["id"] for i in new["items"]] == [i["id"] for i in old["items"]]
    assert (new["covered"], new["total"]) == (old["covered"], old["total"])
    assert new["coverable"] == new["total"] == 23


def test_check_unknown_profile_is_a_usage_error(example_path, run_cli):
    proc = run_cli("check", example_path, "--profile", "eu-gpia")
    assert proc.returncode == 2 and "eu-gpai" in proc.stderr


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_render_form_for_an_audience_to_a_file(tmp_path, run_cli, fmt):
    out = tmp_path / f"form.{fmt}"
    proc = run_cli("render", GPAI, "--layout", "eu-gpai-form", "--audience", "downstream", "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "2.6 Model size range" in text and "2.5 Total model size" not in text
    assert "Downstream providers" in text


def test_render_form_to_standard_output_with_every_item(run_cli):
    proc = run_cli("render", GPAI, "--layout", "eu-gpai-form")
    assert proc.returncode == 0, proc.stderr
    assert "### 2.5 Total model size" in proc.stdout and "### 2.6 Model size range" in proc.stdout
    assert "— for: AI Office, National competent authorities" in proc.stdout


def test_render_audience_errors(run_cli):
    proc = run_cli("render", GPAI, "--audience", "downstream")
    assert proc.returncode == 2 and "--audience applies only to --layout eu-gpai-form" in proc.stderr
    proc = run_cli("render", GPAI, "--layout", "eu-gpai-form", "--audience", "public")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_render_form_of_several_cards_to_a_folder(tmp_path, example_path, run_cli):
    out = tmp_path / "site"
    proc = run_cli("render", GPAI, example_path, "--layout", "eu-gpai-form", "--audience", "ai-office", "-o", f"{out}/")
    assert proc.returncode == 0, proc.stderr
    assert "2.5 Total model size" in (out / "small-gpai-model.html").read_text(encoding="utf-8")
    assert "Not documented" in (out / "compas-recidivism.html").read_text(encoding="utf-8")
