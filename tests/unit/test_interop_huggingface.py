"""Hugging Face README import/export: lossless round trips on the real corpus."""

from __future__ import annotations

import shutil

import pytest
from interop_helpers import CORPUS, EXAMPLE, rel

from modelcard.card.validate import load_card
from modelcard.interop import huggingface as hf
from modelcard.interop._common import Notes
from modelcard.schema.models import ModelCard

READMES = sorted([*CORPUS.glob("hf-readme*/*.md"), *CORPUS.glob("google-model-cards/*.md")])


def _decode(raw: bytes) -> str:
    return raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else raw.decode("utf-8-sig")


def _split(text: str):
    """(front-matter data or raw text, body) the way a reader of the README sees them."""
    if "\r\n" in text and text.count("\r\n") == text.count("\n"):
        text = text.replace("\r\n", "\n")
    fm_text, line, body = hf.split_front_matter(text, Notes("t"))
    if fm_text is None:
        return None, body
    try:
        return hf.parse_yaml(fm_text, line, "t")[0] or {}, body
    except Exception:  # invalid YAML: compare the text itself
        return ("raw", fm_text), body


@pytest.mark.parametrize("path", READMES, ids=rel)
def test_readme_round_trip_is_lossless(path, tmp_path):
    """import then export: same front-matter data (parsed YAML equal) and the very same body text."""
    original = _decode(path.read_bytes())
    card = hf.import_readme(path).card()
    exported = hf.export_readme(card)
    fm_in, body_in = _split(original)
    fm_out, body_out = _split(exported)
    assert fm_out == fm_in or (fm_in is None and fm_out is None)
    assert body_out == body_in
    # CRLF files stay CRLF
    assert ("\r\n" in exported) == ("\r\n" in original and original.count("\r\n") == original.count("\n"))
    # and importing the export (same file name) gives the same card back
    again = tmp_path / path.name
    again.write_text(exported, encoding="utf-8", newline="")
    assert hf.import_readme(again).card().model_dump() == card.model_dump()


def test_example_card_round_trip(tmp_path):
    """export a native card then import it: the same card data."""
    card = load_card(EXAMPLE)
    readme = tmp_path / "README.md"
    readme.write_text(hf.export_readme(card), encoding="utf-8")
    back = hf.import_readme(readme)
    assert not back.warnings
    assert back.card().model_dump(mode="json") == card.model_dump(mode="json")
    # the README itself carries the Hub metadata and the prose sections
    fm, body = _split(readme.read_text(encoding="utf-8"))
    assert fm["license"] == "LicenseRef-Proprietary"
    results = fm["model-index"][0]["results"][0]
    assert {"type": "fpr", "value": 0.3027} in results["metrics"]
    assert "## Limitations and bias" in body and "## Fairness" in body and "| fpr | race=African-American" in body


def test_export_without_embedding_is_lean(tmp_path):
    card = load_card(EXAMPLE)
    lean = hf.export_readme(card, embed=False)
    fm, _ = _split(lean)
    assert "modelcard" not in fm
    back = hf.import_text(lean, "README.md").card()
    assert back.model.name == card.model.name
    assert back.caveats_and_recommendations.caveats == card.caveats_and_recommendations.caveats
    assert back.intended_use.out_of_scope_uses == card.intended_use.out_of_scope_uses
    assert back.fairness is None  # not expressible without the embedded card


def test_model_index_mapping_keeps_verification_data():
    result = hf.import_readme(CORPUS / "hf-readme" / "MoritzLaurer__DeBERTa-v3-base-mnli-fever-anli.md")
    card = result.card()
    assert card.model.license == "mit" and card.model.type == "zero-shot-classification"
    assert len(card.metrics) == 44
    m = card.metrics[0]
    assert isinstance(m.value, float) and m.dataset in {d.id for d in card.datasets}
    hf_ext = m.extensions["x-huggingface"]
    assert hf_ext["verified"] is True and hf_ext["verifyToken"].startswith("eyJ")
    assert {d.role for d in card.datasets} >= {"training", "evaluation"}


def test_sections_map_to_card_fields():
    card = hf.import_readme(CORPUS / "hf-readme" / "canonical__distilbert-base-uncased.md").card()
    assert card.caveats_and_recommendations.caveats[0].startswith("Even if the training data")
    assert "@article{Sanh2019DistilBERTAD" in card.model.citation  # section text kept whole (a badge follows)
    assert card.model.description.startswith("DistilBERT is a transformers model")
    assert card.intended_use.primary_uses
    assert card.model.languages == ["en"] and card.model.license == "apache-2.0"
    ds = {d.name: d for d in card.datasets}
    assert set(ds) == {"bookcorpus", "wikipedia"} and ds["wikipedia"].role == "training"


def test_unknown_keys_and_sections_are_kept():
    result = hf.import_readme(CORPUS / "hf-readme" / "nvidia__stt_en_conformer_ctc_large.md")
    ext = result.data["x-huggingface"]
    assert ext["front_matter_extra"]["library_name"] == "nemo"
    assert "thumbnail" in ext["front_matter_extra"] and ext["front_matter_extra"]["thumbnail"] is None
    assert any(s.get("text") for s in ext["sections"])  # unmatched sections verbatim


def test_edits_to_mapped_fields_are_exported(tmp_path):
    card = hf.import_readme(CORPUS / "hf-readme" / "facebook__rag-token-nq.md").card()
    data = card.model_dump(mode="json", exclude_none=True)
    data["model"]["license"] = "mit"
    data["metrics"] = [{"name": "exact_match", "value": 44.5, "dataset": "nq", "split": "test"}]
    data["datasets"].append(
        {
            "id": "nq",
            "name": "Natural Questions",
            "role": "evaluation",
            "url": "https://huggingface.co/datasets/natural_questions",
        }
    )
    out = hf.export_readme(ModelCard.model_validate(data))
    fm, _ = _split(out)
    assert fm["license"] == "mit"
    result = fm["model-index"][0]["results"][0]
    assert result["dataset"] == {"type": "natural_questions", "name": "Natural Questions", "split": "test"}
    assert result["metrics"] == [{"type": "exact_match", "value": 44.5}]


def test_readme_in_a_folder_named_after_the_model(tmp_path):
    folder = tmp_path / "my-model"
    folder.mkdir()
    shutil.copy(CORPUS / "hf-readme-fixtures" / "huggingface_hub__sample_no_metadata.md", folder / "README.md")
    card = hf.import_readme(folder / "README.md").card()
    assert card.model.name == "MyCoolModel"  # the first H1
    assert card.model.version == "unversioned"
    card = hf.import_readme(folder / "README.md", name="org/my-model").card()
    assert card.model.name == "org/my-model"


def test_citation_fence_and_bullets_are_unwrapped():
    text = (
        "---\nlicense: mit\n---\n# m\n\nA model.\n\n## Limitations\n\n- slow\n- big\n  and heavy\n\n"
        "## Citation\n\n```bibtex\n@misc{m, title={M}}\n```\n"
    )
    card = hf.import_text(text, "org__m.md", filename="org__m.md").card()
    assert card.model.citation == "@misc{m, title={M}}"
    assert card.caveats_and_recommendations.caveats == ["slow", "big\nand heavy"]
    assert card.model.description == "A model."
    assert hf.export_readme(card) == text
