"""EU AI Act documentation (issue 16): the eu-gpai and eu-annex-iv profiles, the schema fields behind them,
and the GPAI Model Documentation Form rendered per audience."""

from __future__ import annotations

import copy
import os
import re
import types
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from modelcard import __version__
from modelcard.analysis.completeness import (
    AUDIENCES,
    EU_ANNEX_IV,
    EU_GPAI,
    FORM_SOURCES,
    PROFILES,
    ItemSpec,
    assess,
    resolve,
)
from modelcard.card.validate import load_card, validate_data, validate_file
from modelcard.diagnostics import UsageError
from modelcard.render import render, render_html, render_markdown
from modelcard.render.gpai_form import duration_range, form_view, magnitude, parameter_range
from modelcard.schema.models import ModelCard, TrainingCompute

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "small-gpai-model.yaml"
FROZEN = ROOT / "tests" / "data" / "render" / "cards" / "small-gpai.yaml"  # the goldens' copy of EXAMPLE
GOLDEN = ROOT / "tests" / "data" / "render" / "golden"
UPDATE = os.environ.get("MODELCARD_UPDATE_GOLDEN") == "1"
_STYLE = re.compile(r"<style>\n(.*?)\n</style>", re.S)

DOCS = ROOT / "docs" / "eu-ai-act.md"

#: the Model Documentation Form's sections and the number of items (rows) in each, in its order
FORM_SECTIONS = {
    "1. General information": 6,
    "2. Model properties": 6,
    "3. Methods of distribution and licenses": 4,
    "4. Use": 6,
    "5. Training process": 2,
    "6. Information on the data used for training, testing, and validation": 8,
    "7. Computational resources": 5,
    "8. Energy consumption": 4,
}
FORM_ITEMS = sum(FORM_SECTIONS.values()) + 2  # and the header's date and version
ANNEX_IV_POINTS = [f"1({c})" for c in "abcdefgh"] + [f"2({c})" for c in "abcdefgh"] + list("3456789")


def _data(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _card(data: dict) -> ModelCard:
    card, diagnostics = validate_data(data)
    assert card is not None, diagnostics
    return card


# --------------------------------------------------------------------------
# the mapping: every item of the form and of the annexes maps to fields that exist


def _submodel(annotation: typing.Any) -> type[BaseModel] | None:
    """The section model an annotation holds (through Optional, list and Annotated), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _submodel(arg)
        if found is not None:
            return found
    return None


def _check_path(path: str) -> None:
    """Resolve ``path`` against the models: every segment is a field, selectors name fields of their items."""
    model: type[BaseModel] | None = ModelCard
    for segment in path.split("."):
        name, _, selector = segment.partition("[")
        assert model is not None and name in model.model_fields, f"{path}: no field {name!r}"
        sub = _submodel(model.model_fields[name].annotation)
        attr = selector.rstrip("]").partition("=")[0]
        if attr and attr != "*":
            assert sub is not None and attr in sub.model_fields, f"{path}: {name} items have no field {attr!r}"
        model = sub


def _paths(item: ItemSpec) -> list[str]:
    required = [part for alternatives in item.requires for alt in alternatives for part in alt.split("&")]
    return required + list(item.shows) + ([item.applies] if item.applies else [])


@pytest.mark.parametrize("profile", [EU_GPAI, EU_ANNEX_IV], ids=lambda p: p.name)
def test_every_item_maps_to_existing_schema_fields(profile):
    assert profile.items
    for item in profile.items:
        assert item.coverable and item.requires, f"{item.heading} maps to no field"
        assert item.question and item.basis, item.heading
        for path in _paths(item):
            _check_path(path)


def test_the_form_has_its_sections_items_and_audiences_in_order():
    form = [i for i in EU_GPAI.items if i.number and not i.applies]
    sections: dict[str, list[str]] = {}
    for item in form:
        sections.setdefault(item.section, []).append(item.number)
    assert {s: len(n) for s, n in sections.items()} == FORM_SECTIONS
    assert list(sections) == list(FORM_SECTIONS)  # the form's order
    for s, (title, numbers) in enumerate(sections.items(), 1):
        assert title.startswith(f"{s}. ")
        assert numbers == [f"{s}.{i}" for i in range(1, len(numbers) + 1)]
    for item in EU_GPAI.items:
        assert item.audiences and set(item.audiences) <= set(AUDIENCES), item.heading
        assert list(item.audiences) == [a for a in AUDIENCES if a in item.audiences]  # the form's column order
    by_number = {i.number: i for i in EU_GPAI.items}
    aio, ncas, dps = ("ai-office",), ("national-authority",), ("downstream",)
    # the exact parameter count is for the AI Office, its range for national authorities and downstream providers
    assert by_number["2.5"].audiences == aio and by_number["2.6"].audiences == ncas + dps
    assert by_number["1.3"].audiences == aio + ncas  # authenticity: not for downstream providers
    # training time and computation: a coarse row for national authorities, then a precise one for the AI Office
    assert [(by_number[n].audiences, by_number[n].display) for n in ("7.1", "7.2", "7.3", "7.4")] == [
        (ncas, "training_time_range"),
        (aio, "training_time"),
        (ncas, "flops_magnitude"),
        (aio, "flops"),
    ]
    # the licence's three rows: a link for the authorities, the category for downstream providers, the assets
    assert [by_number[n].audiences for n in ("3.2", "3.3", "3.4")] == [aio + ncas, dps, aio + ncas]
    assert all(by_number[n].audiences == aio + ncas for n in ("8.1", "8.2", "8.3", "8.4"))


def test_every_form_item_says_where_its_title_and_marking_were_read():
    for item in EU_GPAI.items:
        if item.applies:  # Annex XI Section 2: not in the form
            assert not item.title_from and not item.marking_from
            continue
        assert item.title_from in FORM_SOURCES and item.marking_from in FORM_SOURCES, item.heading


def test_the_docs_table_lists_every_item_with_its_sources():
    """docs/eu-ai-act.md has one table row per item: number, title, audiences, title and marking sources."""
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 6 and cells[0] not in ("", "#", "---"):
            rows[cells[0], cells[1]] = cells
    names = {"ai-office": "AIO", "national-authority": "NCAs", "downstream": "DPs"}
    listed = []
    for item in EU_GPAI.items:
        if item.applies:
            continue
        key = (item.number or "—", item.title)
        assert key in rows, f"{item.heading} is not in {DOCS.name}"
        listed.append(key)
        _, _, audiences, title_from, marking_from, _ = rows[key]
        assert audiences == ", ".join(names[a] for a in item.audiences), item.heading
        assert (title_from, marking_from) == (item.title_from, item.marking_from), item.heading
    assert sorted(listed) == sorted(rows), "the docs list items the profile does not have"


def test_annex_iv_profile_has_every_point_and_the_old_name_is_an_alias():
    assert [i.number for i in EU_ANNEX_IV.items] == ANNEX_IV_POINTS
    assert PROFILES["eu-ai-act"].items == EU_ANNEX_IV.items


# --------------------------------------------------------------------------
# scores


def test_example_is_valid_strict_and_reaches_100_percent_on_eu_gpai():
    report = validate_file(EXAMPLE, strict=True)
    assert report.ok, [str(d) for d in report.diagnostics]
    result = assess(load_card(EXAMPLE), "eu-gpai")
    assert (result.covered, result.total, result.score) == (FORM_ITEMS, FORM_ITEMS, 1.0)
    assert "XI 2.1" not in {i.id for i in result.items}  # no systemic risk: Annex XI Section 2 left out


def test_systemic_risk_brings_in_annex_xi_section_2():
    data = _data(EXAMPLE)
    data["regulatory"]["systemic_risk"] = True
    result = assess(_card(data), "eu-gpai")
    missing = {i.id: i.missing for i in result.items if not i.covered}
    assert missing == {
        "XI 2.1": ["regulatory.systemic_risk_documentation.evaluation_strategies"],  # typed results are there
        "XI 2.2": ["regulatory.systemic_risk_documentation.adversarial_testing"],
        "XI 2.3": ["regulatory.systemic_risk_documentation.system_architecture"],
    }
    data["regulatory"]["systemic_risk_documentation"] = {
        "evaluation_strategies": "Benchmarks and red-team evaluations, see metrics.",
        "adversarial_testing": "Internal red team, two external red teams.",
        "system_architecture": "N/A: the model is released on its own.",
    }
    assert assess(_card(data), "eu-gpai").score == 1.0
    del data["metrics"]  # evaluation results must be typed results, not only prose
    item = next(i for i in assess(_card(data), "eu-gpai").items if i.id == "XI 2.1")
    assert item.missing == ["metrics[category=capability|safety]"]


def _complete_annex_iv(data: dict) -> dict:
    data = copy.deepcopy(data)
    data["test_methodology"]["requirements"] = [{"metric": "accuracy", "min": 0.25, "rationale": "Above chance."}]
    data["regulatory"]["high_risk"] = {
        "system_interactions": "N/A: a standalone model.",
        "software_versions": "transformers >= 4.44; updates announced 30 days ahead.",
        "product_illustrations": "N/A: not a component of a product.",
        "user_interface": "A chat box in the deployer's application.",
        "instructions_for_use": "https://lumen-labs.example/lumen-1.4b/docs",
        "human_oversight": "A human reviews every decision the output feeds into.",
        "predetermined_changes": "none",
        "test_reports": [{"title": "Evaluation report 1.0", "date": "2026-02-20", "signed_by": ["C. Dubois, QA"]}],
        "cybersecurity": "Signed releases; weights scanned before publication.",
        "metrics_appropriateness": "Accuracy on public benchmarks measures the intended uses.",
        "risk_management": "ISO/IEC 23894 process, reviewed quarterly.",
        "changes": [{"version": "1.0", "date": "2026-03-10", "description": "First release."}],
        "standards": [{"reference": "ISO/IEC 42001:2023", "harmonised": False, "extent": "part"}],
        "declaration_of_conformity": {"title": "EU declaration of conformity LL-2026-01", "date": "2026-03-01"},
        "post_market_monitoring": "Incident reports and quarterly re-evaluation.",
    }
    return data


def test_annex_iv_reaches_100_percent_when_every_item_is_documented():
    data = _data(EXAMPLE)
    before = assess(_card(data), "eu-annex-iv")
    assert before.coverable == before.total and before.score < 1
    after = assess(_card(_complete_annex_iv(data)), "eu-annex-iv")
    assert after.score == 1.0, [(i.id, i.missing) for i in after.items if not i.covered]


def test_old_cards_stay_valid_and_score_on_the_new_profiles(example_path):
    card = load_card(example_path)  # the COMPAS example, written before these fields existed
    for name in ("eu-gpai", "eu-annex-iv", "eu-ai-act"):
        result = assess(card, name)
        assert 0 < result.covered < result.total and result.coverable == result.total


def test_selectors_on_a_section_and_joined_paths():
    data = _data(EXAMPLE)
    card = _card(data)
    assert resolve(card, "training[from_scratch=true]") == ["training"]
    assert resolve(card, "training[from_scratch=false]") == []
    assert resolve(card, "training.compute.hardware_days&training.compute.device_power_w") == [
        "training.compute.hardware_days",
        "training.compute.device_power_w",
    ]
    del data["training"]["compute"]["device_power_w"]
    assert resolve(_card(data), "training.compute.hardware_days&training.compute.device_power_w") == []


def test_training_energy_is_metered_or_estimated_from_compute():
    compute = TrainingCompute(hardware_days=294, device_power_w=700, pue=1.2)
    assert compute.estimated_energy_mwh == pytest.approx(294 * 24 * 700 * 1.2 / 1e6)
    assert TrainingCompute(hardware_days=10, device_power_w=500).estimated_energy_mwh == pytest.approx(0.12)
    assert TrainingCompute(hardware_days=10).estimated_energy_mwh is None
    data = _data(EXAMPLE)
    row = _row(form_view(_card(data)), "8.1")
    assert row["filled"] and row["entries"][0]["text"].startswith("≈ 5.9 MWh, estimated from the compute used")
    data["environmental_impact"]["energy_kwh"] = 6100
    row = _row(form_view(_card(data)), "8.1")
    assert [e["text"] for e in row["entries"]] == ["6.1 MWh"]  # a metered figure wins over the estimate
    del data["environmental_impact"]["energy_kwh"], data["training"]["compute"]["device_power_w"]
    assert not _row(form_view(_card(data)), "8.1")["filled"]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [(5, "1-500M"), (499_999_999, "1-500M"), (500_000_000, "500M-5B"), (1_412_000_000, "500M-5B"),
     (5e9, "5B-15B"), (1.5e10, "15B-50B"), (4.99e10, "15B-50B"), (7.3e10, "50B-100B"), (1e11, "100B-500B"),
     (5e11, "500B-1T"), (999e9, "500B-1T"), (1e12, ">1T"), (1.8e12, ">1T")],
)  # fmt: skip
def test_parameter_range(parameters, expected):
    assert parameter_range(parameters) == expected


MONTH_HOURS = 24 * 365.25 / 12


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(0, "less than 1 month"), (110, "less than 1 month"), (MONTH_HOURS - 1, "less than 1 month"),
     (MONTH_HOURS, "1-3 months"), (3 * MONTH_HOURS - 1, "1-3 months"), (3 * MONTH_HOURS, "3-6 months"),
     (6 * MONTH_HOURS - 1, "3-6 months"), (6 * MONTH_HOURS, "more than 6 months"), (24 * 400, "more than 6 months")],
)  # fmt: skip
def test_duration_range(hours, expected):
    assert duration_range(hours) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(8.5e21, "between 10^21 and 10^22"), (1e22, "between 10^22 and 10^23"), (9.99e24, "between 10^24 and 10^25"),
     (999999999999999.9, "between 10^14 and 10^15"), (1e15, "between 10^15 and 10^16"), (1, "between 10^0 and 10^1"),
     (0, "0")],
)  # fmt: skip
def test_magnitude(value, expected):
    assert magnitude(value) == expected


def test_new_fields_are_typed():
    data = _data(EXAMPLE)
    for mutate in (
        lambda d: d["model"]["inputs"][0].__setitem__("modality", "smell"),
        lambda d: d["distribution"]["channels"][0].__setitem__("access", "root"),
        lambda d: d["datasets"][0]["provenance"]["sources"][0].__setitem__("kind", "scraped"),
        lambda d: d["intended_use"].__setitem__("acceptable_use_policy", "javascript:alert(1)"),
        lambda d: d["model"].__setitem__("authenticity", {}),
        lambda d: d["training"]["compute"].__setitem__("pue", 0.5),
        lambda d: d["metrics"][0].__setitem__("category", "vibes"),
        lambda d: d["distribution"]["assets"][0].__setitem__("kind", "weights"),
        lambda d: d["distribution"]["assets"][0].pop("name"),
        lambda d: d["distribution"].__setitem__("no_additional_assets", "maybe"),
        lambda d: d["regulatory"].__setitem__("provider", {"address": "no legal name"}),
    ):
        bad = copy.deepcopy(data)
        mutate(bad)
        card, diagnostics = validate_data(bad)
        assert card is None and diagnostics
    data["intended_use"]["acceptable_use_policy"] = "none"
    assert _card(data).intended_use.acceptable_use_policy == "none"


# --------------------------------------------------------------------------
# the form rendered per audience


def _row(form: dict, number: str) -> dict:
    return next(r for s in form["sections"] for r in s["rows"] if r["number"] == number)


def _plain(value: typing.Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, (str, bool, int, types.NoneType))


def test_form_view_is_plain_data_in_the_forms_order():
    form = form_view(load_card(EXAMPLE))
    assert _plain(form)
    assert [s["title"] for s in form["sections"]] == ["Document information", *FORM_SECTIONS]
    assert (form["covered"], form["total"]) == (FORM_ITEMS, FORM_ITEMS)


@pytest.mark.parametrize("audience", [None, *AUDIENCES])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_item_for_the_audience_appears_in_the_rendered_form_and_no_other(audience, fmt):
    card = load_card(EXAMPLE)
    text = render(card, fmt, "eu-gpai-form", audience=audience).content
    assert isinstance(text, str)
    for item in EU_GPAI.items:
        if item.applies:
            continue
        meant = audience is None or audience in item.audiences
        heading = item.heading.replace("'", "&#39;") if fmt == "html" else item.heading
        shown = (f"### {heading}\n" in text) if fmt == "md" else (f'<span class="form-title">{heading}</span>' in text)
        assert shown == meant, (audience, item.heading)


def test_audience_filtering_examples():
    card = load_card(EXAMPLE)
    downstream = render_markdown(card, "eu-gpai-form", audience="downstream").content
    office = render_markdown(card, "eu-gpai-form", audience="ai-office").content
    national = render_markdown(card, "eu-gpai-form", audience="national-authority").content
    assert "2.6 Model size range" in downstream and "500M-5B parameters" in downstream
    assert "2.5 Total model size" not in downstream and "1,412,000,000" not in downstream
    assert "2.5 Total model size" in office and "1.41 × 10^9 (1,412,000,000) parameters" in office
    assert "2.6 Model size range" not in office
    assert "2.6 Model size range" in national and "2.5 Total model size" not in national
    assert "1.3 Model authenticity" in office and "1.3 Model authenticity" not in downstream
    # computation: two significant figures for the AI Office, the order of magnitude for national authorities
    assert "7.4 Amount of computation used for training: two significant figures" in office
    precise, coarse = "**Training compute:** 8.5 × 10^21 FLOP", "**Training compute:** between 10^21 and 10^22 FLOP"
    assert precise in office and coarse not in office
    assert coarse in national and precise not in national
    assert "**Training time:** less than 1 month" in national and "**Training time:**" not in office
    assert "**Hardware time:** 294 hardware-days" in office and "**Hardware time:**" not in national
    assert "Amount of computation" not in downstream and "Training time" not in downstream
    # the licence: the category for downstream providers, the link and the other assets for the authorities
    assert "3.3 License: type or category" in downstream and "3.4 License: additional assets" not in downstream
    assert "Lumen data filters (data-processing code)" in office and "Lumen data filters" not in downstream
    assert "Downstream providers (the items of the form meant for them)" in downstream


def test_additional_assets_or_none():
    data = _data(EXAMPLE)
    del data["distribution"]["assets"]
    item = next(i for i in assess(_card(data), "eu-gpai").items if i.id == "3.4")
    assert not item.covered and item.missing == ["distribution.assets or distribution[no_additional_assets=true]"]
    data["distribution"]["no_additional_assets"] = True
    assert assess(_card(data), "eu-gpai").score == 1.0
    row = _row(form_view(_card(data)), "3.4")
    assert row["filled"] and row["entries"][0]["text"].startswith("None: nothing is made available")


def test_empty_items_are_marked_with_what_is_missing():
    card = _card({"card": {"schema_version": "1.1"}, "model": {"name": "tiny", "version": "1"}})
    form = form_view(card, "downstream")
    rows = [r for s in form["sections"] for r in s["rows"]]
    assert form["covered"] == 0 and not any(r["filled"] for r in rows)
    md = render_markdown(card, "eu-gpai-form", audience="downstream").content
    assert md.count("⚠️ **Not documented.**") + md.count("⚠️ **Incomplete.**") == len(rows)
    assert "Missing in the card: `regulatory.provider.legal_name`" in md
    html = render_html(card, "eu-gpai-form", audience="downstream").content
    assert html.count('<tr class="empty"') + html.count('<tr class="partial"') == len(rows)


def test_audience_is_checked():
    card = load_card(EXAMPLE)
    with pytest.raises(UsageError, match="unknown audience 'public'"):
        render_markdown(card, "eu-gpai-form", audience="public")
    with pytest.raises(UsageError, match="applies only to the eu-gpai-form layout"):
        render_markdown(card, "card", audience="downstream")


def test_hostile_card_text_stays_inert_in_the_form():
    data = _data(EXAMPLE)
    data["model"]["design"] = "<script>alert(1)</script> [x](javascript:alert(2))"
    data["regulatory"]["provider"]["legal_name"] = "<img src=x onerror=alert(3)>"
    data["datasets"][0]["name"] = "<svg onload=alert(4)>"
    card = _card(data)
    html = render_html(card, "eu-gpai-form").content
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<svg onload" not in html and 'href="javascript:' not in html
    md = render_markdown(card, "eu-gpai-form").content
    assert "<script>" not in md and "<img src=x" not in md and "<svg" not in md
    from markdown_it import MarkdownIt

    links = [t for tok in MarkdownIt("commonmark").parse(md) for t in tok.children or [] if t.type == "link_open"]
    assert not any(str(t.attrGet("href")).startswith("javascript:") for t in links)


# --------------------------------------------------------------------------
# goldens: the frozen example for each audience (version and stylesheets masked, as the other goldens)


def _normalised(text: str, fmt: str) -> str:
    text = text.replace(f"modelcard {__version__}", "modelcard {VERSION}")
    if fmt == "html":
        text = _STYLE.sub("<style>\n/* modelcard.css, eu-gpai-form.css */\n</style>", text, count=1)
    return text


@pytest.mark.parametrize("audience", ["all", *AUDIENCES])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_golden_form(audience, fmt):
    card = load_card(FROZEN)
    out = render(card, fmt, "eu-gpai-form", audience=None if audience == "all" else audience)
    actual = _normalised(str(out.content), fmt)
    golden = GOLDEN / f"eu-gpai-form-{audience}.{fmt}"
    if UPDATE:
        golden.write_text(actual, encoding="utf-8", newline="")
    assert golden.exists(), f"{golden.name} is missing: run with MODELCARD_UPDATE_GOLDEN=1 to create it"
    assert actual == golden.read_text(encoding="utf-8"), f"{golden.name} differs: review, then regenerate"
