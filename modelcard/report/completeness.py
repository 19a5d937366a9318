"""``modelcard check`` results: the checklist as text, JSON, or GitHub workflow annotations."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from modelcard.report.registry import reporter
from modelcard.report.validation import escape_github

if TYPE_CHECKING:
    from modelcard.analysis.completeness import Completeness

#: covered items list at most this many of the fields that cover them
SHOWN_FIELDS = 4


def _headline(result: Completeness) -> str:
    return f"{result.title}: {result.covered}/{result.total} items covered ({result.score:.0%})"


@reporter("completeness", "text")
def format_text(result: Completeness, *, color: bool = False, **_: Any) -> str:
    """The checklist as text: score line, then one ✓/✗ line per item (green/red with ``color``)."""

    def paint(code: str, s: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    lines = [_headline(result)]
    if result.reference:
        lines.append(f"  {result.reference}")
    lines.append("")
    for item in result.items:
        mark = paint("32", "✓") if item.covered else paint("31", "✗")
        lines.append(f"{mark} {item.title}")
        if item.covered:
            shown = item.fields[:SHOWN_FIELDS]
            more = f", … (+{len(item.fields) - SHOWN_FIELDS})" if len(item.fields) > SHOWN_FIELDS else ""
            lines.append(f"    from {', '.join(shown)}{more}")
        elif not item.coverable:
            lines.append(f"    {item.question}")
            lines.append(f"    not expressible in this card: {item.note}")
        else:
            lines.append(f"    {item.question}")
            lines.append(f"    missing: {'; '.join(item.missing)}")
            if item.note:
                lines.append(f"    note: {item.note}")
    uncoverable = result.total - result.coverable
    if uncoverable:
        lines.append("")
        lines.append(
            f"{uncoverable} item{'s' if uncoverable != 1 else ''} of this standard cannot be "
            f"expressed in the card schema; the highest reachable score is "
            f"{result.coverable / result.total:.0%}."
        )
    return "\n".join(lines)


@reporter("completeness", "json")
def format_json(result: Completeness, *, card: str = "", min_score: float | None = None, **_: Any) -> str:
    """The result's data, with the card's path and, when a minimum was asked, whether it was met."""
    data = result.to_dict()
    data["card"] = card
    if min_score is not None:
        data["min_score"] = min_score
        data["passed"] = not result.below(min_score)
    return json.dumps(data, indent=2, ensure_ascii=False)


@reporter("completeness", "github")
def format_github(result: Completeness, *, card: str = "", min_score: float | None = None, **_: Any) -> str:
    """GitHub Actions annotations: a notice with the score (an error below ``min_score``), a warning per
    item not covered."""
    title = escape_github(f"modelcard check {result.profile}", prop=True)
    where = f"file={escape_github(card, prop=True)}"
    level = "error" if result.below(min_score) else "notice"
    lines = [f"::{level} {where},title={title}::" + escape_github(_headline(result))]
    for item in result.items:
        if item.covered:
            continue
        why = f"missing {'; '.join(item.missing)}" if item.coverable else f"not expressible: {item.note}"
        lines.append(f"::warning {where},title={title}::" + escape_github(f"{item.title}: {why}"))
    return "\n".join(lines)


def shortfall_text(result: Completeness, min_score: float) -> str:
    """The line ``check`` prints on standard error when the score is below the minimum."""
    return f"score {result.score:.0%} is below the required {min_score:.0%}"
