"""Completeness of a card against a documentation standard.

A *profile* lists the items a standard asks for — the ABOUT ML
documentation questions, the nine sections of Mitchell et al.'s model
cards, the seven sections of Gebru et al.'s datasheets, the Model
Documentation Form of general-purpose AI models (EU AI Act Art. 53, Annexes XI
and XII) or the technical documentation of high-risk AI systems (Annex IV) —
and maps each item to the card fields that answer it.  ``assess`` says which
items a card covers::

    from modelcard import load_card
    from modelcard.analysis.completeness import assess

    result = assess(load_card("card.yaml"), "modelcards")
    print(f"{result.score:.0%}")                 # 78%
    for item in result.items:
        print("✓" if item.covered else "✗", item.title, item.fields or item.missing)

An item is covered when every one of its *requirements* is met, and a
requirement is met when at least one of its alternative field paths holds a
real answer (not empty, not a ``TODO`` placeholder).  Paths use ``[]`` for
"some element of the list", ``[*]`` for "every element" and
``[attr=a|b]`` to select elements, e.g. ``datasets[role=training].provenance``;
on a single section a selector is a condition (``training[from_scratch=true]``),
and ``a&b`` in one alternative needs both paths.  An item with ``applies`` set
counts only when that path resolves (Annex XI, Section 2 applies to models with
systemic risk).

Some items have no field in the card schema (a datasheet's *Uses* section).
Those are listed with
``coverable = False`` and a note saying so: they count against the score,
because the standard asks for them, and the card cannot claim them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from modelcard.schema.models import ModelCard
from modelcard.schema.walk import is_filled as is_filled  # "a real answer": the schema walker's rule

# --------------------------------------------------------------------------
# results


#: a score this close below the minimum meets it (``covered / total`` is a float)
SCORE_TOLERANCE = 1e-12


@dataclass
class Item:
    """One item of a standard and whether the card covers it."""

    id: str
    title: str
    covered: bool
    fields: list[str] = field(default_factory=list)  # card paths that satisfy it (or part of it)
    question: str = ""  # what the standard asks
    missing: list[str] = field(default_factory=list)  # unmet requirements, as "a or b"
    coverable: bool = True  # False: no card field can answer it
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "covered": self.covered,
            "fields": list(self.fields),
            "question": self.question,
            "missing": list(self.missing),
            "coverable": self.coverable,
            "note": self.note,
        }


@dataclass
class Completeness:
    """How much of a standard a card covers."""

    profile: str
    title: str
    items: list[Item]
    reference: str = ""

    @property
    def covered(self) -> int:
        return sum(1 for i in self.items if i.covered)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def score(self) -> float:
        return self.covered / self.total if self.total else 1.0

    @property
    def coverable(self) -> int:
        """Items the schema can express at all (the best score a card can reach is coverable/total)."""
        return sum(1 for i in self.items if i.coverable)

    def below(self, min_score: float | None) -> bool:
        """Whether the score falls short of ``min_score`` (None: no minimum asked).

        Scores within :data:`SCORE_TOLERANCE` of the minimum meet it (``covered / total`` is a float).
        """
        return min_score is not None and self.score + SCORE_TOLERANCE < min_score

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "title": self.title,
            "reference": self.reference,
            "score": round(self.score, 4),
            "covered": self.covered,
            "total": self.total,
            "coverable": self.coverable,
            "items": [i.to_dict() for i in self.items],
        }


# --------------------------------------------------------------------------
# profiles


@dataclass(frozen=True)
class ItemSpec:
    id: str
    title: str
    question: str
    requires: tuple[tuple[str, ...], ...] = ()  # all of (any of paths; "a&b": a and b together)
    note: str = ""
    # what forms and annexes say of their items (the EU profiles below):
    number: str = ""  # the item's number in its standard, e.g. "1.3", "2(e)"; the title is shown after it
    section: str = ""  # the heading of the section it belongs to
    audiences: tuple[str, ...] = ()  # whom the item is for: keys of AUDIENCES
    basis: str = ""  # the provisions it implements, e.g. "Annex XI 1.1(c); Annex XII 1(c)"
    shows: tuple[str, ...] = ()  # card paths a rendering of the item displays (default: the required ones)
    applies: str = ""  # a path: the item applies only when it resolves (e.g. systemic-risk items)
    display: str = ""  # a derived display the form view computes (see modelcard.render.gpai_form)
    title_from: str = ""  # form items: where the title was read, a key of FORM_SOURCES
    marking_from: str = ""  # form items: where the audience marking was read, a key of FORM_SOURCES

    @property
    def coverable(self) -> bool:
        return bool(self.requires)

    @property
    def heading(self) -> str:
        """Number and title, as the standard writes them: "1.3 Model authenticity"."""
        return f"{self.number} {self.title}" if self.number else self.title

    def shown_paths(self) -> tuple[str, ...]:
        """The card paths a rendering of the item displays."""
        if self.shows:
            return self.shows
        return tuple(dict.fromkeys(p for alternatives in self.requires for a in alternatives for p in a.split("&")))


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    reference: str
    items: tuple[ItemSpec, ...]


def _i(id: str, title: str, question: str, *requires: str | tuple[str, ...], note: str = "") -> ItemSpec:
    reqs = tuple((r,) if isinstance(r, str) else tuple(r) for r in requires)
    return ItemSpec(id, title, question, reqs, note)


_EVAL_DATA = ("test_methodology.datasets", "datasets[role=evaluation|test|validation]")
_TRAIN_DATA = "datasets[role=training|fine-tuning]"

ABOUTML = Profile(
    "aboutml",
    "ABOUT ML documentation questions",
    "Partnership on AI, ABOUT ML Reference Document (2021): documentation questions for data and models",
    (
        _i(
            "data-motivation",
            "Data: motivation",
            "For what purpose was the dataset created, by whom, and who funded it?",
            "datasets[*].provenance.motivation",
        ),
        _i("data-sources", "Data: sources", "Where does the data come from?", "datasets[*].provenance.sources"),
        _i(
            "data-collection",
            "Data: collection process",
            "How, when and by whom was the data collected?",
            "datasets[*].provenance.collection",
        ),
        _i(
            "data-consent",
            "Data: consent",
            "Did the people in the data consent to its collection and use?",
            "datasets[*].provenance.consent",
        ),
        _i(
            "data-processing",
            "Data: processing",
            "Which cleaning, filtering or transformation steps were applied?",
            "datasets[*].provenance.preprocessing",
        ),
        _i(
            "data-judgement",
            "Data: labels and sources of judgement",
            "How were labels produced, and by whom?",
            "datasets[*].provenance.labelling",
        ),
        _i(
            "data-composition",
            "Data: composition",
            "What do the instances represent, how many are there, what is missing?",
            "datasets[*].provenance.composition",
        ),
        _i(
            "data-sensitive",
            "Data: personal and sensitive data",
            "Does the data contain personal or sensitive information, and how is it protected?",
            "datasets[*].provenance.sensitive_data",
        ),
        _i(
            "data-biases",
            "Data: known biases and gaps",
            "Which biases or gaps in coverage are known?",
            "datasets[*].provenance.known_biases",
        ),
        _i(
            "data-distribution",
            "Data: licensing and distribution",
            "Under which terms can the data be used and obtained?",
            ("datasets[*].provenance.licensing", "datasets[*].url"),
        ),
        _i(
            "data-maintenance",
            "Data: maintenance",
            "Who maintains the data, and will it be updated?",
            "datasets[*].provenance.maintenance",
        ),
        _i(
            "model-specification",
            "Model: specification",
            "What is the model, who built it, which version, under which licence?",
            "model.description",
            ("model.type", "model.architecture"),
            ("model.developers", "model.contact"),
            "model.license",
        ),
        _i(
            "model-training",
            "Model: training data",
            "Which data was the model trained on?",
            (_TRAIN_DATA, "model.base_model"),
        ),
        _i(
            "model-evaluation",
            "Model: evaluation",
            "How was the model tested, on which data, with which metrics and uncertainty?",
            _EVAL_DATA,
            "test_methodology.protocol",
            "test_methodology.metric_definitions",
            "metrics",
        ),
        _i(
            "model-disaggregated",
            "Model: disaggregated evaluation",
            "How does the model perform for different groups, including intersectional groups?",
            "fairness.results",
        ),
        _i(
            "model-intended-use",
            "Model: intended use and integration",
            "What is the model for, for whom, and what must it not be used for?",
            "intended_use.primary_uses",
            "intended_use.out_of_scope_uses",
        ),
        _i(
            "model-risks",
            "Model: risks and limitations",
            "Which risks, harms and limitations are known, and how are they mitigated?",
            "ethical_considerations.risks",
            "caveats_and_recommendations.caveats",
        ),
        _i(
            "model-maintenance",
            "Model: maintenance and contact",
            "Who maintains the model, and where are problems reported?",
            ("model.contact", "model.developers"),
        ),
    ),
)

MODELCARDS = Profile(
    "modelcards",
    "Model Cards for Model Reporting",
    "Mitchell et al. (2019), Model Cards for Model Reporting, FAT* '19: the nine card sections",
    (
        _i(
            "model-details",
            "Model details",
            "Who developed the model, when, which version and type; licence; where to send questions?",
            "model.description",
            ("model.type", "model.architecture"),
            ("model.developers", "model.contact"),
            ("model.date", "card.date"),
            "model.license",
        ),
        _i(
            "intended-use",
            "Intended use",
            "Primary intended uses and users; out-of-scope use cases.",
            "intended_use.primary_uses",
            "intended_use.primary_users",
            "intended_use.out_of_scope_uses",
        ),
        _i(
            "factors",
            "Factors",
            "Relevant factors (groups, instrumentation, environments) and evaluation factors.",
            "factors.relevant",
            ("factors.evaluation", "fairness.sensitive_attributes"),
        ),
        _i(
            "metrics",
            "Metrics",
            "Performance measures, decision thresholds and variation approaches.",
            "test_methodology.metric_definitions",
            ("test_methodology.confidence_intervals", "metrics[].confidence_interval"),
        ),
        _i(
            "evaluation-data",
            "Evaluation data",
            "Datasets used for evaluation, why they were chosen, how they were preprocessed.",
            _EVAL_DATA,
        ),
        _i(
            "training-data",
            "Training data",
            "Training data, or its distribution over factors where it cannot be shared.",
            _TRAIN_DATA,
        ),
        _i(
            "quantitative-analyses",
            "Quantitative analyses",
            "Unitary and intersectional results.",
            ("metrics", "fairness.results"),
            "fairness.results[intersectional=true]",
        ),
        _i(
            "ethical-considerations",
            "Ethical considerations",
            "Sensitive data, human life, mitigations, risks and harms, fraught use cases.",
            (
                "ethical_considerations.risks",
                "ethical_considerations.human_life",
                "ethical_considerations.sensitive_data_use",
            ),
        ),
        _i(
            "caveats-recommendations",
            "Caveats and recommendations",
            "Concerns not covered elsewhere; recommendations to users.",
            ("caveats_and_recommendations.caveats", "caveats_and_recommendations.recommendations"),
        ),
    ),
)

DATASHEETS = Profile(
    "datasheets",
    "Datasheets for Datasets",
    "Gebru et al. (2021), Datasheets for Datasets, CACM 64(12): the seven datasheet sections, "
    "asked of every dataset in the card",
    (
        _i(
            "motivation",
            "Motivation",
            "For what purpose was the dataset created? Who created and funded it?",
            "datasets[*].provenance.motivation",
        ),
        _i(
            "composition",
            "Composition",
            "What do the instances represent, how many are there, is anything missing or sensitive?",
            "datasets[*].provenance.composition",
        ),
        _i(
            "collection",
            "Collection process",
            "How, over what timeframe and by whom was the data collected; was consent obtained?",
            ("datasets[*].provenance.collection", "datasets[*].provenance.sources"),
            "datasets[*].provenance.consent",
        ),
        _i(
            "preprocessing",
            "Preprocessing / cleaning / labelling",
            "Was any preprocessing, cleaning or labelling done?",
            ("datasets[*].provenance.preprocessing", "datasets[*].provenance.labelling"),
        ),
        _i(
            "uses",
            "Uses",
            "What has the dataset been used for; which uses should be avoided?",
            note="schema 1.0 has no field for a dataset's other or prohibited uses "
            "(intended_use describes the model); document them elsewhere and link them",
        ),
        _i(
            "distribution",
            "Distribution",
            "How is the dataset distributed, under which licence or terms?",
            ("datasets[*].provenance.licensing", "datasets[*].url"),
        ),
        _i(
            "maintenance",
            "Maintenance",
            "Who maintains the dataset; will it be updated; how long is data retained?",
            "datasets[*].provenance.maintenance",
        ),
    ),
)

# --------------------------------------------------------------------------
# EU AI Act (issue 16).  THE mapping of the GPAI Model Documentation Form, Annex XI/XII and Annex IV to
# card fields.  `check`, the form view (modelcard.render.gpai_form), the tests and docs/eu-ai-act.md read
# these specs; nothing else restates them.
#
# Which version of the form, and where it was read (docs/eu-ai-act.md has the item-by-item table):
# * The form followed: General-Purpose AI Code of Practice, Transparency Chapter, Model Documentation Form,
#   final version published 10 July 2025 (Measure 1.1).  Its official PDF could not be reached; its text
#   was read in these transcriptions ("final" in `title_from` / `marking_from`):
#   [F1] dastra.eu, audit template "Model Documentation Form (GPAI Code of Practice - Transparency
#        Chapter)", https://www.dastra.eu/en/audit/referential/2cd870a2-3944-4f4b-a7dc-937936de9cd5 : the
#        headings of sections 1-4 and the titles and instructions of their items;
#   [F2] a research note that read the final form's PDF from the mirror
#        https://lawgitech.eu/wp-content/uploads/2025/08/template.pdf : the rows of computational resources
#        and energy, with their AIO / NCAs / DPs crosses (training time and computation each have a row
#        for national competent authorities and one for the AI Office);
#   [F3] a structured transcription with AIO / NCAs / DPs flags, Hugging Face dataset
#        AdrianGonzalezSanchez/GPAI (read through mirrors): general information, architecture, acceptable
#        use policy, data type/modality, training time;
#   [F4] a Word template keyed on the final form (an unattributed public placeholder list): the items in
#        order, the licence's three rows, the size ranges (1-500M ... >1T), the data provenance categories.
# * The third draft of the form (11 March 2025), published by the Code's chairs at code-of-practice.ai
#   (github.com/dbltnk/code-of-practice.ai @ 98495cb, model-documentation-form-1..4.png): every item's
#   title, instruction and crosses read verbatim ("third-draft").  Used for an item the final form keeps
#   (F1, F4) where the final's title or crosses could not be read.
# * "ours": read in neither; chosen from the AI Act provision the item implements (`basis`).
# * Regulation (EU) 2024/1689 (OJ L, 12.7.2024): point numbers of Annex XI Sections 1-2, Annex XII and
#   Annex IV checked against the text (aiact.annotated.nl, artificialintelligenceact.eu/annex/11,
#   ai-act-law.eu/annex/12).
# Numbering: the form numbers neither its sections nor its items (third draft; F1's numbers are the
# transcriber's).  "s.i" below is OUR locator: section s, item i in the form's order.  Where the form has
# several rows under one label (License; Training time; Amount of computation), each row is an item titled
# "Label: what the row holds"; the part after the colon is ours.  Titles are the form's; `question`
# paraphrases its instruction (docs/eu-ai-act.md says which titles differ between the two versions).

#: the form's three audiences (its columns AIO, NCAs, DPs): key (``render --audience``) -> their name
AUDIENCES: dict[str, str] = {
    "ai-office": "AI Office",
    "national-authority": "National competent authorities",
    "downstream": "Downstream providers",
}
#: where an item's title or audience marking was read (``ItemSpec.title_from`` / ``marking_from``)
FORM_SOURCES: dict[str, str] = {
    "final": "a transcription of the final form (10 July 2025)",
    "third-draft": "the third draft of the form (11 March 2025), read verbatim",
    "ours": "neither version: chosen from the AI Act provision the item implements",
}
_ALL = ("ai-office", "national-authority", "downstream")
_AUTHORITIES = ("ai-office", "national-authority")
_AIO = ("ai-office",)
_NCAS = ("national-authority",)
_NCAS_DPS = ("national-authority", "downstream")
_DOWNSTREAM = ("downstream",)

_TRAIN_PROV = "datasets[role=training|fine-tuning].provenance"


def _f(
    number: str,
    section: str,
    title: str,
    question: str,
    audiences: tuple[str, ...],
    basis: str,
    *requires: str | tuple[str, ...],
    shows: tuple[str, ...] = (),
    display: str = "",
    applies: str = "",
    note: str = "",
    id: str = "",
    src: tuple[str, str] = ("", ""),
) -> ItemSpec:
    """An item of a form or an annex: its number, section, wording, audiences, legal basis and fields;
    ``src``: where a form item's title and audience marking were read (keys of FORM_SOURCES)."""
    reqs = tuple((r,) if isinstance(r, str) else tuple(r) for r in requires)
    return ItemSpec(
        id=id or number,
        title=title,
        question=question,
        requires=reqs,
        note=note,
        number=number,
        section=section,
        audiences=audiences,
        basis=basis,
        shows=shows,
        applies=applies,
        display=display,
        title_from=src[0],
        marking_from=src[1],
    )


_DOC = "Document information"
_S1 = "1. General information"
_S2 = "2. Model properties"
_S3 = "3. Methods of distribution and licenses"
_S4 = "4. Use"
_S5 = "5. Training process"
_S6 = "6. Information on the data used for training, testing, and validation"
_S7 = "7. Computational resources"
_S8 = "8. Energy consumption"
_XI2 = "Annex XI, Section 2: models with systemic risk"
_SYSTEMIC = "regulatory[systemic_risk=true]"
_FINAL = ("final", "final")
_FINAL_DRAFT = ("final", "third-draft")  # the final's title, the third draft's crosses
_DRAFT = ("third-draft", "third-draft")

# fmt: off
EU_GPAI = Profile(
    "eu-gpai",
    "GPAI Model Documentation Form (EU AI Act Art. 53, Annexes XI and XII)",
    "General-Purpose AI Code of Practice, Transparency Chapter, Model Documentation Form (final version, "
    "10 July 2025); Regulation (EU) 2024/1689, Art. 53(1)(a)-(b), Annex XI and Annex XII",
    (
        # the form's header (not marked: every copy carries it)
        _f("", _DOC, "Date the document was last updated", "When this documentation was last updated.",
           _ALL, "Measure 1.1 (keep the documentation up to date)", "card.date", id="document-date",
           src=("final", "ours")),
        _f("", _DOC, "Document version number", "The version of this documentation.",
           _ALL, "Measure 1.1", "card.version", id="document-version", src=("final", "ours")),
        # 1. General information
        _f("1.1", _S1, "Legal name for the model provider", "The legal name of the provider of the model.",
           _ALL, "Art. 53(1)", "regulatory.provider.legal_name", src=_FINAL),
        _f("1.2", _S1, "Model name",
           "The unique identifier of the model (e.g. Llama 3.1-405B), with the identifier of its collection "
           "of models where applicable, and the names of the publicly available versions this documentation "
           "covers.",
           _ALL, "Art. 53(1)", "model.name", "model.public_versions",
           shows=("model.name", "model.version", "model.family", "model.public_versions"), src=_FINAL),
        _f("1.3", _S1, "Model authenticity",
           "Evidence of the provenance and authenticity of the model, e.g. a secure hash of distributed "
           "binaries or the URL endpoint of a service, where available.",
           _AUTHORITIES, "Art. 53(1)", "model.authenticity", src=_FINAL),
        _f("1.4", _S1, "Release date", "The date the model was first released through any distribution channel.",
           _ALL, "Annex XI 1.1(c); Annex XII 1(c)", "model.date", src=_FINAL),
        _f("1.5", _S1, "Union market release date", "The date the model was placed on the Union market.",
           _ALL, "Art. 53(1)", "regulatory.union_market_date", src=_FINAL),
        _f("1.6", _S1, "Model dependencies",
           "If the model modifies or fine-tunes general-purpose AI models placed on the market, their names "
           "(and versions); otherwise 'N/A'.",
           _ALL, "Art. 53(1); Annex XI 1.2(b)",
           ("model.base_models", "model.base_model", "training[from_scratch=true]"),
           shows=("model.base_models", "model.base_model", "training.from_scratch"), display="dependencies",
           src=_FINAL),
        # 2. Model properties
        _f("2.1", _S2, "Model architecture", "A general description of the architecture, e.g. a transformer.",
           _ALL, "Annex XI 1.1(d); Annex XII 1(f)", "model.architecture", src=_FINAL),
        _f("2.2", _S2, "Design specifications of the model",
           "The key design specifications of the model, with the rationale and assumptions made, giving basic "
           "insight into how the model was designed.",
           _AUTHORITIES, "Annex XI 1.2(b)", "model.design", src=_FINAL_DRAFT),
        _f("2.3", _S2, "Input modalities",
           "The input modalities (text, images, audio, video, other) and, for each, the maximum input size "
           "or 'N/A' if not defined.",
           _ALL, "Annex XI 1.1(e); Annex XII 1(g), 2(b)", "model.inputs[*].modality", "model.inputs[*].max_size",
           shows=("model.inputs",), display="modalities", src=_FINAL_DRAFT),
        _f("2.4", _S2, "Output modalities",
           "The output modalities and, for each, the maximum output size or 'N/A' if not defined.",
           _ALL, "Annex XI 1.1(e); Annex XII 1(g), 2(b)", "model.outputs[*].modality",
           "model.outputs[*].max_size", shows=("model.outputs",), display="modalities", src=_FINAL_DRAFT),
        _f("2.5", _S2, "Total model size",
           "The total number of parameters, with at least two significant figures, e.g. 7.3 × 10^10.",
           _AIO, "Annex XI 1.1(d)", "model.parameters", display="parameters", src=_FINAL_DRAFT),
        _f("2.6", _S2, "Model size range",
           "The range the total number of parameters belongs to: 1-500M, 500M-5B, 5B-15B, 15B-50B, "
           "50B-100B, 100B-500B, 500B-1T or more than 1T.",
           _NCAS_DPS, "Annex XI 1.1(d); Annex XII 1(f)", "model.parameters", display="parameter_range",
           src=("ours", "third-draft")),
        # 3. Methods of distribution and licenses
        _f("3.1", _S3, "Distribution channels",
           "The channels through which the model is made available (enterprise or subscription software "
           "suites, APIs, integrated development environments, device-specific applications or firmware, "
           "open-source repositories, other), with how to access it and the level of access each gives "
           "(e.g. weights-level, black-box).",
           _ALL, "Annex XI 1.1(c); Annex XII 1(c)", "distribution.channels", "distribution.channels[*].access",
           shows=("distribution.channels",), display="channels", src=_FINAL_DRAFT),
        _f("3.2", _S3, "License: link",
           "A link to the model's licence(s) (or a copy attached), or an indication that none exists.",
           _AUTHORITIES, "Annex XI 1.1(f)", ("model.license_url", "model.license"),
           shows=("model.license_url", "model.license"), src=_FINAL_DRAFT),
        _f("3.3", _S3, "License: type or category",
           "The type or category of licence under which the model can be made available to downstream "
           "providers.",
           _DOWNSTREAM, "Annex XII 1(h)", "model.license", shows=("model.license", "model.license_url"),
           src=_FINAL_DRAFT),
        _f("3.4", _S3, "License: additional assets",
           "The additional assets made available, if any (training data, data-processing, training, inference "
           "or evaluation code), with how each can be accessed and the licences that relate to their use.",
           _AUTHORITIES, "Annex XI 1.1(f)", ("distribution.assets", "distribution[no_additional_assets=true]"),
           shows=("distribution.assets",), display="assets", src=_FINAL_DRAFT),
        # 4. Use
        _f("4.1", _S4, "Acceptable Use Policy",
           "A link to the acceptable use policy that applies, or an indication that none exists.",
           _ALL, "Annex XI 1.1(b); Annex XII 1(b)", "intended_use.acceptable_use_policy", src=_FINAL),
        _f("4.2", _S4, "Intended uses",
           "The uses intended by the provider, or the uses it restricts or prohibits (beyond those prohibited "
           "by Union or international law).",
           _ALL, "Annex XI 1.1(a); Annex XII 1(a)", ("intended_use.primary_uses", "intended_use.out_of_scope_uses"),
           shows=("intended_use.primary_uses", "intended_use.out_of_scope_uses"), src=_FINAL_DRAFT),
        _f("4.3", _S4, "Type and nature of AI systems in which the general-purpose AI model can be integrated",
           "The type and nature of AI systems the model can (or should not) be integrated into, e.g. "
           "conversational assistants, decision support, creative or predictive systems.",
           _ALL, "Annex XI 1.1(a); Annex XII 1(a)", "intended_use.system_types", src=_DRAFT),
        _f("4.4", _S4, "Technical means for model integration",
           "The technical means (instructions for use, infrastructure, tools) required to integrate the model "
           "into AI systems.",
           _ALL, "Annex XI 1.2(a); Annex XII 2(a)", ("intended_use.integration", "usage.code"),
           shows=("intended_use.integration", "usage.code"), src=("third-draft", "ours")),
        _f("4.5", _S4, "Required hardware",
           "The hardware (and its version) needed to use the model, or 'N/A' (e.g. a model offered via an API).",
           _DOWNSTREAM, "Annex XII 1(d)", "usage.hardware", src=_DRAFT),
        _f("4.6", _S4, "Required software",
           "The software (and its version) needed to use the model, or 'N/A'.",
           _DOWNSTREAM, "Annex XII 1(d)-(e)", ("model.frameworks", "model.library"),
           shows=("model.library", "model.frameworks"), src=_DRAFT),
        # 5. Training process
        _f("5.1", _S5, "Design specification of the training process",
           "The main steps or stages of training, with methodologies and techniques, the key design choices "
           "and assumptions, what the model is designed to optimise for and the relevance of the parameters.",
           _AUTHORITIES, "Annex XI 1.2(b)", "training.procedure", "training.objective", src=_DRAFT),
        _f("5.2", _S5, "Decision rationale", "How and why the key design choices of training were made.",
           _AUTHORITIES, "Annex XI 1.2(b)", "training.design_choices", src=_DRAFT),
        # 6. Information on the data used for training, testing, and validation
        _f("6.1", _S6, "Training data type/modality",
           "The modalities of the data (text, images, audio, video, other).",
           _ALL, "Annex XI 1.2(c); Annex XII 2(c)", f"{_TRAIN_PROV}.composition.modalities",
           src=("third-draft", "final")),
        _f("6.2", _S6, "Training data provenance",
           "Where the data comes from: web crawling, private non-publicly available datasets from third "
           "parties, user data, publicly available datasets, synthetic data, other means.",
           _ALL, "Annex XI 1.2(c); Annex XII 2(c)", f"{_TRAIN_PROV}.sources[].kind",
           shows=(f"{_TRAIN_PROV}.sources",), src=_DRAFT),
        _f("6.3", _S6, "How data was obtained and selected",
           "The methods used to obtain and select the data, including annotation and the models and methods "
           "that generated synthetic data.",
           _AUTHORITIES, "Annex XI 1.2(c)", f"{_TRAIN_PROV}.collection.method",
           f"{_TRAIN_PROV}.collection.selection", src=_DRAFT),
        _f("6.4", _S6, "Number of data points",
           "The size of the training, testing and validation data, with the unit of a data point (e.g. "
           "tokens, documents, images), with at least two significant figures.",
           _AUTHORITIES, "Annex XI 1.2(c)", f"{_TRAIN_PROV}.composition.instances",
           f"{_TRAIN_PROV}.composition.unit", src=_DRAFT),
        _f("6.5", _S6, "Scope and main characteristics",
           "The scope and main characteristics of the data: domains, geographies, languages, modality coverage.",
           _AUTHORITIES, "Annex XI 1.2(c)", f"{_TRAIN_PROV}.composition.description", src=_DRAFT),
        _f("6.6", _S6, "Data curation methodologies",
           "The processing that turned the acquired data into training data: cleaning, filtering, "
           "normalisation, augmentation.",
           _ALL, "Annex XI 1.2(c); Annex XII 2(c)", f"{_TRAIN_PROV}.preprocessing", src=_DRAFT),
        _f("6.7", _S6, "Measures to detect unsuitability of data sources",
           "The methods used in acquiring or processing the data to address unsuitable content (e.g. illegal "
           "or harmful content, personal data).",
           _AUTHORITIES, "Annex XI 1.2(c)", f"{_TRAIN_PROV}.unsuitable_data_measures", src=_DRAFT),
        _f("6.8", _S6, "Measures to detect identifiable biases",
           "The methods used in acquiring or processing the data to address identifiable biases, where "
           "applicable.",
           _AUTHORITIES, "Annex XI 1.2(c)", f"{_TRAIN_PROV}.bias_detection", src=_DRAFT),
        # 7. Computational resources (the final form gives the national authorities a coarse row and the AI
        # Office a precise one, for training time and for computation alike: F2, F3)
        _f("7.1", _S7, "Training time: range",
           "How long training took, as a range: less than 1 month, 1-3 months, 3-6 months or more than 6 months.",
           _NCAS, "Annex XI 1.2(d)", "training.hours", display="training_time_range", src=_FINAL),
        _f("7.2", _S7, "Training time: wall-clock and hardware time",
           "The duration of training in wall-clock days and in hardware days (hardware units × days), for the "
           "period measured.",
           _AIO, "Annex XI 1.2(d)", "training.hours", "training.compute.hardware_days",
           shows=("training.hours", "training.compute.hardware_days", "training.hardware"), display="training_time",
           src=_FINAL),
        _f("7.3", _S7, "Amount of computation used for training: order of magnitude",
           "The order of magnitude of the floating point operations used for training.",
           _NCAS, "Annex XI 1.2(d)", "training.compute.flops", display="flops_magnitude", src=_FINAL),
        _f("7.4", _S7, "Amount of computation used for training: two significant figures",
           "The floating point operations used for training, measured or estimated, with at least two "
           "significant figures (e.g. 2.4 × 10^25).",
           _AIO, "Annex XI 1.2(d)", "training.compute.flops", display="flops", src=_FINAL),
        _f("7.5", _S7, "Measurement methodology",
           "How the amount of computation used for training was measured or estimated.",
           _AUTHORITIES, "Annex XI 1.2(d)", "training.compute.flops_method", src=_DRAFT),
        # 8. Energy consumption
        _f("8.1", _S8, "Amount of energy used for training",
           "The energy used for training in MWh, measured or estimated, with at least two significant figures; "
           "the Annex allows an estimate from the computational resources used.",
           _AUTHORITIES, "Annex XI 1.2(e)",
           ("environmental_impact.energy_kwh", "training.compute.hardware_days&training.compute.device_power_w"),
           shows=("environmental_impact.energy_kwh", "training.compute"), display="training_energy", src=_FINAL),
        _f("8.2", _S8, "Measurement methodology",
           "How the training energy was measured or estimated; where a compute or hardware provider withheld "
           "information needed to estimate it, which information is missing.",
           _AUTHORITIES, "Annex XI 1.2(e)", "environmental_impact.method", src=_FINAL),
        _f("8.3", _S8, "Benchmarked amount of computation used for inference",
           "The floating point operations of a benchmarked inference task, with at least two significant "
           "figures (the form asks for computation, not energy, as inference energy depends on more than the "
           "model; the energy is shown where known).",
           _AUTHORITIES, "Annex XI 1.2(e)", "environmental_impact.inference.flops",
           shows=("environmental_impact.inference.flops", "environmental_impact.inference.energy_kwh"),
           display="inference", src=_FINAL),
        _f("8.4", _S8, "Measurement methodology",
           "The benchmarked task (e.g. generating 100,000 tokens) and the hardware used (e.g. 64 GPUs of a "
           "named type) to measure or estimate the inference computation.",
           _AUTHORITIES, "Annex XI 1.2(e)", "environmental_impact.inference.method", src=_FINAL),
        # Annex XI, Section 2 (not in the final form, whose Safety and Security Chapter covers it): only for
        # models with systemic risk
        _f("XI 2.1", _XI2, "Evaluation strategies and results",
           "Evaluation strategies and their results, on public evaluation protocols and tools or other "
           "methods, with the criteria, metrics and methods used to identify limitations.",
           _AUTHORITIES, "Annex XI 2.1", "regulatory.systemic_risk_documentation.evaluation_strategies",
           "metrics[category=capability|safety]", applies=_SYSTEMIC, display="results"),
        _f("XI 2.2", _XI2, "Adversarial testing and model adaptations",
           "Measures for internal and external adversarial testing (e.g. red teaming) and model adaptations, "
           "including alignment and fine-tuning.",
           _AUTHORITIES, "Annex XI 2.2", "regulatory.systemic_risk_documentation.adversarial_testing",
           applies=_SYSTEMIC),
        _f("XI 2.3", _XI2, "System architecture",
           "Where applicable, how the software components of the system build on or feed into each other.",
           _AUTHORITIES, "Annex XI 2.3", "regulatory.systemic_risk_documentation.system_architecture",
           applies=_SYSTEMIC),
    ),
)

# fmt: on

_IV1 = "1. General description of the AI system"
_IV2 = "2. Detailed description of the elements of the AI system and of its development"
_HR = "regulatory.high_risk"

# fmt: off
_ANNEX_IV_ITEMS = (
    _f("1(a)", _IV1, "Intended purpose, provider and version",
       "Its intended purpose, the name of the provider and the version of the system, reflecting its relation "
       "to previous versions.",
       (), "Annex IV 1(a)", "intended_use.primary_uses", ("regulatory.provider.legal_name", "model.developers"),
       "model.version"),
    _f("1(b)", _IV1, "Interaction with other hardware and software",
       "How the system interacts, or can be used to interact, with hardware or software, including other AI "
       "systems, that are not part of it, where applicable.",
       (), "Annex IV 1(b)", f"{_HR}.system_interactions"),
    _f("1(c)", _IV1, "Versions of software and firmware",
       "The versions of relevant software or firmware, and any requirements related to version updates.",
       (), "Annex IV 1(c)", (f"{_HR}.software_versions", "model.frameworks")),
    _f("1(d)", _IV1, "Forms placed on the market",
       "All the forms in which the system is placed on the market or put into service (software packages "
       "embedded into hardware, downloads, APIs).",
       (), "Annex IV 1(d)", "distribution.channels"),
    _f("1(e)", _IV1, "Hardware", "The hardware on which the system is intended to run.",
       (), "Annex IV 1(e)", "usage.hardware"),
    _f("1(f)", _IV1, "Product photographs or illustrations",
       "Where the system is a component of products, photographs or illustrations showing their external "
       "features, marking and internal layout.",
       (), "Annex IV 1(f)", f"{_HR}.product_illustrations"),
    _f("1(g)", _IV1, "User interface", "A basic description of the user interface provided to the deployer.",
       (), "Annex IV 1(g)", f"{_HR}.user_interface"),
    _f("1(h)", _IV1, "Instructions for use", "Instructions for use for the deployer.",
       (), "Annex IV 1(h)", f"{_HR}.instructions_for_use"),
    _f("2(a)", _IV2, "Development methods and steps",
       "The methods and steps of development, including recourse to pre-trained systems or third-party tools "
       "and how they were used, integrated or modified.",
       (), "Annex IV 2(a)", "training.procedure",
       ("model.base_models", "model.base_model", "training[from_scratch=true]")),
    _f("2(b)", _IV2, "Design specifications",
       "The general logic of the system and its algorithms; key design choices with rationale and assumptions, "
       "including about the persons or groups it is used on; what it optimises for; the expected output.",
       (), "Annex IV 2(b)", ("model.design", "training.design_choices"), "training.objective", "model.outputs"),
    _f("2(c)", _IV2, "System architecture and computational resources",
       "How the software components build on or feed into each other, and the computational resources used "
       "to develop, train, test and validate the system.",
       (), "Annex IV 2(c)", "model.architecture",
       ("training.compute", "training.hardware", "environmental_impact.hardware")),
    _f("2(d)", _IV2, "Data requirements",
       "Datasheets of the training data: provenance, scope and main characteristics; how the data was obtained "
       "and selected; labelling and cleaning.",
       (), "Annex IV 2(d)", f"{_TRAIN_PROV}.sources", f"{_TRAIN_PROV}.collection",
       (f"{_TRAIN_PROV}.labelling", f"{_TRAIN_PROV}.preprocessing"), f"{_TRAIN_PROV}.composition"),
    _f("2(e)", _IV2, "Human oversight measures",
       "The human oversight measures needed (Art. 14), including the technical measures that help deployers "
       "interpret the outputs.",
       (), "Annex IV 2(e)", f"{_HR}.human_oversight"),
    _f("2(f)", _IV2, "Pre-determined changes",
       "Where applicable, the pre-determined changes to the system and its performance, and the technical "
       "solutions that keep it compliant.",
       (), "Annex IV 2(f)", f"{_HR}.predetermined_changes"),
    _f("2(g)", _IV2, "Validation and testing procedures",
       "The validation and testing data and their characteristics; the metrics of accuracy, robustness and "
       "potentially discriminatory impacts; test logs and reports, dated and signed.",
       (), "Annex IV 2(g)", _EVAL_DATA, "test_methodology.protocol", "test_methodology.metric_definitions",
       ("metrics", "fairness.results"), f"{_HR}.test_reports"),
    _f("2(h)", _IV2, "Cybersecurity measures", "The cybersecurity measures put in place.",
       (), "Annex IV 2(h)", f"{_HR}.cybersecurity"),
    _f("3", "3. Monitoring, functioning and control", "Capabilities, limitations and control",
       "Capabilities and limitations in performance, including the accuracy for the persons or groups the "
       "system is intended for and the expected level of accuracy; foreseeable unintended outcomes and risks; "
       "human oversight measures; specifications of the input data.",
       (), "Annex IV 3", "metrics", "fairness.results",
       "test_methodology.requirements", ("ethical_considerations.risks", "caveats_and_recommendations.caveats"),
       f"{_HR}.human_oversight", "model.inputs"),
    _f("4", "4. Performance metrics", "Appropriateness of the performance metrics",
       "Why the performance metrics are appropriate for the system.",
       (), "Annex IV 4", f"{_HR}.metrics_appropriateness"),
    _f("5", "5. Risk management system", "Risk management system (Art. 9)",
       "The risk management system, with the risks identified and the measures adopted.",
       (), "Annex IV 5", f"{_HR}.risk_management", "ethical_considerations.risks[].mitigations"),
    _f("6", "6. Changes through the lifecycle", "Relevant changes through the lifecycle",
       "The relevant changes made by the provider to the system through its lifecycle.",
       (), "Annex IV 6", f"{_HR}.changes"),
    _f("7", "7. Standards applied", "Harmonised standards applied",
       "The harmonised standards applied in full or in part; where none, the solutions adopted to meet the "
       "requirements of Chapter III, Section 2, with the other standards and specifications applied.",
       (), "Annex IV 7", (f"{_HR}.standards", f"{_HR}.other_solutions")),
    _f("8", "8. EU declaration of conformity", "EU declaration of conformity (Art. 47)",
       "A copy of the EU declaration of conformity.",
       (), "Annex IV 8", f"{_HR}.declaration_of_conformity"),
    _f("9", "9. Post-market monitoring", "Post-market monitoring plan (Art. 72)",
       "The system in place to evaluate performance in the post-market phase, with the post-market "
       "monitoring plan.",
       (), "Annex IV 9", f"{_HR}.post_market_monitoring"),
)

# fmt: on

EU_ANNEX_IV = Profile(
    "eu-annex-iv",
    "EU AI Act, Annex IV technical documentation",
    "Regulation (EU) 2024/1689, Annex IV (technical documentation of high-risk AI systems, Art. 11(1))",
    _ANNEX_IV_ITEMS,
)
#: the profile's former name: the same items (it had 15, five of them not expressible, before schema 1.1)
EU_AI_ACT = Profile("eu-ai-act", EU_ANNEX_IV.title, EU_ANNEX_IV.reference, _ANNEX_IV_ITEMS)

PROFILES: dict[str, Profile] = {p.name: p for p in (ABOUTML, MODELCARDS, DATASHEETS, EU_GPAI, EU_ANNEX_IV, EU_AI_ACT)}
DEFAULT_PROFILE = "aboutml"


# --------------------------------------------------------------------------
# resolving paths on a card

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<sel>[^\]]*)\])?$")


def _select(item: Any, selector: str) -> bool:
    attr, _, wanted = selector.partition("=")
    value = getattr(item, attr.strip(), None)
    if isinstance(value, bool):
        value = "true" if value else "false"
    return str(value) in {w.strip() for w in wanted.split("|")}


def _resolve(node: Any, segments: list[str], prefix: str) -> Iterator[str] | None:
    """Paths under ``node`` that are filled; None when an ``[*]`` requirement fails."""
    if not segments:
        return iter([prefix]) if is_filled(node) else iter(())
    m = _SEGMENT.match(segments[0])
    if m is None:  # pragma: no cover - profiles are static and tested
        raise ValueError(f"bad path segment {segments[0]!r}")
    name, sel = m.group("name"), m.group("sel")
    value = getattr(node, name, None) if node is not None else None
    here = f"{prefix}.{name}" if prefix else name
    if sel is None:
        return _resolve(value, segments[1:], here)
    if value is not None and not isinstance(value, (list, tuple)):  # a selector on one section: a condition
        if sel in ("", "*") or _select(value, sel):
            return _resolve(value, segments[1:], here)
        return iter(())
    items = [(i, v) for i, v in enumerate(value or [])]
    if sel not in ("", "*"):
        items = [(i, v) for i, v in items if _select(v, sel)]
    found: list[str] = []
    for i, v in items:
        sub = list(_resolve(v, segments[1:], f"{here}[{i}]") or [])
        if sel == "*" and not sub:
            return None  # every element must answer it
        found.extend(sub)
    return iter(found)


def resolve(card: ModelCard, path: str) -> list[str]:
    """Concrete card paths that give a real answer for ``path`` (empty: not answered).

    ``a&b`` answers only when both ``a`` and ``b`` do (their paths together).
    """
    found: list[str] = []
    for part in path.split("&"):
        hits = _resolve(card, part.split("."), "")
        part_found = list(hits) if hits is not None else []
        if not part_found:
            return []
        found.extend(p for p in part_found if p not in found)
    return found


def unmet(node: Any, path: str) -> list[str]:
    """The exact items that leave ``path`` unanswered on ``node`` (a card), named as ``modelcard diff`` names them.

    ``datasets[*].provenance.maintenance`` on a card whose dataset ``compas-2yr`` lacks it gives
    ``["datasets[compas-2yr].provenance.maintenance"]`` (the same field ``validate --strict`` reports as
    ``datasets[0].provenance.maintenance``); a path with nothing to name stays as written.
    """
    out: list[str] = []
    for part in path.split("&"):
        if list(_resolve(node, part.split("."), "") or []):
            continue
        segments = part.split(".")
        star = next((k for k, seg in enumerate(segments) if seg.endswith("[*]")), None)
        if star is None:
            out.append(part)
            continue
        head = ".".join(segments[: star + 1])[: -len("[*]")]
        rest = ".".join(segments[star + 1 :])
        parent = node
        for seg in head.split("."):
            parent = getattr(parent, seg, None) if parent is not None else None
        items = list(parent) if isinstance(parent, (list, tuple)) else []
        if not items:
            out.append(part)
            continue
        shape = tuple(re.sub(r"\[[^\]]*\]", "", seg) for seg in head.split("."))
        for i, item in enumerate(items):
            name = f"{head}[{_item_name(shape, i, item)}]"
            if not rest:
                if not is_filled(item):
                    out.append(name)
            elif not list(_resolve(item, rest.split("."), "") or []):
                out.extend(f"{name}.{sub}" for sub in unmet(item, rest))
    return out or [path]


def _item_name(shape: tuple[str, ...], index: int, item: Any) -> str:
    """How a list item is named: by its identity (a dataset by its ``id``), else by its index."""
    from modelcard.schema.walk import identity_at

    identity = identity_at(shape)
    if identity is not None and identity.fields:
        value = getattr(item, identity.fields[0], None)
        if isinstance(value, str) and value and not any(c in value for c in "[].") and len(identity.fields) == 1:
            return value
    return str(index)


def applies(card: ModelCard, item: ItemSpec) -> bool:
    """Whether ``item`` applies to the card (items with a condition apply only when it holds)."""
    return not item.applies or bool(resolve(card, item.applies))


# --------------------------------------------------------------------------


def assess_item(card: ModelCard, it: ItemSpec) -> Item:
    """Whether the card covers one item, with the fields that answer it and what is missing."""
    fields: list[str] = []
    missing: list[str] = []
    for alternatives in it.requires:
        hits = [p for alt in alternatives for p in resolve(card, alt)]
        if hits:
            fields.extend(h for h in hits if h not in fields)
        else:
            missing.append(" or ".join(", ".join(unmet(card, alt)) for alt in alternatives))
    return Item(
        id=it.id,
        title=it.heading,
        covered=it.coverable and not missing,
        fields=fields,
        question=it.question,
        missing=missing,
        coverable=it.coverable,
        note=it.note,
    )


def profile_spec(profile: str) -> Profile:
    """The profile named ``profile``; a usage error naming the choices when there is none."""
    spec = PROFILES.get(profile)
    if spec is None:
        from modelcard.diagnostics import UsageError

        raise UsageError(f"unknown profile '{profile}'; choose one of: {', '.join(PROFILES)}")
    return spec


def assess(card: ModelCard, profile: str = DEFAULT_PROFILE) -> Completeness:
    """Which items of ``profile`` (a name in PROFILES) the card covers.

    Items with a condition that does not hold (Annex XI, Section 2 for a model without systemic risk)
    are left out.
    """
    spec = profile_spec(profile)
    items = [assess_item(card, it) for it in spec.items if applies(card, it)]
    return Completeness(profile=spec.name, title=spec.title, items=items, reference=spec.reference)
