"""Completeness of a card against a documentation standard.

A *profile* lists the items a standard asks for — the ABOUT ML
documentation questions, the nine sections of Mitchell et al.'s model
cards, the seven sections of Gebru et al.'s datasheets, or the technical
documentation of Annex IV of the EU AI Act — and maps each item to the card
fields that answer it.  ``assess`` says which items a card covers::

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
``[attr=a|b]`` to select elements, e.g. ``datasets[role=training].provenance``.

Some items have no field in the card schema (a datasheet's *Uses* section,
the EU AI Act's human-oversight measures, ...).  Those are listed with
``coverable = False`` and a note saying so: they count against the score,
because the standard asks for them, and the card cannot claim them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from modelcard.card.checks import PLACEHOLDER_PREFIX
from modelcard.schema.models import ModelCard

# --------------------------------------------------------------------------
# results


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
    requires: tuple[tuple[str, ...], ...] = ()  # all of (any of paths)
    note: str = ""

    @property
    def coverable(self) -> bool:
        return bool(self.requires)


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    reference: str
    items: tuple[ItemSpec, ...]


def _i(id: str, title: str, question: str, *requires: str | tuple[str, ...], note: str = "") -> ItemSpec:
    reqs = tuple((r,) if isinstance(r, str) else tuple(r) for r in requires)
    return ItemSpec(id, title, question, reqs, note)


_NO_FIELD = "schema 1.0 has no field for this; document it elsewhere (or in an x- extension) and link it"

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

EU_AI_ACT = Profile(
    "eu-ai-act",
    "EU AI Act, Annex IV technical documentation",
    "Regulation (EU) 2024/1689, Annex IV (technical documentation of high-risk AI systems, Art. 11)",
    (
        _i(
            "1a-purpose",
            "1(a) Intended purpose, provider and version",
            "The intended purpose, the provider, and the version of the system.",
            "intended_use.primary_uses",
            ("model.developers", "model.contact"),
        ),
        _i(
            "1-general",
            "1 General description: what the system does, inputs and outputs",
            "A general description of the AI system and the data it takes and produces.",
            "model.description",
            ("model.inputs", "model.outputs"),
        ),
        _i(
            "1b-g-deployment",
            "1(b)-(g) Interaction with other systems, software versions, hardware, user interface",
            "How the system interacts with hardware and software, how it is placed on the market, "
            "the hardware it runs on and its user interface.",
            note="these describe the deployed product, not the model; schema 1.0 has no field for them",
        ),
        _i(
            "1h-instructions",
            "1(h) Instructions for use",
            "Instructions for use for the deployer.",
            "caveats_and_recommendations.recommendations",
            "intended_use.out_of_scope_uses",
        ),
        _i(
            "2abc-development",
            "2(a)-(c) Development methods, design choices and architecture",
            "Methods and steps of development (including pre-trained components), design choices "
            "and the system architecture and computational resources.",
            ("model.architecture", "model.type"),
            ("model.base_model", _TRAIN_DATA),
            note="the rationale of design choices and what the system optimises for have no dedicated field",
        ),
        _i(
            "2d-data",
            "2(d) Data requirements and data governance",
            "Datasheets of the training data: provenance, scope, collection and selection, labelling and cleaning.",
            "datasets[*].provenance.sources",
            "datasets[*].provenance.collection",
            ("datasets[*].provenance.labelling", "datasets[*].provenance.preprocessing"),
        ),
        _i(
            "2e-human-oversight",
            "2(e) Human oversight measures (Art. 14)",
            "The human oversight measures needed, and the technical measures that help deployers "
            "interpret the outputs.",
            note=_NO_FIELD,
        ),
        _i(
            "2f-changes",
            "2(f) Pre-determined changes",
            "Changes to the system and its performance that were pre-determined at the initial assessment.",
            note=_NO_FIELD,
        ),
        _i(
            "2g-testing",
            "2(g) Validation and testing procedures",
            "The data used for validation and testing, the metrics for accuracy, robustness and "
            "potentially discriminatory impacts, and the test results.",
            _EVAL_DATA,
            "test_methodology.protocol",
            "test_methodology.metric_definitions",
            ("metrics", "fairness.results"),
            note="dated and signed test logs are not part of the card",
        ),
        _i(
            "2h-cybersecurity",
            "2(h) Cybersecurity measures",
            "The cybersecurity measures put in place.",
            note=_NO_FIELD,
        ),
        _i(
            "3-performance",
            "3 Capabilities, limitations and accuracy for groups of persons",
            "Capabilities and limitations in performance, including accuracy for the specific persons or "
            "groups the system is intended for, and foreseeable unintended outcomes.",
            "metrics",
            "fairness.results",
            ("caveats_and_recommendations.caveats", "ethical_considerations.risks"),
        ),
        _i(
            "4-metrics",
            "4 Appropriateness of the performance metrics",
            "Why the performance metrics are appropriate for this system.",
            "test_methodology.metric_definitions[].description",
        ),
        _i(
            "5-risk-management",
            "5 Risk management system (Art. 9)",
            "The risks identified and the measures adopted to manage them.",
            "ethical_considerations.risks[].mitigations",
            note="the card records risks and mitigations, not the provider's risk-management process",
        ),
        _i(
            "6-lifecycle-changes",
            "6 Changes through the lifecycle",
            "Relevant changes made to the system through its lifecycle.",
            note=_NO_FIELD,
        ),
        _i(
            "9-post-market",
            "9 Post-market monitoring plan (Art. 72)",
            "How performance is evaluated once the system is on the market.",
            note=_NO_FIELD,
        ),
    ),
)

PROFILES: dict[str, Profile] = {p.name: p for p in (ABOUTML, MODELCARDS, DATASHEETS, EU_AI_ACT)}
DEFAULT_PROFILE = "aboutml"


# --------------------------------------------------------------------------
# resolving paths on a card

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<sel>[^\]]*)\])?$")


def is_filled(value: Any) -> bool:
    """A real answer: not None, not empty, not a TODO placeholder (recursively for sections)."""
    if value is None:
        return False
    if isinstance(value, str):
        text = value.strip()
        return bool(text) and not text.startswith(PLACEHOLDER_PREFIX)
    if isinstance(value, (list, tuple)):
        return any(is_filled(v) for v in value)
    if isinstance(value, dict):
        return any(is_filled(v) for v in value.values())
    if isinstance(value, BaseModel):
        return any(is_filled(getattr(value, n)) for n in type(value).model_fields) or any(
            is_filled(v) for v in getattr(value, "extensions", {}).values()
        )
    return True  # numbers, booleans (False is an answer), dates


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
    """Concrete card paths that give a real answer for ``path`` (empty: not answered)."""
    found = _resolve(card, path.split("."), "")
    return list(found) if found is not None else []


# --------------------------------------------------------------------------


def assess(card: ModelCard, profile: str = DEFAULT_PROFILE) -> Completeness:
    """Which items of ``profile`` (a name in PROFILES) the card covers."""
    spec = PROFILES.get(profile)
    if spec is None:
        from modelcard.diagnostics import UsageError

        raise UsageError(f"unknown profile '{profile}'; choose one of: {', '.join(PROFILES)}")
    items: list[Item] = []
    for it in spec.items:
        fields: list[str] = []
        missing: list[str] = []
        for alternatives in it.requires:
            hits = [p for alt in alternatives for p in resolve(card, alt)]
            if hits:
                fields.extend(h for h in hits if h not in fields)
            else:
                missing.append(" or ".join(alternatives))
        covered = it.coverable and not missing
        items.append(
            Item(
                id=it.id,
                title=it.title,
                covered=covered,
                fields=fields,
                question=it.question,
                missing=missing,
                coverable=it.coverable,
                note=it.note,
            )
        )
    return Completeness(profile=spec.name, title=spec.title, items=items, reference=spec.reference)
