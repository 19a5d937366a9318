"""The view model: what a card shows, decided once for every format.

:class:`CardView` derives everything the templates print from a validated
card: groupings (overall vs sliced metrics, fairness results by metric),
charts, verdict counts, completeness, and the page itself as format-neutral
**sections** of **blocks** (facts, tables, lists, prose, charts, groups) whose
values are **lines of parts** (text, inline Markdown, code, links, verdicts...).
The Markdown and HTML templates walk the same sections with their own macros
(``_macros.md.j2`` / ``_macros.html.j2``), and :mod:`modelcard.render.inline`
spells the parts; so both formats show the same facts in the same order, and a
decision (what is shown, in which order, with which label) has one home: here.

Blocks are :class:`~modelcard.render.sandbox.Record` values (plain, read-only)
and parts ``(kind, text, url)`` triples, ready for the template sandbox::

    section  {id, title, blocks}
    facts    {kind: "facts", layout: table|list|inline|notes, facts: ({label, lines, items, meter}, ...)}
    table    {kind: "table", columns: ({label, numeric, header, css}, ...), rows: ((cells, css), ...),
              footnotes, css}
    list     {kind: "list", items: (line, ...), ordered, empty, more, collapsed}
    prose    {kind: "prose", text}              code  {kind: "code", text}
    chart    {kind: "chart", chart_id, path, alt, caption}
    group    {kind: "group", title, subtitle, id, box, css, blocks}      columns {kind: "columns", blocks}
    part     (kind, text, url), kind one of text|md|code|link|strong|em|muted|note|verdict|flag

Every titled block has ``title`` (a line), ``level`` (its HTML heading level)
and ``heading`` (Markdown writes the title as a heading of that level rather
than as a bold line).  A cell or a fact value is a tuple of lines; ``items``
(``ul``/``ol``) makes the lines a list.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from modelcard.analysis.completeness import Completeness, assess
from modelcard.analysis.verdicts import Verdict, judge_card, shown_disparity
from modelcard.render import charts
from modelcard.render.sandbox import Record
from modelcard.report import fmt
from modelcard.schema.models import FairnessCriterion, FairnessResult, MetricResult, ModelCard, base_models

__all__ = [
    "COMPLETENESS_PROFILE",
    "SCORECARD_MAX_MISSING",
    "SCORECARD_MAX_RESULTS",
    "SCORECARD_MAX_USES",
    "SCORECARD_ROW_LIMITS",
    "CardView",
    "FairnessGroup",
    "completeness",
]

# --------------------------------------------------------------------------
# limits of the one-page scorecard, and the completeness profile cards show

#: rows of the scorecard's fairness table (the worst verdicts are kept)
SCORECARD_MAX_RESULTS = 16
#: the PDF scorecard is one page: rendered again with these row limits until it fits
SCORECARD_ROW_LIMITS = (SCORECARD_MAX_RESULTS, 10, 6, 3)
#: intended and out-of-scope uses listed on the scorecard (the rest: "and N more in the full card")
SCORECARD_MAX_USES = 5
#: items not covered that the scorecard names (the rest: "and N more")
SCORECARD_MAX_MISSING = 8
#: the documentation standard whose completeness cards and the batch index show
COMPLETENESS_PROFILE = "aboutml"
#: confidence level assumed when the card states none (or several)
DEFAULT_CI_LEVEL = 0.95
#: a definition's first clause becomes the chart subtitle when it is at most this long
CHART_TITLE_MAX = 40

#: a piece of a value: (kind, text, url); see :mod:`modelcard.render.inline` for the kinds
Part = tuple[str, str, str]
Line = tuple[Part, ...]
Lines = tuple[Line, ...]


def completeness(card: ModelCard) -> Completeness:
    """The card's completeness as cards show it (profile :data:`COMPLETENESS_PROFILE`)."""
    return assess(card, COMPLETENESS_PROFILE)


# --------------------------------------------------------------------------
# parts: the pieces a value is made of (see modelcard.render.inline for how each format writes them)


def text(value: object) -> Part:
    """Card data shown as plain text."""
    return ("text", str(value).strip(), "")


def lit(value: str) -> Part:
    """Words and punctuation of our own (``" · "``, ``": "``), kept as written."""
    return ("text", value, "")


def md(value: object) -> Part:
    """Free text that is Markdown (shown inline)."""
    return ("md", str(value).strip(), "")


def code(value: object) -> Part:
    return ("code", str(value).strip(), "")


def link(url: object, label: object = None) -> Part:
    """A link when ``url`` is a safe address (checked when written), else the label (or address) as text."""
    return ("link", "" if label is None else str(label).strip(), "" if url is None else str(url))


def strong(value: str) -> Part:
    return ("strong", value, "")


def em(value: str) -> Part:
    return ("em", value, "")


def muted(value: str) -> Part:
    """A quiet label (``Collected by:``) or aside."""
    return ("muted", value, "")


def note(value: str) -> Part:
    """A small quiet aside (an interval next to its value, ``(whole CI)``)."""
    return ("note", value, "")


def verdict(value: object) -> Part:
    """A verdict (``pass``...), shown with the Verdict's icon or badge."""
    return ("verdict", str(value if isinstance(value, Verdict) else Verdict(value)), "")


FLAG: Part = ("flag", "small sample", "")  #: the small-sample flag


def flag() -> Part:
    """The small-sample flag."""
    return FLAG


def line(*parts: Part | None) -> Line:
    return tuple(p for p in parts if p is not None)


def joined(parts: Iterable[Line], sep: str) -> Line:
    """Lines run together on one line, separated by ``sep``."""
    out: list[Part] = []
    for i, p in enumerate(parts):
        if i:
            out.append(lit(sep))
        out.extend(p)
    return tuple(out)


def labelled(label: str, *parts: Part) -> Line:
    """``Label: parts`` with the label muted, e.g. ``Collected by: the county``."""
    return (muted(label), lit(" "), *parts)


def _lines(*lines: Line | None) -> Lines:
    return tuple(x for x in lines if x)


def _title(title: str | Line) -> Line:
    if isinstance(title, str):
        return (lit(title),) if title else ()
    return title


# --------------------------------------------------------------------------
# blocks


def fact(label: str, *lines: Line | None, items: str = "", meter: Record | None = None) -> Record | None:
    """One labelled value; None (left out) when it has no line and no meter."""
    kept = _lines(*lines)
    if not kept and meter is None:
        return None
    return Record({"label": label, "lines": kept, "items": items, "meter": meter})


def facts(
    rows: Iterable[Record | None],
    layout: str = "table",
    *,
    title: str | Line = "",
    level: int = 3,
    heading: bool = False,
    css: str = "",
) -> Record | None:
    """Labelled values: ``table`` (Markdown table, HTML definition list), ``list`` (bullets / definition
    list), ``inline`` (bold-labelled paragraphs) or ``notes`` (bullets / small paragraphs)."""
    kept = tuple(r for r in rows if r is not None)
    if not kept:
        return None
    return Record(
        {
            "kind": "facts",
            "layout": layout,
            "facts": kept,
            "title": _title(title),
            "level": level,
            "heading": heading,
            "css": css,
        }
    )


def column(label: str, *, numeric: bool = False, header: bool = False, css: str = "") -> Record:
    """A table column; ``header``: its cells name their rows (HTML ``<th scope=row>``, bold in Markdown)."""
    return Record({"label": label, "numeric": numeric, "header": header, "css": css})


Row = tuple[tuple[Lines, ...], str]


def row(*cells: Lines | Line | None, css: str = "") -> Row:
    """A table row; each cell a tuple of lines, or a single line."""
    return tuple([(c,) if c and type(c[0][0]) is str else (c or ()) for c in cells]), css  # type: ignore[misc]


def table(
    columns: Sequence[Record | None],
    rows: Iterable[Row],
    *,
    title: str | Line = "",
    level: int = 3,
    heading: bool = False,
    css: str = "",
    footnotes: Sequence[str] = (),
) -> Record | None:
    """A table (None when it has no rows); columns given as None are left out, with their cells.

    Each row is ``(cells, css)``, its cells (column, lines) pairs, so templates read a cell's column
    without indexing.
    """
    keep = [(i, c) for i, c in enumerate(columns) if c is not None]
    body = tuple((tuple([(c, cells[i]) for i, c in keep]), css) for cells, css in rows)
    if not body:
        return None
    return Record(
        {
            "kind": "table",
            "columns": tuple(c for _, c in keep),
            "rows": body,
            "title": _title(title),
            "level": level,
            "heading": heading,
            "css": css,
            "footnotes": tuple(footnotes),
        }
    )


def items(
    title: str | Line,
    values: Iterable[Line],
    *,
    ordered: bool = False,
    empty: str = "",
    more: str = "",
    collapsed: bool = False,
    level: int = 3,
    heading: bool = False,
    css: str = "",
) -> Record | None:
    """A titled list; ``empty`` is shown when it has no items (else the block is left out), ``more``
    after the items (``and 3 more in the full card``); ``collapsed``: HTML folds it (``<details>``)."""
    kept = tuple(v for v in values if v)
    if not kept and not empty:
        return None
    return Record(
        {
            "kind": "list",
            "items": kept,
            "ordered": ordered,
            "empty": empty,
            "more": more,
            "collapsed": collapsed,
            "css": css,
            "title": _title(title),
            "level": level,
            "heading": heading,
        }
    )


def prose(value: object, *, title: str = "", level: int = 3, heading: bool = False) -> Record | None:
    """Free text (a Markdown block); None when empty."""
    if value is None or not str(value).strip():
        return None
    return Record({"kind": "prose", "text": str(value), "title": _title(title), "level": level, "heading": heading})


def code_block(
    value: object, *, title: str = "", level: int = 3, heading: bool = False, language: str = ""
) -> Record | None:
    """Preformatted text (a citation, a code snippet in ``language``); None when empty."""
    if value is None or not str(value).strip():
        return None
    return Record(
        {
            "kind": "code",
            "text": str(value),
            "title": _title(title),
            "level": level,
            "heading": heading,
            "language": language,
        }
    )


def chart(chart_id: str, path: str, alt: str, caption: str) -> Record:
    """A chart of ``view.charts[chart_id]``: HTML inlines it with ``caption``; Markdown links ``path``
    (a sidecar file) with ``alt`` text, when there is a path."""
    return Record({"kind": "chart", "chart_id": chart_id, "path": path, "alt": alt, "caption": caption})


def group(
    title: str | Line,
    blocks: Iterable[Record | None],
    *,
    subtitle: Line = (),
    id: str = "",
    box: bool = False,
    css: str = "",
) -> Record:
    """A titled sub-section (a dataset, a risk, a fairness metric): ``###`` / ``<h3>``, boxed in HTML
    when ``box``; without title, just its blocks (in a box)."""
    return Record(
        {
            "kind": "group",
            "title": _title(title) if title else (),
            "subtitle": subtitle,
            "id": id,
            "box": box,
            "css": css,
            "blocks": tuple(b for b in blocks if b is not None),
        }
    )


def columns(*blocks: Record | None) -> Record:
    """Blocks side by side in HTML (one after the other in Markdown)."""
    return Record({"kind": "columns", "blocks": tuple(b for b in blocks if b is not None)})


def section(id: str, title: str, blocks: Iterable[Record | None]) -> Record:
    return Record({"id": id, "title": title, "blocks": tuple(b for b in blocks if b is not None)})


# --------------------------------------------------------------------------
# values: how card data reads


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _group_line(g: Any) -> Line:
    return (text(fmt.group_values(g)),)


def _value_cell(r: Any, *, with_ci: bool) -> Lines:
    """A measured value (with its interval), or ``undefined`` and why."""
    if r.value is None:
        reason = getattr(r, "undefined_reason", None)
        return _lines((muted("undefined"),), (note(reason),) if reason else None)
    ci = fmt.interval(r.confidence_interval) if with_ci else ""
    return ((lit(fmt.num(r.value)), *((lit(" "), note(ci)) if ci else ())),)


def _n_cell(n: int | None, small: bool) -> Line:
    return line(
        lit(fmt.num(n)) if n is not None else None,
        lit(" ") if small and n is not None else None,
        flag() if small else None,
    )


def _disparity(result: Any) -> str:
    conv, d = shown_disparity(result)
    return fmt.disparity_text(conv, d)


def _bar(q: Any) -> Line:
    parts: list[Part] = []
    if q.min is not None:
        parts.append(lit(f"≥ {fmt.general(q.min)}"))
    if q.min is not None and q.max is not None:
        parts.append(lit(" and "))
    if q.max is not None:
        parts.append(lit(f"≤ {fmt.general(q.max)}"))
    if q.basis == "confidence_interval":
        parts += [lit(" "), note("(whole CI)")]
    return tuple(parts)


# --------------------------------------------------------------------------
# the view


def _metric_label(m: MetricResult) -> str:
    """A metric's name as a reader tells it apart: its display name, config and arguments."""
    label = m.display_name or m.name
    if m.display_name and m.display_name != m.name:
        label += f" ({m.name})"
    extra = [f"config {m.config}"] if m.config else []
    if m.args is not None:
        extra.append(m.args if isinstance(m.args, str) else fmt.group(m.args, empty=""))
    return label + (f" [{'; '.join(extra)}]" if extra else "")


def _source_cell(m: MetricResult) -> Line:
    """Who measured a result, where, and whether it was verified."""
    src = m.source
    if src is None:
        return line()
    status = None if src.verified is None else lit(" (verified)" if src.verified else " (self-reported)")
    if src.url:
        return line(link(src.url, src.name or src.url), status)
    return line(text(src.name) if src.name else None, status)


@dataclass
class FairnessGroup:
    """Fairness results for one metric, split into panels by reference group."""

    metric: str
    definition: Any
    results: list[FairnessResult]
    chart_id: str
    chart_svg: str = ""
    chart_path: str = ""
    common_threshold: str = ""  #: the threshold text when every result uses the same one, else ""


@dataclass
class Header:
    """The top of the page: title, subtitle pieces, lede."""

    title: str
    subtitle: tuple[str, ...]
    description: str | None
    authors: tuple[str, ...] = field(default_factory=tuple)


class CardView:
    """Derived, display-ready facts about a card (charts, groupings, counts) and its page as sections.

    ``chart_prefix`` (Markdown) names chart sidecar files (``card-charts/``);
    ``scorecard_limit`` caps the scorecard's fairness rows (default
    :data:`SCORECARD_MAX_RESULTS`; the worst verdicts are kept).
    """

    def __init__(self, card: ModelCard, *, chart_prefix: str = "", scorecard_limit: int = 0):
        self.card = card
        self.definitions = (
            {d.name: d for d in (card.test_methodology.metric_definitions or [])} if card.test_methodology else {}
        )
        metrics = card.metrics or []
        self.overall_metrics = [m for m in metrics if not m.slice]
        sliced: OrderedDict[str, list[MetricResult]] = OrderedDict()
        for m in metrics:
            if m.slice:
                sliced.setdefault(m.name, []).append(m)
        self.sliced_metrics = list(sliced.items())
        self.overall_by_name = {m.name: m for m in self.overall_metrics}
        #: "95% CI": the level the card's intervals use (methodology first, else the intervals' own)
        self.ci_level = self._ci_level(card)
        self.ci_label = f"{self.ci_level * 100:g}% CI" if self._level_stated(card) else "CI (level not stated)"

        results = (card.fairness.results or []) if card.fairness else []
        by_metric: OrderedDict[str, list[FairnessResult]] = OrderedDict()
        for r in results:
            by_metric.setdefault(r.metric, []).append(r)
        self.fairness_groups: list[FairnessGroup] = []
        self.charts: dict[str, str] = {}
        for metric, rs in by_metric.items():
            fg = FairnessGroup(metric, self.definitions.get(metric), rs, chart_id=f"fairness-{charts.slug(metric)}")
            fg.chart_svg = self._fairness_chart(metric, rs)
            if chart_prefix:
                fg.chart_path = f"{chart_prefix}{fg.chart_id}.svg"
            texts = {fmt.threshold_text(r.threshold) for r in rs}
            fg.common_threshold = texts.pop() if len(texts) == 1 else ""
            self.charts[fg.chart_id] = fg.chart_svg
            self.fairness_groups.append(fg)
        self.slice_charts: list[tuple[str, str, str]] = []  # (metric, svg, path)
        for metric, ms in self.sliced_metrics:
            cid = f"metric-{charts.slug(metric)}"
            svg = self._slice_chart(metric, ms)
            self.charts[cid] = svg
            self.slice_charts.append((metric, svg, f"{chart_prefix}{cid}.svg" if chart_prefix else ""))
        #: calibration within groups (reliability diagrams): one chart for every group measured
        self.calibration = (card.fairness.calibration or []) if card.fairness else []
        self.calibration_chart_path = ""
        if self.calibration:
            self.charts["calibration"] = self._calibration_chart()
            if chart_prefix:
                self.calibration_chart_path = f"{chart_prefix}calibration.svg"

        self.verdict_counts = {str(v): sum(1 for r in results if r.verdict == v) for v in fmt.VERDICT_ORDER}
        #: (verdict, count) for the verdicts that occur, in display order
        self.verdict_tally = tuple((v, n) for v, n in self.verdict_counts.items() if n)
        self.n_results = len(results)
        ordered = [r for fg in self.fairness_groups for r in fg.results]
        limit = scorecard_limit or SCORECARD_MAX_RESULTS
        if len(ordered) > limit:  # keep the page to one: the worst verdicts first
            ordered = sorted(ordered, key=lambda r: -Verdict(r.verdict).severity)
        #: fairness rows for the one-page scorecard, and what they leave out (verdict -> count)
        self.scorecard_results = ordered[:limit]
        self.scorecard_omitted: dict[Any, int] = {}
        for r in ordered[limit:]:
            self.scorecard_omitted[r.verdict] = self.scorecard_omitted.get(r.verdict, 0) + 1
        #: how verdicts are decided (basis) and the family judged (size, adjustment): one sentence each, or ""
        judged = judge_card(card)
        spreads = (card.fairness.spreads or []) if card.fairness else []
        has_verdicts = bool(results) or any(s.verdict or s.threshold for s in spreads)
        self.verdict_rule = judged.rule_text() if has_verdicts else ""
        self.verdict_family = judged.family_text() if has_verdicts else ""
        self.completeness = completeness(card)
        self.missing = [i for i in self.completeness.items if not i.covered]

        model = card.model
        released = f"released {model.date}" if model.date else None
        self.header = Header(
            title=model.name,
            subtitle=tuple(x for x in (f"Version {model.version}", model.type, released) if x),
            description=model.description,
        )

    @cached_property
    def sections(self) -> tuple[Record, ...]:
        """The full card, as sections of blocks (computed when first asked for)."""
        return tuple(s for s in self._sections() if s is not None)

    @cached_property
    def scorecard(self) -> Record:
        """The one-page scorecard's blocks and figures (computed when first asked for)."""
        return self._scorecard()

    @staticmethod
    def _ci_level(card: ModelCard) -> float:
        tm = card.test_methodology
        if tm is not None and tm.confidence_intervals is not None and tm.confidence_intervals.level is not None:
            return tm.confidence_intervals.level
        levels = {
            x.confidence_interval.level
            for x in [*(card.metrics or []), *((card.fairness.results or []) if card.fairness else [])]
            if x.confidence_interval is not None and x.confidence_interval.level is not None
        }
        return levels.pop() if len(levels) == 1 else DEFAULT_CI_LEVEL

    @staticmethod
    def _level_stated(card: ModelCard) -> bool:
        """Whether the card states the level of its intervals (an imported interval often does not)."""
        tm = card.test_methodology
        if tm is not None and tm.confidence_intervals is not None:
            return True
        estimates = [*(card.metrics or []), *((card.fairness.results or []) if card.fairness else [])]
        intervals = [x.confidence_interval for x in estimates if x.confidence_interval is not None]
        return not intervals or any(ci.level is not None for ci in intervals)

    # ------------------------------------------------------------------ sections of the full card

    def _sections(self) -> Iterable[Record | None]:
        yield self._model_details()
        yield self._intended_use()
        yield self._factors()
        yield self._datasets()
        yield self._test_methodology()
        yield self._metrics()
        yield self._fairness()
        yield self._ethics()
        yield self._caveats()
        yield self._environment()
        yield self._training()
        yield self._usage()
        yield self._about()

    def _model_details(self) -> Record:
        m = self.card.model
        developers = joined(
            (
                (text(fmt.party_text(p)), *((lit(" ("), link(p.url), lit(")")) if p.url else ()))
                for p in m.developers or []
            ),
            "; ",
        )
        io_rows = [
            row((lit(direction),), (code(x.name),), (text(x.type or ""),), (md(x.description or ""),))
            for direction, xs in (("input", m.inputs), ("output", m.outputs))
            for x in xs or []
        ]
        return section(
            "model-details",
            "Model details",
            [
                facts(
                    [
                        fact("Name", (text(m.name),)),
                        fact("Version", (text(m.version),)),
                        fact("Type", line(text(m.type)) if m.type else None),
                        fact("Task", line(text(m.task)) if m.task else None),
                        fact("Architecture", line(text(m.architecture)) if m.architecture else None),
                        fact(
                            "Base model",
                            joined(
                                (
                                    line(text(b.name), lit(f" ({b.relation})") if b.relation else None)
                                    for b in base_models(m)
                                ),
                                "; ",
                            )
                            if base_models(m)
                            else None,
                        ),
                        fact("Parameters", line(lit(f"{m.parameters:,}")) if m.parameters is not None else None),
                        fact("Library", line(text(m.library)) if m.library else None),
                        fact(
                            "Frameworks",
                            line(text(", ".join(f.name + (f" {f.version}" if f.version else "") for f in m.frameworks)))
                            if m.frameworks
                            else None,
                        ),
                        fact("Tags", line(text(fmt.text_list(m.tags))) if m.tags else None),
                        fact("Languages", line(text(fmt.text_list(m.languages))) if m.languages else None),
                        fact("Released", line(text(m.date)) if m.date else None),
                        fact("Developers", developers),
                        fact(
                            "License",
                            line(code(m.license), lit(" ("), link(m.license_url), lit(")"))
                            if m.license and m.license_url
                            else line(code(m.license))
                            if m.license
                            else None,
                        ),
                        fact("Repository", line(link(m.repository)) if m.repository else None),
                        fact("Contact", line(text(m.contact)) if m.contact else None),
                    ]
                ),
                table(
                    [column("Direction"), column("Name", header=True), column("Type"), column("Description")],
                    io_rows,
                    title="Inputs and outputs",
                    heading=True,
                ),
                code_block(m.citation, title="Citation", heading=True),
                items("References", ((link(r.url, r.title),) for r in m.references or []), heading=True),
            ],
        )

    def _intended_use(self) -> Record | None:
        iu = self.card.intended_use
        if iu is None:
            return None
        return section(
            "intended-use",
            "Intended use",
            [
                columns(
                    group(
                        "",
                        [
                            items("Intended uses", ((md(u),) for u in iu.primary_uses or []), empty="Not stated."),
                            items("Intended users", ((md(u),) for u in iu.primary_users or []), level=4),
                        ],
                        box=True,
                        css="uses-in",
                    ),
                    group(
                        "",
                        [items("Out of scope", ((md(u),) for u in iu.out_of_scope_uses or []), empty="Not stated.")],
                        box=True,
                        css="uses-out",
                    ),
                )
            ],
        )

    def _factors(self) -> Record | None:
        f = self.card.factors
        if f is None:
            return None
        return section(
            "factors",
            "Factors",
            [
                table(
                    [column("Factor", header=True), column("Why it matters"), column("Values")],
                    [
                        row((text(x.name),), (md(x.description or ""),), (text(fmt.text_list(x.values)),))
                        for x in f.relevant or []
                    ],
                    title="Factors that may affect performance",
                ),
                items("Evaluated factors", ((md(x),) for x in f.evaluation or [])),
            ],
        )

    def _datasets(self) -> Record | None:
        if not self.card.datasets:
            return None
        return section("datasets", "Datasets", [self._dataset(d) for d in self.card.datasets])

    def _dataset(self, d: Any) -> Record:
        return group(
            d.name,
            [
                prose(d.description),
                facts(
                    [
                        fact("Version", line(text(d.version)) if d.version else None),
                        fact("Source", line(link(d.url)) if d.url else None),
                        fact("SHA-256", line(code(d.sha256)) if d.sha256 else None),
                    ],
                    "list",
                ),
                self._provenance(d.provenance) if d.provenance else None,
            ],
            subtitle=(em(d.role), lit(" · id "), code(d.id)),
            id=f"dataset-{d.id}",
            box=True,
        )

    def _provenance(self, p: Any) -> Record | None:
        rows: list[Record | None] = []
        rows.append(
            fact(
                "Sources",
                *(
                    (
                        link(s.url, s.name) if s.url else text(s.name),
                        *((lit(": "), md(s.description)) if s.description else ()),
                    )
                    for s in p.sources or []
                ),
                items="ul",
            )
        )
        if p.collection:
            c = p.collection
            tf = c.timeframe
            when = (lit(" ") if c.method else None, muted(f"({tf.start or '?'} to {tf.end or '?'})")) if tf else ()
            rows.append(
                fact(
                    "Collection",
                    line(md(c.method) if c.method else None, *when),
                    labelled("Collected by:", text(c.collectors)) if c.collectors else None,
                )
            )
        if p.consent:
            c = p.consent
            obtained = (
                (strong("Obtained." if c.obtained else "Not obtained."), lit(" ")) if c.obtained is not None else ()
            )
            rows.append(
                fact(
                    "Consent",
                    line(*obtained, md(c.description) if c.description else None),
                    labelled("Withdrawal:", md(c.revocation)) if c.revocation else None,
                )
            )
        if p.licensing:
            lic = p.licensing
            rows.append(
                fact(
                    "Licensing",
                    line(
                        code(lic.license) if lic.license else None,
                        lit(" ") if lic.license and lic.terms else None,
                        md(lic.terms) if lic.terms else None,
                    ),
                )
            )
        if p.sensitive_data:
            sd = p.sensitive_data
            flags: list[Part] = []
            if sd.contains_personal_data is not None:
                flags += [lit("Personal data: "), strong(_yes_no(sd.contains_personal_data)), lit(".")]
            if sd.contains_sensitive_attributes is not None:
                flags += [lit(" ")] if flags else []
                flags += [lit("Sensitive attributes: "), strong(_yes_no(sd.contains_sensitive_attributes)), lit(".")]
            rows.append(
                fact(
                    "Sensitive data",
                    line(*flags),
                    labelled("Categories:", text(fmt.text_list(sd.categories))) if sd.categories else None,
                    labelled("Protections:", md(sd.protections)) if sd.protections else None,
                )
            )
        rows.append(fact("Preprocessing", *((md(s),) for s in p.preprocessing or []), items="ol"))
        if p.labelling:
            lab = p.labelling
            ann = lab.annotators
            rows.append(
                fact(
                    "Labelling",
                    line(md(lab.method)) if lab.method else None,
                    labelled("Annotators:", lit(fmt.num(ann.count))) if ann and ann.count is not None else None,
                    labelled("Annotators:", md(ann.description)) if ann and ann.description else None,
                    labelled("Agreement:", md(lab.agreement)) if lab.agreement else None,
                )
            )
        if p.composition:
            c = p.composition
            rows.append(
                fact(
                    "Composition",
                    line(md(c.description)) if c.description else None,
                    labelled("Instances:", lit(fmt.num(c.instances))) if c.instances is not None else None,
                    labelled("Features:", *joined(((code(x),) for x in c.features), ", ")) if c.features else None,
                    labelled(
                        "Labels:",
                        *joined(((text(k), lit(f": {fmt.num(v)}")) for k, v in c.label_distribution.items()), ", "),
                    )
                    if c.label_distribution
                    else None,
                    labelled("Missing data:", md(c.missing_data)) if c.missing_data else None,
                )
            )
        rows.append(fact("Known biases", *((md(s),) for s in p.known_biases or []), items="ul"))
        if p.maintenance:
            mt = p.maintenance
            rows.append(
                fact(
                    "Maintenance",
                    line(text(mt.maintainer)) if mt.maintainer else None,
                    labelled("Updates:", md(mt.update_policy)) if mt.update_policy else None,
                    labelled("Retention:", md(mt.retention)) if mt.retention else None,
                )
            )
        return facts(rows, title="Provenance", level=4, heading=True)

    def _test_methodology(self) -> Record | None:
        tm = self.card.test_methodology
        if tm is None:
            return None
        ci = tm.confidence_intervals
        ci_fact = None
        if ci is not None:
            samples = f", {fmt.num(ci.bootstrap_samples)} bootstrap samples" if ci.bootstrap_samples else ""
            ci_fact = facts(
                [fact("Confidence intervals", (lit(f"{ci.method}, {fmt.general(ci.level * 100)}% level{samples}."),))],
                "inline",
            )
        better = {None: "—", True: "higher", False: "lower"}
        return section(
            "test-methodology",
            "Test methodology",
            [
                prose(tm.protocol),
                table(
                    [
                        column("Dataset", header=True),
                        column("Split"),
                        column("n", numeric=True),
                        column("How it was drawn"),
                    ],
                    [
                        row(
                            (code(s.dataset),),
                            (text(s.split or ""),),
                            (lit(fmt.num(s.n)) if s.n is not None else lit(""),),
                            (md(s.description or ""),),
                        )
                        for s in tm.datasets or []
                    ],
                    title="Evaluation data",
                ),
                table(
                    [
                        column("Metric", header=True),
                        column("Definition"),
                        column("Better"),
                        column("Decision threshold", numeric=True),
                    ],
                    [
                        row(
                            (text(d.name),),
                            _lines((md(d.description or ""),), (code(d.formula),) if d.formula else None),
                            (lit(better[d.higher_is_better]),),
                            (lit(fmt.general(d.decision_threshold)),),
                        )
                        for d in tm.metric_definitions or []
                    ],
                    title="Metric definitions",
                ),
                ci_fact,
                prose(ci.description) if ci is not None else None,
                facts([fact("Seeds", (lit(fmt.text_list(tm.seeds)),))], "inline") if tm.seeds else None,
                table(
                    [
                        column("Metric", header=True),
                        column("Applies to"),
                        column("Bar", css="nowrap"),
                        column("Rationale"),
                    ],
                    [
                        row(
                            (text(q.metric),),
                            line(
                                lit("overall and every slice") if q.all_slices else text(fmt.group_pairs(q.slice)),
                                lit(", ") if q.dataset else None,
                                code(q.dataset) if q.dataset else None,
                                lit(f" ({q.split})") if q.split else None,
                            ),
                            _bar(q),
                            (md(q.rationale or ""),),
                        )
                        for q in tm.requirements or []
                    ],
                    title=(lit("Release requirements (checked by "), code("modelcard gate"), lit(")")),
                ),
            ],
        )

    def _metrics_table(self, metrics: Sequence[MetricResult], title: str) -> Record | None:
        sourced = any(m.source is not None for m in metrics)
        return table(
            [
                column("Metric", header=True),
                column("Slice"),
                column("Value", numeric=True),
                column(self.ci_label, numeric=True),
                column("n", numeric=True),
                column("Dataset"),
                *((column("Source"),) if sourced else ()),
            ],
            [
                row(
                    (text(_metric_label(m)),),
                    (text(fmt.group_pairs(m.slice)),),
                    _value_cell(m, with_ci=False),
                    (lit(fmt.interval(m.confidence_interval)),),
                    _n_cell(m.n, bool(m.small_sample)),
                    line(text(m.dataset) if m.dataset else None, lit(f" ({m.split})") if m.split else None),
                    *((_source_cell(m),) if sourced else ()),
                )
                for m in metrics
            ],
            title=title,
        )

    def _metrics(self) -> Record | None:
        if not self.card.metrics:
            return None
        blocks: list[Record | None] = []
        if self.overall_metrics:
            blocks.append(self._metrics_table(self.overall_metrics, "Overall performance"))
        for name, ms in self.sliced_metrics:
            blocks.append(self._metrics_table(ms, f"{name} by slice"))
        for name, _svg, path in self.slice_charts:
            blocks.append(
                chart(
                    f"metric-{charts.slug(name)}",
                    path,
                    alt=f"{name} per slice with confidence intervals",
                    caption=f"{name} per slice with confidence intervals; the table above holds the exact figures.",
                )
            )
        return section("metrics", "Metrics", blocks)

    def fairness_table(
        self, results: Sequence[FairnessResult], *, title: str = "", common_threshold: str = "", compact: bool = False
    ) -> Record | None:
        """Fairness results as a table; ``compact`` (the scorecard): with the metric, without intervals,
        reference value and n."""
        rows = []
        for i, r in enumerate(results):
            css = "group-break" if compact and i and r.metric != results[i - 1].metric else ""
            rows.append(
                row(
                    (text(r.metric),),
                    _group_line(r.group),
                    (text(fmt.group_values(r.reference_group)) if r.reference_group else lit("—"),),
                    _value_cell(r, with_ci=not compact) if r.value is not None else ((muted("undefined"),),),
                    (lit(fmt.num(r.reference_value)),),
                    (text(_disparity(r)),),
                    (text(fmt.threshold_text(r.threshold)),),
                    _n_cell(r.n, bool(r.small_sample)),
                    (verdict(r.verdict),),
                    css=css,
                )
            )
        return table(
            [
                column("Metric", header=True) if compact else None,
                column("Group", header=not compact),
                column("Compared with"),
                column("Value" if compact else "Value [CI]", numeric=True),
                None if compact else column("Ref.", numeric=True),
                column("Disparity [CI]", numeric=True),
                None if common_threshold else column("Threshold"),
                None if compact else column("n", numeric=True),
                column("Verdict"),
            ],
            rows,
            title=title,
            css="fairness",
            footnotes=[f"Threshold for every row: {common_threshold}."] if common_threshold else [],
        )

    def _fairness(self) -> Record | None:
        fa = self.card.fairness
        if fa is None:
            return None
        blocks: list[Record | None] = [
            prose(fa.summary),
            facts(
                [fact("Verdict rule", (lit(f"{self.verdict_rule} {self.verdict_family}".strip()),))],
                "inline",
                css="verdict-rule",
            )
            if self.verdict_rule
            else None,
            table(
                [column("Attribute", header=True), column("Source"), column("Values")],
                [
                    row((text(a.name),), (md(a.description or ""),), (text(fmt.text_list(a.values)),))
                    for a in fa.sensitive_attributes or []
                ],
                title="Sensitive attributes",
            ),
            table(
                [column("Criterion", header=True), column("Definition"), column("Metrics")],
                [
                    row((text(c.title or c.name),), (md(c.definition or ""),), (text(fmt.text_list(c.metrics)),))
                    for c in self._criteria()
                ],
                title="Fairness criteria",
            ),
            prose(
                self.card.test_methodology.conventions if self.card.test_methodology else None,
                title="Conventions",
            ),
        ]
        if self.calibration:
            blocks.append(
                group(
                    "Calibration within groups",
                    [
                        chart(
                            "calibration",
                            self.calibration_chart_path,
                            alt="Reliability diagram per group: observed positive rate per score bin with "
                            "confidence intervals against the bin's mean score",
                            caption="Dots are the observed positive rate of each score bin with its confidence "
                            "interval; dashed ticks mark the bin's mean score (perfect calibration).",
                        ),
                    ],
                    id="fairness-calibration",
                )
            )
        pct = fmt.general(self.ci_level * 100)
        for fg in self.fairness_groups:
            definition = fg.definition.description if fg.definition is not None else None
            blocks.append(
                group(
                    fg.metric,
                    [
                        chart(
                            fg.chart_id,
                            fg.chart_path,
                            alt=f"{fg.metric} by group: values with confidence intervals, reference values and "
                            "threshold bands",
                            caption=f"Dots are group values with {pct}% confidence intervals; dashed ticks mark the "
                            "reference group and shaded bands the range the threshold accepts.",
                        ),
                        self.fairness_table(
                            fg.results, title=f"{fg.metric}: results per group", common_threshold=fg.common_threshold
                        ),
                        facts(
                            [fact(fmt.group_values(r.group), (md(r.notes),)) for r in fg.results if r.notes], "notes"
                        ),
                    ],
                    subtitle=(md(definition),) if definition else (),
                    id=f"fairness-{fg.metric}",
                )
            )
        if fa.spreads:
            blocks.append(
                group(
                    "Best versus worst group",
                    [
                        table(
                            [
                                column("Metric", header=True),
                                column("Across"),
                                column("Highest"),
                                column("Lowest"),
                                column("Difference", numeric=True),
                                column("Ratio", numeric=True),
                                column("Threshold"),
                                column("Verdict"),
                            ],
                            [
                                row(
                                    (text(s.metric),),
                                    (text(" × ".join(s.attributes)),),
                                    (text(fmt.group_values(s.max_group)) if s.max_group else lit("—"),),
                                    (text(fmt.group_values(s.min_group)) if s.min_group else lit("—"),),
                                    (text(fmt.value_text(s.difference)),),
                                    (text(fmt.value_text(s.ratio)),),
                                    (text(fmt.threshold_text(s.threshold)),),
                                    line(
                                        verdict(s.verdict) if s.verdict else lit("—"),
                                        lit(" ") if s.small_sample else None,
                                        flag() if s.small_sample else None,
                                    ),
                                )
                                for s in fa.spreads
                            ],
                            title="Spread between groups per metric",
                        ),
                        facts(
                            [
                                fact(f"{s.metric} across {' × '.join(s.attributes)}", (md(s.notes),))
                                for s in fa.spreads
                                if s.notes
                            ],
                            "notes",
                        ),
                    ],
                )
            )
        return section("fairness", "Fairness", blocks)

    def _ethics(self) -> Record | None:
        ec = self.card.ethical_considerations
        if ec is None:
            return None
        return section(
            "ethical-considerations",
            "Ethical considerations",
            [
                *(
                    group(
                        r.name,
                        [
                            prose(r.description),
                            items("Mitigations", ((md(x),) for x in r.mitigations or []), level=4),
                        ],
                        box=True,
                    )
                    for r in ec.risks or []
                ),
                prose(ec.human_life, title="Decisions central to human life"),
                prose(ec.sensitive_data_use, title="Use of sensitive data"),
            ],
        )

    def _caveats(self) -> Record | None:
        cr = self.card.caveats_and_recommendations
        if cr is None:
            return None
        return section(
            "caveats",
            "Caveats and recommendations",
            [
                items("Caveats", ((md(x),) for x in cr.caveats or [])),
                items("Trade-offs", ((md(x),) for x in cr.tradeoffs or [])),
                items("Recommendations", ((md(x),) for x in cr.recommendations or [])),
            ],
        )

    def _environment(self) -> Record | None:
        ei = self.card.environmental_impact
        if ei is None:
            return None

        def amount(value: float | None, unit: str) -> Line | None:
            return (lit(f"{fmt.general(value)} {unit}"),) if value is not None else None

        return section(
            "environmental-impact",
            "Environmental impact",
            [
                facts(
                    [
                        fact("Hardware", line(text(ei.hardware)) if ei.hardware else None),
                        fact("Compute time", amount(ei.hours, "h")),
                        fact("Cloud provider", line(text(ei.cloud_provider)) if ei.cloud_provider else None),
                        fact("Region", line(text(ei.region)) if ei.region else None),
                        fact("Energy", amount(ei.energy_kwh, "kWh")),
                        fact("Emissions", amount(ei.co2_eq_kg, "kg CO₂-eq")),
                    ],
                    "list",
                ),
                prose(ei.method),
            ],
        )

    def _training(self) -> Record | None:
        tr = self.card.training
        if tr is None:
            return None
        return section(
            "training",
            "Training",
            [
                prose(tr.procedure),
                facts(
                    [
                        fact("Hardware", line(text(tr.hardware)) if tr.hardware else None),
                        fact("Training time", (lit(f"{fmt.general(tr.hours)} h"),) if tr.hours is not None else None),
                    ],
                    "list",
                ),
                table(
                    [column("Hyperparameter", header=True), column("Value")],
                    [row((code(k),), (text(v),)) for k, v in (tr.hyperparameters or {}).items()],
                    title="Hyperparameters",
                ),
            ],
        )

    def _usage(self) -> Record | None:
        us = self.card.usage
        if us is None:
            return None
        blocks: list[Record | None] = []
        for snippet in us.code or []:
            blocks.append(prose(snippet.description))
            blocks.append(code_block(snippet.code, title=f"How to use ({snippet.language})", language=snippet.language))
        blocks.append(
            table(
                [column("Input"), column("Output"), column("Notes")],
                [row((text(e.input),), (text(e.output or ""),), (md(e.description or ""),)) for e in us.examples or []],
                title="Examples",
            )
        )
        blocks.append(
            facts(
                [
                    fact("Inference hardware", line(text(us.hardware)) if us.hardware else None),
                    fact(
                        "Inference time",
                        (lit(f"{fmt.general(us.latency_ms)} ms per input"),) if us.latency_ms is not None else None,
                    ),
                ],
                "list",
            )
        )
        return section("usage", "How to use", blocks)

    def _about(self) -> Record:
        meta = self.card.card
        c = self.completeness
        authors = joined(
            ((text(fmt.party_text(a)), *((lit(f" <{a.email}>"),) if a.email else ())) for a in meta.authors or []),
            "; ",
        )
        meter = Record(
            {
                "percent": fmt.percent(c.score),
                "width": f"{c.score * 100:.1f}",
                "covered": c.covered,
                "total": c.total,
                "title": c.title,
            }
        )
        n = len(self.missing)
        return section(
            "about-this-card",
            "About this card",
            [
                facts(
                    [
                        fact("Authors", authors),
                        fact("Last revised", line(text(meta.date)) if meta.date else None),
                        fact("Card version", line(text(meta.version)) if meta.version else None),
                        fact("Schema", (lit(f"modelcard {meta.schema_version}"),)),
                        fact(
                            "Completeness",
                            (lit(f"{meter.percent} ({c.covered} of {c.total} {c.title})"),),
                            meter=meter,
                        ),
                    ],
                    "list",
                ),
                items(
                    f"{n} item{'s' if n != 1 else ''} not covered",
                    ((text(i.title),) for i in self.missing),
                    collapsed=True,
                    css="missing-list",
                ),
            ],
        )

    # ------------------------------------------------------------------ the one-page scorecard

    def key_facts(self) -> Record | None:
        """The scorecard's key facts (both formats)."""
        m = self.card.model

        def dataset(d: Any) -> Line:
            comp = d.provenance.composition if d.provenance else None
            n = f", n={fmt.num(comp.instances)}" if comp is not None and comp.instances is not None else ""
            return (text(d.name), lit(" "), muted(f"({d.role}{n})"))

        return facts(
            [
                fact("Developer", (text("; ".join(p.name for p in m.developers)),) if m.developers else None),
                fact("Released", line(text(m.date)) if m.date else None),
                fact("Architecture", line(text(m.architecture)) if m.architecture else None),
                fact("License", line(code(m.license)) if m.license else None),
                fact("Data", joined((dataset(d) for d in self.card.datasets or []), "; ")),
                fact("Contact", line(text(m.contact)) if m.contact else None),
            ],
            css="sc-grid",
        )

    def _uses(self, title: str, uses: Sequence[str] | None, css: str, users: Sequence[str] | None = None) -> Record:
        shown = list(uses or [])[:SCORECARD_MAX_USES]
        more = len(uses or []) - len(shown)
        return group(
            "",
            [
                items(
                    title,
                    ((md(u),) for u in shown),
                    empty="Not stated.",
                    more=f"and {more} more in the full card" if more > 0 else "",
                    level=2,
                    heading=True,
                ),
                facts([fact("For", (md("; ".join(users)),))], "inline", css="small") if users else None,
            ],
            box=True,
            css=css,
        )

    def _scorecard(self) -> Record:
        card = self.card
        iu = card.intended_use
        rows = self.scorecard_results
        thresholds = {fmt.threshold_text(r.threshold) for r in rows}
        omitted = ", ".join(f"{n} {fmt.verdict_words(v)}" for v, n in self.scorecard_omitted.items())
        fairness = self.fairness_table(
            rows,
            common_threshold=thresholds.pop() if len(thresholds) == 1 else "",
            compact=True,
        )
        if fairness is not None and omitted:
            notes = (*fairness.footnotes, f"Not shown for space: {omitted} (all results are in the full card).")
            fairness = Record({**fairness, "footnotes": notes})
        headline = table(
            [
                column("Metric", header=True),
                column("Value", numeric=True),
                column(self.ci_label, numeric=True),
                column("n", numeric=True),
            ],
            [
                row(
                    (text(m.name),),
                    (lit(fmt.num(m.value)) if m.value is not None else lit("undefined"),),
                    (lit(fmt.interval(m.confidence_interval)),),
                    (lit(fmt.num(m.n)) if m.n is not None else lit(""),),
                )
                for m in self.overall_metrics
            ],
        )
        c = self.completeness
        names = [i.title for i in self.missing[:SCORECARD_MAX_MISSING]]
        rest = len(self.missing) - len(names)
        missing = (
            f"Not covered: {'; '.join(names)}{f'; and {rest} more' if rest > 0 else ''}."
            if names
            else "Every item is covered."
        )
        meta = card.card
        byline = ", ".join(
            x
            for x in (
                f"version {meta.version}" if meta.version else "",
                f"revised {meta.date}" if meta.date else "",
                f"by {', '.join(a.name for a in meta.authors)}" if meta.authors else "",
            )
            if x
        )
        m = card.model
        return Record(
            {
                "subtitle": tuple(x for x in (f"Version {m.version}", m.type) if x),
                "key_facts": self.key_facts(),
                "uses": columns(
                    self._uses("Intended use", iu.primary_uses, "uses-in", iu.primary_users),
                    self._uses("Out of scope", iu.out_of_scope_uses, "uses-out"),
                )
                if iu is not None
                else None,
                "headline": headline,
                "fairness": fairness,
                "completeness": Record(
                    {
                        "percent": fmt.percent(c.score),
                        "width": f"{c.score * 100:.1f}",
                        "covered": c.covered,
                        "total": c.total,
                        "title": c.title,
                        "missing": missing,
                    }
                ),
                "footer": f"Card {byline}." if byline else "",
            }
        )

    # ------------------------------------------------------------------ charts

    def _metric_title(self, metric: str) -> str:
        d = self.definitions.get(metric)
        if d is not None and d.description:
            head = re.split(r"[:(,;]", d.description, maxsplit=1)[0].strip().rstrip(".")
            if 0 < len(head) <= CHART_TITLE_MAX and head.lower() != metric.lower():
                return f"{metric} ({head.lower() if head[:1].isupper() and head[1:2].islower() else head})"
        return metric

    def _fairness_chart(self, metric: str, rs: list[FairnessResult]) -> str:
        panels: OrderedDict[str, charts.Panel] = OrderedDict()
        for r in rs:
            ref = r.reference_group
            key = fmt.group_pairs(ref) if ref else "no reference group"
            heading = f"vs {fmt.group_values(ref)} ({fmt.group_names(ref)})" if ref else "groups"
            panel = panels.setdefault(key, charts.Panel(heading))
            band = None
            if r.threshold is not None and r.reference_value is not None:
                t = r.threshold
                if t.convention == "difference":
                    band = (
                        None if t.min is None else r.reference_value + t.min,
                        None if t.max is None else r.reference_value + t.max,
                    )
                else:
                    band = (
                        None if t.min is None else r.reference_value * t.min,
                        None if t.max is None else r.reference_value * t.max,
                    )
            ci = r.confidence_interval
            panel.rows.append(
                charts.Row(
                    label=fmt.group_values(r.group),
                    value=r.value,
                    lower=ci.lower if ci else None,
                    upper=ci.upper if ci else None,
                    reference=r.reference_value,
                    band=band,
                    status=str(r.verdict),
                    note=f"n={r.n:,}" if r.n is not None else "",
                )
            )
        title = f"{self._metric_title(metric)} by group"
        desc = (
            f"Per-group {metric} with confidence intervals; dashed ticks mark the reference group's value "
            f"and shaded bands the range its fairness threshold accepts. Verdicts: "
            + ", ".join(f"{fmt.group_values(r.group)} {fmt.verdict_words(r.verdict)}" for r in rs)
            + "."
        )
        return charts.forest_svg(
            title, list(panels.values()), description=desc, axis_label=metric, chart_id=f"fairness-{metric}"
        )

    def _criteria(self) -> list[FairnessCriterion]:
        tm = self.card.test_methodology
        return list(tm.fairness_criteria or []) if tm else []

    def _calibration_chart(self) -> str:
        """A reliability diagram per group: the observed positive rate of each score bin, with its
        interval, against the bin's mean score (the dashed tick; a calibrated group sits on it)."""
        panels = []
        for c in self.calibration:
            label = fmt.group_values(c.slice) if c.slice else "overall"
            panel = charts.Panel(f"{label}" + (f" (n={c.n:,})" if c.n is not None else ""))
            for b in c.bins:
                ci = b.confidence_interval
                panel.rows.append(
                    charts.Row(
                        label=f"scores {fmt.tick(b.lower)}–{fmt.tick(b.upper)}",
                        value=b.observed,
                        lower=ci.lower if ci else None,
                        upper=ci.upper if ci else None,
                        reference=b.mean_score,
                        note=f"n={b.n:,}",
                    )
                )
            panels.append(panel)
        return charts.forest_svg(
            "Calibration within groups",
            panels,
            description="Observed positive rate per score bin with confidence intervals, for each group; "
            "the dashed tick marks the bin's mean score, where a calibrated group's dot would sit.",
            axis_label="observed positive rate",
            chart_id="calibration",
            reference_label="mean score of the bin",
        )

    def _slice_chart(self, metric: str, ms: list[MetricResult]) -> str:
        overall = self.overall_by_name.get(metric)
        panels: OrderedDict[str, charts.Panel] = OrderedDict()
        for m in ms:
            attrs = fmt.group_names(m.slice)
            panel = panels.setdefault(attrs, charts.Panel(f"by {attrs}"))
            ci = m.confidence_interval
            panel.rows.append(
                charts.Row(
                    label=fmt.group_values(m.slice),
                    value=m.value,
                    lower=ci.lower if ci else None,
                    upper=ci.upper if ci else None,
                    reference=overall.value if overall else None,
                    note=f"n={m.n:,}" if m.n is not None else "",
                )
            )
        return charts.forest_svg(
            f"{self._metric_title(metric)} by slice",
            list(panels.values()),
            description=f"{metric} per slice with confidence intervals"
            + ("; the dashed tick is the overall value." if overall else "."),
            axis_label=metric,
            chart_id=f"metric-{metric}",
            reference_label="overall value",
        )
