"""Model Card Toolkit JSON export (schema v0.0.2): one writer per MCT section.

The output validates against MCT's ``model_card.schema.v0.0.2.json``.  What
an MCT import kept under ``x-mct`` (graphics, documentation, path, licences
and citations as written, non-numeric metrics, links that are not URLs) is
written back where it came from, so MCT -> card -> MCT keeps it; what MCT has
no place for (fairness verdicts, provenance beyond sensitive data, the test
methodology, training, usage...) is reported as a warning.
"""

from __future__ import annotations

import json
from typing import Any

from modelcard.interop._common import UNVERSIONED, Notes, clean, slice_text
from modelcard.interop.mct.importer import EVALUATION_WORDS, EXT, license_of, licenses_for
from modelcard.report.fmt import exact
from modelcard.schema.models import Dataset, ModelCard, ModelIO

SCHEMA_VERSION = "0.0.2"

#: the properties MCT v0.0.2 defines in each section (others may be added inside a section, not at the top)
V002 = {
    "model_details": {
        "name",
        "overview",
        "documentation",
        "owners",
        "version",
        "licenses",
        "references",
        "citations",
        "path",
    },
    "model_parameters": {
        "model_architecture",
        "data",
        "input_format",
        "input_format_map",
        "output_format",
        "output_format_map",
    },
    "quantitative_analysis": {"performance_metrics", "graphics"},
    "considerations": {"users", "use_cases", "limitations", "tradeoffs", "ethical_considerations"},
}


def _ext(section: Any) -> dict[str, Any]:
    value = section.extensions.get(EXT) if section is not None else None
    return value if isinstance(value, dict) else {}


# --------------------------------------------------------------------------
# sections


def model_details(card: ModelCard, notes: Notes | None) -> dict[str, Any]:
    model = card.model
    mext = _ext(model)
    md: dict[str, Any] = {"name": model.name, "overview": model.description}
    if isinstance(mext.get("documentation"), str):
        md["documentation"] = mext["documentation"]
    owners = []
    for p in model.developers or []:
        contact = p.email or _ext(p).get("contact")
        owners.append(clean({"name": p.name, "contact": contact if isinstance(contact, str) else None}))
    md["owners"] = owners
    md["version"] = clean(
        {
            "name": model.version if model.version != UNVERSIONED else None,
            "date": model.date.isoformat()
            if model.date
            else (mext.get("version_date") if isinstance(mext.get("version_date"), str) else None),
            "diff": mext.get("version_diff") if isinstance(mext.get("version_diff"), str) else None,
        }
    )
    if model.license:
        kept = mext.get("licenses")
        md["licenses"] = (
            kept if isinstance(kept, list) and license_of(kept) == model.license else licenses_for(model.license)
        )
    md["references"] = [{"reference": r.url or r.title} for r in model.references or []]
    if model.citation:
        kept = mext.get("citations")
        joined = "\n\n".join(
            c["citation"] for c in kept or [] if isinstance(c, dict) and isinstance(c.get("citation"), str)
        )
        md["citations"] = (
            kept if isinstance(kept, list) and joined == model.citation else [{"citation": model.citation}]
        )
    if isinstance(mext.get("path"), str):
        md["path"] = mext["path"]
    return clean(md)  # type: ignore[no-any-return]


def _io(items: list[ModelIO] | None, kind: str, mp: dict[str, Any]) -> None:
    rest = []
    for io in items or []:
        if io.name == kind and io.type and f"{kind}_format" not in mp:
            mp[f"{kind}_format"] = io.type
        else:
            rest.append(clean({"key": io.name, "value": io.type}))
    if rest:
        mp[f"{kind}_format_map"] = rest


def _dataset(d: Dataset, notes: Notes | None) -> dict[str, Any]:
    dext = _ext(d)
    out: dict[str, Any] = {"name": d.name}
    link = d.url or dext.get("link")
    if isinstance(link, str):
        out["link"] = link
    sens = d.provenance.sensitive_data if d.provenance is not None else None
    if sens is not None and sens.categories:
        out["sensitive"] = {"sensitive_data": list(sens.categories)}
    elif isinstance(dext.get("sensitive"), dict):
        out["sensitive"] = dext["sensitive"]
    for key, value in dext.items():
        if key not in ("link", "sensitive") and key not in out:
            out[key] = value
    if d.description:
        out["description"] = d.description
    guessed = "evaluation" if any(w in d.name.lower() for w in EVALUATION_WORDS) else "training"
    if (
        notes is not None
        and d.role not in (guessed, "test", "validation")
        and not (d.role == "fine-tuning" and guessed == "training")
    ):
        notes.warn(
            f"dataset '{d.id}' is for {d.role}, but MCT has no dataset role and its name reads as {guessed} data",
            code="mct-export",
            path="datasets",
        )
    return out


def model_parameters(card: ModelCard, notes: Notes | None) -> dict[str, Any]:
    model = card.model
    mp: dict[str, Any] = {}
    if model.architecture:
        mp["model_architecture"] = model.architecture
    mp["data"] = [_dataset(d, notes) for d in card.datasets or []]
    _io(model.inputs, "input", mp)
    _io(model.outputs, "output", mp)
    return {k: v for k, v in mp.items() if v not in (None, [], {})}


def _valid_metric(pm: Any) -> bool:
    """Whether a kept MCT metric is still a valid v0.0.2 performance_metric."""
    if not isinstance(pm, dict):
        return False
    if any(k in pm and not isinstance(pm[k], str) for k in ("type", "value", "slice")):
        return False
    ci = pm.get("confidence_interval")
    return ci is None or (
        isinstance(ci, dict) and all(isinstance(v, str) for k, v in ci.items() if k in ("lower_bound", "upper_bound"))
    )


def quantitative_analysis(card: ModelCard, notes: Notes | None) -> dict[str, Any]:
    pms = []
    for m in card.metrics or []:
        if m.value is None:
            continue
        mext = _ext(m)
        pm: dict[str, Any] = {"type": m.name, "value": exact(m.value)}
        parts = [slice_text(m.slice)] if m.slice else []
        if m.dataset:
            parts.append(f"dataset={m.dataset}")
        if m.split and m.dataset:
            parts.append(f"split={m.split}")
        if parts:
            pm["slice"] = ", ".join(parts)
        elif isinstance(mext.get("slice"), str):
            pm["slice"] = mext["slice"]
        ci = m.confidence_interval
        if ci is not None:
            pm["confidence_interval"] = {"lower_bound": exact(ci.lower), "upper_bound": exact(ci.upper)}
        elif isinstance(mext.get("confidence_interval"), dict):
            pm["confidence_interval"] = mext["confidence_interval"]
        if m.decision_threshold is not None:
            pm["threshold"] = exact(m.decision_threshold)
        elif mext.get("threshold") is not None:
            pm["threshold"] = mext["threshold"]
        for key, value in mext.items():
            if key not in pm and key not in ("slice", "confidence_interval", "threshold"):
                pm[key] = value
        if _valid_metric(pm):
            pms.append(pm)
        elif notes is not None:
            notes.warn(
                f"metric '{m.name}' keeps values MCT cannot hold: not written", code="mct-export", path="metrics"
            )
    fairness = card.fairness
    for r in (fairness.results or []) if fairness is not None else []:
        if r.value is not None:
            pm = {"type": r.metric, "value": exact(r.value), "slice": slice_text(r.group)}
            if r.confidence_interval is not None:
                pm["confidence_interval"] = {
                    "lower_bound": exact(r.confidence_interval.lower),
                    "upper_bound": exact(r.confidence_interval.upper),
                }
            pms.append(pm)
    cext = _ext(card)
    for pm in cext.get("performance_metrics") or []:
        if _valid_metric(pm):
            pms.append(pm)
        elif notes is not None:
            notes.warn(f"kept MCT metric {pm!r:.80} is not valid MCT: not written", code="mct-export", path=EXT)
    qa: dict[str, Any] = {"performance_metrics": pms} if pms else {}
    if isinstance(cext.get("graphics"), dict):
        qa["graphics"] = cext["graphics"]
    return qa


def considerations(card: ModelCard) -> dict[str, Any]:
    iu = card.intended_use
    car = card.caveats_and_recommendations
    risks = card.ethical_considerations.risks if card.ethical_considerations else None

    def described(items: list[str] | None) -> list[dict[str, str]]:
        return [{"description": x} for x in items or []]

    limitations = list(car.caveats or []) if car else []
    limitations += [f"Out of scope: {u}" for u in (iu.out_of_scope_uses or [] if iu else [])]
    return clean(  # type: ignore[no-any-return]
        {
            "users": described(iu.primary_users if iu else None),
            "use_cases": described(iu.primary_uses if iu else None),
            "limitations": described(limitations),
            "tradeoffs": described(car.tradeoffs if car else None),
            "ethical_considerations": [
                clean({"name": r.name, "mitigation_strategy": "; ".join(r.mitigations or []) or None})
                for r in risks or []
            ],
        }
    )


def _restore_kept(doc: dict[str, Any], card: ModelCard, notes: Notes | None) -> None:
    """Write values an import kept as invalid back where they were, when MCT v0.0.2 allows them there."""
    kept = _ext(card).get("invalid")
    for where, value in (kept or {}).items() if isinstance(kept, dict) else []:
        section, _, key = str(where).partition(".")
        if section in V002 and key and "." not in key and "[" not in key and key not in V002[section]:
            doc.setdefault(section, {})[key] = value
        elif notes is not None:
            notes.warn(
                f"'{where}' (kept from the MCT source) is not valid MCT: not written", code="mct-export", path=EXT
            )


#: what MCT has no place for: card path -> how it is described in the warning
_UNEXPRESSED = (
    ("test_methodology", "test methodology"),
    ("fairness.summary", "fairness summary"),
    ("fairness.spreads", "fairness spreads"),
    ("ethical_considerations.human_life", "ethical considerations on human life"),
    ("ethical_considerations.sensitive_data_use", "ethical considerations on sensitive data"),
    ("caveats_and_recommendations.recommendations", "recommendations"),
    ("environmental_impact", "environmental impact"),
    ("training", "training"),
    ("usage", "usage"),
    ("factors", "factors"),
    ("card.authors", "card authors"),
)


def _unexpressed(card: ModelCard, notes: Notes | None) -> None:
    if notes is None:
        return
    data = card.model_dump(mode="json", exclude_none=True)
    lost = []
    for path, label in _UNEXPRESSED:
        cur: Any = data
        for part in path.split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
        if cur not in (None, [], {}):
            lost.append(label)
    if any(
        r.disparity is not None or r.verdict != "not_run"
        for r in ((card.fairness.results or []) if card.fairness else [])
    ):
        lost.append("fairness disparities and verdicts (per-group values are written as sliced metrics)")
    if any(r.description for r in ((card.ethical_considerations.risks or []) if card.ethical_considerations else [])):
        lost.append("risk descriptions")
    if any(
        d.provenance is not None and d.provenance.model_dump(exclude_none=True).keys() - {"sensitive_data"}
        for d in card.datasets or []
    ):
        lost.append("dataset provenance other than sensitive data")
    if lost:
        notes.warn("Model Card Toolkit JSON has no place for: " + "; ".join(lost), code="mct-export")


def export_document(card: ModelCard, notes: Notes | None = None) -> dict[str, Any]:
    """The MCT v0.0.2 document (a dict) for ``card``."""
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "model_details": model_details(card, notes),
        "model_parameters": model_parameters(card, notes),
        "quantitative_analysis": quantitative_analysis(card, notes),
        "considerations": considerations(card),
    }
    _restore_kept(doc, card, notes)
    _unexpressed(card, notes)
    return {k: v for k, v in doc.items() if v not in ({}, None)}


def export_text(card: ModelCard, notes: Notes | None = None) -> str:
    return json.dumps(export_document(card, notes), indent=2, ensure_ascii=False) + "\n"
