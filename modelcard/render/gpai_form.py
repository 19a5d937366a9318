"""The GPAI Model Documentation Form as plain data: ``render --layout eu-gpai-form``.

The form's sections come in its order, each item with its number, title,
wording, audiences and the card's answer — or marked as not documented.  The
items, their audiences and the fields that answer them are the ``eu-gpai``
profile of :mod:`modelcard.analysis.completeness` (the one place the mapping
lives); this module only turns a card's values into display text::

    from modelcard.render.gpai_form import form_view

    form = form_view(card, audience="downstream")
    for section in form["sections"]:
        for row in section["rows"]:
            print(row["heading"], "✓" if row["filled"] else "—", [e["text"] for e in row["entries"]])

``audience`` is ``ai-office``, ``national-authority`` or ``downstream``; None
gives the whole form, as the provider keeps it, every item showing whom it is
for.  The result is plain data (dicts, lists, strings, booleans): the sandboxed
templates get nothing else.  Text from the card stays Markdown (the templates
render and sanitise it); text made here is plain.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

from pydantic import BaseModel

from modelcard.analysis.completeness import (
    AUDIENCES,
    EU_GPAI,
    ItemSpec,
    applies,
    assess_item,
    resolve,
)
from modelcard.diagnostics import UsageError
from modelcard.schema.models import BaseModelRef, CodeSnippet, ModelCard, TrainingCompute, base_models

__all__ = ["AUDIENCES", "FORM_LAYOUT", "check_audience", "duration_range", "form_view", "magnitude", "parameter_range"]

#: the layout name of the form
FORM_LAYOUT = "eu-gpai-form"

#: labels of fields whose name alone reads poorly
_LABELS = {
    "name": "Model name",
    "version": "Version",
    "family": "Model family",
    "public_versions": "Publicly available versions",
    "base_models": "Base models",
    "base_model": "Base model",
    "license": "Licence",
    "license_url": "Licence text",
    "primary_uses": "Intended uses",
    "out_of_scope_uses": "Restricted or prohibited uses",
    "integration": "Technical means",
    "code": "Code",
    "library": "Library",
    "frameworks": "Software",
    "procedure": "Training process",
    "objective": "Optimised for",
    "design_choices": "Rationale",
    "method": "Method",
    "selection": "Selection",
    "instances": "Number of data points",
    "unit": "Unit",
    "modalities": "Modalities",
    "sources": "Sources",
    "preprocessing": "Curation",
    "flops_method": "Method",
    "hardware": "Hardware",
    "date": "Date",
    "sha256": "SHA-256",
    "endpoint": "Endpoint",
    "signature": "Signature",
    "description": "Description",
}
#: the form's parameter ranges ("Model size range", for national authorities and downstream providers; the
#: exact count is for the AI Office), as the form writes them; a count on a boundary belongs to the range
#: that starts there
_RANGES = (
    (5e8, "1-500M"),
    (5e9, "500M-5B"),
    (1.5e10, "5B-15B"),
    (5e10, "15B-50B"),
    (1e11, "50B-100B"),
    (5e11, "100B-500B"),
    (1e12, "500B-1T"),
)
#: the form's training-time ranges (for national authorities), in months of 365.25 / 12 days
_MONTH_DAYS = 365.25 / 12
_DURATIONS = ((1, "less than 1 month"), (3, "1-3 months"), (6, "3-6 months"))
_INDEX = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>\d+)\])?$")


def check_audience(audience: str | None) -> str | None:
    """``audience`` when it is one of the form's audiences (or None); a usage error naming them otherwise."""
    if audience is not None and audience not in AUDIENCES:
        raise UsageError(f"unknown audience '{audience}'; choose one of: {', '.join(AUDIENCES)}")
    return audience


def form_view(card: ModelCard, audience: str | None = None) -> dict[str, Any]:
    """The Model Documentation Form filled from ``card``, for ``audience`` (None: every item)."""
    check_audience(audience)
    sections: list[dict[str, Any]] = []
    covered = total = 0
    for spec in EU_GPAI.items:
        if not applies(card, spec):
            continue
        if audience is not None and audience not in spec.audiences:
            continue
        row = _row(card, spec)
        total += 1
        covered += row["filled"]
        if not sections or sections[-1]["title"] != spec.section:
            sections.append({"title": spec.section, "rows": []})
        sections[-1]["rows"].append(row)
    provider = card.regulatory.provider if card.regulatory else None
    return {
        "title": "Model Documentation Form",
        "reference": EU_GPAI.reference,
        "audience": audience or "",
        "audience_name": AUDIENCES[audience] if audience else "",
        "audiences": [{"key": k, "name": v} for k, v in AUDIENCES.items()],
        "model_name": card.model.name,
        "model_version": card.model.version,
        "provider": provider.legal_name if provider else "",
        "last_updated": card.card.date.isoformat() if card.card.date else "",
        "document_version": card.card.version or "",
        "covered": covered,
        "total": total,
        "sections": sections,
    }


def _row(card: ModelCard, spec: ItemSpec) -> dict[str, Any]:
    item = assess_item(card, spec)
    entries = _display(card, spec) if spec.display else []
    if not entries:
        entries = [entry for path in spec.shown_paths() for entry in _entries(card, path)]
        entries.sort(key=lambda e: e["dataset"])  # stable: each dataset's answers together, in the item's order
    return {
        "id": spec.id,
        "number": spec.number,
        "title": spec.title,
        "heading": spec.heading,
        "question": spec.question,
        "basis": spec.basis,
        "audiences": [AUDIENCES[a] for a in spec.audiences],
        "audience_keys": list(spec.audiences),
        "filled": item.covered,
        "partial": bool(entries) and not item.covered,
        "entries": entries,
        "missing": list(item.missing),
    }


# --------------------------------------------------------------------------
# values at card paths


def _value_at(card: ModelCard, concrete: str) -> Any:
    """The value at a concrete path such as ``datasets[0].provenance.sources[1]``."""
    node: Any = card
    for segment in concrete.split("."):
        m = _INDEX.match(segment)
        if m is None or node is None:
            return None
        node = getattr(node, m.group("name"), None)
        if m.group("index") is not None:
            node = node[int(m.group("index"))] if isinstance(node, list) else None
    return node


def _label(card: ModelCard, concrete: str) -> str:
    """A reader's label for a concrete path: the field's name, after the dataset's when it is in one."""
    name = _INDEX.match(concrete.rsplit(".", 1)[-1])
    field = name.group("name") if name else concrete
    label = _LABELS.get(field, field.replace("_", " ").capitalize())
    m = re.match(r"^datasets\[(\d+)\]", concrete)
    if m and card.datasets:
        lowered = label[:1].lower() + label[1:] if label[1:2].islower() else label
        return f"{card.datasets[int(m.group(1))].name}: {lowered}"
    return label


def _entries(card: ModelCard, path: str) -> list[dict[str, Any]]:
    out = []
    for concrete in resolve(card, path):
        value = _value_at(card, concrete)
        m = re.match(r"^datasets\[(\d+)\]", concrete)
        dataset = int(m.group(1)) if m else -1
        if isinstance(value, BaseModel) and not _lead_field(value):  # a section: one entry per field
            for name in type(value).model_fields:
                text, block = _text(getattr(value, name))
                if text:
                    out.append(_entry(_label(card, f"{concrete}.{name}"), text, block, dataset))
            continue
        text, block = _text(value)
        if text:
            out.append(_entry(_label(card, concrete), text, block, dataset))
    return out


def _entry(label: str, text: str, block: bool = False, dataset: int = -1) -> dict[str, Any]:
    """One answer: a label, its text (Markdown), whether it is a block; ``dataset``: index of its dataset."""
    return {"label": label, "text": text, "block": block, "dataset": dataset}


def _text(value: Any) -> tuple[str, bool]:
    """Display text for a card value, and whether it is a block (several lines)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, (int, float)):
        return _number(value), False
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat(), False
    if isinstance(value, str):
        return value.strip(), "\n" in value.strip()
    if isinstance(value, list):
        parts = [_text(v)[0] for v in value]
        parts = [p for p in parts if p]
        if len(parts) == 1:
            return parts[0], "\n" in parts[0]
        return "\n".join(f"- {_indent(p)}" for p in parts), True
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)[0]}" for k, v in value.items()), False
    if isinstance(value, BaseModel):
        text = _section_text(value)
        return text, "\n" in text
    return str(value), False


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")


def _lead_field(section: BaseModel) -> str | None:
    """The field that names a section (a source's name, a standard's reference), if it has one."""
    fields = type(section).model_fields
    return next((n for n in ("name", "title", "reference", "legal_name", "kind") if n in fields), None)


#: fields shown in parentheses after a section's name: what kind of thing it is
_QUALIFIERS = ("kind", "relation", "version", "access")
#: how the distribution kinds read
_KINDS = {
    "enterprise-suite": "Enterprise or subscription software suite",
    "api": "API",
    "ide": "Integrated development environment",
    "app-or-firmware": "Device-specific application or firmware",
    "open-repository": "Open repository",
    "other": "Other",
}
#: how the kinds of additional assets read
_ASSET_KINDS = {
    "training-data": "training data",
    "data-processing-code": "data-processing code",
    "training-code": "training code",
    "inference-code": "inference code",
    "evaluation-code": "evaluation code",
    "other": "other",
}


def _section_text(section: BaseModel) -> str:
    """One line for a section: its name, (what kind), <link>: description; other fields."""
    if isinstance(section, CodeSnippet):
        lead = f"{' '.join(section.description.split())}\n\n" if section.description else ""
        fence = "~~~~" if "~~~" in section.code else "~~~"
        return f"{lead}{fence}{section.language}\n{section.code.rstrip()}\n{fence}"
    head = _lead_field(section)
    lead = _text(getattr(section, head))[0] if head else ""
    quals, rest = [], []
    url = description = ""
    for name in type(section).model_fields:
        if name == head:
            continue
        text, _ = _text(getattr(section, name))
        text = " ".join(text.split())
        if not text:
            continue
        if name in _QUALIFIERS:
            quals.append(text if name != "version" else f"version {text}")
        elif name == "url":
            url = f"<{text}>"
        elif name == "description":
            description = text
        else:
            rest.append(f"{name.replace('_', ' ')}: {text}")
    line = " ".join(bit for bit in (lead, f"({', '.join(quals)})" if quals else "", url) if bit)
    tail = "; ".join(bit for bit in (description, *rest) if bit)
    return f"{line}: {tail}" if line and tail else line or tail


def _number(value: float) -> str:
    """``1340000000`` -> ``1.34 × 10^9 (1,340,000,000)``; small numbers as written."""
    if isinstance(value, int) and abs(value) < 1_000_000:
        return f"{value:,}"
    if abs(value) >= 1e6:
        mantissa, exponent = f"{value:.3g}".split("e") if "e" in f"{value:.3g}" else (f"{value:.3g}", "0")
        if exponent == "0":
            mantissa, exponent = f"{value:.2e}".split("e")
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa} × 10^{int(exponent)}"
        return f"{text} ({value:,})" if isinstance(value, int) else text
    return f"{value:,.6g}"


def parameter_range(parameters: int | float) -> str:
    """The form's range a parameter count belongs to, e.g. ``1.34e9`` -> ``500M-5B``."""
    for bound, text in _RANGES:
        if parameters < bound:
            return text
    return ">1T"


def duration_range(hours: float) -> str:
    """The form's range a training time falls in, e.g. ``110`` hours -> ``less than 1 month``."""
    months = hours / 24 / _MONTH_DAYS
    for bound, text in _DURATIONS:
        if months < bound:
            return text
    return "more than 6 months"


def magnitude(value: float) -> str:
    """The decade a positive number falls in: ``8.5e21`` -> ``between 10^21 and 10^22``."""
    if value <= 0:
        return _number(value)
    exponent = math.floor(math.log10(value))
    if 10.0**exponent > value:  # log10 rounded up just below a power of ten
        exponent -= 1
    elif 10.0 ** (exponent + 1) <= value:  # ... or down at one
        exponent += 1
    return f"between 10^{exponent} and 10^{exponent + 1}"


# --------------------------------------------------------------------------
# derived displays (ItemSpec.display)


def _display(card: ModelCard, spec: ItemSpec) -> list[dict[str, Any]]:
    model, training = card.model, card.training
    compute = training.compute if training else None
    if spec.display == "dependencies":
        bases = base_models(model)
        if bases:
            return [_entry("Base models", "\n".join(f"- {_base_text(b)}" for b in bases), True)]
        if training is not None and training.from_scratch:
            return [_entry("Model dependencies", "N/A: trained from scratch, not modified from another model")]
        return []
    if spec.display == "modalities":
        ios = model.inputs if spec.id == "2.3" else model.outputs
        lines = []
        for io in ios or []:
            modality = io.modality or "modality not stated"
            size = f"maximum size {io.max_size}" if io.max_size else "maximum size not stated"
            lines.append(f"- {modality.capitalize()} ({io.name}): {size}")
        return [_entry("Modalities", "\n".join(lines), True)] if lines else []
    if spec.display == "parameters" and model.parameters is not None:
        return [_entry("Parameters", f"{_number(model.parameters)} parameters")]
    if spec.display == "parameter_range" and model.parameters is not None:
        return [_entry("Parameters", f"{parameter_range(model.parameters)} parameters")]
    if spec.display == "channels":
        lines = []
        for ch in card.distribution.channels or [] if card.distribution else []:
            access = f"{ch.access}-level access" if ch.access in ("weights", "fine-tuning") else ch.access
            bits = [_KINDS[ch.kind] + (f": {ch.name}" if ch.name else "")]
            if ch.url:
                bits.append(f"<{ch.url}>")
            if access:
                bits.append(f"({access})")
            line = " ".join(bits) + (f". {' '.join(ch.description.split())}" if ch.description else "")
            lines.append(f"- {line}")
        return [_entry("Channels", "\n".join(lines), True)] if lines else []
    if spec.display == "training_time_range" and training is not None and training.hours is not None:
        return [_entry("Training time", duration_range(training.hours))]
    if spec.display == "training_time":
        out = []
        if training is not None and training.hours is not None:
            out.append(_entry("Wall-clock time", f"{training.hours / 24:.1f} days ({_number(training.hours)} h)"))
        if compute is not None and compute.hardware_days is not None:
            on = f" on {training.hardware}" if training is not None and training.hardware else ""
            out.append(_entry("Hardware time", f"{_number(compute.hardware_days)} hardware-days{on}"))
        return out
    if spec.display == "flops" and compute is not None and compute.flops is not None:
        return [_entry("Training compute", f"{_number(compute.flops)} FLOP")]
    if spec.display == "flops_magnitude" and compute is not None and compute.flops is not None:
        return [_entry("Training compute", f"{magnitude(compute.flops)} FLOP")]
    if spec.display == "assets":
        return _assets(card)
    if spec.display == "training_energy":
        return _energy(card, compute)
    if spec.display == "inference":
        inference = card.environmental_impact.inference if card.environmental_impact else None
        out = []
        if inference is not None and inference.flops is not None:
            out.append(_entry("Inference compute", f"{_number(inference.flops)} FLOP per benchmarked task"))
        if inference is not None and inference.energy_kwh is not None:
            out.append(_entry("Inference energy", f"{_number(inference.energy_kwh)} kWh per benchmarked task"))
        return out
    if spec.display == "results":
        return _entries(card, "regulatory.systemic_risk_documentation.evaluation_strategies") + _results(card)
    return []


def _assets(card: ModelCard) -> list[dict[str, Any]]:
    distribution = card.distribution
    if distribution is None:
        return []
    lines = []
    for asset in distribution.assets or []:
        bits = [asset.name + (f" ({_ASSET_KINDS[asset.kind]})" if asset.kind else "")]
        if asset.url:
            bits.append(f"<{asset.url}>")
        line = " ".join(bits)
        tail = []
        if asset.access:
            access = " ".join(asset.access.split())
            tail.append(access if access.endswith((".", "!", "?")) else f"{access}.")
        if asset.license:
            tail.append(f"Licence: {asset.license}.")
        lines.append(f"- {line}" + (f": {' '.join(tail)}" if tail else ""))
    if lines:
        return [_entry("Additional assets", "\n".join(lines), True)]
    if distribution.no_additional_assets:
        return [_entry("Additional assets", "None: nothing is made available besides the model itself")]
    return []


def _base_text(base: BaseModelRef) -> str:
    bits = [b for b in (base.relation, f"version {base.version}" if base.version else None) if b]
    return base.name + (f" ({', '.join(bits)})" if bits else "")


def _energy(card: ModelCard, compute: TrainingCompute | None) -> list[dict[str, Any]]:
    impact = card.environmental_impact
    if impact is not None and impact.energy_kwh is not None:
        return [_entry("Training energy", f"{_number(impact.energy_kwh / 1000)} MWh")]
    estimate = compute.estimated_energy_mwh if compute is not None else None
    if compute is None or estimate is None:
        return []
    assert compute.hardware_days is not None and compute.device_power_w is not None  # as estimate is not None
    how = (
        f"{_number(compute.hardware_days)} hardware-days × 24 h × {_number(compute.device_power_w)} W"
        f" × PUE {_number(compute.pue or 1.0)}"
    )
    return [_entry("Training energy", f"≈ {estimate:.2g} MWh, estimated from the compute used ({how})")]


def _results(card: ModelCard) -> list[dict[str, Any]]:
    lines = []
    for m in card.metrics or []:
        if m.category not in ("capability", "safety"):
            continue
        dataset = card.dataset(m.dataset) if m.dataset else None
        bench = dataset.name if dataset else (m.dataset or "")
        if dataset is not None and dataset.version:
            bench += f" {dataset.version}"
        value = "undefined" if m.value is None else _number(m.value)
        if m.confidence_interval is not None:
            value += f" [{_number(m.confidence_interval.lower)}, {_number(m.confidence_interval.upper)}]"
        setting = _text(m.args)[0] if m.args else ""
        by = m.source.name if m.source and m.source.name else ""
        parts = [f"{m.category}: {bench} — {m.display_name or m.name} {value}".strip()]
        if setting:
            parts.append(f"setting {setting}")
        if by:
            parts.append(f"run by {by}")
        if m.source and m.source.url:
            parts.append(f"<{m.source.url}>")
        lines.append("- " + "; ".join(parts))
    return [_entry("Results", "\n".join(lines), True)] if lines else []
