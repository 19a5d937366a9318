"""``modelcard validate`` reports as text, JSON, or GitHub workflow annotations.

Each format is safe to show on a terminal or in a CI log whatever the card
says: control and bidi characters are shown as escapes
(:func:`modelcard.safe_text.neutralise`; in JSON, ``\\uXXXX`` escapes of the
same data).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from modelcard.diagnostics import Report
from modelcard.report.registry import reporter
from modelcard.safe_text import json_text, neutralise


def escape_github(value: str, *, prop: bool = False) -> str:
    """Text for a GitHub workflow command: ``%``, CR and LF encoded (and ``:``/``,`` in a property),
    control and bidi characters shown as escapes."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return neutralise(value, terminal=True)


@reporter("validation", "text")
def format_text(reports: Sequence[Report], *, quiet: bool = False) -> str:
    lines: list[str] = []
    for r in reports:
        lines.extend(str(d) for d in r.diagnostics)
        if not quiet and r.ok:
            warn = f" ({len(r.warnings)} warning{'s' if len(r.warnings) != 1 else ''})" if r.warnings else ""
            lines.append(neutralise(f"{r.file}: valid{warn}", terminal=True))
    bad = sum(1 for r in reports if not r.ok)
    if len(reports) > 1 and not quiet:
        lines.append(f"{len(reports) - bad} valid, {bad} invalid")
    return "\n".join(lines)


@reporter("validation", "json")
def format_json(reports: Sequence[Report], **_: Any) -> str:
    return json_text(
        json.dumps(
            {
                "valid": all(r.ok for r in reports),
                "files": [
                    {
                        "file": r.file,
                        "valid": r.ok,
                        "unreadable": r.unreadable,
                        "errors": len(r.errors),
                        "warnings": len(r.warnings),
                        "diagnostics": [d.to_dict() for d in r.diagnostics],
                    }
                    for r in reports
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
    )


@reporter("validation", "github")
def format_github(reports: Sequence[Report], **_: Any) -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` per problem."""
    lines = []
    for r in reports:
        for d in r.diagnostics:
            props = [f"file={escape_github(d.file, prop=True)}"]
            if d.line is not None:
                props.append(f"line={d.line}")
            if d.col is not None:
                props.append(f"col={d.col}")
            props.append(f"title={escape_github('modelcard ' + d.code, prop=True)}")
            text = d.message + (f" ({d.path})" if d.path else "")
            command = "notice" if d.severity == "info" else d.severity  # GitHub has ::notice, not ::info
            lines.append(f"::{command} {','.join(props)}::{escape_github(text)}")
    return "\n".join(lines)
