"""Reading a Hugging Face README into card data: one mapper per front-matter key and per body section.

This module only reads.  It does not check that export gives the README back
(that needs the exporter: :mod:`.roundtrip` does it), so the importer and the
exporter never import each other.

====================================  ===========================================
front matter / body                   card
====================================  ===========================================
``license`` (+ ``license_name``)      ``model.license`` (as written; ``other``
                                      with a name: ``LicenseRef-<name>``)
``license_link``                      ``model.license_url``
``language``                          ``model.languages``
``datasets``                          ``datasets[]`` (role ``training``)
``base_model`` (+ relation)           ``model.base_models``
``pipeline_tag``                      ``model.task``
``library_name``                      ``model.library``
``tags``                              ``model.tags``
``co2_eq_emissions``                  ``environmental_impact``
``model-index`` results               ``metrics[]`` (name, display name, config,
                                      args, split, source) + evaluation
                                      ``datasets[]`` (name, config, revision, args)
first H1 (or "Model description")     ``model.description``
"Intended uses & limitations"         ``intended_use.primary_uses``
"Out-of-scope use"                    ``intended_use.out_of_scope_uses``
"Limitations and bias"                ``caveats_and_recommendations.caveats``
"Recommendations"                     ``caveats_and_recommendations.recommendations``
"Training data"                       the training dataset's ``description``
"Training procedure"                  ``training.procedure``
"Training hyperparameters"            ``training.hyperparameters``
"Framework versions"                  ``model.frameworks``
"How to use" (prose + code blocks)    ``usage.code``
"Evaluation results" / "Evaluation"   ``test_methodology.protocol``
"Citation" / "BibTeX ..."             ``model.citation``
"Environmental impact"                ``environmental_impact.method``
"Contact"                             ``model.contact``
====================================  ===========================================

Everything else is kept under the card's ``x-huggingface`` extension
(``front_matter_extra``, the ``model_index`` skeleton, the ordered
``sections`` with unmapped text verbatim, the ``preamble``).
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import yaml

from modelcard.diagnostics import CardError, Diagnostic, SourcePos, describe_value
from modelcard.interop._common import UNVERSIONED, Notes, make_id, nonempty_str, to_number
from modelcard.interop.huggingface.frontmatter import (
    BASE_MODEL_RELATIONS,
    KNOWN_KEYS,
    PIPELINE_TAGS,
    REPO_ID,
    parse_yaml,
    split_front_matter,
)
from modelcard.interop.huggingface.sections import (
    DEFAULT_LEAD,
    DEFAULT_TRAIL,
    HEADING_TO_FIELD,
    RawSection,
    mapper,
    normalise_heading,
    render_field,
    split_sections,
)
from modelcard.interop.licenses import from_hub, license_ref
from modelcard.safe_text import safe_url
from modelcard.schema.models import SCHEMA_VERSION

FORMAT = "huggingface"
EXT = "x-huggingface"
EMBED_KEY = "modelcard"
HUB_DATASET_URL = re.compile(r"https?://huggingface\.co/datasets/([\w.-]+(?:/[\w.-]+)?)/?")

#: suffixes of files that are Markdown (a README without headings is still one)
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mdx")


@dataclass
class ReadmeParts:
    """What reading a README gave: card data, and the pieces the round-trip check needs."""

    data: dict[str, Any]
    front_matter: dict[str, Any] | None
    body: str
    embedded: dict[str, Any] | None = None


@dataclass
class _Ctx:
    """State shared by the front-matter mappers of one README."""

    fm: dict[str, Any]
    data: dict[str, Any]
    ext: dict[str, Any]
    notes: Notes
    positions: dict[tuple[Any, ...], SourcePos]
    taken: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> dict[str, Any]:
        model: dict[str, Any] = self.data["model"]
        return model

    def keep(self, key: str, why: str | None = None) -> None:
        """Keep front-matter ``key`` verbatim (with a located warning saying why, when given)."""
        self.extra[key] = self.fm[key]
        if why:
            self.notes.warn(
                f"'{key}' {why}: kept it verbatim under {EXT}.front_matter_extra",
                pos=self.positions.get((key,)),
                code="front-matter-kept",
            )

    def scalar(self, key: str) -> None:
        """Remember that ``key`` was one value, not a list (export writes it the same way)."""
        self.ext.setdefault("scalar_keys", []).append(key)


def _strings(value: Any) -> list[str] | None:
    """A non-empty list of non-empty strings from a string or a list of strings, else None."""
    items = [value] if isinstance(value, str) else value
    if isinstance(items, list) and items and all(nonempty_str(v) for v in items):
        return list(items)
    return None


# --------------------------------------------------------------------------
# front matter: one mapper per key; each returns True when it mapped the value


def _license(value: Any, ctx: _Ctx) -> bool:
    if not nonempty_str(value):
        ctx.keep("license", f"is {describe_value(value)}, not a licence identifier")
        return True
    name = ctx.fm.get("license_name")
    ctx.model["license"] = from_hub(value, name if nonempty_str(name) else None)
    return True


def _license_name(value: Any, ctx: _Ctx) -> bool:
    # read together with `license: other`; export writes it back from model.license
    return ctx.fm.get("license") == "other" and nonempty_str(value) is not None


def _license_link(value: Any, ctx: _Ctx) -> bool:
    if nonempty_str(value) and safe_url(value):
        ctx.model["license_url"] = value
        return True
    return False  # e.g. a relative link to a LICENSE file: kept verbatim


def _language(value: Any, ctx: _Ctx) -> bool:
    langs = _strings(value)
    if langs:
        ctx.model["languages"] = langs
        if isinstance(value, str):
            ctx.scalar("language")
    elif value not in (None, []):
        ctx.keep("language", f"is {describe_value(value)}, not a language code or list of codes")
        return True
    return langs is not None


def _datasets(value: Any, ctx: _Ctx) -> bool:
    ids = _strings(value)
    if ids is None:
        if value not in (None, []):
            ctx.keep("datasets", f"is {describe_value(value)}, not a list of dataset ids")
            return True
        return False
    for hub_id in ids:
        ds: dict[str, Any] = {"id": make_id(hub_id, ctx.taken), "name": hub_id, "role": "training", EXT: {"id": hub_id}}
        if REPO_ID.fullmatch(hub_id):
            ds["url"] = f"https://huggingface.co/datasets/{hub_id}"
        ctx.data.setdefault("datasets", []).append(ds)
    if isinstance(value, str):
        ctx.scalar("datasets")
    return True


def _base_model(value: Any, ctx: _Ctx) -> bool:
    names = _strings(value)
    if names is None:
        if value is not None:
            ctx.keep("base_model", f"is {describe_value(value)}, not a model id or list of ids")
            return True
        return False
    relation = ctx.fm.get("base_model_relation")
    refs = []
    for n in names:
        ref: dict[str, Any] = {"name": n}
        if relation in BASE_MODEL_RELATIONS:
            ref["relation"] = relation
        refs.append(ref)
    ctx.model["base_models"] = refs
    if isinstance(value, str):
        ctx.scalar("base_model")
    return True


def _base_model_relation(value: Any, ctx: _Ctx) -> bool:
    if value in BASE_MODEL_RELATIONS and _strings(ctx.fm.get("base_model")):
        return True
    if value is not None:
        ctx.keep(
            "base_model_relation",
            f"is {describe_value(value)}; the Hub allows {', '.join(BASE_MODEL_RELATIONS)}, with a base_model",
        )
        return True
    return False


def _pipeline_tag(value: Any, ctx: _Ctx) -> bool:
    if isinstance(value, str) and value in PIPELINE_TAGS:
        ctx.model["task"] = value
        return True
    if value is not None:
        ctx.keep("pipeline_tag", "is not a known Hub pipeline tag")
        return True
    return False


def _library_name(value: Any, ctx: _Ctx) -> bool:
    if nonempty_str(value):
        ctx.model["library"] = value
        return True
    return False


def _tags(value: Any, ctx: _Ctx) -> bool:
    tags = _strings(value)
    if tags is None:
        return False
    ctx.model["tags"] = tags
    if isinstance(value, str):
        ctx.scalar("tags")
    return True


def _co2(value: Any, ctx: _Ctx) -> bool:
    env = import_co2(value)
    if env is None:
        ctx.keep("co2_eq_emissions", "is not a number of grams or an {emissions: ...} mapping")
        return True
    ctx.data["environmental_impact"] = env
    return True


def _model_index(value: Any, ctx: _Ctx) -> bool:
    return ModelIndexReader(ctx).read(value)


#: front-matter key -> its mapper (keys not listed stay verbatim under front_matter_extra)
FRONT_MATTER_MAPPERS: dict[str, Callable[[Any, _Ctx], bool]] = {
    "license": _license,
    "license_name": _license_name,
    "license_link": _license_link,
    "language": _language,
    "datasets": _datasets,
    "base_model": _base_model,
    "base_model_relation": _base_model_relation,
    "pipeline_tag": _pipeline_tag,
    "library_name": _library_name,
    "tags": _tags,
    "co2_eq_emissions": _co2,
    "model-index": _model_index,
}


def import_co2(value: Any) -> dict[str, Any] | None:
    if to_number(value) is not None and not isinstance(value, str):
        grams = float(value)
        return {"co2_eq_kg": grams / 1000, EXT: {"co2_eq_emissions": value}} if grams >= 0 else None
    if (
        isinstance(value, dict)
        and to_number(value.get("emissions")) is not None
        and not isinstance(value.get("emissions"), str)
        and float(value["emissions"]) >= 0
    ):
        env: dict[str, Any] = {"co2_eq_kg": float(value["emissions"]) / 1000}
        if nonempty_str(value.get("hardware_used")):
            env["hardware"] = value["hardware_used"]
        if nonempty_str(value.get("geographical_location")):
            env["region"] = value["geographical_location"]
        if nonempty_str(value.get("source")):
            env["method"] = f"Source: {value['source']}"
        env[EXT] = {"co2_eq_emissions": value}
        return env
    return None


def _map_front_matter(ctx: _Ctx) -> None:
    for key, value in ctx.fm.items():
        mapper_ = FRONT_MATTER_MAPPERS.get(key)
        if mapper_ is not None and mapper_(value, ctx):
            continue
        if key not in ctx.extra:
            ctx.extra[key] = value
        if mapper_ is None and key not in KNOWN_KEYS:
            close = difflib.get_close_matches(str(key).lower(), sorted(KNOWN_KEYS), n=1, cutoff=0.75)
            if close:
                ctx.notes.warn(
                    f"unknown metadata key '{key}' (did you mean '{close[0]}'?): kept verbatim under "
                    f"{EXT}.front_matter_extra",
                    pos=ctx.positions.get((key,)),
                    code="front-matter-key",
                )


# --------------------------------------------------------------------------
# model-index: results -> metrics and evaluation datasets


def _identity(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class ModelIndexReader:
    """Maps ``model-index`` results to metrics, keeping what tells results apart.

    Each distinct dataset (type, name, config, revision, args) becomes one
    evaluation dataset; each metric keeps its split, display name, config,
    args and source.  The block itself is kept, minus the metrics, as the
    skeleton export fills back in.
    """

    def __init__(self, ctx: _Ctx):
        self.ctx = ctx
        self.where = ctx.positions.get(("model-index",))
        self.eval_ids: dict[str, str] = {}
        self.seen: dict[str, str] = {}  # metric identity -> where it was first read

    def warn(self, message: str, pos: SourcePos | None = None, code: str = "model-index") -> None:
        self.ctx.notes.warn(message, pos=pos or self.where, code=code)

    def read(self, mi: Any) -> bool:
        """Map the block; False when it is kept verbatim instead."""
        if not isinstance(mi, list) or not all(isinstance(e, dict) for e in mi):
            self.warn(
                f"model-index is {describe_value(mi)}, not a list of models with results: kept under "
                f"{EXT}.front_matter_extra; no metrics imported"
            )
            return False
        skeleton = copy.deepcopy(mi)
        metrics: list[dict[str, Any]] = self.ctx.data.setdefault("metrics", [])
        for j, entry in enumerate(skeleton):
            results = entry.get("results")
            if results is None:
                self.warn(f"model-index[{j}] has no results: kept as is")
                continue
            if not isinstance(results, list):
                self.warn(f"model-index[{j}].results is {describe_value(results)}, not a list: kept as is")
                continue
            for i, result in enumerate(results):
                if isinstance(result, dict):
                    self._result(j, i, result, metrics)
        if not metrics:
            self.ctx.data.pop("metrics")
        self.ctx.ext["model_index"] = skeleton
        return True

    def _dataset(self, ds: Any, here: SourcePos | None, j: int, i: int) -> str | None:
        if not (isinstance(ds, dict) and (nonempty_str(ds.get("type")) or nonempty_str(ds.get("name")))):
            self.warn(f"model-index[{j}].results[{i}] has no dataset: its metrics are imported without one", here)
            return None
        key = _identity({k: ds.get(k) for k in ("type", "name", "config", "revision", "args")})
        if key in self.eval_ids:
            return self.eval_ids[key]
        name = str(ds.get("name") or ds.get("type"))
        label = name + (f"-{ds['config']}" if isinstance(ds.get("config"), (str, int, float)) else "")
        ds_id = make_id(label, self.ctx.taken)
        self.eval_ids[key] = ds_id
        entry: dict[str, Any] = {"id": ds_id, "name": name, "role": "evaluation"}
        dtype = ds.get("type")
        if isinstance(dtype, str) and REPO_ID.fullmatch(dtype):
            entry["url"] = f"https://huggingface.co/datasets/{dtype}"
        if nonempty_str(ds.get("revision")) or isinstance(ds.get("revision"), (int, float)):
            entry["version"] = str(ds["revision"])
        if nonempty_str(ds.get("config")) or isinstance(ds.get("config"), (int, float)):
            entry["config"] = str(ds["config"])
        args = ds.get("args")
        if (isinstance(args, dict) and args and all(isinstance(k, str) and k for k in args)) or nonempty_str(args):
            entry["args"] = args
        entry[EXT] = {"type": dtype}
        self.ctx.data.setdefault("datasets", []).append(entry)
        return ds_id

    def _result(self, j: int, i: int, result: dict[str, Any], metrics: list[dict[str, Any]]) -> None:
        positions = self.ctx.positions
        here = positions.get(("model-index", j, "results", i)) or self.where
        ds = result.get("dataset")
        ds_id = self._dataset(ds, here, j, i)
        ms = result.get("metrics")
        if ms is None:
            self.warn(f"model-index[{j}].results[{i}] has no metrics: kept as is", here)
            return
        if not isinstance(ms, list):
            self.warn(f"model-index[{j}].results[{i}].metrics is {describe_value(ms)}: kept as is", here)
            return
        source = result.get("source")
        unmapped = []
        for k, metric in enumerate(ms):
            pos = positions.get(("model-index", j, "results", i, "metrics", k)) or here
            mapped = self._metric(metric, ds_id, ds, source, [j, i])
            problem = None
            if mapped is None:
                problem = (
                    "has no value"
                    if isinstance(metric, dict) and "value" not in metric
                    else "has no numeric value or no type"
                )
            else:
                ident = _identity(
                    [mapped.get(f) for f in ("name", "display_name", "config", "args", "dataset", "split")]
                )
                if ident in self.seen:
                    problem = f"cannot be told apart from {self.seen[ident]} (same type, name, config, args, dataset and split)"
                else:
                    self.seen[ident] = f"model-index[{j}].results[{i}].metrics[{k}]"
            if problem:
                unmapped.append({"index": k, "metric": metric})
                self.warn(
                    f"model-index[{j}].results[{i}].metrics[{k}] {problem}: kept verbatim under {EXT}.model_index",
                    pos,
                    "model-index-metric",
                )
            else:
                metrics.append(mapped)  # type: ignore[arg-type]
        result.pop("metrics")
        if unmapped or not ms:
            result["unmapped_metrics"] = unmapped

    @staticmethod
    def _metric(metric: Any, ds_id: str | None, ds: Any, source: Any, where: list[int]) -> dict[str, Any] | None:
        if not isinstance(metric, dict) or not nonempty_str(metric.get("type")):
            return None
        raw = metric.get("value")
        value = to_number(raw)
        if value is None:
            return None
        rest = {k: v for k, v in metric.items() if k not in ("type", "value", "name", "config", "args", "verified")}
        hf: dict[str, Any] = {"result": where, **rest}
        if not isinstance(raw, (int, float)):
            hf["value"] = raw
        out: dict[str, Any] = {"name": metric["type"], "value": value}
        if ds_id:
            out["dataset"] = ds_id
        if isinstance(ds, dict) and nonempty_str(ds.get("split")):
            out["split"] = ds["split"]
        for key, target in (("name", "display_name"), ("config", "config")):
            v = metric.get(key)
            if nonempty_str(v):
                out[target] = v
            elif v is not None:
                hf[key] = v
        args = metric.get("args")
        if (isinstance(args, dict) and args and all(isinstance(k, str) and k for k in args)) or nonempty_str(args):
            out["args"] = args
        elif args is not None:
            hf["args"] = args
        src: dict[str, Any] = {}
        if isinstance(source, dict):
            if nonempty_str(source.get("name")):
                src["name"] = source["name"]
            if nonempty_str(source.get("url")) and safe_url(source["url"]):
                src["url"] = source["url"]
        verified = metric.get("verified")
        if isinstance(verified, bool):
            src["verified"] = verified
        elif verified is not None:
            hf["verified"] = verified
        if src:
            out["source"] = src
        out[EXT] = hf
        return out


# --------------------------------------------------------------------------
# body: one mapper per section field (see sections.MAPPERS)


def _dataset_by_id(data: dict[str, Any], ds_id: str) -> dict[str, Any] | None:
    return next((d for d in data.get("datasets") or [] if d.get("id") == ds_id), None)


def get_path(data: dict[str, Any], dotted: str) -> Any:
    cur: Any = data
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    cur = data
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value


def field_value(data: dict[str, Any], entry: dict[str, Any]) -> Any:
    """The current value of the field a section entry maps (``datasets:<id>``: that dataset's description)."""
    f = str(entry["field"])
    if f.startswith("datasets:"):
        ds = _dataset_by_id(data, f.split(":", 1)[1])
        return ds.get("description") if ds else None
    return get_path(data, f)


def _map_section(s: RawSection, field_: str | None, used: set[str], data: dict[str, Any]) -> dict[str, Any]:
    verbatim: dict[str, Any] = {"heading": s.heading, "text": s.content}
    if field_ is None or field_ in used or not s.content.startswith("\n"):
        return verbatim
    content = s.content[1:]
    lead_m = re.match(r"(?:[ \t]*\n)*", content)
    lead = lead_m.group(0) if lead_m else ""
    rest = content[len(lead) :]
    trail = rest[len(rest.rstrip()) :]
    text = rest[: len(rest) - len(trail)]
    if not text.strip():
        return verbatim
    entry: dict[str, Any] = {"heading": s.heading}
    training: list[dict[str, Any]] = []
    if field_ == "training_data":
        training = [d for d in data.get("datasets") or [] if d.get("role") == "training"]
        if len(training) != 1 or training[0].get("description"):
            return verbatim
        entry["field"] = f"datasets:{training[0]['id']}"
    else:
        if get_path(data, field_) not in (None, [], {}):
            return verbatim  # the front matter already set it
        entry["field"] = field_
    parsed = mapper(field_).parse(text)
    if parsed is None:
        return verbatim
    value, extra = parsed
    entry.update(extra)
    if lead != DEFAULT_LEAD:
        entry["lead"] = lead
    if trail != DEFAULT_TRAIL:
        entry["trail"] = trail
    if render_field(entry, value) != text:
        return verbatim
    if field_ == "training_data":
        training[0]["description"] = value
    else:
        set_path(data, field_, value)
    used.add(field_)
    return entry


def _map_body(preamble: str, sections: list[RawSection], data: dict[str, Any], ext: dict[str, Any]) -> None:
    if preamble:
        ext["preamble"] = preamble
    used: set[str] = set()
    explicit_desc = any(HEADING_TO_FIELD.get(normalise_heading(s.title)) == "model.description" for s in sections)
    first_h1 = next((k for k, s in enumerate(sections) if s.level == 1), None)
    entries = []
    for k, s in enumerate(sections):
        field_ = HEADING_TO_FIELD.get(normalise_heading(s.title))
        if field_ is None and k == first_h1 and not explicit_desc:
            field_ = "model.description"
        entries.append(_map_section(s, field_, used, data))
    if entries:
        ext["sections"] = entries


# --------------------------------------------------------------------------
# the whole README


def name_from_filename(filename: str, folder: str = "") -> tuple[str | None, str | None]:
    """``(repo id, fallback name)`` from ``ORG__MODEL.md`` or ``README.md`` in a folder named MODEL."""
    stem = Path(filename).stem
    m = re.fullmatch(r"([A-Za-z0-9][\w.-]*)__([A-Za-z0-9][\w.-]*)", stem)
    if m:
        org, model = m.groups()
        return (f"{org}/{model}" if org != "canonical" else model), None
    if stem.lower() == "readme":
        return None, folder or None
    return None, stem or None


JSON_NOT_README = (
    "this is JSON, not a Hugging Face README (a Model Card Toolkit or CycloneDX file is imported as that format)"
)


def not_a_readme(text: str, source: str, filename: str, has_front_matter: bool, sections: list[RawSection]) -> None:
    """Raise a clear error when ``text`` is evidently not a Hugging Face README."""
    if has_front_matter:
        return
    problem = None
    stripped = text.strip()
    if not stripped:
        problem = "the file is empty: there is no front matter and no text to import"
    elif stripped[0] in "{[":
        try:
            json.loads(stripped)
        except ValueError:
            pass
        except RecursionError:  # nested deeper than Python's JSON reader goes: JSON all the same
            problem = JSON_NOT_README
        else:
            problem = JSON_NOT_README
    if problem is None and re.match(r"(?:\s*#[^\n]*\n)*\s*[^\s#:][^:\n]*:(?:[ \t]|$)", text):
        loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            probe = yaml.load(text, Loader=loader)
        except (yaml.YAMLError, RecursionError):
            probe = None
        if isinstance(probe, dict) and len(probe) >= 2:
            problem = (
                "this is YAML data, not a Hugging Face README (a README's metadata goes between '---' lines "
                "at the top, followed by Markdown text)"
            )
    suffix = Path(filename).suffix.lower()
    if problem is None and not sections and suffix not in MARKDOWN_SUFFIXES and Path(filename).stem.lower() != "readme":
        problem = (
            f"not a Hugging Face README: no front matter and no Markdown heading, and '{suffix or filename}' "
            "is not a Markdown file name"
        )
    if problem:
        raise CardError([Diagnostic(problem, file=source, line=1, code="not-huggingface")])


class ReadmeOptions(TypedDict, total=False):
    """How a README is read (the keyword arguments of :func:`read_readme` and ``import_text``)."""

    name: str | None
    filename: str
    folder: str
    repo_id: str | None
    embedded: bool
    strict_format: bool


def read_readme(
    text: str,
    source: str = "<README>",
    *,
    name: str | None = None,
    notes: Notes | None = None,
    filename: str = "",
    folder: str = "",
    repo_id: str | None = None,
    embedded: bool = True,
    strict_format: bool = False,
) -> ReadmeParts:
    """Read README ``text`` into card data (not yet checked against export: see :mod:`.roundtrip`).

    ``name`` overrides the model name derived from the file and content;
    ``repo_id`` (``ORG/MODEL``) is the Hub repository, which a README does not
    name itself (it is taken from an ``ORG__MODEL.md`` file name otherwise).
    ``strict_format`` raises a clear error when the text is evidently not a
    README (JSON, YAML data, an empty file).
    """
    notes = notes if notes is not None else Notes(source)
    ext: dict[str, Any] = {}
    crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
    if crlf:
        text = text.replace("\r\n", "\n")
        ext["line_endings"] = "crlf"

    fm_text, fm_line, body = split_front_matter(text, notes)
    fm: Any = None
    positions: dict[tuple[Any, ...], SourcePos] = {}
    if fm_text is not None:
        fm, positions = _read_front_matter(fm_text, fm_line, source, notes, ext)
    preamble, sections = split_sections(body)
    if strict_format:
        not_a_readme(text, source, filename or source, fm_text is not None, sections)

    data: dict[str, Any] = {"card": {"schema_version": SCHEMA_VERSION}, "model": {}}
    embed: dict[str, Any] | None = None
    fm_map: dict[str, Any] | None = None
    if isinstance(fm, dict):
        fm_map = dict(fm)
        if EMBED_KEY in fm_map and embedded:
            raw_embed = fm_map.pop(EMBED_KEY)
            if isinstance(raw_embed, dict):
                embed = raw_embed
            else:
                notes.warn(
                    f"'{EMBED_KEY}' front-matter key is not a mapping; kept it as an unmapped key",
                    pos=positions.get((EMBED_KEY,)),
                    code="embedded-card",
                )
                fm_map[EMBED_KEY] = raw_embed
        ext["key_order"] = list(fm_map)
        ctx = _Ctx(fm_map, data, ext, notes, positions)
        _map_front_matter(ctx)
        if ctx.extra:
            ext["front_matter_extra"] = ctx.extra

    _map_body(preamble, sections, data, ext)
    _name_model(data, ext, notes, fm_map, sections, name=name, filename=filename, folder=folder, repo_id=repo_id)
    data[EXT] = ext
    return ReadmeParts(order(data), fm_map, body, embed)


def _read_front_matter(
    fm_text: str, fm_line: int, source: str, notes: Notes, ext: dict[str, Any]
) -> tuple[Any, dict[tuple[Any, ...], SourcePos]]:
    try:
        fm, positions = parse_yaml(fm_text, fm_line, source)
    except CardError as exc:
        d = exc.diagnostics[0]
        notes.warn(
            f"front matter is not valid YAML ({d.message}); kept its text verbatim under "
            f"{EXT}.front_matter_text, so no metadata was imported from it",
            line=d.line,
            col=d.col,
            code="front-matter-yaml",
        )
        ext["front_matter_text"] = fm_text
        return None, {}
    tab = next((n for n, ln in enumerate(fm_text.split("\n")) if "\t" in ln), None)
    if tab is not None:
        notes.warn(
            "front matter contains TAB characters; this parser read them, but YAML forbids TABs in "
            "indentation and other parsers (the Hub's among them) may reject the file",
            line=fm_line + tab,
            code="front-matter-tab",
        )
    if fm is None:
        return {}, positions
    if not isinstance(fm, dict):
        what = "a list" if isinstance(fm, list) else f"a {type(fm).__name__}"
        notes.warn(
            f"front matter is {what}, not a mapping of metadata keys; kept it under {EXT}.front_matter",
            line=fm_line,
            code="front-matter-not-mapping",
        )
        ext["front_matter"] = fm
        return None, {}
    return fm, positions


def _name_model(
    data: dict[str, Any],
    ext: dict[str, Any],
    notes: Notes,
    fm: dict[str, Any] | None,
    sections: list[RawSection],
    *,
    name: str | None,
    filename: str,
    folder: str,
    repo_id: str | None,
) -> None:
    file_repo, fallback = name_from_filename(filename, folder)
    repo_id = repo_id or file_repo
    h1 = next((s.title for s in sections if s.level == 1 and s.title), None)
    mi_name = None
    if fm is not None and isinstance(fm.get("model-index"), list):
        mi_name = next(
            (e.get("name") for e in fm["model-index"] if isinstance(e, dict) and nonempty_str(e.get("name"))), None
        )
    data["model"]["name"] = name or repo_id or mi_name or h1 or fallback or "unnamed model"
    data["model"]["version"] = UNVERSIONED
    if repo_id:
        ext["repo_id"] = repo_id
        if safe_url(f"https://huggingface.co/{repo_id}"):
            data["model"]["repository"] = f"https://huggingface.co/{repo_id}"
    if not (name or repo_id or mi_name or h1):
        notes.warn(
            f"no model name found (no ORG__MODEL file name, model-index name or H1 heading); "
            f"used '{data['model']['name']}'",
            code="no-name",
        )


_CARD_ORDER = (
    "card",
    "model",
    "intended_use",
    "factors",
    "datasets",
    "test_methodology",
    "metrics",
    "fairness",
    "ethical_considerations",
    "caveats_and_recommendations",
    "environmental_impact",
    "training",
    "usage",
)


def order(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data[k] for k in _CARD_ORDER if k in data and data[k] not in (None, {}, [])}
    out.update({k: v for k, v in data.items() if k not in _CARD_ORDER and v not in (None, {})})
    return out


def license_of(fm: dict[str, Any]) -> str | None:
    """The card licence a front matter names (for tests and tools)."""
    value = fm.get("license")
    if not nonempty_str(value):
        return None
    name = fm.get("license_name")
    return license_ref(name) if value == "other" and nonempty_str(name) else str(value)
