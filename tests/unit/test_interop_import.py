"""Every file of the shared corpus: valid cards import (and validate), malformed ones warn or fail cleanly."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
from interop_helpers import CORPUS, ROOT, corpus_files, mct_validator, rel

from modelcard.card.validate import validate_data
from modelcard.diagnostics import ModelcardError
from modelcard.interop import card_yaml, detect_format, import_file
from modelcard.schema.models import SCHEMA_VERSION

# files that are not cards at all: a clear error, never a traceback
EXPECTED_ERROR = {
    "cyclonedx-mlbom/schema/bom-1.6.schema.json": "cannot tell the format",
    "cyclonedx-mlbom/schema/jsf-0.82.schema.json": "cannot tell the format",
    "cyclonedx-mlbom/schema/spdx.schema.json": "cannot tell the format",
    "mct-json/schema/model_card.schema.v0.0.1.json": "cannot tell the format",
    "mct-json/schema/model_card.schema.v0.0.2.json": "cannot tell the format",
}


# malformed inputs: the warning that says what was wrong and what was kept
EXPECTED_WARNING = {
    "hf-readme-malformed/Abirate__gpt_3_finetuned_multi_x_science.md": "front matter is a list",
    "hf-readme-malformed/Dumiiii__wav2vec2-xls-r-300m-romanian.md": "model-index is a mapping",
    "hf-readme-malformed/Ferch423__gpt2-small-portuguese-wikipediabio.md": "did you mean 'license'",
    "hf-readme-malformed/Hoang__distilbert-base-uncased-finetuned-squad.md": "has no metrics: kept",
    "hf-readme-malformed/Jorgeutd__sagemaker-roberta-base-emotion.md": "after blank line",
    "hf-readme-malformed/Jtisch7__bertFinancialSent.md": "UTF-16",
    "hf-readme-malformed/Madhour__gpt2-eli5.md": "TAB",
    "hf-readme-malformed/Semih__wav2vec2_Irish_Large.md": "has no value: kept verbatim",
    "hf-readme-malformed/bleachybrain__DialoGPT-med-ss.md": "fenced with '----'",
    "hf-readme-malformed/keras-io__ppo-cartpole.md": "'license' is a list",
    "hf-readme-malformed/lighteternal__stsb-xlm-r-greek-transfer.md": "TAB",
    "hf-readme-malformed/osanseviero__test_tag.md": "not valid YAML",
    "hf-readme-malformed/qqhann__w2v_hf_commonvoice_from_xlsr53_pretrain_0329UTC1500.md": "not valid YAML",
    "hf-readme-fixtures/huggingface_hub__sample_invalid_card_data.md": "front matter is a list",
    "hf-readme-fixtures/huggingface_hub__sample_invalid_model_index.md": "has no dataset",
    "hf-readme/canonical__t5-base.md": "fenced with '--'",
    "hf-readme/facebook__wmt19-en-ru.md": "after blank line",
    "cyclonedx-mlbom/owasp-aibom-generator__expected_aibom.json": "serialNumber",
    "cyclonedx-mlbom/valid-machine-learning-1.6.json": "no numeric value",
    "mct-json/cats_vs_dogs_v0_0_1.json": None,
}

FILES = corpus_files()


@lru_cache(maxsize=1)
def card_json_schema():
    import jsonschema

    from modelcard.schema.jsonschema import SCHEMA_FILENAME

    schema = json.loads((ROOT / "schemas" / SCHEMA_FILENAME).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def test_the_corpus_copy_is_complete_and_byte_exact():
    import hashlib

    listed = {}
    for line in (CORPUS / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            listed[name.lstrip("*").removeprefix("./")] = digest
    assert sorted(listed) == sorted(map(rel, FILES))
    for path in FILES:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == listed[rel(path)], rel(path)
    assert all(k in listed for k in list(EXPECTED_ERROR) + list(EXPECTED_WARNING))


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_corpus_file_imports_or_fails_cleanly(path):
    name = rel(path)
    if name in EXPECTED_ERROR:
        with pytest.raises(ModelcardError) as exc:
            import_file(path)
        assert EXPECTED_ERROR[name] in str(exc.value)
        assert exc.value.exit_code in (1, 2)
        return
    result = import_file(path)
    card, diagnostics = validate_data(result.data, name)
    assert card is not None and not [d for d in diagnostics if d.severity == "error"], diagnostics
    assert card.card.schema_version == SCHEMA_VERSION and card.model.name and card.model.version
    for w in result.warnings:
        assert w.severity == "warning" and w.file == str(path) and w.message
    expected = EXPECTED_WARNING.get(name)
    if expected:
        assert any(expected in w.message for w in result.warnings), [w.message for w in result.warnings]
    if name.startswith("hf-readme-malformed/"):
        assert result.warnings, "a malformed README must produce a warning"
    # ... and against the published JSON Schema
    assert not list(card_json_schema().iter_errors(json.loads(json.dumps(result.data, default=str))))
    # the YAML written by `modelcard import` reads back to the same card
    import yaml

    again = yaml.safe_load(card_yaml(result))
    assert validate_data(again)[0].model_dump() == card.model_dump()


@pytest.mark.parametrize("path", [p for p in FILES if p.parent.name == "mct-json"], ids=rel)
def test_mct_corpus_inputs_are_valid_against_their_official_schema(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = list(mct_validator(data["schema_version"]).iter_errors(data))
    assert not errors


def test_detect_format():
    assert detect_format(CORPUS / "hf-readme" / "canonical__gpt2.md") == "huggingface"
    assert detect_format(CORPUS / "mct-json" / "full.json") == "mct"
    assert detect_format(CORPUS / "cyclonedx-mlbom" / "valid-machine-learning-1.6.json") == "cyclonedx"


def test_mct_mapping_details():
    card = import_file(CORPUS / "mct-json" / "full.json").card()
    assert card.model.name == "name" and card.model.version == "v1.0"
    assert str(card.model.date) == "2020-02-02"  # "2020/02/02" in the source
    assert card.model.license == "Apache-2.0"
    assert [d.email for d in card.model.developers] == ["contact1@email.com", "contact2@email.com"]
    (m,) = card.metrics
    assert (m.name, m.value, m.confidence_interval.lower, m.confidence_interval.upper) == ("accuracy", 0.9, 0.85, 0.95)
    assert card.caveats_and_recommendations.caveats == ["limitations1", "limitations2"]
    assert card.ethical_considerations.risks[0].mitigations == ["mitigation strategy"]
    assert card.datasets[0].provenance.sensitive_data.categories == ["age"]
    # graphics are kept, not dropped
    assert card.datasets[0].extensions["x-mct"]["graphics"]["collection"][0]["name"] == "img1"
    assert card.extensions["x-mct"]["graphics"]["collection"][0]["name"] == "img"


def test_mct_v001_layout():
    result = import_file(CORPUS / "mct-json" / "cats_vs_dogs_v0_0_1.json")
    card = result.card()
    assert str(card.model.date) == "2020-08-28"
    assert {d.role for d in card.datasets} == {"training", "evaluation"}
    assert [m.slice for m in card.metrics] == [None, {"slice": "cat"}, {"slice": "Dog"}]
    assert all(m.decision_threshold == 0.5 for m in card.metrics)
    assert card.model.license == "Apache-2.0"


def test_mct_non_numeric_value_is_kept_with_a_warning(tmp_path):
    src = tmp_path / "mct.json"
    src.write_text(
        json.dumps(
            {
                "schema_version": "0.0.2",
                "model_details": {"name": "m"},
                "quantitative_analysis": {
                    "performance_metrics": [{"type": "accuracy", "value": "high"}, {"type": "f1", "value": "0.5"}]
                },
            }
        )
    )
    result = import_file(src)
    assert [m.name for m in result.card().metrics] == ["f1"]
    assert result.data["x-mct"]["performance_metrics"] == [{"type": "accuracy", "value": "high"}]
    assert any("'high' is not a number" in w.message for w in result.warnings)


def test_cyclonedx_import_keeps_unmapped_parts():
    result = import_file(CORPUS / "cyclonedx-mlbom" / "valid-machine-learning-1.6.json")
    card = result.card()
    assert card.model.name == "CompVis/stable-diffusion" and card.model.version == "1.4"
    ext = result.data["x-cyclonedx"]
    assert ext["quantitativeAnalysis"]["graphics"]["collection"][0]["image"]["contentType"] == "image/jpeg"
    assert ext["performanceMetrics"][0]["value"] == "The value of the performance metric"
    assert "Data scientists and ML researchers" in card.intended_use.primary_users
    env = import_file(CORPUS / "cyclonedx-mlbom" / "valid-machine-learning-considerations-env-1.6.json").card()
    assert env.environmental_impact.energy_kwh == 0.4
    assert env.environmental_impact.co2_eq_kg == pytest.approx(31220.0)


def test_malformed_input_errors_are_located(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"model_details": {"name": "x",}}')
    with pytest.raises(ModelcardError) as exc:
        import_file(bad, "mct")
    d = exc.value.diagnostics[0]
    assert d.line == 1 and d.col is not None and "JSON" in d.message


def test_warnings_point_at_the_offending_line():
    semih = import_file(CORPUS / "hf-readme-malformed" / "Semih__wav2vec2_Irish_Large.md")
    (w,) = [w for w in semih.warnings if "has no value" in w.message]
    lines = (CORPUS / "hf-readme-malformed" / "Semih__wav2vec2_Irish_Large.md").read_text().split("\n")
    assert lines[w.line - 1].strip() == "- name: Test WER"
    bad_yaml = import_file(CORPUS / "hf-readme-malformed" / "osanseviero__test_tag.md")
    (w,) = bad_yaml.warnings
    assert (w.line, w.col) == (2, 15) and w.code == "front-matter-yaml"
    kept = bad_yaml.data["x-huggingface"]["front_matter_text"]
    assert kept.startswith('language: "fr"tags:') and "common_voice" in kept
