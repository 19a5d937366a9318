"""Shared helpers for the interop tests (corpus paths, official schema validators)."""

from __future__ import annotations

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
