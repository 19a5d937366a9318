"""CycloneDX 1.6 ML-BOM: export a card as a BOM, import the ``modelCard`` of a BOM.

Export writes one ``machine-learning-model`` component (``metadata.component``
and ``components[0]``) whose ``modelCard`` carries the model parameters,
performance metrics (overall and per slice, with confidence intervals),
fairness results as ``fairnessAssessments`` plus per-group metrics, and the
considerations (users, use cases, limitations, ethical risks, environmental
cost).  Datasets become ``data`` components referenced from the model card.
Output is deterministic: the serial number is a UUID5 of the card content and
the timestamp comes from ``card.date`` (or ``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import uuid
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
    clean,
    conform,
    dump_card,
    finish,
    load_json_document,
    make_id,
    nonempty_str,
    to_number,
)
from modelcard.safe_text import safe_url
from modelcard.schema.models import SCHEMA_VERSION

FORMAT = "cyclonedx"
SPEC_VERSION = "1.6"
EXT = "x-cyclonedx"
_NS = uuid.UUID("6f1c1f5e-6a53-5d55-9f0e-6d6f64656c63")  # namespace for serial numbers of modelcard BOMs


def _fmt(x: float) -> str:
    return repr(float(x)) if not float(x).is_integer() else str(float(x))


def _slice(group: dict | None) -> str | None:
    return ", ".join(f"{k}={v}" for k, v in group.items()) if group else None


def _license(text: str) -> list[dict]:
    canon = canonical_license(text)
    if canon:
        return [{"license": {"id": canon}}]
    if any(op in f" {text} " for op in (" AND ", " OR ", " WITH ")):
        return [{"expression": text}]
    return [{"license": {"name": text}}]


def _timestamp(data: dict) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    date = (data.get("card") or {}).get("date") or (data.get("model") or {}).get("date")
    if date:
        return f"{date}T00:00:00Z"
    return "1970-01-01T00:00:00Z"


def export_bom(card: Any) -> dict:
    """The CycloneDX 1.6 BOM (a dict) for a card."""
    data = dump_card(card) if not isinstance(card, dict) else card
    model = data["model"]
    content = json.dumps(data, sort_keys=True, default=str)
    serial = uuid.uuid5(_NS, hashlib.sha256(content.encode()).hexdigest())
    ref = "model:" + make_id(f"{model['name']}@{model['version']}")

    dataset_components = []
    dataset_refs = []
    for ds in data.get("datasets") or []:
        dref = f"dataset:{ds['id']}"
        prov = ds.get("provenance") or {}
        sens = prov.get("sensitive_data") or {}
        comp: dict[str, Any] = {
            "bom-ref": dref,
            "type": "data",
            "name": ds["name"],
            "version": ds.get("version"),
            "description": ds.get("description"),
            "hashes": [{"alg": "SHA-256", "content": ds["sha256"].lower()}] if ds.get("sha256") else None,
            "licenses": _license(prov["licensing"]["license"])
            if (prov.get("licensing") or {}).get("license")
            else None,
            "externalReferences": [{"type": "distribution", "url": ds["url"]}] if ds.get("url") else None,
            "data": [
                clean(
                    {
                        "type": "dataset",
                        "name": ds["name"],
                        "contents": {"url": ds["url"]} if ds.get("url") else None,
                        "sensitiveData": sens.get("categories"),
                        "governance": {
                            "custodians": [{"organization": {"name": (prov.get("maintenance") or {})["maintainer"]}}]
                        }
                        if (prov.get("maintenance") or {}).get("maintainer")
                        else None,
                    }
                )
            ],
            "properties": [
                {"name": "modelcard:dataset:role", "value": ds["role"]},
                {"name": "modelcard:dataset:id", "value": ds["id"]},
            ],
        }
        dataset_components.append(clean(comp))
        dataset_refs.append({"ref": dref})

    metrics = []
    for m in data.get("metrics") or []:
        if m.get("value") is None:
            continue
        pm: dict[str, Any] = {"type": m["name"], "value": _fmt(m["value"])}
        sl = _slice(m.get("slice"))
        parts = [
            p
            for p in (
                sl,
                f"dataset={m['dataset']}" if m.get("dataset") else None,
                f"split={m['split']}" if m.get("split") else None,
            )
            if p
        ]
        if parts:
            pm["slice"] = "; ".join(parts)
        ci = m.get("confidence_interval")
        if ci:
            pm["confidenceInterval"] = {"lowerBound": _fmt(ci["lower"]), "upperBound": _fmt(ci["upper"])}
        metrics.append(pm)
    fairness = data.get("fairness") or {}
    assessments = []
    for r in fairness.get("results") or []:
        if r.get("value") is not None:
            pm = {"type": r["metric"], "value": _fmt(r["value"]), "slice": _slice(r["group"])}
            ci = r.get("confidence_interval")
            if ci:
                pm["confidenceInterval"] = {"lowerBound": _fmt(ci["lower"]), "upperBound": _fmt(ci["upper"])}
            metrics.append(pm)
        disp = r.get("disparity") or {}
        words = [f"{r['metric']} = {_fmt(r['value'])}" if r.get("value") is not None else f"{r['metric']} undefined"]
        if r.get("reference_group"):
            words.append(
                f"reference {_slice(r['reference_group'])}"
                + (f" = {_fmt(r['reference_value'])}" if r.get("reference_value") is not None else "")
            )
        for conv in ("difference", "ratio"):
            d = disp.get(conv) or {}
            if d.get("value") is not None:
                words.append(f"{conv} {_fmt(d['value'])}")
        th = r.get("threshold")
        if th:
            words.append(f"threshold on {th['convention']}: [{th.get('min', '-inf')}, {th.get('max', '+inf')}]")
        words.append(f"verdict: {r['verdict']}")
        fa: dict[str, Any] = {"groupAtRisk": _slice(r["group"])}
        fa["harms" if r["verdict"] in ("fail", "inconclusive") else "benefits"] = "; ".join(words)
        assessments.append(fa)

    iu = data.get("intended_use") or {}
    car = data.get("caveats_and_recommendations") or {}
    risks = (data.get("ethical_considerations") or {}).get("risks") or []
    env = data.get("environmental_impact") or {}
    env_cons = None
    if env.get("energy_kwh") is not None:
        ec: dict[str, Any] = {
            "activity": "training",
            "energyProviders": [],
            "activityEnergyCost": {"value": env["energy_kwh"], "unit": "kWh"},
        }
        if env.get("co2_eq_kg") is not None:
            ec["co2CostEquivalent"] = {"value": env["co2_eq_kg"] / 1000, "unit": "tCO2eq"}
        env_cons = {"energyConsumptions": [ec]}
    env_props = [
        {"name": f"modelcard:environmental_impact:{k}", "value": str(env[k])}
        for k in ("hardware", "hours", "cloud_provider", "region", "co2_eq_kg", "method")
        if env.get(k) is not None
    ]
    if env_props:
        env_cons = env_cons or {}
        env_cons["properties"] = env_props

    model_card = clean(
        {
            "bom-ref": f"{ref}:modelcard",
            "modelParameters": {
                "task": model.get("type"),
                "architectureFamily": model.get("architecture"),
                "modelArchitecture": model.get("architecture"),
                "datasets": dataset_refs,
                "inputs": [
                    {"format": f"{i['name']}" + (f" ({i['type']})" if i.get("type") else "")}
                    for i in model.get("inputs") or []
                ],
                "outputs": [
                    {"format": f"{o['name']}" + (f" ({o['type']})" if o.get("type") else "")}
                    for o in model.get("outputs") or []
                ],
            },
            "quantitativeAnalysis": {"performanceMetrics": metrics},
            "considerations": {
                "users": iu.get("primary_users"),
                "useCases": iu.get("primary_uses"),
                "technicalLimitations": (car.get("caveats") or [])
                + [f"Out of scope: {u}" for u in iu.get("out_of_scope_uses") or []],
                "ethicalConsiderations": [
                    clean(
                        {
                            "name": r["name"] + (f": {r['description']}" if r.get("description") else ""),
                            "mitigationStrategy": " ".join(r.get("mitigations") or []) or None,
                        }
                    )
                    for r in risks
                ],
                "fairnessAssessments": assessments,
                "environmentalConsiderations": env_cons,
            },
            "properties": [{"name": "modelcard:schema_version", "value": SCHEMA_VERSION}]
            + ([{"name": "modelcard:summary", "value": fairness["summary"]}] if fairness.get("summary") else [])
            + [{"name": "modelcard:recommendation", "value": r} for r in car.get("recommendations") or []],
        }
    )

    refs = []
    if model.get("repository"):
        refs.append({"type": "distribution", "url": model["repository"]})
    for r in model.get("references") or []:
        if r.get("url"):
            refs.append({"type": "documentation", "url": r["url"], "comment": r["title"]})
    component = clean(
        {
            "bom-ref": ref,
            "type": "machine-learning-model",
            "name": model["name"],
            "version": model["version"],
            "description": model.get("description"),
            "authors": [clean({"name": p["name"], "email": p.get("email")}) for p in model.get("developers") or []],
            "licenses": _license(model["license"]) if model.get("license") else None,
            "externalReferences": refs,
            "modelCard": model_card,
            "properties": [
                p
                for p in (
                    {"name": "modelcard:base_model", "value": model["base_model"]} if model.get("base_model") else None,
                    {"name": "modelcard:citation", "value": model["citation"]} if model.get("citation") else None,
                    {"name": "modelcard:contact", "value": model["contact"]} if model.get("contact") else None,
                )
                if p
            ]
            + [{"name": "modelcard:language", "value": lang} for lang in model.get("languages") or []],
        }
    )
    card_meta = data.get("card") or {}
    bom = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": clean(
            {
                "timestamp": _timestamp(data),
                "tools": {"components": [{"type": "application", "name": "modelcard", "version": _version()}]},
                "authors": [
                    clean({"name": a["name"], "email": a.get("email")}) for a in card_meta.get("authors") or []
                ],
                "component": component,
            }
        ),
        "components": [component] + dataset_components,
        "dependencies": [{"ref": ref, "dependsOn": [d["ref"] for d in dataset_refs]}] if dataset_refs else None,
    }
    return clean(bom)


def _version() -> str:
    from modelcard import __version__

    return __version__


def export_text(card: Any) -> str:
    return json.dumps(export_bom(card), indent=2, ensure_ascii=False) + "\n"


# ==========================================================================
# import

_IO = [{"format": SCALAR}]
#: the parts of a BOM this importer reads (types per the CycloneDX 1.6 schema); others are kept verbatim
COMPONENT = {
    "type": SCALAR,
    "name": SCALAR,
    "group": SCALAR,
    "version": SCALAR,
    "description": STR,
    "publisher": SCALAR,
    "bom-ref": SCALAR,
    "licenses": [{"license": {"id": SCALAR, "name": SCALAR}, "expression": SCALAR}],
    "authors": [{"name": SCALAR}],
    "externalReferences": [{"type": SCALAR, "url": SCALAR}],
    "modelCard": {
        "modelParameters": {
            "task": SCALAR,
            "architectureFamily": SCALAR,
            "modelArchitecture": SCALAR,
            "approach": ANY,
            "inputs": _IO,
            "outputs": _IO,
            "datasets": [{"ref": SCALAR, "name": SCALAR, "contents": {"url": SCALAR}}],
        },
        "quantitativeAnalysis": {
            "performanceMetrics": [
                {
                    "type": SCALAR,
                    "value": ANY,
                    "slice": SCALAR,
                    "confidenceInterval": {"lowerBound": ANY, "upperBound": ANY},
                }
            ],
            "graphics": ANY,
        },
        "considerations": {
            "users": [SCALAR],
            "useCases": [SCALAR],
            "technicalLimitations": [SCALAR],
            "performanceTradeoffs": [SCALAR],
            "ethicalConsiderations": [{"name": SCALAR, "mitigationStrategy": SCALAR}],
            "fairnessAssessments": [
                {"groupAtRisk": SCALAR, "benefits": SCALAR, "harms": SCALAR, "mitigationStrategy": SCALAR}
            ],
            "environmentalConsiderations": {
                "energyConsumptions": [
                    {"activity": SCALAR, "activityEnergyCost": {"value": ANY}, "co2CostEquivalent": {"value": ANY}}
                ]
            },
        },
    },
}
BOM = {"bomFormat": SCALAR, "serialNumber": SCALAR, "metadata": {"component": COMPONENT}, "components": [COMPONENT]}


def import_bom(path: str | Path, *, name: str | None = None) -> ImportResult:
    """Import the first machine-learning-model component's ``modelCard`` of a CycloneDX JSON BOM."""
    src, notes, doc = load_json_document(path)
    bom = doc.data
    if bom.get("bomFormat") != "CycloneDX":
        raise CardError(
            [
                Diagnostic(
                    "not a CycloneDX BOM: 'bomFormat' is not \"CycloneDX\"", file=src, line=1, code="not-cyclonedx"
                )
            ]
        )
    invalid = conform(bom, BOM, notes, doc=doc, ext=EXT)
    serial = bom.get("serialNumber")
    import re

    if serial is not None and not re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", str(serial)
    ):
        notes.warn(
            f"serialNumber {serial!r} is not a urn:uuid (invalid CycloneDX); kept under {EXT}.serialNumber",
            pos=doc.pos(("serialNumber",)),
            code="cyclonedx-invalid",
        )
    candidates = []
    meta = (bom.get("metadata") or {}).get("component")
    if isinstance(meta, dict):
        candidates.append((("metadata", "component"), meta))
    candidates += [(("components", i), c) for i, c in enumerate(bom.get("components") or []) if isinstance(c, dict)]
    found = [(p, c) for p, c in candidates if c.get("type") == "machine-learning-model"]
    if not found:
        raise CardError(
            [
                Diagnostic(
                    "the BOM has no component of type 'machine-learning-model' to import",
                    file=src,
                    line=1,
                    code="no-model",
                )
            ]
        )
    path_, comp = found[0]
    if len(found) > 1:
        notes.warn(
            f"the BOM has {len(found)} machine-learning-model components; imported the first ({comp.get('name')!r})",
            code="cyclonedx-many",
        )
    mc = comp.get("modelCard") or {}
    data: dict[str, Any] = {"card": {"schema_version": SCHEMA_VERSION}}
    model: dict[str, Any] = {
        "name": name
        or "/".join(str(x) for x in (comp.get("group"), comp.get("name")) if x not in (None, ""))
        or "unnamed model",
        "version": str(comp.get("version") or UNVERSIONED),
    }
    if nonempty_str(comp.get("description")):
        model["description"] = comp["description"]
    params = mc.get("modelParameters") or {}
    if nonempty_str(str(params.get("task") or "")):
        model["type"] = str(params["task"])
    arch = params.get("modelArchitecture") or params.get("architectureFamily")
    if nonempty_str(str(arch or "")):
        model["architecture"] = str(arch)
    for key, field in (("inputs", "inputs"), ("outputs", "outputs")):
        items = [{"name": str(i["format"])} for i in params.get(key) or [] if nonempty_str(str(i.get("format") or ""))]
        if items:
            model[field] = items
    lic = comp.get("licenses") or []
    if lic and isinstance(lic[0], dict):
        first = lic[0]
        text_ = (
            first.get("expression")
            or (first.get("license") or {}).get("id")
            or (first.get("license") or {}).get("name")
        )
        text_ = str(text_) if text_ is not None else None
        if nonempty_str(text_):
            canon = canonical_license(text_)
            if canon and canon != text_:
                notes.warn(
                    f"licence id {text_!r} is not in canonical SPDX case (CycloneDX requires {canon!r}); "
                    f"imported as {canon!r}",
                    pos=doc.pos(path_ + ("licenses",)),
                    code="cyclonedx-invalid",
                )
            model["license"] = canon or text_
    dev = [{"name": str(a["name"])} for a in comp.get("authors") or [] if nonempty_str(str(a.get("name") or ""))]
    if not dev and nonempty_str(str(comp.get("publisher") or "")):
        dev = [{"name": str(comp["publisher"]), "role": "publisher"}]
    if dev:
        model["developers"] = dev
    for ref in comp.get("externalReferences") or []:
        if isinstance(ref, dict) and ref.get("type") in ("distribution", "website", "vcs") and safe_url(ref.get("url")):
            model["repository"] = ref["url"]
            break
    data["model"] = model

    taken: set[str] = set()
    datasets = []
    for k, ds in enumerate(params.get("datasets") or []):
        if not isinstance(ds, dict):
            continue
        if "ref" in ds:
            target = next(
                (c for c in bom.get("components") or [] if isinstance(c, dict) and c.get("bom-ref") == ds["ref"]), None
            )
            ds_name = str((target or {}).get("name") or ds["ref"])
            entry = {"id": make_id(ds_name, taken), "name": ds_name, "role": "training", EXT: {"ref": ds["ref"]}}
        else:
            ds_name = str(ds.get("name") or f"dataset {k + 1}")
            entry = {"id": make_id(ds_name, taken), "name": ds_name, "role": "training"}
            url = (ds.get("contents") or {}).get("url")
            if safe_url(url):
                entry["url"] = url
            rest = {key: v for key, v in ds.items() if key not in ("name", "contents")}
            if rest:
                entry[EXT] = rest
        datasets.append(entry)
    if datasets:
        data["datasets"] = datasets
        notes.warn(
            "CycloneDX does not say whether a dataset was used for training or evaluation; "
            "imported them with role 'training'",
            code="cyclonedx-role",
        )

    metrics, kept = [], []
    for k, pm in enumerate((mc.get("quantitativeAnalysis") or {}).get("performanceMetrics") or []):
        value = to_number(pm.get("value")) if isinstance(pm, dict) else None
        if value is None or not nonempty_str(str(pm.get("type") or "")):
            kept.append(pm)
            notes.warn(
                f"performanceMetrics[{k}] has no numeric value ({pm.get('value')!r}); kept it under "
                f"{EXT}.performanceMetrics",
                pos=doc.pos(path_ + ("modelCard", "quantitativeAnalysis", "performanceMetrics", k)),
                code="metric-not-numeric",
            )
            continue
        m: dict[str, Any] = {"name": str(pm["type"]), "value": value}
        ci = pm.get("confidenceInterval") or {}
        lo, hi = to_number(ci.get("lowerBound")), to_number(ci.get("upperBound"))
        if lo is not None and hi is not None and lo <= hi:
            m["confidence_interval"] = {"lower": lo, "upper": hi}
        elif ci:
            m[EXT] = {"confidenceInterval": ci}
        if nonempty_str(str(pm.get("slice") or "")):
            m["description"] = f"Slice: {pm['slice']}"
        metrics.append(m)
    if metrics:
        data["metrics"] = metrics

    cons = mc.get("considerations") or {}
    iu = {}
    if cons.get("users"):
        iu["primary_users"] = [str(u) for u in cons["users"] if nonempty_str(str(u))]
    if cons.get("useCases"):
        iu["primary_uses"] = [str(u) for u in cons["useCases"] if nonempty_str(str(u))]
    if iu:
        data["intended_use"] = {k: v for k, v in iu.items() if v}
    caveats = [
        str(x)
        for x in (cons.get("technicalLimitations") or []) + (cons.get("performanceTradeoffs") or [])
        if nonempty_str(str(x))
    ]
    if caveats:
        data["caveats_and_recommendations"] = {"caveats": caveats}
    risks = [
        {
            "name": str(r["name"]),
            **(
                {"mitigations": [str(r["mitigationStrategy"])]}
                if nonempty_str(str(r.get("mitigationStrategy") or ""))
                else {}
            ),
        }
        for r in cons.get("ethicalConsiderations") or []
        if nonempty_str(str(r.get("name") or ""))
    ]
    for fa in cons.get("fairnessAssessments") or []:
        if nonempty_str(str(fa.get("groupAtRisk") or "")):
            desc = "; ".join(f"{k}: {fa[k]}" for k in ("benefits", "harms") if nonempty_str(str(fa.get(k) or "")))
            mit = str(fa.get("mitigationStrategy") or "")
            risks.append(
                clean(
                    {
                        "name": f"Group at risk: {fa['groupAtRisk']}",
                        "description": desc or None,
                        "mitigations": [mit] if nonempty_str(mit) else None,
                    }
                )
            )
    if risks:
        data["ethical_considerations"] = {"risks": risks}
    envc = cons.get("environmentalConsiderations") or {}
    for ec in envc.get("energyConsumptions") or []:
        if isinstance(ec, dict) and ec.get("activity") == "training":
            env = {}
            cost = to_number((ec.get("activityEnergyCost") or {}).get("value"))
            if cost is not None and cost >= 0:
                env["energy_kwh"] = cost
            co2 = to_number((ec.get("co2CostEquivalent") or {}).get("value"))
            if co2 is not None and co2 >= 0:
                env["co2_eq_kg"] = co2 * 1000
            if env:
                data["environmental_impact"] = env
            break

    # keep everything not mapped, verbatim
    ext: dict[str, Any] = {"component": {k: v for k, v in comp.items() if k != "modelCard"}}
    if serial is not None:
        ext["serialNumber"] = serial
    rest_mc = {k: v for k, v in mc.items() if k not in ("modelParameters", "quantitativeAnalysis", "considerations")}
    graphics = (mc.get("quantitativeAnalysis") or {}).get("graphics")
    if graphics:
        rest_mc["graphics"] = graphics
    approach = params.get("approach")
    if approach:
        rest_mc["approach"] = approach
    if envc:
        rest_mc["environmentalConsiderations"] = envc
    if cons.get("fairnessAssessments"):
        rest_mc["fairnessAssessments"] = cons["fairnessAssessments"]
    ext.update(rest_mc)
    if kept:
        ext["performanceMetrics"] = kept
    if invalid:
        ext["invalid"] = invalid
    data[EXT] = ext
    return finish(ImportResult(data, src, FORMAT, notes.items))
