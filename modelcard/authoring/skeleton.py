"""A card skeleton to fill by hand, generated from the schema.

``modelcard init`` writes it; ``modelcard init --interactive`` fills it from
answers.  The skeleton is built by walking the Pydantic models in
:mod:`modelcard.schema.models`, so it cannot drift from the schema: every field's
description (written as a guidance question) becomes a comment above it.

What the skeleton holds, field by field:

* **required and recommended text** — a ``TODO`` placeholder, which
  ``validate --strict`` reports until it is replaced;
* **recommended dates, numbers, booleans, URLs, hashes** — left empty
  (null) with a hint (``# YYYY-MM-DD``); ``--strict`` reports them as missing;
* **optional fields** — commented out (``# citation: TODO``): uncomment to use;
* **sections that cannot be sketched without real numbers** (metric and
  fairness results, confidence intervals) — an empty key followed by a
  commented example entry.

The skeleton is valid for plain ``modelcard validate`` and fails
``validate --strict`` until it is filled::

    from modelcard.authoring.skeleton import skeleton
    text = skeleton(name="churn-model", schema_ref="../schemas/modelcard-1.0.schema.json")
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from modelcard.diagnostics import CardPath
from modelcard.io.serialize import inline_yaml
from modelcard.schema import models as S
from modelcard.schema.walk import PLACEHOLDER_PREFIX, Kind, classify, field_status, is_placeholder

PLACEHOLDER = PLACEHOLDER_PREFIX
WIDTH = 100

# --------------------------------------------------------------------------
# what the schema cannot say: per-field choices for the skeleton

#: required choice fields that get a value in a live skeleton (others make their section an example)
_CHOICE_DEFAULTS: dict[tuple[type, str], str] = {
    (S.CardMetadata, "schema_version"): S.SCHEMA_VERSION,
    (S.Dataset, "role"): "evaluation",
}
#: placeholders that must satisfy a pattern, or agree with each other
_PLACEHOLDERS: dict[tuple[type, str], str] = {
    (S.Dataset, "id"): "TODO-dataset",
    (S.DatasetSplit, "dataset"): "TODO-dataset",
}
#: placeholders that refer to another field's value rather than name a new thing
_LINKED: set[tuple[type, str]] = {(S.DatasetSplit, "dataset")}
#: optional fields shown in a commented example, because the example needs one of them
_EXAMPLE_OPTIONAL: dict[type, tuple[str, ...]] = {
    S.Disparity: ("difference",),
    S.Threshold: ("min", "max"),
    S.DistributionChannel: ("name", "url", "access", "description"),  # a channel is only its kind without them
    S.CodeSnippet: ("description",),  # what the code does belongs with it
}
#: example values in commented blocks, where the type alone gives a poor example
_EXAMPLE_VALUES: dict[tuple[type, str], Any] = {
    (S.Threshold, "min"): -0.1,
    (S.Threshold, "max"): 0.1,
    (S.FairnessResult, "verdict"): "not_run",
    (S.GroupSpread, "verdict"): "not_run",
    (S.ConfidenceInterval, "lower"): 0.0,
    (S.ConfidenceInterval, "upper"): 0.0,
    (S.FairnessResult, "group"): {"TODO-attribute": "TODO-value"},
    (S.FairnessResult, "reference_group"): {"TODO-attribute": "TODO-reference-value"},
}
#: optional top-level sections the skeleton still asks for (Mitchell et al.'s "Factors")
_ALWAYS_LIVE: set[tuple[type, str]] = {(S.ModelCard, "factors")}


def _placeholder_ok(model: type[BaseModel], name: str, kind: Kind) -> bool:
    """Can a live skeleton hold a value here that plain validation accepts?"""
    if (model, name) in _PLACEHOLDERS or (model, name) in _CHOICE_DEFAULTS:
        return True
    if kind.name == "str":
        return kind.pattern is None
    if kind.name == "list" and kind.item is not None:
        if kind.item.model is not None:
            return sketchable(kind.item.model)
        return kind.item.textual
    if kind.model is not None:
        return sketchable(kind.model)
    return False


def sketchable(model: type[BaseModel]) -> bool:
    """True when every required field of ``model`` can hold a placeholder."""
    return all(
        _placeholder_ok(model, n, classify(i.rebuild_annotation()))
        for n, i in model.model_fields.items()
        if i.is_required()
    )


# --------------------------------------------------------------------------
# the skeleton tree


@dataclass
class Node:
    """One key of the skeleton (or one item of a list of sections)."""

    key: str | None  # None for a list item
    path: CardPath  # card path, e.g. ("model", "developers", 0, "name")
    guidance: str
    kind: Kind
    status: str  # required|recommended|optional
    live: bool  # written as YAML (True) or as a commented line (False)
    value: Any = None  # scalars and lists of scalars
    children: list[Node] = field(default_factory=list)  # sections
    items: list[Node] = field(default_factory=list)  # lists of sections: item nodes
    make_item: Callable[[int], Node] | None = None  # build item i of a list of sections
    annotation: Any = None  # full annotation, to validate answers
    model: type[BaseModel] | None = None  # the model that declares this field
    example: bool = False  # part of a commented example (not a question)
    askable: bool = False  # the wizard asks it
    filled: bool = False  # set from an answer (not a placeholder)
    default_from: CardPath | None = None  # path of the node whose value is this one's default

    @property
    def dotted(self) -> str:
        from modelcard.io.source import format_path

        return format_path(self.path)

    def walk(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            yield from c.walk()
        for it in self.items:
            yield from it.walk()


class Skeleton:
    """The tree of a card skeleton; ``text()`` renders it as commented YAML."""

    def __init__(self, *, name: str | None = None, today: _dt.date | None = None):
        self.today = today or _dt.date.today()
        self.root = self._section(S.ModelCard, (), live=True, example=False)
        if name:
            self.set(("model", "name"), name)
        self.set(("card", "date"), self.today)
        self.find(("card", "date")).filled = False  # a default, still worth confirming

    # ----- building

    def _field(
        self,
        model: type[BaseModel],
        name: str,
        info: Any,
        path: CardPath,
        *,
        parent_live: bool,
        example: bool,
        lone_optional: bool,
    ) -> Node | None:
        annotation = info.rebuild_annotation()
        kind = classify(annotation)
        status = field_status(model, name)
        guidance = info.description or ""
        live_wanted = parent_live and (status != "optional" or (model, name) in _ALWAYS_LIVE)
        if example and status == "optional" and not lone_optional and name not in _EXAMPLE_OPTIONAL.get(model, ()):
            return None  # keep commented examples short
        node = Node(name, path, guidance, kind, status, live=False, annotation=annotation, model=model, example=example)
        if kind.model is not None:
            ok = sketchable(kind.model)
            node.live = live_wanted and ok
            node.example = example or not ok
            sub = self._section(kind.model, path, live=node.live, example=node.example)
            node.children = sub.children
        elif kind.name == "list" and kind.item is not None and kind.item.model is not None:
            ok = sketchable(kind.item.model)
            node.live = live_wanted and ok
            node.example = example or not ok
            item_model, live, ex = kind.item.model, node.live, node.example

            def make_item(
                i: int,
                _p: CardPath = path,
                _m: type[BaseModel] = item_model,
                _l: bool = live,
                _e: bool = ex,
            ) -> Node:
                sub = self._section(_m, _p + (i,), live=_l, example=_e)
                sub.key = None
                if i:  # identifiers must stay unique: TODO-dataset, TODO-dataset-2, ...
                    for c in sub.children:
                        if (c.model, c.key) in _PLACEHOLDERS and (c.model, c.key) not in _LINKED:
                            c.value = f"{c.value}-{i + 1}"
                return sub

            node.make_item = make_item
            node.items = [make_item(0)]
        else:
            node.live = live_wanted and not example
            node.value = self._initial(model, name, kind, info, live=node.live, example=example)
            if (model, name) == (S.DatasetSplit, "dataset"):
                node.default_from = ("datasets", 0, "id")
        node.askable = (
            not node.example
            and (node.live or (lone_optional and parent_live))
            and (model, name) != (S.CardMetadata, "schema_version")
        )
        return node

    def _section(self, model: type[BaseModel], path: CardPath, *, live: bool, example: bool) -> Node:
        node = Node(
            path[-1] if path and isinstance(path[-1], str) else None,
            path,
            (model.__doc__ or "").strip(),
            Kind("model", model=model),
            "required",
            live,
            model=model,
            example=example,
        )
        fields = model.model_fields
        lone_optional = model not in _EXAMPLE_OPTIONAL and all(field_status(model, n) == "optional" for n in fields)
        own = [n for n in fields if n in vars(model).get("__annotations__", {})]
        for name in own + [n for n in fields if n not in own]:  # a subclass's own fields first
            info = fields[name]
            child = self._field(
                model, name, info, path + (name,), parent_live=live, example=example, lone_optional=lone_optional
            )
            if child is not None:
                node.children.append(child)
        return node

    def _initial(self, model: type[BaseModel], name: str, kind: Kind, info: Any, *, live: bool, example: bool) -> Any:
        key = (model, name)
        if key in _CHOICE_DEFAULTS:
            return _CHOICE_DEFAULTS[key]
        if example and key in _EXAMPLE_VALUES:
            return _EXAMPLE_VALUES[key]
        if key in _PLACEHOLDERS:
            return _PLACEHOLDERS[key]
        if (
            info.default is not None
            and not info.is_required()
            and info.default is not ...
            and type(info.default).__name__ != "PydanticUndefinedType"
        ):
            return info.default
        if kind.textual:
            return PLACEHOLDER
        if kind.name == "list" and kind.item is not None and kind.item.textual:
            return [PLACEHOLDER]
        if example:
            if kind.name == "literal":
                return kind.choices[0]
            if kind.name == "float" and info.is_required():
                return 0.0
            if kind.name == "int" and info.is_required():
                return 0
        return None

    # ----- access

    def find(self, path: CardPath) -> Node:
        for node in self.root.walk():
            if node.path == tuple(path) and node.key is not None:
                return node
        for node in self.root.walk():
            if node.path == tuple(path):
                return node
        raise KeyError(path)

    def set(self, path: CardPath, value: Any) -> None:
        """Fill one field with a real answer."""
        node = self.find(path)
        node.value = value
        node.filled = True
        node.live = True

    def set_names(self, path: CardPath, names: list[str]) -> None:
        """Fill a list of sections by the names of its items (authors, developers, inputs...)."""
        node = self.find(path)
        assert node.make_item is not None
        leaf = _name_leaf(node)
        node.items = []
        for i, n in enumerate(names):
            item = node.make_item(i)
            for c in item.children:
                if c.key == leaf:
                    c.value, c.filled, c.live = n, True, True
            node.items.append(item)
        node.live = True

    def add_item(self, path: CardPath) -> Node:
        """Append an empty item to the list of sections at ``path``; returns it."""
        node = self.find(path)
        assert node.make_item is not None
        item = node.make_item(len(node.items))
        node.items.append(item)
        return item

    def questions(self) -> list[Node]:
        """The fields the wizard asks, in card order."""
        out: list[Node] = []

        def visit(node: Node) -> None:
            for c in node.children:
                if c.kind.name == "model":
                    if not c.example:
                        visit(c)
                elif c.make_item is not None:
                    if c.example or not (c.live or c.askable):
                        continue
                    if _name_leaf(c):
                        out.append(c)  # asked as a list of names
                    else:
                        for it in c.items:
                            visit(it)
                elif c.askable:
                    out.append(c)

        visit(self.root)
        return out

    def value_of(self, path: CardPath) -> Any:
        try:
            node = self.find(path)
        except KeyError:
            return None
        if node.make_item is not None:
            leaf = _name_leaf(node)
            return [next((c.value for c in it.children if c.key == leaf), None) for it in node.items]
        return node.value

    # ----- rendering

    def text(self, *, schema_ref: str | None = None) -> str:
        lines: list[str] = []
        if schema_ref:
            lines.append(f"# yaml-language-server: $schema={schema_ref}")
            lines.append("#")
        name = self.value_of(("model", "name"))
        what = f"Model card for {name}" if _real(name) else "Model card"
        lines += [
            f"# {what}, begun with `modelcard init` on {self.today.isoformat()}.",
            "#",
            "# Each field is preceded by the question it answers (ABOUT ML, Model Cards, Datasheets).",
            f"# Replace every {PLACEHOLDER}; empty fields (dates, numbers, yes/no) are to be filled too.",
            "# Lines like '# citation: TODO' are optional fields: uncomment the ones you need.",
            "# Sections with commented examples (metrics, fairness results) are easiest to fill with",
            "# `modelcard evaluate`; otherwise uncomment the example and write the numbers.",
            "# Check progress:  modelcard validate --strict CARD   and   modelcard check CARD",
        ]
        for child in self.root.children:
            lines.append("")
            lines.extend(self._render(child, commented=False))
        return "\n".join(lines) + "\n"

    def _linked(self, node: Node) -> Any:
        if node.default_from is not None and not node.filled:
            try:
                src = self.find(node.default_from)
            except KeyError:
                return node.value
            if src.live:
                return src.value
        return node.value

    def _open(self, node: Node) -> bool:
        """A live section is written open when something in it will be written live."""
        if node.make_item is not None:
            return node.live and any(self._open(it) for it in node.items)
        if node.kind.name == "model":
            return node.live and any(self._open(c) for c in node.children)
        return node.live and self._linked(node) is not None

    def _render(self, node: Node, *, commented: bool) -> list[str]:
        """Lines of one field at column 0; ``commented``: inside a commented-out block."""
        out = _comment(node.guidance, node.status, node.kind)
        is_section = node.kind.name == "model" or node.make_item is not None
        if commented:  # written as it would read once uncommented
            if is_section:
                return out + [f"{node.key}:"] + _indent(self._body(node, commented=True))
            return out + self._scalar_lines(node)
        if is_section:
            if self._open(node):
                return out + [f"{node.key}:"] + _indent(self._body(node, commented=False))
            body = _indent(["# " + ln if ln else "#" for ln in self._body(node, commented=True)])
            if node.live or node.status != "optional":
                # an empty (null) key, with what goes in it as a commented example
                return out + [f"{node.key}:"] + body
            block = [f"{node.key}:"] + _indent(self._body(node, commented=True))
            return out + ["# " + ln if ln else "#" for ln in block]
        if node.live:
            return out + self._scalar_lines(node)
        return out + ["# " + ln for ln in self._scalar_lines(node)]

    def _body(self, node: Node, *, commented: bool) -> list[str]:
        lines: list[str] = []
        if node.make_item is not None:
            for item in node.items:
                item_lines: list[str] = []
                for c in item.children:
                    item_lines.extend(self._render(c, commented=commented))
                lines.extend(_as_item(item_lines))
        else:
            for c in node.children:
                lines.extend(self._render(c, commented=commented))
        return lines

    def _scalar_lines(self, node: Node) -> list[str]:
        value = self._linked(node)
        hint = _hint(node.kind) if value is None or (node.kind.name == "literal" and len(node.kind.choices) > 1) else ""
        if isinstance(value, list):
            if not value:
                return [f"{node.key}: []"]
            out = [f"{node.key}:"]
            for v in value:
                out.extend(_block(v, "  - ", "    "))
            return out
        if isinstance(value, dict):
            return [f"{node.key}: " + _flow(value)]
        lines = _block(value, f"{node.key}:", "  ", inline_space=True)
        if len(lines) == 1:
            lines[0] += hint
        return lines


# --------------------------------------------------------------------------
# helpers


def _name_leaf(node: Node) -> str | None:
    """For a list of sections whose items need only one text field (a name), that field."""
    if not node.items:
        return None
    live = [c for c in node.items[0].children if c.live and c.kind.name not in ("model",) and c.make_item is None]
    if len(live) == 1 and live[0].kind.textual and live[0].status == "required":
        return live[0].key
    return None


def _real(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not is_placeholder(value)


def _comment(guidance: str, status: str, kind: Kind) -> list[str]:
    if not guidance:
        return []
    text = guidance + (" (required)" if status == "required" and kind.name != "model" else "")
    return ["# " + ln for ln in textwrap.wrap(text, WIDTH - 2, break_long_words=False, break_on_hyphens=False)]


def _hint(kind: Kind) -> str:
    if kind.name == "list":
        h = {"int": "list of whole numbers", "float": "list of numbers", "date": "list of dates"}.get(
            kind.item.name if kind.item else "", ""
        )
    else:
        h = kind.hint()
    return f"  # {h}" if h else ""


def _indent(lines: list[str], by: str = "  ") -> list[str]:
    return [by + ln if ln else ln for ln in lines]


def _as_item(lines: list[str]) -> list[str]:
    """The lines of a mapping as a list item: "- " before the first key, comments above it stay."""
    out: list[str] = []
    marked = False
    for ln in lines:
        if not marked and not ln.startswith("#"):
            out.append("- " + ln)
            marked = True
        elif marked:
            out.append("  " + ln if ln else ln)
        else:
            out.append(ln)
    if not marked:  # nothing live in the item: a list holding an empty item
        out.append("-")
    return out


def scalar(value: Any) -> str:
    """A scalar as YAML text on one line that reads back as the same value (by the one writer)."""
    text = inline_yaml(value)
    return text if text is not None else json.dumps(str(value), ensure_ascii=False)


def _flow(value: dict[Any, Any]) -> str:
    return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in value.items()) + "}"


def _block(value: Any, first: str, cont: str, *, inline_space: bool = False) -> list[str]:
    """``first`` + value; multi-line text becomes a literal block indented by ``cont``."""
    sep = " " if inline_space else ""
    if value is None:
        return [first]
    if isinstance(value, str) and "\n" in value.strip("\n"):
        body = value.rstrip("\n")
        return [f"{first}{sep}|-"] + [f"{cont}{ln}" if ln else "" for ln in body.split("\n")]
    return [f"{first}{sep}{scalar(value)}"]


# --------------------------------------------------------------------------
# the $schema reference


def schema_ref_for(target: str | os.PathLike[str]) -> str:
    """How a card written at ``target`` should point at the JSON Schema, so that editors find it offline.

    A relative path to ``schemas/modelcard-<version>.schema.json`` when such
    a file exists in the card's folder or one of its parents up to the
    repository root (a project that vendors the schema with ``modelcard schema
    -o schemas/...``); else the schema installed with the package (what
    ``modelcard schema --install-path`` prints): a relative path when it lies
    inside the card's repository (a source checkout, a ``.venv`` in the
    project), an absolute one otherwise. The published ``$id`` only when
    neither exists.
    """
    from modelcard.schema.jsonschema import SCHEMA_FILENAME, schema_path

    folder = Path(target).resolve().parent
    root: Path | None = None
    for parent in (folder, *folder.parents):
        candidate = parent / "schemas" / SCHEMA_FILENAME
        if candidate.is_file():
            return Path(os.path.relpath(candidate, folder)).as_posix()
        if (parent / ".git").exists():
            root = parent
            break  # do not look beyond the repository
    installed = schema_path().resolve()
    if not installed.is_file():
        return S.SCHEMA_ID
    if root is not None and installed.is_relative_to(root):
        return Path(os.path.relpath(installed, folder)).as_posix()
    return installed.as_posix()


def skeleton(*, name: str | None = None, schema_ref: str | None = S.SCHEMA_ID, today: _dt.date | None = None) -> str:
    """The text of a fresh card skeleton."""
    return Skeleton(name=name, today=today).text(schema_ref=schema_ref)
