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
import functools
import os
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from modelcard.card.checks import run_checks
from modelcard.card.layering import apply_set, merge, unwrap_optional
from modelcard.diagnostics import CardError, Diagnostic, ModelcardError, Report, UsageError
from modelcard.io.source import Document, format_path, load
from modelcard.schema.models import EXTENSION_PREFIX, MAX_MAGNITUDE, ModelCard

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
    unknown = [_unknown_key_diagnostic(path, model, doc) for path, model in unknown_keys(doc.data)]
    try:
        card = ModelCard.model_validate(doc.data)
    except ValidationError as exc:
        return None, _sorted(schema_diagnostics(exc, doc) + unknown)
    if unknown:
        return None, unknown
    return card, run_checks(card, doc, strict=strict)


def validate_file(
    path: PathLike, *, strict: bool = False, overlays: Sequence[PathLike] = (), sets: Sequence[str] = ()
) -> Report:
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


#: below this many cards a batch is validated in this process; above, across CPU cores
PARALLEL_MIN_CARDS = 64


def validate_files(
    paths: Sequence[PathLike],
    *,
    strict: bool = False,
    overlays: Sequence[PathLike] = (),
    sets: Sequence[str] = (),
    jobs: int | None = None,
) -> list[Report]:
    """Validate many cards; reports come back in the order of ``paths``.

    The first card is validated here, which builds the schema validator once;
    a large batch is then spread over ``jobs`` forked worker processes (default:
    the usable CPU cores) that inherit it, so each card costs only its own
    parsing and validation.  ``jobs=1`` keeps everything in this process.
    """
    import gc

    paths = list(paths)
    if not paths:
        return []
    first = validate_file(paths[0], strict=strict, overlays=overlays, sets=sets)
    # modules and the schema validator live until exit: keep the cyclic collector
    # from re-scanning them for every further card
    gc.freeze()
    rest = paths[1:]
    one = functools.partial(_validate_one, strict=strict, overlays=tuple(overlays), sets=tuple(sets))
    workers = _worker_count(jobs, len(rest))
    if workers <= 1:
        return [first] + [one(p) for p in rest]
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return [first] + pool.map(one, rest, chunksize=max(1, len(rest) // (workers * 8)))


def _validate_one(path: PathLike, *, strict: bool, overlays: Sequence[PathLike], sets: Sequence[str]) -> Report:
    return validate_file(path, strict=strict, overlays=overlays, sets=sets)


def _worker_count(jobs: int | None, cards: int) -> int:
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # spawn would re-import everything per worker: not worth it
    if jobs is None:
        if cards < PARALLEL_MIN_CARDS:
            return 1
        try:
            jobs = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not on Linux
            jobs = os.cpu_count() or 1
    return max(1, min(jobs, cards))


def load_card(
    path: PathLike, *, overlays: Sequence[PathLike] = (), sets: Sequence[str] = (), strict: bool = False
) -> ModelCard:
    """Load, merge and validate a card; raise CardError listing every error."""
    card, diagnostics = validate_document(load_document(path, overlays, sets), strict=strict)
    errors = [d for d in diagnostics if d.severity == "error"]
    if card is None or errors:
        raise CardError(errors or diagnostics)
    return card


def validate_data(
    data: dict, name: str = "<data>", *, strict: bool = False
) -> tuple[ModelCard | None, list[Diagnostic]]:
    """Validate an in-memory mapping (no source positions beyond the name)."""
    return validate_document(Document(data, name), strict=strict)


# --------------------------------------------------------------------------
# turning Pydantic errors into located diagnostics


_PLANS: dict[type, dict[str, tuple[str, Any]]] = {}


def _plan(model: type[BaseModel]) -> dict[str, tuple[str, Any]]:
    """For each field of ``model``: how to descend into it ("model", "list", "dict" or "leaf")."""
    plan = _PLANS.get(model)
    if plan is None:
        plan = {}
        for name, field in model.model_fields.items():
            tp = unwrap_optional(field.annotation)
            origin = typing.get_origin(tp)
            kind, child = "leaf", None
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                kind, child = "model", tp
            elif origin in (list, dict):
                inner = unwrap_optional(typing.get_args(tp)[-1])
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    kind, child = origin.__name__, inner
            plan[name] = (kind, child)
        _PLANS[model] = plan
    return plan


def unknown_keys(
    data: Any, model: type[BaseModel] = ModelCard, path: tuple = ()
) -> Iterable[tuple[tuple, type[BaseModel]]]:
    """(path, section model) of every key in raw card data that the schema does not define.

    ``x-`` keys are extensions and never unknown.
    """
    if not isinstance(data, dict):
        return
    plan = _plan(model)
    for key, value in data.items():
        entry = plan.get(key)
        if entry is None:
            if not (isinstance(key, str) and key.startswith(EXTENSION_PREFIX)):
                yield path + (key,), model
            continue
        kind, child = entry
        if kind == "model":
            yield from unknown_keys(value, child, path + (key,))
        elif kind == "list" and isinstance(value, list):
            for i, item in enumerate(value):
                yield from unknown_keys(item, child, path + (key, i))
        elif kind == "dict" and isinstance(value, dict):
            for k, item in value.items():
                yield from unknown_keys(item, child, path + (key, k))


def _unknown_key_diagnostic(path: tuple, model: type[BaseModel], doc: Document) -> Diagnostic:
    key = str(path[-1])
    close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; extensions must start with '{EXTENSION_PREFIX}'"
    return Diagnostic.at(
        doc.pos(path, key=True),
        f"unknown key '{key}'{hint}",
        file=doc.source,
        code="unknown-key",
        path=format_path(path),
    )


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.line or 0, d.col or 0))


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
        text = repr(value)
        if len(text) > 24:  # a huge integer: its digits say nothing
            try:
                text = f"{value:.6g}"
            except OverflowError:
                text = f"with {len(text.lstrip('-'))} digits"
        return f"number {text}"
    text = repr(str(value))
    return text if len(text) <= 60 else text[:57] + "...'"


_BOUNDS = {
    "less_than_equal": ("le", "less than or equal to"),
    "greater_than_equal": ("ge", "greater than or equal to"),
    "less_than": ("lt", "less than"),
    "greater_than": ("gt", "greater than"),
}


def _bound_message(kind: str, err: dict) -> str | None:
    """Pydantic's message for a numeric bound with the bound written as a number (``1e+100``, not
    its hundred digits), and the reason when it is the card's magnitude limit."""
    if kind not in _BOUNDS:
        return None
    key, words = _BOUNDS[kind]
    limit = (err.get("ctx") or {}).get(key)
    if not isinstance(limit, (int, float)):
        return None
    text = f"{limit:g}" if isinstance(limit, float) else str(limit)
    why = (
        " (numbers in a card lie within ±1e100; larger is an overflow or a unit error)"
        if abs(limit) == MAX_MAGNITUDE
        else ""
    )
    return f"Input should be {words} {text}{why}"


def schema_diagnostics(exc: ValidationError, doc: Document) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[tuple] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        value = err.get("input")
        if kind == "missing":
            field = loc[-1]
            where = format_path(loc[:-1]) or "the card"
            message = f"missing required field '{field}' in {where}"
            pos_path = loc[:-1]
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
                message = msg
            elif msg.startswith("Assertion failed, "):
                message = msg[len("Assertion failed, ") :]
            else:
                message = f"{_bound_message(kind, err) or msg}; got {_describe(value)}"
            if (
                (kind == "string_type"
                and isinstance(value, (int, float, bool)))
                or (kind == "string_type"
                and type(value).__name__ in ("date", "datetime"))
            ):
                message += " (write it in quotes to make it text)"
            pos_path = loc
        if (loc, kind) in seen:
            continue
        seen.add((loc, kind))
        out.append(
            Diagnostic.at(
                doc.pos(pos_path), message, file=doc.source, code=kind.replace("_", "-"), path=format_path(loc)
            )
        )
    return _sorted(out)
