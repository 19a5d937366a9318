"""Hugging Face README import/export: lossless round trips on the real corpus, Hub-valid exports, typed metadata."""

from __future__ import annotations

import shutil

import pytest
from interop_helpers import CORPUS, EXAMPLE, hub_card, rel

from modelcard.card.validate import load_card
from modelcard.diagnostics import CardError
from modelcard.interop import export_result
from modelcard.interop import huggingface as hf
from modelcard.interop._common import Notes
from modelcard.interop.huggingface.sections import split_sections
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


def _hub_loads(text: str, tmp_path) -> bool:
    try:
        hub_card(text, tmp_path)
    except Exception:
        return False
    return True


def _card(data: dict) -> ModelCard:
    return ModelCard.model_validate({"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}, **data})


@pytest.mark.parametrize("path", READMES, ids=rel)
def test_readme_round_trip_is_lossless_and_loads_in_huggingface_hub(path, tmp_path):
    """import then export: the very same body; the same front-matter data when the Hub could read the source;
    always a README huggingface_hub loads with metadata errors not ignored; and the same card on import."""
    original = _decode(path.read_bytes())
    card = hf.import_readme(path).card()
    exported = hf.export_readme(card)
    hub_card(exported, tmp_path)  # raises on anything huggingface_hub refuses
    fm_in, body_in = _split(original)
    fm_out, body_out = _split(exported)
    assert body_out == body_in
    if _hub_loads(original, tmp_path):
        assert fm_out == fm_in or (fm_in is None and fm_out is None)
    else:  # the same data written so the Hub reads it (e.g. without TABs), or what the Hub refuses is
        # not written back as it was but carried in the embedded card
        assert fm_out == fm_in or (isinstance(fm_out, dict) and hf.EMBED_KEY in fm_out)
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
    fm, body = _split(readme.read_text(encoding="utf-8"))
    # the Hub's licence metadata: not an SPDX or Hub licence, so `other` with a name
    assert fm["license"] == "other" and fm["license_name"] == "proprietary"
    results = fm["model-index"][0]["results"][0]
    fpr = next(m for m in card.metrics if m.name == "fpr" and not m.slice)
    assert {"type": "fpr", "value": fpr.value} in results["metrics"]
    assert "## Limitations and bias" in body and "## Fairness" in body and "| fpr | race=African-American" in body
    hub = hub_card(readme.read_text(encoding="utf-8"), tmp_path)
    assert hub.data.eval_results and hub.data.license == "other"


def test_export_without_embedding_is_lean():
    card = load_card(EXAMPLE)
    notes = Notes("card.yaml")
    lean = hf.export_readme(card, embed=False, notes=notes)
    fm, _ = _split(lean)
    assert "modelcard" not in fm
    back = hf.import_text(lean, "README.md").card()
    assert back.model.name == card.model.name
    assert back.caveats_and_recommendations.caveats == card.caveats_and_recommendations.caveats
    assert back.intended_use.out_of_scope_uses == card.intended_use.out_of_scope_uses
    assert back.fairness is None  # not expressible without the embedded card ...
    assert any("does not carry" in w.message and "fairness" in w.message for w in notes.items)  # ... and said


def test_model_index_keeps_what_tells_results_apart():
    """Results that differ only in dataset name/args, or metrics only in their display name, stay distinct."""
    card = hf.import_readme(CORPUS / "hf-readme" / "Helsinki-NLP__opus-mt-tc-base-gmw-gmw.md").card()
    names = {d.name: d for d in card.datasets}
    assert "newstest2015-deen" in names and "newstest2015-ende" in names
    assert names["newstest2015-deen"].args == "deu-eng" and names["newstest2015-ende"].args == "eng-deu"
    deen = [m for m in card.metrics if m.dataset == names["newstest2015-deen"].id]
    ende = [m for m in card.metrics if m.dataset == names["newstest2015-ende"].id]
    assert [m.value for m in deen] == [28.6] and [m.value for m in ende] == [25.7]
    assert all(m.display_name == "BLEU" for m in card.metrics)

    moritz = hf.import_readme(CORPUS / "hf-readme" / "MoritzLaurer__DeBERTa-v3-base-mnli-fever-anli.md").card()
    assert moritz.model.license == "mit" and moritz.model.task == "zero-shot-classification"
    assert len(moritz.metrics) == 44
    precision = {m.display_name for m in moritz.metrics if m.name == "precision"}
    assert {"Precision Macro", "Precision Micro", "Precision Weighted"} <= precision
    m = moritz.metrics[0]
    assert isinstance(m.value, float) and m.dataset in {d.id for d in moritz.datasets}
    assert m.source is not None and m.source.verified is True  # verified by the Hub's evaluation service
    assert m.extensions["x-huggingface"]["verifyToken"].startswith("eyJ")
    assert {d.role for d in moritz.datasets} >= {"training", "evaluation"}


def test_model_index_dataset_config_split_revision_args():
    card = hf.import_readme(CORPUS / "hf-readme-fixtures" / "huggingface_hub__sample_simple_model_index.md").card()
    evals = [d for d in card.datasets if d.role == "evaluation"]
    assert len(evals) == 2  # same type and name, but one has a config, revision and args
    pinned = next(d for d in evals if d.config)
    assert (pinned.config, pinned.version, pinned.args) == (
        "default",
        "5503434ddd753f426f4b38109466949a1217c2bb",
        {"date": 20220120},
    )
    f1 = next(m for m in card.metrics if m.name == "f1")
    assert f1.dataset == pinned.id and f1.split == "test"
    assert card.model.library == "timm" and card.model.tags == ["pytorch", "image-classification"]


def test_sections_map_to_card_fields():
    card = hf.import_readme(CORPUS / "hf-readme" / "canonical__distilbert-base-uncased.md").card()
    assert card.caveats_and_recommendations.caveats[0].startswith("Even if the training data")
    assert "@article{Sanh2019DistilBERTAD" in card.model.citation  # section text kept whole (a badge follows)
    assert card.model.description.startswith("DistilBERT is a transformers model")
    assert card.intended_use.primary_uses
    assert card.model.languages == ["en"] and card.model.license == "apache-2.0"
    ds = {d.name: d for d in card.datasets}
    assert set(ds) == {"bookcorpus", "wikipedia"} and ds["wikipedia"].role == "training"


def test_trainer_sections_become_typed_fields():
    """A `generated_from_trainer` card: hyperparameters and framework versions are typed, losslessly."""
    card = hf.import_readme(CORPUS / "hf-readme" / "Intel__roberta-base-mrpc.md").card()
    hp = card.training.hyperparameters
    assert hp["learning_rate"] == 2e-05 and hp["train_batch_size"] == 16 and hp["num_epochs"] == 5.0
    assert hp["optimizer"] == "Adam with betas=(0.9,0.999) and epsilon=1e-08"
    assert [(f.name, f.version) for f in card.model.frameworks] == [
        ("Transformers", "4.18.0"),
        ("Pytorch", "1.10.0+cu102"),
        ("Datasets", "2.1.0"),
        ("Tokenizers", "0.11.6"),
    ]
    snippet = hf.import_readme(CORPUS / "hf-readme" / "google__bert2bert_L-24_wmt_de_en.md").card().usage.code[0]
    assert snippet.language == "python" and snippet.code.startswith("from transformers import")
    assert snippet.description == "You can use this model for translation, *e.g.*"


def test_unknown_keys_and_sections_are_kept():
    result = hf.import_readme(CORPUS / "hf-readme" / "nvidia__stt_en_conformer_ctc_large.md")
    ext = result.data["x-huggingface"]
    assert result.card().model.library == "nemo"  # typed now
    assert "thumbnail" in ext["front_matter_extra"] and ext["front_matter_extra"]["thumbnail"] is None
    assert any(s.get("text") for s in ext["sections"])  # unmatched sections verbatim


def test_edits_to_mapped_fields_are_exported():
    card = hf.import_readme(CORPUS / "hf-readme" / "facebook__rag-token-nq.md").card()
    data = card.model_dump(mode="json", exclude_none=True)
    data["model"]["license"] = "MIT"
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
    assert fm["license"] == "mit"  # the Hub's id for the SPDX licence
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


# --------------------------------------------------------------------------
# sections: markdown-it's block structure, exact text


@pytest.mark.parametrize(
    "body, titles",
    [
        ("pre\n\n# A\n\ntext\n\n```\n# not a heading\n```\n\n## B ##\n", ["A", "B"]),
        ("Setext\n======\n\nbody\n\nTwo\n---\n", ["Setext", "Two"]),
        ("> # quoted\n\n- # in a list\n\n    # indented code\n\n# Real\n", ["Real"]),
        ("# A\r\rlone CR\r# B\r\n", ["A", "B"]),
        ("~~~\n# fenced\n~~~\n", []),
        ("", []),
    ],
)
def test_sections_are_found_by_markdown_it_and_keep_every_byte(body, titles):
    preamble, sections = split_sections(body)
    assert [s.title for s in sections] == titles
    assert preamble + "".join(s.heading + s.content for s in sections) == body


# --------------------------------------------------------------------------
# export of cards that did not come from the Hub


def test_typed_metadata_is_written_for_the_hub(tmp_path):
    card = _card(
        {
            "model": {
                "name": "m",
                "version": "1",
                "license": "Apache 2.0",
                "task": "text-classification",
                "library": "transformers",
                "tags": ["nlp", "fairness"],
                "languages": ["en", "fr"],
                "base_models": [{"name": "google-bert/bert-base-uncased", "relation": "finetune"}],
                "parameters": 110_000_000,
                "frameworks": [{"name": "Transformers", "version": "4.41.2"}],
            },
            "datasets": [
                {"id": "imdb", "name": "imdb", "role": "training", "url": "https://huggingface.co/datasets/imdb"},
            ],
            "training": {
                "procedure": "Fine-tuned for 3 epochs.",
                "hyperparameters": {"learning_rate": 2e-05, "epochs": 3, "fp16": True},
            },
            "usage": {"code": [{"language": "python", "code": "print('hi')", "description": "Run it:"}]},
        }
    )
    text, _warnings = export_result(card, "huggingface", embed=False)
    fm, body = _split(text)
    assert fm["license"] == "apache-2.0"
    assert fm["pipeline_tag"] == "text-classification" and fm["library_name"] == "transformers"
    assert fm["tags"] == ["nlp", "fairness"] and fm["language"] == ["en", "fr"] and fm["datasets"] == ["imdb"]
    assert fm["base_model"] == ["google-bert/bert-base-uncased"] and fm["base_model_relation"] == "finetune"
    assert "```python\nprint('hi')\n```" in body and "- learning_rate: 2e-05" in body
    hub = hub_card(text, tmp_path)
    assert hub.data.base_model == ["google-bert/bert-base-uncased"] and hub.data.pipeline_tag == "text-classification"
    # and reading it back gives the typed fields, from the sections alone (nothing embedded)
    back = hf.import_text(text, "README.md").card()
    assert back.training.hyperparameters == {"learning_rate": 2e-05, "epochs": 3, "fp16": True}
    assert back.usage.code[0].code == "print('hi')" and back.model.frameworks[0].version == "4.41.2"
    assert back.model.base_models[0].relation == "finetune" and back.model.license == "apache-2.0"


@pytest.mark.parametrize(
    "license_, expected",
    [
        ("Apache-2.0", {"license": "apache-2.0"}),
        ("apache-2.0", {"license": "apache-2.0"}),
        ("Apache 2.0", {"license": "apache-2.0"}),
        ("CC-BY-4.0", {"license": "cc-by-4.0"}),
        ("GPL-3.0-or-later", {"license": "gpl-3.0"}),
        ("llama2", {"license": "llama2"}),
        ("MIT OR Apache-2.0", {"license": "other", "license_name": "mit-or-apache-2.0"}),
        (
            "EUPL-1.2",
            {"license": "other", "license_name": "eupl-1.2", "license_link": "https://spdx.org/licenses/EUPL-1.2.html"},
        ),
        ("LicenseRef-Proprietary", {"license": "other", "license_name": "proprietary"}),
    ],
)
def test_licences_become_the_hubs_ids(license_, expected, tmp_path):
    card = _card({"model": {"name": "m", "version": "1", "license": license_}})
    text, warnings = export_result(card, "huggingface", embed=False)
    fm, _ = _split(text)
    assert {k: fm[k] for k in ("license", "license_name", "license_link") if k in fm} == expected
    assert hub_card(text, tmp_path).data.license == expected["license"]
    licence_warnings = [w for w in warnings if "license_link" in w.message]
    assert bool(licence_warnings) == ("license_link" not in expected and expected["license"] == "other")


def test_licence_link_comes_from_the_card():
    card = _card(
        {
            "model": {
                "name": "m",
                "version": "1",
                "license": "LicenseRef-Acme",
                "license_url": "https://acme.test/licence",
            }
        }
    )
    fm, _ = _split(export_result(card, "huggingface")[0])
    assert fm["license_link"] == "https://acme.test/licence" and fm["license_name"] == "acme"
    back = hf.import_text(hf.export_readme(card, embed=False), "README.md").card()
    assert back.model.license == "LicenseRef-acme" and back.model.license_url == "https://acme.test/licence"


def test_metrics_without_a_dataset(tmp_path):
    """With exactly one evaluation dataset, metrics without one are placed on it; otherwise they are left
    out of model-index with a warning naming them (they stay in the body's table)."""
    one = _card(
        {
            "datasets": [{"id": "test", "name": "Test set", "role": "test"}],
            "metrics": [{"name": "accuracy", "value": 0.9}, {"name": "f1", "value": 0.8, "slice": {"sex": "F"}}],
        }
    )
    text, warnings = export_result(one, "huggingface")
    fm, _ = _split(text)
    (result,) = fm["model-index"][0]["results"]
    assert result["dataset"]["name"] == "Test set" and len(result["metrics"]) == 2
    assert not [w for w in warnings if "no dataset" in w.message]
    assert len(hub_card(text, tmp_path).data.eval_results) == 2

    two = _card(
        {
            "datasets": [{"id": "a", "name": "A", "role": "test"}, {"id": "b", "name": "B", "role": "evaluation"}],
            "metrics": [{"name": "accuracy", "value": 0.9}, {"name": "f1", "value": 0.8, "dataset": "b"}],
        }
    )
    text, warnings = export_result(two, "huggingface")
    fm, body = _split(text)
    assert [m["type"] for r in fm["model-index"][0]["results"] for m in r["metrics"]] == ["f1"]
    (w,) = [w for w in warnings if "name no dataset" in w.message]
    assert "metrics[0] (accuracy)" in w.message
    assert "| accuracy | overall |" in body
    hub_card(text, tmp_path)


def test_result_sources_round_trip(tmp_path):
    card = _card(
        {
            "datasets": [
                {"id": "mmlu", "name": "MMLU", "role": "evaluation", "url": "https://huggingface.co/datasets/cais/mmlu"}
            ],
            "metrics": [
                {
                    "name": "accuracy",
                    "value": 0.61,
                    "dataset": "mmlu",
                    "split": "test",
                    "display_name": "MMLU (5-shot)",
                    "args": {"num_few_shot": 5},
                    "source": {
                        "name": "Open LLM Leaderboard",
                        "url": "https://huggingface.co/spaces/x/y",
                        "verified": False,
                    },
                }
            ],
        }
    )
    text = hf.export_readme(card, embed=False)
    (er,) = hub_card(text, tmp_path).data.eval_results
    assert (er.source_name, er.source_url, er.verified, er.metric_name, er.metric_args) == (
        "Open LLM Leaderboard",
        "https://huggingface.co/spaces/x/y",
        False,
        "MMLU (5-shot)",
        {"num_few_shot": 5},
    )
    assert (er.dataset_type, er.dataset_split) == ("cais/mmlu", "test")
    (m,) = hf.import_text(text, "README.md").card().metrics
    assert m.source.model_dump(exclude_none=True) == card.metrics[0].source.model_dump(exclude_none=True)
    assert m.args == {"num_few_shot": 5} and m.display_name == "MMLU (5-shot)"


def test_a_source_without_url_is_not_written_for_the_hub(tmp_path):
    card = _card(
        {
            "datasets": [{"id": "t", "name": "T", "role": "test"}],
            "metrics": [{"name": "accuracy", "value": 0.5, "dataset": "t", "source": {"name": "us"}}],
        }
    )
    text, _warnings = export_result(card, "huggingface")
    hub_card(text, tmp_path)
    assert hf.import_text(text, "README.md").card().metrics[0].source.name == "us"  # via the embedded card


def test_interval_without_a_stated_level_has_none():
    card = _card({"metrics": [{"name": "accuracy", "value": 0.5, "confidence_interval": {"lower": 0.4, "upper": 0.6}}]})
    assert card.metrics[0].confidence_interval.level is None
    _, body = _split(hf.export_readme(card))
    assert "[0.4, 0.6] (level not stated)" in body
    card = _card(
        {
            "test_methodology": {"confidence_intervals": {"method": "wilson", "level": 0.9}},
            "metrics": [{"name": "accuracy", "value": 0.5, "confidence_interval": {"lower": 0.4, "upper": 0.6}}],
        }
    )
    _, body = _split(hf.export_readme(card))
    assert "[0.4, 0.6] (90%)" in body


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("card.json", '{"model_details": {"name": "m"}}', "this is JSON"),
        ("card.yaml", "# comment\ncard: {schema_version: '1.1'}\nmodel: {name: m, version: '1'}\n", "YAML data"),
        ("table.csv", "race,accuracy\nA,0.5\n", "not a Hugging Face README"),
        ("empty.md", "", "empty"),
    ],
)
def test_a_file_that_is_not_a_readme_is_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CardError) as exc:
        hf.IMPORTER.import_(path)
    (d,) = exc.value.diagnostics
    assert message in d.message and d.file == str(path) and d.code == "not-huggingface"


def test_a_plain_text_readme_still_imports(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("A model that does things.\n", encoding="utf-8")
    assert hf.IMPORTER.import_(path).card().model.description is None
