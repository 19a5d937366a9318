"""Helpers shared by the importers and exporters."""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from typing import TYPE_CHECKING, Any, TypeGuard

from modelcard.diagnostics import WARNING, CardError, Diagnostic, SourcePos
from modelcard.interop.base import ImportResult
from modelcard.io.source import decode, read_bytes
from modelcard.schema.types import group_text

if TYPE_CHECKING:
    from modelcard.schema.models import ModelCard

__all__ = ["ImportResult", "Notes", "read_bytes"]

#: imported cards that carry no model version get this one (documented in the README)
UNVERSIONED = "unversioned"

_ID_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


class Notes:
    """Collects warnings for one source file."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[Diagnostic] = []

    def warn(
        self,
        message: str,
        *,
        pos: SourcePos | None = None,
        line: int | None = None,
        col: int | None = None,
        code: str = "import",
        path: str = "",
    ) -> None:
        if pos is not None:
            d = Diagnostic.at(pos, message, file=self.source, severity=WARNING, code=code, path=path)
        else:
            d = Diagnostic(
                message, file=self.source, line=line, col=col if line else None, severity=WARNING, code=code, path=path
            )
        self.items.append(d)


def load_json_document(path: str | os.PathLike[str]) -> tuple[str, Notes, Any]:
    """Read a JSON input of an importer: ``(source name, notes, located Document)``."""
    from modelcard.io.source import loads

    src = str(path)
    notes = Notes(src)
    text = decode_text(read_bytes(path), src, notes)
    return src, notes, loads(text, src, syntax="json")


def decode_text(raw: bytes, name: str, notes: Notes) -> str:
    """UTF-8 (BOM allowed); UTF-16 with a BOM is decoded with a warning; anything else is an error."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise CardError(
                [
                    Diagnostic(
                        "file starts with a UTF-16 byte-order mark but is not valid UTF-16",
                        file=name,
                        line=1,
                        col=1,
                        code="encoding",
                    )
                ]
            ) from None
        notes.warn("file is UTF-16 encoded; decoded it (export writes UTF-8)", line=1, code="encoding")
        return text.lstrip("\ufeff")
    return decode(raw, name)


def make_id(text: str, taken: set[str] | None = None) -> str:
    """A dataset id matching ``^[A-Za-z0-9][A-Za-z0-9_.-]*$`` derived from ``text``, unique in ``taken``."""
    base = _ID_BAD.sub("-", str(text).replace("/", "__")).strip("-_.") or "dataset"
    if not base[0].isalnum():
        base = "d" + base
    base = base[:80]
    out, n = base, 2
    while taken is not None and out in taken:
        out, n = f"{base}-{n}", n + 1
    if taken is not None:
        taken.add(out)
    return out


def path_tuple(path: str) -> tuple[str | int, ...]:
    """A card path as written in a message (``metrics[3].value``) as a key path (``("metrics", 3, "value")``)."""
    out: list[str | int] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        out.append(int(part[1:-1]) if part.startswith("[") else part)
    return tuple(out)


_GROUP_PART = re.compile(r"\s*([^=:;,\s][^=:;,]*?)\s*[=:]\s*([^=:;,\s][^=:;,]*?)\s*")


def slice_text(group: dict[str, Any] | None) -> str:
    """A group or slice as one line: ``race=x, sex=y`` (a lone ``slice`` key is its value alone)."""
    if not group:
        return ""
    if list(group) == ["slice"]:
        return str(group["slice"])
    return group_text(group)


def parse_group(text: str) -> dict[str, str]:
    """A slice read from text: ``race=x, sex=y`` (or ``;``-separated, or ``race: x``); other text is ``{slice: text}``.

    The inverse of :func:`slice_text`; a slice's ``dataset=`` and ``split=`` parts are returned like any other.
    """
    pairs: dict[str, str] = {}
    for part in re.split(r"[;,]", text):
        m = _GROUP_PART.fullmatch(part)
        if m is None or m.group(1) in pairs:
            return {"slice": text}
        pairs[m.group(1)] = m.group(2)
    return pairs


def to_number(value: Any) -> float | None:
    """A finite float from a number or a numeric string, else None (booleans are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        f = float(value)
    elif isinstance(value, str):
        try:
            f = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return f if math.isfinite(f) else None


def parse_date(value: Any) -> _dt.date | None:
    """ISO dates, plus the ``YYYY/MM/DD`` and ``YYYY-MM-DDTHH:MM`` forms seen in the wild."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%m/%d/%Y", "%d %B %Y", "%B %d, %Y"):
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    try:
        return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


#: keys a schema requires even when empty (CycloneDX ``energyConsumption.energyProviders``)
KEEP_EMPTY = frozenset({"energyProviders"})


def clean(value: Any) -> Any:
    """Drop None values and empty containers, recursively (for building exports)."""
    if isinstance(value, dict):
        out = {k: clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and (k in KEEP_EMPTY or (v != [] and v != {}))}
    if isinstance(value, list):
        return [clean(v) for v in value if v is not None]
    return value


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (reading untrusted documents)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty one (reading untrusted documents)."""
    return value if isinstance(value, list) else []


def nonempty_str(value: Any) -> TypeGuard[str]:
    """Whether ``value`` is text with something in it besides white space."""
    return isinstance(value, str) and bool(value.strip())


def restore_undefined(data: dict[str, Any]) -> None:
    """Put back ``value: null`` where a measured value is undefined (it is required, so leaving it out is invalid).

    Undefined values live in metrics, fairness results and spreads (and their disparities): only
    those are visited, so extensions (which may be large) are not walked.
    """

    def fix(item: Any) -> None:
        if isinstance(item, dict) and "undefined_reason" in item and "value" not in item:
            item["value"] = None

    fairness = as_dict(data.get("fairness"))
    for item in [*(data.get("metrics") or []), *(fairness.get("results") or []), *(fairness.get("spreads") or [])]:
        if not isinstance(item, dict):
            continue
        fix(item)
        for part in (item.get("disparity") or {}).values() if isinstance(item.get("disparity"), dict) else ():
            fix(part)
        for key in ("difference", "ratio"):
            fix(item.get(key))


def dump_card(card: ModelCard) -> dict[str, Any]:
    """A card's data as exporters see it: JSON types for fields, no empty fields, extensions as written."""
    data: dict[str, Any] = card.model_dump(mode="json", exclude_none=True)
    restore_undefined(data)
    return data


def finish(result: ImportResult) -> ImportResult:
    """Validate imported data as a card and normalise it; an invalid result is a located error."""
    from modelcard.card.validate import validated
    from modelcard.io.source import Document

    try:
        card, _ = validated(Document(result.data, result.source))
    except CardError as exc:
        raise CardError(
            [
                Diagnostic(
                    f"imported data is not a valid card: {d.message}",
                    file=result.source,
                    code="import-invalid",
                    path=d.path,
                )
                for d in exc.diagnostics
            ]
        ) from None
    result.data = dump_card(card)
    result._card = card
    return result


# --------------------------------------------------------------------------
# shape checks: a mapping only ever sees the types it expects

STR = "text"
NUM = "number or numeric text"
SCALAR = "scalar"
ANY = "any"

_KIND = {
    dict: "a mapping",
    list: "a list",
    str: "text",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def _fits(value: Any, spec: Any) -> bool:
    if spec is ANY:
        return True
    if spec is STR:
        return isinstance(value, str)
    if spec is NUM:
        return isinstance(value, (int, float, str)) and not isinstance(value, bool)
    if spec is SCALAR:
        return isinstance(value, (str, int, float, bool))
    if isinstance(spec, dict):
        return isinstance(value, dict)
    if isinstance(spec, list):
        return isinstance(value, list)
    return True  # pragma: no cover


def _expected(spec: Any) -> str:
    if isinstance(spec, dict):
        return "a mapping"
    if isinstance(spec, list):
        return "a list"
    return str(spec)


def conform(
    data: Any,
    spec: Any,
    notes: Notes,
    *,
    doc: Any = None,
    path: tuple[Any, ...] = (),
    kept: dict[str, Any] | None = None,
    ext: str = "x-import",
) -> dict[str, Any]:
    """Remove values whose type does not match ``spec`` (in place); return them by dotted path.

    ``spec`` mirrors the data: ``{key: spec}`` for mappings, ``[item_spec]`` for
    lists, or one of STR, NUM, SCALAR, ANY.  Each removal is a located warning,
    and the removed value is returned so the importer can keep it verbatim.
    """
    from modelcard.io.source import format_path

    kept = {} if kept is None else kept

    def set_aside(at: tuple[Any, ...], value: Any, expected: Any) -> None:
        where = format_path(at)
        kept[where] = value
        notes.warn(
            f"'{where}' is {_KIND.get(type(value), 'a value')}, expected {_expected(expected)}: "
            f"kept it verbatim under {ext}.invalid",
            pos=doc.pos(at) if doc else None,
            code="wrong-type",
            path=where,
        )

    if isinstance(spec, dict) and isinstance(data, dict):
        for key, sub in spec.items():
            if key not in data or data[key] is None:
                continue
            if not _fits(data[key], sub):
                set_aside(path + (key,), data.pop(key), sub)
            else:
                conform(data[key], sub, notes, doc=doc, path=path + (key,), kept=kept, ext=ext)
    elif isinstance(spec, list) and isinstance(data, list):
        keep_items = []
        for i, item in enumerate(data):
            if item is None or not _fits(item, spec[0]):
                set_aside(path + (i,), item, spec[0])
            else:
                conform(item, spec[0], notes, doc=doc, path=path + (i,), kept=kept, ext=ext)
                keep_items.append(item)
        data[:] = keep_items
    return kept
