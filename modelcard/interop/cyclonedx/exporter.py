"""CycloneDX 1.6 ML-BOM export: the card as a ``machine-learning-model`` component with a ``modelCard``.

Export writes one model component (``metadata.component`` and
``components[0]``) whose ``modelCard`` carries the model parameters,
performance metrics (overall, per slice, per dataset and split, with
confidence intervals), fairness results as ``fairnessAssessments`` plus
per-group metrics, and the considerations (users, use cases, limitations,
trade-offs, ethical risks and mitigations, environmental cost).  Datasets
become ``data`` components referenced from the model card.  What a CycloneDX
import kept under ``x-cyclonedx`` is written back where it came from.  Output
is deterministic: the serial number is a UUID5 of the card content and the
timestamp comes from ``card.date`` (or ``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import os
import uuid
from typing import Any

from modelcard.interop._common import Notes, as_dict, clean, dump_card, make_id, slice_text, to_number
from modelcard.interop.cyclonedx.importer import OUT_OF_SCOPE, _data_entry
from modelcard.interop.cyclonedx.shapes import (
    EXT,
    MAPPED_COMPONENT_KEYS,
    PROP,
    SPEC_VERSION,
    assessment_for,
    environment_for,
    environment_from,
    license_from,
    licenses_for,
    references_for,
    references_from,
)
from modelcard.report.fmt import exact as _fmt
from modelcard.safe_text import safe_url
from modelcard.schema.models import SCHEMA_VERSION as CARD_SCHEMA
from modelcard.schema.models import Dataset, FairnessResult, MetricResult, ModelCard, base_models

_NS = uuid.UUID("6f1c1f5e-6a53-5d55-9f0e-6d6f64656c63")  # namespace for serial numbers of modelcard BOMs


def _ext(section: Any) -> dict[str, Any]:
    value = section.extensions.get(EXT) if section is not None else None
    return value if isinstance(value, dict) else {}


def timestamp(card: ModelCard) -> str:
    """``SOURCE_DATE_EPOCH`` when set, else the card's (or model's) date, else the epoch: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    date = card.card.date or card.model.date
    return f"{date.isoformat()}T00:00:00Z" if date else "1970-01-01T00:00:00Z"


def _prop(name: str, value: Any) -> dict[str, str]:
    return {"name": PROP + name, "value": str(value)}


def _warn(notes: Notes | None, message: str, path: str = "") -> None:
    if notes is not None:
        notes.warn(message, code="cyclonedx-export", path=path)


# --------------------------------------------------------------------------
# datasets


def _dataset(d: Dataset) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """``(data component or None for an inline dataset, modelParameters.datasets entry)``."""
    dext = _ext(d)
    prov = d.provenance
    cats = list(prov.sensitive_data.categories or []) if prov is not None and prov.sensitive_data is not None else []
    if isinstance(dext.get("inline"), dict):
        entry = copy.deepcopy(dext["inline"])
        entry["name"] = d.name
        if d.url:
            entry.setdefault("contents", {})["url"] = d.url
        if cats:
            entry["sensitiveData"] = cats
        return None, entry
    kept = as_dict(dext.get("component"))
    ref = str(dext.get("ref") or f"dataset:{d.id}")
    maintainer = prov.maintenance.maintainer if prov is not None and prov.maintenance is not None else None
    license_ = prov.licensing.license if prov is not None and prov.licensing is not None else None
    comp: dict[str, Any] = {
        "bom-ref": ref,
        "type": "data",
        "name": d.name,
        "version": d.version,
        "description": d.description,
        "hashes": [{"alg": "SHA-256", "content": d.sha256.lower()}] if d.sha256 else None,
        "licenses": licenses_for(license_) if license_ else None,
        "externalReferences": [{"type": "distribution", "url": d.url}] if d.url else None,
        "data": [_data_entry(d.name, d.url, cats, maintainer)],
        "properties": [_prop("dataset:role", d.role), _prop("dataset:id", d.id)],
    }
    comp = clean(comp)
    for key in ("hashes", "externalReferences", "data"):
        if key in kept:
            comp[key] = kept[key]
    if "licenses" in kept and license_ is not None and license_from(kept["licenses"])[0] == license_:
        comp["licenses"] = kept["licenses"]
    if isinstance(kept.get("properties"), list):
        comp["properties"] = comp["properties"] + kept["properties"]
    comp.update({k: v for k, v in kept.items() if k not in comp})
    return comp, {"ref": ref}


# --------------------------------------------------------------------------
# the model card


def _metric(m: MetricResult) -> dict[str, Any]:
    mext = _ext(m)
    raw = mext.get("value")
    value = raw if isinstance(raw, str) and to_number(raw) == m.value else _fmt(m.value or 0.0)
    pm: dict[str, Any] = {"type": m.name, "value": value}
    parts = [slice_text(m.slice)] if m.slice else []
    if m.dataset:
        parts.append(f"dataset={m.dataset}" + (f", split={m.split}" if m.split else ""))
    if parts:
        pm["slice"] = "; ".join(parts)
    if m.confidence_interval is not None:
        ci = m.confidence_interval
        pm["confidenceInterval"] = {"lowerBound": _fmt(ci.lower), "upperBound": _fmt(ci.upper)}
    elif isinstance(mext.get("confidenceInterval"), dict):
        pm["confidenceInterval"] = mext["confidenceInterval"]
    pm.update({k: v for k, v in mext.items() if k not in ("value", "confidenceInterval") and k not in pm})
    return pm


def _fairness(r: FairnessResult) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """``(per-group metric or None, fairness assessment)`` for one fairness result."""
    pm: dict[str, Any] | None = None
    if r.value is not None:
        pm = {"type": r.metric, "value": _fmt(r.value), "slice": slice_text(r.group)}
        if r.confidence_interval is not None:
            pm["confidenceInterval"] = {
                "lowerBound": _fmt(r.confidence_interval.lower),
                "upperBound": _fmt(r.confidence_interval.upper),
            }
    words = [f"{r.metric} = {_fmt(r.value)}" if r.value is not None else f"{r.metric} undefined"]
    if r.reference_group:
        words.append(
            f"reference {slice_text(r.reference_group)}"
            + (f" = {_fmt(r.reference_value)}" if r.reference_value is not None else "")
        )
    for conv in ("difference", "ratio"):
        d = r.disparity.get(conv) if r.disparity is not None else None
        if d is not None and d.value is not None:
            words.append(f"{conv} {_fmt(d.value)}")
    th = r.threshold
    if th is not None:
        lo = "-inf" if th.min is None else f"{th.min:g}"
        hi = "+inf" if th.max is None else f"{th.max:g}"
        words.append(f"threshold on {th.convention}: [{lo}, {hi}]")
    verdict = str(getattr(r.verdict, "value", r.verdict))
    words.append(f"verdict: {verdict}")
    fa: dict[str, Any] = {"groupAtRisk": slice_text(r.group)}
    fa["harms" if verdict in ("fail", "inconclusive") else "benefits"] = "; ".join(words)
    return pm, fa


def _environment(card: ModelCard, notes: Notes | None) -> dict[str, Any] | None:
    env = card.environmental_impact
    typed = env.model_dump(mode="json", exclude_none=True) if env is not None else {}
    typed = {k: v for k, v in typed.items() if not k.startswith("x-")}
    kept = _ext(card).get("environmentalConsiderations")
    if kept is not None:
        if environment_from(kept) == typed:
            return kept if isinstance(kept, dict) else None
        _warn(
            notes,
            "the environmental data kept from the CycloneDX source no longer matches the card: written from the card",
            "environmental_impact",
        )
    return environment_for(typed)


def _considerations(card: ModelCard, assessments: list[dict[str, Any]], notes: Notes | None) -> dict[str, Any]:
    iu = card.intended_use
    car = card.caveats_and_recommendations
    risks = card.ethical_considerations.risks if card.ethical_considerations else None
    ethical, fair = [], []
    for r in risks or []:
        if isinstance(_ext(r).get("fairnessAssessment"), dict):
            fair.append(assessment_for(r.model_dump(mode="json", exclude_none=True)))
        else:
            ethical.append(
                clean(
                    {
                        "name": r.name + (f": {r.description}" if r.description else ""),
                        "mitigationStrategy": " ".join(r.mitigations or []) or None,
                    }
                )
            )
    cons: dict[str, Any] = {
        "users": iu.primary_users if iu else None,
        "useCases": iu.primary_uses if iu else None,
        "technicalLimitations": list(car.caveats or []) if car else [],
        "performanceTradeoffs": car.tradeoffs if car else None,
        "ethicalConsiderations": ethical,
        "fairnessAssessments": fair + assessments,
        "environmentalConsiderations": _environment(card, notes),
    }
    cons["technicalLimitations"] += [OUT_OF_SCOPE + u for u in (iu.out_of_scope_uses or [] if iu else [])]
    env = cons.pop("environmentalConsiderations")
    cons = clean(cons)
    if env is not None:
        cons["environmentalConsiderations"] = env  # as kept (or built), not cleaned: energyProviders may be []
    kept = _ext(card).get("considerations")
    if isinstance(kept, dict):
        cons.update({k: v for k, v in kept.items() if k not in cons})
    return cons


def _model_card(card: ModelCard, ref: str, dataset_refs: list[dict[str, Any]], notes: Notes | None) -> dict[str, Any]:
    model = card.model
    cext = _ext(card)
    metrics = [_metric(m) for m in card.metrics or [] if m.value is not None]
    undefined = [m.name for m in card.metrics or [] if m.value is None]
    if undefined:
        _warn(
            notes,
            f"undefined metric value(s) have no CycloneDX form and are left out: {', '.join(undefined)}",
            "metrics",
        )
    assessments = []
    for r in (card.fairness.results or []) if card.fairness is not None else []:
        pm, fa = _fairness(r)
        if pm is not None:
            metrics.append(pm)
        assessments.append(fa)
    metrics += [pm for pm in cext.get("performanceMetrics") or [] if isinstance(pm, dict)]
    params: dict[str, Any] = {
        "task": model.task,
        "architectureFamily": model.architecture,
        "modelArchitecture": model.architecture,
        "datasets": dataset_refs,
        "inputs": [{"format": i.name + (f" ({i.type})" if i.type else "")} for i in model.inputs or []],
        "outputs": [{"format": o.name + (f" ({o.type})" if o.type else "")} for o in model.outputs or []],
    }
    params = clean(params)
    kept_params = cext.get("modelParameters")
    if isinstance(kept_params, dict):
        params.update(kept_params)
    qa: dict[str, Any] = {"performanceMetrics": metrics} if metrics else {}
    if isinstance(cext.get("quantitativeAnalysis"), dict):
        qa.update(cext["quantitativeAnalysis"])
    props = [_prop("schema_version", CARD_SCHEMA)]
    if card.fairness is not None and card.fairness.summary:
        props.append(_prop("summary", card.fairness.summary))
    car = card.caveats_and_recommendations
    props += [_prop("recommendation", r) for r in (car.recommendations or [] if car else [])]
    if card.test_methodology is not None and card.test_methodology.protocol:
        props.append(_prop("test_protocol", card.test_methodology.protocol))
    props += [p for p in cext.get("modelCardProperties") or [] if isinstance(p, dict)]
    out = {
        "bom-ref": cext.get("modelCardRef") or f"{ref}:modelcard",
        "modelParameters": params,
        "quantitativeAnalysis": qa,
        "considerations": _considerations(card, assessments, notes),
        "properties": props,
    }
    return {k: v for k, v in out.items() if v not in (None, [], {})}


def _component(card: ModelCard, ref: str, model_card: dict[str, Any], notes: Notes | None) -> dict[str, Any]:
    model = card.model
    kept = _ext(card).get("component")
    kept = kept if isinstance(kept, dict) else {}
    name = model.name
    group = kept.get("group")
    if isinstance(group, str) and group and name.startswith(group + "/") and len(name) > len(group) + 1:
        name = name[len(group) + 1 :]
    licenses = None
    if model.license:
        licenses = licenses_for(model.license, model.license_url)
        if isinstance(kept.get("licenses"), list) and license_from(kept["licenses"]) == (
            model.license,
            model.license_url,
        ):
            licenses = kept["licenses"]
    refs = references_for(model.repository, [(r.title, r.url) for r in model.references or [] if r.url])
    if isinstance(kept.get("externalReferences"), list):
        repository, references = references_from(kept["externalReferences"], safe_url)
        if repository == model.repository and references == [
            r.model_dump(exclude_none=True) for r in model.references or [] if r.url
        ]:
            refs = kept["externalReferences"]
    props = [_prop("base_model", b.name) for b in base_models(model)]
    relations = {b.relation for b in base_models(model) if b.relation}
    if len(relations) == 1:
        props.append(_prop("base_model_relation", relations.pop()))
    for key in ("citation", "contact", "library"):
        if getattr(model, key):
            props.append(_prop(key, getattr(model, key)))
    props += [_prop("language", lang) for lang in model.languages or []]
    if model.parameters is not None:
        props.append(_prop("parameters", model.parameters))
    props += [_prop("framework", f.name + (f"@{f.version}" if f.version else "")) for f in model.frameworks or []]
    props += [p for p in kept.get("properties") or [] if isinstance(p, dict)]
    authors = [clean({"name": p.name, "email": p.email}) for p in model.developers or [] if p.role != "publisher"]
    comp: dict[str, Any] = {
        "bom-ref": ref,
        "type": "machine-learning-model",
        "name": name,
        "version": model.version,
        "description": model.description,
        "authors": authors,
        "licenses": licenses,
        "externalReferences": refs,
        "tags": model.tags,
        "modelCard": model_card,
        "properties": props,
    }
    publisher = next((p.name for p in model.developers or [] if p.role == "publisher"), None)
    comp = {k: v for k, v in comp.items() if v not in (None, [], {})}
    comp.update({k: v for k, v in kept.items() if k not in MAPPED_COMPONENT_KEYS})
    if publisher and not comp.get("publisher"):
        comp["publisher"] = publisher
    return comp


#: what CycloneDX has no place for
_UNEXPRESSED = (
    ("training", "training"),
    ("usage", "usage"),
    ("factors", "factors"),
    ("fairness.spreads", "fairness spreads"),
    ("test_methodology.metric_definitions", "metric definitions"),
    ("test_methodology.requirements", "performance requirements"),
)


def export_bom(card: ModelCard, notes: Notes | None = None) -> dict[str, Any]:
    """The CycloneDX 1.6 BOM (a dict) for ``card``."""
    data = dump_card(card)
    model = card.model
    serial = uuid.uuid5(_NS, hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest())
    kept_comp = _ext(card).get("component")
    kept_ref = kept_comp.get("bom-ref") if isinstance(kept_comp, dict) else None
    ref = str(kept_ref) if kept_ref else "model:" + make_id(f"{model.name}@{model.version}")
    data_components, dataset_refs = [], []
    for d in card.datasets or []:
        comp, entry = _dataset(d)
        if comp is not None:
            data_components.append(comp)
        dataset_refs.append(entry)
    component = _component(card, ref, _model_card(card, ref, dataset_refs, notes), notes)
    rest = _ext(card).get("bom")
    rest = rest if isinstance(rest, dict) else {}
    from modelcard import __version__

    deps = (
        [{"ref": ref, "dependsOn": [d["ref"] for d in dataset_refs if "ref" in d]}]
        if any("ref" in d for d in dataset_refs)
        else []
    )
    bom: dict[str, Any] = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": {
            "timestamp": timestamp(card),
            "tools": {"components": [{"type": "application", "name": "modelcard", "version": __version__}]},
            "authors": [clean({"name": a.name, "email": a.email}) for a in card.card.authors or []],
            "component": component,
            **as_dict(rest.get("metadata")),
        },
        "components": [component, *data_components, *[c for c in rest.get("components") or [] if isinstance(c, dict)]],
        "dependencies": deps + [d for d in rest.get("dependencies") or [] if isinstance(d, dict)],
    }
    bom["metadata"] = {k: v for k, v in bom["metadata"].items() if v not in (None, [], {})}
    if not bom["dependencies"]:
        del bom["dependencies"]
    bom.update({k: v for k, v in rest.items() if k not in ("metadata", "components", "dependencies")})
    if notes is not None:
        lost = [label for path, label in _UNEXPRESSED if _present(data, path)]
        if lost:
            _warn(notes, "CycloneDX has no place for: " + "; ".join(lost))
    return bom


def _present(data: dict[str, Any], path: str) -> bool:
    cur: Any = data
    for part in path.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur not in (None, [], {})


def export_text(card: ModelCard, notes: Notes | None = None) -> str:
    return json.dumps(export_bom(card, notes), indent=2, ensure_ascii=False) + "\n"
