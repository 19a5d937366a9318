"""Upgrade a card to the current schema version: the API behind ``modelcard migrate``.

Python API::

    from modelcard.card.migrate import migrate_file

    result = migrate_file("card.yaml")
    for change in result.changes:
        print(change)          # card.yaml:3:19: info: schema_version 1.0 -> 1.1 ... [migrate-version]
    result.text                # the upgraded card, comments and layout kept

What changes from schema 1.0 to 1.1 (no field was renamed; 1.1 only adds
``test_methodology.verdict_basis``, ``fairness.family_size`` and
``fairness.adjustment``):

* ``card.schema_version`` becomes ``"1.1"``;
* **verdicts** are recomputed from the card's own numbers by THE rule
  (:func:`modelcard.schema.verdicts.judge_card`, the card's basis and
  adjustment included): results and spreads that state ``pass``, ``fail`` or
  ``inconclusive`` get the rule's verdict.  Schema 1.0 judged an interval
  that covers the whole band, and a disparity without an interval, by its
  point estimate; under 1.1 both are ``inconclusive`` unless the card asks for
  point-estimate decisions (``test_methodology.verdict_basis: point``).
  ``not_run`` stays: it says nothing was run.  Verdicts a card does not state
  (a spread without one) are not added;
* **links** the security release made invalid (1.0 accepted any scheme, 1.1
  only ``http``, ``https`` and ``mailto``): a ``doi:`` link becomes
  ``https://doi.org/…``; any other (``ftp:``, ``s3:``, ``urn:``…) moves, as
  text, into an ``x-original-<field>`` extension key beside the field
  (``x-original-url`` for ``url``), so nothing is lost and nothing unsafe
  stays a link.

The result must be a valid card; when it is not (a problem migration does not
fix), :class:`~modelcard.diagnostics.CardError` lists the errors and nothing
is produced.  Migrating a migrated card changes nothing (idempotent).  The
text keeps the card's comments, key order and layout
(:func:`modelcard.io.inplace.update_text`).
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from modelcard.card.validate import validate_document, validated
from modelcard.diagnostics import INFO, CardError, Diagnostic
from modelcard.io.source import Document, format_path, loads, read_text
from modelcard.safe_text import url_problem
from modelcard.schema.models import SCHEMA_VERSION, SCHEMA_VERSIONS, ModelCard
from modelcard.schema.verdicts import Verdict, interval_bounds, judge_card

__all__ = ["Migration", "migrate_document", "migrate_file", "migrate_text"]

_DOI = re.compile(r"(?i)doi:\s*(?://)?(10\.\S+)")
#: characters a DOI keeps unescaped in an https://doi.org/ link (RFC 3986 path characters)
_DOI_SAFE = "/:;()._-~!$&'*+,=@"

CardPath = tuple[str | int, ...]


@dataclass
class Migration:
    """The outcome of migrating one card: the new data, its text, and one notice per change."""

    source: str
    from_version: str | None
    data: dict[str, Any]
    changes: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    text: str = ""
    #: why ``text`` could not keep the card's layout (a changed value shared through a YAML anchor...):
    #: then ``text`` is the card written anew, keys in schema order, comments lost
    layout_lost: str = ""

    @property
    def to_version(self) -> str:
        return SCHEMA_VERSION

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def migrate_file(path: str | os.PathLike[str]) -> Migration:
    """Read a card file (``-``: standard input) and migrate it; see the module docstring."""
    name, text = read_text(path)
    return migrate_text(text, name)


def migrate_text(text: str, name: str = "<string>") -> Migration:
    """Migrate card text; ``Migration.text`` is the upgraded card with its comments and layout kept.

    When the layout cannot be kept exactly (a changed value shared through a YAML anchor and its
    aliases, a merge key), ``text`` is the card written anew and ``layout_lost`` says why.
    """
    from modelcard.io.inplace import InPlaceError, is_json, update_text
    from modelcard.io.serialize import card_text

    result = migrate_document(loads(text, name))
    if not result.changed:
        result.text = text
        return result
    try:
        result.text = update_text(text, name, result.data)
    except InPlaceError as exc:
        result.layout_lost = str(exc).split(": ", 1)[-1].split("; write", 1)[0]
        result.text = card_text(result.data, "json" if is_json(text, name) else "yaml")
    return result


def migrate_document(doc: Document) -> Migration:
    """Migrate loaded card data (``doc`` is not changed); ``Migration.text`` is left empty."""
    data = copy.deepcopy(doc.data)
    meta = data.get("card") if isinstance(data, dict) else None
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    if isinstance(version, float):
        version = f"{version:.1f}"
    result = Migration(doc.source, version if isinstance(version, str) else None, data)

    def note(path: CardPath, message: str, code: str) -> None:
        result.changes.append(
            Diagnostic.at(doc.pos(path), message, file=doc.source, severity=INFO, code=code, path=format_path(path))
        )

    if isinstance(meta, dict) and version in SCHEMA_VERSIONS and version != SCHEMA_VERSION:
        meta["schema_version"] = SCHEMA_VERSION
        note(("card", "schema_version"), f"schema_version {version} -> {SCHEMA_VERSION}", "migrate-version")
    _migrate_links(data, note)

    located = Document(data, doc.source, locate=lambda: (doc.positions, doc.key_positions))
    card, diagnostics = validate_document(located)
    if card is None:
        raise CardError(diagnostics)
    _migrate_verdicts(card, data, note)

    card, diagnostics = validated(located)
    result.warnings = [d for d in diagnostics if d.severity != INFO]
    return result


def _at(data: Any, path: CardPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _migrate_links(data: dict[str, Any], note: Any) -> None:
    """Rewrite ``doi:`` links; move other links 1.1 refuses into ``x-original-<field>``."""
    try:
        ModelCard.model_validate(data)
        return
    except ValidationError as exc:
        bad = [tuple(e["loc"]) for e in exc.errors(include_url=False) if e["type"] == "unsafe_link"]
    for path in bad:
        parent, key = _at(data, path[:-1]), path[-1]
        value = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(key, str) or not isinstance(value, str):
            continue  # not a link in a mapping: validation reports it
        doi = _DOI.fullmatch(value)
        if doi:
            link = "https://doi.org/" + quote(doi.group(1), safe=_DOI_SAFE)
            if url_problem(link) is None:
                parent[key] = link
                note(path, f"{value} -> {link} (links may only use http, https or mailto)", "migrate-link")
                continue
        why = url_problem(value) or "not a safe link"
        target = _free_key(parent, f"x-original-{key}")
        del parent[key]
        parent[target] = value
        note(
            path,
            f"moved to {target} (kept as text, no longer a link): {why}",
            "migrate-link",
        )


def _free_key(mapping: dict[str, Any], key: str) -> str:
    if key not in mapping:
        return key
    n = 2
    while f"{key}-{n}" in mapping:
        n += 1
    return f"{key}-{n}"


def _migrate_verdicts(card: ModelCard, data: dict[str, Any], note: Any) -> None:
    """Stated verdicts (not not_run) that THE rule does not derive from the card's numbers get the rule's."""
    judged = judge_card(card)
    for member in judged.members:
        stated = member.stated
        if stated is None or stated is Verdict.NOT_RUN or member.estimate is None:
            continue  # a missing disparity is a problem of the card, reported by validation
        if stated is member.verdict:
            continue
        _at(data, member.path)["verdict"] = member.verdict.value
        hint = ""
        if (
            judged.basis == "interval"
            and member.verdict is Verdict.INCONCLUSIVE
            and interval_bounds(member.estimate.confidence_interval) is None
        ):
            hint = " (to decide on point estimates instead, set test_methodology.verdict_basis: point)"
        note(
            member.path + ("verdict",),
            f"verdict {stated} -> {member.verdict}: {member.judgement.reason}{hint}",
            "migrate-verdict",
        )
