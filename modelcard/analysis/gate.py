"""Release gate: does a card's evidence clear its bars?

The Python API behind ``modelcard gate``::

    from modelcard.analysis.gate import gate_file, parse_requirement

    result = gate_file("card.yaml", overlays=["eval.yaml"],
                       requirements=[parse_requirement("accuracy>=0.65")])
    print(result.passed, result.counts)

    from modelcard.report import report
    print(report("gate", result, "markdown"))   # or "text", "json"

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

Every verdict comes from THE rule, :mod:`modelcard.schema.verdicts`: a
fairness result or spread by the card's ``test_methodology.verdict_basis``
(``interval`` by default: pass when the whole confidence interval lies inside
the band, fail when wholly outside, inconclusive otherwise or without an
interval) and ``fairness.adjustment``; a requirement by its own ``basis``,
which names the same rule's two bases: ``confidence_interval`` is the interval
basis (a two-sided bar narrower than the interval is inconclusive, not judged
by the estimate), ``estimate`` (the default) the point basis, with a note when
the interval alone would not settle it.  The output states the family: how
many fairness results and spreads were judged, and the adjustment.

Verdicts are ``pass``, ``fail``, ``inconclusive`` (the confidence interval
overlaps the bar or band, or there is none, or the value is undefined),
``not_run`` and ``missing`` (a requirement names a metric the card does not
report).  The gate passes when
no check blocks: ``fail`` and ``missing`` always block; ``inconclusive`` and
``not_run`` block unless explicitly allowed.  A card with nothing to check
fails too (``allow_empty`` to accept it): an empty gate proves nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from modelcard.diagnostics import UsageError
from modelcard.io.source import Document, format_path
from modelcard.schema.models import ModelCard, PerformanceRequirement
from modelcard.schema.types import group_key
from modelcard.schema.verdicts import (
    REQUIREMENT_BASES,
    CardVerdicts,
    Verdict,
    decisive_disparity,
    judge_card,
    judge_detail,
    shown_disparity,
)

VERDICTS = ("fail", "missing", "inconclusive", "not_run", "pass")


@dataclass
class GateCheck:
    """One line of the gate: a fairness result, a spread or a requirement on one metric.

    What it is about is data (``group``/``reference_group``, ``attributes`` and the spread's
    groups, ``slice``, ``dataset``, ``split``); :func:`modelcard.report.gate.check_label` names it.
    """

    kind: str  # "fairness" | "spread" | "requirement"
    metric: str
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
    #: requirements: the bar applies to every slice (``accuracy[*]>=0.6``)
    all_slices: bool = False
    #: spreads: the attributes spread over, and the groups at its two ends
    attributes: list[str] | None = None
    max_group: dict[str, str] | None = None
    min_group: dict[str, str] | None = None
    dataset: str | None = None
    split: str | None = None
    basis: str | None = None  # requirements: estimate | confidence_interval
    source: str = ""  # requirements: where the bar comes from ("test_methodology.requirements[0]", "--require ...")
    note: str = ""
    path: str = ""  # where it is in the card, e.g. "fairness.results[3]"
    location: str = ""  # FILE:LINE:COL, or "--require ..." for command-line requirements
    blocking: bool = False


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
    #: how the card's fairness verdicts are decided: basis, family and adjustment (issue 11 §4)
    verdicts: CardVerdicts = field(default_factory=CardVerdicts)

    @property
    def family(self) -> dict[str, Any]:
        """The family of fairness verdicts: how many were judged, the card's basis and adjustment."""
        v = self.verdicts
        return {
            "size": v.family_size,
            "stated_size": v.stated_family_size,
            "basis": v.basis,
            "adjustment": v.adjustment,
            "level": v.level,
            "min_level": v.min_level,
            "text": v.family_text(),
        }

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
    def outcome(self) -> str:
        """One sentence, without advice: what the gate decided, on how many checks (cards show it)."""
        if self.empty:
            return (
                "nothing to gate: the card has no fairness results, no spreads with a verdict and "
                "no performance requirements" + (" (allowed)" if self.allow_empty else "")
            )
        counts = self.counts
        text = ", ".join(f"{counts[v]} {v.replace('_', ' ')}" for v in VERDICTS if counts[v])
        if self.passed:
            return f"all {len(self.checks)} checks cleared ({text})"
        return f"{len(self.blocking)} of {len(self.checks)} checks block the release: {text}"

    def rule_text(self) -> str:
        """The release rule in words, under this gate's options: what is checked, and what blocks."""
        tolerable = (("an inconclusive result", self.allow_inconclusive), ("a result not run", self.allow_not_run))
        blocking = ["a fail", "a requirement whose metric the card does not report"]
        blocking += [name for name, allowed in tolerable if not allowed]
        accepted = [name for name, allowed in tolerable if allowed]
        basis = (
            "its whole confidence interval"
            if self.ci_must_clear
            else "its point estimate unless it names its confidence interval"
        )
        text = (
            "The release is cleared when no check blocks. Checked: every fairness result (by its verdict), every "
            f"spread with a verdict or a threshold, and every release requirement (on {basis}). "
            f"Blocking: {', '.join(blocking[:-1])} and {blocking[-1]}."
        )
        if accepted:
            text += f" Accepted: {' and '.join(accepted)}."
        text += " A card with nothing to check is " + ("accepted." if self.allow_empty else "not cleared.")
        return text

    @property
    def waivers(self) -> list[str]:
        """The options that would accept what blocks: ``allow_empty``, ``allow_inconclusive``, ``allow_not_run``.

        :func:`modelcard.report.gate.reason_text` turns them into advice (the CLI names their flags).
        """
        if self.empty:
            return [] if self.allow_empty else ["allow_empty"]
        blocking = {c.verdict for c in self.blocking}
        return [option for verdict, option in _WAIVERS if verdict in blocking]


#: (verdict, the option that accepts it)
_WAIVERS = (("inconclusive", "allow_inconclusive"), ("not_run", "allow_not_run"))


# --------------------------------------------------------------------------
# requirements from the command line

_REQUIRE = re.compile(
    r"""^\s*(?P<metric>[^\[\]@<>=\s]+)\s*
        (?:\[(?P<slice>[^\]]*)\])?\s*
        (?:@(?P<dataset>[^<>=\s/]+)(?:/(?P<split>[^<>=\s]+))?)?\s*
        (?P<op><=|>=|=<|=>|<|>|==|=)\s*(?P<bar>\S+)\s*$""",
    re.VERBOSE,
)

#: the API parameter requirement expressions come in (the CLI shows it as ``--require``)
OPTION = "requirements"

REQUIRE_SYNTAX = (
    "METRIC[SLICE][@DATASET[/SPLIT]]>=NUMBER or <=NUMBER, e.g. 'accuracy>=0.65', "
    "'fpr<=0.35', 'accuracy[race=Caucasian]>=0.6', 'accuracy[*]>=0.6' (every slice), "
    "'accuracy@compas-test>=0.65'"
)


def parse_requirement(expr: str) -> PerformanceRequirement:
    """Parse a requirement expression (``accuracy>=0.65``) into a :class:`PerformanceRequirement`.

    A bad expression raises :class:`UsageError` with ``option="requirements"``
    (the CLI shows it as ``--require``).

    Example:
        >>> parse_requirement("accuracy[sex=female]>=0.8").model_dump(exclude_none=True)
        {'metric': 'accuracy', 'min': 0.8, 'slice': {'sex': 'female'}}
    """
    m = _REQUIRE.match(expr)
    if m is None:
        raise UsageError(f"'{expr}': cannot read it; expected {REQUIRE_SYNTAX}", option=OPTION)
    op = m.group("op")
    if op not in (">=", "<="):
        better = {"=>": ">=", "=<": "<=", ">": ">=", "<": "<="}.get(op)
        suggestion = f"; write '{better}' (bounds are inclusive)" if better else "; use >= or <="
        raise UsageError(f"'{expr}': operator '{op}' is not supported{suggestion}", option=OPTION)
    try:
        bar = float(m.group("bar"))
    except ValueError:
        raise UsageError(f"'{expr}': '{m.group('bar')}' is not a number", option=OPTION) from None
    if bar != bar or bar in (float("inf"), float("-inf")):
        raise UsageError(f"'{expr}': the bar must be a finite number", option=OPTION)
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
                        f"'{expr}': slice '[{raw_slice}]' must be attribute=value pairs "
                        "separated by commas, or '*' for every slice",
                        option=OPTION,
                    )
                pairs[attr.strip()] = value.strip()
            kw["slice"] = pairs
    return PerformanceRequirement(**{k: v for k, v in kw.items() if v is not None})


# --------------------------------------------------------------------------
# building the checks


def _ci(est: Any, default_level: float | None = None) -> tuple[tuple[float, float] | None, float | None]:
    """(bounds, level) of an estimate's interval; an interval that states no level has the card's."""
    ci = getattr(est, "confidence_interval", None)
    if ci is None:
        return None, None
    return (ci.lower, ci.upper), (ci.level if ci.level is not None else default_level)


def _where(doc: Document | None, path: tuple[str | int, ...]) -> str:
    if doc is None:
        return ""
    pos = doc.pos(path)
    return str(pos) if pos is not None else doc.source


def _banded(item: Any, doc: Document | None, path: tuple[str | int, ...]) -> dict[str, Any]:
    """What a fairness result's or a spread's check takes from the card item: its band, dataset and place."""
    band = item.threshold
    return {
        "threshold_min": band.min if band else None,
        "threshold_max": band.max if band else None,
        "dataset": item.dataset,
        "path": format_path(path),
        "location": _where(doc, path),
    }


def _fairness_checks(card: ModelCard, doc: Document | None, judged: CardVerdicts) -> Iterable[GateCheck]:
    """One check per fairness result, and per spread with a verdict or a threshold.

    A stated verdict is what validate's consistency check has already held to
    the rule, so it stands; a ``not_run`` result whose threshold has the
    disparity it applies to, and a spread with a threshold but no verdict, are
    judged here by the same rule (:func:`modelcard.schema.verdicts.judge_card`,
    the card's basis and adjustment included): the evaluation did run.
    """
    fairness = card.fairness
    if fairness is None:
        return
    for i, r in enumerate(fairness.results or []):
        path = ("fairness", "results", i)
        conv, d = decisive_disparity(r)
        if d is not None:
            value, (ci, level) = d.value, _ci(d, judged.level)
        else:
            conv = "value"
            value, (ci, level) = r.value, _ci(r, judged.level)
        note, verdict = "", str(r.verdict)
        member = judged.member(path)
        if verdict == Verdict.NOT_RUN and member is not None and member.estimate is not None:
            # e.g. a hand-written threshold with fresh numbers from a fragment that had no threshold:
            # the evaluation did run, so judge it instead of letting --allow-not-run wave it through
            verdict, note = (
                str(member.verdict),
                f"card says not_run; verdict computed from its threshold: {member.judgement.reason}",
            )
        elif value is None:
            note = (d.undefined_reason if d is not None else r.undefined_reason) or ""
        elif r.threshold is None:
            note = "no threshold in the card; verdict as recorded"
        if r.small_sample:
            note = "; ".join(filter(None, [note, "small sample"]))
        yield GateCheck(
            kind="fairness",
            metric=r.metric,
            verdict=verdict,
            value=value,
            ci=ci,
            ci_level=level,
            convention=conv,
            group=dict(r.group),
            reference_group=dict(r.reference_group) if r.reference_group else None,
            split=r.split,
            note=note,
            **_banded(r, doc, path),
        )
    for i, s in enumerate(fairness.spreads or []):
        path = ("fairness", "spreads", i)
        note = ""
        if s.verdict is not None:
            verdict = str(s.verdict)
        else:
            member = judged.member(path)
            if member is None:
                continue  # no threshold: informational only, nothing to gate
            verdict, note = str(member.verdict), f"verdict computed from the threshold: {member.judgement.reason}"
        conv, d = shown_disparity(s)
        ci, level = _ci(d, judged.level) if d is not None else (None, None)
        yield GateCheck(
            kind="spread",
            metric=s.metric,
            verdict=verdict,
            value=d.value if d else None,
            ci=ci,
            ci_level=level,
            convention=conv,
            attributes=list(s.attributes),
            max_group=dict(s.max_group) if s.max_group and s.min_group else None,
            min_group=dict(s.min_group) if s.max_group and s.min_group else None,
            note=note,
            **_banded(s, doc, path),
        )


def _same_group(a: dict[str, str] | None, b: dict[str, str] | None) -> bool:
    return group_key(a) == group_key(b)


def _judge(
    req: PerformanceRequirement, value: float | None, ci: tuple[float, float] | None, basis: str
) -> tuple[str, str]:
    """A requirement's verdict by THE rule (:mod:`modelcard.schema.verdicts`), the bar being the band.

    ``basis: confidence_interval`` is the rule's interval basis (pass when the
    whole interval clears the bar, fail when the whole interval misses it,
    inconclusive otherwise — an interval wider than a two-sided bar included —
    and without an interval); ``basis: estimate`` (the default for requirements)
    is its point basis, with a note when the interval alone would not settle it.
    """
    j = judge_detail(value, ci, req.min, req.max, basis=REQUIREMENT_BASES[basis])
    if j.verdict is Verdict.INCONCLUSIVE:
        return str(j.verdict), "" if value is None else _bar(j.reason)
    if basis == "estimate" and ci is not None:
        by_interval = judge_detail(value, ci, req.min, req.max)
        if by_interval.verdict is Verdict.INCONCLUSIVE:
            return str(j.verdict), _bar(by_interval.reason)
    return str(j.verdict), ""


def _bar(reason: str) -> str:
    """A verdict reason in a requirement's words: the band is the bar; "no confidence interval" kept."""
    return reason.replace("the band", "the bar")


def _requirement_checks(
    card: ModelCard,
    doc: Document | None,
    requirements: Sequence[tuple[PerformanceRequirement, str, str]],
    ci_must_clear: bool,
    default_level: float | None = None,
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
            ci, level = _ci(m, default_level)
            verdict, note = _judge(req, m.value, ci, basis)
            if m.value is None:
                note = m.undefined_reason or "value undefined"
            yield GateCheck(
                kind="requirement",
                metric=req.metric,
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
            yield GateCheck(
                kind="requirement",
                metric=req.metric,
                verdict="missing",
                convention="value",
                threshold_min=req.min,
                threshold_max=req.max,
                slice=dict(req.slice) if req.slice else None,
                all_slices=bool(req.all_slices),
                dataset=req.dataset,
                split=req.split,
                basis=basis,
                note=f"the card reports no '{req.metric}' metric there",
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
    requirement_label: str = "requirement",
) -> GateResult:
    """Gate a validated card.  ``doc`` (the loaded document) adds FILE:LINE:COL to each check.

    ``requirements`` are given in addition to the card's own; each check they
    make says where it came from as ``requirement_label`` and the expression
    (``requirement accuracy>=0.65``; the CLI passes ``--require``).
    """
    reqs: list[tuple[PerformanceRequirement, str, str]] = []
    tm = card.test_methodology
    for i, req in enumerate(tm.requirements or [] if tm else []):
        path = ("test_methodology", "requirements", i)
        reqs.append((req, format_path(path), _where(doc, path)))
    for given in requirements:
        text = given if isinstance(given, str) else None
        parsed = parse_requirement(given) if isinstance(given, str) else given
        reqs.append((parsed, "", f"{requirement_label} {text}" if text else requirement_label))
    judged = judge_card(card)
    checks = list(_fairness_checks(card, doc, judged)) + list(
        _requirement_checks(card, doc, reqs, ci_must_clear, judged.level)
    )
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
        verdicts=judged,
    )


def gate_file(
    path: str | os.PathLike[str],
    *,
    overlays: Sequence[str | os.PathLike[str]] = (),
    sets: Sequence[str] = (),
    **options: Any,
) -> GateResult:
    """Load (with ``overlays`` and ``sets``), validate and gate a card (options as :func:`gate_card`).

    Raises CardError (exit 1) when the card is invalid and UsageError/UnreadableError (exit 2)
    when it cannot be read.
    """
    from modelcard.card.validate import load_validated

    requirements = list(options.pop("requirements", ()))
    for r in requirements:  # a bad requirement is a usage error: report it before reading the card
        if isinstance(r, str):
            parse_requirement(r)
    card, doc, _ = load_validated(path, overlays, sets)
    return gate_card(card, doc, requirements=requirements, file=str(path), **options)
