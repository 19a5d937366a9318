"""Hugging Face model-card READMEs: import (README.md -> card) and export (card -> README.md).

A Hub README is YAML front matter between ``---`` lines followed by a
Markdown body.  The import maps what has a place in the card:

====================================  ===========================================
front matter / body                   card
====================================  ===========================================
``license``                           ``model.license`` (kept as written)
``language``                          ``model.languages``
``datasets``                          ``datasets[]`` (role ``training``)
``base_model``                        ``model.base_model``
``pipeline_tag``                      ``model.type``
``co2_eq_emissions``                  ``environmental_impact``
``model-index`` results               ``metrics[]`` + evaluation ``datasets[]``
first H1 (or "Model description")     ``model.description``
"Intended uses & limitations"         ``intended_use.primary_uses``
"Out-of-scope use"                    ``intended_use.out_of_scope_uses``
"Limitations and bias"                ``caveats_and_recommendations.caveats``
"Recommendations"                     ``caveats_and_recommendations.recommendations``
"Training data"                       the training dataset's ``description``
"Evaluation results" / "Evaluation"   ``test_methodology.protocol``
"Citation" / "BibTeX ..."             ``model.citation``
"Environmental impact"                ``environmental_impact.method``
"Contact"                             ``model.contact``
====================================  ===========================================

Everything else is kept under the card's ``x-huggingface`` extension
(``front_matter_extra``, the ``model_index`` skeleton, the ordered
``sections`` with unmapped text verbatim, the ``preamble``), so that export
reproduces the same front-matter data and the same body text.  Every mapping
is checked at import time by exporting it back: a value whose export would
differ is kept verbatim instead, so nothing is ever lost.

Export of a card that did not come from the Hub writes the standard keys and
sections, and embeds what the README cannot express (fairness results,
provenance, confidence intervals...) under a ``modelcard`` front-matter key,
so that importing the README gives back the same card.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

from modelcard.diagnostics import CardError, Diagnostic, SourcePos
from modelcard.interop._common import (
    UNVERSIONED,
    ImportResult,
    Notes,
    decode_text,
    dump_card,
    finish,
    make_id,
    nonempty_str,
    read_bytes,
    to_number,
)
from modelcard.safe_text import safe_url
from modelcard.schema.models import SCHEMA_VERSION

FORMAT = "huggingface"
EXT = "x-huggingface"
EMBED_KEY = "modelcard"

#: front-matter keys the importer maps into card fields
MAPPED_KEYS = ("license", "language", "datasets", "base_model", "pipeline_tag", "co2_eq_emissions", "model-index")

#: metadata keys the Hub documents (https://huggingface.co/docs/hub/model-cards#model-card-metadata)
KNOWN_KEYS = frozenset(MAPPED_KEYS) | {
    "tags",
    "metrics",
    "library_name",
    "license_name",
    "license_link",
    "widget",
    "inference",
    "thumbnail",
    "model_name",
    "new_version",
    "extra_gated_prompt",
    "extra_gated_fields",
    "extra_gated_heading",
    "extra_gated_button_content",
    "extra_gated_description",
    "base_model_relation",
    "pipeline_tag",
    "language",
}

#: Hub pipeline tags (https://huggingface.co/docs/hub/models-widgets#widget-types and the Hub task list)
PIPELINE_TAGS = frozenset(
    ["audio-classification", "audio-to-audio", "automatic-speech-recognition", "conversational", "depth-estimation", "document-question-answering", "feature-extraction", "fill-mask", "graph-ml", "image-classification", "image-feature-extraction", "image-segmentation", "image-text-to-text", "image-to-3d", "image-to-image", "image-to-text", "image-to-video", "keypoint-detection", "mask-generation", "multiple-choice", "object-detection", "other", "question-answering", "reinforcement-learning", "robotics", "sentence-similarity", "summarization", "table-question-answering", "table-to-text", "tabular-classification", "tabular-regression", "tabular-to-text", "text-classification", "text-generation", "text-retrieval", "text-to-3d", "text-to-audio", "text-to-image", "text-to-speech", "text-to-video", "text2text-generation", "time-series-forecasting", "token-classification", "translation", "unconditional-image-generation", "video-classification", "video-text-to-text", "video-to-video", "visual-question-answering", "voice-activity-detection", "zero-shot-classification", "zero-shot-image-classification", "zero-shot-object-detection", "any-to-any", "audio-text-to-text"]
)

# body headings (normalised: lower case, letters and digits only) -> card field
SECTION_FIELDS: list[tuple[str, tuple[str, ...]]] = [
    ("model.description", ("model description", "model summary", "description", "overview", "model overview")),
    (
        "intended_use.primary_uses",
        (
            "intended uses and limitations",
            "intended uses",
            "intended use",
            "uses",
            "direct use",
            "intended uses limitations",
        ),
    ),
    ("intended_use.primary_users", ("intended users", "primary intended users")),
    (
        "intended_use.out_of_scope_uses",
        ("out of scope use", "out of scope uses", "misuse and out of scope use", "uses to avoid"),
    ),
    (
        "caveats_and_recommendations.caveats",
        (
            "limitations and bias",
            "limitations and biases",
            "limitations",
            "bias risks and limitations",
            "risks and limitations",
            "bias limitations and risks",
            "caveats",
            "bias",
        ),
    ),
    ("caveats_and_recommendations.recommendations", ("recommendations",)),
    ("training_data", ("training data", "training dataset", "training datasets")),
    (
        "test_methodology.protocol",
        ("evaluation results", "eval results", "evaluation", "evaluation procedure", "testing procedure", "results"),
    ),
    (
        "model.citation",
        (
            "citation",
            "bibtex entry and citation info",
            "citation info",
            "bibtex",
            "citing",
            "cite",
            "how to cite",
            "citation information",
            "reference",
        ),
    ),
    ("environmental_impact.method", ("environmental impact",)),
    ("model.contact", ("contact", "model card contact", "contact information")),
]
_HEADING_TO_FIELD = {h: f for f, hs in SECTION_FIELDS for h in hs}
LIST_FIELDS = {
    "intended_use.primary_uses",
    "intended_use.primary_users",
    "intended_use.out_of_scope_uses",
    "caveats_and_recommendations.caveats",
    "caveats_and_recommendations.recommendations",
}

DEFAULT_LEAD = "\n"
DEFAULT_TRAIL = "\n\n"

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_DASHES = re.compile(r"^-{2,}[ \t]*$")


# ==========================================================================
# reading: front matter


def split_front_matter(text: str, notes: Notes) -> tuple[str | None, int, str]:
    """``(front-matter text or None, line of its first line, body)``.

    Accepts the quirks seen on the Hub: blank lines before the opening
    ``---`` and ``--``/``----`` fences (each with a warning).
    """
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not _DASHES.match(lines[i]):
        return None, 0, text
    opening = lines[i].strip()
    for j in range(i + 1, len(lines)):
        if _DASHES.match(lines[j]) or (opening == "---" and lines[j].rstrip() == "..."):
            break
    else:
        return None, 0, text
    fm = "\n".join(lines[i + 1 : j])
    closing = lines[j].strip()
    if opening != "---" or closing not in ("---", "..."):
        # only a fence of another length: accept it if what's inside is a YAML mapping
        try:
            probe = yaml.safe_load(fm)
        except yaml.YAMLError:
            probe = None
        if not isinstance(probe, dict):
            notes.warn(
                f"line {i + 1} ('{opening}') looks like a front-matter fence but what follows is not "
                "YAML metadata; kept it as body text",
                line=i + 1,
                code="front-matter-fence",
            )
            return None, 0, text
        notes.warn(
            f"front matter is fenced with '{opening}' ... '{closing}' instead of '---'; read it anyway "
            "(export writes '---')",
            line=i + 1,
            code="front-matter-fence",
        )
    if i > 0:
        notes.warn(
            f"front matter starts on line {i + 1}, after blank line(s); the Hub expects it at the very "
            "start (export writes it there)",
            line=i + 1,
            code="front-matter-position",
        )
    body = "\n".join(lines[j + 1 :])
    return fm, i + 2, body


def parse_yaml(fm: str, first_line: int, name: str) -> tuple[Any, dict]:
    """Parse front matter with the card loader's safe, located YAML reader.

    Returns ``(data, key_positions)``; raises CardError with lines counted in the README.
    """
    from modelcard.io.source import parse

    def shift(d: Diagnostic) -> Diagnostic:
        if d.line is not None:
            d.line += first_line - 1
        d.file = name
        return d

    if not fm.strip() or not re.search(r"^[^#\s]", fm, re.M):
        return None, {}  # empty, or comments only
    try:
        doc = parse(fm, name)  # the loader's safe, bounded reading, whatever the shape
    except CardError as exc:
        raise CardError([shift(d) for d in exc.diagnostics]) from None
    if not isinstance(doc.data, dict):  # a list or a scalar: the caller keeps it verbatim
        return doc.data, {}
    positions = {k: SourcePos(name, p.line + first_line - 1, p.col) for k, p in doc.positions.items()}
    positions.update({k: SourcePos(name, p.line + first_line - 1, p.col) for k, p in doc.key_positions.items()})
    return doc.data, positions


# ==========================================================================
# reading: body sections


def split_sections(body: str) -> tuple[str, list[dict]]:
    """``(preamble, [{heading, level, title, content}])``; headings inside code fences don't count."""
    lines = body.split("\n")
    starts: list[int] = []
    fence: str | None = None
    for n, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is None:
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                fence = m.group(1)
                continue
            if _HEADING.match(line):
                starts.append(n)
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
            fence = None
    if not starts:
        return body, []
    preamble = "\n".join(lines[: starts[0]]) + "\n" if starts[0] else ""
    sections = []
    for k, s in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        m = _HEADING.match(lines[s])
        raw = "\n".join(lines[s:end]) + ("\n" if k + 1 < len(starts) else "")
        content = raw[len(lines[s]) :]  # "" or "\n..."
        sections.append(
            {
                "heading": lines[s],
                "level": len(m.group(1)),
                "title": re.sub(r"[ \t]+#+$", "", m.group(2) or "").strip(),
                "content": content,
            }
        )
    return preamble, sections


def normalise_heading(title: str) -> str:
    t = title.lower().replace("&", " and ")
    t = re.sub(r"[*_`]|\[|\]\([^)]*\)", "", t)
    t = re.sub(r"[^a-z0-9]+", " ", t)
    t = re.sub(r"^\d+ ", "", t.strip())  # "3. Limitations"
    return t.strip()


def join_section(heading: str, lead: str, text: str, trail: str) -> str:
    return f"{heading}\n{lead}{text}{trail}"


def _split_bullets(text: str) -> list[str] | None:
    """Items of a plain ``- item`` list (continuation lines indented by two), or None."""
    items: list[str] = []
    for line in text.split("\n"):
        if line.startswith("- ") and line[2:].strip():
            items.append(line[2:])
        elif line.startswith("  ") and items and line.strip():
            items[-1] += "\n" + line[2:]
        else:
            return None
    return items or None


def bullets(items: list[str]) -> str:
    return "\n".join("- " + item.replace("\n", "\n  ") for item in items)


def _single_fence(text: str) -> tuple[str, str] | None:
    """``(opening fence line, inner text)`` when text is exactly one fenced block."""
    lines = text.split("\n")
    if len(lines) < 3:
        return None
    m = _FENCE.match(lines[0])
    if not m or lines[0] != lines[0].lstrip() or lines[-1] != m.group(1):
        return None
    inner = "\n".join(lines[1:-1])
    if not inner.strip() or any(ln.startswith(m.group(1)[:3]) for ln in lines[1:-1]):
        return None
    return lines[0], inner


# ==========================================================================
# card data helpers


def _get(data: dict, dotted: str) -> Any:
    cur: Any = data
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _set(data: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    cur = data
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value


def _dataset_by_id(data: dict, ds_id: str) -> dict | None:
    return next((d for d in data.get("datasets") or [] if d.get("id") == ds_id), None)


def _field_value(data: dict, entry: dict) -> Any:
    f = entry["field"]
    if f.startswith("datasets:"):
        ds = _dataset_by_id(data, f.split(":", 1)[1])
        return ds.get("description") if ds else None
    return _get(data, f)


def render_field(entry: dict, value: Any) -> str | None:
    """The section text for a mapped field value (None when the field is empty)."""
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, list):
        if entry.get("items") == "bullets" or len(value) > 1:
            return bullets([str(v) for v in value])
        value = value[0]
    text = str(value)
    if "fence" in entry:
        close = re.match(r"\s*(`{3,}|~{3,})", entry["fence"]).group(1)
        return f"{entry['fence']}\n{text}\n{close}"
    return text


# ==========================================================================
# import


def import_readme(path: str | Path, *, name: str | None = None) -> ImportResult:
    """Import a Hugging Face README.md file into card data."""
    src = str(path)
    notes = Notes(src)
    text = decode_text(read_bytes(path), src, notes)
    return import_text(
        text, src, name=name, notes=notes, filename=Path(path).name, folder=Path(path).resolve().parent.name
    )


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


def import_text(
    text: str,
    source: str = "<README>",
    *,
    name: str | None = None,
    notes: Notes | None = None,
    filename: str = "",
    folder: str = "",
    repo_id: str | None = None,
    embedded: bool = True,
) -> ImportResult:
    """Import README text.

    ``name`` overrides the model name derived from the file and content;
    ``repo_id`` (``ORG/MODEL``) is the Hub repository, which a README does not
    name itself (it is taken from an ``ORG__MODEL.md`` file name otherwise).
    """
    notes = notes or Notes(source)
    ext: dict[str, Any] = {}
    crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
    if crlf:
        text = text.replace("\r\n", "\n")
        ext["line_endings"] = "crlf"

    fm_text, fm_line, body = split_front_matter(text, notes)
    fm: Any = None
    positions: dict = {}
    if fm_text is not None:
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
            fm = None
        else:
            tab = next((n for n, ln in enumerate(fm_text.split("\n")) if "\t" in ln), None)
            if tab is not None:
                notes.warn(
                    "front matter contains TAB characters; this parser read them, but YAML forbids TABs in "
                    "indentation and other parsers (the Hub's among them) may reject the file",
                    line=fm_line + tab,
                    code="front-matter-tab",
                )
            if fm is None:
                fm = {}
            if not isinstance(fm, dict):
                kind = "a list" if isinstance(fm, list) else f"a {type(fm).__name__}"
                notes.warn(
                    f"front matter is {kind}, not a mapping of metadata keys; kept it under {EXT}.front_matter",
                    line=fm_line,
                    code="front-matter-not-mapping",
                )
                ext["front_matter"] = fm
                fm = None

    data: dict[str, Any] = {"card": {"schema_version": SCHEMA_VERSION}, "model": {}}
    embed = None
    if isinstance(fm, dict):
        fm = dict(fm)
        if EMBED_KEY in fm and embedded:
            embed = fm.pop(EMBED_KEY)
            if not isinstance(embed, dict):
                notes.warn(
                    f"'{EMBED_KEY}' front-matter key is not a mapping; kept it as an unmapped key",
                    pos=positions.get((EMBED_KEY,)),
                    code="embedded-card",
                )
                fm[EMBED_KEY], embed = embed, None
        ext["key_order"] = list(fm)
        extra = _import_front_matter(fm, data, ext, notes, positions)
        if extra:
            ext["front_matter_extra"] = extra

    preamble, sections = split_sections(body)
    _import_body(preamble, sections, data, ext, notes)

    file_repo, fallback = name_from_filename(filename, folder)
    repo_id = repo_id or file_repo
    h1 = next((s["title"] for s in sections if s["level"] == 1 and s["title"]), None)
    mi_name = (
        next(
            (
                e.get("name")
                for e in (fm or {}).get("model-index") or []
                if isinstance(e, dict) and nonempty_str(e.get("name"))
            ),
            None,
        )
        if isinstance(fm, dict) and isinstance(fm.get("model-index"), list)
        else None
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

    data[EXT] = ext
    data = _order(data)
    _verify_round_trip(data, fm, body, notes)
    if embed is not None:
        data = _apply_patch(data, embed, notes, source)
    return _finish(ImportResult(data, source, FORMAT, notes.items))


def _finish(result: ImportResult) -> ImportResult:
    return finish(result)


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
)


def _order(data: dict) -> dict:
    out = {k: data[k] for k in _CARD_ORDER if k in data and data[k] not in (None, {}, [])}
    out.update({k: v for k, v in data.items() if k not in _CARD_ORDER and v not in (None, {})})
    return out


def _import_front_matter(fm: dict, data: dict, ext: dict, notes: Notes, positions: dict) -> dict:
    """Map known keys into ``data``; return the keys that stay verbatim."""
    extra: dict[str, Any] = {}
    model = data["model"]
    taken: set[str] = set()

    def keep(key: str, why: str | None = None) -> None:
        extra[key] = fm[key]
        if why:
            notes.warn(
                f"'{key}' {why}: kept it verbatim under {EXT}.front_matter_extra",
                pos=positions.get((key,)),
                code="front-matter-kept",
            )

    for key, value in fm.items():
        if key not in MAPPED_KEYS:
            extra[key] = value
            if key not in KNOWN_KEYS:
                import difflib

                close = difflib.get_close_matches(str(key).lower(), sorted(KNOWN_KEYS), n=1, cutoff=0.75)
                if close:
                    notes.warn(
                        f"unknown metadata key '{key}' (did you mean '{close[0]}'?): kept verbatim under "
                        f"{EXT}.front_matter_extra",
                        pos=positions.get((key,)),
                        code="front-matter-key",
                    )
            continue
        if key == "license":
            if nonempty_str(value):
                model["license"] = value
            else:
                keep(key, f"is {_kind(value)}, not a licence identifier")
        elif key == "language":
            langs = [value] if isinstance(value, str) else value
            if isinstance(langs, list) and langs and all(nonempty_str(v) for v in langs):
                model["languages"] = list(langs)
                if isinstance(value, str):
                    ext.setdefault("scalar_keys", []).append(key)
            elif value is None or value == []:
                keep(key)
            else:
                keep(key, f"is {_kind(value)}, not a language code or list of codes")
        elif key == "datasets":
            ids = [value] if isinstance(value, str) else value
            if isinstance(ids, list) and ids and all(nonempty_str(v) for v in ids):
                for hub_id in ids:
                    ds = {"id": make_id(hub_id, taken), "name": hub_id, "role": "training", EXT: {"id": hub_id}}
                    if re.fullmatch(r"[\w.-]+(/[\w.-]+)?", hub_id):
                        ds["url"] = f"https://huggingface.co/datasets/{hub_id}"
                    data.setdefault("datasets", []).append(ds)
                if isinstance(value, str):
                    ext.setdefault("scalar_keys", []).append(key)
            elif value is None or value == []:
                keep(key)
            else:
                keep(key, f"is {_kind(value)}, not a list of dataset ids")
        elif key == "base_model":
            if nonempty_str(value):
                model["base_model"] = value
            else:
                keep(key, None if isinstance(value, list) else f"is {_kind(value)}")
        elif key == "pipeline_tag":
            if isinstance(value, str) and value in PIPELINE_TAGS:
                model["type"] = value
            else:
                keep(key, None if value is None else "is not a known Hub pipeline tag")
        elif key == "co2_eq_emissions":
            env = _import_co2(value)
            if env is None:
                keep(key, "is not a number of grams or an {emissions: ...} mapping")
            else:
                data["environmental_impact"] = env
        elif key == "model-index":
            if not _import_model_index(value, data, ext, notes, positions, taken):
                keep(key, None)
    return extra


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "empty"
    return f"{type(value).__name__} {value!r}"


def _import_co2(value: Any) -> dict | None:
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


def _import_model_index(mi: Any, data: dict, ext: dict, notes: Notes, positions: dict, taken: set) -> bool:
    """Map model-index results to metrics.  False when the block is kept verbatim instead."""
    where = positions.get(("model-index",))
    if not isinstance(mi, list) or not all(isinstance(e, dict) for e in mi):
        notes.warn(
            f"model-index is {_kind(mi)}, not a list of models with results: kept under "
            f"{EXT}.front_matter_extra; no metrics imported",
            pos=where,
            code="model-index",
        )
        return False
    skeleton = copy.deepcopy(mi)
    eval_ids: dict[str, str] = {}
    metrics = data.setdefault("metrics", [])
    for j, entry in enumerate(skeleton):
        results = entry.get("results")
        if results is None:
            notes.warn(f"model-index[{j}] has no results: kept as is", pos=where, code="model-index")
            continue
        if not isinstance(results, list):
            notes.warn(
                f"model-index[{j}].results is {_kind(results)}, not a list: kept as is", pos=where, code="model-index"
            )
            continue
        for i, result in enumerate(results):
            if not isinstance(result, dict):
                continue
            here = positions.get(("model-index", j, "results", i)) or where
            ds = result.get("dataset")
            ds_id = None
            if isinstance(ds, dict) and (nonempty_str(ds.get("type")) or nonempty_str(ds.get("name"))):
                label = str(ds.get("type") or ds.get("name"))
                if nonempty_str(ds.get("config")) or isinstance(ds.get("config"), (int, float)):
                    label += f"-{ds['config']}"
                if label not in eval_ids:
                    eval_ids[label] = make_id(label, taken)
                    entry_ds = {
                        "id": eval_ids[label],
                        "name": str(ds.get("name") or ds.get("type")),
                        "role": "evaluation",
                    }
                    if isinstance(ds.get("type"), str) and re.fullmatch(r"[\w.-]+(/[\w.-]+)?", ds["type"]):
                        entry_ds["url"] = f"https://huggingface.co/datasets/{ds['type']}"
                    if nonempty_str(ds.get("revision")):
                        entry_ds["version"] = ds["revision"]
                    data.setdefault("datasets", []).append(entry_ds)
                ds_id = eval_ids[label]
            else:
                notes.warn(
                    f"model-index[{j}].results[{i}] has no dataset: its metrics are imported without one",
                    pos=here,
                    code="model-index",
                )
            ms = result.get("metrics")
            if ms is None:
                notes.warn(f"model-index[{j}].results[{i}] has no metrics: kept as is", pos=here, code="model-index")
                continue
            if not isinstance(ms, list):
                notes.warn(
                    f"model-index[{j}].results[{i}].metrics is {_kind(ms)}: kept as is", pos=here, code="model-index"
                )
                continue
            unmapped = []
            for k, metric in enumerate(ms):
                mapped = _import_metric(metric, ds_id, ds, [j, i])
                if mapped is None:
                    unmapped.append({"index": k, "metric": metric})
                    what = (
                        "has no value"
                        if isinstance(metric, dict) and "value" not in metric
                        else "has no numeric value or no type"
                    )
                    notes.warn(
                        f"model-index[{j}].results[{i}].metrics[{k}] {what}: kept verbatim under {EXT}.model_index",
                        pos=positions.get(("model-index", j, "results", i, "metrics", k)) or here,
                        code="model-index-metric",
                    )
                else:
                    metrics.append(mapped)
            result.pop("metrics")
            if unmapped or not ms:
                result["unmapped_metrics"] = unmapped
    if not metrics:
        data.pop("metrics")
    ext["model_index"] = skeleton
    return True


def _import_metric(metric: Any, ds_id: str | None, ds: Any, where: list) -> dict | None:
    if not isinstance(metric, dict) or not nonempty_str(metric.get("type")):
        return None
    raw = metric.get("value")
    value = to_number(raw)
    if value is None:
        return None
    rest = {k: v for k, v in metric.items() if k not in ("type", "value")}
    hf: dict[str, Any] = {"result": where, **rest}
    if not isinstance(raw, (int, float)):
        hf["value"] = raw
    out: dict[str, Any] = {"name": metric["type"], "value": value}
    if ds_id:
        out["dataset"] = ds_id
    if isinstance(ds, dict) and nonempty_str(ds.get("split")):
        out["split"] = ds["split"]
    out[EXT] = hf
    return out


def _import_body(preamble: str, sections: list[dict], data: dict, ext: dict, notes: Notes) -> None:
    if preamble:
        ext["preamble"] = preamble
    used: set[str] = set()
    explicit_desc = any(_HEADING_TO_FIELD.get(normalise_heading(s["title"])) == "model.description" for s in sections)
    first_h1 = next((k for k, s in enumerate(sections) if s["level"] == 1), None)
    entries = []
    for k, s in enumerate(sections):
        field = _HEADING_TO_FIELD.get(normalise_heading(s["title"]))
        if field is None and k == first_h1 and not explicit_desc:
            field = "model.description"
        entry = _map_section(s, field, used, data)
        entries.append(entry)
    if entries:
        ext["sections"] = entries


def _map_section(s: dict, field: str | None, used: set, data: dict) -> dict:
    verbatim = {"heading": s["heading"], "text": s["content"]}
    if field is None or field in used:
        return verbatim
    if not s["content"].startswith("\n"):
        return verbatim
    content = s["content"][1:]
    lead = re.match(r"(?:[ \t]*\n)*", content).group(0)
    rest = content[len(lead) :]
    trail = rest[len(rest.rstrip()) :]
    text = rest[: len(rest) - len(trail)]
    if not text.strip():
        return verbatim
    entry: dict[str, Any] = {"heading": s["heading"]}
    if field == "training_data":
        training = [d for d in data.get("datasets") or [] if d.get("role") == "training"]
        if len(training) != 1 or training[0].get("description"):
            return verbatim
        entry["field"] = f"datasets:{training[0]['id']}"
        value: Any = text
    elif field in LIST_FIELDS:
        items = _split_bullets(text)
        if items and bullets(items) == text:
            value = items
            entry["items"] = "bullets"
        else:
            value = [text]
        entry["field"] = field
    else:
        entry["field"] = field
        value = text
        if field == "model.citation":
            fenced = _single_fence(text)
            if fenced:
                entry["fence"], value = fenced
    if lead != DEFAULT_LEAD:
        entry["lead"] = lead
    if trail != DEFAULT_TRAIL:
        entry["trail"] = trail
    if render_field(entry, value) != text:
        return verbatim
    if field == "training_data":
        training[0]["description"] = value
    else:
        _set(data, field, value)
    used.add(field)
    return entry


def _verify_round_trip(data: dict, fm: Any, body: str, notes: Notes) -> None:
    """Make sure export reproduces the input; keep anything that would not be reproduced verbatim."""
    ext = data.setdefault(EXT, {})  # _order drops an empty one (an empty README)
    if isinstance(fm, dict):
        fm_out = build_front_matter(data)
        for key, value in fm.items():
            if key not in fm_out or fm_out[key] != value:
                ext.setdefault("front_matter_extra", {})[key] = value
    body_out = build_body(data)
    if body_out != body:  # pragma: no cover - a mapping bug; never lose text because of it
        notes.warn("body could not be mapped exactly; kept it verbatim", code="body-verbatim")
        ext["sections"] = []
        ext["preamble"] = body
    if not ext:
        del data[EXT]


# ==========================================================================
# export


def build_front_matter(data: dict) -> dict:
    """The front-matter mapping for card ``data`` (a ``model_dump(mode='json')``)."""
    ext = data.get(EXT) or {}
    model = data.get("model") or {}
    scalar = set(ext.get("scalar_keys") or [])
    fm: dict[str, Any] = {}
    if model.get("license"):
        fm["license"] = model["license"]
    langs = model.get("languages")
    if langs:
        fm["language"] = langs[0] if "language" in scalar and len(langs) == 1 else langs
    hub_ids = []
    for d in data.get("datasets") or []:
        hf = d.get(EXT) or {}
        if isinstance(hf, dict) and hf.get("id"):
            hub_ids.append(hf["id"])
        elif d.get("role") in ("training", "fine-tuning") and not hf:
            m = re.fullmatch(r"https?://huggingface\.co/datasets/([\w.-]+(?:/[\w.-]+)?)/?", str(d.get("url") or ""))
            if m:
                hub_ids.append(m.group(1))
    if hub_ids:
        fm["datasets"] = hub_ids[0] if "datasets" in scalar and len(hub_ids) == 1 else hub_ids
    if model.get("base_model"):
        fm["base_model"] = model["base_model"]
    if model.get("type") in PIPELINE_TAGS:
        fm["pipeline_tag"] = model["type"]
    env = data.get("environmental_impact") or {}
    co2 = (env.get(EXT) or {}).get("co2_eq_emissions") if isinstance(env.get(EXT), dict) else None
    if co2 is not None and env.get("co2_eq_kg") is not None:
        original = co2.get("emissions") if isinstance(co2, dict) else co2
        if abs(float(original) / 1000 - env["co2_eq_kg"]) <= 1e-12 * max(1.0, env["co2_eq_kg"]):
            fm["co2_eq_emissions"] = co2
        else:
            fm["co2_eq_emissions"] = env["co2_eq_kg"] * 1000
    elif env.get("co2_eq_kg") is not None:
        co2_map: dict[str, Any] = {"emissions": env["co2_eq_kg"] * 1000}
        if env.get("hardware"):
            co2_map["hardware_used"] = env["hardware"]
        if env.get("region"):
            co2_map["geographical_location"] = env["region"]
        fm["co2_eq_emissions"] = co2_map
    mi = _build_model_index(data)
    if mi:
        fm["model-index"] = mi
    fm.update(ext.get("front_matter_extra") or {})
    order = ext.get("key_order") or []
    ordered = {k: fm[k] for k in order if k in fm}
    ordered.update({k: v for k, v in fm.items() if k not in ordered})
    return ordered


def _metric_out(m: dict) -> dict:
    hf = dict(m.get(EXT) or {})
    hf.pop("result", None)
    raw = hf.pop("value", None)
    value: Any = m.get("value")
    if raw is not None and to_number(raw) == value:
        value = raw
    out = {"type": m["name"], "value": value}
    if "name" not in hf and (m.get("slice") or m.get("description")):
        label = m["name"]
        if m.get("slice"):
            label += " [" + ", ".join(f"{k}={v}" for k, v in m["slice"].items()) + "]"
        hf["name"] = label
    out.update(hf)
    return out


def _build_model_index(data: dict) -> list | None:
    ext = data.get(EXT) or {}
    skeleton = copy.deepcopy(ext.get("model_index"))
    metrics = [m for m in data.get("metrics") or [] if m.get("value") is not None]
    placed: dict[tuple, list] = {}
    loose: list[dict] = []
    for m in metrics:
        where = (m.get(EXT) or {}).get("result") if isinstance(m.get(EXT), dict) else None
        if (
            isinstance(where, list)
            and len(where) == 2
            and skeleton
            and 0 <= where[0] < len(skeleton)
            and isinstance(skeleton[where[0]].get("results"), list)
            and 0 <= where[1] < len(skeleton[where[0]]["results"])
        ):
            placed.setdefault(tuple(where), []).append(_metric_out(m))
        else:
            loose.append(m)
    if skeleton:
        for j, entry in enumerate(skeleton):
            for i, result in enumerate(entry.get("results") or [] if isinstance(entry.get("results"), list) else []):
                if not isinstance(result, dict):
                    continue
                unmapped = result.pop("unmapped_metrics", None)
                ms = placed.get((j, i), [])
                for u in sorted(unmapped or [], key=lambda u: u["index"]):
                    ms.insert(min(u["index"], len(ms)), u["metric"])
                if ms or unmapped is not None or (j, i) in placed or ("metrics" not in result and (j, i) in placed):
                    result["metrics"] = ms
    if not loose:
        return skeleton
    # metrics that did not come from a model-index: one result per (dataset, split)
    model = data.get("model") or {}
    if not skeleton:
        skeleton = [{"name": model.get("name"), "results": []}]
    results = skeleton[0].setdefault("results", [])
    groups: dict[tuple, list] = {}
    for m in loose:
        groups.setdefault((m.get("dataset"), m.get("split")), []).append(_metric_out(m))
    for (ds_id, split), ms in groups.items():
        result: dict[str, Any] = {}
        task = model.get("type")
        result["task"] = {
            "type": task if task in PIPELINE_TAGS else "other",
            **({"name": task} if task and task not in PIPELINE_TAGS else {}),
        }
        ds = next((d for d in data.get("datasets") or [] if d.get("id") == ds_id), None)
        if ds:
            hub = re.fullmatch(r"https?://huggingface\.co/datasets/([\w.-]+(?:/[\w.-]+)?)/?", str(ds.get("url") or ""))
            result["dataset"] = {"type": hub.group(1) if hub else ds["id"], "name": ds["name"]}
            if split:
                result["dataset"]["split"] = split
        result["metrics"] = ms
        results.append(result)
    return skeleton


def _native_sections(data: dict) -> list[dict]:
    """Sections for a card that did not come from the Hub."""
    model = data.get("model") or {}
    iu = data.get("intended_use") or {}
    car = data.get("caveats_and_recommendations") or {}
    out: list[dict] = []

    def add(heading: str, field: str, value: Any, **kw: Any) -> None:
        if value not in (None, "", []):
            out.append({"heading": heading, "field": field, **kw})

    out.append(
        {"heading": f"# {model.get('name')}", "field": "model.description"}
        if model.get("description")
        else {"heading": f"# {model.get('name')}", "text": "\n\n"}
    )
    details = [f"- **Version:** {model.get('version')}"]
    for label, key in (
        ("Type", "type"),
        ("Architecture", "architecture"),
        ("Release date", "date"),
        ("Licence", "license"),
        ("Base model", "base_model"),
        ("Repository", "repository"),
    ):
        if model.get(key):
            details.append(f"- **{label}:** {model[key]}")
    if model.get("developers"):
        details.append("- **Developers:** " + ", ".join(p["name"] for p in model["developers"]))
    out.append({"heading": "## Model details", "text": "\n\n" + "\n".join(details) + "\n\n"})
    add("## Intended uses & limitations", "intended_use.primary_uses", iu.get("primary_uses"), items="bullets")
    add("## Intended users", "intended_use.primary_users", iu.get("primary_users"), items="bullets")
    add("## Out-of-scope use", "intended_use.out_of_scope_uses", iu.get("out_of_scope_uses"), items="bullets")
    datasets = data.get("datasets") or []
    if datasets:
        lines = []
        for d in datasets:
            line = f"- **{d['name']}** ({d['role']})"
            if d.get("description"):
                line += ": " + " ".join(str(d["description"]).split())
            lines.append(line)
        out.append({"heading": "## Datasets", "text": "\n\n" + "\n".join(lines) + "\n\n"})
    tm = data.get("test_methodology") or {}
    add("## Evaluation procedure", "test_methodology.protocol", tm.get("protocol"))
    metrics = data.get("metrics") or []
    if metrics:
        rows = ["| metric | slice | value | 95% CI | n |", "|---|---|---|---|---|"]
        for m in metrics:
            ci = m.get("confidence_interval")
            rows.append(
                "| {} | {} | {} | {} | {} |".format(
                    _cell(m["name"]),
                    _cell(", ".join(f"{k}={v}" for k, v in (m.get("slice") or {}).items()) or "overall"),
                    _fmt(m.get("value"))
                    if m.get("value") is not None
                    else _cell(f"undefined ({m.get('undefined_reason')})"),
                    f"[{_fmt(ci['lower'])}, {_fmt(ci['upper'])}]" if ci else "",
                    m.get("n", ""),
                )
            )
        out.append({"heading": "## Evaluation results", "text": "\n\n" + "\n".join(rows) + "\n\n"})
    fairness = data.get("fairness") or {}
    if fairness.get("results") or fairness.get("summary"):
        text = "\n\n"
        if fairness.get("summary"):
            text += fairness["summary"].strip() + "\n\n"
        if fairness.get("results"):
            rows = [
                "| metric | group | reference | value | difference | ratio | verdict |",
                "|---|---|---|---|---|---|---|",
            ]
            for r in fairness["results"]:
                disp = r.get("disparity") or {}
                rows.append(
                    "| {} | {} | {} | {} | {} | {} | {} |".format(
                        _cell(r["metric"]),
                        _cell(", ".join(f"{k}={v}" for k, v in r["group"].items())),
                        _cell(", ".join(f"{k}={v}" for k, v in (r.get("reference_group") or {}).items())),
                        _fmt(r.get("value")),
                        _fmt((disp.get("difference") or {}).get("value")),
                        _fmt((disp.get("ratio") or {}).get("value")),
                        r["verdict"],
                    )
                )
            text += "\n".join(rows) + "\n\n"
        out.append({"heading": "## Fairness", "text": text})
    add("## Limitations and bias", "caveats_and_recommendations.caveats", car.get("caveats"), items="bullets")
    add(
        "## Recommendations", "caveats_and_recommendations.recommendations", car.get("recommendations"), items="bullets"
    )
    risks = (data.get("ethical_considerations") or {}).get("risks") or []
    if risks:
        lines = []
        for r in risks:
            line = f"- **{r['name']}**"
            if r.get("description"):
                line += ": " + " ".join(str(r["description"]).split())
            for mit in r.get("mitigations") or []:
                line += "\n  - Mitigation: " + " ".join(str(mit).split())
            lines.append(line)
        out.append({"heading": "## Ethical considerations", "text": "\n\n" + "\n".join(lines) + "\n\n"})
    add(
        "## Environmental impact", "environmental_impact.method", (data.get("environmental_impact") or {}).get("method")
    )
    cite = model.get("citation")
    if cite:
        entry: dict[str, Any] = {"heading": "## Citation", "field": "model.citation"}
        if cite.lstrip().startswith("@"):
            entry["fence"] = "```bibtex"
        out.append(entry)
    add("## Contact", "model.contact", model.get("contact"))
    return out


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _fmt(x: Any) -> str:
    if x is None:
        return ""
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def build_body(data: dict) -> str:
    ext = data.get(EXT) or {}
    sections = ext.get("sections")
    preamble = ext.get("preamble", "")
    if sections is None and EXT not in data:
        sections = _native_sections(data)
    parts = [preamble]
    for entry in sections or []:
        if "text" in entry:
            parts.append(entry["heading"] + entry["text"])
            continue
        text = render_field(entry, _field_value(data, entry))
        if text is None:
            continue  # the field was emptied: drop its section
        parts.append(
            join_section(entry["heading"], entry.get("lead", DEFAULT_LEAD), text, entry.get("trail", DEFAULT_TRAIL))
        )
    return "".join(parts)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter when available
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value and not re.search(r"[ \t]\n|\t|\r|[^\S\n ]", value) and value == value.strip(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_presenter)


def dump_yaml(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def export_readme(card: Any, *, embed: bool = True) -> str:
    """The README.md text for a card (a ModelCard or its ``model_dump(mode='json')``)."""
    data = copy.deepcopy(card if isinstance(card, dict) else dump_card(card))
    ext = data.get(EXT) or {}
    body = build_body(data)
    if "front_matter_text" in ext:
        fm_text = ext["front_matter_text"] + "\n"  # kept verbatim: every line up to the closing fence
    elif "front_matter" in ext:
        fm_text = dump_yaml(ext["front_matter"])
        if fm_text.endswith("\n...\n"):  # a plain scalar: drop YAML's document-end marker
            fm_text = fm_text[:-4]
    else:
        fm = build_front_matter(data)
        if embed:
            patch = _residual(data, fm, body)
            if patch:
                fm[EMBED_KEY] = patch
        fm_text = dump_yaml(fm) if fm else ""
    text = (
        f"---\n{fm_text}---\n{body}"
        if (fm_text or "front_matter" in ext or "key_order" in ext or EXT not in data)
        else body
    )
    if ext.get("line_endings") == "crlf":
        text = text.replace("\n", "\r\n")
    return text


def _residual(data: dict, fm: dict, body: str) -> dict:
    """What importing the README (without the embedded card) would get wrong, as a patch."""
    ext = data.get(EXT) or {}
    text = f"---\n{dump_yaml(fm)}---\n{body}" if fm or "key_order" in ext else body
    if ext.get("line_endings") == "crlf":
        text = text.replace("\n", "\r\n")
    try:
        back = import_text(
            text, "<export>", name=data["model"]["name"], repo_id=ext.get("repo_id"), embedded=False
        ).data
    except CardError:  # pragma: no cover - fall back to embedding everything
        back = {}
    return _diff(data, back) or {}


def _diff(want: Any, got: Any) -> Any:
    """Patch turning ``got`` into ``want``: dicts recurse, None deletes, anything else replaces."""
    if isinstance(want, dict) and isinstance(got, dict):
        out: dict[str, Any] = {}
        for k, v in want.items():
            if k not in got:
                out[k] = v
            elif v != got[k]:
                sub = _diff(v, got[k])
                out[k] = sub
        for k in got:
            if k not in want:
                out[k] = None
        return out
    return want


def _apply_patch(data: dict, patch: dict, notes: Notes, source: str) -> dict:
    def apply(base: Any, p: Any) -> Any:
        if isinstance(p, dict) and isinstance(base, dict):
            out = dict(base)
            for k, v in p.items():
                if v is None:
                    out.pop(k, None)
                else:
                    out[k] = apply(base.get(k), v)
            return out
        return p

    merged = apply(data, patch)
    if not isinstance(merged.get("card"), dict) or not isinstance(merged.get("model"), dict):
        notes.warn(
            f"the embedded '{EMBED_KEY}' card is not usable (no card/model sections); ignored it", code="embedded-card"
        )
        return data
    return merged
