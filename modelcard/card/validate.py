"""Validation: load -> layer -> schema -> checks, with every problem located in the source.

This is the Python API behind ``modelcard validate`` and every command that
reads a card::

    from modelcard.card.validate import load_validated, validate_file

    report = validate_file("card.yaml", strict=True)   # never raises for a bad card
    for d in report.diagnostics:
        print(d)            # card.yaml:12:5: error: ... [code]

    # the one "load, validate, raise" step: CardError lists every located error
    card, doc, warnings = load_validated("card.yaml", overlays=["metrics.yaml"])
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from modelcard.card.checks import old_schema_notice, run_checks
from modelcard.card.layering import apply_set, merge
from modelcard.diagnostics import (
    ERROR,
    INFO,
    CardError,
    Diagnostic,
    ModelcardError,
    Report,
    UsageError,
    describe_value,
    format_path,
)
from modelcard.io.source import Document, load
from modelcard.schema.models import EXTENSION_PREFIX, MAX_MAGNITUDE, ModelCard
from modelcard.schema.walk import section_fields

PathLike = str | os.PathLike[str]


def load_document(path: PathLike, overlays: Sequence[PathLike] = (), sets: Sequence[str] = ()) -> Document:
    """Load a card and layer ``overlays`` (files) and ``sets`` (KEY=VALUE) over it."""
    return layer(load(path), overlays, sets)


def layer(doc: Document, overlays: Sequence[PathLike] = (), sets: Sequence[str] = ()) -> Document:
    """Layer fragment files, then ``KEY.PATH=VALUE`` assignments, over a loaded card (see :mod:`.layering`)."""
    for overlay in overlays:
        fragment = load(overlay)
        if isinstance(fragment.data, dict) and fragment.data.get("kind") == "fragment":
            fragment.data = {k: v for k, v in fragment.data.items() if k != "kind"}  # the declaration, not data
        doc = merge(doc, fragment)
    for assignment in sets:
        doc = apply_set(doc, assignment)
    return doc


def validate_document(doc: Document, *, strict: bool = False) -> tuple[ModelCard | None, list[Diagnostic]]:
    """Validate loaded data against the schema, then run the card checks."""
    unknown = [_unknown_key_diagnostic(path, model, doc) for path, model in unknown_keys(doc.data)]
    try:
        card = ModelCard.model_validate(doc.data)
    except ValidationError as exc:
        from modelcard.card.partial import checks_on_valid_parts

        notice = old_schema_notice(doc)  # a card of an older schema: migrate may be what fixes it
        # schema errors and the rules on the parts that are valid, in one run, in line order
        rules = checks_on_valid_parts(doc, strict=strict)
        return None, _sorted(schema_diagnostics(exc, doc) + unknown + rules) + ([notice] if notice else [])
    if unknown:
        return None, _sorted(unknown + run_checks(card, doc, strict=strict))
    return card, _sorted(run_checks(card, doc, strict=strict))


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
    # the first card builds the schema validator: many objects that live until exit and no garbage,
    # so the cyclic collector is off meanwhile, and they are frozen after it (never scanned again,
    # neither for the first card nor for every further one)
    enabled = gc.isenabled()
    gc.disable()
    try:
        first = validate_file(paths[0], strict=strict, overlays=overlays, sets=sets)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
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
    if cards < (PARALLEL_MIN_CARDS if jobs is None else 2) or jobs == 1:
        return 1  # decided before importing multiprocessing, which a single card does not need
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # spawn would re-import everything per worker: not worth it
    if jobs is None:
        try:
            jobs = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not on Linux
            jobs = os.cpu_count() or 1
    return max(1, min(jobs, cards))


def validated(doc: Document, *, strict: bool = False) -> tuple[ModelCard, list[Diagnostic]]:
    """Validate a loaded document; return the card and its warnings, or raise.

    Raises:
        CardError: listing every error, each located in the source, when the
            card is invalid (with ``strict``, also when a recommended field is
            missing or a placeholder is left).
    """
    card, diagnostics = validate_document(doc, strict=strict)
    errors = [d for d in diagnostics if d.severity == ERROR]
    if card is None or errors:
        raise CardError(errors or diagnostics)
    return card, diagnostics


def load_validated(
    path: PathLike,
    overlays: Sequence[PathLike] = (),
    sets: Sequence[str] = (),
    *,
    strict: bool = False,
) -> tuple[ModelCard, Document, list[Diagnostic]]:
    """Load a card, layer ``overlays`` and ``sets`` over it, validate it: the one way in.

    Every command and API that reads a card goes through here.

    Returns:
        ``(card, document, warnings)``: the validated card, the merged
        document (data with source positions) and the warnings, which do not
        stop anything.

    Raises:
        CardError: the card (or a fragment) is invalid; every error is located.
        UnreadableError: a file cannot be read.
        UsageError: an assignment in ``sets`` names no field (``option="sets"``).

    Example:
        >>> card, doc, warnings = load_validated("examples/compas-recidivism.yaml")  # doctest: +SKIP
    """
    doc = load_document(path, overlays, sets)
    card, warnings = validated(doc, strict=strict)
    return card, doc, warnings


def load_card(
    path: PathLike, *, overlays: Sequence[PathLike] = (), sets: Sequence[str] = (), strict: bool = False
) -> ModelCard:
    """Load, merge and validate a card; raise CardError listing every error (see :func:`load_validated`)."""
    return load_validated(path, overlays, sets, strict=strict)[0]


def validate_data(
    data: dict[str, Any], name: str = "<data>", *, strict: bool = False
) -> tuple[ModelCard | None, list[Diagnostic]]:
    """Validate an in-memory mapping (no source positions beyond the name)."""
    return validate_document(Document(data, name), strict=strict)


# --------------------------------------------------------------------------
# turning Pydantic errors into located diagnostics


def unknown_keys(
    data: Any, model: type[BaseModel] = ModelCard, path: tuple[Any, ...] = ()
) -> Iterable[tuple[tuple[Any, ...], type[BaseModel]]]:
    """(path, section model) of every key in raw card data that the schema does not define.

    ``x-`` keys are extensions and never unknown.
    """
    if not isinstance(data, dict):
        return
    plan = section_fields(model)
    for key, value in data.items():
        entry = plan.get(key)
        if entry is None:
            if not (isinstance(key, str) and key.startswith(EXTENSION_PREFIX)):
                yield path + (key,), model
            continue
        kind, child = entry
        if child is None:
            continue
        if kind == "model":
            yield from unknown_keys(value, child, path + (key,))
        elif kind == "list" and isinstance(value, list):
            for i, item in enumerate(value):
                yield from unknown_keys(item, child, path + (key, i))
        elif kind == "dict" and isinstance(value, dict):
            for k, item in value.items():
                yield from unknown_keys(item, child, path + (key, k))


def _unknown_key_diagnostic(path: tuple[Any, ...], model: type[BaseModel], doc: Document) -> Diagnostic:
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
    """In line order; notices (severity info, e.g. "run modelcard migrate") last: what to do once the rest is read."""
    return sorted(diagnostics, key=lambda d: (d.severity == INFO, d.line or 0, d.col or 0))


_BOUNDS = {
    "less_than_equal": ("le", "less than or equal to"),
    "greater_than_equal": ("ge", "greater than or equal to"),
    "less_than": ("lt", "less than"),
    "greater_than": ("gt", "greater than"),
}


def _bound_message(kind: str, err: Mapping[str, Any]) -> str | None:
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
    seen: set[tuple[Any, ...]] = set()
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
                message = f"{_bound_message(kind, err) or msg}; got {describe_value(value)}"
            if (kind == "string_type" and isinstance(value, (int, float, bool))) or (
                kind == "string_type" and type(value).__name__ in ("date", "datetime")
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
