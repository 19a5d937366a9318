"""SPDX 3.0.1 export: the card as an ``ai_AIPackage`` in a JSON-LD SPDX document.

Property names follow the SPDX 3.0.1 model (Core, Software, AI, Dataset and
SimpleLicensing profiles, https://spdx.github.io/spdx-spec/v3.0.1/):

* ``ai_AIPackage`` — ``name``, ``software_packageVersion``,
  ``software_primaryPurpose: model``, ``description``, ``ai_typeOfModel``,
  ``ai_informationAboutApplication`` (intended uses and users),
  ``ai_limitation`` (caveats, out-of-scope uses), ``ai_informationAboutTraining``,
  ``ai_modelDataPreprocessing``, ``ai_metric`` and ``ai_metricDecisionThreshold``
  (``DictionaryEntry`` lists), ``ai_energyConsumption``,
  ``ai_useSensitivePersonalInformation``, ``releaseTime``, ``suppliedBy``;
* each dataset is a ``dataset_DatasetPackage`` linked by ``trainedOn`` /
  ``testedOn`` relationships;
* licences are ``simplelicensing_LicenseExpression`` elements linked by
  ``hasDeclaredLicense``.

Output is deterministic (ids are UUID5s of the card content; ``created`` is
``card.date`` or ``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

from modelcard.interop._common import canonical_license, dump_card
from modelcard.interop.cyclonedx import _timestamp

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
NOASSERTION = "NOASSERTION"  # downloadLocation is required; SPDX's conventional value when it is unknown
NO_ASSERTION_LICENSE = "expandedlicensing_NoAssertionLicense"
SPEC_VERSION = "3.0.1"
_NS = uuid.UUID("0b6d3b8e-7a4e-5c6b-8f0e-73706478ab01")


def _fmt(x: float) -> str:
    return repr(float(x)) if not float(x).is_integer() else str(float(x))


def _group(g: dict | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in g.items()) if g else ""


def export_document(card: Any) -> dict:
    """The SPDX 3.0.1 JSON-LD document (a dict) for a card."""
    data = dump_card(card) if not isinstance(card, dict) else card
    model = data["model"]
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    doc_uuid = uuid.uuid5(_NS, digest)
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", model["name"]).strip("-")[:60] or "model"
    base = f"https://spdx.org/spdxdocs/modelcard-{slug}-{doc_uuid}"
    ci = "_:creationinfo"
    graph: list[dict] = []
    counter = iter(range(1, 10_000))

    def element(kind: str, local: str, **props: Any) -> dict:
        el = {"type": kind, "spdxId": f"{base}#{local}", "creationInfo": ci}
        el.update({k: v for k, v in props.items() if v not in (None, [], "")})
        graph.append(el)
        return el

    # agents: card authors create the document; developers supply the model
    agents = []
    for a in (data.get("card") or {}).get("authors") or []:
        agents.append(element("Person", f"SPDXRef-Author-{next(counter)}", name=a["name"]))
    if not agents:
        for d in model.get("developers") or []:
            agents.append(element("Organization", f"SPDXRef-Agent-{next(counter)}", name=d["name"]))
    if not agents:
        agents.append(element("Organization", "SPDXRef-Agent-unknown", name="NOASSERTION (the card names no author)"))
    suppliers = [
        element("Organization", f"SPDXRef-Developer-{next(counter)}", name=d["name"])
        for d in model.get("developers") or []
    ]
    unknown: dict | None = None

    def no_assertion_agent() -> dict:
        # suppliedBy/originatedBy are required on AI and dataset packages but must be Agents
        nonlocal unknown
        if unknown is None:
            unknown = element(
                "Organization",
                "SPDXRef-Agent-NOASSERTION",
                name="NOASSERTION",
                comment="The card does not say who supplied this.",
            )
        return unknown

    from modelcard import __version__

    tool = element("Tool", "SPDXRef-Tool-modelcard", name=f"modelcard {__version__}")
    created = _timestamp(data)
    creation = {
        "type": "CreationInfo",
        "@id": ci,
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

    iu = data.get("intended_use") or {}
    car = data.get("caveats_and_recommendations") or {}
    tm = data.get("test_methodology") or {}
    application = [*(iu.get("primary_uses") or [])]
    if iu.get("primary_users"):
        application.append("Intended users: " + "; ".join(iu["primary_users"]))
    limitation = [*(car.get("caveats") or []), *[f"Out of scope: {u}" for u in iu.get("out_of_scope_uses") or []]]
    training = [d for d in data.get("datasets") or [] if d["role"] in ("training", "fine-tuning", "validation")]
    info_training = "; ".join(
        f"{d['name']}" + (f": {' '.join(str(d['description']).split())}" if d.get("description") else "")
        for d in training
    )
    preprocessing = [
        step for d in data.get("datasets") or [] for step in ((d.get("provenance") or {}).get("preprocessing") or [])
    ]

    metrics = []
    seen: set[str] = set()

    def add_metric(key: str, value: float, ci_: dict | None) -> None:
        k, n = key, 2
        while k in seen:
            k, n = f"{key} #{n}", n + 1
        seen.add(k)
        text = _fmt(value) + (f" (95% CI {_fmt(ci_['lower'])}-{_fmt(ci_['upper'])})" if ci_ else "")
        metrics.append({"type": "DictionaryEntry", "key": k, "value": text})

    for m in data.get("metrics") or []:
        if m.get("value") is None:
            continue
        key = (
            m["name"]
            + (f" [{_group(m.get('slice'))}]" if m.get("slice") else "")
            + (f" on {m['dataset']}" if m.get("dataset") else "")
        )
        add_metric(key, m["value"], m.get("confidence_interval"))
    for r in (data.get("fairness") or {}).get("results") or []:
        if r.get("value") is not None:
            add_metric(f"{r['metric']} [{_group(r['group'])}]", r["value"], r.get("confidence_interval"))
        diff = (r.get("disparity") or {}).get("difference") or {}
        if diff.get("value") is not None:
            add_metric(
                f"{r['metric']} difference [{_group(r['group'])} vs {_group(r.get('reference_group'))}] "
                f"verdict {r['verdict']}",
                diff["value"],
                diff.get("confidence_interval"),
            )
    thresholds = [
        {"type": "DictionaryEntry", "key": d["name"], "value": _fmt(d["decision_threshold"])}
        for d in tm.get("metric_definitions") or []
        if d.get("decision_threshold") is not None
    ]

    env = data.get("environmental_impact") or {}
    energy = None
    if env.get("energy_kwh") is not None:
        energy = {
            "type": "ai_EnergyConsumption",
            "ai_trainingEnergyConsumption": [
                {
                    "type": "ai_EnergyConsumptionDescription",
                    "ai_energyQuantity": float(env["energy_kwh"]),
                    "ai_energyUnit": "kilowattHour",
                }
            ],
        }
    personal = None
    flags = [
        ((d.get("provenance") or {}).get("sensitive_data") or {}).get("contains_personal_data")
        for d in data.get("datasets") or []
    ]
    if any(f is True for f in flags):
        personal = "yes"
    elif flags and all(f is False for f in flags):
        personal = "no"

    refs = [
        {"type": "ExternalRef", "externalRefType": "documentation", "locator": [r["url"]], "comment": r["title"]}
        for r in model.get("references") or []
        if r.get("url")
    ]
    package = element(
        "ai_AIPackage",
        "SPDXRef-Model",
        name=model["name"],
        software_packageVersion=model["version"],
        software_primaryPurpose="model",
        software_downloadLocation=model.get("repository") or NOASSERTION,
        description=model.get("description"),
        comment=("Citation: " + model["citation"]) if model.get("citation") else None,
        releaseTime=when(model.get("date"), "model release date"),
        suppliedBy=(suppliers[0] if suppliers else no_assertion_agent())["spdxId"],
        originatedBy=[s["spdxId"] for s in suppliers],
        externalRef=refs,
        ai_typeOfModel=[t for t in (model.get("type"), model.get("architecture")) if t],
        ai_informationAboutApplication="\n\n".join(application) or None,
        ai_limitation="\n\n".join(limitation) or None,
        ai_informationAboutTraining=info_training or None,
        ai_modelDataPreprocessing=preprocessing,
        ai_metric=metrics,
        ai_metricDecisionThreshold=thresholds,
        ai_energyConsumption=energy,
        ai_useSensitivePersonalInformation=personal,
    )
    relationships = []

    def relate(kind: str, frm: dict, to: list[dict]) -> None:
        relationships.append(
            element(
                "Relationship",
                f"SPDXRef-Relationship-{next(counter)}",
                **{
                    "from": frm["spdxId"],
                    "to": [t if isinstance(t, str) else t["spdxId"] for t in to],
                    "relationshipType": kind,
                },
            )
        )

    def license_el(text: str) -> dict:
        expr = canonical_license(text) or (
            text if re.fullmatch(r"[A-Za-z0-9.+() -]+", text) and not text.startswith("LicenseRef") else None
        )
        if expr is None:
            expr = "LicenseRef-" + re.sub(r"[^A-Za-z0-9.-]+", "-", text.removeprefix("LicenseRef-")).strip("-")
        return element(
            "simplelicensing_LicenseExpression",
            f"SPDXRef-License-{next(counter)}",
            simplelicensing_licenseExpression=expr,
        )

    def licensing(el: dict, declared: str | None) -> None:
        # AI and Dataset profile conformance: exactly one declared and one concluded licence each.
        # The card states what was declared; modelcard concludes nothing about it.
        relate("hasDeclaredLicense", el, [license_el(declared)] if declared else [NO_ASSERTION_LICENSE])
        relate("hasConcludedLicense", el, [NO_ASSERTION_LICENSE])

    licensing(package, model.get("license"))
    trained, tested = [], []
    for d in data.get("datasets") or []:
        prov = d.get("provenance") or {}
        sens = prov.get("sensitive_data") or {}
        comp = prov.get("composition") or {}
        ds_el = element(
            "dataset_DatasetPackage",
            f"SPDXRef-Dataset-{d['id']}",
            name=d["name"],
            software_packageVersion=d.get("version"),
            software_primaryPurpose="data",
            software_downloadLocation=d.get("url") or NOASSERTION,
            description=d.get("description"),
            releaseTime=when(None, f"release date of dataset {d['id']}"),
            builtTime=when(
                ((prov.get("collection") or {}).get("timeframe") or {}).get("end"), f"build date of dataset {d['id']}"
            ),
            originatedBy=[_origin(d, element, counter) or no_assertion_agent()["spdxId"]],
            dataset_datasetType=["noAssertion"],
            dataset_datasetSize=None,
            dataset_knownBias=prov.get("known_biases"),
            dataset_dataPreprocessing=prov.get("preprocessing"),
            dataset_dataCollectionProcess=(prov.get("collection") or {}).get("method"),
            dataset_hasSensitivePersonalInformation=(
                "yes"
                if sens.get("contains_personal_data")
                else "no"
                if sens.get("contains_personal_data") is False
                else None
            ),
            dataset_intendedUse=None,
            verifiedUsing=[{"type": "Hash", "algorithm": "sha256", "hashValue": d["sha256"].lower()}]
            if d.get("sha256")
            else None,
            comment=f"{comp['instances']} instances" if comp.get("instances") is not None else None,
        )
        (tested if d["role"] in ("evaluation", "test", "calibration") else trained).append(ds_el)
        licensing(ds_el, (prov.get("licensing") or {}).get("license"))
    if trained:
        relate("trainedOn", package, trained)
    if tested:
        relate("testedOn", package, tested)

    if untimed:
        creation["comment"] = (
            "The card gives no "
            + ", ".join(sorted(set(untimed)))
            + "; SPDX requires one, so the document's creation time is used."
        )
    document = {
        "type": "SpdxDocument",
        "spdxId": f"{base}#SPDXRef-Document",
        "creationInfo": ci,
        "name": f"Model card of {model['name']} {model['version']}",
        "profileConformance": ["core", "software", "ai", "dataset", "simpleLicensing"],
        "dataLicense": None,
        "rootElement": [package["spdxId"]],
        "element": [e["spdxId"] for e in graph],
    }
    document = {k: v for k, v in document.items() if v is not None}
    return {"@context": CONTEXT, "@graph": [creation, document, *graph]}


def _origin(d: dict, element: Any, counter: Any) -> str | None:
    """The organisation a dataset came from: its maintainer or first source."""
    prov = d.get("provenance") or {}
    name = (prov.get("maintenance") or {}).get("maintainer") or next(
        (s["name"] for s in prov.get("sources") or []), None
    )
    if not name:
        return None
    return element("Organization", f"SPDXRef-Origin-{next(counter)}", name=name)["spdxId"]


def export_text(card: Any) -> str:
    return json.dumps(export_document(card), indent=2, ensure_ascii=False) + "\n"
