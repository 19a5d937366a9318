"""Writing a card as a Hugging Face README: front matter from typed fields, body sections, Hub checks.

This module only writes; it never imports the README back (:mod:`.roundtrip`
does that, to embed what a README cannot express).

* :func:`build_front_matter` — the metadata, faithfully: for a card imported
  from the Hub, the same keys and values it was read from (``x-huggingface``
  keeps what has no card field); for any card, ``license`` (the Hub's ids, or
  ``other`` with ``license_name``/``license_link``), ``language``,
  ``datasets``, ``base_model`` (+ ``base_model_relation``), ``pipeline_tag``,
  ``library_name``, ``tags``, ``co2_eq_emissions`` and ``model-index`` from
  the typed fields;
* :func:`hub_safe` — what ``huggingface_hub`` would refuse (a ``model-index``
  result without a dataset or metrics, a metric without a value, a source
  without a URL, non-text keys) is left out, each with a warning;
* :func:`build_body` — the Markdown body: the imported sections (mapped
  fields written back from the card), or standard sections for a card that
  did not come from the Hub.
"""

from __future__ import annotations

import copy
import json
from functools import partial
from typing import Any

from modelcard.interop._common import Notes, to_number
from modelcard.interop.huggingface.frontmatter import BASE_MODEL_RELATIONS, PIPELINE_TAGS, REPO_ID
from modelcard.interop.huggingface.importer import EXT, HUB_DATASET_URL, field_value
from modelcard.interop.huggingface.sections import (
    DEFAULT_LEAD,
    DEFAULT_TRAIL,
    HYPERPARAMETER_INTRO,
    join_section,
    render_field,
)
from modelcard.interop.licenses import hub_license
from modelcard.render.markdown_text import md_cell
from modelcard.report.fmt import compact
from modelcard.schema.models import ModelCard, base_models, stated_level
from modelcard.schema.types import group_text

#: datasets of these roles count as "the evaluation dataset" for metrics that name none
EVALUATION_ROLES = ("evaluation", "test")


def _warn(notes: Notes | None, message: str, path: str = "", code: str = "huggingface-export") -> None:
    if notes is not None:
        notes.warn(message, code=code, path=path)


def _ext(data: dict[str, Any]) -> dict[str, Any]:
    ext = data.get(EXT)
    return ext if isinstance(ext, dict) else {}


# --------------------------------------------------------------------------
# front matter


def build_front_matter(card: ModelCard, data: dict[str, Any], notes: Notes | None = None) -> dict[str, Any]:
    """The front-matter mapping for ``card`` (``data`` is its ``model_dump(mode='json')``)."""
    ext = _ext(data)
    model = card.model
    scalar = set(ext.get("scalar_keys") or [])
    fm: dict[str, Any] = {}
    if model.license:
        hl = hub_license(model.license, model.license_url)
        fm["license"] = hl.license
        if hl.name:
            fm["license_name"] = hl.name
        if hl.license == "other" and hl.name and not hl.link:
            _warn(
                notes,
                f"licence '{model.license}' is not one of the Hub's: written as 'license: other' with "
                f"license_name '{hl.name}' but no license_link (set model.license_url, or add a LICENSE file "
                "to the repository)",
                "model.license",
            )
        if hl.link:
            fm["license_link"] = hl.link
    if model.license_url:
        fm["license_link"] = model.license_url
    if model.languages:
        langs = list(model.languages)
        fm["language"] = langs[0] if "language" in scalar and len(langs) == 1 else langs
    hub_ids = _hub_dataset_ids(data)
    if hub_ids:
        fm["datasets"] = hub_ids[0] if "datasets" in scalar and len(hub_ids) == 1 else hub_ids
    _base_models(card, fm, scalar, notes)
    task = model.task or (model.type if model.type in PIPELINE_TAGS else None)
    if task in PIPELINE_TAGS:
        fm["pipeline_tag"] = task
    elif model.task:
        _warn(notes, f"task '{model.task}' is not a Hub pipeline tag: no pipeline_tag written", "model.task")
    if model.library:
        fm["library_name"] = model.library
    if model.tags:
        fm["tags"] = model.tags[0] if "tags" in scalar and len(model.tags) == 1 else list(model.tags)
    co2 = _co2(data)
    if co2 is not None:
        fm["co2_eq_emissions"] = co2
    mi = build_model_index(card, data, notes)
    if mi:
        fm["model-index"] = mi
    fm.update(ext.get("front_matter_extra") or {})
    order = ext.get("key_order") or []
    ordered = {k: fm[k] for k in order if k in fm}
    ordered.update({k: v for k, v in fm.items() if k not in ordered})
    return ordered


def _hub_dataset_ids(data: dict[str, Any]) -> list[str]:
    ids = []
    for d in data.get("datasets") or []:
        hf = d.get(EXT) or {}
        if isinstance(hf, dict) and hf.get("id"):
            ids.append(hf["id"])
        elif d.get("role") in ("training", "fine-tuning") and not hf:
            m = HUB_DATASET_URL.fullmatch(str(d.get("url") or ""))
            if m:
                ids.append(m.group(1))
    return ids


def _base_models(card: ModelCard, fm: dict[str, Any], scalar: set[str], notes: Notes | None) -> None:
    refs = base_models(card.model)
    if not refs:
        return
    names = [r.name for r in refs]
    bad = [n for n in names if not REPO_ID.fullmatch(n)]
    if bad:
        _warn(notes, f"base model(s) {', '.join(repr(b) for b in bad)} are not Hub model ids", "model.base_models")
    fm["base_model"] = names[0] if "base_model" in scalar and len(names) == 1 else names
    relations = {r.relation for r in refs}
    if len(relations) == 1:
        (relation,) = relations
        if relation in BASE_MODEL_RELATIONS:
            fm["base_model_relation"] = relation
        elif relation is not None:
            _warn(
                notes,
                f"base model relation '{relation}' has no Hub equivalent ({', '.join(BASE_MODEL_RELATIONS)}): "
                "no base_model_relation written",
                "model.base_models",
            )
    else:
        _warn(notes, "base models have different relations; the Hub takes one: no base_model_relation written")


def _co2(data: dict[str, Any]) -> Any:
    env = data.get("environmental_impact") or {}
    hf = env.get(EXT)
    co2 = hf.get("co2_eq_emissions") if isinstance(hf, dict) else None
    kg = env.get("co2_eq_kg")
    if co2 is not None and kg is not None:
        original = co2.get("emissions") if isinstance(co2, dict) else co2
        if isinstance(original, (int, float)) and abs(float(original) / 1000 - kg) <= 1e-12 * max(1.0, kg):
            return co2
        return kg * 1000
    if kg is not None:
        co2_map: dict[str, Any] = {"emissions": kg * 1000}
        if env.get("hardware"):
            co2_map["hardware_used"] = env["hardware"]
        if env.get("region"):
            co2_map["geographical_location"] = env["region"]
        return co2_map
    return None


# --------------------------------------------------------------------------
# model-index


def _slice_text(group: dict[str, Any] | None) -> str:
    return group_text(group, empty="")


def metric_out(m: dict[str, Any]) -> dict[str, Any]:
    """A model-index metric for card metric ``m`` (dumped)."""
    hf = dict(m.get(EXT) or {}) if isinstance(m.get(EXT), dict) else {}
    hf.pop("result", None)
    raw = hf.pop("value", None)
    value: Any = m.get("value")
    if raw is not None and to_number(raw) == value:
        value = raw
    out: dict[str, Any] = {"type": m["name"], "value": value}
    if m.get("display_name"):
        out["name"] = m["display_name"]
    elif "name" not in hf and (m.get("slice") or m.get("description")):
        label = m["name"]
        if m.get("slice"):
            label += f" [{_slice_text(m['slice'])}]"
        out["name"] = label
    for key in ("config", "args"):
        if m.get(key) is not None:
            out[key] = m[key]
    verified = (m.get("source") or {}).get("verified")
    if verified is not None:
        out["verified"] = verified
    out.update(hf)
    return out


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _refresh(result: dict[str, Any], first: dict[str, Any], datasets: dict[str, dict[str, Any]]) -> None:
    """Write typed edits of a placed result's dataset and source back into its skeleton."""
    ds_map = result.get("dataset")
    ds = datasets.get(first.get("dataset") or "")
    if isinstance(ds_map, dict) and ds is not None:
        for key, typed in (("name", ds.get("name")), ("config", ds.get("config")), ("revision", ds.get("version"))):
            if typed is not None and str(ds_map.get(key)) != str(typed):
                ds_map[key] = typed
        if ds.get("args") is not None and not _same(ds_map.get("args"), ds["args"]):
            ds_map["args"] = ds["args"]
        if first.get("split") is not None and str(ds_map.get("split")) != str(first["split"]):
            ds_map["split"] = first["split"]
    src = {k: v for k, v in (first.get("source") or {}).items() if k in ("name", "url")}
    old = result.get("source")
    if src and (not isinstance(old, dict) or any(str(old.get(k)) != str(v) for k, v in src.items())):
        result["source"] = {**(old if isinstance(old, dict) else {}), **src}


def _placed(m: dict[str, Any], skeleton: list[Any] | None) -> tuple[int, int] | None:
    hf = m.get(EXT)
    where = hf.get("result") if isinstance(hf, dict) else None
    if not (isinstance(where, list) and len(where) == 2 and skeleton and all(isinstance(w, int) for w in where)):
        return None
    j, i = where
    if not 0 <= j < len(skeleton) or not isinstance(skeleton[j], dict):
        return None
    results = skeleton[j].get("results")
    if not isinstance(results, list) or not 0 <= i < len(results) or not isinstance(results[i], dict):
        return None
    return j, i


def _evaluation_fallback(card: ModelCard) -> str | None:
    """The card's one evaluation dataset, for metrics that name none (None when there is not exactly one)."""
    ids = {d.id for d in card.datasets or [] if d.role in EVALUATION_ROLES}
    if card.test_methodology is not None:
        ids |= {s.dataset for s in card.test_methodology.datasets or [] if card.dataset(s.dataset) is not None}
    return next(iter(ids)) if len(ids) == 1 else None


def build_model_index(card: ModelCard, data: dict[str, Any], notes: Notes | None = None) -> list[Any] | None:
    """``model-index`` from the card's metrics (into the imported skeleton, when there is one)."""
    ext = _ext(data)
    skeleton = copy.deepcopy(ext.get("model_index"))
    datasets = {d["id"]: d for d in data.get("datasets") or []}
    placed: dict[tuple[int, int], list[dict[str, Any]]] = {}
    loose: list[tuple[int, dict[str, Any]]] = []
    for k, m in enumerate(data.get("metrics") or []):
        if m.get("value") is None:
            continue
        where = _placed(m, skeleton)
        if where is None:
            loose.append((k, m))
        else:
            placed.setdefault(where, []).append(m)
    for j, entry in enumerate(skeleton or []):
        results = entry.get("results") if isinstance(entry, dict) else None
        for i, result in enumerate(results if isinstance(results, list) else []):
            if not isinstance(result, dict):
                continue
            unmapped = result.pop("unmapped_metrics", None)
            mine = placed.get((j, i), [])
            ms = [metric_out(m) for m in mine]
            for u in sorted(unmapped or [], key=lambda u: u["index"]):
                ms.insert(min(u["index"], len(ms)), u["metric"])
            if ms or unmapped is not None or mine:
                result["metrics"] = ms
            if mine:
                _refresh(result, mine[0], datasets)
    if not loose:
        return skeleton
    results = _loose_results(card, loose, datasets, notes)
    if not results:
        return skeleton
    if not skeleton:
        skeleton = [{"name": card.model.name, "results": []}]
    first = skeleton[0] if isinstance(skeleton[0], dict) else None
    if first is None or not isinstance(first.get("results", []), list):
        skeleton.append({"name": card.model.name, "results": []})
        first = skeleton[-1]
    first.setdefault("results", []).extend(results)
    return skeleton


def _loose_results(
    card: ModelCard,
    loose: list[tuple[int, dict[str, Any]]],
    datasets: dict[str, dict[str, Any]],
    notes: Notes | None,
) -> list[dict[str, Any]]:
    """One model-index result per (dataset, split, source) for metrics that did not come from one."""
    fallback = _evaluation_fallback(card)
    groups: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    left_out: list[str] = []
    for k, m in loose:
        ds_id = m.get("dataset") or fallback
        if ds_id is None or ds_id not in datasets:
            label = m["name"] + (f" [{_slice_text(m.get('slice'))}]" if m.get("slice") else "")
            left_out.append(f"metrics[{k}] ({label})")
            continue
        src = {k2: v for k2, v in (m.get("source") or {}).items() if k2 in ("name", "url")}
        key = json.dumps([ds_id, m.get("split"), src], sort_keys=True)
        groups.setdefault(key, ({"dataset": ds_id, "split": m.get("split"), "source": src}, []))[1].append(
            metric_out(m)
        )
    if left_out:
        _warn(
            notes,
            f"{len(left_out)} metric(s) name no dataset and the card has no single evaluation dataset, so they "
            f"are not in model-index (the body's results table lists them): {', '.join(left_out)}",
            "metrics",
            "huggingface-metric-no-dataset",
        )
    task = card.model.task or card.model.type
    out = []
    for where, ms in groups.values():
        ds = datasets[where["dataset"]]
        hf = ds.get(EXT) if isinstance(ds.get(EXT), dict) else {}
        hub = HUB_DATASET_URL.fullmatch(str(ds.get("url") or ""))
        dtype = (hf or {}).get("type") or (hub.group(1) if hub else ds["id"])
        dataset: dict[str, Any] = {"type": dtype, "name": ds["name"]}
        for key, value in (
            ("config", ds.get("config")),
            ("split", where["split"]),
            ("revision", ds.get("version")),
            ("args", ds.get("args")),
        ):
            if value is not None:
                dataset[key] = value
        result: dict[str, Any] = {
            "task": {
                "type": task if task in PIPELINE_TAGS else "other",
                **({"name": task} if task and task not in PIPELINE_TAGS else {}),
            },
            "dataset": dataset,
            "metrics": ms,
        }
        if where["source"]:
            result["source"] = where["source"]
        out.append(result)
    return out


# --------------------------------------------------------------------------
# what huggingface_hub refuses


def hub_safe(fm: dict[str, Any], notes: Notes | None = None) -> dict[str, Any]:
    """``fm`` minus what ``huggingface_hub``'s ``ModelCard.load`` (metadata errors not ignored) refuses."""
    out: dict[str, Any] = {}
    for key, value in fm.items():
        if not isinstance(key, str) or key in ("ignore_metadata_errors", "eval_results", "model_name"):
            _warn(notes, f"front-matter key {key!r} cannot be Hub metadata: left out of the README", str(key))
            continue
        out[key] = value
    if "tags" in out and not isinstance(out["tags"], (str, list, type(None))):
        _warn(notes, "front-matter 'tags' is not a tag or a list of tags: left out of the README", "tags")
        del out["tags"]
    if "model-index" in out:
        mi = _safe_model_index(out["model-index"], notes)
        if mi:
            out["model-index"] = mi
        else:
            del out["model-index"]
    return out


def _safe_model_index(mi: Any, notes: Notes | None) -> list[dict[str, Any]]:
    if not isinstance(mi, list):
        _warn(notes, "model-index is not a list of models with results: left out of the README", "model-index")
        return []
    out = []
    for j, entry in enumerate(mi):
        where = f"model-index[{j}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("results"), list):
            _warn(notes, f"{where} has no list of results: left out of the README", where)
            continue
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            _warn(notes, f"{where} has no name: left out of the README (the Hub needs one)", where)
            continue
        results = [r for i, r in enumerate(entry["results"]) if _safe_result(r, f"{where}.results[{i}]", notes)]
        if results:
            out.append({**entry, "results": results})
    return out


def _scalars(mapping: dict[str, Any], keys: tuple[str, ...]) -> bool:
    """Whether the ``keys`` of ``mapping`` are single values (huggingface_hub hashes them)."""
    return all(isinstance(mapping.get(k), (str, int, float, bool, type(None))) for k in keys)


def _safe_result(result: Any, where: str, notes: Notes | None) -> bool:
    """Whether ``result`` loads in huggingface_hub; bad metrics are removed from it in place."""
    problem = None
    if not isinstance(result, dict):
        problem = "is not a mapping"
    elif not isinstance(result.get("task"), dict) or "type" not in result["task"]:
        problem = "has no task type"
    elif not isinstance(result.get("dataset"), dict) or not {"type", "name"} <= set(result["dataset"]):
        problem = "has no dataset type and name"
    elif not isinstance(result.get("metrics"), list):
        problem = "has no metrics"
    elif (
        isinstance(result.get("source"), dict)
        and result["source"].get("name") is not None
        and result["source"].get("url") is None
    ):
        problem = "names a source without a URL"
    elif result.get("source") is not None and not isinstance(result.get("source"), dict):
        problem = "has a source that is not a mapping"
    elif not _scalars(result["task"], ("type", "name")) or not _scalars(
        result["dataset"], ("type", "name", "config", "split", "revision")
    ):
        problem = "has a task or dataset field that is not a single value"
    if problem:
        _warn(notes, f"{where} {problem}: left out of the README's model-index", where)
        return False
    assert isinstance(result, dict)
    kept = []
    for k, metric in enumerate(result["metrics"]):
        if (
            isinstance(metric, dict)
            and "type" in metric
            and "value" in metric
            and _scalars(metric, ("type", "name", "config"))
        ):
            kept.append(metric)
        else:
            _warn(notes, f"{where}.metrics[{k}] has no type or no value: left out of the README's model-index", where)
    result["metrics"] = kept
    if not kept:
        _warn(notes, f"{where} has no usable metric: left out of the README's model-index", where)
        return False
    return True


# --------------------------------------------------------------------------
# body


_cell = md_cell  # THE Markdown table-cell escaper
_fmt = partial(compact, none="")  # report numbers: 4 significant digits, "" for none


def _interval(ci: Any, card: ModelCard) -> str:
    if ci is None:
        return ""
    level = stated_level(ci, card)
    shown = f"{level * 100:g}%" if level is not None else "level not stated"
    return f"[{_fmt(ci.lower)}, {_fmt(ci.upper)}] ({shown})"


def native_sections(card: ModelCard) -> list[dict[str, Any]]:
    """Sections for a card that did not come from the Hub."""
    model = card.model
    iu = card.intended_use
    car = card.caveats_and_recommendations
    out: list[dict[str, Any]] = []

    def add(heading: str, field: str, value: Any, **kw: Any) -> None:
        if value not in (None, "", [], {}):
            out.append({"heading": heading, "field": field, **kw})

    out.append(
        {"heading": f"# {model.name}", "field": "model.description"}
        if model.description
        else {"heading": f"# {model.name}", "text": "\n\n"}
    )
    out.append({"heading": "## Model details", "text": "\n\n" + "\n".join(_details(card)) + "\n\n"})
    if iu is not None:
        add("## Intended uses & limitations", "intended_use.primary_uses", iu.primary_uses, items="bullets")
        add("## Intended users", "intended_use.primary_users", iu.primary_users, items="bullets")
        add("## Out-of-scope use", "intended_use.out_of_scope_uses", iu.out_of_scope_uses, items="bullets")
    if card.usage is not None:
        add("## How to use", "usage.code", card.usage.code)
        if card.usage.examples:
            rows = ["| input | output |", "|---|---|"]
            rows += [f"| {_cell(e.input)} | {_cell(e.output or '')} |" for e in card.usage.examples]
            out.append({"heading": "### Examples", "text": "\n\n" + "\n".join(rows) + "\n\n"})
    if card.datasets:
        lines = []
        for d in card.datasets:
            line = f"- **{d.name}** ({d.role})"
            if d.description:
                line += ": " + " ".join(str(d.description).split())
            lines.append(line)
        out.append({"heading": "## Datasets", "text": "\n\n" + "\n".join(lines) + "\n\n"})
    tr = card.training
    if tr is not None:
        add("## Training procedure", "training.procedure", tr.procedure)
        if tr.hyperparameters:
            out.append(
                {
                    "heading": "### Training hyperparameters",
                    "field": "training.hyperparameters",
                    "intro": HYPERPARAMETER_INTRO,
                }
            )
    add("### Framework versions", "model.frameworks", model.frameworks)
    tm = card.test_methodology
    add("## Evaluation procedure", "test_methodology.protocol", tm.protocol if tm else None)
    if card.metrics:
        rows = [
            "| metric | slice | dataset | split | value | confidence interval | n | source |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for m in card.metrics:
            src = m.source
            source = ""
            if src is not None:
                source = src.name or (src.url or "")
                if src.verified is not None:
                    source += " (verified)" if src.verified else " (self-reported)"
            rows.append(
                "| {} | {} | {} | {} | {} | {} | {} | {} |".format(
                    _cell(m.display_name or m.name),
                    _cell(_slice_text(m.slice) or "overall"),
                    _cell(m.dataset or ""),
                    _cell(m.split or ""),
                    _fmt(m.value) if m.value is not None else _cell(f"undefined ({m.undefined_reason})"),
                    _interval(m.confidence_interval, card),
                    m.n if m.n is not None else "",
                    _cell(source.strip()),
                )
            )
        out.append({"heading": "## Evaluation results", "text": "\n\n" + "\n".join(rows) + "\n\n"})
    _fairness(card, out)
    if car is not None:
        add("## Limitations and bias", "caveats_and_recommendations.caveats", car.caveats, items="bullets")
        add("## Trade-offs", "caveats_and_recommendations.tradeoffs", car.tradeoffs, items="bullets")
        add("## Recommendations", "caveats_and_recommendations.recommendations", car.recommendations, items="bullets")
    risks = card.ethical_considerations.risks if card.ethical_considerations else None
    if risks:
        lines = []
        for r in risks:
            line = f"- **{r.name}**"
            if r.description:
                line += ": " + " ".join(str(r.description).split())
            for mit in r.mitigations or []:
                line += "\n  - Mitigation: " + " ".join(str(mit).split())
            lines.append(line)
        out.append({"heading": "## Ethical considerations", "text": "\n\n" + "\n".join(lines) + "\n\n"})
    env = card.environmental_impact
    add("## Environmental impact", "environmental_impact.method", env.method if env else None)
    if model.citation:
        entry: dict[str, Any] = {"heading": "## Citation", "field": "model.citation"}
        if model.citation.lstrip().startswith("@"):
            entry["fence"] = "```bibtex"
        out.append(entry)
    add("## Contact", "model.contact", model.contact)
    return out


def _details(card: ModelCard) -> list[str]:
    model = card.model
    details = [f"- **Version:** {model.version}"]
    for label, value in (
        ("Type", model.type),
        ("Task", model.task),
        ("Architecture", model.architecture),
        ("Parameters", f"{model.parameters:,}" if model.parameters is not None else None),
        ("Library", model.library),
        ("Release date", model.date),
        ("Licence", model.license),
        ("Repository", model.repository),
    ):
        if value:
            details.append(f"- **{label}:** {value}")
    refs = base_models(model)
    if refs:
        details.append(
            "- **Base model:** " + ", ".join(r.name + (f" ({r.relation})" if r.relation else "") for r in refs)
        )
    if model.developers:
        details.append("- **Developers:** " + ", ".join(p.name for p in model.developers))
    tr = card.training
    if tr is not None and (tr.hardware or tr.hours is not None):
        details.append(
            "- **Training compute:** "
            + ", ".join(x for x in (tr.hardware, f"{tr.hours:g} hours" if tr.hours is not None else None) if x)
        )
    us = card.usage
    if us is not None and (us.hardware or us.latency_ms is not None):
        details.append(
            "- **Inference:** "
            + ", ".join(
                x for x in (us.hardware, f"{us.latency_ms:g} ms per input" if us.latency_ms is not None else None) if x
            )
        )
    return details


def _fairness(card: ModelCard, out: list[dict[str, Any]]) -> None:
    fairness = card.fairness
    if fairness is None or not (fairness.results or fairness.summary):
        return
    text = "\n\n"
    if fairness.summary:
        text += fairness.summary.strip() + "\n\n"
    if fairness.results:
        rows = [
            "| metric | group | reference | value | difference | ratio | verdict |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in fairness.results:
            disp = r.disparity
            diff = disp.difference.value if disp is not None and disp.difference is not None else None
            ratio = disp.ratio.value if disp is not None and disp.ratio is not None else None
            rows.append(
                "| {} | {} | {} | {} | {} | {} | {} |".format(
                    _cell(r.metric),
                    _cell(_slice_text(r.group)),
                    _cell(_slice_text(r.reference_group)),
                    _fmt(r.value),
                    _fmt(diff),
                    _fmt(ratio),
                    getattr(r.verdict, "value", r.verdict),
                )
            )
        text += "\n".join(rows) + "\n\n"
    out.append({"heading": "## Fairness", "text": text})


def build_body(card: ModelCard, data: dict[str, Any]) -> str:
    """The Markdown body: the imported sections with mapped fields written back, or native sections."""
    ext = _ext(data)
    sections = ext.get("sections")
    preamble = ext.get("preamble", "")
    if sections is None and EXT not in data:
        sections = native_sections(card)
    parts = [preamble]
    for entry in sections or []:
        if "text" in entry:
            parts.append(entry["heading"] + entry["text"])
            continue
        text = render_field(entry, field_value(data, entry))
        if text is None:
            continue  # the field was emptied: drop its section
        parts.append(
            join_section(entry["heading"], entry.get("lead", DEFAULT_LEAD), text, entry.get("trail", DEFAULT_TRAIL))
        )
    return "".join(parts)


def compose(fm: dict[str, Any] | None, body: str, data: dict[str, Any]) -> str:
    """The README text: ``---`` front matter (when there is a block) and the body, in the card's line endings."""
    from modelcard.interop.huggingface.frontmatter import dump_yaml

    ext = _ext(data)
    text = f"---\n{dump_yaml(fm) if fm else ''}---\n{body}" if fm is not None else body
    if ext.get("line_endings") == "crlf":
        text = text.replace("\n", "\r\n")
    return text


def has_block(data: dict[str, Any]) -> bool:
    """Whether the README gets a front-matter block (a Hub README without one stays without)."""
    ext = _ext(data)
    return EXT not in data or any(k in ext for k in ("key_order", "front_matter", "front_matter_text"))


def render(card: ModelCard, data: dict[str, Any], notes: Notes | None = None) -> tuple[dict[str, Any] | None, str]:
    """``(front matter or None, body)`` of the README for ``card``, safe for huggingface_hub."""
    body = build_body(card, data)
    ext = _ext(data)
    for key, what in (("front_matter", "was not a mapping"), ("front_matter_text", "was not valid YAML")):
        if key in ext:
            _warn(notes, f"the imported front matter {what}; it is not written back (the Hub would refuse it)", EXT)
    fm = hub_safe(build_front_matter(card, data, notes), notes)
    if not fm and not has_block(data):
        return None, body
    return fm, body
