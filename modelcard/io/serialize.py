"""The one YAML/JSON writer: every card, fragment and import is written by it.

* :func:`to_yaml` — block YAML, keys in the order given, multi-line text as
  literal block scalars (``|``) when that reads back exactly, dates as dates,
  text YAML would read as something else quoted, no anchors or aliases (each
  entry reads on its own), floats at full (round-trip) precision, and an
  optional ``#`` comment header;
* :func:`to_json` — two-space indented JSON, dates as ISO text;
* :func:`card_text` — card data in schema key order (see
  :func:`modelcard.schema.walk.ordered`) as YAML or JSON;
* :func:`inline_yaml` — one value on one line (what an in-place edit writes).

``modelcard merge`` writes merged cards with it, ``modelcard import`` imported
ones, ``modelcard evaluate`` fragments, the Hugging Face exporter its front
matter, and :meth:`modelcard.ModelCard.save` a card made in Python.

Example:
    >>> print(to_yaml({"model": {"name": "m", "description": "one\\ntwo"}}, header="made by hand"), end="")
    # made by hand
    model:
      name: m
      description: |-
        one
        two
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import os
import re
from typing import Any

import yaml

from modelcard.schema.walk import ordered

_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when available

#: what a literal block scalar cannot hold exactly, or would hide: spaces before a line break,
#: and white space other than space and newline (tabs, carriage returns, no-break spaces...)
_NOT_BLOCK = re.compile(r"[ \t]\n|[^\S\n ]")


class _Dumper(_BaseDumper):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # no &id001 anchors: every entry reads on its own


def block_style(value: str) -> bool:
    """Whether ``value`` is written as a literal block (``|``): it has a line break, and reads back exactly.

    Spaces before a line break, tabs, carriage returns, other white space and
    leading or trailing spaces keep the text quoted, where every character
    stays visible.
    """
    return "\n" in value and not _NOT_BLOCK.search(value) and value == value.strip(" ")


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if block_style(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _enum(dumper: yaml.SafeDumper, value: enum.Enum) -> yaml.Node:
    return dumper.represent_data(value.value)


_Dumper.add_representer(str, _str)
_Dumper.add_multi_representer(enum.Enum, _enum)


def comment_header(header: str) -> str:
    """``header`` as ``#`` comment lines (empty lines become ``#``)."""
    return "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())


def to_yaml(data: Any, header: str = "") -> str:
    """``data`` as block YAML, keys in the order given, with an optional ``#`` comment ``header``."""
    body = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False, indent=2
    )
    return (comment_header(header) if header else "") + body


def inline_yaml(value: Any, *, flow: bool = False, quote: str | None = None) -> str | None:
    """``value`` as YAML on one line, or None when it does not fit on one.

    Scalars and empty collections always can; non-empty collections only with
    ``flow`` (as a short flow collection).  A string is written with ``quote``
    (``'`` or ``"``) when given.
    """
    if isinstance(value, (dict, list)):
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        if not flow:
            return None
        text = yaml.dump(value, Dumper=_Dumper, default_flow_style=True, width=1 << 30, allow_unicode=True)
        text = text.rstrip("\n")
        return text if "\n" not in text and len(text) <= 100 else None
    if isinstance(value, str) and "\n" in value:
        return None
    if isinstance(value, str) and quote:
        text = yaml.dump(value, Dumper=_Dumper, default_style=quote, width=1 << 30, allow_unicode=True)
        text = text.rstrip("\n")
        return None if "\n" in text else text
    text = yaml.dump({"k": value}, Dumper=_Dumper, default_flow_style=False, width=1 << 30, allow_unicode=True)
    text = text[len("k: ") :].rstrip("\n")
    return None if "\n" in text else text


def json_default(value: Any) -> Any:
    """What JSON gets for values it has no type for: dates as ISO text, enums as their value."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(data: Any, indent: int | str | None = 2) -> str:
    """``data`` as JSON text (``indent`` as :func:`json.dumps` takes it), ending with a newline."""
    return json.dumps(data, indent=indent, ensure_ascii=False, default=json_default) + "\n"


def card_text(data: Any, fmt: str = "yaml", header: str = "") -> str:
    """Card data as YAML (with an optional ``#`` comment header) or JSON, keys in schema order."""
    data = ordered(data)
    return to_json(data) if fmt == "json" else to_yaml(data, header)


def card_file_text(data: Any, path: str | os.PathLike[str], header: str = "") -> str:
    """Card data as the text of the file ``path``: JSON for a ``.json`` path (no header), else YAML."""
    fmt = "json" if os.fspath(path).lower().endswith(".json") else "yaml"
    return card_text(data, fmt, header if fmt == "yaml" else "")


__all__ = [
    "block_style",
    "card_file_text",
    "card_text",
    "comment_header",
    "inline_yaml",
    "json_default",
    "ordered",
    "to_json",
    "to_yaml",
]
