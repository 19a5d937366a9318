"""Round trips for every format on the whole corpus, and every export checked by an independent reader.

* import -> export -> import gives the same card, for every corpus file of every
  format that is both imported and exported (Hugging Face, MCT, CycloneDX);
* every example card and every imported corpus card exports to a README that
  huggingface_hub loads (metadata errors not ignored, eval results parsed), and
  importing that README gives the same card back;
* MCT exports validate against MCT's v0.0.2 schema; CycloneDX exports against
  the official 1.6 schema; SPDX exports against the spec's rules and bindings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from interop_helpers import CORPUS, ROOT, check_spdx, corpus_files, cyclonedx_validator, hub_card, mct_validator, rel

from modelcard.card.validate import load_card
from modelcard.diagnostics import ModelcardError
from modelcard.interop import detect_format, export_result, import_file
from modelcard.interop import huggingface as hf
from modelcard.interop._common import Notes

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SUFFIX = {"huggingface": ".md", "mct": ".json", "cyclonedx": ".json"}


def _importable() -> list[tuple[Path, str]]:
    out = []
    for path in corpus_files():
        try:
            fmt = detect_format(path)
        except ModelcardError:
            continue
        if fmt in SUFFIX:
            out.append((path, fmt))
    return out


IMPORTABLE = _importable()


def _dump(card):
    return card.model_dump(mode="json", exclude_none=True)


def test_the_corpus_is_covered():
    formats = [fmt for _, fmt in IMPORTABLE]
    assert formats.count("huggingface") >= 55 and formats.count("mct") == 5 and formats.count("cyclonedx") == 5


@pytest.mark.parametrize(("path", "fmt"), IMPORTABLE, ids=[rel(p) for p, _ in IMPORTABLE])
def test_import_export_import_is_the_same_card(path, fmt, tmp_path):
    first = import_file(path, fmt).card()
    text, _ = export_result(first, fmt)
    again = tmp_path / path.name  # same file name: a README's name is its repository id
    again.write_text(text, encoding="utf-8", newline="")
    second = import_file(again, fmt).card()
    assert _dump(second) == _dump(first)


def _all_cards():
    cards = [(f"examples/{p.name}", load_card(p)) for p in EXAMPLES]
    for path, _ in IMPORTABLE:
        cards.append((rel(path), import_file(path).card()))
    return cards


CARDS = _all_cards()


@pytest.mark.parametrize("name", [n for n, _ in CARDS])
def test_every_card_exports_a_readme_huggingface_hub_loads(name, tmp_path):
    card = dict(CARDS)[name]
    text, warnings = export_result(card, "huggingface")
    hub = hub_card(text, tmp_path)
    metrics = [m for m in card.metrics or [] if m.value is not None]
    if metrics and any(m.dataset for m in metrics):
        assert hub.data.eval_results, "metrics with a dataset reach model-index"
    filename = Path(name).name if name.endswith(".md") else "README.md"
    back = hf.import_text(text, filename, filename=filename, folder=card.model.name if filename == "README.md" else "")
    assert _dump(back.card()) == _dump(card)
    for w in warnings:
        assert w.severity == "warning" and w.message


@pytest.mark.parametrize("name", [n for n, _ in CARDS])
def test_every_card_exports_valid_mct_cyclonedx_and_spdx(name):
    card = dict(CARDS)[name]
    mct = json.loads(export_result(card, "mct")[0])
    assert not [e.message for e in mct_validator("0.0.2").iter_errors(mct)]
    bom = json.loads(export_result(card, "cyclonedx")[0])
    assert not [f"{list(e.path)}: {e.message}" for e in cyclonedx_validator().iter_errors(bom)]
    check_spdx(json.loads(export_result(card, "spdx")[0]))


# --------------------------------------------------------------------------
# what each format keeps


def test_cyclonedx_round_trip_keeps_what_has_no_card_field(tmp_path):
    src = CORPUS / "cyclonedx-mlbom" / "valid-machine-learning-1.6.json"
    original = json.loads(src.read_text(encoding="utf-8"))
    card = import_file(src).card()
    assert (
        card.caveats_and_recommendations.tradeoffs[-1]
        == "Higher resolution output requires more computational resources"
    )
    assert card.model.architecture == "The architecture of the model."
    bom = json.loads(export_result(card, "cyclonedx")[0])
    model = bom["metadata"]["component"]
    o_model = original["components"][0]
    assert model["publisher"] == "Acme Inc" and model["group"] == "CompVis" and model["name"] == "stable-diffusion"
    mc, o_mc = model["modelCard"], o_model["modelCard"]
    assert mc["modelParameters"]["approach"] == {"type": "supervised"}
    assert mc["modelParameters"]["architectureFamily"] == "the architecture family goes here"
    assert mc["considerations"]["fairnessAssessments"] == o_mc["considerations"]["fairnessAssessments"]
    assert mc["considerations"]["performanceTradeoffs"] == o_mc["considerations"]["performanceTradeoffs"]
    assert mc["quantitativeAnalysis"]["graphics"] == o_mc["quantitativeAnalysis"]["graphics"]
    assert mc["properties"][-2:] == o_mc["properties"]

    env_src = CORPUS / "cyclonedx-mlbom" / "valid-machine-learning-considerations-env-1.6.json"
    env_card = import_file(env_src).card()
    assert env_card.environmental_impact.energy_kwh == 0.4
    env_bom = json.loads(export_result(env_card, "cyclonedx")[0])
    original = json.loads(env_src.read_text(encoding="utf-8"))["components"][0]
    assert env_bom["metadata"]["component"]["modelCard"]["considerations"] == original["modelCard"]["considerations"]
    ec = env_bom["metadata"]["component"]["modelCard"]["considerations"]["environmentalConsiderations"]
    assert ec["energyConsumptions"][0]["co2CostOffset"] == {"value": 31.22, "unit": "tCO2eq"}

    owasp = import_file(CORPUS / "cyclonedx-mlbom" / "owasp-aibom-generator__expected_aibom.json").card()
    owasp_bom = json.loads(export_result(owasp, "cyclonedx")[0])
    comp = owasp_bom["metadata"]["component"]
    assert comp["purl"] == "pkg:huggingface/test-org%2Ftest-model@1.0" and comp["publisher"] == "test-org"
    assert comp["licenses"][0]["license"] == {"id": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"}
    assert comp["modelCard"]["modelParameters"]["architectureFamily"] == "transformer"
    assert any(c.get("type") == "application" for c in owasp_bom["components"])  # the BOM's other component


def test_example_reaches_cyclonedx_and_spdx_with_its_considerations():
    card = load_card(EXAMPLES[0])
    bom = json.loads(export_result(card, "cyclonedx")[0])
    mc = bom["metadata"]["component"]["modelCard"]
    cons = mc["considerations"]
    assert len(cons["ethicalConsiderations"]) == len(card.ethical_considerations.risks)
    assert all(e.get("mitigationStrategy") for e in cons["ethicalConsiderations"] if e["name"])
    assert len(cons["fairnessAssessments"]) == len(card.fairness.results)
    props = {p["name"]: p["value"] for p in mc["properties"]}
    assert props["modelcard:summary"] == card.fairness.summary
    assert props["modelcard:test_protocol"] == card.test_methodology.protocol
    # ... and comes back from CycloneDX typed
    back = import_file_text(json.dumps(bom), "bom.json", "cyclonedx")
    assert back.caveats_and_recommendations.recommendations == card.caveats_and_recommendations.recommendations
    assert back.fairness.summary == card.fairness.summary
    assert back.test_methodology.protocol == card.test_methodology.protocol
    assert back.intended_use.out_of_scope_uses == card.intended_use.out_of_scope_uses
    assert [d.role for d in back.datasets] == [d.role for d in card.datasets]

    spdx = json.loads(export_result(card, "spdx")[0])
    by_type = check_spdx(spdx)
    (package,) = by_type["ai_AIPackage"]
    for r in card.ethical_considerations.risks:
        assert f"Risk: {r.name}" in package["ai_limitation"]
    for rec in card.caveats_and_recommendations.recommendations:
        assert rec in package["ai_limitation"]
    statements = [a["statement"] for a in by_type["Annotation"]]
    assert any(card.fairness.summary in s for s in statements)
    assert any(card.test_methodology.protocol in s for s in statements)
    keys = [e["key"] for e in package["ai_metric"]]
    splits = {m.split for m in card.metrics if m.split}
    assert all(any(f"split {s}" in k for k in keys) for s in splits)


def import_file_text(text: str, name: str, fmt: str):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        return import_file(path, fmt).card()


def test_spdx_keeps_the_split_of_every_metric():
    from modelcard.schema.models import ModelCard

    card = ModelCard.model_validate(
        {
            "card": {"schema_version": "1.1"},
            "model": {"name": "m", "version": "1"},
            "datasets": [{"id": "d", "name": "D", "role": "test"}],
            "metrics": [
                {"name": "accuracy", "value": 0.8, "dataset": "d", "split": "validation"},
                {"name": "accuracy", "value": 0.7, "dataset": "d", "split": "test"},
            ],
        }
    )
    doc = json.loads(export_result(card, "spdx")[0])
    (package,) = check_spdx(doc)["ai_AIPackage"]
    assert {e["key"]: e["value"] for e in package["ai_metric"]} == {
        "accuracy on d split validation": "0.8",
        "accuracy on d split test": "0.7",
    }


def test_mct_round_trip_keeps_what_has_no_card_field():
    src = CORPUS / "mct-json" / "considerations.json"
    original = json.loads(src.read_text(encoding="utf-8"))
    result = import_file(src)
    assert any("path/to/train" in w.message and w.line for w in result.warnings)  # a link that is not a URL
    card = result.card()
    assert card.datasets[0].extensions["x-mct"]["link"] == "path/to/train"
    doc = json.loads(export_result(card, "mct")[0])
    assert not list(mct_validator("0.0.2").iter_errors(doc))
    assert doc["model_parameters"]["data"][0]["link"] == "path/to/train"
    assert doc["model_details"]["licenses"] == original["model_details"]["licenses"]
    assert doc["model_details"]["citation"] == original["model_details"]["citation"]  # kept where it was
    v001 = import_file(CORPUS / "mct-json" / "cats_vs_dogs_v0_0_1.json").card()
    assert v001.caveats_and_recommendations.tradeoffs == ["Recall vs Precision."]
    assert all(m.confidence_interval is None or m.confidence_interval.level is None for m in v001.metrics)


def test_exporters_say_what_a_format_cannot_hold():
    card = load_card(EXAMPLES[0])
    notes = Notes("card.yaml")
    _, warnings = export_result(card, "mct")
    assert any("no place for" in w.message and "test methodology" in w.message for w in warnings)
    assert notes.items == []


def test_spdx_safety_risk_assessment_only_when_stated():
    from modelcard.schema.models import ModelCard

    base = {"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}}
    for ext, expected in (({}, None), ({"x-spdx": {"safety_risk_assessment": "high"}}, "high")):
        doc = json.loads(export_result(ModelCard.model_validate({**base, **ext}), "spdx")[0])
        (package,) = check_spdx(doc)["ai_AIPackage"]
        assert package.get("ai_safetyRiskAssessment") == expected
