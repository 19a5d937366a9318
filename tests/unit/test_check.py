"""`modelcard check`: completeness against ABOUT ML, Model Cards, Datasheets and EU AI Act profiles."""

from __future__ import annotations

import pytest

from modelcard.analysis.completeness import PROFILES, assess, is_filled, resolve
from modelcard.card.validate import load_card, validate_data
from modelcard.diagnostics import UsageError

MINIMAL = {"card": {"schema_version": "1.0"}, "model": {"name": "tiny", "version": "1"}}


def card_from(data):
    card, diags = validate_data(data)
    assert card is not None, diags
    return card


def test_profiles_cover_the_four_standards():
    assert set(PROFILES) == {"aboutml", "modelcards", "datasheets", "eu-gpai", "eu-annex-iv", "eu-ai-act"}
    assert len(PROFILES["modelcards"].items) == 9  # Mitchell et al.'s nine sections
    assert [i.id for i in PROFILES["datasheets"].items] == [
        "motivation",
        "composition",
        "collection",
        "preprocessing",
        "uses",
        "distribution",
        "maintenance",
    ]


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_profile_path_exists_in_the_schema(profile):
    """A typo in a profile path would silently make an item uncoverable: resolve them on the example."""
    from modelcard.authoring.skeleton import classify
    from modelcard.schema.models import ModelCard

    for item in PROFILES[profile].items:
        for alternatives in item.requires:
            for path in (part for alternative in alternatives for part in alternative.split("&")):
                model = ModelCard
                for seg in path.split("."):
                    name = seg.split("[")[0]
                    assert model is not None and name in model.model_fields, (item.id, path)
                    kind = classify(model.model_fields[name].rebuild_annotation())
                    model = kind.model or (kind.item.model if kind.item else None)


def test_example_card_scores(example_path):
    card = load_card(example_path)
    mc = assess(card, "modelcards")
    assert (mc.covered, mc.total) == (8, 9)
    training = next(i for i in mc.items if i.id == "training-data")
    assert not training.covered and training.coverable  # the COMPAS score's training data is not public
    assert training.missing == ["datasets[role=training|fine-tuning]"]
    quant = next(i for i in mc.items if i.id == "quantitative-analyses")
    assert quant.covered and any(f.startswith("fairness.results[") for f in quant.fields)
    assert 0 < mc.score < 1 and mc.score == pytest.approx(8 / 9)

    eu = assess(card, "eu-ai-act")  # the former name of eu-annex-iv
    oversight = next(i for i in eu.items if i.id == "2(e)")
    assert not oversight.covered and oversight.coverable
    assert oversight.missing == ["regulatory.high_risk.human_oversight"]
    assert eu.coverable == eu.total  # schema 1.1 can express every item of Annex IV

    ds = assess(card, "datasheets")
    assert next(i for i in ds.items if i.id == "motivation").covered
    assert not next(i for i in ds.items if i.id == "uses").coverable


def test_minimal_card_covers_nothing_and_placeholders_do_not_count():
    card = card_from(MINIMAL)
    for name in PROFILES:
        result = assess(card, name)
        assert result.covered == 0 and result.score == 0
    data = dict(
        MINIMAL,
        intended_use={
            "primary_uses": ["TODO"],
            "primary_users": ["TODO: who?"],
            "out_of_scope_uses": ["Medical diagnosis."],
        },
    )
    item = next(i for i in assess(card_from(data), "modelcards").items if i.id == "intended-use")
    assert not item.covered
    assert item.fields == ["intended_use.out_of_scope_uses"]
    assert item.missing == ["intended_use.primary_uses", "intended_use.primary_users"]


def test_every_dataset_must_answer_datasheet_items():
    def ds(i, maint):
        return {
            "id": f"d{i}",
            "name": f"D{i}",
            "role": "training",
            "provenance": {"maintenance": {"maintainer": maint}} if maint else {},
        }

    one = card_from(dict(MINIMAL, datasets=[ds(1, "Ann"), ds(2, None)]))
    assert not next(i for i in assess(one, "datasheets").items if i.id == "maintenance").covered
    both = card_from(dict(MINIMAL, datasets=[ds(1, "Ann"), ds(2, "Bob")]))
    item = next(i for i in assess(both, "datasheets").items if i.id == "maintenance")
    assert item.covered and item.fields == ["datasets[0].provenance.maintenance", "datasets[1].provenance.maintenance"]
    # a training dataset answers Mitchell's "training data"; selection by role
    assert resolve(both, "datasets[role=training]") == ["datasets[0]", "datasets[1]"]
    assert resolve(both, "datasets[role=evaluation]") == []


def test_is_filled():
    assert not is_filled(None) and not is_filled("") and not is_filled("  TODO later") and not is_filled([])
    assert is_filled(False) and is_filled(0) and is_filled("x") and is_filled(["TODO", "real"])


def test_unknown_profile_is_a_usage_error(example_path):
    with pytest.raises(UsageError, match="unknown profile"):
        assess(load_card(example_path), "iso-42001")
