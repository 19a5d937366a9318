"""``modelcard gate`` results as text (terminal), JSON (CI) and Markdown (PR comments)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from modelcard.report.fmt import compact, compact_interval, compared_groups, spread_label
from modelcard.report.registry import reporter
from modelcard.report.tables import markdown_table, md_text, text_table
from modelcard.safe_text import neutralise
from modelcard.schema.types import Verdict, group_text

if TYPE_CHECKING:
    from modelcard.analysis.gate import GateCheck, GateResult

#: the ``format`` of the JSON document
GATE_FORMAT = "modelcard-gate/1"


def option_text(option: str) -> str:
    """How advice names an option by default, in the Python API's words: ``allow_empty=True``.

    The CLI passes ``flag=modelcard.cli.flag_of`` to the reporters instead (``--allow-empty``).
    """
    return f"{option}=True"


#: what each waiver accepts, in words
_WAIVES = {"allow_inconclusive": "accepts inconclusive results", "allow_not_run": "accepts results that were not run"}


def reason_text(result: GateResult, flag: Callable[[str], str] = option_text) -> str:
    """One sentence: why the gate passed or failed, and which option (named by ``flag``) accepts what blocks."""
    if result.empty:
        return result.outcome + ("" if result.allow_empty else f"; pass {flag('allow_empty')} to accept that")
    hints = [f"{flag(option)} {_WAIVES[option]}" for option in result.waivers]
    return result.outcome + (f" ({'; '.join(hints)})" if hints else "")


def check_label(c: GateCheck) -> str:
    """What a check is about: ``race=A vs race=B``, ``spread over race``, a slice, or a requirement's scope."""
    if c.kind == "fairness":
        return compared_groups(c.group, c.reference_group)
    if c.kind == "spread":
        return spread_label(c.attributes or (), c.max_group, c.min_group)
    if c.verdict != "missing":
        return group_text(c.slice)
    scope = "every slice" if c.all_slices else group_text(c.slice)  # the metric the requirement names is missing
    if c.dataset:
        return scope + f" on {c.dataset}" + (f"/{c.split}" if c.split else "")
    return scope + (f" on split {c.split}" if c.split else "")


def check_document(c: GateCheck) -> dict[str, Any]:
    """One check in the JSON document."""
    return {
        "kind": c.kind,
        "metric": c.metric,
        "label": check_label(c),
        "group": c.group,
        "reference_group": c.reference_group,
        "slice": c.slice,
        "dataset": c.dataset,
        "split": c.split,
        "convention": c.convention,
        "value": c.value,
        "confidence_interval": None if c.ci is None else {"lower": c.ci[0], "upper": c.ci[1], "level": c.ci_level},
        "threshold": None
        if c.threshold_min is None and c.threshold_max is None
        else {"min": c.threshold_min, "max": c.threshold_max},
        "basis": c.basis,
        "source": c.source or None,
        "verdict": c.verdict,
        "blocking": c.blocking,
        "note": c.note,
        "path": c.path,
        "location": c.location,
    }


def gate_document(result: GateResult, flag: Callable[[str], str] = option_text) -> dict[str, Any]:
    """The JSON document (``modelcard-gate/1``): stable keys for CI."""
    return {
        "format": GATE_FORMAT,
        "file": result.file,
        "model": {"name": result.model_name, "version": result.model_version},
        "passed": result.passed,
        "status": "pass" if result.passed else "fail",
        "reason": reason_text(result, flag),
        "counts": result.counts,
        "blocking": len(result.blocking),
        "total": len(result.checks),
        "options": {
            "allow_inconclusive": result.allow_inconclusive,
            "allow_not_run": result.allow_not_run,
            "allow_empty": result.allow_empty,
            "ci_must_clear": result.ci_must_clear,
        },
        "family": result.family,
        "checks": [check_document(c) for c in result.checks],
    }


#: "missing" (a required metric the card lacks) sorts between fail and inconclusive; the rest by Verdict.severity
_MISSING_SEVERITY = 2.5


def _severity(verdict: str) -> float:
    return _MISSING_SEVERITY if verdict == "missing" else Verdict(verdict).severity


def _icon(verdict: str) -> str:
    return Verdict.FAIL.icon if verdict == "missing" else Verdict(verdict).icon


def _sorted(checks: Sequence[GateCheck]) -> list[GateCheck]:
    return sorted(checks, key=lambda c: (not c.blocking, -_severity(c.verdict)))


def check_text(c: GateCheck) -> str:
    """``fairness fpr``, ``spread fpr``, ``requirement accuracy``."""
    return f"{c.kind} {c.metric}"


def threshold_text(c: GateCheck) -> str:
    """The bar of a check: ``difference in [-0.1, +0.1]``, ``>= 0.65``; ``""`` without one."""
    lo, hi, conv = c.threshold_min, c.threshold_max, c.convention
    what = conv if conv and conv != "value" else ""
    if lo is None and hi is None:
        return ""
    signed = conv == "difference"
    if lo is not None and hi is not None:
        rng = f"in [{compact(lo, signed=signed)}, {compact(hi, signed=signed)}]"
    elif lo is not None:
        rng = f">= {compact(lo, signed=signed)}"
    else:
        rng = f"<= {compact(hi, signed=signed)}"
    return f"{what} {rng}".strip()


def value_text(c: GateCheck) -> str:
    """The value of a check with its interval: ``+0.05 [+0.01, +0.09]``."""
    signed = c.convention == "difference"
    text = compact(c.value, signed=signed)
    if c.ci is not None:
        text += " " + compact_interval(*c.ci, signed=signed)
    return text


def _verdict_text(c: GateCheck) -> str:
    text = c.verdict.replace("_", " ").upper()
    if c.verdict != "pass" and not c.blocking:
        text += " (allowed)"
    return text


def _level(result: GateResult) -> str:
    levels = {c.ci_level for c in result.checks if c.ci is not None and c.ci_level}
    return f"{round(levels.pop() * 100):g}% CI" if len(levels) == 1 else "CI"


def _has_fairness(result: GateResult) -> bool:
    return any(c.kind != "requirement" for c in result.checks) or result.verdicts.stated_family_size is not None


@reporter("gate", "text")
def format_text(result: GateResult, flag: Callable[[str], str] = option_text) -> str:
    headers = ["CHECK", "GROUP", f"VALUE [{_level(result)}]", "THRESHOLD", "VERDICT", "NOTE"]
    rows = [
        [check_text(c), check_label(c), value_text(c), threshold_text(c), _verdict_text(c), c.note]
        for c in _sorted(result.checks)
    ]
    lines = [f"{result.file}: gate for {result.model_name} {result.model_version}"]
    if rows:
        lines.append(text_table(headers, rows, indent="  "))
    if _has_fairness(result):
        lines.append(f"family: {result.verdicts.family_text()}")
    blocking = [c for c in _sorted(result.checks) if c.blocking]
    if blocking:
        lines.append("blocking:")
        lines += [
            f"  {c.location or result.file}: {check_text(c)} {check_label(c)}: {c.verdict.replace('_', ' ')}"
            for c in blocking
        ]
    lines.append(f"gate {'PASSED' if result.passed else 'FAILED'}: {reason_text(result, flag)}")
    return neutralise("\n".join(lines), terminal=True)  # card values never drive the terminal


@reporter("gate", "json")
def format_json(result: GateResult, flag: Callable[[str], str] = option_text) -> str:
    return json.dumps(gate_document(result, flag), indent=2, ensure_ascii=False)


@reporter("gate", "markdown")
def format_markdown(result: GateResult, flag: Callable[[str], str] = option_text) -> str:
    icon = (Verdict.PASS if result.passed else Verdict.FAIL).icon
    title = (
        f"### {icon} modelcard gate {'passed' if result.passed else 'failed'}: "
        f"{md_text(result.model_name)} {md_text(result.model_version)}"
    )
    lines = [title, "", md_text(reason_text(result, flag)), ""]
    if result.checks:
        headers = ["", "check", "group", f"value [{_level(result)}]", "threshold", "verdict", "note"]
        rows = [
            [
                _icon(c.verdict),
                check_text(c),
                check_label(c),
                value_text(c),
                threshold_text(c),
                _verdict_text(c).lower(),
                c.note,
            ]
            for c in _sorted(result.checks)
        ]
        lines.append(markdown_table(headers, rows))
        lines.append("")
    if _has_fairness(result):
        lines += [f"**Family:** {md_text(result.verdicts.family_text())}", ""]
    lines.append(f"<sub>{md_text(result.file)} · generated by modelcard gate</sub>")
    return "\n".join(lines) + "\n"
