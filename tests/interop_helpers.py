"""Shared helpers for the interop tests (corpus paths, official schema validators)."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "interop"
CORPUS = DATA / "corpus"
CDX_SCHEMAS = CORPUS / "cyclonedx-mlbom" / "schema"
MCT_SCHEMAS = CORPUS / "mct-json" / "schema"
EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

NOT_CARDS = {"SOURCES.md", "SHA256SUMS", ".gitattributes"}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in NOT_CARDS)


def rel(p: Path) -> str:
    return p.relative_to(CORPUS).as_posix()


@cache
def cyclonedx_validator():
    """Draft-07 validator for the official bom-1.6 schema, $refs resolved offline from the bundled files."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    resources = []
    for name in ("bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"):
        contents = json.loads((CDX_SCHEMAS / name).read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents, default_specification=DRAFT7)))
    schema = json.loads((CDX_SCHEMAS / "bom-1.6.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(
        schema, registry=Registry().with_resources(resources), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


@cache
def mct_validator(version: str):
    import jsonschema

    schema = json.loads((MCT_SCHEMAS / f"model_card.schema.v{version}.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def hub_card(text: str, tmp_path: Path):
    """The README ``text`` loaded by huggingface_hub with metadata errors not ignored, eval results parsed."""
    import logging

    from huggingface_hub import ModelCard

    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    path = tmp_path / "hub-README.md"
    path.write_text(text, encoding="utf-8", newline="")
    card = ModelCard.load(path, ignore_metadata_errors=False)
    _ = card.data.eval_results, card.data.to_dict()
    return card


def check_spdx(doc):
    """Check an SPDX 3.0.1 document against the spec's requirements and the official model bindings."""
    import pytest

    # Serialization (JSON-LD): the 3.0.1 context and a @graph of elements
    assert doc["@context"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    graph = doc["@graph"]
    by_type = {}
    for el in graph:
        by_type.setdefault(el["type"], []).append(el)
    # Core/CreationInfo: specVersion, created (UTC, no fraction), createdBy (min 1)
    (ci,) = by_type["CreationInfo"]
    assert ci["specVersion"] == "3.0.1"
    assert len(ci["created"]) == 20 and ci["created"].endswith("Z")
    assert ci["createdBy"]
    ids = {el.get("spdxId") for el in graph}
    # every Element has a unique spdxId (an IRI) and creationInfo
    elements = [el for el in graph if el["type"] != "CreationInfo"]
    assert all(el["spdxId"].startswith("https://") and el["creationInfo"] == ci["@id"] for el in elements)
    assert len(ids) == len(graph)
    # Core/SpdxDocument with the AI package as root
    (document,) = by_type["SpdxDocument"]
    (package,) = by_type["ai_AIPackage"]
    assert document["rootElement"] == [package["spdxId"]]
    assert set(document["element"]) <= ids and "ai" in document["profileConformance"]
    # AI/AIPackage: a software_Package whose primary purpose is a model; the AIPackage page's
    # "External properties cardinality updates" make these required (minCount 1):
    assert package["software_primaryPurpose"] == "model"
    for prop in ("name", "software_packageVersion", "software_downloadLocation", "releaseTime", "suppliedBy"):
        assert package.get(prop), prop
    assert package["suppliedBy"] in ids
    # Dataset/DatasetPackage (cardinality updates on its page): builtTime, originatedBy (exactly 1),
    # releaseTime, downloadLocation, primaryPurpose; datasetType minCount 1
    for ds in by_type.get("dataset_DatasetPackage", []):
        for prop in ("builtTime", "releaseTime", "software_downloadLocation", "software_primaryPurpose"):
            assert ds.get(prop), prop
        assert len(ds["originatedBy"]) == 1 and ds["originatedBy"][0] in ids
        assert ds["dataset_datasetType"]
    # AI and Dataset profile conformance: for every AIPackage / DatasetPackage exactly one
    # hasConcludedLicense and exactly one hasDeclaredLicense relationship to an AnyLicenseInfo
    licences = {el["spdxId"] for el in by_type.get("simplelicensing_LicenseExpression", [])}
    licences.add("expandedlicensing_NoAssertionLicense")
    for pkg in [package, *by_type.get("dataset_DatasetPackage", [])]:
        for kind in ("hasConcludedLicense", "hasDeclaredLicense"):
            rels = [r for r in by_type["Relationship"] if r["from"] == pkg["spdxId"] and r["relationshipType"] == kind]
            assert len(rels) == 1 and len(rels[0]["to"]) == 1 and rels[0]["to"][0] in licences, (pkg["name"], kind)
    for entry in package.get("ai_metric", []) + package.get("ai_metricDecisionThreshold", []):
        assert entry["type"] == "DictionaryEntry" and entry["key"]
    assert len({e["key"] for e in package.get("ai_metric", [])}) == len(package.get("ai_metric", []))
    # relationships point at elements of the document
    for rel_ in by_type.get("Relationship", []):
        assert rel_["from"] in ids and set(rel_["to"]) <= ids | {"expandedlicensing_NoAssertionLicense"}
    # the official model bindings accept it
    spm = pytest.importorskip("spdx_python_model")
    model, objset = spm.load_data(json.loads(json.dumps(doc)))
    out = io.BytesIO()
    model.JSONLDSerializer().write(objset, out)
    assert len(json.loads(out.getvalue())["@graph"]) == len(graph)
    return by_type
