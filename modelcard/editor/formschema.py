"""The card's JSON Schema, shaped for the form, and the reverse trip from form values to card data.

The published schema is exact but written for validators: every optional field
is ``anyOf: [T, null]``, Markdown text is ``contentMediaType``, extensions are
``patternProperties``.  A form library renders ``anyOf`` as a type switcher on
every field, so :func:`form_schema` rewrites the schema for display only:

* ``anyOf [T, null]`` becomes ``T`` (an optional field is left out with its
  opt-in box instead of being null); a *required* field that may be null (a
  metric's ``value``) keeps the choice;
* every field gets a readable title, marked ``*`` when required and
  ``(recommended)`` when ``validate --strict`` expects it (``x-recommended``);
  its description stays as the help text under it;
* Markdown text becomes a text area, ``const`` a one-choice select, dates keep
  ``format: date`` (a date input), lists of sections get a header naming the item;
* ``x-`` extension keys are not shown: they are kept as they are in the file.

Validation never uses this schema: the server validates with the project's
own rules (:mod:`modelcard.editor._api`).  :func:`to_card_data` turns what the
form sends back into card data: dates become dates, values the user did not
change keep their exact original form (``1.0`` stays ``1.0``), and keys the form
cannot show (extensions, unknown keys) are carried over from the file.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import re
from typing import Any

#: list items whose header names them by one of these fields (first present wins)
_ITEM_LABELS = ("name", "id", "metric", "title", "attribute", "dataset")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MISSING = object()


def humanize(key: str) -> str:
    """``intended_use`` -> ``Intended use``; ``co2_eq_kg`` -> ``CO2 eq kg``."""
    words = key.replace("_", " ").strip()
    words = re.sub(r"\bco2\b", "CO2", words)
    words = re.sub(r"\bsha256\b", "SHA-256", words)
    words = re.sub(r"\burl\b", "URL", words)
    words = re.sub(r"\bid\b", "ID", words)
    return words[:1].upper() + words[1:] if words else key


def _words(name: str) -> str:
    """``MetricResult`` -> ``metric result``; ``ModelIO`` -> ``model IO``."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|\d+", name)
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


# --------------------------------------------------------------------------
# schema -> form schema


def form_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of the card's JSON Schema for the form (see the module docstring)."""
    defs = schema.get("$defs", {})
    out: dict[str, Any] = {"$defs": {name: _node(d) for name, d in defs.items()}}
    root = {k: v for k, v in schema.items() if k not in ("$defs", "$schema", "$id")}
    out.update(_node(root))
    out["title"] = "Model card"
    return add_item_headers(out)


def _node(s: Any, *, required: bool = False) -> Any:
    if not isinstance(s, dict):
        return s
    s = copy.deepcopy(s)
    if "anyOf" in s:
        options = [o for o in s["anyOf"] if not (isinstance(o, dict) and o.get("type") == "null")]
        nullable = len(options) < len(s["anyOf"])
        if len(options) == 1 and not (required and nullable):
            outer = {k: v for k, v in s.items() if k != "anyOf"}
            if outer.get("default", _MISSING) is None:
                del outer["default"]
            inner = _node(options[0])
            s = {**inner, **outer}
        else:
            s["anyOf"] = [_node(o) for o in s["anyOf"]]
            for o in s["anyOf"]:
                if isinstance(o, dict):
                    o.setdefault(
                        "title", "no value (null)" if o.get("type") == "null" else f"a {o.get('type', 'value')}"
                    )
            if s.get("default", _MISSING) is None:
                del s["default"]
            return s
    s.pop("patternProperties", None)
    s.pop("propertyNames", None)  # keys may not be empty: validation says so; the form library cannot
    s.pop("pattern", None)  # checked by the server, with its message; a browser would re-check in its own regex dialect
    if "const" in s:
        s["enum"] = [s.pop("const")]
        s.setdefault("default", s["enum"][0])
    if s.get("contentMediaType") == "text/markdown":
        s.pop("contentMediaType")
        s["format"] = "textarea"
    if s.get("type") == "object" or "properties" in s:
        required_keys = set(s.get("required", []))
        props = s.get("properties", {})
        for key, prop in list(props.items()):
            node = _node(prop, required=key in required_keys)
            if isinstance(node, dict):
                node["title"] = humanize(key) + (
                    " *" if key in required_keys else " (recommended)" if node.get("x-recommended") else ""
                )
                mark = (
                    "required" if key in required_keys else "recommended" if node.get("x-recommended") else "optional"
                )
                opts = node.setdefault("options", {})
                attrs = opts.setdefault("containerAttributes", {})
                attrs["class"] = f"mc-field mc-{mark}"
                attrs["data-mc-key"] = key
            props[key] = node
        if isinstance(s.get("additionalProperties"), dict):
            # a mapping of free keys (a group such as {race: Caucasian}): keys are added by name
            s["additionalProperties"] = _node(s["additionalProperties"])
            s.setdefault("options", {})["disable_properties"] = False
    if s.get("type") == "array" and isinstance(s.get("items"), dict):
        s["items"] = _node(s["items"])
        ref = s["items"].get("$ref", "")
        if ref.startswith("#/$defs/"):  # buttons say "Add metric result", not "Add MetricResult"
            s["items"].setdefault("title", _words(ref.rsplit("/", 1)[-1]))
        opts = s.setdefault("options", {})
        opts.setdefault("disable_array_delete_all_rows", True)
        opts.setdefault("disable_array_delete_last_row", True)
    return s


def item_header_template(item_schema: dict[str, Any], defs: dict[str, Any]) -> str | None:
    """A json-editor header template naming a list item by its identifying field, if it has one."""
    target = resolve(item_schema, defs)
    props = target.get("properties", {}) if isinstance(target, dict) else {}
    required = set(target.get("required", [])) if isinstance(target, dict) else set()
    for label in _ITEM_LABELS:
        if label in props and label in required:  # always in the value, so the header never says 'undefined'
            return "{{ i1 }}. {{ self." + label + " }}"
    return None


def add_item_headers(schema: dict[str, Any]) -> dict[str, Any]:
    """Give lists of sections a header template (done after the rewrite, when refs can be resolved)."""
    defs = schema.get("$defs", {})

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "array" and isinstance(node.get("items"), dict):
                template = item_header_template(node["items"], defs)
                if template:
                    node["items"] = {**node["items"], "headerTemplate": template}
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema


# --------------------------------------------------------------------------
# resolving schema nodes


def resolve(s: Any, defs: dict[str, Any], value: Any = _MISSING) -> dict[str, Any]:
    """The schema node ``s`` describes a value with: ``$ref`` followed, ``anyOf`` narrowed to ``value``'s kind."""
    for _ in range(32):  # refs to refs: bounded
        if not isinstance(s, dict):
            return {}
        if "$ref" in s:
            ref = s["$ref"]
            name = ref.rsplit("/", 1)[-1] if ref.startswith("#/$defs/") else None
            target = defs.get(name) if name else None
            if not isinstance(target, dict):
                return {}
            s = {**target, **{k: v for k, v in s.items() if k != "$ref"}}
            continue
        if "anyOf" in s:
            options = [o for o in s["anyOf"] if isinstance(o, dict) and o.get("type") != "null"]
            chosen = next((o for o in options if _fits(resolve(o, defs), value)), options[0] if options else {})
            s = {**{k: v for k, v in s.items() if k != "anyOf"}, **chosen}
            continue
        return s
    return {}


def _fits(s: dict[str, Any], value: Any) -> bool:
    kind = s.get("type")
    if value is _MISSING or kind is None:
        return True
    return {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
    }.get(kind, True)


def _child(s: dict[str, Any], key: Any) -> Any:
    props = s.get("properties")
    if isinstance(props, dict) and key in props:
        return props[key]
    extra = s.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


# --------------------------------------------------------------------------
# form values -> card data


def plain(value: Any) -> Any:
    """A comparable form of card data: dates as ISO text, keys as text, booleans apart from numbers."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return ("bool", value)
    return value


def to_card_data(new: Any, old: Any, schema: dict[str, Any]) -> Any:
    """Card data for the form's value ``new``, given the card's current data ``old``.

    * text in a ``format: date`` field becomes a date;
    * a value equal to the old one (``1`` for ``1.0``, ``"2024-01-02"`` for a
      date) is the old value itself, so an untouched field is written as it was;
    * keys of ``old`` that the form does not show — ``x-`` extensions and keys
      the schema does not know — are kept.  Keys the form shows and ``new``
      lacks were removed by the user.
    """
    return _card_data(new, old, schema, schema.get("$defs", {}))


def _card_data(new: Any, old: Any, s: Any, defs: dict[str, Any]) -> Any:
    node = resolve(s, defs, new) if s is not None else {}
    if isinstance(new, dict):
        before = old if isinstance(old, dict) else {}
        out = {key: _card_data(value, before.get(key, _MISSING), _child(node, key), defs) for key, value in new.items()}
        props = node.get("properties")
        if isinstance(props, dict):
            for key, value in before.items():
                if key in out:
                    continue
                if key not in props:
                    out[key] = value  # an extension or an unknown key: not the form's to remove
                elif value is None or _nullable(props[key]):
                    # an optional field left out of the form: written empty (null, "not given"),
                    # so the rest of its section, comments included, stays as it was
                    out[key] = None
        return out
    if isinstance(new, list):
        before_list = old if isinstance(old, list) else []
        items = node.get("items")
        match = _match_items(new, before_list, items, defs)
        return [_card_data(v, _MISSING if j is None else before_list[j], items, defs) for v, j in zip(new, match)]
    if isinstance(new, str) and node.get("format") == "date" and _DATE.match(new):
        try:
            new = _dt.date.fromisoformat(new)
        except ValueError:
            pass  # not a real date: validation says so, with its location
    if (
        old is not _MISSING
        and plain(old) == plain(new)
        and type(old) is not type(new)
        and not isinstance(old, (dict, list))
    ):
        return old
    return new


def _match_items(new: list[Any], old: list[Any], items: Any, defs: dict[str, Any]) -> list[int | None]:
    """For each item of the form's list, the index of the item of the file's list it came from.

    Items are matched by what the form shows of them (an item moved up or down
    is found wherever it went), then by their identifying field (``name``,
    ``id``...: an item edited and moved), then by position (an item edited in
    place).  Keys the form does not show (``x-`` extensions) follow their item,
    never its position.
    """

    def key(value: Any) -> str:
        return json.dumps(value, sort_keys=True, default=str)

    free = set(range(len(old)))
    match: list[int | None] = [None] * len(new)
    if not old:
        return match
    by_view: dict[str, list[int]] = {}
    for j, item in enumerate(old):
        by_view.setdefault(key(plain(_form_value(item, items, defs))), []).append(j)
    for i, item in enumerate(new):
        for j in by_view.get(key(plain(item)), []):
            if j in free:
                match[i] = j
                free.discard(j)
                break
    for label in _ITEM_LABELS:
        for i, item in enumerate(new):
            if match[i] is not None or not isinstance(item, dict) or label not in item:
                continue
            found = next(
                (
                    j
                    for j in sorted(free)
                    if isinstance(old[j], dict) and label in old[j] and plain(old[j][label]) == plain(item[label])
                ),
                None,
            )
            if found is not None:
                match[i] = found
                free.discard(found)
    for i in range(len(new)):
        if match[i] is None and i in free:
            match[i] = i
            free.discard(i)
    return match


def _nullable(s: Any) -> bool:
    return isinstance(s, dict) and any(isinstance(o, dict) and o.get("type") == "null" for o in s.get("anyOf", ()))


def form_value(data: Any, schema: dict[str, Any]) -> Any:
    """Card data as the form's starting value: JSON values, and no null for a field the form leaves out.

    The form has no "null" for an optional field: it is simply not ticked.  So
    ``date:`` (null, as ``modelcard init`` writes an unfilled date) starts
    unticked, and comes back as null on save (see :func:`to_card_data`).
    Keys the form has no field for (``x-`` extensions, unknown keys) are left
    out; saving keeps them as they are in the file.
    """
    return _form_value(data, schema, schema.get("$defs", {}))


def _form_value(data: Any, s: Any, defs: dict[str, Any]) -> Any:
    node = resolve(s, defs, data) if s is not None else {}
    if isinstance(data, dict):
        required = set(node.get("required", []))
        props = node.get("properties")
        return {
            str(k): _form_value(v, _child(node, k), defs)
            for k, v in data.items()
            if (v is not None or k in required) and (not isinstance(props, dict) or k in props)
        }
    if isinstance(data, list):
        return [_form_value(v, node.get("items"), defs) for v in data]
    if isinstance(data, (_dt.date, _dt.datetime)):
        return data.isoformat()
    return data


def depth(value: Any, limit: int) -> bool:
    """Whether ``value`` nests at most ``limit`` levels (checked without recursion)."""
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return True
