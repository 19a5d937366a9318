"""Model Card Toolkit (Google MCT) JSON import, schema 0.0.1 and 0.0.2.

``model_details`` -> ``model`` (name, overview, version{name, date}, owners,
licenses, references, citations); ``model_parameters`` -> architecture,
inputs/outputs and datasets (``data[]``); ``quantitative_analysis.
performance_metrics`` -> ``metrics`` (MCT values are strings: numeric ones are
parsed, others are kept under ``x-mct`` with a warning); ``considerations`` ->
intended use, caveats, ethical risks.  Graphics (base64 images) and any other
key without a card field are kept under ``x-mct`` extensions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelcard.diagnostics import CardError, Diagnostic
from modelcard.interop._common import (
    ANY,
    SCALAR,
    STR,
    UNVERSIONED,
    ImportResult,
    canonical_license,
    conform,
    finish,
    load_json_document,
    make_id,
    nonempty_str,
    parse_date,
    to_number,
)
from modelcard.safe_text import safe_url
from modelcard.schema.models import SCHEMA_VERSION

FORMAT = "mct"
EXT = "x-mct"
VERSIONS = ("0.0.1", "0.0.2")

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


def _descriptions(items: Any) -> list[str]:
    """MCT 0.0.2 wraps considerations as ``{description: ...}``; 0.0.1 uses plain strings."""
    out = []
    for it in items or []:
        if isinstance(it, dict):
            it = it.get("description")
        if nonempty_str(it):
            out.append(it)
    return out


def import_mct(path: str | Path, *, name: str | None = None) -> ImportResult:
    src, notes, doc = load_json_document(path)
    mc = doc.data
    known = {"schema_version", "model_details", "model_parameters", "quantitative_analysis", "considerations"}
    if not (set(mc) & (known - {"schema_version"})):
        raise CardError(
            [
                Diagnostic(
                    "not a Model Card Toolkit card: none of model_details, model_parameters, "
                    "quantitative_analysis, considerations",
                    file=src,
                    line=1,
                    code="not-mct",
                )
            ]
        )
    invalid = conform(mc, SPEC, notes, doc=doc, ext=EXT)
    version = mc.get("schema_version")
    if version is not None and str(version) not in VERSIONS:
        notes.warn(
            f"schema_version {version!r} is not one this importer knows ({', '.join(VERSIONS)}); "
            "imported the fields it recognises",
            pos=doc.pos(("schema_version",)),
            code="mct-version",
        )
    ext: dict[str, Any] = {k: v for k, v in mc.items() if k not in known}
    if ext:
        notes.warn(f"unknown top-level keys {sorted(ext)}: kept under {EXT}", code="mct-unknown")
    if version is not None:
        ext["schema_version"] = version

    md = mc.get("model_details") or {}
    model: dict[str, Any] = {"name": name or nonempty_str(str(md.get("name") or "")) or Path(src).stem}
    ver = md.get("version") or {}
    if isinstance(ver, dict) and nonempty_str(str(ver.get("name") or "")):
        model["version"] = str(ver["name"])
    else:
        model["version"] = UNVERSIONED
    if isinstance(ver, dict) and ver.get("date") is not None:
        date = parse_date(ver["date"])
        if date:
            model["date"] = date.isoformat()
        else:
            notes.warn(
                f"version date {ver['date']!r} is not a date: kept under model.{EXT}.version_date",
                pos=doc.pos(("model_details", "version", "date")),
                code="mct-date",
            )
    model_ext: dict[str, Any] = {}
    if isinstance(ver, dict) and nonempty_str(ver.get("diff")):
        model_ext["version_diff"] = ver["diff"]
    if isinstance(ver, dict) and ver.get("date") is not None and "date" not in model:
        model_ext["version_date"] = ver["date"]
    if nonempty_str(md.get("overview")):
        model["description"] = md["overview"]
    for key in ("documentation", "path"):
        if md.get(key) is not None:
            model_ext[key] = md[key]
    owners = [o for o in md.get("owners") or [] if isinstance(o, dict) and nonempty_str(str(o.get("name") or ""))]
    if owners:
        model["developers"] = []
        for o in owners:
            p: dict[str, Any] = {"name": str(o["name"])}
            contact = o.get("contact")
            contact = str(contact) if contact is not None else None
            if nonempty_str(contact):
                if "@" in contact and " " not in contact.strip():
                    p["email"] = contact
                else:
                    p[EXT] = {"contact": contact}
            model["developers"].append(p)
    licenses = md.get("licenses") or []
    if nonempty_str(md.get("license")):  # schema 0.0.1: a single string
        licenses = [{"identifier": md["license"]}] + list(licenses)
    texts = []
    for lic in licenses:
        if isinstance(lic, dict):
            ident = lic.get("identifier") or lic.get("custom_text")
            if nonempty_str(ident):
                texts.append(canonical_license(ident) or ident if lic.get("identifier") else ident)
    if texts:
        if all(canonical_license(t) for t in texts):
            model["license"] = " AND ".join(texts)
        else:
            model["license"] = texts[0] if len(texts) == 1 and len(texts[0]) < 200 else "LicenseRef-custom"
            if model["license"] == "LicenseRef-custom" or len(texts) > 1:
                model_ext["licenses"] = licenses
    refs = []
    for r in md.get("references") or []:
        url = r.get("reference") if isinstance(r, dict) else r
        if nonempty_str(url):
            refs.append({"title": url, **({"url": url} if safe_url(url) else {})})
    if refs:
        model["references"] = refs
    cites = [c.get("citation") if isinstance(c, dict) else c for c in md.get("citations") or []]
    if nonempty_str(md.get("citation")):  # schema 0.0.1
        cites.insert(0, md["citation"])
    cites = [c for c in cites if nonempty_str(c)]
    if cites:
        model["citation"] = "\n\n".join(cites)
        styles = [c.get("style") for c in md.get("citations") or [] if isinstance(c, dict) and c.get("style")]
        if styles:
            model_ext["citation_styles"] = styles

    mp = mc.get("model_parameters") or {}
    if nonempty_str(mp.get("model_architecture")):
        model["architecture"] = mp["model_architecture"]
    for key, field in (("input_format", "inputs"), ("output_format", "outputs")):
        items = []
        if nonempty_str(mp.get(key)):
            items.append({"name": key.split("_")[0], "type": mp[key]})
        for kv in mp.get(f"{key}_map") or []:
            if isinstance(kv, dict) and nonempty_str(str(kv.get("key") or "")):
                items.append(
                    {
                        "name": str(kv["key"]),
                        **({"type": str(kv["value"])} if nonempty_str(str(kv.get("value") or "")) else {}),
                    }
                )
        if items:
            model[field] = items
    if model_ext:
        model[EXT] = model_ext

    data: dict[str, Any] = {"card": {"schema_version": SCHEMA_VERSION}, "model": model}
    taken: set[str] = set()
    datasets = []
    raw_data = mp.get("data") or []
    if not isinstance(raw_data, (list, dict)):
        invalid["model_parameters.data"] = raw_data
        notes.warn(
            f"'model_parameters.data' is {type(raw_data).__name__}, expected a list of datasets: kept it "
            f"verbatim under {EXT}.invalid",
            pos=doc.pos(("model_parameters", "data")),
            code="wrong-type",
        )
        raw_data = []
    v001 = isinstance(raw_data, dict)  # schema 0.0.1: {train: {...}, eval: {...}}
    items = [(k, v) for k, v in raw_data.items()] if v001 else list(enumerate(raw_data))
    for k, ds in items:
        if not isinstance(ds, dict):
            invalid[f"model_parameters.data.{k}"] = ds
            notes.warn(
                f"model_parameters.data entry {k!r} is not a mapping: kept under {EXT}.invalid", code="wrong-type"
            )
            continue
        conform(ds, _DATASET, notes, doc=doc, path=("model_parameters", "data", k), kept=invalid, ext=EXT)
        label = ds.get("name") or (f"{k} data" if v001 else f"dataset {k + 1}")
        entry: dict[str, Any] = {"id": make_id(label, taken), "name": str(label), "role": "training"}
        nm = str(k if v001 else label).lower()
        if any(w in nm for w in ("eval", "test", "valid")):
            entry["role"] = "evaluation"
        if nonempty_str(ds.get("description")):
            entry["description"] = ds["description"]
        link = ds.get("link")
        if nonempty_str(link) and safe_url(link):
            entry["url"] = link
        sens = (ds.get("sensitive") or {}).get("sensitive_data") if isinstance(ds.get("sensitive"), dict) else None
        if sens:
            entry["provenance"] = {
                "sensitive_data": {
                    "contains_sensitive_attributes": True,
                    "categories": [str(s) for s in sens if nonempty_str(str(s))],
                }
            }
        rest = {key: v for key, v in ds.items() if key not in ("name", "description", "link", "sensitive")}
        if rest:
            entry[EXT] = rest  # graphics and anything else, verbatim
        datasets.append(entry)
    if datasets:
        data["datasets"] = datasets
    if datasets and not v001:
        notes.warn(
            "MCT data entries do not state their role: named eval/test/validation ones were imported as "
            "'evaluation', the others as 'training'",
            code="mct-role",
        )

    qa = mc.get("quantitative_analysis") or {}
    metrics, kept = [], []
    for k, pm in enumerate(qa.get("performance_metrics") or []):
        value = to_number(pm.get("value")) if isinstance(pm, dict) else None
        if value is None or not nonempty_str(str(pm.get("type") or "")):
            kept.append(pm)
            notes.warn(
                f"performance_metrics[{k}] value {pm.get('value') if isinstance(pm, dict) else pm!r} is not "
                f"a number: kept it under {EXT}.performance_metrics",
                pos=doc.pos(("quantitative_analysis", "performance_metrics", k)),
                code="metric-not-numeric",
            )
            continue
        m: dict[str, Any] = {"name": str(pm["type"]), "value": value}
        if to_number(pm.get("threshold")) is not None:  # schema 0.0.1
            m["decision_threshold"] = to_number(pm["threshold"])
        rest = {
            key: v for key, v in pm.items() if key not in ("type", "value", "slice", "confidence_interval", "threshold")
        }
        if rest:
            m[EXT] = rest
        sl = str(pm["slice"]) if pm.get("slice") is not None else None
        if nonempty_str(sl) and sl.lower() not in ("overall", "all", ""):
            if ":" in sl or "=" in sl:
                attr, _, val = sl.replace("=", ":").partition(":")
                m["slice"] = {attr.strip() or "slice": val.strip() or sl}
            else:
                m["slice"] = {"slice": sl}
        ci = pm.get("confidence_interval") or {}
        lo, hi = to_number(ci.get("lower_bound")), to_number(ci.get("upper_bound"))
        if lo is not None and hi is not None and lo <= hi:
            m["confidence_interval"] = {"lower": lo, "upper": hi}
        elif ci:
            m.setdefault(EXT, {})["confidence_interval"] = ci
            notes.warn(
                f"performance_metrics[{k}].confidence_interval is not two ordered numbers: kept under metrics.{EXT}",
                pos=doc.pos(("quantitative_analysis", "performance_metrics", k)),
                code="metric-ci",
            )
        metrics.append(m)
    if metrics:
        data["metrics"] = metrics
    if kept:
        ext["performance_metrics"] = kept
    if qa.get("graphics"):
        ext["graphics"] = qa["graphics"]

    cons = mc.get("considerations") or {}
    iu = {
        k: v
        for k, v in (
            ("primary_users", _descriptions(cons.get("users"))),
            ("primary_uses", _descriptions(cons.get("use_cases"))),
        )
        if v
    }
    if iu:
        data["intended_use"] = iu
    car = {}
    if _descriptions(cons.get("limitations")):
        car["caveats"] = _descriptions(cons.get("limitations"))
    tradeoffs = _descriptions(cons.get("tradeoffs"))
    if tradeoffs:
        car["caveats"] = car.get("caveats", []) + [f"Trade-off: {t}" for t in tradeoffs]
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
    if invalid:
        ext["invalid"] = invalid
    if ext:
        data[EXT] = ext
    return finish(ImportResult(data, src, FORMAT, notes.items))
