"""Render a card to Markdown, HTML or PDF, as a full card or a one-page scorecard.

Python API::

    from modelcard import load_card
    from modelcard.render.engine import render

    card = load_card("examples/compas-recidivism.yaml")
    page = render(card, "html", layout="scorecard", base_dir="examples")
    page.content            # str for md/html, bytes for pdf
    page.sidecars           # Markdown only: {"compas-charts/fpr.svg": "<svg ...>", ...}

Templates are Jinja files found by name (``card.html.j2``, ``scorecard.md.j2``,
``modelcard.css``...) first in the user's ``template_dir``, then in the built-in
``templates/``.  User templates may be hostile, so every template runs in the
sandbox of :mod:`modelcard.render.sandbox`: it receives plain frozen data built from
the card (never the Pydantic models), an allow-list of filters and globals,
loads files only from inside its folder (symlinks followed), and runs under
limits (``template_timeout``, default 10 s; ``max_output``, default 64 MiB)::

    render(card, "html", template_dir="my-templates", template_timeout=5, max_output=8 * 2**20)

HTML templates autoescape;
Markdown templates do not (``&`` and ``'`` stay as written) and use the
``md_cell`` filter for table cells.  Free text is Markdown rendered to HTML
by :mod:`modelcard.render.markdown_text`, which sanitizes it.

Output is deterministic: the same card always gives byte-identical Markdown
and HTML (no timestamps); PDF dates come from ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from modelcard.diagnostics import Diagnostic, UsageError
from modelcard.render.sandbox import (
    DEFAULT_MAX_OUTPUT,
    DEFAULT_TEMPLATE_TIMEOUT,
    LimitExceeded,
    Limits,
    Record,
    TemplateLimitError,
    TemplateProblem,
    TemplateRefused,
    freeze,
)
from modelcard.schema.models import FairnessResult, MetricResult, ModelCard

__all__ = [
    "DEFAULT_MAX_OUTPUT",
    "DEFAULT_TEMPLATE_TIMEOUT",
    "CardView",
    "Rendered",
    "TemplateLimitError",
    "TemplateProblem",
    "render",
    "render_html",
    "render_index",
    "render_markdown",
    "render_pdf",
]

FORMATS = ("md", "html", "pdf")
LAYOUTS = ("card", "scorecard")
VERDICTS = ("pass", "fail", "inconclusive", "not_run")
VERDICT_LABELS = {"pass": "pass", "fail": "fail", "inconclusive": "inconclusive", "not_run": "not run"}
SCORECARD_MAX_RESULTS = 16  # rows of the scorecard's fairness table (PDF shows fewer if the page overflows)
VERDICT_MARKS = {"pass": "✅", "fail": "❌", "inconclusive": "⚠️", "not_run": "➖"}


@dataclass
class Rendered:
    """The output of one render: ``content`` plus, for Markdown, chart files to write beside it."""

    format: str
    layout: str
    content: str | bytes
    sidecars: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # resources that were not fetched or embedded


# --------------------------------------------------------------------------
# templates


def builtin_templates() -> Path:
    """The built-in templates folder: in the wheel, or at the root of a source checkout."""
    here = Path(__file__).resolve().parent.parent  # the package folder
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "card.html.j2").is_file():
            return candidate
    return here.parent / "templates"


def template_name(layout: str, fmt: str) -> str:
    return f"{layout}.{'md' if fmt == 'md' else 'html'}.j2"


_ASSETS: contextvars.ContextVar[Any] = contextvars.ContextVar("modelcard_render_assets", default=None)


@lru_cache(maxsize=16)
def _environment(kind: str, template_dir: Path | None):
    """A sandboxed environment per (kind, template folder), cached: templates compile once per process.

    The jail loader re-resolves a cached template's name on every use, so a
    file added to or changed in the user's folder is picked up.
    """
    from markupsafe import Markup

    from modelcard.render.sandbox import new_environment, safe_function

    roots = ([template_dir] if template_dir is not None else []) + [builtin_templates()]
    filters, globals_ = _helpers(kind)
    env = new_environment(roots, autoescape=(kind == "html"), filters=filters, globals=globals_)
    loader = env.loader

    def include_raw(name: str) -> str:
        """The text of a file in the template folder (CSS), unrendered; refused outside the folder."""
        source, _, _ = loader.get_source(env, name)
        return Markup(source) if kind == "html" else source

    env.globals["include_raw"] = safe_function(include_raw)
    return env


# --------------------------------------------------------------------------
# formatting helpers shared by the templates


def num(value: float | None, digits: int = 3) -> str:
    """A number for display: fixed decimals, a real minus sign is left to the reader's font."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if float(value).is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    text = f"{value:.{digits}f}"
    if text.strip("-0.") == "":
        text = f"{0:.{digits}f}"
    return text


def signed(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "—"
    text = num(value, digits)
    return text if text.startswith("-") or text.strip("0.") == "" else "+" + text


def interval(ci: Any, digits: int = 3) -> str:
    if ci is None:
        return ""
    return f"[{num(ci.lower, digits)}, {num(ci.upper, digits)}]"


def group_label(group: dict | None) -> str:
    """``{race: African-American, sex: Female}`` -> ``African-American × Female``."""
    if not group:
        return "overall"
    return " × ".join(str(v) for v in group.values())


def group_attributes(group: dict | None) -> str:
    if not group:
        return ""
    return " × ".join(str(k) for k in group)


def group_full(group: dict | None) -> str:
    if not group:
        return "overall"
    return ", ".join(f"{k}: {v}" for k, v in group.items())


def threshold_text(t: Any) -> str:
    if t is None:
        return "—"
    if t.min is not None and t.max is not None:
        return f"{t.convention} in [{num(t.min, 2)}, {num(t.max, 2)}]"
    if t.min is not None:
        return f"{t.convention} ≥ {num(t.min, 2)}"
    return f"{t.convention} ≤ {num(t.max, 2)}"


def disparity_value(result: Any):
    """The disparity the threshold is about (or the first one given)."""
    d = getattr(result, "disparity", None)
    if d is None:
        return None, None
    conv = result.threshold.convention if getattr(result, "threshold", None) else None
    if conv and d.get(conv) is not None:
        return conv, d.get(conv)
    for c in ("difference", "ratio"):
        if d.get(c) is not None:
            return c, d.get(c)
    return None, None


def disparity_text(result: Any) -> str:
    conv, d = disparity_value(result)
    if d is None:
        return "—"
    if d.value is None:
        return f"undefined ({d.undefined_reason})"
    main = signed(d.value) if conv == "difference" else f"×{num(d.value)}"
    ci = interval(d.confidence_interval)
    return f"{main} {ci}".strip()


def value_text(obj: Any, digits: int = 3) -> str:
    if obj is None:
        return "—"
    if getattr(obj, "value", None) is None:
        reason = getattr(obj, "undefined_reason", None)
        return f"undefined ({reason})" if reason else "—"
    return f"{num(obj.value, digits)} {interval(getattr(obj, 'confidence_interval', None), digits)}".strip()


def text_list(values: Iterable[Any] | None) -> str:
    return ", ".join(str(v) for v in values or [])


def party_text(p: Any) -> str:
    bits = [p.name]
    extra = [x for x in (p.role, p.organization) if x]
    if extra:
        bits.append(f"({', '.join(extra)})")
    return " ".join(bits)


# --------------------------------------------------------------------------
# the view: everything templates need, computed once in Python


@dataclass
class FairnessGroup:
    """Fairness results for one metric, split into panels by reference group."""

    metric: str
    definition: Any
    results: list[FairnessResult]
    chart_id: str
    chart_svg: str = ""
    chart_path: str = ""

    @property
    def common_threshold(self) -> str:
        """The threshold text when every result uses the same one, else ''."""
        texts = {threshold_text(r.threshold) for r in self.results}
        return texts.pop() if len(texts) == 1 else ""


@dataclass
class SimpleCompleteness:
    """Fallback with the interface of modelcard.analysis.completeness.Completeness."""

    profile: str
    title: str
    score: float
    covered: int
    total: int
    items: list


@dataclass
class _Item:
    id: str
    title: str
    covered: bool


def completeness(card: ModelCard) -> Any:
    """The ABOUT ML completeness of the card; a recommended-fields figure if that module is absent."""
    try:
        from modelcard.analysis.completeness import assess
    except ImportError:
        assess = None
    if assess is not None:
        return assess(card, "aboutml")
    from modelcard.card.checks import iter_sections
    from modelcard.schema.models import RECOMMENDED

    items = []
    for path, section in iter_sections(card):
        for name, info in type(section).model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and extra.get(RECOMMENDED):
                value = getattr(section, name)
                filled = not (value is None or (isinstance(value, (list, dict, str)) and len(value) == 0))
                dotted = ".".join(str(p) for p in path + (name,))
                items.append(_Item(id=dotted, title=dotted, covered=filled))
    covered = sum(1 for i in items if i.covered)
    total = len(items)
    return SimpleCompleteness(
        "recommended", "Recommended fields filled", covered / total if total else 1.0, covered, total, items
    )


class CardView:
    """Derived, display-ready facts about a card (charts, groupings, counts)."""

    def __init__(self, card: ModelCard, *, chart_prefix: str = "", scorecard_limit: int = 0):
        from modelcard.render import charts

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
            self.charts[fg.chart_id] = fg.chart_svg
            self.fairness_groups.append(fg)
        self.slice_charts: list[tuple[str, str, str]] = []  # (metric, svg, path)
        for metric, ms in self.sliced_metrics:
            cid = f"metric-{charts.slug(metric)}"
            svg = self._slice_chart(metric, ms)
            self.charts[cid] = svg
            self.slice_charts.append((metric, svg, f"{chart_prefix}{cid}.svg" if chart_prefix else ""))
        self.verdict_counts = {v: sum(1 for r in results if r.verdict == v) for v in VERDICTS}
        #: "95% CI": the level the card's intervals use (methodology first, else the intervals' own)
        self.ci_level = self._ci_level(card)
        self.ci_label = f"{self.ci_level * 100:g}% CI"
        ordered = [r for fg in self.fairness_groups for r in fg.results]
        limit = scorecard_limit or SCORECARD_MAX_RESULTS
        if len(ordered) > limit:  # keep the page to one: the worst verdicts first
            rank = {"fail": 0, "inconclusive": 1, "not_run": 2, "pass": 3}
            ordered = sorted(ordered, key=lambda r: rank[r.verdict])
        #: fairness rows for the one-page scorecard, and what they leave out (verdict -> count)
        self.scorecard_results = ordered[:limit]
        self.scorecard_omitted: dict[str, int] = {}
        for r in ordered[limit:]:
            self.scorecard_omitted[r.verdict] = self.scorecard_omitted.get(r.verdict, 0) + 1
        self.n_results = len(results)
        self.completeness = completeness(card)

    @staticmethod
    def _ci_level(card: ModelCard) -> float:
        tm = card.test_methodology
        if tm is not None and tm.confidence_intervals is not None:
            return tm.confidence_intervals.level
        levels = {
            x.confidence_interval.level
            for x in [*(card.metrics or []), *((card.fairness.results or []) if card.fairness else [])]
            if x.confidence_interval is not None
        }
        return levels.pop() if len(levels) == 1 else 0.95

    # ---- charts
    def _metric_title(self, metric: str) -> str:
        d = self.definitions.get(metric)
        if d is not None and d.description:
            head = re.split(r"[:(,;]", d.description, maxsplit=1)[0].strip().rstrip(".")
            if 0 < len(head) <= 40 and head.lower() != metric.lower():
                return f"{metric} ({head.lower() if head[:1].isupper() and head[1:2].islower() else head})"
        return metric

    def _fairness_chart(self, metric: str, rs: list[FairnessResult]) -> str:
        from modelcard.render.charts import Panel, Row, forest_svg

        panels: OrderedDict[str, Panel] = OrderedDict()
        for r in rs:
            ref = r.reference_group
            key = group_full(ref) if ref else "no reference group"
            heading = f"vs {group_label(ref)} ({group_attributes(ref)})" if ref else "groups"
            panel = panels.setdefault(key, Panel(heading))
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
                Row(
                    label=group_label(r.group),
                    value=r.value,
                    lower=ci.lower if ci else None,
                    upper=ci.upper if ci else None,
                    reference=r.reference_value,
                    band=band,
                    status=r.verdict,
                    note=f"n={r.n:,}" if r.n is not None else "",
                )
            )
        title = f"{self._metric_title(metric)} by group"
        desc = (
            f"Per-group {metric} with confidence intervals; dashed ticks mark the reference group's value "
            f"and shaded bands the range its fairness threshold accepts. Verdicts: "
            + ", ".join(f"{group_label(r.group)} {VERDICT_LABELS[r.verdict]}" for r in rs)
            + "."
        )
        return forest_svg(
            title, list(panels.values()), description=desc, axis_label=metric, chart_id=f"fairness-{metric}"
        )

    def _slice_chart(self, metric: str, ms: list[MetricResult]) -> str:
        from modelcard.render.charts import Panel, Row, forest_svg

        overall = self.overall_by_name.get(metric)
        panels: OrderedDict[str, Panel] = OrderedDict()
        for m in ms:
            attrs = group_attributes(m.slice)
            panel = panels.setdefault(attrs, Panel(f"by {attrs}"))
            ci = m.confidence_interval
            panel.rows.append(
                Row(
                    label=group_label(m.slice),
                    value=m.value,
                    lower=ci.lower if ci else None,
                    upper=ci.upper if ci else None,
                    reference=overall.value if overall else None,
                    note=f"n={m.n:,}" if m.n is not None else "",
                )
            )
        return forest_svg(
            f"{self._metric_title(metric)} by slice",
            list(panels.values()),
            description=f"{metric} per slice with confidence intervals"
            + ("; the dashed tick is the overall value." if overall else "."),
            axis_label=metric,
            chart_id=f"metric-{metric}",
            reference_label="overall value",
        )


# --------------------------------------------------------------------------
# rendering


def _render_template(
    kind: str,
    name: str,
    template_dir: Path | None,
    context: dict,
    assets: Any = None,
    limits: Limits | None = None,
) -> str:
    """Render template ``name`` with ``context`` (plain data) in the sandbox, within ``limits``."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError, UndefinedError

    from modelcard.render.sandbox import run_bounded

    env = _environment(kind, template_dir.resolve() if template_dir is not None else None)
    roots = env.loader.roots
    limits = limits or Limits()

    def produce(emit) -> str:
        parts: list[str] = []
        chunks = env.get_template(name).generate(**context)
        for chunk in chunks:
            try:
                emit(chunk)
            except LimitExceeded as exc:
                chunks.throw(exc)  # raised where the template yielded, so the error names its line
                raise
            parts.append(chunk)
        return "".join(parts)

    token = _ASSETS.set(assets)
    try:
        return run_bounded(limits, produce)
    except TemplateNotFound as exc:
        raise TemplateProblem(
            f"template not found: {exc.name}",
            [_template_diag(exc, name, "template not found: ", "template-not-found", str(exc.name), roots)],
        ) from None
    except TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise TemplateProblem(
            str(exc),
            [Diagnostic(f"template syntax error: {exc.message}", file=where, line=exc.lineno, code="template-syntax")],
        ) from None
    except TemplateRefused as exc:
        raise TemplateProblem(str(exc), [_template_diag(exc, name, "", "template-refused", roots=roots)]) from None
    except LimitExceeded as exc:
        raise TemplateLimitError(str(exc), [_template_diag(exc, name, "", "template-limit", roots=roots)]) from None
    except SecurityError as exc:
        raise TemplateProblem(
            str(exc), [_template_diag(exc, name, "blocked by the template sandbox: ", "template-sandbox", roots=roots)]
        ) from None
    except UndefinedError as exc:
        raise TemplateProblem(
            str(exc), [_template_diag(exc, name, "undefined value in template: ", "template-undefined", roots=roots)]
        ) from None
    except TemplateError as exc:
        raise TemplateProblem(
            str(exc), [_template_diag(exc, name, "template error: ", "template-error", roots=roots)]
        ) from None
    except MemoryError:
        raise TemplateLimitError(
            "template rendering ran out of memory",
            [Diagnostic("template rendering ran out of memory", file=name, code="template-limit")],
        ) from None
    except RecursionError as exc:
        message = "templates, macros or includes nest too deeply (endless recursion?)"
        raise TemplateLimitError(
            message, [_template_diag(exc, name, "", "template-limit", message, roots=roots)]
        ) from None
    except (TypeError, ValueError, AttributeError, ArithmeticError, LookupError) as exc:
        raise TemplateProblem(
            str(exc),
            [_template_diag(exc, name, f"template failed ({type(exc).__name__}): ", "template-error", roots=roots)],
        ) from None
    finally:
        _ASSETS.reset(token)


def _template_diag(
    exc: BaseException, name: str, prefix: str, code: str, text: str | None = None, roots: Iterable[Path] = ()
) -> Diagnostic:
    """Locate a runtime template error at the innermost template frame of its traceback.

    Frames of compiled templates carry ``__jinja_template__`` (their line is
    mapped back to the template source); frames Jinja already rewrote are
    named after the template file.
    """
    file, line = name, None
    prefixes = tuple(str(r) + os.sep for r in roots)
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            file, line = template.filename, template.get_corresponding_lineno(tb.tb_lineno)
        elif frame.f_code.co_filename.endswith((".j2", ".css")) or (
            prefixes and frame.f_code.co_filename.startswith(prefixes)
        ):
            file, line = frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return Diagnostic(prefix + (text if text is not None else str(exc)), file=file, line=line, code=code)


def _helpers(kind: str) -> tuple[dict, dict]:
    """The filters and globals templates get, beyond Jinja's allow-listed built-in filters and ``range``."""
    from markupsafe import Markup

    from modelcard.render import markdown_text
    from modelcard.safe_text import safe_url

    def md_filter(text: Any) -> Any:
        return Markup(markdown_text.to_html(text, _ASSETS.get()))

    def md_inline_filter(text: Any) -> Any:
        return Markup(markdown_text.to_html(text, _ASSETS.get(), inline=True))

    filters = dict(
        num=num,
        signed=signed,
        interval=interval,
        group=group_label,
        group_attributes=group_attributes,
        group_full=group_full,
        threshold=threshold_text,
        disparity=disparity_text,
        value=value_text,
        text_list=text_list,
        party=party_text,
        md_cell=markdown_text.md_cell,
        plain=markdown_text.to_text,
        fenced=markdown_text.md_fenced,
    )

    def link_filter(url: Any, text: Any = None) -> Any:
        return Markup(markdown_text.link_html(url, text))

    filters["safe_url"] = safe_url  # the address if it is a safe absolute link, else None
    if kind == "html":
        filters.update(md=md_filter, md_inline=md_inline_filter, link=link_filter)
    else:
        filters.update(md=markdown_text.md_block, md_inline=markdown_text.md_inline, link=markdown_text.link_md)
    globals_ = dict(verdict_labels=VERDICT_LABELS, verdict_marks=VERDICT_MARKS, verdicts=VERDICTS)
    return filters, globals_


def _context(card: ModelCard, view: CardView, kind: str) -> dict:
    """What a card template receives: ``card``, ``view`` and ``generator``, as frozen plain data."""
    from markupsafe import Markup

    from modelcard import __version__

    memo: dict = {}
    frozen_card = freeze(card, memo)
    svg = Markup if kind == "html" else str

    def rec(**fields: Any) -> Record:
        return Record({k: freeze(v, memo) for k, v in fields.items()})

    groups = tuple(
        rec(
            metric=fg.metric,
            definition=fg.definition,
            results=fg.results,
            chart_id=fg.chart_id,
            chart_svg=svg(fg.chart_svg),
            chart_path=fg.chart_path,
            common_threshold=fg.common_threshold,
        )
        for fg in view.fairness_groups
    )
    frozen_view = rec(
        card=frozen_card,
        definitions=view.definitions,
        overall_metrics=view.overall_metrics,
        sliced_metrics=view.sliced_metrics,
        overall_by_name=view.overall_by_name,
        fairness_groups=groups,
        charts={k: svg(v) for k, v in view.charts.items()},
        slice_charts=tuple((m, svg(s), p) for m, s, p in view.slice_charts),
        verdict_counts=view.verdict_counts,
        ci_level=view.ci_level,
        ci_label=view.ci_label,
        scorecard_results=view.scorecard_results,
        scorecard_omitted=view.scorecard_omitted,
        n_results=view.n_results,
        completeness=view.completeness,
    )
    return {"card": frozen_card, "view": frozen_view, "generator": f"modelcard {__version__}"}


def _check(layout: str, fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout '{layout}'; choose one of {', '.join(LAYOUTS)}")


def _template_dir(template_dir: os.PathLike | str | None) -> Path | None:
    if template_dir is None:
        return None
    path = Path(template_dir)
    if not path.is_dir():
        raise UsageError(f"{path}: template folder does not exist")
    return path


def render_markdown(
    card: ModelCard,
    layout: str = "card",
    *,
    template_dir: os.PathLike | str | None = None,
    chart_prefix: str = "",
    template_timeout: float | None = None,
    max_output: int | None = None,
) -> Rendered:
    """Markdown for GitHub / Hugging Face.  With ``chart_prefix`` (e.g. ``"card-charts/"``) the
    text links SVG charts returned in ``sidecars``; without it there are tables only.

    ``template_timeout`` (seconds, default 10) and ``max_output`` (bytes,
    default 64 MiB) bound the template's work: past either, rendering stops
    with :class:`TemplateLimitError`.
    """
    _check(layout, "md")
    limits = Limits.of(template_timeout, max_output)
    folder = _template_dir(template_dir)
    view = CardView(card, chart_prefix=chart_prefix)
    text = _render_template("md", template_name(layout, "md"), folder, _context(card, view, "md"), None, limits)
    from modelcard.render.markdown_text import md_links

    text = md_links(_tidy_markdown(text))  # whatever the template: no unsafe link, no control character
    sidecars = {}
    if chart_prefix:
        for fg in view.fairness_groups:
            if fg.chart_path and fg.chart_path in text:
                sidecars[fg.chart_path] = fg.chart_svg
        for _, svg, path in view.slice_charts:
            if path and path in text:
                sidecars[path] = svg
    return Rendered("md", layout, text, sidecars)


def _tidy_markdown(text: str) -> str:
    """Collapse runs of blank lines left by optional sections; end with one newline."""
    lines = text.split("\n")
    out: list[str] = []
    blank = 0
    in_fence = False
    for line in lines:
        stripped = line.rstrip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        if not stripped and not in_fence:
            blank += 1
            if blank > 1:
                continue
        else:
            blank = 0
        out.append(line if in_fence else stripped)
    return "\n".join(out).strip("\n") + "\n"


def render_html(
    card: ModelCard,
    layout: str = "card",
    *,
    template_dir: os.PathLike | str | None = None,
    base_dir: os.PathLike | str | None = None,
    scorecard_limit: int = 0,
    template_timeout: float | None = None,
    max_output: int | None = None,
) -> Rendered:
    """One self-contained HTML page (inline CSS and SVG, local images embedded, nothing fetched).

    ``scorecard_limit`` caps the fairness rows of the scorecard (default
    :data:`SCORECARD_MAX_RESULTS`); the worst verdicts are kept.
    ``template_timeout`` and ``max_output`` as for :func:`render_markdown`.
    """
    from modelcard.render.markdown_text import AssetResolver, safe_document

    _check(layout, "html")
    limits = Limits.of(template_timeout, max_output)
    folder = _template_dir(template_dir)
    assets = AssetResolver(Path(base_dir) if base_dir is not None else None)
    view = CardView(card, scorecard_limit=scorecard_limit)
    text = _render_template("html", template_name(layout, "html"), folder, _context(card, view, "html"), assets, limits)
    text = safe_document(text)  # whatever the template: no unsafe href/src, no attachment, no control character
    return Rendered("html", layout, text, refused=list(dict.fromkeys(assets.refused)))


def render_pdf(
    card: ModelCard,
    layout: str = "card",
    *,
    template_dir: os.PathLike | str | None = None,
    base_dir: os.PathLike | str | None = None,
    source_date_epoch: int | None = None,
    template_timeout: float | None = None,
    max_output: int | None = None,
) -> Rendered:
    """PDF of the HTML rendering, through WeasyPrint (the ``[pdf]`` extra).

    ``template_timeout`` and ``max_output`` bound each HTML rendering, as for :func:`render_markdown`.
    """
    from modelcard.render.pdf import html_to_pdf

    # the scorecard is one page: if the card is too long for it, show fewer fairness rows (worst first)
    row_limits = (SCORECARD_MAX_RESULTS, 10, 6, 3) if layout == "scorecard" else (0,)
    for limit in row_limits:
        page = render_html(
            card,
            layout,
            template_dir=template_dir,
            base_dir=base_dir,
            scorecard_limit=limit,
            template_timeout=template_timeout,
            max_output=max_output,
        )
        result = html_to_pdf(str(page.content), base_dir=base_dir, source_date_epoch=source_date_epoch)
        if result.pages <= 1:
            break
    return Rendered("pdf", layout, result.pdf, refused=page.refused + result.refused)


def render(
    card: ModelCard,
    fmt: str = "html",
    layout: str = "card",
    *,
    template_dir: os.PathLike | str | None = None,
    base_dir: os.PathLike | str | None = None,
    chart_prefix: str = "",
    source_date_epoch: int | None = None,
    template_timeout: float | None = None,
    max_output: int | None = None,
) -> Rendered:
    """Render ``card`` as ``fmt`` (md, html, pdf) in ``layout`` (card, scorecard).

    ``template_timeout`` (seconds, default :data:`DEFAULT_TEMPLATE_TIMEOUT`) and
    ``max_output`` (bytes, default :data:`DEFAULT_MAX_OUTPUT`) bound the
    template's work; :class:`TemplateLimitError` (exit code 1) when broken.
    """
    _check(layout, fmt)
    bounds = dict(template_timeout=template_timeout, max_output=max_output)
    if fmt == "md":
        return render_markdown(card, layout, template_dir=template_dir, chart_prefix=chart_prefix, **bounds)
    if fmt == "html":
        return render_html(card, layout, template_dir=template_dir, base_dir=base_dir, **bounds)
    return render_pdf(
        card, layout, template_dir=template_dir, base_dir=base_dir, source_date_epoch=source_date_epoch, **bounds
    )


def render_index(
    entries: list[dict],
    failures: list[dict],
    *,
    kind: str = "html",
    fmt: str = "html",
    layout: str = "card",
    template_dir: os.PathLike | str | None = None,
    template_timeout: float | None = None,
    max_output: int | None = None,
) -> str:
    """The index page of a batch: one row per rendered card (title, version, verdicts, completeness)."""
    from modelcard import __version__

    limits = Limits.of(template_timeout, max_output)
    context = {
        "entries": tuple(Record(freeze(e)) for e in entries),
        "failures": tuple(Record(freeze(f)) for f in failures),
        "format": fmt,
        "layout": layout,
        "generator": f"modelcard {__version__}",
    }
    from modelcard.render.markdown_text import md_links, safe_document

    text = _render_template(kind, f"index.{kind}.j2", _template_dir(template_dir), context, None, limits)
    return md_links(_tidy_markdown(text)) if kind == "md" else safe_document(text)
