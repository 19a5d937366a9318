"""The public Python API: names, laziness, assignment validation, save keeping the file, merge, the walker."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pydantic
import pytest

import modelcard
from modelcard import CardError, ModelCard, UsageError
from modelcard.schema import models as S
from modelcard.schema.walk import identified_lists, identity_at, type_at

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

MINIMAL = {"card": {"schema_version": "1.1"}, "model": {"name": "tiny", "version": "0.1"}}


@pytest.fixture
def card_path(tmp_path: Path) -> Path:
    path = tmp_path / "card.yaml"
    shutil.copy(EXAMPLE, path)
    return path


def test_all_is_static_and_every_name_resolves_with_a_docstring():
    assert "__version__" in modelcard.__all__
    for name in modelcard.__all__:
        value = getattr(modelcard, name)
        if callable(value):
            assert value.__doc__ and value.__doc__.strip(), f"modelcard.{name} has no docstring"
        assert name in dir(modelcard)
    with pytest.raises(AttributeError):
        modelcard.no_such_name  # noqa: B018


def test_every_model_card_method_has_a_docstring_with_an_example():
    for name in ("load", "save", "validate", "render", "merge", "export"):
        doc = getattr(ModelCard, name).__doc__
        assert doc and "Example:" in doc, name


# --------------------------------------------------------------------------
# assignment


def test_assigning_a_wrong_type_raises_and_keeps_the_old_value(card_path):
    card = ModelCard.load(card_path)
    with pytest.raises(pydantic.ValidationError):
        card.model.version = 3
    with pytest.raises(pydantic.ValidationError):
        card.model.repository = "javascript:alert(1)"  # the link rule holds on assignment too
    assert card.model.version == "2013-2014 Broward County deployment"
    ci = card.metrics[0].confidence_interval
    with pytest.raises(pydantic.ValidationError, match="greater than upper"):
        ci.lower = ci.upper + 1  # model rules run on assignment
    card.fairness.results[0].verdict = "pass"
    assert card.fairness.results[0].verdict is modelcard.Verdict.PASS


def test_load_layers_fragments_and_values(card_path, tmp_path):
    fragment = tmp_path / "frag.yaml"
    fragment.write_text("model:\n  license: MIT\n")
    card = ModelCard.load(card_path, with_=[fragment], set_=["model.version=7"])
    assert (card.model.license, card.model.version) == ("MIT", "7")


def test_load_raises_located_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("card:\n  schema_version: '1.1'\nmodel:\n  name: m\n")
    with pytest.raises(CardError) as exc:
        ModelCard.load(bad)
    (d,) = exc.value.diagnostics
    assert (d.file, d.line, "version" in d.message) == (str(bad), 4, True)  # at the model mapping


def test_save_changes_only_the_changed_value(card_path):
    before = card_path.read_bytes()
    card = ModelCard.load(card_path)
    card.model.version = "next"
    card.metrics[0].value = 0.5
    card.save()
    after = card_path.read_bytes()
    old_lines, new_lines = before.decode().splitlines(), after.decode().splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    assert len(changed) == 2
    for i in changed:  # the rest of each changed line (indentation, key, comment) stays
        assert old_lines[i].split(":")[0] == new_lines[i].split(":")[0]
    assert ModelCard.load(card_path).model.version == "next"


def test_save_keeps_comments_and_inserts_new_keys(tmp_path):
    path = tmp_path / "card.yaml"
    text = (
        "# my card\n"
        "card:\n"
        "  schema_version: '1.1'   # the schema\n"
        "model:\n"
        "  name: m   # keep me\n"
        "  version: 1.0.0\n"
        "  x-team: {owner: me}\n"
        "metrics:\n"
        "- name: acc\n"
        "  slice: {decile: 5}\n"
        "  value: 1\n"
    )
    path.write_text(text)
    card = ModelCard.load(path)
    card.save()
    assert path.read_text() == text  # nothing changed: not a byte (decile 5 stays a number, value 1 stays 1)
    card.model.license = "MIT"
    card.save()
    out = path.read_text()
    assert out.replace("  license: MIT\n", "") == text
    assert "  version: 1.0.0\n  license: MIT\n" in out  # after its predecessor in schema order


def test_save_a_card_made_in_python_and_one_without_a_path(tmp_path):
    card = ModelCard.model_validate(MINIMAL)
    with pytest.raises(UsageError):
        card.save()
    card.save(tmp_path / "tiny.json")
    assert json.loads((tmp_path / "tiny.json").read_text())["model"] == {"name": "tiny", "version": "0.1"}
    card.save(tmp_path / "tiny.yaml")
    assert ModelCard.load(tmp_path / "tiny.yaml").model.name == "tiny"


def test_save_keeps_a_json_card_json(tmp_path):
    path = tmp_path / "card.json"
    path.write_text(json.dumps(MINIMAL, indent=4) + "\n")
    card = ModelCard.load(path)
    card.model.version = "0.2"
    card.save()
    data = json.loads(path.read_text())
    assert data["model"]["version"] == "0.2" and path.read_text().startswith("{\n    ")


def test_validate_locates_problems_in_the_loaded_file(card_path):
    card = ModelCard.load(card_path)
    card.fairness.results[1].verdict = "fail"
    report = card.validate()
    (d,) = report.errors
    assert d.file == str(card_path) and d.line and d.path == "fairness.results[1].verdict"
    assert not ModelCard.model_validate(MINIMAL).validate(strict=True).ok  # recommended fields missing


def test_merge_takes_paths_mappings_and_cards_and_keeps_the_file(card_path, tmp_path):
    frag = tmp_path / "frag.yaml"
    frag.write_text("model:\n  license: MIT\n")
    card = ModelCard.load(card_path)
    merged = card.merge(frag, {"model": {"version": "2"}})
    assert (merged.model.license, merged.model.version) == ("MIT", "2")
    assert card.model.version != "2"  # the original is untouched
    merged.save()
    text = card_path.read_text()
    assert "license: MIT" in text and text.startswith(EXAMPLE.read_text().split("\n", 1)[0])
    with pytest.raises(CardError):
        card.merge({"model": {"version": 2.5, "name": None}})


def test_gate_and_diff_take_cards_or_paths(card_path):
    card = ModelCard.load(card_path)
    assert modelcard.gate(card).passed == modelcard.gate(card_path).passed
    with pytest.raises(UsageError) as exc:
        modelcard.gate(card, requirements=["accuracy>0.5"])
    assert exc.value.option == "requirements" and "--require" not in str(exc.value)
    assert modelcard.diff(card, card_path).identical
    other = card.merge({"model": {"version": "2"}})
    assert [f.path for f in modelcard.diff(card, other).fields] == ["model.version"]


def test_evaluate_accepts_a_path_dataframes_tables_and_mappings(tmp_path):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    df = pd.DataFrame({"y": [0, 1, 1, 0] * 30, "p": [0, 1, 0, 0] * 30, "g": ["a", "b", "c"] * 40})
    df.to_csv(tmp_path / "p.csv", index=False)
    runs = [
        modelcard.evaluate(tmp_path / "p.csv", label="y", prediction="p", sensitive=["g"]),
        modelcard.evaluate(df, label="y", prediction="p", sensitive=["g"]),
        modelcard.evaluate(pa.Table.from_pandas(df), label="y", prediction="p", sensitive=["g"]),
        modelcard.evaluate({c: df[c].tolist() for c in df.columns}, label="y", prediction="p", sensitive=["g"]),
    ]
    values = [[(m.name, m.value) for m in f.metrics] for f in runs]
    assert values[0] and all(v == values[0] for v in values)
    with pytest.raises(UsageError, match="no column named 'nope'"):
        modelcard.evaluate(df, label="nope", prediction="p", sensitive=["g"])
    with pytest.raises(UsageError, match="cannot read a int"):
        modelcard.evaluate(42, label="y", prediction="p", sensitive=["g"])
    runs[1].save(tmp_path / "frag.yaml")
    assert ModelCard.load(EXAMPLE, with_=[tmp_path / "frag.yaml"]).metrics


def test_list_identity_is_declared_on_the_item_models():
    shapes = set(identified_lists())
    assert {
        ("datasets",),
        ("metrics",),
        ("fairness", "results"),
        ("fairness", "spreads"),
        ("fairness", "sensitive_attributes"),
        ("test_methodology", "metric_definitions"),
        ("test_methodology", "datasets"),
        ("test_methodology", "requirements"),
        ("model", "developers"),
        ("card", "authors"),
    } <= shapes
    for shape in shapes:
        identity = identity_at(shape)
        assert identity is not None
        fields = identity.model.model_fields
        assert all(f in fields for f in identity.fields + identity.signals + identity.measured), shape
    assert identity_at(("metrics",)).model is S.MetricResult
    assert identity_at(("model", "inputs")) is None  # matched by position, replaced as a whole


def test_list_identity_compares_labels_as_text():
    key = identity_at(("metrics",)).key
    assert key({"name": "acc", "slice": {"decile": 5}}) == key({"name": "acc", "slice": {"decile": "5"}})
    assert key("not a mapping") is None


def test_type_at_names_the_path_not_a_flag():
    with pytest.raises(UsageError) as exc:
        type_at(("model", "verison"))
    assert "did you mean 'version'" in str(exc.value) and "--" not in str(exc.value)
