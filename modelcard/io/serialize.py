"""Write card data back out as YAML or JSON, in the schema's key order.

Used by ``modelcard merge`` to materialise a layered card.  Keys appear in
the order the schema declares them (the order of the reference card and of
``modelcard init``), ``x-`` extensions after the fields of their section in
their original order; mapping values such as groups keep the order they were
written in.  Multi-line text is written as YAML block scalars, dates as
dates, and text that YAML would read as something else is quoted.
"""

from __future__ import annotations

import datetime as _dt
import json
import typing
from typing import Any

import yaml

from modelcard.card.layering import LIST_KEYS, unwrap_optional


def ordered(data: Any, tp: Any = None, shape: tuple[str, ...] = ()) -> Any:
    """A copy of ``data`` with mapping keys in schema order (``tp`` defaults to ModelCard).

    Items of identifiable lists (metrics, fairness results, datasets...) start
    with their identity fields (name, slice, dataset...), then the rest in
    schema order.
    """
    from pydantic import BaseModel

    if tp is None:
        from modelcard.schema.models import ModelCard

        tp = ModelCard
    tp = unwrap_optional(tp)
    origin = typing.get_origin(tp)
    if isinstance(data, dict):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = tp.model_fields
            key = LIST_KEYS.get(shape)
            front = [f for f in getattr(key, "fields", ()) if f in fields]
            names = front + [f for f in fields if f not in front]
            out = {k: ordered(data[k], fields[k].annotation, shape + (k,)) for k in names if k in data}
            out.update({k: ordered(v, object) for k, v in data.items() if k not in fields})
            return out
        value_tp = typing.get_args(tp)[1] if origin is dict else object
        return {k: ordered(v, value_tp) for k, v in data.items()}
    if isinstance(data, list):
        item_tp = typing.get_args(tp)[0] if origin is list else object
        return [ordered(v, item_tp, shape) for v in data]
    return data


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value.rstrip("\n") or (len(value) > 100 and "\n" in value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def to_yaml(data: Any, header: str = "") -> str:
    body = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False, indent=2
    )
    prefix = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) if header else ""
    return prefix + body


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n"


def card_text(data: Any, fmt: str = "yaml", header: str = "") -> str:
    """Card data as YAML (with an optional ``#`` comment header) or JSON, keys in schema order."""
    data = ordered(data)
    return to_json(data) if fmt == "json" else to_yaml(data, header)
