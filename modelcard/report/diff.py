"""``modelcard diff`` results as text (terminal), JSON (CI) and Markdown (PR comments)."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from modelcard.analysis.diff import MetricMove, jsonable
from modelcard.report.fmt import compact, compact_interval, compared_groups, spread_label
from modelcard.report.registry import reporter
from modelcard.report.tables import markdown_table, md_text, text_table
from modelcard.safe_text import neutralise
from modelcard.schema.types import group_text
from modelcard.schema.verdicts import Change

if TYPE_CHECKING:
    from modelcard.analysis.diff import CardDiff, FieldChange, VerdictChange

#: the ``format`` of the JSON document
DIFF_FORMAT = "modelcard-diff/1"


def metric_label(m: MetricMove) -> str:
    """A metric by what identifies it: ``fpr race=A holdout/test``, ``accuracy overall``."""
    parts = [m.name, group_text(m.slice)]
    if m.dataset:
        parts.append(m.dataset + (f"/{m.split}" if m.split else ""))
    elif m.split:
        parts.append(f"split {m.split}")
    return " ".join(parts)


def change_label(v: VerdictChange) -> str:
    """A fairness result or spread by what it compares: ``race=A vs race=B``, ``spread over race``."""
    return spread_label(v.attributes or ()) if v.kind == "spread" else compared_groups(v.group, v.reference_group)


def regression_text(r: VerdictChange | MetricMove) -> str:
    """One regression in words: ``fairness fpr race=A vs race=B: pass -> fail``."""
    if isinstance(r, MetricMove):
        if r.change == "removed":
            return f"metric {metric_label(r)}: removed"
        return f"metric {metric_label(r)}: worsened beyond noise ({compact(r.old_value)} -> {compact(r.new_value)})"
    what = f"{r.kind} {r.metric} {change_label(r)}"
    if r.change == "removed":
        return f"{what}: removed (was {r.old})"
    if r.change == "added":
        return f"{what}: new result fails"
    if r.change == "moved":
        return f"{what}: {r.reason}"
    return f"{what}: {r.old} -> {r.new}"


def _side_document(value: float | None, ci: tuple[float, float] | None, present: bool) -> Any:
    if not present:
        return None
    return {"value": value, "confidence_interval": None if ci is None else {"lower": ci[0], "upper": ci[1]}}


def diff_document(d: CardDiff) -> dict[str, Any]:
    """The JSON document (``modelcard-diff/1``): stable keys for CI."""
    return {
        "format": DIFF_FORMAT,
        "old": {"file": d.old_file, "model": {"name": d.old_model[0], "version": d.old_model[1]}},
        "new": {"file": d.new_file, "model": {"name": d.new_model[0], "version": d.new_model[1]}},
        "identical": d.identical,
        "sections": d.sections,
        "fields": [
            {"path": f.path, "section": f.section, "change": f.change, "old": jsonable(f.old), "new": jsonable(f.new)}
            for f in d.fields
        ],
        "metrics": [
            {
                "name": m.name,
                "slice": m.slice,
                "dataset": m.dataset,
                "split": m.split,
                "change": m.change,
                "old": _side_document(m.old_value, m.old_ci, m.change != "added"),
                "new": _side_document(m.new_value, m.new_ci, m.change != "removed"),
                "delta": m.delta,
                "direction": m.direction,
                "higher_is_better": m.higher_is_better,
                "ci_overlap": m.ci_overlap,
                "noise": m.noise or None,
                "regression": m.regression,
            }
            for m in d.metrics
        ],
        "metrics_unchanged": d.metrics_unchanged,
        "verdicts": [
            {
                "kind": v.kind,
                "metric": v.metric,
                "label": change_label(v),
                "group": v.group,
                "reference_group": v.reference_group,
                "dataset": v.dataset,
                "split": v.split,
                "change": v.change,
                "old": v.old,
                "new": v.new,
                "convention": v.convention,
                "old_value": v.old_value,
                "new_value": v.new_value,
                "assessment": None if v.assessment is None else str(v.assessment),
                "reason": v.reason or None,
                "regression": v.regression,
            }
            for v in d.verdicts
        ],
        "verdicts_unchanged": d.verdicts_unchanged,
        "regressions": [regression_text(r) for r in d.regressions],
    }


def short(value: Any, width: int = 60) -> str:
    """A one-line rendering of a value for the text and Markdown views."""
    if isinstance(value, dict):
        return f"{{{len(value)} key{'s' if len(value) != 1 else ''}}}"
    if isinstance(value, list):
        return f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    text = " ".join(str(value).split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _field_text(f: FieldChange) -> str:
    if f.change == "changed":
        return f"{f.path}: {short(f.old)} -> {short(f.new)}"
    return f"{f.path}: {short(f.old if f.change == 'removed' else f.new)}"


def _side(value: float | None, ci: tuple[float, float] | None) -> str:
    text = compact(value)
    return text + (" " + compact_interval(*ci) if ci else "")


def _metric_row(m: MetricMove) -> list[str]:
    return [
        metric_label(m),
        _side(m.old_value, m.old_ci) if m.change != "added" else "",
        _side(m.new_value, m.new_ci) if m.change != "removed" else "",
        compact(m.delta, signed=True) if m.delta is not None else "",
        m.direction,
        m.noise,
        "REGRESSION" if m.regression else "",
    ]


def _verdict_row(v: VerdictChange) -> list[str]:
    signed = v.convention == "difference"
    values = " -> ".join(
        compact(x, signed=signed)
        for x in (v.old_value, v.new_value)
        if x is not None or v.change in ("flipped", "moved")
    )
    verdicts = f"{v.old} -> {v.new}" if v.change == "flipped" else (v.old if v.change == "removed" else v.new)
    return [
        f"{v.kind} {v.metric}",
        change_label(v),
        v.change,
        verdicts or "",
        f"{v.convention or ''} {values}".strip(),
        "REGRESSION" if v.regression else (str(v.assessment) if v.assessment in _SHOWN else ""),
    ]


_SHOWN = (Change.IMPROVED, Change.AMBIGUOUS)
_METRIC_HEADERS = ["METRIC", "OLD [CI]", "NEW [CI]", "DELTA", "DIRECTION", "NOISE", ""]
_VERDICT_HEADERS = ["CHECK", "GROUP", "CHANGE", "VERDICT", "VALUE", ""]


def _title(d: CardDiff) -> list[str]:
    return [
        f"--- {d.old_file} ({d.old_model[0]} {d.old_model[1]})",
        f"+++ {d.new_file} ({d.new_model[0]} {d.new_model[1]})",
    ]


def _count(items: Sequence[Any], attr: str, value: str) -> int:
    return sum(1 for x in items if getattr(x, attr) == value)


@reporter("diff", "text")
def format_text(d: CardDiff) -> str:
    lines = _title(d)
    if d.identical:
        lines.append("no differences")
        return neutralise("\n".join(lines), terminal=True)
    lines.append("sections changed: " + ", ".join(f"{s} ({n})" for s, n in d.sections.items()))
    if d.fields:
        lines += ["", f"fields ({len(d.fields)}):"]
        lines += [f"  {_MARK[f.change]} {_field_text(f)}" for f in d.fields]
    if d.metrics:
        lines += [
            "",
            f"metrics ({_count(d.metrics, 'change', 'moved')} moved, "
            f"{_count(d.metrics, 'change', 'added')} added, {_count(d.metrics, 'change', 'removed')} "
            f"removed, {d.metrics_unchanged} unchanged):",
        ]
        lines.append(text_table(_METRIC_HEADERS, [_metric_row(m) for m in d.metrics], indent="  "))
    if d.verdicts:
        lines += [
            "",
            f"fairness results ({_count(d.verdicts, 'change', 'flipped')} flipped, "
            f"{_count(d.verdicts, 'change', 'moved')} moved, {_count(d.verdicts, 'change', 'added')} added, "
            f"{_count(d.verdicts, 'change', 'removed')} removed, {d.verdicts_unchanged} unchanged):",
        ]
        lines.append(text_table(_VERDICT_HEADERS, [_verdict_row(v) for v in d.verdicts], indent="  "))
    regressions = [regression_text(r) for r in d.regressions]
    lines.append("")
    lines.append(f"{len(regressions)} regression{'s' if len(regressions) != 1 else ''}" + (":" if regressions else ""))
    lines += [f"  {r}" for r in regressions]
    return neutralise("\n".join(lines), terminal=True)  # card values never drive the terminal


@reporter("diff", "json")
def format_json(d: CardDiff) -> str:
    return json.dumps(diff_document(d), indent=2, ensure_ascii=False)


@reporter("diff", "markdown")
def format_markdown(d: CardDiff) -> str:
    old, new = d.old_model, d.new_model
    same_name = old[0] == new[0]
    head = (
        f"{md_text(new[0])} {md_text(old[1])} → {md_text(new[1])}"
        if same_name
        else f"{md_text(old[0])} {md_text(old[1])} → {md_text(new[0])} {md_text(new[1])}"
    )
    regressions = [regression_text(r) for r in d.regressions]
    icon = "⚠️" if regressions else ("🟰" if d.identical else "📝")
    lines = [f"### {icon} modelcard diff: {head}", ""]
    if d.identical:
        lines.append("No differences.")
        return "\n".join(lines) + "\n"
    lines.append("**Sections changed:** " + ", ".join(f"{md_text(s)} ({n})" for s, n in d.sections.items()))
    lines.append("")
    if regressions:
        lines.append(f"**{len(regressions)} regression{'s' if len(regressions) != 1 else ''}:**")
        lines += [f"- {md_text(r).replace(' -&gt; ', ' → ')}" for r in regressions]
        lines.append("")
    if d.verdicts:
        lines += [
            "#### Fairness results",
            "",
            markdown_table([h.lower() for h in _VERDICT_HEADERS], [_verdict_row(v) for v in d.verdicts]),
            "",
        ]
    if d.metrics:
        lines += [
            "#### Metrics",
            "",
            markdown_table([h.lower() for h in _METRIC_HEADERS], [_metric_row(m) for m in d.metrics]),
            "",
        ]
    if d.fields:
        rows = [
            [
                f.change,
                f.path,
                short(f.old) if f.change != "added" else "",
                short(f.new) if f.change != "removed" else "",
            ]
            for f in d.fields
        ]
        lines += [
            "<details><summary>Fields (" + str(len(d.fields)) + ")</summary>",
            "",
            markdown_table(["change", "field", "before", "after"], rows),
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines)
