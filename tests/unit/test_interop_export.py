"""CycloneDX 1.6 and SPDX 3.0.1 exports: official-schema validation, structure, determinism."""

from __future__ import annotations

import json

import pytest
from interop_helpers import CORPUS, EXAMPLE, check_spdx, cyclonedx_validator, rel

from modelcard.card.validate import load_card
from modelcard.interop import cyclonedx, import_file, spdx


@pytest.fixture(scope="module")
def card():
    return load_card(EXAMPLE)


def _errors(bom):
    return [f"{list(e.path)}: {e.message}" for e in cyclonedx_validator().iter_errors(bom)]


def test_validator_is_strict_enough():
    # the official invalid fixture of the corpus must fail: proves the schema and $refs are wired up
    bad = json.loads((CORPUS / "cyclonedx-mlbom" / "owasp-aibom-generator__expected_aibom.json").read_text())
    assert len(_errors(bad)) == 2
    good = json.loads((CORPUS / "cyclonedx-mlbom" / "valid-machine-learning-1.6.json").read_text())
    assert not _errors(good)


def test_cyclonedx_export_of_example_validates(card):
    bom = cyclonedx.export_bom(card)
    assert not _errors(bom)
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model" and bom["components"][0] == model
    mc = model["modelCard"]
    pm = mc["quantitativeAnalysis"]["performanceMetrics"]
    assert {
        "type": "accuracy",
        "value": "0.6607",
        "slice": "dataset=compas-2yr",
        "confidenceInterval": {"lowerBound": "0.6488", "upperBound": "0.6724"},
    } in pm
    assert any(p.get("slice") == "race=African-American, sex=Female" for p in pm)
    fa = mc["considerations"]["fairnessAssessments"]
    assert len(fa) == len(card.fairness.results)
    assert fa[0]["groupAtRisk"] == "race=African-American" and "verdict: fail" in fa[0]["harms"]
    assert mc["considerations"]["useCases"] == card.intended_use.primary_uses
    datasets = [c for c in bom["components"] if c["type"] == "data"]
    assert datasets[0]["hashes"][0] == {"alg": "SHA-256", "content": card.datasets[0].sha256}
    assert mc["modelParameters"]["datasets"] == [{"ref": datasets[0]["bom-ref"]}]


def test_cyclonedx_export_is_deterministic(card, monkeypatch):
    a, b = cyclonedx.export_text(card), cyclonedx.export_text(card)
    assert a == b
    bom = json.loads(a)
    assert bom["metadata"]["timestamp"] == "2026-11-25T00:00:00Z"  # card.date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert cyclonedx.export_bom(card)["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"
    other = card.model_copy(update={"model": card.model.model_copy(update={"version": "2"})})
    assert cyclonedx.export_bom(other)["serialNumber"] != bom["serialNumber"]


IMPORTABLE = [p for p in sorted(CORPUS.rglob("*")) if p.suffix in (".md", ".json") and "schema" not in p.parts]


@pytest.mark.parametrize("path", IMPORTABLE, ids=rel)
def test_every_imported_corpus_card_exports_valid_cyclonedx_and_spdx(path):
    imported = import_file(path).card()
    assert not _errors(cyclonedx.export_bom(imported))
    check_spdx(spdx.export_document(imported))


# --------------------------------------------------------------------------
# SPDX 3.0.1: there is no offline JSON schema in the corpus, so the checks below
# encode the spec's requirements (https://spdx.github.io/spdx-spec/v3.0.1/: model/AI/Classes/AIPackage,
# model/Dataset/Classes/DatasetPackage, model/AI/AI and model/Dataset/Dataset for profile
# conformance, model/Core/Classes/CreationInfo), and
# spdx-python-model (bindings generated from the official SPDX 3.0.1 SHACL model)
# parses the document, rejecting unknown properties and wrong types, and
# re-serialises it, enforcing every minimum cardinality.


def test_spdx_export_of_example(card):
    doc = spdx.export_document(card)
    by_type = check_spdx(doc)
    (package,) = by_type["ai_AIPackage"]
    assert package["name"] == card.model.name
    assert package["ai_typeOfModel"][0] == "binary classifier (risk assessment)"
    keys = {e["key"]: e["value"] for e in package["ai_metric"]}
    assert keys["accuracy on compas-2yr"] == "0.6607 (95% CI 0.6488-0.6724)"
    assert any(k.startswith("fpr difference [race=African-American vs race=Caucasian]") for k in keys)
    assert {"type": "DictionaryEntry", "key": "fpr", "value": "5.0"} in package["ai_metricDecisionThreshold"]
    assert package["ai_useSensitivePersonalInformation"] == "yes"
    assert "Out of scope: Any decision about an individual's liberty" in package["ai_limitation"]
    kinds = {r["relationshipType"] for r in by_type["Relationship"]}
    assert {"hasDeclaredLicense", "hasConcludedLicense", "testedOn"} <= kinds
    assert package["releaseTime"] == "2013-01-01T00:00:00Z"
    assert by_type["CreationInfo"][0]["comment"].startswith("The card gives no release date of dataset")
    exprs = {e["simplelicensing_licenseExpression"] for e in by_type["simplelicensing_LicenseExpression"]}
    assert exprs == {"LicenseRef-Proprietary", "LicenseRef-ProPublica-Data-Terms"}
    (ds,) = by_type["dataset_DatasetPackage"]
    assert ds["verifiedUsing"][0]["hashValue"] == card.datasets[0].sha256
    assert spdx.export_text(card) == spdx.export_text(card)
