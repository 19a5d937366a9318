"""Validation: load -> schema -> checks, with every problem located in the source.

This is the Python API behind ``modelcard validate``::

    from modelcard import validate_file, load_card

    report = validate_file("card.yaml", strict=True)
    for d in report.diagnostics:
        print(d)            # card.yaml:12:5: error: ... [code]

    card = load_card("card.yaml", overlays=["metrics.yaml"])  # raises CardError
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from typing import Any, Iterable, Sequence

from pydantic import BaseModel, ValidationError

from .checks import run_checks
from .diagnostics import CardError, Diagnostic, ModelcardError, Report, UsageError
from .layering import apply_set, merge
from .loader import Document, format_path, load
from .schema import EXTENSION_PREFIX, ModelCard

PathLike = str | os.PathLike


def load_document(path: PathLike, overlays: Sequence[PathLike] = (), sets: Sequence[str] = ()) -> Document:
    """Load a card and layer ``overlays`` (files) and ``sets`` (KEY=VALUE) over it."""
    doc = load(path)
    for overlay in overlays:
        doc = merge(doc, load(overlay))
    for assignment in sets:
        doc = apply_set(doc, assignment)
    return doc


def validate_document(doc: Document, *, strict: bool = False) -> tuple[ModelCard | None, list[Diagnostic]]:
    """Validate loaded data against the schema, then run the card checks."""
    try:
        card = ModelCard.model_validate(doc.data)
    except ValidationError as exc:
        return None, schema_diagnostics(exc, doc)
    return card, run_checks(card, doc, strict=strict)


def validate_file(path: PathLike, *, strict: bool = False, overlays: Sequence[PathLike] = (),
                  sets: Sequence[str] = ()) -> Report:
    """Validate one card file.  Never raises for bad input: problems go in the report."""
    report = Report(file=str(path))
    try:
        doc = load_document(path, overlays, sets)
    except CardError as exc:
        report.diagnostics = exc.diagnostics
        return report
    except UsageError:
        raise  # a bad --set is the command line's fault, not the file's: exit 2 with one message
    except ModelcardError as exc:
        report.unreadable = True
        message = str(exc)
        for prefix in (f"{path}: ", f"{getattr(exc, 'file', '')}: "):
            message = message.removeprefix(prefix)
        report.diagnostics = [Diagnostic(message, file=str(path), code="unreadable")]
        return report
    _, report.diagnostics = validate_document(doc, strict=strict)
    return report


def load_card(path: PathLike, *, overlays: Sequence[PathLike] = (), sets: Sequence[str] = (),
              strict: bool = False) -> ModelCard:
    """Load, merge and validate a card; raise CardError listing every error."""
    card, diagnostics = validate_document(load_document(path, overlays, sets), strict=strict)
    errors = [d for d in diagnostics if d.severity == "error"]
    if card is None or errors:
        raise CardError(errors or diagnostics)
    return card


def validate_data(data: dict, name: str = "<data>", *, strict: bool = False) -> tuple[ModelCard | None,
                                                                                      list[Diagnostic]]:
    """Validate an in-memory mapping (no source positions beyond the name)."""
    return validate_document(Document(data, name), strict=strict)


# --------------------------------------------------------------------------
# turning Pydantic errors into located diagnostics


def _unwrap(tp: Any) -> Any:
    """Strip Optional/Annotated down to the interesting type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_at(loc: Iterable[Any]) -> type[BaseModel] | None:
    """The model class that validates the node at ``loc`` (for did-you-mean)."""
    tp: Any = ModelCard
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            field = tp.model_fields.get(part)
            if field is None:
                return None
            tp = field.annotation
        elif origin is list and isinstance(part, int):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value!r}"
    text = repr(str(value))
    return text if len(text) <= 60 else text[:57] + "...'"


def schema_diagnostics(exc: ValidationError, doc: Document) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[tuple] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        value = err.get("input")
        key_pos = False
        if kind == "missing":
            field = loc[-1]
            where = format_path(loc[:-1]) or "the card"
            message = f"missing required field '{field}' in {where}"
            pos_path = loc[:-1]
        elif kind == "extra_forbidden":
            field = loc[-1]
            model = _model_at(loc[:-1])
            names = list(model.model_fields) if model else []
            close = difflib.get_close_matches(str(field), names, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else \
                f"; extensions must start with '{EXTENSION_PREFIX}'"
            message = f"unknown key '{field}'{hint}"
            pos_path, key_pos = loc, True
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
                message = msg
            elif msg.startswith("Assertion failed, "):
                message = msg[len("Assertion failed, "):]
            else:
                message = f"{msg}; got {_describe(value)}"
            if kind == "string_type" and isinstance(value, (int, float, bool)) or \
                    kind == "string_type" and type(value).__name__ in ("date", "datetime"):
                message += " (write it in quotes to make it text)"
            pos_path = loc
        if (loc, kind) in seen:
            continue
        seen.add((loc, kind))
        out.append(Diagnostic.at(doc.pos(pos_path, key=key_pos), message, file=doc.source,
                                 code=kind.replace("_", "-"), path=format_path(loc)))
    out.sort(key=lambda d: (d.line or 0, d.col or 0))
    return out
