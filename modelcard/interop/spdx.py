"""SPDX 3.0.1 export: the card as an ``ai_AIPackage`` in a JSON-LD SPDX document.

Property names follow the SPDX 3.0.1 model (Core, Software, AI, Dataset and
SimpleLicensing profiles, https://spdx.github.io/spdx-spec/v3.0.1/):

* ``ai_AIPackage`` — ``name``, ``software_packageVersion``,
  ``software_primaryPurpose: model``, ``description``, ``ai_typeOfModel``,
  ``ai_informationAboutApplication`` (intended uses and users),
  ``ai_limitation`` (caveats, out-of-scope uses, trade-offs, ethical risks and
  their mitigations, recommendations), ``ai_informationAboutTraining``
  (training datasets, base models, procedure, hardware), ``ai_hyperparameter``,
  ``ai_modelDataPreprocessing``, ``ai_metric`` (every metric with its slice,
  dataset and split, and every fairness result) and ``ai_metricDecisionThreshold``
  (``DictionaryEntry`` lists), ``ai_energyConsumption``,
  ``ai_useSensitivePersonalInformation``, ``ai_safetyRiskAssessment`` (only
  when the card states a level, as ``x-spdx: {safety_risk_assessment: high}``:
  none is invented), ``releaseTime``,
  ``suppliedBy``;
* the fairness summary and the test protocol are ``Annotation`` elements on the package;
* each dataset is a ``dataset_DatasetPackage`` linked by ``trainedOn`` /
  ``testedOn`` relationships;
* licences are ``simplelicensing_LicenseExpression`` elements linked by
  ``hasDeclaredLicense`` (SPDX expressions parsed by ``license-expression``;
  other names become ``LicenseRef-`` ids).

Output is deterministic (ids are UUID5s of the card content; ``created`` is
``card.date`` or ``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

from modelcard.interop._common import Notes, dump_card, slice_text
from modelcard.interop.base import TextExporter
from modelcard.interop.cyclonedx.exporter import timestamp
from modelcard.interop.licenses import license_ref, spdx_expression
from modelcard.report.fmt import exact as _fmt
from modelcard.schema.models import ConfidenceInterval, Dataset, MetricResult, ModelCard, base_models, stated_level

FORMAT = "spdx"
CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
NOASSERTION = "NOASSERTION"  # downloadLocation is required; SPDX's conventional value when it is unknown
NO_ASSERTION_LICENSE = "expandedlicensing_NoAssertionLicense"
SPEC_VERSION = "3.0.1"
#: ai_safetyRiskAssessment values (SPDX 3.0.1 AI/SafetyRiskAssessmentType, after the EU AI Act)
RISK_LEVELS = ("serious", "high", "medium", "low")
_NS = uuid.UUID("0b6d3b8e-7a4e-5c6b-8f0e-73706478ab01")


def _interval(ci: ConfidenceInterval | None, card: ModelCard) -> str:
    if ci is None:
        return ""
    level = stated_level(ci, card)
    shown = f"{level * 100:g}% CI" if level is not None else "CI, level not stated"
    return f" ({shown} {_fmt(ci.lower)}-{_fmt(ci.upper)})"


def metric_key(m: MetricResult) -> str:
    """The ``ai_metric`` key of a metric: its name and everything that tells it apart from the others."""
    key = m.display_name or m.name
    if m.display_name and m.display_name != m.name:
        key += f" ({m.name})"
    if m.config:
        key += f" config={m.config}"
    if m.args is not None:
        key += " args=" + (m.args if isinstance(m.args, str) else json.dumps(m.args, sort_keys=True))
    if m.slice:
        key += f" [{slice_text(m.slice)}]"
    if m.dataset:
        key += f" on {m.dataset}"
    if m.split:
        key += f" split {m.split}" if m.dataset else f" on split {m.split}"
    if m.decision_threshold is not None:
        key += f" at threshold {_fmt(m.decision_threshold)}"
    return key


def _risk_level(card: ModelCard) -> str | None:
    """The safety risk level the card states, as ``x-spdx: {safety_risk_assessment: high}`` on the card or on
    ``ethical_considerations`` (no card field states one, and none is derived: SPDX's levels are an
    assessment only the card's authors can make)."""
    for section in (card, card.ethical_considerations):
        ext = section.extensions.get("x-spdx") if section is not None else None
        value = ext.get("safety_risk_assessment") if isinstance(ext, dict) else None
        if isinstance(value, str) and value.lower() in RISK_LEVELS:
            return value.lower()
    return None


class _Graph:
    """The document's elements, with deterministic ids."""

    def __init__(self, base: str):
        self.base = base
        self.items: list[dict[str, Any]] = []
        self._n = 0

    def next_id(self) -> int:
        self._n += 1
        return self._n

    def element(self, kind: str, local: str, **props: Any) -> dict[str, Any]:
        el: dict[str, Any] = {"type": kind, "spdxId": f"{self.base}#{local}", "creationInfo": "_:creationinfo"}
        el.update({k: v for k, v in props.items() if v not in (None, [], "")})
        self.items.append(el)
        return el

    def relate(self, kind: str, frm: dict[str, Any], to: list[Any]) -> None:
        self.element(
            "Relationship",
            f"SPDXRef-Relationship-{self.next_id()}",
            **{
                "from": frm["spdxId"],
                "to": [t if isinstance(t, str) else t["spdxId"] for t in to],
                "relationshipType": kind,
            },
        )


def _texts(card: ModelCard) -> tuple[list[str], list[str], list[str]]:
    """``(application, limitation, training)`` paragraphs."""
    iu = card.intended_use
    car = card.caveats_and_recommendations
    application = list(iu.primary_uses or []) if iu else []
    if iu and iu.primary_users:
        application.append("Intended users: " + "; ".join(iu.primary_users))
    limitation = list(car.caveats or []) if car else []
    limitation += [f"Out of scope: {u}" for u in (iu.out_of_scope_uses or [] if iu else [])]
    limitation += [f"Trade-off: {t}" for t in (car.tradeoffs or [] if car else [])]
    for r in card.ethical_considerations.risks or [] if card.ethical_considerations else []:
        text = f"Risk: {r.name}" + (f" — {' '.join(r.description.split())}" if r.description else "")
        text += "".join(f"\nMitigation: {' '.join(m.split())}" for m in r.mitigations or [])
        limitation.append(text)
    limitation += [f"Recommendation: {r}" for r in (car.recommendations or [] if car else [])]
    training = [
        d.name + (f": {' '.join(str(d.description).split())}" if d.description else "")
        for d in card.datasets or []
        if d.role in ("training", "fine-tuning", "validation")
    ]
    training_text = ["; ".join(training)] if training else []
    refs = base_models(card.model)
    if refs:
        training_text.append(
            "Derived from " + ", ".join(r.name + (f" ({r.relation})" if r.relation else "") for r in refs)
        )
    tr = card.training
    if tr is not None:
        if tr.procedure:
            training_text.append(tr.procedure)
        compute = ", ".join(x for x in (tr.hardware, f"{tr.hours:g} hours" if tr.hours is not None else None) if x)
        if compute:
            training_text.append(f"Compute: {compute}")
    return application, limitation, training_text


def _metrics(card: ModelCard) -> Iterator[tuple[str, float, ConfidenceInterval | None]]:
    for m in card.metrics or []:
        if m.value is not None:
            yield metric_key(m), m.value, m.confidence_interval
    for r in (card.fairness.results or []) if card.fairness is not None else []:
        where = (f" on {r.dataset}" if r.dataset else "") + (f" split {r.split}" if r.split else "")
        if r.value is not None:
            yield f"{r.metric} [{slice_text(r.group)}]{where}", r.value, r.confidence_interval
        diff = r.disparity.difference if r.disparity is not None else None
        if diff is not None and diff.value is not None:
            verdict = getattr(r.verdict, "value", r.verdict)
            yield (
                f"{r.metric} difference [{slice_text(r.group)} vs {slice_text(r.reference_group)}]{where} verdict {verdict}",
                diff.value,
                diff.confidence_interval,
            )


def export_document(card: ModelCard, notes: Notes | None = None) -> dict[str, Any]:
    """The SPDX 3.0.1 JSON-LD document (a dict) for ``card``."""
    data = dump_card(card)
    model = card.model
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", model.name).strip("-")[:60] or "model"
    g = _Graph(f"https://spdx.org/spdxdocs/modelcard-{slug}-{uuid.uuid5(_NS, digest)}")

    # agents: card authors create the document; developers supply the model
    agents = [g.element("Person", f"SPDXRef-Author-{g.next_id()}", name=a.name) for a in card.card.authors or []]
    if not agents:
        agents = [
            g.element("Organization", f"SPDXRef-Agent-{g.next_id()}", name=d.name) for d in model.developers or []
        ]
    if not agents:
        agents.append(g.element("Organization", "SPDXRef-Agent-unknown", name="NOASSERTION (the card names no author)"))
    suppliers = [
        g.element("Organization", f"SPDXRef-Developer-{g.next_id()}", name=d.name) for d in model.developers or []
    ]
    unknown: list[dict[str, Any]] = []

    def no_assertion_agent() -> dict[str, Any]:
        # suppliedBy/originatedBy are required on AI and dataset packages but must be Agents
        if not unknown:
            unknown.append(
                g.element(
                    "Organization",
                    "SPDXRef-Agent-NOASSERTION",
                    name="NOASSERTION",
                    comment="The card does not say who supplied this.",
                )
            )
        return unknown[0]

    from modelcard import __version__

    tool = g.element("Tool", "SPDXRef-Tool-modelcard", name=f"modelcard {__version__}")
    created = timestamp(card)
    creation: dict[str, Any] = {
        "type": "CreationInfo",
        "@id": "_:creationinfo",
        "specVersion": SPEC_VERSION,
        "created": created,
        "createdBy": [a["spdxId"] for a in agents],
        "createdUsing": [tool["spdxId"]],
    }
    untimed: list[str] = []

    def when(date: Any, what: str) -> str:
        # releaseTime/builtTime are required on AI and dataset packages (SPDX 3.0.1 cardinality updates)
        if date:
            return f"{date}T00:00:00Z"
        untimed.append(what)
        return created

    application, limitation, training = _texts(card)
    metrics, seen = [], set()
    for key, value, ci in _metrics(card):
        k, n = key, 2
        while k in seen:
            k, n = f"{key} #{n}", n + 1
        seen.add(k)
        metrics.append({"type": "DictionaryEntry", "key": k, "value": _fmt(value) + _interval(ci, card)})
    tm = card.test_methodology
    thresholds = [
        {"type": "DictionaryEntry", "key": d.name, "value": _fmt(d.decision_threshold)}
        for d in (tm.metric_definitions or [] if tm else [])
        if d.decision_threshold is not None
    ]
    hyper = [
        {"type": "DictionaryEntry", "key": k, "value": json.dumps(v) if isinstance(v, bool) else str(v)}
        for k, v in ((card.training.hyperparameters or {}) if card.training else {}).items()
    ]
    env = card.environmental_impact
    energy = None
    if env is not None and env.energy_kwh is not None:
        energy = {
            "type": "ai_EnergyConsumption",
            "ai_trainingEnergyConsumption": [
                {
                    "type": "ai_EnergyConsumptionDescription",
                    "ai_energyQuantity": float(env.energy_kwh),
                    "ai_energyUnit": "kilowattHour",
                }
            ],
        }
    flags = [
        d.provenance.sensitive_data.contains_personal_data if d.provenance and d.provenance.sensitive_data else None
        for d in card.datasets or []
    ]
    personal = "yes" if any(f is True for f in flags) else "no" if flags and all(f is False for f in flags) else None
    preprocessing = [
        step for d in card.datasets or [] for step in ((d.provenance.preprocessing or []) if d.provenance else [])
    ]
    refs = [
        {"type": "ExternalRef", "externalRefType": "documentation", "locator": [r.url], "comment": r.title}
        for r in model.references or []
        if r.url
    ]
    package = g.element(
        "ai_AIPackage",
        "SPDXRef-Model",
        name=model.name,
        software_packageVersion=model.version,
        software_primaryPurpose="model",
        software_downloadLocation=model.repository or NOASSERTION,
        description=model.description,
        comment=("Citation: " + model.citation) if model.citation else None,
        releaseTime=when(model.date, "model release date"),
        suppliedBy=(suppliers[0] if suppliers else no_assertion_agent())["spdxId"],
        originatedBy=[s["spdxId"] for s in suppliers],
        externalRef=refs,
        ai_typeOfModel=[t for t in (model.type, model.task, model.architecture) if t],
        ai_informationAboutApplication="\n\n".join(application) or None,
        ai_limitation="\n\n".join(limitation) or None,
        ai_informationAboutTraining="\n\n".join(training) or None,
        ai_hyperparameter=hyper,
        ai_modelDataPreprocessing=preprocessing,
        ai_metric=metrics,
        ai_metricDecisionThreshold=thresholds,
        ai_energyConsumption=energy,
        ai_useSensitivePersonalInformation=personal,
        ai_safetyRiskAssessment=_risk_level(card),
    )
    for what, text in (
        ("Fairness summary", card.fairness.summary if card.fairness else None),
        ("Test protocol", tm.protocol if tm else None),
    ):
        if text:
            g.element(
                "Annotation",
                f"SPDXRef-Annotation-{g.next_id()}",
                annotationType="other",
                subject=package["spdxId"],
                contentType="text/markdown",
                statement=f"{what}: {text}",
            )

    def license_el(text: str) -> dict[str, Any]:
        expr = spdx_expression(text) or license_ref(text)
        return g.element(
            "simplelicensing_LicenseExpression",
            f"SPDXRef-License-{g.next_id()}",
            simplelicensing_licenseExpression=expr,
        )

    def licensing(el: dict[str, Any], declared: str | None) -> None:
        # AI and Dataset profile conformance: exactly one declared and one concluded licence each.
        # The card states what was declared; modelcard concludes nothing about it.
        g.relate("hasDeclaredLicense", el, [license_el(declared)] if declared else [NO_ASSERTION_LICENSE])
        g.relate("hasConcludedLicense", el, [NO_ASSERTION_LICENSE])

    licensing(package, model.license)
    trained: list[dict[str, Any]] = []
    tested: list[dict[str, Any]] = []
    for d in card.datasets or []:
        ds_el = _dataset_element(g, d, when, no_assertion_agent)
        (tested if d.role in ("evaluation", "test", "calibration") else trained).append(ds_el)
        prov = d.provenance
        licensing(ds_el, prov.licensing.license if prov and prov.licensing else None)
    if trained:
        g.relate("trainedOn", package, trained)
    if tested:
        g.relate("testedOn", package, tested)

    if untimed:
        creation["comment"] = (
            "The card gives no "
            + ", ".join(sorted(set(untimed)))
            + "; SPDX requires one, so the document's creation time is used."
        )
    if notes is not None:
        lost = _unexpressed(data)
        if lost:
            notes.warn("SPDX has no place for: " + ", ".join(lost), code="spdx-export")
    document = {
        "type": "SpdxDocument",
        "spdxId": f"{g.base}#SPDXRef-Document",
        "creationInfo": "_:creationinfo",
        "name": f"Model card of {model.name} {model.version}",
        "profileConformance": ["core", "software", "ai", "dataset", "simpleLicensing"],
        "rootElement": [package["spdxId"]],
        "element": [e["spdxId"] for e in g.items],
    }
    return {"@context": CONTEXT, "@graph": [creation, document, *g.items]}


#: card sections SPDX has no property for (the AI package's fields are listed in the module's docstring)
_NO_PLACE = ("factors", "usage", "distribution", "regulatory", "fairness.spreads", "test_methodology.requirements")
#: the training fields written to ai_informationAboutTraining and ai_hyperparameter
_TRAINING_WRITTEN = frozenset({"procedure", "hyperparameters", "hardware", "hours"})


def _unexpressed(data: dict[str, Any]) -> list[str]:
    """The card paths present in ``data`` that the SPDX export does not write."""
    lost = []
    for path in _NO_PLACE:
        cur: Any = data
        for part in path.split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
        if cur not in (None, [], {}):
            lost.append(path)
    training = data.get("training")
    if isinstance(training, dict):
        lost += [f"training.{k}" for k in training if k not in _TRAINING_WRITTEN and not k.startswith("x-")]
    return lost


def _dataset_element(g: _Graph, d: Dataset, when: Any, no_assertion_agent: Any) -> dict[str, Any]:
    prov = d.provenance
    sens = prov.sensitive_data if prov else None
    comp = prov.composition if prov else None
    collection = prov.collection if prov else None
    origin = None
    if prov is not None:
        name = (prov.maintenance.maintainer if prov.maintenance else None) or next(
            (s.name for s in prov.sources or []), None
        )
        if name:
            origin = g.element("Organization", f"SPDXRef-Origin-{g.next_id()}", name=name)["spdxId"]
    personal = sens.contains_personal_data if sens is not None else None
    return g.element(
        "dataset_DatasetPackage",
        f"SPDXRef-Dataset-{d.id}",
        name=d.name,
        software_packageVersion=d.version,
        software_primaryPurpose="data",
        software_downloadLocation=d.url or NOASSERTION,
        description=d.description,
        releaseTime=when(None, f"release date of dataset {d.id}"),
        builtTime=when(
            collection.timeframe.end if collection and collection.timeframe else None, f"build date of dataset {d.id}"
        ),
        originatedBy=[origin or no_assertion_agent()["spdxId"]],
        dataset_datasetType=["noAssertion"],
        dataset_knownBias=prov.known_biases if prov else None,
        dataset_dataPreprocessing=prov.preprocessing if prov else None,
        dataset_dataCollectionProcess=collection.method if collection else None,
        dataset_hasSensitivePersonalInformation="yes" if personal else "no" if personal is False else None,
        verifiedUsing=[{"type": "Hash", "algorithm": "sha256", "hashValue": d.sha256.lower()}] if d.sha256 else None,
        comment=f"{comp.instances} instances" if comp is not None and comp.instances is not None else None,
    )


def export_text(card: ModelCard, notes: Notes | None = None) -> str:
    return json.dumps(export_document(card, notes), indent=2, ensure_ascii=False) + "\n"


#: card -> SPDX 3.0.1 JSON-LD document with an AI package
EXPORTER = TextExporter(FORMAT, "SPDX 3.0.1 JSON-LD with an ai_AIPackage", ".spdx.json", export_text)
