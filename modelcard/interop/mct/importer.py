"""Model Card Toolkit (Google MCT) JSON import, schema 0.0.1 and 0.0.2: one mapper per MCT section.

* ``model_details`` -> ``model`` (name, overview, version {name, date, diff},
  owners, licenses, references, citations);
* ``model_parameters`` -> architecture, inputs/outputs and datasets (``data[]``);
* ``quantitative_analysis.performance_metrics`` -> ``metrics`` (MCT values are
  strings: numeric ones are parsed, others are kept under ``x-mct`` with a
  warning; an interval keeps no level, as MCT states none);
* ``considerations`` -> intended users and uses, caveats, trade-offs, ethical risks.

Graphics (base64 images), ``documentation``, ``path`` and any other key without
a card field are kept under ``x-mct`` extensions, each decision with a warning
where something could not be read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelcard.diagnostics import CardError, Diagnostic
from modelcard.interop._common import (
    ANY,
    SCALAR,
    STR,
    UNVERSIONED,
    ImportResult,
    Notes,
    conform,
    finish,
    load_json_document,
    make_id,
    nonempty_str,
    parse_date,
    parse_group,
    to_number,
)
from modelcard.interop.licenses import spdx_expression
from modelcard.io.source import Document
from modelcard.safe_text import safe_url
from modelcard.schema.models import SCHEMA_VERSION

FORMAT = "mct"
EXT = "x-mct"
VERSIONS = ("0.0.1", "0.0.2")
SECTIONS = ("model_details", "model_parameters", "quantitative_analysis", "considerations")

_DATASET = {"name": SCALAR, "description": STR, "link": STR, "sensitive": {"sensitive_data": [SCALAR]}, "graphics": ANY}
_KEYVAL = [{"key": SCALAR, "value": ANY}]
#: the shapes this importer reads (MCT schemas 0.0.1 and 0.0.2); anything else is kept verbatim
SPEC = {
    "schema_version": SCALAR,
    "model_details": {
        "name": SCALAR,
        "overview": STR,
        "documentation": ANY,
        "path": ANY,
        "license": STR,
        "citation": STR,
        "owners": [{"name": SCALAR, "contact": SCALAR}],
        "version": {"name": SCALAR, "date": ANY, "diff": STR},
        "licenses": [{"identifier": STR, "custom_text": STR}],
        "references": [ANY],
        "citations": [ANY],
    },
    "model_parameters": {
        "model_architecture": STR,
        "data": ANY,
        "input_format": STR,
        "output_format": STR,
        "input_format_map": _KEYVAL,
        "output_format_map": _KEYVAL,
    },
    "quantitative_analysis": {
        "performance_metrics": [
            {
                "type": SCALAR,
                "value": ANY,
                "slice": SCALAR,
                "threshold": ANY,
                "confidence_interval": {"lower_bound": ANY, "upper_bound": ANY},
            }
        ],
        "graphics": ANY,
    },
    "considerations": {
        "users": [ANY],
        "use_cases": [ANY],
        "limitations": [ANY],
        "tradeoffs": [ANY],
        "ethical_considerations": [{"name": SCALAR, "mitigation_strategy": STR}],
    },
}

#: the words in a dataset's name (or 0.0.1 key) that make it an evaluation dataset
EVALUATION_WORDS = ("eval", "test", "valid")


@dataclass
class _Ctx:
    doc: Document
    notes: Notes
    ext: dict[str, Any] = field(default_factory=dict)
    invalid: dict[str, Any] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)

    def pos(self, *path: Any) -> Any:
        return self.doc.pos(tuple(path))


def descriptions(items: Any) -> list[str]:
    """MCT 0.0.2 wraps considerations as ``{description: ...}``; 0.0.1 uses plain strings."""
    out = []
    for it in items or []:
        if isinstance(it, dict):
            it = it.get("description")
        if nonempty_str(it):
            out.append(it)
    return out


# --------------------------------------------------------------------------
# model_details


def _version(md: dict[str, Any], model: dict[str, Any], model_ext: dict[str, Any], ctx: _Ctx) -> None:
    ver = md.get("version") or {}
    model["version"] = (
        str(ver["name"]) if isinstance(ver, dict) and nonempty_str(str(ver.get("name") or "")) else UNVERSIONED
    )
    if not isinstance(ver, dict):
        return
    if ver.get("date") is not None:
        date = parse_date(ver["date"])
        if date:
            model["date"] = date.isoformat()
        else:
            model_ext["version_date"] = ver["date"]
            ctx.notes.warn(
                f"version date {ver['date']!r} is not a date: kept under model.{EXT}.version_date",
                pos=ctx.pos("model_details", "version", "date"),
                code="mct-date",
            )
    if nonempty_str(ver.get("diff")):
        model_ext["version_diff"] = ver["diff"]


def _owners(md: dict[str, Any], model: dict[str, Any]) -> None:
    owners = [o for o in md.get("owners") or [] if isinstance(o, dict) and nonempty_str(str(o.get("name") or ""))]
    devs = []
    for o in owners:
        p: dict[str, Any] = {"name": str(o["name"])}
        contact = str(o["contact"]) if o.get("contact") is not None else None
        if nonempty_str(contact):
            assert contact is not None
            if "@" in contact and " " not in contact.strip():
                p["email"] = contact
            else:
                p[EXT] = {"contact": contact}
        devs.append(p)
    if devs:
        model["developers"] = devs


def _licenses(md: dict[str, Any], model: dict[str, Any], model_ext: dict[str, Any]) -> None:
    licenses = list(md.get("licenses") or [])
    if nonempty_str(md.get("license")):  # schema 0.0.1: a single string
        licenses = [{"identifier": md["license"]}, *licenses]
    license_ = license_of(licenses)
    if license_ is None:
        return
    model["license"] = license_
    if licenses != licenses_for(license_):
        model_ext["licenses"] = licenses  # as written (identifier or custom text), for export


def license_of(licenses: list[Any]) -> str | None:
    """The card licence for MCT ``licenses``: SPDX ids joined with AND, else the one text (or LicenseRef-custom)."""
    texts = []
    for lic in licenses:
        if isinstance(lic, dict):
            ident = lic.get("identifier") or lic.get("custom_text")
            if nonempty_str(ident):
                texts.append((spdx_expression(ident) or ident) if lic.get("identifier") else ident)
    if not texts:
        return None
    if all(spdx_expression(t) for t in texts):
        return " AND ".join(texts)
    return texts[0] if len(texts) == 1 and len(texts[0]) < 200 else "LicenseRef-custom"


def licenses_for(license_: str) -> list[dict[str, str]]:
    """MCT ``licenses`` for a card licence: an SPDX identifier, or the licence as custom text."""
    return [{"identifier": license_}] if spdx_expression(license_) else [{"custom_text": license_}]


def _references(md: dict[str, Any], model: dict[str, Any], model_ext: dict[str, Any], ctx: _Ctx) -> None:
    refs = []
    for k, r in enumerate(md.get("references") or []):
        url = r.get("reference") if isinstance(r, dict) else r
        if not nonempty_str(url):
            continue
        ref: dict[str, Any] = {"title": url}
        if safe_url(url):
            ref["url"] = url
        else:
            ctx.notes.warn(
                f"reference {url!r} is not an http(s) link: kept as the reference's title only",
                pos=ctx.pos("model_details", "references", k),
                code="mct-link",
            )
        refs.append(ref)
    if refs:
        model["references"] = refs


def _citations(md: dict[str, Any], model: dict[str, Any], model_ext: dict[str, Any]) -> None:
    raw = md.get("citations") or []
    cites = [c.get("citation") if isinstance(c, dict) else c for c in raw]
    if nonempty_str(md.get("citation")):  # schema 0.0.1
        cites.insert(0, md["citation"])
    cites = [c for c in cites if nonempty_str(c)]
    texts: list[str] = [str(c) for c in cites]
    if texts:
        model["citation"] = "\n\n".join(texts)
        written = [{"citation": c} for c in texts]
        as_read = ([{"citation": md["citation"]}] if nonempty_str(md.get("citation")) else []) + [
            c if isinstance(c, dict) else {"citation": c} for c in raw
        ]
        if as_read != written[:1] or len(texts) > 1:
            model_ext["citations"] = as_read  # several, or with a style: written back as they were


def map_model_details(md: dict[str, Any], ctx: _Ctx, name: str | None, fallback: str) -> dict[str, Any]:
    """``model_details`` -> ``model``."""
    given = str(md.get("name") or "")
    model: dict[str, Any] = {"name": name or (given if nonempty_str(given) else fallback)}
    model_ext: dict[str, Any] = {}
    _version(md, model, model_ext, ctx)
    if nonempty_str(md.get("overview")):
        model["description"] = md["overview"]
    for key in ("documentation", "path"):
        if md.get(key) is not None:
            model_ext[key] = md[key]
    _owners(md, model)
    _licenses(md, model, model_ext)
    _references(md, model, model_ext, ctx)
    _citations(md, model, model_ext)
    if model_ext:
        model[EXT] = model_ext
    return model


# --------------------------------------------------------------------------
# model_parameters


def map_model_parameters(mp: dict[str, Any], model: dict[str, Any]) -> None:
    """``model_architecture`` and the input/output formats -> ``model``."""
    if nonempty_str(mp.get("model_architecture")):
        model["architecture"] = mp["model_architecture"]
    for key, target in (("input_format", "inputs"), ("output_format", "outputs")):
        items = []
        if nonempty_str(mp.get(key)):
            items.append({"name": key.split("_")[0], "type": mp[key]})
        for kv in mp.get(f"{key}_map") or []:
            if isinstance(kv, dict) and nonempty_str(str(kv.get("key") or "")):
                value = kv.get("value")
                items.append(
                    {"name": str(kv["key"]), **({"type": str(value)} if nonempty_str(str(value or "")) else {})}
                )
        if items:
            model[target] = items


def map_data(mp: dict[str, Any], ctx: _Ctx) -> list[dict[str, Any]]:
    """``model_parameters.data`` -> ``datasets`` (role from the 0.0.1 key, or guessed from the name)."""
    raw = mp.get("data") or []
    if not isinstance(raw, (list, dict)):
        ctx.invalid["model_parameters.data"] = raw
        ctx.notes.warn(
            f"'model_parameters.data' is {type(raw).__name__}, expected a list of datasets: kept it "
            f"verbatim under {EXT}.invalid",
            pos=ctx.pos("model_parameters", "data"),
            code="wrong-type",
        )
        return []
    v001 = isinstance(raw, dict)  # schema 0.0.1: {train: {...}, eval: {...}}
    items: list[tuple[Any, Any]] = list(raw.items()) if isinstance(raw, dict) else list(enumerate(raw))
    out = []
    for k, ds in items:
        if not isinstance(ds, dict):
            ctx.invalid[f"model_parameters.data.{k}"] = ds
            ctx.notes.warn(
                f"model_parameters.data entry {k!r} is not a mapping: kept under {EXT}.invalid", code="wrong-type"
            )
            continue
        conform(ds, _DATASET, ctx.notes, doc=ctx.doc, path=("model_parameters", "data", k), kept=ctx.invalid, ext=EXT)
        label = ds.get("name") or (f"{k} data" if v001 else f"dataset {k + 1}")
        entry: dict[str, Any] = {"id": make_id(label, ctx.taken), "name": str(label), "role": "training"}
        if any(w in str(k if v001 else label).lower() for w in EVALUATION_WORDS):
            entry["role"] = "evaluation"
        if nonempty_str(ds.get("description")):
            entry["description"] = ds["description"]
        rest = {key: v for key, v in ds.items() if key not in ("name", "description", "link", "sensitive")}
        link = ds.get("link")
        if nonempty_str(link):
            if safe_url(link):
                entry["url"] = link
            else:
                rest["link"] = link
                ctx.notes.warn(
                    f"data link {link!r} is not an http(s) URL: kept under datasets[].{EXT}.link",
                    pos=ctx.pos("model_parameters", "data", k, "link"),
                    code="mct-link",
                )
        sens = ds.get("sensitive")
        categories = sens.get("sensitive_data") if isinstance(sens, dict) else None
        if categories:
            entry["provenance"] = {
                "sensitive_data": {
                    "contains_sensitive_attributes": True,
                    "categories": [str(s) for s in categories if nonempty_str(str(s))],
                }
            }
        elif sens is not None:
            rest["sensitive"] = sens
        if rest:
            entry[EXT] = rest  # graphics and anything else, verbatim
        out.append(entry)
    if out and not v001:
        ctx.notes.warn(
            "MCT data entries do not state their role: named eval/test/validation ones were imported as "
            "'evaluation', the others as 'training'",
            code="mct-role",
        )
    return out


# --------------------------------------------------------------------------
# quantitative_analysis


def _metric(pm: dict[str, Any], k: int, ctx: _Ctx, dataset_ids: set[str]) -> dict[str, Any]:
    m: dict[str, Any] = {"name": str(pm["type"]), "value": to_number(pm["value"])}
    hf: dict[str, Any] = {}
    if to_number(pm.get("threshold")) is not None:
        m["decision_threshold"] = to_number(pm["threshold"])
    elif pm.get("threshold") is not None:
        hf["threshold"] = pm["threshold"]
    rest = {
        key: v for key, v in pm.items() if key not in ("type", "value", "slice", "confidence_interval", "threshold")
    }
    hf.update(rest)
    sl = str(pm["slice"]) if pm.get("slice") is not None else None
    if nonempty_str(sl) and sl is not None:
        if sl.lower() in ("overall", "all"):
            hf["slice"] = sl
        else:
            group = parse_group(sl)
            ds = group.pop("dataset", None)
            split = group.pop("split", None)
            if ds is not None and ds in dataset_ids:
                m["dataset"] = ds
            elif ds is not None:
                group["dataset"] = ds
            if split is not None and "dataset" in m:
                m["split"] = split
            elif split is not None:
                group["split"] = split
            if group:
                m["slice"] = group
    ci = pm.get("confidence_interval") or {}
    lo, hi = to_number(ci.get("lower_bound")), to_number(ci.get("upper_bound"))
    if lo is not None and hi is not None and lo <= hi:
        m["confidence_interval"] = {"lower": lo, "upper": hi}  # MCT states no level: none is invented
    elif ci:
        hf["confidence_interval"] = ci
        ctx.notes.warn(
            f"performance_metrics[{k}].confidence_interval is not two ordered numbers: kept under metrics.{EXT}",
            pos=ctx.pos("quantitative_analysis", "performance_metrics", k),
            code="metric-ci",
        )
    if hf:
        m[EXT] = hf
    return m


def map_quantitative_analysis(qa: dict[str, Any], ctx: _Ctx, dataset_ids: set[str]) -> list[dict[str, Any]]:
    """``performance_metrics`` -> ``metrics``; non-numeric ones and graphics stay under ``x-mct``."""
    metrics, kept = [], []
    for k, pm in enumerate(qa.get("performance_metrics") or []):
        value = to_number(pm.get("value")) if isinstance(pm, dict) else None
        if value is None or not nonempty_str(str(pm.get("type") or "")):
            kept.append(pm)
            shown = pm.get("value") if isinstance(pm, dict) else pm
            ctx.notes.warn(
                f"performance_metrics[{k}] value {shown!r} is not a number: kept it under {EXT}.performance_metrics",
                pos=ctx.pos("quantitative_analysis", "performance_metrics", k),
                code="metric-not-numeric",
            )
            continue
        metrics.append(_metric(pm, k, ctx, dataset_ids))
    if kept:
        ctx.ext["performance_metrics"] = kept
    if qa.get("graphics") is not None:
        ctx.ext["graphics"] = qa["graphics"]
    return metrics


# --------------------------------------------------------------------------
# considerations


def map_considerations(cons: dict[str, Any], data: dict[str, Any], ctx: _Ctx) -> None:
    """Users and use cases -> intended use; limitations, trade-offs -> caveats; risks -> ethical considerations."""
    iu = {
        k: v
        for k, v in (
            ("primary_users", descriptions(cons.get("users"))),
            ("primary_uses", descriptions(cons.get("use_cases"))),
        )
        if v
    }
    if iu:
        data["intended_use"] = iu
    car = {
        k: v
        for k, v in (
            ("caveats", descriptions(cons.get("limitations"))),
            ("tradeoffs", descriptions(cons.get("tradeoffs"))),
        )
        if v
    }
    if car:
        data["caveats_and_recommendations"] = car
    risks = []
    for r in cons.get("ethical_considerations") or []:
        if isinstance(r, dict) and nonempty_str(str(r.get("name") or "")):
            risk: dict[str, Any] = {"name": str(r["name"])}
            if nonempty_str(r.get("mitigation_strategy")):
                risk["mitigations"] = [r["mitigation_strategy"]]
            risks.append(risk)
    if risks:
        data["ethical_considerations"] = {"risks": risks}


# --------------------------------------------------------------------------


def import_mct(path: str | os.PathLike[str], *, name: str | None = None) -> ImportResult:
    """Import a Model Card Toolkit JSON file."""
    src, notes, doc = load_json_document(path)
    mc = doc.data
    if not isinstance(mc, dict) or not (set(mc) & set(SECTIONS)):
        raise CardError(
            [
                Diagnostic(
                    "not a Model Card Toolkit card: none of " + ", ".join(SECTIONS),
                    file=src,
                    line=1,
                    code="not-mct",
                )
            ]
        )
    ctx = _Ctx(doc, notes)
    ctx.invalid = conform(mc, SPEC, notes, doc=doc, ext=EXT)
    version = mc.get("schema_version")
    if version is not None and str(version) not in VERSIONS:
        notes.warn(
            f"schema_version {version!r} is not one this importer knows ({', '.join(VERSIONS)}); "
            "imported the fields it recognises",
            pos=doc.pos(("schema_version",)),
            code="mct-version",
        )
    unknown = {k: v for k, v in mc.items() if k not in (*SECTIONS, "schema_version")}
    if unknown:
        notes.warn(f"unknown top-level keys {sorted(unknown)}: kept under {EXT}", code="mct-unknown")
    ctx.ext.update(unknown)

    model = map_model_details(mc.get("model_details") or {}, ctx, name, Path(src).stem)
    mp = mc.get("model_parameters") or {}
    map_model_parameters(mp, model)
    data: dict[str, Any] = {"card": {"schema_version": SCHEMA_VERSION}, "model": model}
    datasets = map_data(mp, ctx)
    if datasets:
        data["datasets"] = datasets
    metrics = map_quantitative_analysis(mc.get("quantitative_analysis") or {}, ctx, {d["id"] for d in datasets})
    if metrics:
        data["metrics"] = metrics
    map_considerations(mc.get("considerations") or {}, data, ctx)
    if ctx.invalid:
        ctx.ext["invalid"] = ctx.invalid
    if ctx.ext:
        data[EXT] = ctx.ext
    return finish(ImportResult(data, src, FORMAT, notes.items))
