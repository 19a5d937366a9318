"""`modelcard init`: the skeleton generated from the schema."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from modelcard.authoring.skeleton import Skeleton, schema_ref_for, skeleton
from modelcard.card.checks import PLACEHOLDER_PREFIX
from modelcard.card.validate import validate_file
from modelcard.schema import models as S
from modelcard.schema.jsonschema import SCHEMA_FILENAME


def _all_fields(model, seen=None):
    """Every (model, field) reachable from ModelCard."""
    from modelcard.authoring.skeleton import classify

    seen = set() if seen is None else seen
    for name, info in model.model_fields.items():
        yield model, name, info
        kind = classify(info.rebuild_annotation())
        sub = kind.model or (kind.item.model if kind.item else None)
        if sub is not None and sub not in seen:
            seen.add(sub)
            yield from _all_fields(sub, seen)


def test_skeleton_is_valid_but_fails_strict(tmp_path):
    path = tmp_path / "modelcard.yaml"
    path.write_text(skeleton(name="demo"), encoding="utf-8")
    assert validate_file(path).ok
    strict = validate_file(path, strict=True)
    assert not strict.ok
    codes = {d.code for d in strict.errors}
    assert {"placeholder", "missing-recommended"} <= codes
    # every placeholder is located on its own line
    text = path.read_text().splitlines()
    for d in strict.errors:
        if d.code == "placeholder":
            assert PLACEHOLDER_PREFIX in text[d.line - 1], d


def test_skeleton_carries_every_schema_field_as_guidance():
    """It is generated from the models: every field's guidance question appears in it."""
    text = skeleton()
    flat = re.sub(r"\s*\n\s*#\s*(#\s*)?", " ", text)  # join wrapped comment lines
    missing = []
    for model, name, info in _all_fields(S.ModelCard):
        if info.description and info.description not in flat:
            missing.append(f"{model.__name__}.{name}")
    # optional fields inside commented result examples are omitted on purpose; everything else is there
    allowed = {
        "MetricResult",
        "FairnessResult",
        "_Estimate",
        "DisparityValue",
        "ConfidenceInterval",
        "Disparity",
        "ConfidenceIntervalMethod",
        "Threshold",
        "CalibrationResult",  # measured by evaluate, like the result types above
        "CalibrationBin",
        "ResultSource",  # MetricResult.source: inside the commented result example, like the types above
    }
    assert [m for m in missing if m.split(".")[0] not in allowed] == []


def test_skeleton_header_and_schema_line():
    text = skeleton(name="demo", schema_ref=f"../schemas/{SCHEMA_FILENAME}", today=dt.date(2030, 1, 2))
    first = text.splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../schemas/{SCHEMA_FILENAME}"
    data = yaml.safe_load(text)
    assert data["card"] == {
        "schema_version": S.SCHEMA_VERSION,
        "authors": [{"name": "TODO"}],
        "date": dt.date(2030, 1, 2),
    }
    assert data["model"]["name"] == "demo"
    assert data["model"]["date"] is None  # non-text recommended fields are left empty
    # a test dataset reference agrees with the dataset id, so plain validation passes
    assert data["test_methodology"]["datasets"][0]["dataset"] == data["datasets"][0]["id"]
    # sections that need real numbers are empty keys with a commented example
    assert data["metrics"] is None and data["fairness"]["results"] is None
    assert "# - name: TODO" in text


def test_commented_examples_validate_once_uncommented(tmp_path):
    """Uncommenting the metrics example gives a valid metric entry."""
    text = skeleton()
    lines = text.splitlines()
    start = lines.index("metrics:")
    out = lines[: start + 1]
    i = start + 1
    while i < len(lines) and lines[i].startswith("  #"):
        body = lines[i][4:] if lines[i].startswith("  # ") else ""
        out.append("  " + body)
        i += 1
    out += lines[i:]
    path = tmp_path / "card.yaml"
    path.write_text("\n".join(out) + "\n")
    data = yaml.safe_load(path.read_text())
    assert data["metrics"][0]["name"] == "TODO" and data["metrics"][0]["value"] == 0.0
    report = validate_file(path)
    assert report.ok, [str(d) for d in report.diagnostics]


def test_filled_skeleton_passes_strict_on_the_filled_parts(tmp_path):
    skel = Skeleton(name="demo")
    skel.set(("model", "version"), "1.0")
    skel.set(("model", "description"), "Line one.\nLine two: with a colon # and a hash.")
    skel.set(("model", "license"), "Apache-2.0")
    skel.set(("datasets", 0, "id"), "adult-test")
    skel.set_names(("model", "developers"), ["Acme", "Beta Labs"])
    path = tmp_path / "card.yaml"
    path.write_text(skel.text(), encoding="utf-8")
    data = yaml.safe_load(path.read_text())
    assert data["model"]["description"] == "Line one.\nLine two: with a colon # and a hash."
    assert data["model"]["developers"] == [{"name": "Acme"}, {"name": "Beta Labs"}]
    assert data["test_methodology"]["datasets"][0]["dataset"] == "adult-test"  # follows the id
    report = validate_file(path, strict=True)
    assert report.ok is False
    flagged = {d.path for d in report.errors}
    assert not flagged & {"model.version", "model.description", "model.license", "model.developers[0].name"}


def test_schema_ref_prefers_a_local_schema(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / SCHEMA_FILENAME).write_text("{}")
    (tmp_path / "cards").mkdir()
    assert schema_ref_for(tmp_path / "cards" / "m.yaml") == f"../schemas/{SCHEMA_FILENAME}"
    assert schema_ref_for(tmp_path / "m.yaml") == f"schemas/{SCHEMA_FILENAME}"
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / ".git").mkdir()
    # no schema in the project: the one installed with the package, so the editor finds it offline
    from modelcard.schema.jsonschema import schema_path

    installed = schema_ref_for(other / "m.yaml")
    assert installed == schema_path().resolve().as_posix() and Path(installed).is_file()
    assert not installed.startswith("http")


def test_schema_ref_is_relative_when_the_installed_schema_is_in_the_repository():
    """A card inside this checkout (where the package's schema lives) gets a relative, portable path."""
    root = Path(__file__).resolve().parents[2]
    assert schema_ref_for(root / "examples" / "new.yaml") == f"../schemas/{SCHEMA_FILENAME}"


def test_skeleton_is_valid_against_the_exported_json_schema():
    """Editors use the JSON Schema: a fresh skeleton must not light up with errors there either."""
    import json

    import jsonschema

    from modelcard.schema.jsonschema import schema_path

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    data = json.loads(json.dumps(yaml.safe_load(skeleton(name="demo")), default=str))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert errors == []


def test_added_items_keep_identifiers_unique(tmp_path):
    skel = Skeleton()
    skel.add_item(("datasets",))
    skel.add_item(("ethical_considerations", "risks"))
    path = tmp_path / "card.yaml"
    path.write_text(skel.text(), encoding="utf-8")
    data = yaml.safe_load(path.read_text())
    assert [d["id"] for d in data["datasets"]] == ["TODO-dataset", "TODO-dataset-2"]
    assert len(data["ethical_considerations"]["risks"]) == 2
    assert validate_file(path).ok
