"""README front matter: finding the YAML block, reading it with positions, writing it.

A Hub README starts with YAML metadata between ``---`` lines.  The reader
accepts the quirks seen on the Hub (blank lines before the opening fence,
``--`` or ``----`` fences), each with a warning; the writer always writes
``---`` fences at the very start.  The tables here list the metadata keys the
Hub documents and its pipeline tags.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from modelcard.diagnostics import CardError, Diagnostic, SourcePos
from modelcard.interop._common import Notes

#: metadata keys the Hub documents (https://huggingface.co/docs/hub/model-cards#model-card-metadata)
KNOWN_KEYS = frozenset(
    {
        "license",
        "license_name",
        "license_link",
        "language",
        "datasets",
        "base_model",
        "base_model_relation",
        "pipeline_tag",
        "library_name",
        "tags",
        "metrics",
        "co2_eq_emissions",
        "model-index",
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
    }
)

#: Hub pipeline tags (https://huggingface.co/docs/hub/models-widgets#widget-types and the Hub task list)
PIPELINE_TAGS = frozenset(
    {
        "audio-classification",
        "audio-to-audio",
        "audio-text-to-text",
        "any-to-any",
        "automatic-speech-recognition",
        "conversational",
        "depth-estimation",
        "document-question-answering",
        "feature-extraction",
        "fill-mask",
        "graph-ml",
        "image-classification",
        "image-feature-extraction",
        "image-segmentation",
        "image-text-to-text",
        "image-to-3d",
        "image-to-image",
        "image-to-text",
        "image-to-video",
        "keypoint-detection",
        "mask-generation",
        "multiple-choice",
        "object-detection",
        "other",
        "question-answering",
        "reinforcement-learning",
        "robotics",
        "sentence-similarity",
        "summarization",
        "table-question-answering",
        "table-to-text",
        "tabular-classification",
        "tabular-regression",
        "tabular-to-text",
        "text-classification",
        "text-generation",
        "text-retrieval",
        "text-to-3d",
        "text-to-audio",
        "text-to-image",
        "text-to-speech",
        "text-to-video",
        "text2text-generation",
        "time-series-forecasting",
        "token-classification",
        "translation",
        "unconditional-image-generation",
        "video-classification",
        "video-text-to-text",
        "video-to-video",
        "visual-question-answering",
        "voice-activity-detection",
        "zero-shot-classification",
        "zero-shot-image-classification",
        "zero-shot-object-detection",
    }
)

#: the Hub's base_model_relation values
BASE_MODEL_RELATIONS = ("adapter", "merge", "quantized", "finetune")

#: a Hub repository id: ``name`` or ``owner/name``
REPO_ID = re.compile(r"[\w.-]+(?:/[\w.-]+)?")

_DASHES = re.compile(r"^-{2,}[ \t]*$")


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


def parse_yaml(fm: str, first_line: int, name: str) -> tuple[Any, dict[tuple[Any, ...], SourcePos]]:
    """Parse front matter with the card loader's safe, located YAML reader.

    Returns ``(data, positions)`` (positions of values and keys by path, with
    lines counted in the README); raises CardError located in the README.
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


def dump_yaml(value: Any) -> str:
    """Front matter (or any metadata) as block YAML, keys in the order given."""
    from modelcard.io.serialize import to_yaml

    return to_yaml(value)
