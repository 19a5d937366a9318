"""CycloneDX ML-BOM import: the first machine-learning-model component's ``modelCard`` as a card.

One mapper per part of the BOM: the component (name, version, licences,
authors, publisher, references, tags, ``modelcard:`` properties), the model
parameters (task, architecture, inputs/outputs, datasets: referenced data
components or inline ones), the quantitative analysis (metrics; non-numeric
ones kept), the considerations (users, use cases, limitations, trade-offs,
ethical risks, fairness assessments, environmental data), and what the BOM
holds besides the model (other components, dependencies...).  Whatever has no
card field is kept verbatim under ``x-cyclonedx`` and written back by export,
so CycloneDX -> card -> CycloneDX keeps it (``approach``, ``purl``,
``publisher``, ``co2CostOffset``...).
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from typing import Any

from modelcard.diagnostics import CardError, Diagnostic
from modelcard.interop._common import (
    ANY,
    SCALAR,
    STR,
    UNVERSIONED,
    ImportResult,
    Notes,
    as_dict,
    as_list,
    conform,
    finish,
    load_json_document,
    make_id,
    nonempty_str,
    parse_group,
    to_number,
)
from modelcard.interop.cyclonedx.shapes import (
    EXT,
    FORMAT,
    MAPPED_COMPONENT_KEYS,
    PROP,
    canonical_licenses,
    environment_for,
    environment_from,
    license_from,
    licenses_for,
    references_for,
    references_from,
    risk_from_assessment,
)
from modelcard.interop.licenses import spdx_expression
from modelcard.io.source import Document
from modelcard.safe_text import safe_url
from modelcard.schema.models import SCHEMA_VERSION

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
    "tags": [SCALAR],
    "properties": [{"name": SCALAR, "value": ANY}],
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
        "properties": [{"name": SCALAR, "value": ANY}],
    },
}
BOM = {"bomFormat": SCALAR, "serialNumber": SCALAR, "metadata": {"component": COMPONENT}, "components": [COMPONENT]}

#: what export writes as a technical limitation for an out-of-scope use, and reads back
OUT_OF_SCOPE = "Out of scope: "
#: BOM keys that are about this BOM document, not the card (export writes its own)
_DOCUMENT_KEYS = (
    "$schema",
    "bomFormat",
    "specVersion",
    "serialNumber",
    "version",
    "metadata",
    "components",
    "dependencies",
)


@dataclass
class _Ctx:
    doc: Document
    notes: Notes
    bom: dict[str, Any]
    where: tuple[Any, ...]
    ext: dict[str, Any] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    consumed: set[str] = field(default_factory=set)  # bom-refs of data components read as datasets

    def pos(self, *path: Any) -> Any:
        return self.doc.pos(self.where + tuple(path))


def _texts(items: Any) -> list[str]:
    return [str(x) for x in items or [] if x is not None and nonempty_str(str(x))]


#: the ``modelcard:`` properties export writes, by where they are (others are kept as they are)
COMPONENT_PROPERTIES = frozenset(
    {"base_model", "base_model_relation", "citation", "contact", "library", "language", "parameters", "framework"}
)
CARD_PROPERTIES = frozenset({"schema_version", "summary", "recommendation", "test_protocol"})
DATASET_PROPERTIES = frozenset({"dataset:role", "dataset:id"})


def _props(props: Any, known: frozenset[str]) -> tuple[dict[str, list[str]], list[Any]]:
    """The ``known`` ``modelcard:`` properties by name (their values, in order), and every other property."""
    ours: dict[str, list[str]] = {}
    other = []
    for p in props if isinstance(props, list) else []:
        name = p.get("name") if isinstance(p, dict) else None
        if (
            isinstance(name, str)
            and name[len(PROP) :] in known
            and name.startswith(PROP)
            and isinstance(p.get("value"), str)
        ):
            ours.setdefault(name[len(PROP) :], []).append(p["value"])
        else:
            other.append(p)
    return ours, other


# --------------------------------------------------------------------------
# the model component


def map_component(comp: dict[str, Any], ctx: _Ctx, name: str | None) -> dict[str, Any]:
    """Name, version, description, licence, authors, publisher, references, tags -> ``model``."""
    group = comp.get("group")
    model: dict[str, Any] = {
        "name": name or "/".join(str(x) for x in (group, comp.get("name")) if x not in (None, "")) or "unnamed model",
        "version": str(comp.get("version") or UNVERSIONED),
    }
    if nonempty_str(comp.get("description")):
        model["description"] = comp["description"]
    kept: dict[str, Any] = {k: v for k, v in comp.items() if k not in MAPPED_COMPONENT_KEYS}
    _licences(comp, model, kept, ctx)
    devs = [
        {"name": str(a["name"]), **({"email": a["email"]} if nonempty_str(a.get("email")) else {})}
        for a in comp.get("authors") or []
        if isinstance(a, dict) and nonempty_str(str(a.get("name") or ""))
    ]
    if not devs and nonempty_str(str(comp.get("publisher") or "")):
        devs = [{"name": str(comp["publisher"]), "role": "publisher"}]
    if devs:
        model["developers"] = devs
    raw_refs = comp.get("externalReferences")
    repository, references = references_from(raw_refs, safe_url)
    if repository:
        model["repository"] = repository
    if references:
        model["references"] = references
    if raw_refs is not None and raw_refs != references_for(repository, [(r["title"], r["url"]) for r in references]):
        kept["externalReferences"] = raw_refs
    tags = _texts(comp.get("tags"))
    if tags:
        model["tags"] = tags
    ours, other = _props(comp.get("properties"), COMPONENT_PROPERTIES)
    _model_properties(ours, model, ctx)
    if other:
        kept["properties"] = other
    if kept:
        ctx.ext["component"] = kept
    return model


def _licences(comp: dict[str, Any], model: dict[str, Any], kept: dict[str, Any], ctx: _Ctx) -> None:
    raw = comp.get("licenses")
    license_, url = license_from(raw)
    if license_ is None:
        if raw:
            kept["licenses"] = raw
        return
    first = raw[0] if isinstance(raw, list) else {}
    written = (
        (first.get("license") or {}).get("id") if isinstance(first.get("license"), dict) else first.get("expression")
    )
    if isinstance(written, str) and spdx_expression(written) not in (None, written):
        ctx.notes.warn(
            f"licence {written!r} is not in canonical SPDX case (CycloneDX requires {spdx_expression(written)!r}); "
            f"imported as {spdx_expression(written)!r}",
            pos=ctx.pos("licenses"),
            code="cyclonedx-invalid",
        )
    model["license"] = license_
    if url and safe_url(url):
        model["license_url"] = url
    canon = canonical_licenses(as_list(raw))
    if canon != licenses_for(license_, model.get("license_url")):
        kept["licenses"] = canon


def _model_properties(ours: dict[str, list[str]], model: dict[str, Any], ctx: _Ctx) -> None:
    """The ``modelcard:`` properties export writes for fields CycloneDX has no place for."""
    relation = next(iter(ours.get("base_model_relation") or []), None)
    bases = [{"name": n, **({"relation": relation} if relation else {})} for n in ours.get("base_model") or []]
    if bases:
        model["base_models"] = bases
    for key in ("citation", "contact", "library"):
        if ours.get(key):
            model[key] = ours[key][0]
    if ours.get("language"):
        model["languages"] = ours["language"]
    if ours.get("parameters") and re.fullmatch(r"\d{1,18}", ours["parameters"][0]):
        model["parameters"] = int(ours["parameters"][0])
    frameworks = []
    for text in ours.get("framework") or []:
        fname, sep, version = text.rpartition("@")
        frameworks.append({"name": fname, "version": version} if sep and fname else {"name": text})
    if frameworks:
        model["frameworks"] = frameworks


# --------------------------------------------------------------------------
# model parameters and datasets


def map_model_parameters(params: dict[str, Any], data: dict[str, Any], ctx: _Ctx) -> None:
    """Task, architecture, inputs/outputs and datasets; the learning approach is kept."""
    model = data["model"]
    if nonempty_str(str(params.get("task") or "")):
        model["task"] = str(params["task"])
    arch, family = params.get("modelArchitecture"), params.get("architectureFamily")
    if nonempty_str(str(arch or family or "")):
        model["architecture"] = str(arch or family)
    kept = {
        k: v
        for k, v in params.items()
        if k not in ("task", "modelArchitecture", "architectureFamily", "inputs", "outputs", "datasets")
    }
    if arch not in (None, "") and family not in (None, "") and str(arch) != str(family):
        kept["architectureFamily"] = family
    for key in ("inputs", "outputs"):
        items = [
            {"name": str(i["format"])}
            for i in params.get(key) or []
            if isinstance(i, dict) and nonempty_str(str(i.get("format") or ""))
        ]
        if items:
            model[key] = items
    if kept:
        ctx.ext["modelParameters"] = kept
    datasets = []
    guessed = False
    for k, ds in enumerate(params.get("datasets") or []):
        if not isinstance(ds, dict):
            continue
        if "ref" in ds:
            entry, by_role = _referenced_dataset(ds, ctx)
        else:
            entry, by_role = _inline_dataset(ds, k, ctx)
        guessed = guessed or not by_role
        datasets.append(entry)
    if datasets:
        data["datasets"] = datasets
    if guessed:
        ctx.notes.warn(
            "CycloneDX does not say whether a dataset was used for training or evaluation; "
            "imported those without a modelcard:dataset:role property with role 'training'",
            pos=ctx.pos("modelCard", "modelParameters", "datasets"),
            code="cyclonedx-role",
        )


def _dataset_id(wanted: str | None, name: str, ctx: _Ctx) -> str:
    if wanted and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", wanted) and wanted not in ctx.taken:
        ctx.taken.add(wanted)
        return wanted
    return make_id(name, ctx.taken)


def _referenced_dataset(ds: dict[str, Any], ctx: _Ctx) -> tuple[dict[str, Any], bool]:
    ref = ds["ref"]
    target = next(
        (
            c
            for c in ctx.bom.get("components") or []
            if isinstance(c, dict) and c.get("bom-ref") == ref and c.get("type") == "data"
        ),
        None,
    )
    if target is None:
        return {"id": make_id(str(ref), ctx.taken), "name": str(ref), "role": "training", EXT: {"ref": ref}}, False
    ctx.consumed.add(str(ref))
    ours, other = _props(target.get("properties"), DATASET_PROPERTIES)
    name = str(target.get("name") or ref)
    role = next(iter(ours.get("dataset:role") or []), None)
    roles = ("training", "validation", "evaluation", "test", "fine-tuning", "calibration", "other")
    entry: dict[str, Any] = {
        "id": _dataset_id(next(iter(ours.get("dataset:id") or []), None), name, ctx),
        "name": name,
        "role": role if role in roles else "training",
    }
    kept: dict[str, Any] = {
        k: v
        for k, v in target.items()
        if k
        not in (
            "type",
            "name",
            "version",
            "description",
            "hashes",
            "licenses",
            "externalReferences",
            "data",
            "properties",
        )
    }
    for key in ("version", "description"):
        if nonempty_str(str(target.get(key) or "")):
            entry[key] = str(target[key])
    hashes = target.get("hashes")
    sha = (
        next((h.get("content") for h in hashes or [] if isinstance(h, dict) and h.get("alg") == "SHA-256"), None)
        if isinstance(hashes, list)
        else None
    )
    if isinstance(sha, str) and re.fullmatch(r"[0-9a-fA-F]{64}", sha):
        entry["sha256"] = sha
        if hashes != [{"alg": "SHA-256", "content": sha.lower()}]:
            kept["hashes"] = hashes
    elif hashes is not None:
        kept["hashes"] = hashes
    refs = target.get("externalReferences")
    url = (
        next((r.get("url") for r in refs or [] if isinstance(r, dict) and r.get("type") == "distribution"), None)
        if isinstance(refs, list)
        else None
    )
    if isinstance(url, str) and safe_url(url):
        entry["url"] = url
        if refs != [{"type": "distribution", "url": url}]:
            kept["externalReferences"] = refs
    elif refs is not None:
        kept["externalReferences"] = refs
    prov: dict[str, Any] = {}
    license_, _ = license_from(target.get("licenses"))
    if license_:
        prov["licensing"] = {"license": license_}
        if canonical_licenses(target["licenses"]) != licenses_for(license_):
            kept["licenses"] = canonical_licenses(target["licenses"])
    elif target.get("licenses") is not None:
        kept["licenses"] = target["licenses"]
    contents = target.get("data")
    first = contents[0] if isinstance(contents, list) and contents and isinstance(contents[0], dict) else None
    if first is not None:
        cats = _texts(first.get("sensitiveData"))
        if cats:
            prov["sensitive_data"] = {"categories": cats}
        custodians = (
            ((first.get("governance") or {}).get("custodians") or [])
            if isinstance(first.get("governance"), dict)
            else []
        )
        org = next(
            (
                c.get("organization", {}).get("name")
                for c in custodians
                if isinstance(c, dict) and isinstance(c.get("organization"), dict)
            ),
            None,
        )
        if nonempty_str(org):
            prov["maintenance"] = {"maintainer": org}
        expected = _data_entry(name, entry.get("url"), cats, str(org) if nonempty_str(org) else None)
        if contents != [expected]:
            kept["data"] = contents
    elif contents is not None:
        kept["data"] = contents
    if prov:
        entry["provenance"] = prov
    if other:
        kept["properties"] = other
    entry[EXT] = {"ref": ref, **({"component": kept} if kept else {})}
    return entry, role in roles


def _data_entry(name: str, url: str | None, categories: list[str], maintainer: str | None) -> dict[str, Any]:
    """The ``data`` entry export writes for a dataset component (shared so import can tell what it adds)."""
    out: dict[str, Any] = {"type": "dataset", "name": name}
    if url:
        out["contents"] = {"url": url}
    if categories:
        out["sensitiveData"] = categories
    if maintainer:
        out["governance"] = {"custodians": [{"organization": {"name": maintainer}}]}
    return out


def _inline_dataset(ds: dict[str, Any], k: int, ctx: _Ctx) -> tuple[dict[str, Any], bool]:
    name = str(ds.get("name") or f"dataset {k + 1}")
    entry: dict[str, Any] = {"id": make_id(name, ctx.taken), "name": name, "role": "training"}
    inline = copy.deepcopy({key: v for key, v in ds.items() if key not in ("name", "sensitiveData")})
    contents = inline.get("contents")
    if isinstance(contents, dict) and isinstance(contents.get("url"), str) and safe_url(contents["url"]):
        entry["url"] = contents.pop("url")
        if not contents:
            inline.pop("contents")
    cats = _texts(ds.get("sensitiveData"))
    if cats:
        entry["provenance"] = {"sensitive_data": {"categories": cats}}
    elif ds.get("sensitiveData") is not None:
        inline["sensitiveData"] = ds["sensitiveData"]
    entry[EXT] = {"inline": inline}
    return entry, False


# --------------------------------------------------------------------------
# quantitative analysis


def map_quantitative_analysis(qa: dict[str, Any], data: dict[str, Any], ctx: _Ctx) -> None:
    """Performance metrics (numeric ones; the others and the graphics are kept)."""
    ids = {d["id"] for d in data.get("datasets") or []}
    metrics, kept = [], []
    for k, pm in enumerate(qa.get("performanceMetrics") or []):
        value = to_number(pm.get("value")) if isinstance(pm, dict) else None
        if value is None or not nonempty_str(str(pm.get("type") or "")):
            kept.append(pm)
            ctx.notes.warn(
                f"performanceMetrics[{k}] has no numeric value ({pm.get('value') if isinstance(pm, dict) else pm!r}); "
                f"kept it under {EXT}.performanceMetrics",
                pos=ctx.pos("modelCard", "quantitativeAnalysis", "performanceMetrics", k),
                code="metric-not-numeric",
            )
            continue
        metrics.append(_metric(pm, value, ids))
    if metrics:
        data["metrics"] = metrics
    if kept:
        ctx.ext["performanceMetrics"] = kept
    rest = {k: v for k, v in qa.items() if k != "performanceMetrics"}
    if rest:
        ctx.ext["quantitativeAnalysis"] = rest


def _metric(pm: dict[str, Any], value: float, ids: set[str]) -> dict[str, Any]:
    m: dict[str, Any] = {"name": str(pm["type"]), "value": value}
    hf: dict[str, Any] = {k: v for k, v in pm.items() if k not in ("type", "value", "slice", "confidenceInterval")}
    if isinstance(pm.get("value"), str) and repr(value) != pm["value"] and str(value) != pm["value"]:
        hf["value"] = pm["value"]
    if nonempty_str(str(pm.get("slice") or "")):
        group = parse_group(str(pm["slice"]))
        ds, split = group.get("dataset"), group.get("split")
        if ds in ids and "slice" not in group:
            m["dataset"] = group.pop("dataset")
            if split is not None:
                m["split"] = group.pop("split")
        if group:
            m["slice"] = group
    ci = pm.get("confidenceInterval")
    lo = to_number(ci.get("lowerBound")) if isinstance(ci, dict) else None
    hi = to_number(ci.get("upperBound")) if isinstance(ci, dict) else None
    if lo is not None and hi is not None and lo <= hi:
        m["confidence_interval"] = {"lower": lo, "upper": hi}  # CycloneDX states no level: none is invented
    elif ci is not None:
        hf["confidenceInterval"] = ci
    if hf:
        m[EXT] = hf
    return m


# --------------------------------------------------------------------------
# considerations


def map_considerations(cons: dict[str, Any], data: dict[str, Any], ctx: _Ctx) -> None:
    """Users, use cases, limitations (and out-of-scope uses), trade-offs, risks, fairness assessments, environment."""
    iu = {}
    if _texts(cons.get("users")):
        iu["primary_users"] = _texts(cons.get("users"))
    if _texts(cons.get("useCases")):
        iu["primary_uses"] = _texts(cons.get("useCases"))
    limits = _texts(cons.get("technicalLimitations"))
    out_of_scope = [
        x.removeprefix(OUT_OF_SCOPE) for x in limits if x.startswith(OUT_OF_SCOPE) and len(x) > len(OUT_OF_SCOPE)
    ]
    caveats = [x for x in limits if not (x.startswith(OUT_OF_SCOPE) and len(x) > len(OUT_OF_SCOPE))]
    if out_of_scope:
        iu["out_of_scope_uses"] = out_of_scope
    if iu:
        data["intended_use"] = iu
    car = {}
    if caveats:
        car["caveats"] = caveats
    if _texts(cons.get("performanceTradeoffs")):
        car["tradeoffs"] = _texts(cons.get("performanceTradeoffs"))
    if car:
        data["caveats_and_recommendations"] = car
    risks: list[dict[str, Any]] = []
    for r in cons.get("ethicalConsiderations") or []:
        if isinstance(r, dict) and nonempty_str(str(r.get("name") or "")):
            risk: dict[str, Any] = {"name": str(r["name"])}
            if nonempty_str(str(r.get("mitigationStrategy") or "")):
                risk["mitigations"] = [str(r["mitigationStrategy"])]
            risks.append(risk)
    for fa in cons.get("fairnessAssessments") or []:
        risk_ = risk_from_assessment(fa) if isinstance(fa, dict) else None
        if risk_ is not None:
            risks.append(risk_)
    if risks:
        data["ethical_considerations"] = {"risks": risks}
    envc = cons.get("environmentalConsiderations")
    if envc is not None:
        env = environment_from(envc)
        if env:
            data["environmental_impact"] = env
        if environment_for(env) != envc:
            ctx.ext["environmentalConsiderations"] = envc
    rest = {
        k: v
        for k, v in cons.items()
        if k
        not in (
            "users",
            "useCases",
            "technicalLimitations",
            "performanceTradeoffs",
            "ethicalConsiderations",
            "fairnessAssessments",
            "environmentalConsiderations",
        )
    }
    if rest:
        ctx.ext["considerations"] = rest


def map_card_properties(props: Any, data: dict[str, Any], ctx: _Ctx) -> None:
    """The model card's ``modelcard:`` properties (fairness summary, recommendations, test protocol); others kept."""
    ours, other = _props(props, CARD_PROPERTIES)
    if ours.get("summary"):
        data.setdefault("fairness", {})["summary"] = ours["summary"][0]
    if ours.get("recommendation"):
        data.setdefault("caveats_and_recommendations", {})["recommendations"] = ours["recommendation"]
    if ours.get("test_protocol"):
        data.setdefault("test_methodology", {})["protocol"] = ours["test_protocol"][0]
    if other:
        ctx.ext["modelCardProperties"] = other


# --------------------------------------------------------------------------
# the BOM


def _find_model(bom: dict[str, Any], src: str) -> tuple[tuple[Any, ...], dict[str, Any], int]:
    candidates: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    meta = (bom.get("metadata") or {}).get("component") if isinstance(bom.get("metadata"), dict) else None
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
    distinct = {
        str(c.get("bom-ref")) if c.get("bom-ref") is not None else repr(sorted(map(str, c.items()))) for _, c in found
    }
    return found[0][0], found[0][1], len(distinct)


def _rest_of_bom(bom: dict[str, Any], comp: dict[str, Any], ctx: _Ctx) -> None:
    """Keep what the BOM holds besides the model: other components, dependencies, metadata, other keys."""
    ref = comp.get("bom-ref")
    meta = as_dict(bom.get("metadata"))
    others = []
    for c in ([meta.get("component")] if meta else []) + list(bom.get("components") or []):
        if (
            not isinstance(c, dict)
            or c is comp
            or (ref is not None and c.get("bom-ref") == ref and c.get("type") == "machine-learning-model")
        ):
            continue
        if c.get("type") == "data" and str(c.get("bom-ref")) in ctx.consumed:
            continue
        if c not in others:
            others.append(c)
    rest: dict[str, Any] = {}
    if others:
        rest["components"] = others
    deps = [
        d
        for d in bom.get("dependencies") or []
        if not (isinstance(d, dict) and ref is not None and d.get("ref") == ref)
    ]
    if deps:
        rest["dependencies"] = deps
    meta_rest = {k: v for k, v in meta.items() if k not in ("timestamp", "tools", "authors", "component")}
    if meta_rest:
        rest["metadata"] = meta_rest
    rest.update({k: v for k, v in bom.items() if k not in _DOCUMENT_KEYS})
    if rest:
        ctx.ext["bom"] = rest


def import_bom(path: str | os.PathLike[str], *, name: str | None = None) -> ImportResult:
    """Import the first machine-learning-model component's ``modelCard`` of a CycloneDX JSON BOM."""
    src, notes, doc = load_json_document(path)
    bom = doc.data
    if not isinstance(bom, dict) or bom.get("bomFormat") != "CycloneDX":
        raise CardError(
            [
                Diagnostic(
                    "not a CycloneDX BOM: 'bomFormat' is not \"CycloneDX\"", file=src, line=1, code="not-cyclonedx"
                )
            ]
        )
    invalid = conform(bom, BOM, notes, doc=doc, ext=EXT)
    serial = bom.get("serialNumber")
    if serial is not None and not re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", str(serial)
    ):
        notes.warn(
            f"serialNumber {serial!r} is not a urn:uuid (invalid CycloneDX); not kept (export writes a new one)",
            pos=doc.pos(("serialNumber",)),
            code="cyclonedx-invalid",
        )
    where, comp, count = _find_model(bom, src)
    if count > 1:
        notes.warn(
            f"the BOM has {count} machine-learning-model components; imported the first ({comp.get('name')!r})",
            code="cyclonedx-many",
        )
    ctx = _Ctx(doc, notes, bom, where)
    data: dict[str, Any] = {"card": {"schema_version": SCHEMA_VERSION}, "model": map_component(comp, ctx, name)}
    authors = (
        [
            {"name": str(a["name"]), **({"email": a["email"]} if nonempty_str(a.get("email")) else {})}
            for a in ((bom.get("metadata") or {}).get("authors") or [])
            if isinstance(a, dict) and nonempty_str(str(a.get("name") or ""))
        ]
        if isinstance(bom.get("metadata"), dict)
        else []
    )
    if authors:
        data["card"]["authors"] = authors
    mc = as_dict(comp.get("modelCard"))
    map_model_parameters(mc.get("modelParameters") or {}, data, ctx)
    map_quantitative_analysis(mc.get("quantitativeAnalysis") or {}, data, ctx)
    map_considerations(mc.get("considerations") or {}, data, ctx)
    map_card_properties(mc.get("properties"), data, ctx)
    if mc.get("bom-ref") is not None and mc["bom-ref"] != f"{comp.get('bom-ref')}:modelcard":
        ctx.ext["modelCardRef"] = mc["bom-ref"]
    _rest_of_bom(bom, comp, ctx)
    if invalid:
        ctx.ext["invalid"] = invalid
    if ctx.ext:
        data[EXT] = ctx.ext
    return finish(ImportResult(data, src, FORMAT, notes.items))
