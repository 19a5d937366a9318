"""Release gate: does a card's evidence clear its bars?

The Python API behind ``modelcard gate``::

    from modelcard.analysis.gate import gate_file, parse_requirement

    result = gate_file("card.yaml", overlays=["eval.yaml"],
                       requirements=[parse_requirement("accuracy>=0.65")])
    print(result.passed, result.counts)
    print(format_text(result))

What is checked

* every ``fairness.results[]`` entry, by its ``verdict`` (a ``not_run`` result
  that has a threshold and the disparity it applies to is judged from the
  numbers instead: the evaluation did run);
* every ``fairness.spreads[]`` entry with a verdict (or with a threshold, from
  which the verdict is computed);
* every performance requirement: ``test_methodology.requirements[]`` declared
  in the card plus ``--require`` expressions (``accuracy>=0.65``,
  ``fpr<=0.35``, ``accuracy[race=Caucasian]>=0.6``, ``accuracy[*]>=0.6`` for
  every slice, ``accuracy@compas-test>=0.65`` for one dataset).

Verdicts are ``pass``, ``fail``, ``inconclusive`` (the confidence interval
straddles the bar, or the value is undefined), ``not_run`` and ``missing`` (a
requirement names a metric the card does not report).  The gate passes when
no check blocks: ``fail`` and ``missing`` always block; ``inconclusive`` and
``not_run`` block unless explicitly allowed.  A card with nothing to check
fails too (``allow_empty`` to accept it): an empty gate proves nothing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from modelcard.diagnostics import CardError, UsageError
from modelcard.io.source import Document, format_path
from modelcard.report.tables import group as fmt_group
from modelcard.report.tables import interval, markdown_table, md_escape, num, text_table
from modelcard.safe_text import neutralise
from modelcard.schema.models import ModelCard, PerformanceRequirement

VERDICTS = ("fail", "missing", "inconclusive", "not_run", "pass")
GATE_FORMAT = "modelcard-gate/1"


@dataclass
class GateCheck:
    """One line of the gate: a fairness result, a spread or a requirement on one metric."""

    kind: str  # "fairness" | "spread" | "requirement"
    metric: str
    label: str  # human-readable group / slice, e.g. "race=African-American vs race=Caucasian"
    verdict: str
    value: float | None = None
    ci: tuple[float, float] | None = None
    ci_level: float | None = None
    convention: str | None = None  # difference | ratio | value
    threshold_min: float | None = None
    threshold_max: float | None = None
    group: dict[str, str] | None = None
    reference_group: dict[str, str] | None = None
    slice: dict[str, str] | None = None
    dataset: str | None = None
    split: str | None = None
    basis: str | None = None  # requirements: estimate | confidence_interval
    source: str = ""  # requirements: where the bar comes from ("test_methodology.requirements[0]", "--require ...")
    note: str = ""
    path: str = ""  # where it is in the card, e.g. "fairness.results[3]"
    location: str = ""  # FILE:LINE:COL, or "--require ..." for command-line requirements
    blocking: bool = False

    @property
    def threshold_text(self) -> str:
        lo, hi, conv = self.threshold_min, self.threshold_max, self.convention
        what = conv if conv and conv != "value" else ""
        if lo is None and hi is None:
            return ""
        signed = conv == "difference"
        if lo is not None and hi is not None:
            rng = f"in [{num(lo, signed=signed)}, {num(hi, signed=signed)}]"
        elif lo is not None:
            rng = f">= {num(lo, signed=signed)}"
        else:
            rng = f"<= {num(hi, signed=signed)}"
        return f"{what} {rng}".strip()

    @property
    def value_text(self) -> str:
        signed = self.convention == "difference"
        text = num(self.value, signed=signed)
        if self.ci is not None:
            text += " " + interval(*self.ci, signed=signed)
        return text

    @property
    def check_text(self) -> str:
        if self.kind == "requirement":
            return f"requirement {self.metric}"
        return f"{self.kind} {self.metric}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "metric": self.metric,
            "label": self.label,
            "group": self.group,
            "reference_group": self.reference_group,
            "slice": self.slice,
            "dataset": self.dataset,
            "split": self.split,
            "convention": self.convention,
            "value": self.value,
            "confidence_interval": None
            if self.ci is None
            else {"lower": self.ci[0], "upper": self.ci[1], "level": self.ci_level},
            "threshold": None
            if self.threshold_min is None and self.threshold_max is None
            else {"min": self.threshold_min, "max": self.threshold_max},
            "basis": self.basis,
            "source": self.source or None,
            "verdict": self.verdict,
            "blocking": self.blocking,
            "note": self.note,
            "path": self.path,
            "location": self.location,
        }


@dataclass
class GateResult:
    """The outcome of gating one card."""

    file: str
    model_name: str
    model_version: str
    checks: list[GateCheck] = field(default_factory=list)
    allow_inconclusive: bool = False
    allow_not_run: bool = False
    allow_empty: bool = False
    ci_must_clear: bool = False

    @property
    def blocking(self) -> list[GateCheck]:
        return [c for c in self.checks if c.blocking]

    @property
    def empty(self) -> bool:
        return not self.checks

    @property
    def passed(self) -> bool:
        return not self.blocking and (not self.empty or self.allow_empty)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(VERDICTS, 0)
        for c in self.checks:
            out[c.verdict] += 1
        return out

    @property
    def reason(self) -> str:
        """One sentence: why the gate passed or failed."""
        if self.empty:
            return (
                "nothing to gate: the card has no fairness results, no spreads with a verdict and "
                "no performance requirements"
                + (" (allowed)" if self.allow_empty else "; pass --allow-empty to accept that")
            )
        counts = self.counts
        parts = [f"{counts[v]} {v.replace('_', ' ')}" for v in VERDICTS if counts[v]]
        text = ", ".join(parts)
        if self.passed:
            return f"all {len(self.checks)} checks cleared ({text})"
        hints = []
        if any(c.verdict == "inconclusive" and c.blocking for c in self.checks):
            hints.append("--allow-inconclusive accepts inconclusive results")
        if any(c.verdict == "not_run" and c.blocking for c in self.checks):
            hints.append("--allow-not-run accepts results that were not run")
        hint = f" ({'; '.join(hints)})" if hints else ""
        return f"{len(self.blocking)} of {len(self.checks)} checks block the release: {text}{hint}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": GATE_FORMAT,
            "file": self.file,
            "model": {"name": self.model_name, "version": self.model_version},
            "passed": self.passed,
            "status": "pass" if self.passed else "fail",
            "reason": self.reason,
            "counts": self.counts,
            "blocking": len(self.blocking),
            "total": len(self.checks),
            "options": {
                "allow_inconclusive": self.allow_inconclusive,
                "allow_not_run": self.allow_not_run,
                "allow_empty": self.allow_empty,
                "ci_must_clear": self.ci_must_clear,
            },
            "checks": [c.to_dict() for c in self.checks],
        }


# --------------------------------------------------------------------------
# requirements from the command line

_REQUIRE = re.compile(
    r"""^\s*(?P<metric>[^\[\]@<>=\s]+)\s*
        (?:\[(?P<slice>[^\]]*)\])?\s*
        (?:@(?P<dataset>[^<>=\s/]+)(?:/(?P<split>[^<>=\s]+))?)?\s*
        (?P<op><=|>=|=<|=>|<|>|==|=)\s*(?P<bar>\S+)\s*$""",
    re.VERBOSE,
)

REQUIRE_SYNTAX = (
    "METRIC[SLICE][@DATASET[/SPLIT]]>=NUMBER or <=NUMBER, e.g. 'accuracy>=0.65', "
    "'fpr<=0.35', 'accuracy[race=Caucasian]>=0.6', 'accuracy[*]>=0.6' (every slice), "
    "'accuracy@compas-test>=0.65'"
)


def parse_requirement(expr: str) -> PerformanceRequirement:
    """Parse a ``--require`` expression into a :class:`PerformanceRequirement`."""
    m = _REQUIRE.match(expr)
    if m is None:
        raise UsageError(f"--require '{expr}': cannot read it; expected {REQUIRE_SYNTAX}")
    op = m.group("op")
    if op not in (">=", "<="):
        better = {"=>": ">=", "=<": "<=", ">": ">=", "<": "<="}.get(op)
        suggestion = f"; write '{better}' (bounds are inclusive)" if better else "; use >= or <="
        raise UsageError(f"--require '{expr}': operator '{op}' is not supported{suggestion}")
    try:
        bar = float(m.group("bar"))
    except ValueError:
        raise UsageError(f"--require '{expr}': '{m.group('bar')}' is not a number") from None
    if bar != bar or bar in (float("inf"), float("-inf")):
        raise UsageError(f"--require '{expr}': the bar must be a finite number")
    kw: dict[str, Any] = {"metric": m.group("metric"), "dataset": m.group("dataset"), "split": m.group("split")}
    kw["min" if op == ">=" else "max"] = bar
    raw_slice = m.group("slice")
    if raw_slice is not None:
        raw_slice = raw_slice.strip()
        if raw_slice == "*":
            kw["all_slices"] = True
        else:
            pairs = {}
            for part in raw_slice.split(","):
                attr, eq, value = part.partition("=")
                if not eq or not attr.strip() or not value.strip():
                    raise UsageError(
                        f"--require '{expr}': slice '[{raw_slice}]' must be attribute=value pairs "
                        "separated by commas, or '*' for every slice"
                    )
                pairs[attr.strip()] = value.strip()
            kw["slice"] = pairs
    return PerformanceRequirement(**{k: v for k, v in kw.items() if v is not None})


# --------------------------------------------------------------------------
# building the checks


def _ci(est: Any) -> tuple[tuple[float, float] | None, float | None]:
    ci = getattr(est, "confidence_interval", None)
    if ci is None:
        return None, None
    return (ci.lower, ci.upper), ci.level


def _where(doc: Document | None, path: tuple) -> str:
    if doc is None:
        return ""
    pos = doc.pos(path)
    return str(pos) if pos is not None else doc.source


def _fairness_checks(card: ModelCard, doc: Document | None) -> Iterable[GateCheck]:
    from modelcard.card.checks import expected_verdict

    fairness = card.fairness
    if fairness is None:
        return
    for i, r in enumerate(fairness.results or []):
        conv = (
            r.threshold.convention
            if r.threshold
            else (
                "difference"
                if r.disparity and r.disparity.difference
                else "ratio"
                if r.disparity and r.disparity.ratio
                else None
            )
        )
        d = r.disparity.get(conv) if (r.disparity and conv) else None
        if d is not None:
            value, (ci, level) = d.value, _ci(d)
        else:
            conv = "value"
            value, (ci, level) = r.value, _ci(r)
        label = fmt_group(r.group)
        if r.reference_group:
            label += f" vs {fmt_group(r.reference_group)}"
        note, verdict = "", r.verdict
        implied = expected_verdict(r.disparity, r.threshold)
        if verdict == "not_run" and implied is not None:
            # e.g. a hand-written threshold with fresh numbers from a fragment that had no threshold:
            # the evaluation did run, so judge it instead of letting --allow-not-run wave it through
            verdict, note = implied, "card says not_run; verdict computed from its threshold"
        elif value is None:
            note = (d.undefined_reason if d is not None else r.undefined_reason) or ""
        elif r.threshold is None:
            note = "no threshold in the card; verdict as recorded"
        if r.small_sample:
            note = "; ".join(filter(None, [note, "small sample"]))
        path = ("fairness", "results", i)
        yield GateCheck(
            kind="fairness",
            metric=r.metric,
            label=label,
            verdict=verdict,
            value=value,
            ci=ci,
            ci_level=level,
            convention=conv,
            threshold_min=r.threshold.min if r.threshold else None,
            threshold_max=r.threshold.max if r.threshold else None,
            group=dict(r.group),
            reference_group=dict(r.reference_group) if r.reference_group else None,
            dataset=r.dataset,
            split=r.split,
            note=note,
            path=format_path(path),
            location=_where(doc, path),
        )
    for i, s in enumerate(fairness.spreads or []):
        verdict, note = s.verdict, ""
        if verdict is None:
            if s.threshold is None:
                continue  # informational only: nothing to gate
            verdict = expected_verdict(s, s.threshold) or "not_run"
            note = "verdict computed from the threshold"
        conv = s.threshold.convention if s.threshold else ("difference" if s.difference else "ratio")
        d = getattr(s, conv, None)
        ci, level = _ci(d) if d is not None else (None, None)
        label = f"spread over {', '.join(s.attributes)}"
        if s.max_group and s.min_group:
            label += f" ({fmt_group(s.max_group)} vs {fmt_group(s.min_group)})"
        path = ("fairness", "spreads", i)
        yield GateCheck(
            kind="spread",
            metric=s.metric,
            label=label,
            verdict=verdict,
            value=d.value if d else None,
            ci=ci,
            ci_level=level,
            convention=conv,
            threshold_min=s.threshold.min if s.threshold else None,
            threshold_max=s.threshold.max if s.threshold else None,
            dataset=s.dataset,
            note=note,
            path=format_path(path),
            location=_where(doc, path),
        )


def _same_group(a: dict | None, b: dict | None) -> bool:
    return {k: str(v) for k, v in (a or {}).items()} == {k: str(v) for k, v in (b or {}).items()}


def _judge(
    req: PerformanceRequirement, value: float | None, ci: tuple[float, float] | None, basis: str
) -> tuple[str, str]:
    def inside(x: float) -> bool:
        return (req.min is None or x >= req.min) and (req.max is None or x <= req.max)

    if value is None:
        return "inconclusive", ""
    straddles = ci is not None and inside(ci[0]) != inside(ci[1])
    if basis == "confidence_interval":
        if ci is None:
            return "inconclusive", "no confidence interval to judge"
        if straddles:
            return "inconclusive", "confidence interval straddles the bar"
        return ("pass" if inside(value) else "fail"), ""
    note = "confidence interval straddles the bar" if straddles else ""
    return ("pass" if inside(value) else "fail"), note


def _requirement_checks(
    card: ModelCard,
    doc: Document | None,
    requirements: Sequence[tuple[PerformanceRequirement, str, str]],
    ci_must_clear: bool,
) -> Iterable[GateCheck]:
    for req, path_text, location in requirements:
        source = path_text or location
        basis = "confidence_interval" if ci_must_clear else (req.basis or "estimate")
        matched = False
        for i, m in enumerate(card.metrics or []):
            if m.name != req.metric:
                continue
            if not req.all_slices and not _same_group(m.slice, req.slice):
                continue
            if req.dataset is not None and m.dataset != req.dataset:
                continue
            if req.split is not None and m.split != req.split:
                continue
            matched = True
            ci, level = _ci(m)
            verdict, note = _judge(req, m.value, ci, basis)
            if m.value is None:
                note = m.undefined_reason or "value undefined"
            yield GateCheck(
                kind="requirement",
                metric=req.metric,
                label=fmt_group(m.slice),
                verdict=verdict,
                value=m.value,
                ci=ci,
                ci_level=level,
                convention="value",
                threshold_min=req.min,
                threshold_max=req.max,
                slice=dict(m.slice) if m.slice else None,
                dataset=m.dataset,
                split=m.split,
                basis=basis,
                note=note,
                path=f"metrics[{i}]",
                location=_where(doc, ("metrics", i)),
                source=source,
            )
        if not matched:
            scope = "every slice" if req.all_slices else fmt_group(req.slice)
            if req.dataset:
                scope += f" on {req.dataset}" + (f"/{req.split}" if req.split else "")
            elif req.split:
                scope += f" on split {req.split}"
            yield GateCheck(
                kind="requirement",
                metric=req.metric,
                label=scope,
                verdict="missing",
                convention="value",
                threshold_min=req.min,
                threshold_max=req.max,
                slice=dict(req.slice) if req.slice else None,
                dataset=req.dataset,
                split=req.split,
                basis=basis,
                note=f"the card reports no '{req.metric}' metric ({scope})",
                path=path_text,
                location=location,
                source=source,
            )


def gate_card(
    card: ModelCard,
    doc: Document | None = None,
    *,
    requirements: Sequence[PerformanceRequirement | str] = (),
    allow_inconclusive: bool = False,
    allow_not_run: bool = False,
    allow_empty: bool = False,
    ci_must_clear: bool = False,
    file: str | None = None,
) -> GateResult:
    """Gate a validated card.  ``doc`` (the loaded document) adds FILE:LINE:COL to each check."""
    reqs: list[tuple[PerformanceRequirement, str, str]] = []
    tm = card.test_methodology
    for i, req in enumerate(tm.requirements or [] if tm else []):
        path = ("test_methodology", "requirements", i)
        reqs.append((req, format_path(path), _where(doc, path)))
    for req in requirements:
        text = req if isinstance(req, str) else None
        parsed = parse_requirement(req) if isinstance(req, str) else req
        reqs.append((parsed, "", f"--require {text}" if text else "--require"))
    checks = list(_fairness_checks(card, doc)) + list(_requirement_checks(card, doc, reqs, ci_must_clear))
    for c in checks:
        c.blocking = (
            c.verdict in ("fail", "missing")
            or (c.verdict == "inconclusive" and not allow_inconclusive)
            or (c.verdict == "not_run" and not allow_not_run)
        )
    return GateResult(
        file=file or (doc.source if doc else "<card>"),
        model_name=card.model.name,
        model_version=card.model.version,
        checks=checks,
        allow_inconclusive=allow_inconclusive,
        allow_not_run=allow_not_run,
        allow_empty=allow_empty,
        ci_must_clear=ci_must_clear,
    )


def gate_file(
    path: str | os.PathLike, *, overlays: Sequence[str | os.PathLike] = (), sets: Sequence[str] = (), **options: Any
) -> GateResult:
    """Load (with overlays and ``--set`` values), validate and gate a card.

    Raises CardError (exit 1) when the card is invalid and UsageError/UnreadableError (exit 2)
    when it cannot be read.
    """
    from modelcard.card.validate import load_document, validate_document

    requirements = list(options.pop("requirements", ()))
    for r in requirements:  # a bad --require is a usage error: report it before reading the card
        if isinstance(r, str):
            parse_requirement(r)
    doc = load_document(path, overlays, sets)
    card, diagnostics = validate_document(doc)
    errors = [d for d in diagnostics if d.severity == "error"]
    if card is None or errors:
        raise CardError(errors or diagnostics)
    return gate_card(card, doc, requirements=requirements, file=str(path), **options)


# --------------------------------------------------------------------------
# output

_ORDER = {v: i for i, v in enumerate(VERDICTS)}
_ICON = {"pass": "✅", "fail": "❌", "missing": "❌", "inconclusive": "⚠️", "not_run": "⏸️"}


def _sorted(checks: Sequence[GateCheck]) -> list[GateCheck]:
    return sorted(checks, key=lambda c: (not c.blocking, _ORDER[c.verdict]))


def _verdict_text(c: GateCheck) -> str:
    text = c.verdict.replace("_", " ").upper()
    if c.verdict != "pass" and not c.blocking:
        text += " (allowed)"
    return text


def _level(result: GateResult) -> str:
    levels = {c.ci_level for c in result.checks if c.ci is not None and c.ci_level}
    return f"{round(levels.pop() * 100):g}% CI" if len(levels) == 1 else "CI"


def format_text(result: GateResult) -> str:
    headers = ["CHECK", "GROUP", f"VALUE [{_level(result)}]", "THRESHOLD", "VERDICT", "NOTE"]
    rows = [
        [c.check_text, c.label, c.value_text, c.threshold_text, _verdict_text(c), c.note]
        for c in _sorted(result.checks)
    ]
    lines = [f"{result.file}: gate for {result.model_name} {result.model_version}"]
    if rows:
        lines.append(text_table(headers, rows, indent="  "))
    blocking = [c for c in _sorted(result.checks) if c.blocking]
    if blocking:
        lines.append("blocking:")
        lines += [
            f"  {c.location or result.file}: {c.check_text} {c.label}: {c.verdict.replace('_', ' ')}" for c in blocking
        ]
    lines.append(f"gate {'PASSED' if result.passed else 'FAILED'}: {result.reason}")
    return neutralise("\n".join(lines), terminal=True)  # card values never drive the terminal


def format_json(result: GateResult) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def format_markdown(result: GateResult) -> str:
    icon = "✅" if result.passed else "❌"
    title = (
        f"### {icon} modelcard gate {'passed' if result.passed else 'failed'}: "
        f"{md_escape(result.model_name)} {md_escape(result.model_version)}"
    )
    lines = [title, "", md_escape(result.reason), ""]
    if result.checks:
        headers = ["", "check", "group", f"value [{_level(result)}]", "threshold", "verdict", "note"]
        rows = [
            [_ICON[c.verdict], c.check_text, c.label, c.value_text, c.threshold_text, _verdict_text(c).lower(), c.note]
            for c in _sorted(result.checks)
        ]
        lines.append(markdown_table(headers, rows))
        lines.append("")
    lines.append(f"<sub>{md_escape(result.file)} · generated by modelcard gate</sub>")
    return "\n".join(lines) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "markdown": format_markdown}
