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

The full card is long for a card with many groups, so it reads in three parts: a **summary** (a page or
two: verdict counts, the largest disparities with their intervals -- :func:`worst_first` -- the release
requirements as ``modelcard gate`` judges them, the uses in brief), the **body**, and **appendices** of
per-group tables (groups down, metrics across) that hold every number, each note said once.  Sections say
which part they are in ``css`` (``summary``, ``appendix``); links between them are ``ref`` parts to
GitHub-style heading anchors (:func:`anchor`), so they work in HTML and in Markdown.

Blocks are :class:`~modelcard.render.sandbox.Record` values (plain, read-only)
and parts ``(kind, text, url)`` triples, ready for the template sandbox::

    section  {id, title, blocks, css}
    facts    {kind: "facts", layout: table|list|inline|notes, facts: ({label, lines, items, meter}, ...)}
    table    {kind: "table", columns: ({label, numeric, header, css}, ...), rows: ((cells, css), ...),
              footnotes, css}
    list     {kind: "list", items: (line, ...), ordered, empty, more, collapsed}
    prose    {kind: "prose", text}              code  {kind: "code", text}
    chart    {kind: "chart", chart_id, path, alt, caption}
    group    {kind: "group", title, subtitle, id, box, css, blocks}      columns {kind: "columns", blocks}
    part     (kind, text, url), kind one of text|md|code|link|strong|em|muted|note|verdict|flag|mark|ref

Every titled block has ``title`` (a line), ``level`` (its HTML heading level)
and ``heading`` (Markdown writes the title as a heading of that level rather
than as a bold line).  A cell or a fact value is a tuple of lines; ``items``
(``ul``/``ol``) makes the lines a list.
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from modelcard.analysis.completeness import Completeness, assess
from modelcard.analysis.gate import GateResult, gate_card
from modelcard.diagnostics import format_path
from modelcard.evaluation.options import COUNT_METRIC_NAMES, DEFAULT_MIN_GROUP_SIZE, is_small_sample
from modelcard.render import charts
from modelcard.render.markdown_text import to_text
from modelcard.render.sandbox import Record
from modelcard.report import fmt
from modelcard.report.gate import check_label
from modelcard.schema.models import FairnessCriterion, FairnessResult, MetricResult, ModelCard, base_models
from modelcard.schema.types import group_key, group_text
from modelcard.schema.verdicts import Verdict, judge_card, shown_disparity

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
SCORECARD_ROW_LIMITS = (SCORECARD_MAX_RESULTS, 12, 8, 5, 3)
#: intended and out-of-scope uses listed on the scorecard (the rest: "and N more in the full card")
SCORECARD_MAX_USES = 5
#: items not covered that the scorecard names (the rest: "and N more")
SCORECARD_MAX_MISSING = 8
#: sign-offs the one-page scorecard lists (rejections and pending ones first; the rest: "and N more"), and the
#: characters of each comment it keeps: a sign-off table must not push the fairness rows off the page
SCORECARD_MAX_SIGN_OFFS = 3
SCORECARD_SIGN_OFF_COMMENT = 60
#: the documentation standard whose completeness cards and the batch index show
COMPLETENESS_PROFILE = "aboutml"
#: confidence level assumed when the card states none (or several)
DEFAULT_CI_LEVEL = 0.95
#: a definition's first clause becomes the chart subtitle when it is at most this long
CHART_TITLE_MAX = 40
#: the full card's summary: rows of its table (and chart) of the largest disparities, uses it lists
SUMMARY_MAX_DISPARITIES = 6
SUMMARY_MAX_USES = 4
#: rows of a metric's disparity chart (its largest disparities, failed first); every result is in the appendix
CHART_MAX_ROWS = 6
#: metric columns of one appendix table (values; fairness results): more metrics make more tables, so
#: that each fits a printed page
APPENDIX_METRIC_COLUMNS = 10
APPENDIX_RESULT_COLUMNS = 8
APPENDIX_SPREAD_COLUMNS = 6
#: the ids of the summary's chart of the largest disparities and of the body's chart by fairness criterion
SUMMARY_CHART = "fairness-largest-disparities"
CRITERIA_CHART = "fairness-criteria"
#: rows of the criteria chart: at most :data:`CHART_MAX_ROWS` per metric, fewer (not under 2) when many
#: metrics share this many rows
CRITERIA_CHART_ROWS = 12
#: the titles of the full card's appendices (their ids are their anchors, for links in HTML and Markdown)
APPENDIX_METRICS = "Appendix A: Metrics by group"
APPENDIX_FAIRNESS = "Appendix B: Fairness results by group"
APPENDIX_SPREADS = "Appendix C: Best versus worst group"
#: how a value comes to be flagged as a small sample, as pages state it
SMALL_SAMPLE_RULE = (
    f"as the card flags it, else n below {DEFAULT_MIN_GROUP_SIZE} (the evaluation's default minimum group size)"
)

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


def mark(value: object) -> Part:
    """A verdict as its mark alone (``✓``, ``✗``...; the word on hover and for screen readers), where a
    table has no room for the word: the cells of the appendix tables."""
    return ("mark", str(value if isinstance(value, Verdict) else Verdict(value)), "")


def ref(label: str, target: str) -> Part:
    """A link to a heading of the same page (``target``: its id, :func:`anchor`); text where it cannot be."""
    return ("ref", label, f"#{target}")


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


def section(id: str, title: str, blocks: Iterable[Record | None], *, css: str = "") -> Record:
    """A section of the page (``##`` / ``<section>``); ``css`` names its kind (``summary``, ``appendix``)."""
    return Record({"id": id, "title": title, "blocks": tuple(b for b in blocks if b is not None), "css": css})


# --------------------------------------------------------------------------
# values: how card data reads


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _group_line(g: Any) -> Line:
    return (text(fmt.group_values(g)),)


def _metric_num(r: Any) -> str:
    """A measured value as :func:`fmt.num` shows it; a confusion count (``tp``, ``fp``, ``fn``, ``tn``: data,
    not an estimate) as the whole number it is, even when the card stores it as ``641.0``."""
    name = getattr(r, "name", None) or getattr(r, "metric", None)
    if name in COUNT_METRIC_NAMES and isinstance(r.value, float) and r.value.is_integer():
        return fmt.num(int(r.value))
    return fmt.num(r.value)


def _value_cell(r: Any, *, with_ci: bool) -> Lines:
    """A measured value (with its interval), or ``undefined`` and why."""
    if r.value is None:
        reason = getattr(r, "undefined_reason", None)
        return _lines((muted("undefined"),), (note(reason),) if reason else None)
    ci = fmt.interval(r.confidence_interval) if with_ci else ""
    return ((lit(_metric_num(r)), *((lit(" "), note(ci)) if ci else ())),)


def _n_cell(n: int | None, small: bool, reference_n: int | None = None) -> Line:
    """``412``, with the reference group's ``412 / 2,103`` when given, and the small-sample flag."""
    shown = n is not None or reference_n is not None
    return line(
        lit(fmt.num(n) if n is not None else "—") if shown else None,
        lit(f" / {fmt.num(reference_n)}") if reference_n is not None else None,
        lit(" ") if small and shown else None,
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
# long cards: which disparities are the largest, where the appendix tables are, their notes


def disparity_size(convention: str | None, value: float | None) -> float | None:
    """How far a disparity lies from parity: ``|difference|``, or ``|ln ratio|`` for a ratio (so a
    ratio of 0.5 is as far as one of 2, and a ratio of 0 is infinitely far); None when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if convention == "ratio":
        return math.inf if value == 0 else abs(math.log(abs(value)))
    return abs(value)


def worst_first(items: Sequence[Any]) -> list[int]:
    """The positions of fairness results (or spreads), the worst first: by verdict (fail, inconclusive,
    not run, pass: :attr:`Verdict.severity`), then by the size of the disparity shown
    (:func:`disparity_size` of :func:`~modelcard.schema.verdicts.shown_disparity`, the one the verdict
    is decided on), undefined ones last, then in the card's order."""

    def key(i: int) -> tuple[int, bool, float, int]:
        item = items[i]
        conv, d = shown_disparity(item)
        size = disparity_size(conv, d.value if d is not None else None)
        severity = Verdict(item.verdict).severity if item.verdict is not None else Verdict.NOT_RUN.severity
        return (-severity, size is None, -(size or 0.0), i)

    return sorted(range(len(items)), key=key)


def _convention_of(item: Any) -> str:
    """The convention a result's disparity is shown and charted in (:func:`shown_disparity`)."""
    return shown_disparity(item)[0] or "difference"


def _drawn_convention(what: str) -> str:
    """The convention of a disparity chart from its axis words (``difference (group − reference)``)."""
    return "ratio" if what.startswith("ratio") else "difference"


def _not_drawn(drawn: int, others: Counter[str]) -> str:
    """What a disparity chart's caption adds when the chart leaves out disparities of the other convention
    (one axis): how many it draws, and how many of the other kind only the table holds ("" when none)."""
    left = sum(others.values())
    if not left:
        return ""
    kinds = " and ".join(f"{fmt.plural(n, c)}" for c, n in sorted(others.items()))
    return f" (the chart draws {drawn}; the other {kinds}, on another scale, are in the table only)"


def counted_verdicts(card: ModelCard, gate: GateResult) -> ModelCard:
    """``card`` with each fairness result and spread carrying the verdict the release gate counts it with.

    ``gate`` (:func:`~modelcard.analysis.gate.gate_card` of ``card``) judges from its numbers a result the card
    says was ``not_run`` although it has a threshold and the disparity it applies to, and a spread with a
    threshold but no verdict; the page shows those verdicts too, so that its tallies, its largest
    disparities and its tables agree with the release decision it states.  Everything else is as written.
    """
    fa = card.fairness
    if fa is None:
        return card
    counted = {c.path: c.verdict for c in gate.checks if c.kind in ("fairness", "spread")}
    update: dict[str, Any] = {}
    for name in ("results", "spreads"):
        items = list(getattr(fa, name) or [])
        for i, item in enumerate(items):
            verdict = counted.get(format_path(("fairness", name, i)))
            if verdict is not None and verdict != (str(item.verdict) if item.verdict is not None else None):
                items[i] = item.model_copy(update={"verdict": Verdict(verdict)})
                update[name] = items
    if not update:
        return card
    return card.model_copy(update={"fairness": fa.model_copy(update=update)})


def anchor(title: str) -> str:
    """The id of a heading, spelled as GitHub spells heading anchors (lower case, punctuation dropped,
    spaces as hyphens), so that a link to it works in the HTML page and in Markdown."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
#: notes of a table opening with the same words before a colon, this many or more, are listed under them once
_SHARED_LEAD_IN = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _sentences(notes: str) -> list[str]:
    """A note split into sentences, so that what many results share is said once; a note whose pieces
    would break its Markdown (a link, a code span or parentheses across sentences) is kept whole."""
    pieces = [p.strip() for p in _SENTENCE_END.split(notes.strip()) if p.strip()]

    def whole(p: str) -> bool:
        return p.count("[") == p.count("]") and p.count("(") == p.count(")") and p.count("`") % 2 == 0

    return pieces if all(whole(p) for p in pieces) else [notes.strip()]


def _where(dataset: str | None, split: str | None) -> str:
    """`` on compas-2yr (test)``: where values were measured, as titles say it; ``""`` when not said."""
    return (f" on {dataset}" if dataset else "") + (f" ({split})" if split else "")


def _typical_n(ms: Iterable[MetricResult]) -> int | None:
    """The group's n as its row gives it: the largest n of its metrics (each metric's denominator — the
    negatives for a false positive rate, the predicted positives for precision — is a part of the group,
    and selection rate or accuracy count every instance), so the row never understates the group's size."""
    return max((m.n for m in ms if m.n is not None), default=None)


def _metric_notes(m: MetricResult) -> list[str]:
    """What a value's appendix cell says in a note: why it is undefined, and who measured it."""
    out = [f"Undefined: {m.undefined_reason}"] if m.value is None and m.undefined_reason else []
    src = m.source
    if src is not None and (src.name or src.url):
        status = "" if src.verified is None else " (verified)" if src.verified else " (self-reported)"
        out.append(f"Source: {src.name or src.url}{status}")
    return out


def _free_row(cells: dict[tuple[Any, str], Any], key: tuple[Any, ...], col: str) -> tuple[tuple[Any, ...], str]:
    """``(row key, column)`` for a new cell: ``key``, or when that cell is taken (a card may hold the same
    item twice), ``key`` with a count, so that the repeat gets a row of its own and nothing is left out."""
    row_key, k = key, 1
    while (row_key, col) in cells:
        k += 1
        row_key = (*key, k)
    return row_key, col


def _by_grouping(groupings: dict[Any, tuple[str, ...]]) -> tuple[list[Any], set[Any]]:
    """The rows of a matrix grouping after grouping (attributes, in the order they first appear; rows in
    their order within), and the rows that start a grouping (the first row included)."""
    order = {attrs: i for i, attrs in enumerate(dict.fromkeys(groupings.values()))}
    rows = sorted(groupings, key=lambda k: order[groupings[k]])  # stable: rows keep their order within
    starts = {k for i, k in enumerate(rows) if not i or groupings[k] != groupings[rows[i - 1]]}
    return rows, starts


def _matrix(
    rows: Sequence[Any],
    cols: Sequence[str],
    header: Any,
    cell: Any,
    notes_of: dict[tuple[Any, str], list[str]],
    *,
    per_table: int,
    breaks: set[Any],
    every: str,
    corner: str = "Group",
) -> list[Record | None]:
    """Tables of ``rows`` down and ``cols`` across (``per_table`` columns each), then their notes.

    ``header(row, marker)`` gives a row's heading and ``cell(row, col, marker)`` a cell's lines (for the
    cells in ``notes_of``, which holds each cell's notes: :class:`_Footnotes` says each once); a row in
    ``breaks`` starts a new grouping (a rule above it).
    """
    notes = _Footnotes(every)
    by_row, by_col, left = notes.lift(notes_of, rows, cols)
    out: list[Record | None] = []
    for start in range(0, len(cols), per_table):
        chunk = cols[start : start + per_table]
        out.append(
            table(
                [
                    column(corner, header=True),
                    *(column(c + notes.marker(by_col[c]), numeric=True) for c in chunk),
                ],
                [
                    row(
                        header(r, notes.marker(by_row[r])),
                        *(cell(r, c, notes.marker(left[(r, c)])) if (r, c) in notes_of else () for c in chunk),
                        css="group-break" if r in breaks else "",
                    )
                    for r in rows
                ],
                css="matrix",
            )
        )
    out.append(notes.block())
    return out


class _Footnotes:
    """Notes of a matrix table said once each: a note every cell shares is a note of the table, one every
    cell of a column (or of a row) shares is marked on the column (row) heading, the rest on the cell,
    with the same superscript number wherever the same note recurs."""

    def __init__(self, every: str = "Every result") -> None:
        self.every = every  #: the label of the notes every cell shares
        self.numbers: dict[str, int] = {}
        self.shared: list[str] = []

    def marker(self, notes: Iterable[str]) -> str:
        out = []
        for n in notes:
            if n not in self.numbers:
                self.numbers[n] = len(self.numbers) + 1
            out.append(str(self.numbers[n]).translate(_SUPERSCRIPT))
        return ",".join(out)

    def lift(
        self, cells: dict[tuple[Any, Any], list[str]], rows: Sequence[Any], cols: Sequence[Any]
    ) -> tuple[dict[Any, list[str]], dict[Any, list[str]], dict[tuple[Any, Any], list[str]]]:
        """(notes of each row, notes of each column, notes left on each cell); the table's own in ``shared``."""
        everywhere = set.intersection(*(set(v) for v in cells.values())) if len(cells) > 1 else set()
        self.shared += [n for n in dict.fromkeys(n for v in cells.values() for n in v) if n in everywhere]
        left = {k: [n for n in v if n not in everywhere] for k, v in cells.items()}

        def common(keys: list[tuple[Any, Any]]) -> list[str]:
            if len(keys) < 2:
                return []
            found = set.intersection(*(set(left[k]) for k in keys))
            return [n for n in left[keys[0]] if n in found]

        in_row: dict[Any, list[tuple[Any, Any]]] = {r: [] for r in rows}
        in_col: dict[Any, list[tuple[Any, Any]]] = {c: [] for c in cols}
        for k in left:  # one pass: a matrix may have thousands of rows
            in_row[k[0]].append(k)
            in_col[k[1]].append(k)
        by_row = {r: common(keys) for r, keys in in_row.items()}
        for (r, c), v in left.items():
            left[(r, c)] = [n for n in v if n not in by_row[r]]
        by_col = {c: common(keys) for c, keys in in_col.items()}
        for (r, c), v in left.items():
            left[(r, c)] = [n for n in v if n not in by_col[c]]
        return by_row, by_col, left

    def block(self) -> Record | None:
        """The notes, numbered, after the table(s); notes that open with the same words before a colon
        (``Small sample (below ...): the max group ...``) are listed once under those words."""
        lead_ins = Counter(n.split(": ", 1)[0] for n in self.numbers if ": " in n)
        shared = {w for w, k in lead_ins.items() if k >= _SHARED_LEAD_IN}
        rows: list[Record | None] = [fact(self.every, (md(n),)) for n in dict.fromkeys(self.shared)]
        grouped: OrderedDict[str, list[Line]] = OrderedDict()
        for n, i in self.numbers.items():
            mark_ = str(i).translate(_SUPERSCRIPT)
            head, _, rest = n.partition(": ")
            if head in shared:
                grouped.setdefault(head, []).append((lit(mark_ + " "), md(rest)))
            else:
                grouped[n] = []
                rows.append(fact(mark_, (md(n),)))
        rows += [fact(head, joined(items, " ")) for head, items in grouped.items() if items]
        return facts(rows, "notes", css="footnotes")


# --------------------------------------------------------------------------
# the view


def _metric_label(m: MetricResult) -> str:
    """A metric's name as a reader tells it apart: its display name, config and arguments."""
    label = m.display_name or m.name
    if m.display_name and m.display_name != m.name:
        label += f" ({m.name})"
    extra = [f"config {m.config}"] if m.config else []
    if m.args is not None:
        extra.append(m.args if isinstance(m.args, str) else group_text(m.args, empty=""))
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
    chart_rows: int = 0  #: results the chart draws (the largest disparities: :data:`CHART_MAX_ROWS` at most)
    convention: str = ""  #: the disparity the chart draws: difference or ratio


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
        #: the card as written: the release gate and the family of verdicts are decided on it, as by
        #: ``modelcard gate``; the page shows ``card``, whose verdicts are the ones the gate counts
        self.stated_card = card
        card = self.card = counted_verdicts(card, self.gate)
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
        #: each chart in words and numbers (chart id -> text): the alt text of its Markdown image
        self.chart_alts: dict[str, str] = {}
        for metric, rs in by_metric.items():
            fg = FairnessGroup(metric, self.definitions.get(metric), rs, chart_id=f"fairness-{charts.slug(metric)}")
            fg.chart_svg, fg.chart_rows, fg.convention = self._fairness_chart(metric, rs)
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
        #: the summary's chart of the largest disparities (Markdown: its sidecar file)
        #: Markdown sidecar files of the long card's charts beyond the ones above: chart id -> path
        self.chart_files: dict[str, str] = {}
        if chart_prefix:
            self.chart_files = {cid: f"{chart_prefix}{cid}.svg" for cid in (SUMMARY_CHART, CRITERIA_CHART)}
        #: the summary's largest disparities (positions in ``fairness.results``) and what their chart draws
        self.largest = self._largest(results)
        #: the body's chart of the fairness criteria's largest disparities: (metrics, rows drawn, convention)
        self.criteria_chart = self._criteria_chart(results)
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
        judged = self.judged = judge_card(self.stated_card)
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
        """The summary (a page or two), the body, then the appendices of per-group tables it links to."""
        yield self.summary_section
        yield self._model_details()
        yield self._intended_use()
        yield self._usage()
        yield self._factors()
        yield self._datasets()
        yield self._training()
        yield self._test_methodology()
        yield self._metrics()
        yield self._fairness()
        yield self._ethics()
        yield self._caveats()
        yield self._environment()
        yield self._about()
        yield self._appendix_metrics()
        yield self._appendix_fairness()
        yield self._appendix_spreads()

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
        definitions = list(tm.metric_definitions or [])
        cuts = {d.decision_threshold for d in definitions}
        one_threshold = cuts.pop() if len(cuts) == 1 and len(definitions) > 1 else None
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
                        None if one_threshold is not None else column("Decision threshold", numeric=True),
                    ],
                    [
                        row(
                            (text(d.name),),
                            line(md(d.description or ""), *((lit(" "), code(d.formula)) if d.formula else ())),
                            (lit(better[d.higher_is_better]),),
                            (lit(fmt.general(d.decision_threshold)),),
                        )
                        for d in definitions
                    ],
                    title="Metric definitions",
                    footnotes=[f"Decision threshold of every metric: {fmt.general(one_threshold)}."]
                    if one_threshold is not None
                    else [],
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
        """Metric values as a table; a slice or dataset every row shares is said once, under it."""
        sourced = any(m.source is not None for m in metrics)
        places = {(m.dataset, m.split) for m in metrics}
        one_place = next(iter(places)) if len(places) == 1 else None
        sliced = any(m.slice for m in metrics)
        return table(
            [
                column("Metric", header=True),
                column("Slice") if sliced else None,
                column("Value", numeric=True),
                column(self.ci_label, numeric=True),
                column("n", numeric=True),
                None if one_place else column("Dataset"),
                *((column("Source"),) if sourced else ()),
            ],
            [
                row(
                    (text(_metric_label(m)),),
                    (text(fmt.group_pairs(m.slice)),),
                    _value_cell(m, with_ci=False),
                    (lit(fmt.interval(m.confidence_interval)),),
                    _n_cell(m.n, self.small_sample(m)),
                    line(text(m.dataset) if m.dataset else None, lit(f" ({m.split})") if m.split else None),
                    *((_source_cell(m),) if sourced else ()),
                )
                for m in metrics
            ],
            title=title,
            footnotes=[f"Every value{'' if sliced else ' overall'}{_where(*one_place)}."]
            if one_place and one_place[0]
            else [],
        )

    def _metrics(self) -> Record | None:
        if not self.card.metrics:
            return None
        blocks: list[Record | None] = []
        if self.overall_metrics:
            blocks.append(self._metrics_table(self.overall_metrics, "Overall performance"))
        sliced = [m for _, ms in self.sliced_metrics for m in ms]
        if sliced:
            groups = len({(group_key(m.slice), m.dataset, m.split) for m in sliced})
            blocks.append(
                facts(
                    [
                        fact(
                            "By group",
                            (
                                lit(
                                    f"{fmt.plural(len(sliced), 'value')} of {fmt.plural(len(self.sliced_metrics), 'metric')} "
                                    f"in {fmt.plural(groups, 'group')}, with their intervals and n: "
                                ),
                                ref(APPENDIX_METRICS, anchor(APPENDIX_METRICS)),
                                lit("."),
                            ),
                        )
                    ],
                    "inline",
                )
            )
        return section("metrics", "Metrics", blocks)

    def fairness_table(
        self, results: Sequence[FairnessResult], *, title: str = "", common_threshold: str = "", compact: bool = False
    ) -> Record | None:
        """Fairness results as a table; ``compact`` (the scorecard): with the metric and the reference
        group's n, without intervals and reference value."""
        rows = []
        reference_ns = [self.reference_n(r) if compact else None for r in results]
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
                    _n_cell(r.n, self.small_sample(r), reference_ns[i]),
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
                column("n (group / ref.)" if any(n is not None for n in reference_ns) else "n", numeric=True),
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
                [
                    fact(
                        "Verdict rule",
                        (lit(f"{self.verdict_rule} {self.verdict_family}".strip()),)
                        if self.summary_section is None
                        else (ref("Summary", "fairness-summary"), lit(".")),
                    )
                ],
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
                            alt=self.chart_alt("calibration"),
                            caption="Dots are the observed positive rate of each score bin with its confidence "
                            "interval; dashed ticks mark the bin's mean score (perfect calibration).",
                        ),
                    ],
                    id="fairness-calibration",
                )
            )
        blocks.append(self._results_by_metric())
        metrics, drawn, what = self.criteria_chart
        if drawn:
            named = bool(self._criteria()) and set(metrics) != {fg.metric for fg in self.fairness_groups}
            pct = fmt.general(self.ci_level * 100)
            by_metric = {fg.metric: fg.results for fg in self.fairness_groups}
            undrawn = [  # one axis: a metric whose disparities are all of the other convention has no panel
                m for m in metrics if all(_convention_of(r) != _drawn_convention(what) for r in by_metric[m])
            ]
            other = "differences" if _drawn_convention(what) == "ratio" else "ratios"
            blocks.append(
                group(
                    "Largest disparities by metric",
                    [
                        chart(
                            CRITERIA_CHART,
                            self.chart_files.get(CRITERIA_CHART, ""),
                            alt=self.chart_alt(CRITERIA_CHART),
                            caption=f"For each metric{' a fairness criterion names' if named else ''}, its largest "
                            f"disparities, failed first: each group's {what} with the {pct}% confidence interval "
                            "its verdict is decided on; the shaded band is the range the threshold accepts, the "
                            "dashed line no difference."
                            + (
                                f" Not drawn, their disparities being {other} (another scale): "
                                f"{fmt.text_list(undrawn)}."
                                if undrawn
                                else ""
                            )
                            + f" Every result is in {APPENDIX_FAIRNESS.split(':')[0]}.",
                        )
                    ],
                    id="fairness-largest-by-metric",
                )
            )
        if fa.spreads:
            blocks.append(
                facts(
                    [
                        fact(
                            "Best versus worst group",
                            (
                                lit(f"{fmt.plural(len(fa.spreads), 'spread')} ({self._tally_text(fa.spreads)}): "),
                                ref(APPENDIX_SPREADS, anchor(APPENDIX_SPREADS)),
                                lit("."),
                            ),
                        )
                    ],
                    "inline",
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
        """Training details, as Hugging Face cards give them: procedure, hyperparameters, hardware and time,
        with the objective, design choices and compute where the card states them."""
        tr = self.card.training
        if tr is None:
            return None
        cp = tr.compute
        energy = cp.estimated_energy_mwh if cp is not None else None
        return section(
            "training",
            "Training details",
            [
                prose(tr.procedure, title="Procedure", level=3, heading=True)
                if tr.objective or tr.design_choices
                else prose(tr.procedure),
                prose(tr.objective, title="Objective", level=3, heading=True),
                prose(tr.design_choices, title="Design choices", level=3, heading=True),
                facts(
                    [
                        fact("Hardware", line(text(tr.hardware)) if tr.hardware else None),
                        fact("Training time", (lit(f"{fmt.general(tr.hours)} h"),) if tr.hours is not None else None),
                        fact(
                            "From scratch",
                            (
                                lit(
                                    "yes (randomly initialised weights)"
                                    if tr.from_scratch
                                    else "no (from a base model)"
                                ),
                            )
                            if tr.from_scratch is not None
                            else None,
                        ),
                        fact(
                            "Hardware time",
                            (lit(f"{fmt.general(cp.hardware_days)} hardware-days"),)
                            if cp is not None and cp.hardware_days is not None
                            else None,
                        ),
                        fact(
                            "Compute",
                            (lit(f"{cp.flops:.2g} FLOP"),) if cp is not None and cp.flops is not None else None,
                            labelled("Method:", md(cp.flops_method)) if cp is not None and cp.flops_method else None,
                        ),
                        fact(
                            "Device power",
                            (
                                lit(f"{fmt.general(cp.device_power_w)} W per unit"),
                                *((lit(f", PUE {fmt.general(cp.pue)}"),) if cp.pue is not None else ()),
                            )
                            if cp is not None and cp.device_power_w is not None
                            else None,
                        ),
                        fact(
                            "Estimated energy",
                            (
                                lit(f"{energy:.3g} MWh"),
                                note(" (hardware-days × 24 h × device power × PUE)"),
                            )
                            if energy is not None
                            else None,
                        ),
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
                self.sign_off(level=3, heading=True),
                items(
                    f"{n} item{'s' if n != 1 else ''} not covered",
                    ((text(i.title),) for i in self.missing),
                    collapsed=True,
                    css="missing-list",
                ),
            ],
        )

    # ------------------------------------------------------------------ long cards: the summary and the appendices

    @cached_property
    def charted_metrics(self) -> tuple[str, ...]:
        """The metrics whose disparity chart the body shows: those the card's fairness criteria name, or
        every metric with results when it names none (every result of every metric is in the appendix)."""
        measured = [fg.metric for fg in self.fairness_groups]
        named = [m for c in self._criteria() for m in c.metrics or [] if m in measured]
        return tuple(dict.fromkeys(named or measured))

    @staticmethod
    def _tally(items: Iterable[Any]) -> list[tuple[Verdict, int]]:
        """(verdict, count) of items with a verdict, in display order, the verdicts that occur."""
        counts = Counter(Verdict(x.verdict) for x in items if x.verdict is not None)
        return [(v, counts[v]) for v in fmt.VERDICT_ORDER if counts[v]]

    def _tally_text(self, items: Iterable[Any]) -> str:
        return ", ".join(f"{n} {fmt.verdict_words(v)}" for v, n in self._tally(items)) or "no verdicts"

    def _tally_line(self, items: Iterable[Any]) -> Line:
        """``3 ✓ · 2 ✗ · 11 ?``: counts with the verdicts' marks."""
        return joined(((lit(f"{n} "), mark(v)) for v, n in self._tally(items)), " · ")

    @property
    def _results(self) -> list[FairnessResult]:
        fa = self.card.fairness
        return list(fa.results or []) if fa is not None else []

    @cached_property
    def summary_section(self) -> Record | None:
        """The summary section, or None when the card has neither fairness results nor requirements."""
        return self._summary()

    def _summary(self) -> Record | None:
        """The first page or two: fairness verdict counts and the largest disparities, the release
        requirements met and not met (as ``modelcard gate`` judges them), the intended and out-of-scope
        uses in brief.  Left out for a card with neither fairness results nor requirements."""
        fairness = self._fairness_summary()
        requirements = self._requirements_summary()
        if fairness is None and requirements is None:
            return None
        return section("summary", "Summary", [fairness, requirements, self._uses_summary()], css="summary")

    def _fairness_summary(self) -> Record | None:
        results = self._results
        fa = self.card.fairness
        spreads = [s for s in (fa.spreads or []) if s.verdict is not None] if fa is not None else []
        if not results and not spreads:
            return None
        groupings: OrderedDict[str, list[Any]] = OrderedDict()
        for r in results:
            groupings.setdefault(" × ".join(r.group), []).append(r)
        shown = [v for v, _ in self._tally([*results, *spreads])]

        def counts(label: str, items: list[Any], css: str = "") -> Row:
            c = Counter(Verdict(x.verdict) for x in items)
            return row(
                (text(label),),
                (lit(fmt.num(len(items))),),
                *((lit(fmt.num(c[v])) if c[v] else muted("–"),) for v in shown),
                css=css,
            )

        rows = [counts(f"groups by {k}", v) for k, v in groupings.items()]
        if spreads:
            rows.append(counts("best versus worst group", spreads))
        if len(rows) > 1:
            rows.append(counts("all", [*results, *spreads], css="total"))
        tally = table(
            [
                column("Comparisons", header=True),
                column("Results", numeric=True),
                *(column(f"{fmt.verdict_glyph(v)} {fmt.verdict_words(v)}", numeric=True) for v in shown),
            ],
            rows,
            title="Verdicts",
            css="tally",
        )
        blocks: list[Record | None] = [tally]
        if results:
            blocks += self._largest_disparities(results)
        if self.verdict_rule:
            blocks.append(
                facts(
                    [fact("How verdicts are decided", (lit(f"{self.verdict_rule} {self.verdict_family}".strip()),))],
                    "notes",
                )
            )
        return group("Fairness summary", blocks, id="fairness-summary")

    def _largest(self, results: list[FairnessResult]) -> tuple[list[int], str]:
        """The summary's :data:`SUMMARY_MAX_DISPARITIES` largest disparities, failed first (their positions,
        by metric in the order of each metric's largest, the largest first within), and the convention
        their chart draws; the chart is made here, with the view's other charts."""
        by_metric: OrderedDict[str, list[int]] = OrderedDict()
        for i in worst_first(results)[:SUMMARY_MAX_DISPARITIES]:
            by_metric.setdefault(results[i].metric, []).append(i)
        picked = [i for ids in by_metric.values() for i in ids]
        if not picked:
            return [], ""
        conventions = Counter(shown_disparity(results[i])[0] or "difference" for i in picked)
        conv = conventions.most_common(1)[0][0]
        panels = []
        for metric, ids in by_metric.items():
            drawn = [
                self._disparity_row(results[i], fmt.group_values(results[i].group))
                for i in ids
                if (shown_disparity(results[i])[0] or "difference") == conv
            ]
            if drawn:
                panels.append(charts.Panel(self._metric_title(metric), drawn))
        what = "difference (group − reference)" if conv == "difference" else "ratio (group / reference)"
        self.charts[SUMMARY_CHART] = self._forest(
            "Largest disparities",
            panels,
            description=f"The largest disparities, failed first: each group's {what} with the confidence interval "
            "its verdict is decided on; the shaded band is the range the threshold accepts, the dashed line no "
            "difference.",
            axis_label=what,
            chart_id=SUMMARY_CHART,
            reference_label="no difference",
        )
        return picked, what

    def _criteria_chart(self, results: list[FairnessResult]) -> tuple[tuple[str, ...], int, str]:
        """The body's disparity chart: a panel per metric the fairness criteria name (every metric when
        they name none), each with its largest disparities (failed first, :func:`worst_first`); returns
        the metrics, the rows drawn and the convention drawn (the one most of them are shown in)."""
        metrics = self.charted_metrics
        if not metrics:
            return (), 0, ""
        per_metric = max(2, min(CHART_MAX_ROWS, CRITERIA_CHART_ROWS // len(metrics)))
        by_metric = {fg.metric: fg.results for fg in self.fairness_groups}
        conventions = Counter(shown_disparity(r)[0] or "difference" for m in metrics for r in by_metric[m])
        conv = conventions.most_common(1)[0][0]
        panels = []
        for metric in metrics:
            same = [r for r in by_metric[metric] if (shown_disparity(r)[0] or "difference") == conv]
            picked = worst_first(same)[:per_metric]
            if picked:
                rows = [self._disparity_row(same[i], fmt.group_values(same[i].group)) for i in picked]
                title = self._metric_title(metric)
                panels.append(charts.Panel(f"{title}: {len(picked)} of {len(by_metric[metric])}", rows))
        what = "difference (group − reference)" if conv == "difference" else "ratio (group / reference)"
        self.charts[CRITERIA_CHART] = self._forest(
            "Largest disparities by metric",
            panels,
            description=f"For each metric, its largest disparities, failed first: each group's {what} with the "
            "confidence interval its verdict is decided on; the shaded band is the range the threshold accepts, "
            "the dashed line no difference.",
            axis_label=what,
            chart_id=CRITERIA_CHART,
            reference_label="no difference",
        )
        return metrics, sum(len(p.rows) for p in panels), what

    def _largest_disparities(self, results: list[FairnessResult]) -> list[Record | None]:
        """The largest disparities as a chart and a table, in the same order."""
        picked, what = self.largest
        # the chart has one axis: it draws the disparities of one convention, the table all of them
        conventions = Counter(_convention_of(results[i]) for i in picked)
        drawn = conventions.pop(_drawn_convention(what), 0)
        thresholds = {fmt.threshold_text(results[i].threshold) for i in picked}
        common = thresholds.pop() if len(thresholds) == 1 else ""
        pct = fmt.general(self.ci_level * 100)
        table_rows = []
        for i in picked:
            r = results[i]
            conv_i, d = shown_disparity(r)
            table_rows.append(
                row(
                    (text(r.metric),),
                    _group_line(r.group),
                    (text(fmt.group_values(r.reference_group)) if r.reference_group else lit("—"),),
                    (text(fmt.disparity_text(conv_i, d)),),
                    (text(fmt.threshold_text(r.threshold)),),
                    _n_cell(r.n, self.small_sample(r)),
                    (verdict(r.verdict),),
                )
            )
        n = len(results)
        return [
            chart(
                SUMMARY_CHART,
                self.chart_files.get(SUMMARY_CHART, ""),
                alt=self.chart_alt(SUMMARY_CHART),
                caption=f"The {len(picked)} largest of {n} disparities, failed first{_not_drawn(drawn, conventions)}: "
                f"each group's {what} with the {pct}% confidence interval its verdict is decided on; the shaded "
                "band is the range the threshold accepts, the dashed line no difference.",
            ),
            table(
                [
                    column("Metric", header=True),
                    column("Group"),
                    column("Compared with"),
                    column("Disparity [CI]", numeric=True),
                    None if common else column("Threshold"),
                    column("n", numeric=True),
                    column("Verdict"),
                ],
                table_rows,
                title=f"Largest disparities ({len(picked)} of {n})",
                css="fairness",
                footnotes=[f"Threshold for every row: {common}."] if common else [],
            ),
            facts(
                [
                    fact(
                        "Every result",
                        (
                            lit("by metric under "),
                            ref("Fairness", "fairness"),
                            lit("; each one, with both disparities and their intervals, in "),
                            ref(APPENDIX_FAIRNESS, anchor(APPENDIX_FAIRNESS)),
                            lit("."),
                        ),
                    )
                ],
                "notes",
            ),
        ]

    def _requirements_summary(self) -> Record | None:
        """The release requirements as ``modelcard gate`` judges them (its checks, not a second rule)."""
        checks = [c for c in self.gate.checks if c.kind == "requirement"]
        if not checks:
            return None
        met = sum(1 for c in checks if c.verdict == "pass")
        missed = sum(1 for c in checks if c.verdict in ("fail", "missing"))
        unsettled = len(checks) - met - missed
        headline = f"{met} of {len(checks)} met, {missed} not met" + (
            f", {unsettled} not settled (inconclusive or not run)" if unsettled else ""
        )

        def bar(c: Any) -> Line:
            parts = [f"≥ {fmt.general(c.threshold_min)}"] if c.threshold_min is not None else []
            parts += [f"≤ {fmt.general(c.threshold_max)}"] if c.threshold_max is not None else []
            return (text(c.metric), lit(" " + " and ".join(parts)))

        def value(c: Any) -> Line:
            if c.value is None:
                return (muted("not reported" if c.verdict == "missing" else "undefined"),)
            ci = f" [{fmt.num(c.ci[0])}, {fmt.num(c.ci[1])}]" if c.ci is not None else ""
            return (lit(fmt.num(c.value)), note(ci) if ci else lit(""))

        rows = [
            row(
                bar(c),
                line(
                    text(check_label(c)),
                    *(
                        (lit(", "), code(c.dataset), lit(f" ({c.split})") if c.split else None)
                        if c.dataset and c.verdict != "missing"  # a missing one's label names its dataset
                        else ()
                    ),
                ),
                value(c),
                (lit("whole CI" if c.basis == "confidence_interval" else "estimate"),),
                _lines(
                    (verdict(c.verdict),) if c.verdict in {v.value for v in Verdict} else (strong(c.verdict),),
                    (note(c.note),) if c.note else None,
                ),
            )
            for c in checks
        ]
        return group(
            "Release requirements",
            [
                facts([fact("Requirements", (lit(headline + "."),))], "inline"),
                table(
                    [
                        column("Requirement", header=True),
                        column("Applies to"),
                        column(f"Value [{self.ci_label}]", numeric=True),
                        column("Judged on"),
                        column("Verdict"),
                    ],
                    rows,
                ),
            ],
            id="release-requirements",
        )

    def _uses_summary(self) -> Record | None:
        """The intended and out-of-scope uses, a few of each, as two labelled lines."""
        iu = self.card.intended_use
        if iu is None:
            return None

        def brief(uses: Sequence[str] | None) -> Line:
            shown = [u.strip() for u in list(uses or [])[:SUMMARY_MAX_USES]]
            more = len(uses or []) - len(shown)
            parts: list[Part] = []
            for k, u in enumerate(shown):  # sentences run on; phrases are separated by semicolons
                parts += [lit(" " if shown[k - 1][-1:] in ".!?" else "; ")] if k else []
                parts.append(md(u))
            return (
                *parts,
                *((lit("; "), muted(f"and {more} more")) if more > 0 else ()),
                *((muted("not stated"),) if not shown else ()),
                *((lit(" ("), ref("Intended use", "intended-use"), lit(")")) if more > 0 else ()),
            )

        return facts(
            [fact("Intended uses", brief(iu.primary_uses)), fact("Out of scope", brief(iu.out_of_scope_uses))],
            "inline",
            title="Intended use in brief",
            heading=True,
            css="uses-brief",
        )

    def _results_by_metric(self) -> Record | None:
        """Fairness verdicts per metric, with each metric's largest disparity (failed first)."""
        if not self.fairness_groups:
            return None
        rows = []
        for fg in self.fairness_groups:
            worst = fg.results[worst_first(fg.results)[0]]
            conv, d = shown_disparity(worst)
            rows.append(
                row(
                    (text(fg.metric),),
                    (lit(fmt.num(len(fg.results))),),
                    self._tally_line(fg.results),
                    line(mark(worst.verdict), lit(" "), text(fmt.disparity_text(conv, d))),
                    line(
                        text(fmt.group_values(worst.group)),
                        muted(" vs ") if worst.reference_group else None,
                        text(fmt.group_values(worst.reference_group)) if worst.reference_group else None,
                    ),
                )
            )
        return group(
            "",
            [
                table(
                    [
                        column("Metric", header=True),
                        column("Results", numeric=True),
                        column("Verdicts"),
                        column("Largest disparity [CI]", numeric=True),
                        column("Group"),
                    ],
                    rows,
                    title="Results by metric",
                    css="by-metric",
                ),
                facts(
                    [
                        fact(
                            "Every result",
                            (
                                lit("with both disparities and their intervals: "),
                                ref(APPENDIX_FAIRNESS, anchor(APPENDIX_FAIRNESS)),
                                lit(
                                    ". Largest: failed first, then the largest |difference| or the ratio furthest "
                                    "from 1."
                                ),
                            ),
                        )
                    ],
                    "notes",
                ),
            ],
        )

    # appendices

    def _appendix_metrics(self) -> Record | None:
        """Appendix A: every group's metrics, groups down (grouping after grouping) and metrics across, split
        over several tables when there are many metrics; one set of tables per dataset and split."""
        sliced = [m for m in self.card.metrics or [] if m.slice]
        if not sliced:
            return None
        places: OrderedDict[tuple[str | None, str | None], list[MetricResult]] = OrderedDict()
        for m in sliced:
            places.setdefault((m.dataset, m.split), []).append(m)
        where = _where(*next(iter(places))) if len(places) == 1 else ""
        blocks: list[Record | None] = [
            facts(
                [
                    fact(
                        "Reading the tables",
                        (
                            lit(
                                f"each cell is a metric's value{where} with its {self.ci_label} below and, in "
                                "parentheses, the metric's own n (its denominator: the negatives for a false positive "
                                "rate...) where it differs from the group's n, given under the group's name. "
                                "† small sample. Overall values: "
                            ),
                            ref("Metrics", "metrics"),
                            lit("."),
                        ),
                    )
                ],
                "notes",
            )
        ]
        for (d, s), ms in places.items():
            title = f"On {_where(d, s).strip()[3:] or 'unnamed data'}" if len(places) > 1 else ""
            blocks.append(group(title, self._metric_matrix(ms), id=anchor(f"A {title}") if title else ""))
        return section(anchor(APPENDIX_METRICS), APPENDIX_METRICS, blocks, css="appendix")

    def _metric_matrix(self, ms: list[MetricResult]) -> list[Record | None]:
        rows: OrderedDict[Any, list[MetricResult]] = OrderedDict()
        cols: OrderedDict[str, None] = OrderedDict()
        cells: dict[tuple[Any, str], MetricResult] = {}
        for m in ms:
            key, label = _free_row(cells, (group_key(m.slice),), _metric_label(m))
            rows.setdefault(key, []).append(m)
            cols.setdefault(label, None)
            cells[(key, label)] = m
        typical = {k: _typical_n(v) for k, v in rows.items()}
        small = {k: all(self.small_sample(m) for m in v) for k, v in rows.items()}
        order, firsts = _by_grouping({k: tuple(v[0].slice or {}) for k, v in rows.items()})

        def header(key: Any, marker: str) -> Lines:
            g = rows[key][0].slice
            return _lines(
                (muted(f"by {fmt.group_names(g)}"),) if key in firsts else None,
                (text(fmt.group_values(g)), lit(marker)),
                line(
                    note(f"n={fmt.num(typical[key])}") if typical[key] is not None else None,
                    lit(" ") if small[key] and typical[key] is not None else None,
                    flag() if small[key] else None,
                ),
            )

        def cell(key: Any, label: str, marker: str) -> Lines:
            m = cells[(key, label)]
            dagger = " †" if self.small_sample(m) and not small[key] else ""
            n = f" ({fmt.num(m.n)})" if m.n is not None and m.n != typical[key] else ""
            first = (
                line(muted("undefined"), lit(marker + dagger) if marker or dagger else None, note(n) if n else None)
                if m.value is None
                else (lit(_metric_num(m) + marker + dagger), *((note(n),) if n else ()))
            )
            ci = m.confidence_interval
            return _lines(first, (note(fmt.interval(ci)),) if ci is not None else None)

        return _matrix(
            order,
            list(cols),
            header,
            cell,
            {k: _metric_notes(m) for k, m in cells.items()},
            per_table=APPENDIX_METRIC_COLUMNS,
            breaks=firsts - {order[0]},
            every="Every value",
        )

    @cached_property
    def _metric_index(self) -> dict[tuple[Any, ...], MetricResult]:
        """Sliced metrics by (name, group, dataset, split), those without display name, config or arguments."""
        out: dict[tuple[Any, ...], MetricResult] = {}
        for m in self.card.metrics or []:
            if m.slice and not (m.config or m.args is not None or (m.display_name and m.display_name != m.name)):
                out.setdefault((m.name, group_key(m.slice), m.dataset, m.split), m)
        return out

    def _in_appendix_a(self, r: FairnessResult) -> bool:
        """Whether a result's value, interval and n, and its reference value, are the ones Appendix A shows
        for the group and its reference group (then its cell gives only the disparities)."""
        m = self._metric_index.get((r.metric, group_key(r.group), r.dataset, r.split))
        if m is None or m.value != r.value or m.n != r.n:
            return False
        if (m.confidence_interval is None) != (r.confidence_interval is None):
            return False
        if m.confidence_interval is not None and r.confidence_interval is not None:
            a, b = m.confidence_interval, r.confidence_interval
            if (a.lower, a.upper) != (b.lower, b.upper):
                return False
        if r.reference_value is None:
            return True
        mr = (
            self._metric_index.get((r.metric, group_key(r.reference_group), r.dataset, r.split))
            if r.reference_group
            else None
        )
        return mr is not None and mr.value == r.reference_value

    @cached_property
    def _judgements(self) -> dict[tuple[str | int, ...], Any]:
        """The rule's judgement of each result and spread, by its path (a lookup, not a search per result)."""
        return {m.path: m for m in self.judged.members}

    def _result_notes(self, position: int) -> list[str]:
        """A result's notes, sentence by sentence, without the one that restates the verdict the rule
        derives from the numbers its cell shows (``Verdict: the interval [...] lies outside the band...``)."""
        r = self._results[position]
        member = self._judgements.get(("fairness", "results", position))
        derived = f"Verdict: {member.judgement.reason}." if member is not None else None
        out = [s for s in _sentences(r.notes) if s != derived] if r.notes else []
        conv, d = shown_disparity(r)
        if d is not None and d.value is None and d.undefined_reason:
            out.append(f"{conv} undefined: {d.undefined_reason}")
        if r.value is None and r.undefined_reason and not self._in_appendix_a(r):
            out.append(f"Value undefined: {r.undefined_reason}")
        return out

    def _appendix_fairness(self) -> Record | None:
        """Appendix B: every fairness result, one table per grouping compared, groups down (each with its
        reference group) and metrics across."""
        results = self._results
        if not results:
            return None
        thresholds = {fmt.threshold_text(r.threshold) for r in results}
        common = thresholds.pop() if len(thresholds) == 1 else ""
        reading = (
            "each cell gives the verdict's mark (✓ pass, ✗ fail, ? inconclusive, – not run), the disparity it "
            f"is decided on with its {self.ci_label}, and below it the other disparity (a difference is "
            "group − reference, signed; a ratio group / reference, ×). The values, intervals and n of the group "
            "and of its reference group are those of "
        )
        blocks: list[Record | None] = [
            facts(
                [
                    fact(
                        "Reading the tables",
                        (
                            lit(reading),
                            ref(APPENDIX_METRICS, anchor(APPENDIX_METRICS)),
                            lit(
                                ", unless the cell gives them. † small sample (the group or its reference)."
                                + (f" Threshold for every result: {common}." if common else "")
                            ),
                        ),
                    ),
                ],
                "notes",
            )
        ]
        places: OrderedDict[tuple[str | None, str | None], list[int]] = OrderedDict()
        for i, r in enumerate(results):
            places.setdefault((r.dataset, r.split), []).append(i)
        for (d, s), ids in places.items():
            title = f"On {_where(d, s).strip()[3:] or 'unnamed data'}" if len(places) > 1 else ""
            blocks.append(
                group(
                    title,
                    self._result_matrix(ids, with_threshold=not common),
                    id=anchor(f"B {title}") if title else "",
                )
            )
        return section(anchor(APPENDIX_FAIRNESS), APPENDIX_FAIRNESS, blocks, css="appendix")

    def _result_matrix(self, ids: list[int], *, with_threshold: bool) -> list[Record | None]:
        results = self._results
        rows: OrderedDict[Any, FairnessResult] = OrderedDict()
        cols: OrderedDict[str, None] = OrderedDict()
        cells: dict[tuple[Any, str], int] = {}
        for i in ids:
            r = results[i]
            key, _ = _free_row(
                cells, (group_key(r.group), group_key(r.reference_group) if r.reference_group else None), r.metric
            )
            rows.setdefault(key, r)
            cols.setdefault(r.metric, None)
            cells[(key, r.metric)] = i
        order, firsts = _by_grouping({k: tuple(r.group) for k, r in rows.items()})

        def header(key: Any, marker: str) -> Lines:
            r = rows[key]
            return _lines(
                (muted(f"by {fmt.group_names(r.group)}"),) if key in firsts else None,
                (text(fmt.group_values(r.group)), lit(marker)),
                (muted("vs "), text(fmt.group_values(r.reference_group))) if r.reference_group else None,
            )

        def cell(key: Any, metric: str, marker: str) -> Lines:
            r = results[cells[(key, metric)]]
            conv, d = shown_disparity(r)
            other = "ratio" if conv == "difference" else "difference"
            holder = r.disparity
            od = getattr(holder, other, None) if holder is not None and conv is not None else None
            dagger = " †" if self.small_sample(r) else ""

            def shown(c: str | None, x: Any) -> str:
                return "undefined" if x is not None and x.value is None else fmt.disparity_text(c, x)

            extra: list[str] = []
            if not self._in_appendix_a(r):
                extra.append("value " + (fmt.value_text(r) if r.value is not None else "undefined"))
                if r.reference_value is not None:
                    extra.append(f"ref. {fmt.num(r.reference_value)}")
                if r.n is not None:
                    extra.append(f"n={fmt.num(r.n)}")
            return _lines(
                (mark(r.verdict), lit(f" {shown(conv, d)}{marker}{dagger}")),
                (note(shown(other, od)),) if od is not None else None,
                (note(fmt.threshold_text(r.threshold)),) if with_threshold else None,
                (note(" · ".join(extra)),) if extra else None,
            )

        return _matrix(
            order,
            list(cols),
            header,
            cell,
            {k: self._result_notes(i) for k, i in cells.items()},
            per_table=APPENDIX_RESULT_COLUMNS,
            breaks=firsts - {order[0]},
            every="Every result",
        )

    def _appendix_spreads(self) -> Record | None:
        """Appendix C: the spread between the best and the worst group, one table per dataset, groupings
        down and metrics across; each cell the spread's verdict, difference and ratio, and the groups."""
        fa = self.card.fairness
        if fa is None or not fa.spreads:
            return None
        spreads = list(fa.spreads)
        thresholds = {fmt.threshold_text(x.threshold) for x in spreads}
        common = thresholds.pop() if len(thresholds) == 1 else ""
        places: OrderedDict[str | None, list[int]] = OrderedDict()
        for i, x in enumerate(spreads):
            places.setdefault(x.dataset, []).append(i)
        blocks: list[Record | None] = [
            facts(
                [
                    fact(
                        "Reading the tables",
                        (
                            lit(
                                "each cell gives the verdict's mark, the spread between the highest and the lowest "
                                "group (difference = max − min, ratio = min / max, ×) with the interval it is "
                                "decided on, and those two groups. † small sample."
                                + (f" Threshold for every spread: {common}." if common else "")
                            ),
                        ),
                    )
                ],
                "notes",
            )
        ]
        for dataset, ids in places.items():
            blocks.append(
                group(
                    f"On {dataset}" if dataset and len(places) > 1 else "",
                    self._spread_matrix(spreads, ids, with_threshold=not common),
                )
            )
        return section(anchor(APPENDIX_SPREADS), APPENDIX_SPREADS, blocks, css="appendix")

    def _spread_matrix(self, spreads: list[Any], ids: list[int], *, with_threshold: bool) -> list[Record | None]:
        rows: OrderedDict[tuple[Any, ...], list[str]] = OrderedDict()
        cols: OrderedDict[str, None] = OrderedDict()
        cells: dict[tuple[Any, str], int] = {}
        for i in ids:
            x = spreads[i]
            key, _ = _free_row(cells, (tuple(x.attributes),), x.metric)
            rows.setdefault(key, list(x.attributes))
            cols.setdefault(x.metric, None)
            cells[(key, x.metric)] = i

        def header(key: tuple[Any, ...], marker: str) -> Lines:
            return ((text(" × ".join(rows[key])), lit(marker)),)

        def cell(key: tuple[Any, ...], metric: str, marker: str) -> Lines:
            x = spreads[cells[(key, metric)]]
            conv, d = shown_disparity(x)
            other = "ratio" if conv == "difference" else "difference"
            od = getattr(x, other, None) if conv is not None else None
            dagger = " †" if x.small_sample else ""
            head = (mark(x.verdict), lit(" ")) if x.verdict is not None else ()
            return _lines(
                (*head, lit(f"{fmt.value_text(d) if d is not None else fmt.DASH}{marker}{dagger}")),
                (note(("×" if other == "ratio" else "") + fmt.value_text(od)),) if od is not None else None,
                (note(f"max {fmt.group_values(x.max_group)}"),) if x.max_group else None,
                (note(f"min {fmt.group_values(x.min_group)}"),) if x.min_group else None,
                (note(fmt.threshold_text(x.threshold)),) if with_threshold else None,
            )

        return _matrix(
            list(rows),
            list(cols),
            header,
            cell,
            {k: _sentences(spreads[i].notes) if spreads[i].notes else [] for k, i in cells.items()},
            per_table=APPENDIX_SPREAD_COLUMNS,
            breaks=set(),
            every="Every spread",
            corner="Across",
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

    @cached_property
    def gate(self) -> GateResult:
        """The release gate on the card's own requirements and verdicts, with ``modelcard gate``'s defaults."""
        return gate_card(self.stated_card)

    def decision(self) -> Record:
        """The overall release decision: the gate's outcome, its rule in words, and the family judged.

        ``status`` is ``pass`` (cleared), ``fail`` (blocked) or ``empty`` (nothing to check, not cleared).
        """
        g = self.gate
        status = "empty" if g.empty else "pass" if g.passed else "fail"
        label = {"pass": "Cleared for release", "fail": "Release blocked", "empty": "No release decision"}[status]
        mark = Verdict({"pass": "pass", "fail": "fail", "empty": "not_run"}[status])
        counts = g.counts
        n_requirements = sum(1 for c in g.checks if c.kind == "requirement")
        return Record(
            {
                "status": status,
                "label": label,
                "icon": mark.icon,
                "glyph": fmt.verdict_glyph(mark),
                "outcome": g.outcome[:1].upper() + g.outcome[1:] + ".",
                "counts": tuple((v, counts[v]) for v in ("fail", "missing", "inconclusive", "not_run", "pass")),
                "checks": len(g.checks),
                "blocking": len(g.blocking),
                "requirements": n_requirements,
                "rule": g.rule_text(),
                "verdict_rule": self.verdict_rule,
                "family_size": g.verdicts.family_size,
                "family": self.verdict_family,
                "facts": facts(
                    [
                        fact("Rule", (lit(f"{g.rule_text()} {self._requirements_text()}"),)),
                        fact(
                            "Verdicts",
                            (lit(f"{self.verdict_rule} {self.verdict_family}"),) if self.verdict_rule else None,
                        ),
                    ],
                    "notes",
                    css="sc-decision-facts",
                ),
            }
        )

    def _requirements_text(self) -> str:
        """What the card's release requirements add to the decision, in a sentence."""
        tm = self.card.test_methodology
        stated = len(tm.requirements or []) if tm is not None else 0
        checks = sum(1 for c in self.gate.checks if c.kind == "requirement")
        if not stated:
            if any(c.kind != "requirement" for c in self.gate.checks):
                return "The card states no release requirements: the decision rests on its fairness verdicts."
            return "The card states no release requirements and no fairness verdicts."
        return (
            f"The card states {stated} release requirement{'s' if stated != 1 else ''} "
            f"({checks} check{'s' if checks != 1 else ''})."
        )

    def sign_off(self, *, level: int = 3, heading: bool = True, limit: int = 0, comment: int = 0) -> Record | None:
        """Who signed off the release (a table), the last review and the next one; None when the card
        records neither a sign-off nor a review date.  ``limit`` (the scorecard) lists that many sign-offs,
        rejections and pending ones first, in the card's order, and counts the rest; ``comment`` cuts each
        comment to that many characters, as plain text."""
        meta = self.card.card
        every = list(meta.sign_off or [])
        if not every and meta.next_review is None:
            return None
        people = every
        if limit and len(every) > limit:
            first = {"rejected": 0, "pending": 1, None: 2, "approved_with_conditions": 3, "approved": 4}
            kept = sorted(sorted(range(len(every)), key=lambda i: first.get(every[i].decision, 2))[:limit])
            people = [every[i] for i in kept]
        more = len(every) - len(people)

        def contact(value: str | None) -> Line:
            if not value:
                return ()
            url = value if "://" in value or value.startswith("mailto:") else f"mailto:{value}" if "@" in value else ""
            return (lit(" · "), link(url, value) if url else text(value))

        rows = [
            row(
                (text(p.name),),
                line(
                    text(p.role),
                    *((lit(", "), text(p.organization)) if p.organization else ()),
                    *contact(p.contact),
                ),
                (strong(p.decision.replace("_", " ")) if p.decision else muted("not stated"),),
                (text(p.date.isoformat()) if p.date else muted("not dated"),),
                (
                    (text(to_text(p.comment, comment)),)  # a long comment cut, as plain text
                    if comment and len(to_text(p.comment)) > comment
                    else (md(p.comment),)
                )
                if p.comment
                else (),
            )
            for p in people
        ]
        dates = [p.date for p in every if p.date is not None]
        return group(
            "",
            [
                table(
                    [
                        column("Signed off by", header=True),
                        column("Role"),
                        column("Decision"),
                        column("Date"),
                        column("Comment") if any(p.comment for p in people) else None,
                    ],
                    rows,
                    title="Sign-off",
                    level=level,
                    heading=heading,
                    css="sign-off",
                    footnotes=[f"And {fmt.plural(more, 'more sign-off')} in the full card."] if more else [],
                ),
                facts(
                    [
                        fact("Sign-off", (muted("none recorded in the card"),)) if not people else None,
                        fact(
                            "Review",
                            joined(
                                [
                                    *(
                                        [(lit(f"last {max(dates).isoformat()} (the latest sign-off)"),)]
                                        if dates
                                        else []
                                    ),
                                    *([(lit(f"next due {meta.next_review.isoformat()}"),)] if meta.next_review else []),
                                ],
                                "; ",
                            ),
                        ),
                    ],
                    "inline",
                    css="review-dates",
                ),
            ],
            css="sign-off-block",
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
        if fairness is not None:
            notes = (
                *fairness.footnotes,
                *((f"Not shown for space: {omitted} (all results are in the full card).",) if omitted else ()),
                f"n: instances in the group{' / its reference group' if any(map(self.reference_n, rows)) else ''}. "
                f"Small sample: {SMALL_SAMPLE_RULE}.",
            )
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
                    (lit(_metric_num(m)) if m.value is not None else lit("undefined"),),
                    (lit(fmt.interval(m.confidence_interval)),),
                    _n_cell(m.n, self.small_sample(m)),
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
                "decision": self.decision(),
                "sign_off": self.sign_off(level=3, limit=SCORECARD_MAX_SIGN_OFFS, comment=SCORECARD_SIGN_OFF_COMMENT),
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

    def _fairness_chart(self, metric: str, rs: list[FairnessResult]) -> tuple[str, int, str]:
        """A metric's disparity chart: (svg, rows drawn, convention drawn).

        Each row is a group's disparity from its reference group (the one its verdict is decided on:
        :func:`~modelcard.schema.verdicts.shown_disparity`) with that disparity's interval, against the
        band the threshold accepts and the line of no difference; rows under their reference group. The
        chart draws every result of one convention (the one most results are shown in), in the card's order
        (the full card shows :meth:`_criteria_chart` instead; this one is a Markdown sidecar on request and
        ``view.fairness_groups[].chart_svg`` for templates).
        """
        conventions = Counter(shown_disparity(r)[0] or "difference" for r in rs)
        conv = conventions.most_common(1)[0][0]
        same = [r for r in rs if (shown_disparity(r)[0] or "difference") == conv]
        kept = list(range(len(same)))
        panels: OrderedDict[str, charts.Panel] = OrderedDict()
        for i in kept:
            r = same[i]
            ref_group = r.reference_group
            key = fmt.group_pairs(ref_group) if ref_group else "no reference group"
            heading = f"vs {fmt.group_values(ref_group)} ({fmt.group_names(ref_group)})" if ref_group else "groups"
            panels.setdefault(key, charts.Panel(heading)).rows.append(self._disparity_row(r, fmt.group_values(r.group)))
        what = "difference (group − reference)" if conv == "difference" else "ratio (group / reference)"
        title = f"{self._metric_title(metric)}: {what}"
        desc = (
            f"Each group's {what} in {metric} with the confidence interval its verdict is decided on; "
            "the shaded band is the range the threshold accepts, the dashed line no difference"
            + (f"; the {len(kept)} largest of {len(rs)} comparisons." if len(kept) < len(rs) else ".")
        )
        svg = self._forest(
            title,
            list(panels.values()),
            description=desc,
            axis_label=what,
            chart_id=f"fairness-{metric}",
            reference_label="no difference",
        )
        return svg, len(kept), conv

    @staticmethod
    def _disparity_row(r: FairnessResult, label: str) -> charts.Row:
        """A chart row: the disparity a result is judged on, its interval, its band and its verdict."""
        conv, d = shown_disparity(r)
        ci = d.confidence_interval if d is not None else None
        t = r.threshold
        return charts.Row(
            label=label,
            value=d.value if d is not None else None,
            lower=ci.lower if ci else None,
            upper=ci.upper if ci else None,
            reference=1.0 if conv == "ratio" else 0.0,
            band=(t.min, t.max) if t is not None and t.convention == (conv or "difference") else None,
            status=str(r.verdict),
            note=f"n={r.n:,}" if r.n is not None else "",
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
        return self._forest(
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
        return self._forest(
            f"{self._metric_title(metric)} by slice",
            list(panels.values()),
            description=f"{metric} per slice with confidence intervals"
            + ("; the dashed tick is the overall value." if overall else "."),
            axis_label=metric,
            chart_id=f"metric-{metric}",
            reference_label="overall value",
        )

    def _forest(self, title: str, panels: Sequence[charts.Panel], **options: Any) -> str:
        """A forest plot (:func:`charts.forest_svg`), its description in words kept as its alt text."""
        chart_id = charts.slug(options.get("chart_id") or title)
        self.chart_alts[chart_id] = charts.describe(
            title, panels, reference_label=options.get("reference_label", "reference group")
        )
        return charts.forest_svg(title, panels, **options)

    def chart_alt(self, chart_id: str) -> str:
        """A chart's alt text: what it shows, with its numbers (:func:`charts.describe`)."""
        return self.chart_alts.get(chart_id, "")

    # ------------------------------------------------------------------ group sizes

    @cached_property
    def _slice_n(self) -> dict[tuple[Any, ...], int]:
        """n of every sliced metric: (metric, slice, dataset, split) -> n, and without dataset and split
        when that is unambiguous."""
        out: dict[tuple[Any, ...], int] = {}
        loose: dict[tuple[Any, ...], set[int]] = {}
        for m in self.card.metrics or []:
            if m.slice and m.n is not None:
                key = (m.name, group_key(m.slice))
                out[key + (m.dataset, m.split)] = m.n
                loose.setdefault(key, set()).add(m.n)
        for key, ns in loose.items():
            if len(ns) == 1:
                out.setdefault(key + (None, None), ns.pop())
        return out

    def reference_n(self, result: FairnessResult) -> int | None:
        """The reference group's n: the card's metric of the same name on the reference group's slice."""
        if not result.reference_group:
            return None
        key = (result.metric, group_key(result.reference_group))
        return self._slice_n.get(key + (result.dataset, result.split), self._slice_n.get(key + (None, None)))

    def small_sample(self, estimate: MetricResult | FairnessResult) -> bool:
        """Whether a value is flagged as a small sample: as the card says (``small_sample``), else by
        the evaluation's rule with its default minimum group size (:data:`SMALL_SAMPLE_RULE`), on the
        value's n and, for a fairness result, its reference group's."""
        if estimate.small_sample is not None:
            return bool(estimate.small_sample)
        sizes = [estimate.n, self.reference_n(estimate) if isinstance(estimate, FairnessResult) else None]
        return any(n is not None and is_small_sample(n) for n in sizes)
