"""The one schema walker: what the card schema says about a place in a card.

Everything that needs to know the shape of a card asks here instead of
walking Pydantic annotations itself:

* :func:`unwrap` / :func:`classify` — a field's annotation reduced to what it
  holds (:class:`Kind`: a section, a list, a date, a choice...);
* :func:`type_at` — the type the schema expects at a path (typing ``--set``
  values); :func:`section_fields` — how to descend into each field of a
  section (finding unknown keys); :func:`iter_sections` — every section of a
  card with its path;
* :func:`recommended_fields` / :func:`missing_recommended` — the fields
  ``validate --strict`` expects; :func:`is_placeholder` / :func:`placeholders`
  / :func:`is_filled` — what counts as "not filled in yet";
* :func:`identity_at` — which items of two lists are the same item, as the
  list-item models declare it (:attr:`~modelcard.schema.models.Section.identity`
  and :attr:`~modelcard.schema.models.Section.measurement`): layering merges
  them, diff pairs them, the writer puts their identity first;
* :func:`ordered` — card data with its keys in schema order.

Example:
    >>> from modelcard.schema.walk import identity_at, type_at, classify
    >>> identity_at(("datasets",)).fields
    ('id',)
    >>> classify(type_at(("card", "date"))).name
    'date'
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel

from modelcard.diagnostics import CardPath, UsageError, format_path
from modelcard.schema.models import ModelCard
from modelcard.schema.types import EXTENSION_PREFIX, RECOMMENDED, label_text

#: text starting with this is a placeholder left by ``modelcard init``, not an answer
PLACEHOLDER_PREFIX = "TODO"


# --------------------------------------------------------------------------
# annotations


def unwrap(tp: Any) -> tuple[Any, bool]:
    """Strip ``Annotated`` and ``Optional`` from an annotation: ``(bare type, nullable)``.

    A union of several non-None types is returned as it is.

    Example:
        >>> unwrap(int | None)
        (<class 'int'>, True)
    """
    nullable = False
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(tp))
            if len(args) != 1:
                return tp, nullable
            tp = args[0]
        else:
            return tp, nullable


def unwrap_optional(tp: Any) -> Any:
    """The bare type of an annotation (see :func:`unwrap`)."""
    return unwrap(tp)[0]


def model_of(tp: Any) -> type[BaseModel] | None:
    """The section model an annotation holds directly (``Foo | None`` -> ``Foo``), else None."""
    bare = unwrap_optional(tp)
    return bare if isinstance(bare, type) and issubclass(bare, BaseModel) else None


@dataclass(frozen=True)
class Kind:
    """What a field holds.

    ``name`` is one of ``model``, ``list``, ``dict``, ``str``, ``literal``
    (a fixed choice, also for enums), ``date``, ``bool``, ``int``, ``float``,
    ``url`` or ``any``.
    """

    name: str
    model: type[BaseModel] | None = None
    item: Kind | None = None  # for lists
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    markdown: bool = False
    nullable: bool = False

    @property
    def textual(self) -> bool:
        """Free text (no pattern to satisfy)."""
        return self.name == "str" and self.pattern is None

    def hint(self) -> str:
        """A short description of what to write, for guidance comments."""
        return {
            "date": "YYYY-MM-DD",
            "bool": "true or false",
            "int": "a whole number",
            "float": "a number",
            "url": "a URL",
            "dict": "mapping of key: value",
            "literal": "one of: " + ", ".join(self.choices),
        }.get(self.name, "") or (f"must match {self.pattern}" if self.pattern else "")


def classify(tp: Any) -> Kind:
    """Reduce a (possibly Optional/Annotated) annotation to a :class:`Kind`.

    Example:
        >>> from modelcard.schema.models import Dataset
        >>> k = classify(Dataset.model_fields["role"].rebuild_annotation())
        >>> k.name, k.choices[:2]
        ('literal', ('training', 'validation'))
    """
    pattern = None
    markdown = False
    url = False
    nullable = False
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            args = typing.get_args(tp)
            for meta in args[1:]:
                pattern = getattr(meta, "pattern", None) or pattern
                extra = getattr(meta, "json_schema_extra", None)
                if isinstance(extra, dict) and extra.get("contentMediaType") == "text/markdown":
                    markdown = True
                if isinstance(extra, dict) and extra.get("format") == "uri":
                    url = True
            tp = args[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(tp) if a is not type(None)]
            nullable = nullable or len(members) < len(typing.get_args(tp))
            if len(members) != 1:
                return Kind("any", nullable=nullable)
            tp = members[0]
        else:
            break
    origin = typing.get_origin(tp)
    if origin is Literal:
        return Kind("literal", choices=tuple(str(c) for c in typing.get_args(tp)), nullable=nullable)
    if origin is list:
        return Kind("list", item=classify(typing.get_args(tp)[0]), nullable=nullable)
    if origin is dict:
        return Kind("dict", nullable=nullable)
    if isinstance(tp, type):
        if issubclass(tp, BaseModel):
            return Kind("model", model=tp, nullable=nullable)
        if issubclass(tp, Enum):
            return Kind("literal", choices=tuple(str(m.value) for m in tp), nullable=nullable)
        if issubclass(tp, bool):
            return Kind("bool", nullable=nullable)
        if issubclass(tp, int):
            return Kind("int", nullable=nullable)
        if issubclass(tp, float):
            return Kind("float", nullable=nullable)
        if issubclass(tp, _dt.date):
            return Kind("date", nullable=nullable)
        if issubclass(tp, str) and url:
            return Kind("url", pattern=pattern, nullable=nullable)
        if issubclass(tp, str):
            return Kind("str", pattern=pattern, markdown=markdown, nullable=nullable)
    return Kind("any", nullable=nullable)


def is_scalar_type(tp: Any) -> bool:
    """True when one piece of text can hold a value of ``tp`` (not a list, mapping or section)."""
    bare = unwrap_optional(tp)
    return typing.get_origin(bare) not in (list, dict) and model_of(bare) is None


# --------------------------------------------------------------------------
# fields of a section


#: how to descend into a field: "model" (a section), "list"/"dict" (of sections) or "leaf"
Descent = tuple[Literal["model", "list", "dict", "leaf"], "type[BaseModel] | None"]


@functools.cache
def section_fields(model: type[BaseModel]) -> dict[str, Descent]:
    """For each field of ``model``: how to descend into it (``("list", Dataset)``, ``("leaf", None)``...)."""
    plan: dict[str, Descent] = {}
    for name, field in model.model_fields.items():
        tp = unwrap_optional(field.annotation)
        origin = typing.get_origin(tp)
        descent: Descent = ("leaf", None)
        child = model_of(tp)
        if child is not None:
            descent = ("model", child)
        elif origin is list or origin is dict:
            inner = model_of(typing.get_args(tp)[-1])
            if inner is not None:
                descent = ("list" if origin is list else "dict", inner)
        plan[name] = descent
    return plan


def is_recommended(model: type[BaseModel], name: str) -> bool:
    """Whether field ``name`` of ``model`` is recommended (``validate --strict`` expects it)."""
    extra = model.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and bool(extra.get(RECOMMENDED))


@functools.cache
def recommended_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The recommended fields of a section model, in schema order."""
    return tuple(n for n in model.model_fields if is_recommended(model, n))


def field_status(model: type[BaseModel], name: str) -> Literal["required", "recommended", "optional"]:
    """Whether a field is required, recommended or optional."""
    if model.model_fields[name].is_required():
        return "required"
    return "recommended" if is_recommended(model, name) else "optional"


def iter_sections(section: BaseModel, path: CardPath = ()) -> Iterator[tuple[CardPath, BaseModel]]:
    """Every section (nested model) of a card with its path, depth first, the card itself first."""
    yield path, section
    for name in type(section).model_fields:
        value = getattr(section, name)
        if isinstance(value, BaseModel):
            yield from iter_sections(value, (*path, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from iter_sections(item, (*path, name, i))


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict, str)) and len(value) == 0)


def missing_recommended(card: BaseModel) -> Iterator[tuple[CardPath, str]]:
    """(path of the section, field name) for each empty recommended field of a present section.

    An undefined value (``value: null`` with an ``undefined_reason``) has no
    interval to give, and a value with a ``no_interval_reason`` says why it has
    none, so their missing ``confidence_interval`` is not reported.
    """
    for path, section in iter_sections(card):
        for name in recommended_fields(type(section)):
            if not _is_empty(getattr(section, name)):
                continue
            if name == "confidence_interval" and (
                (getattr(section, "value", 0) is None and getattr(section, "undefined_reason", None))
                or getattr(section, "no_interval_reason", None)  # a defined value that says why it has none
            ):
                continue
            yield path, name


# --------------------------------------------------------------------------
# placeholders


def is_placeholder(value: Any) -> bool:
    """Text that still holds a ``TODO`` placeholder."""
    return isinstance(value, str) and value.lstrip().startswith(PLACEHOLDER_PREFIX)


def placeholders(data: Any, path: CardPath = ()) -> Iterator[CardPath]:
    """Paths of every placeholder text in raw card data."""
    if isinstance(data, str):
        if is_placeholder(data):
            yield path
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from placeholders(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from placeholders(v, (*path, i))


def is_filled(value: Any) -> bool:
    """A real answer: not None, not empty, not a placeholder (recursively for sections).

    Numbers, dates and booleans are answers (``False`` included).
    """
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip()) and not is_placeholder(value)
    if isinstance(value, (list, tuple)):
        return any(is_filled(v) for v in value)
    if isinstance(value, dict):
        return any(is_filled(v) for v in value.values())
    if isinstance(value, BaseModel):
        return any(is_filled(getattr(value, n)) for n in type(value).model_fields) or any(
            is_filled(v) for v in getattr(value, "extensions", {}).values()
        )
    return True


# --------------------------------------------------------------------------
# paths


def type_at(path: CardPath) -> Any:
    """The type the card schema expects at ``path`` (None inside an ``x-`` extension).

    Raises :class:`~modelcard.diagnostics.UsageError`, with a did-you-mean
    hint, when no card can have that path.  Messages name the path, not any
    command-line option.

    Example:
        >>> classify(type_at(("metrics", 0, "value"))).name
        'float'
        >>> type_at(("model", "x-build")) is None
        True
    """
    tp: Any = ModelCard
    shown = format_path(path)
    for i, part in enumerate(path):
        where = format_path(path[:i]) or "the card"
        if isinstance(part, str) and part.startswith(EXTENSION_PREFIX):
            return None
        tp = unwrap_optional(tp)
        origin = typing.get_origin(tp)
        model = model_of(tp)
        if model is not None:
            if not isinstance(part, str):
                raise UsageError(f"{shown}: {where} is a section, not a list; use {where}.FIELD")
            field = model.model_fields.get(part)
            if field is None:
                close = difflib.get_close_matches(part, list(model.model_fields), n=1, cutoff=0.6)
                hint = (
                    f"; did you mean '{close[0]}'?"
                    if close
                    else f" (fields: {', '.join(model.model_fields)}; extensions start with '{EXTENSION_PREFIX}')"
                )
                raise UsageError(f"{shown}: '{part}' is not a field of {where}{hint}")
            tp = field.annotation
        elif origin is list:
            if not isinstance(part, int):
                raise UsageError(f"{shown}: {where} is a list; use an index, e.g. {where}[0].{part}")
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            if not isinstance(part, str):
                raise UsageError(f"{shown}: {where} is a mapping, not a list")
            tp = typing.get_args(tp)[1]
        else:
            raise UsageError(f"{shown}: {where} holds a single value and has no '{part}' inside it")
    return tp


def _shape_type(shape: tuple[str, ...]) -> Any:
    """The annotation at a list shape (a path of field names only), or None when there is none."""
    tp: Any = ModelCard
    for part in shape:
        bare = unwrap_optional(tp)
        if typing.get_origin(bare) is list:
            bare = unwrap_optional(typing.get_args(bare)[0])
        model = model_of(bare)
        if model is None or part not in model.model_fields:
            return None
        tp = model.model_fields[part].annotation
    return tp


# --------------------------------------------------------------------------
# list identity: which items of two lists are the same item


def _identity_text(value: Any) -> str:
    if isinstance(value, dict):
        value = {str(k): label_text(v) for k, v in value.items()}
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class ListIdentity:
    """How the items of one list of sections are identified, as their model declares it.

    ``fields`` name an item (datasets by ``id``; metrics by name, slice,
    dataset and split...); ``signals`` and ``measured`` come from the model's
    ``measurement``: an item that brings any ``signals`` field brings a new
    measurement, which replaces the ``measured`` fields as a unit.
    """

    model: type[BaseModel]
    fields: tuple[str, ...]
    signals: tuple[str, ...] = ()
    measured: tuple[str, ...] = ()

    def key(self, item: Any) -> tuple[str, ...] | None:
        """The identity of a raw item (a mapping); None for anything else (never matched).

        Group values compare as labels: ``{decile: 5}`` and ``{decile: "5"}`` are the same slice.
        """
        if not isinstance(item, dict):
            return None
        return tuple(_identity_text(item.get(f)) for f in self.fields)


@functools.cache
def identity_at(shape: tuple[str, ...]) -> ListIdentity | None:
    """The identity of the items of the list at ``shape`` (field names, no indices), if it has one.

    Example:
        >>> identity_at(("fairness", "results")).measured[-1]
        'verdict'
        >>> identity_at(("model", "inputs")) is None
        True
    """
    tp = unwrap_optional(_shape_type(shape))
    if typing.get_origin(tp) is not list:
        return None
    model = model_of(typing.get_args(tp)[0])
    if model is None or not getattr(model, "identity", ()):
        return None
    signals, measured = getattr(model, "measurement", None) or ((), ())
    return ListIdentity(model, tuple(model.identity), tuple(signals), tuple(measured))  # type: ignore[attr-defined]


def identified_lists(model: type[BaseModel] = ModelCard, shape: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The shape of every list in the schema whose items have an identity."""
    for name, (kind, child) in section_fields(model).items():
        here = (*shape, name)
        if kind == "list" and identity_at(here) is not None:
            yield here
        if child is not None and kind in ("model", "list") and len(here) < 8:
            yield from identified_lists(child, here)


def shape_of(path: CardPath) -> tuple[str, ...]:
    """A path without its list indices: ``("metrics", 0, "value")`` -> ``("metrics", "value")``."""
    return tuple(p for p in path if isinstance(p, str))


# --------------------------------------------------------------------------
# a model as card data


def plain(value: Any) -> Any:
    """Data with enums as their values: only what a YAML or JSON card holds."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


def card_data(section: BaseModel) -> dict[str, Any]:
    """A section (a card, a fragment) as the data a card file holds: what was set, ``x-`` keys included.

    Fields left at their default are left out, dates stay dates, verdicts are text.
    """
    return plain(section.model_dump(exclude_unset=True))  # type: ignore[no-any-return]


# --------------------------------------------------------------------------
# schema order


def ordered(data: Any, tp: Any = None, shape: tuple[str, ...] = ()) -> Any:
    """A copy of card ``data`` with mapping keys in schema order (``tp`` defaults to ModelCard).

    Items of identifiable lists start with their identity fields (name, slice,
    dataset...), then the rest in schema order; ``x-`` extensions and unknown
    keys follow the fields of their section in their original order; other
    mappings (groups) keep the order they were written in.
    """
    if tp is None:
        tp = ModelCard
    tp = unwrap_optional(tp)
    origin = typing.get_origin(tp)
    if isinstance(data, dict):
        model = model_of(tp)
        if model is not None:
            fields = model.model_fields
            identity = identity_at(shape) if shape else None
            front = [f for f in identity.fields if f in fields] if identity else []
            names = front + [f for f in fields if f not in front]
            out = {k: ordered(data[k], fields[k].annotation, (*shape, k)) for k in names if k in data}
            out.update({k: ordered(v, object) for k, v in data.items() if k not in fields})
            return out
        value_tp = typing.get_args(tp)[1] if origin is dict else object
        return {k: ordered(v, value_tp) for k, v in data.items()}
    if isinstance(data, list):
        item_tp = typing.get_args(tp)[0] if origin is list else object
        return [ordered(v, item_tp, shape) for v in data]
    return data


__all__ = [
    "PLACEHOLDER_PREFIX",
    "Kind",
    "ListIdentity",
    "card_data",
    "classify",
    "field_status",
    "identified_lists",
    "identity_at",
    "is_filled",
    "is_placeholder",
    "is_recommended",
    "is_scalar_type",
    "iter_sections",
    "missing_recommended",
    "model_of",
    "ordered",
    "placeholders",
    "plain",
    "recommended_fields",
    "section_fields",
    "shape_of",
    "type_at",
    "unwrap",
    "unwrap_optional",
]
