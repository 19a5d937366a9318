"""What the CycloneDX importer and exporter agree on: names, property keys and the shapes of a few parts.

For the parts that have both a card field and more detail than the field holds
(licences with URLs, external references, environmental data with providers
and offsets) the import keeps the part verbatim only when writing the card
field back would not give it back, and the export writes the kept part only
while it still says what the card field says.  Both directions call the
functions here, so they always agree.
"""

from __future__ import annotations

from typing import Any

from modelcard.interop._common import as_dict
from modelcard.interop.licenses import is_spdx_id, license_ref, spdx_expression

FORMAT = "cyclonedx"
SPEC_VERSION = "1.6"
EXT = "x-cyclonedx"
#: prefix of the properties modelcard writes (and reads back) for fields CycloneDX has no place for
PROP = "modelcard:"

#: component keys the importer maps to card fields (everything else of the component is kept verbatim)
MAPPED_COMPONENT_KEYS = frozenset(
    {
        "type",
        "name",
        "version",
        "description",
        "licenses",
        "authors",
        "externalReferences",
        "modelCard",
        "properties",
        "tags",
    }
)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        f = float(value)
    except ValueError:
        return None
    return f if f == f and abs(f) != float("inf") else None


# --------------------------------------------------------------------------
# licences


def licenses_for(license_: str, url: str | None = None) -> list[dict[str, Any]]:
    """CycloneDX ``licenses`` for a card licence: an SPDX id, an SPDX expression, or a named licence."""
    expr = spdx_expression(license_)
    if expr is not None and is_spdx_id(expr) and not expr.startswith(("LicenseRef-", "DocumentRef-")):
        lic: dict[str, Any] = {"id": expr}
    elif expr is not None and " " in expr:
        return [{"expression": expr}]
    else:
        lic = {"name": license_}
    if url:
        lic["url"] = url
    return [{"license": lic}]


def license_from(licenses: Any) -> tuple[str | None, str | None]:
    """``(card licence, licence URL)`` from CycloneDX ``licenses`` (the first entry names it)."""
    if not isinstance(licenses, list) or not licenses or not isinstance(licenses[0], dict):
        return None, None
    first = licenses[0]
    lic = as_dict(first.get("license"))
    text = first.get("expression") or lic.get("id") or lic.get("name")
    if not isinstance(text, str) or not text.strip():
        return None, None
    url = lic.get("url") if isinstance(lic.get("url"), str) else None
    return spdx_expression(text) or text, url


def canonical_licenses(licenses: list[Any]) -> list[Any]:
    """``licenses`` with every SPDX id and expression in canonical case (CycloneDX requires it)."""
    out = []
    for entry in licenses:
        if isinstance(entry, dict):
            entry = dict(entry)
            lic = entry.get("license")
            if isinstance(lic, dict) and isinstance(lic.get("id"), str):
                canon = spdx_expression(lic["id"])
                if canon and is_spdx_id(canon) and not canon.startswith("LicenseRef-"):
                    entry["license"] = {**lic, "id": canon}
                else:
                    entry["license"] = {**{k: v for k, v in lic.items() if k != "id"}, "name": lic["id"]}
            if isinstance(entry.get("expression"), str):
                entry["expression"] = spdx_expression(entry["expression"]) or license_ref(entry["expression"])
        out.append(entry)
    return out


# --------------------------------------------------------------------------
# external references


def references_for(repository: str | None, references: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """``externalReferences`` for the model's repository and its (title, url) references."""
    refs: list[dict[str, Any]] = []
    if repository:
        refs.append({"type": "distribution", "url": repository})
    refs += [{"type": "documentation", "url": url, "comment": title} for title, url in references]
    return refs


def references_from(refs: Any, safe: Any) -> tuple[str | None, list[dict[str, str]]]:
    """``(repository, references)`` from ``externalReferences`` (``safe``: the link check)."""
    repository = None
    references = []
    for ref in refs if isinstance(refs, list) else []:
        if not isinstance(ref, dict) or not isinstance(ref.get("url"), str) or not safe(ref["url"]):
            continue
        if ref.get("type") in ("distribution", "website", "vcs") and repository is None:
            repository = ref["url"]
        elif ref.get("type") == "documentation":
            comment = ref.get("comment")
            references.append(
                {"title": comment if isinstance(comment, str) and comment.strip() else ref["url"], "url": ref["url"]}
            )
    return repository, references


# --------------------------------------------------------------------------
# environmental considerations


#: environmental fields CycloneDX has no place for, written as ``modelcard:environmental_impact:<field>`` properties
ENV_PROPERTIES = ("hardware", "hours", "cloud_provider", "region", "method")
_ENV_NUMBERS = ("hours", "energy_kwh", "co2_eq_kg")


def environment_for(env: dict[str, Any]) -> dict[str, Any] | None:
    """``environmentalConsiderations`` for the card's environmental impact (dumped)."""
    out: dict[str, Any] = {}
    if env.get("energy_kwh") is not None:
        ec: dict[str, Any] = {
            "activity": "training",
            "energyProviders": [],
            "activityEnergyCost": {"value": env["energy_kwh"], "unit": "kWh"},
        }
        if env.get("co2_eq_kg") is not None:
            ec["co2CostEquivalent"] = {"value": env["co2_eq_kg"] / 1000, "unit": "tCO2eq"}
        out["energyConsumptions"] = [ec]
    keys = ENV_PROPERTIES + (("co2_eq_kg",) if env.get("energy_kwh") is None else ())
    props = [
        {"name": f"{PROP}environmental_impact:{k}", "value": repr(float(env[k])) if k in _ENV_NUMBERS else str(env[k])}
        for k in keys
        if env.get(k) is not None
    ]
    if props:
        out["properties"] = props
    return out or None


def environment_from(envc: Any) -> dict[str, Any]:
    """The card's environmental impact from ``environmentalConsiderations`` (first training activity, properties)."""
    out: dict[str, Any] = {}
    if not isinstance(envc, dict):
        return out
    ecs = envc.get("energyConsumptions")
    for ec in ecs if isinstance(ecs, list) else []:
        if isinstance(ec, dict) and ec.get("activity") == "training":
            cost = ec.get("activityEnergyCost")
            value = _num(cost.get("value")) if isinstance(cost, dict) else None
            if value is not None and value >= 0 and (not isinstance(cost, dict) or cost.get("unit") in (None, "kWh")):
                out["energy_kwh"] = value
            co2 = ec.get("co2CostEquivalent")
            value = _num(co2.get("value")) if isinstance(co2, dict) else None
            if value is not None and value >= 0 and (not isinstance(co2, dict) or co2.get("unit") in (None, "tCO2eq")):
                out["co2_eq_kg"] = value * 1000
            break
    props = envc.get("properties")
    for p in props if isinstance(props, list) else []:
        name = p.get("name") if isinstance(p, dict) else None
        prefix = f"{PROP}environmental_impact:"
        if not isinstance(name, str) or not name.startswith(prefix) or not isinstance(p.get("value"), str):
            continue
        key = name[len(prefix) :]
        if key in _ENV_NUMBERS:
            value = _num(p["value"])
            if value is not None and value >= 0:
                out.setdefault(key, value)
        elif key in ENV_PROPERTIES and p["value"].strip():
            out.setdefault(key, p["value"])
    return out


# --------------------------------------------------------------------------
# fairness assessments kept as risks


FAIRNESS_PREFIX = "Group at risk: "


def risk_from_assessment(fa: dict[str, Any]) -> dict[str, Any] | None:
    """A card risk for a ``fairnessAssessments`` entry (its original is kept on the risk for export)."""
    group = fa.get("groupAtRisk")
    if not isinstance(group, str) or not group.strip():
        return None
    risk: dict[str, Any] = {"name": FAIRNESS_PREFIX + group}
    desc = "; ".join(f"{k}: {fa[k]}" for k in ("benefits", "harms") if isinstance(fa.get(k), str) and fa[k].strip())
    if desc:
        risk["description"] = desc
    mit = fa.get("mitigationStrategy")
    if isinstance(mit, str) and mit.strip():
        risk["mitigations"] = [mit]
    risk[EXT] = {"fairnessAssessment": fa}
    return risk


def assessment_for(risk: dict[str, Any]) -> dict[str, Any]:
    """A ``fairnessAssessments`` entry for a risk that came from one (the kept original while unchanged)."""
    kept = (risk.get(EXT) or {}).get("fairnessAssessment") if isinstance(risk.get(EXT), dict) else None
    if isinstance(kept, dict):
        again = risk_from_assessment(kept)
        if again is not None and {k: v for k, v in again.items() if k != EXT} == {
            k: v for k, v in risk.items() if k != EXT
        }:
            return kept
    fa: dict[str, Any] = {"groupAtRisk": str(risk["name"]).removeprefix(FAIRNESS_PREFIX)}
    if risk.get("description"):
        fa["harms"] = risk["description"]
    if risk.get("mitigations"):
        fa["mitigationStrategy"] = " ".join(risk["mitigations"])
    return fa
