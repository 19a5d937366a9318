"""Every file of the shared corpus: valid cards import (and validate), malformed ones warn or fail cleanly."""

from __future__ import annotations

from interop_helpers import CORPUS


def test_cli_import(run_cli, tmp_path):
    out = tmp_path / "card.yaml"
    src = CORPUS / "hf-readme-malformed" / "osanseviero__test_tag.md"
    r = run_cli("import", src, "-o", out)
    assert r.returncode == 0, r.stderr
    assert "warning" in r.stderr and "not valid YAML" in r.stderr and "Traceback" not in r.stderr
    assert run_cli("validate", out).returncode == 0
    # --strict: warnings fail, nothing written
    out2 = tmp_path / "strict.yaml"
    r = run_cli("import", "--strict", src, "-o", out2)
    assert r.returncode == 1 and not out2.exists()
    # not a card: clear error, exit 1
    r = run_cli("import", CORPUS / "mct-json" / "schema" / "model_card.schema.v0.0.2.json")
    assert r.returncode == 1 and "cannot tell the format" in r.stderr and "Traceback" not in r.stderr
    # missing file: exit 2
    r = run_cli("import", tmp_path / "missing.md")
    assert r.returncode == 2 and "no such file" in r.stderr
    # explicit format, standard output
    r = run_cli("import", "--from", "mct", CORPUS / "mct-json" / "train_data.json")
    assert r.returncode == 0 and "name: train-only model" in r.stdout


def test_from_huggingface_on_a_file_that_is_not_a_readme(run_cli, tmp_path):
    for src, message in (
        (CORPUS / "mct-json" / "full.json", "this is JSON"),
        (CORPUS / "cyclonedx-mlbom" / "valid-machine-learning-1.6.json", "this is JSON"),
    ):
        out = tmp_path / "card.yaml"
        r = run_cli("import", "--from", "huggingface", src, "-o", out)
        assert r.returncode == 1 and message in r.stderr and f"{src}:" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and not out.exists()
    card = tmp_path / "card.yaml"
    card.write_text("card: {schema_version: '1.1'}\nmodel: {name: m, version: '1'}\n", encoding="utf-8")
    r = run_cli("import", "--from", "huggingface", card, "-o", tmp_path / "out.yaml")
    assert r.returncode == 1 and "YAML data, not a Hugging Face README" in r.stderr


def test_import_fairlearn_by_group_table(run_cli, tmp_path):
    src = tmp_path / "by_group.csv"
    src.write_text("race,sex,accuracy,selection_rate,count\nA,F,0.5,0.25,4\nA,M,0.75,,4\n", encoding="utf-8")
    frag = tmp_path / "fairness.yaml"
    r = run_cli("import", src, "-o", frag)  # detected from the .csv name
    assert r.returncode == 0, r.stderr
    assert f"wrote {frag} (fragment, " in r.stderr and "imported from" in r.stderr
    text = frag.read_text(encoding="utf-8")
    assert "modelcard merge" in text and "race: A" in text
    # the fragment merges into a card
    card = tmp_path / "card.yaml"
    card.write_text("card: {schema_version: '1.1'}\nmodel: {name: m, version: '1'}\n", encoding="utf-8")
    merged = tmp_path / "merged.yaml"
    r = run_cli("merge", card, "--with", frag, "-o", merged)
    assert r.returncode == 0, r.stderr
    r = run_cli("validate", merged)
    assert r.returncode == 0, r.stderr
