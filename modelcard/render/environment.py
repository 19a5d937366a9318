"""The template environment: where templates come from, what they may call, how their output is escaped.

One sandboxed Jinja environment per (format kind, template folder), built by
:func:`modelcard.render.sandbox.new_environment` and cached (templates compile
once per process; the jail loader still notices edited files):

* **templates** are found by name first in the user's ``--template`` folder,
  then in the built-in ``templates/`` (:func:`builtin_templates`);
* **filters and globals** are an allow-list (:func:`template_filters`): number
  and group formatting from :mod:`modelcard.report.fmt`, the view's parts
  (``inline``, ``cell``, ``verdict``, ``code``, from :mod:`modelcard.render.inline`),
  free-text Markdown (``md``, ``md_inline``, ``md_cell``), links (``link``),
  and in Markdown ``chart_image`` (a chart block as the image of its sidecar
  file, or inlined as a ``data:`` image of the SVG the renderer drew);
* **escaping**: HTML templates autoescape.  Markdown templates cannot
  (``&`` and ``'`` must stay as written), so every value a Markdown template
  prints goes through :func:`markdown_finalize`, which makes it safe Markdown
  (:func:`~modelcard.render.markdown_text.md_escape`: raw HTML escaped,
  unsafe links made text) unless it is :class:`~markupsafe.Markup` -- the
  output of our filters, macros and blocks, already safe.  So a user template
  printing ``{{ card.model.description }}`` never emits the description's HTML.
  Literal HTML a template needs (``<br>`` in a table cell) is template text.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from modelcard.diagnostics import Diagnostic
from modelcard.render import charts, inline, markdown_text
from modelcard.render.sandbox import (
    LimitExceeded,
    Limits,
    Record,
    TemplateLimitError,
    TemplateProblem,
    TemplateRefused,
    freeze,
    new_environment,
    run_bounded,
    safe_function,
)
from modelcard.render.view import CardView
from modelcard.report import fmt
from modelcard.safe_text import safe_url
from modelcard.schema.models import ModelCard

KINDS = ("md", "html")  #: template kinds: Markdown, and HTML (also the source of PDF)

_ASSETS: contextvars.ContextVar[markdown_text.AssetResolver | None] = contextvars.ContextVar(
    "modelcard_render_assets", default=None
)
#: the charts a Markdown render inlines as data: images (chart id -> the SVG the renderer drew), or None
_INLINE_CHARTS: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "modelcard_render_inline_charts", default=None
)


def builtin_templates() -> Path:
    """The built-in templates folder: in the wheel, or at the root of a source checkout."""
    here = Path(__file__).resolve().parent.parent  # the package folder
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "card.html.j2").is_file():
            return candidate
    return here.parent / "templates"


def template_name(layout: str, fmt_: str) -> str:
    """``card.md.j2``, ``scorecard.html.j2`` (PDF renders the HTML template)."""
    return f"{layout}.{'md' if fmt_ == 'md' else 'html'}.j2"


# --------------------------------------------------------------------------
# escaping and filters


def markdown_finalize(value: Any) -> Any:
    """What a Markdown template prints: our filters' safe output as is, anything else made safe Markdown."""
    if isinstance(value, Markup):
        return value
    return markdown_text.md_escape(str(value))


def _disparity(result: Any) -> str:
    from modelcard.schema.verdicts import shown_disparity

    return fmt.disparity_text(*shown_disparity(result))


def template_filters(kind: str) -> dict[str, Callable[..., Any]]:
    """The filters templates get, beyond Jinja's allow-listed built-in filters."""
    common: dict[str, Callable[..., Any]] = {
        "num": fmt.num,
        "signed": fmt.signed,
        "interval": fmt.interval,
        "group": fmt.group_values,
        "group_attributes": fmt.group_names,
        "group_full": fmt.group_pairs,
        "threshold": fmt.threshold_text,
        "disparity": _disparity,
        "value": fmt.value_text,
        "text_list": fmt.text_list,
        "party": fmt.party_text,
        "plain": markdown_text.to_text,
        "safe_url": safe_url,  # the address if it is a safe absolute link, else None
    }
    if kind == "html":

        def md_filter(text: Any) -> Markup:
            return Markup(markdown_text.to_html(text, _ASSETS.get()))

        def md_inline_filter(text: Any) -> Markup:
            return Markup(markdown_text.to_html(text, _ASSETS.get(), inline=True))

        def inline_filter(line: Any) -> Markup:
            return inline.html_line(line, _ASSETS.get())

        def cell_filter(lines: Any, items: str = "") -> Markup:
            return inline.html_lines(lines, items, _ASSETS.get())

        def html_verdict(v: Any) -> Markup:
            return inline.html_line([("verdict", str(v), "")])

        def row_filter(cells: Any) -> Markup:
            return inline.html_row(cells, _ASSETS.get())

        common.update(
            row=row_filter,
            md=md_filter,
            md_inline=md_inline_filter,
            md_cell=markdown_text.md_cell,  # Markdown text, escaped as any text in HTML
            fenced=markdown_text.md_fenced,
            link=lambda url, text=None: Markup(markdown_text.link_html(url, text)),
            inline=inline_filter,
            cell=cell_filter,
            verdict=html_verdict,
            code=lambda value: inline.html_line([("code", str(value), "")]),
        )
        return common

    def safe(func: Callable[..., str]) -> Callable[..., Markup]:
        return lambda *args, **kwargs: Markup(func(*args, **kwargs))

    def chart_image(chart: Any) -> Markup:
        """A chart block as Markdown: inlined (``<img src="data:...">``) when the render inlines charts,
        else the image of its sidecar file, else nothing.  Only SVGs the renderer drew are inlined."""
        inlined = _INLINE_CHARTS.get()
        chart_id, alt = str(chart["chart_id"]), str(chart["alt"] or "")
        if inlined is not None and chart_id in inlined:
            return Markup(inline.markdown_svg_image(inlined[chart_id], alt))
        return Markup(inline.markdown_image(str(chart["path"] or ""), alt))

    common.update(
        md=safe(markdown_text.md_block),
        md_inline=safe(markdown_text.md_inline),
        md_cell=safe(markdown_text.md_cell),
        fenced=safe(markdown_text.md_fenced),
        link=safe(markdown_text.link_md),
        inline=lambda line, cell=False: Markup(inline.markdown_line(line, cell=cell)),
        cell=lambda lines, items="", cell=True: Markup(inline.markdown_lines(lines, items, cell=cell)),
        verdict=lambda v: Markup(fmt.verdict_mark(v)),
        row=lambda cells: Markup(inline.markdown_row(cells)),
        chart_image=chart_image,
        # a code span whose fence outlasts any backtick run in the value, ``|`` escaped (a file name in a table)
        code=lambda value: Markup(inline.md_code(str(value), cell=True)),
    )
    return common


def template_globals() -> dict[str, Any]:
    """Plain-data globals: the verdicts in display order, their words and icons."""
    return {
        "verdicts": tuple(str(v) for v in fmt.VERDICT_ORDER),
        "verdict_labels": {str(v): fmt.verdict_words(v) for v in fmt.VERDICT_ORDER},
        "verdict_marks": {str(v): v.icon for v in fmt.VERDICT_ORDER},
    }


@lru_cache(maxsize=16)
def environment(kind: str, template_dir: Path | None) -> Any:
    """A sandboxed environment per (kind, template folder), cached: templates compile once per process.

    The jail loader re-resolves a cached template's name on every use, so a
    file added to or changed in the user's folder is picked up.
    """
    roots = ([template_dir] if template_dir is not None else []) + [builtin_templates()]
    env = new_environment(
        roots,
        autoescape=(kind == "html"),
        filters=template_filters(kind),
        globals=template_globals(),
        finalize=None if kind == "html" else markdown_finalize,
    )
    loader = env.loader

    def include_raw(name: str) -> str:
        """The text of a file in the template folder (CSS), unrendered; refused outside the folder."""
        source, _, _ = loader.get_source(env, name)
        return Markup(source)  # the file is the template author's text, as a template's own text is

    env.globals["include_raw"] = safe_function(include_raw)
    return env


# --------------------------------------------------------------------------
# what templates receive


def card_context(card: ModelCard, view: CardView, kind: str, generator: str, layout: str = "") -> dict[str, Any]:
    """What a card template receives: ``card``, ``view`` and ``generator``, as frozen plain data.

    The page's blocks are given to the layout that shows them: ``view.sections`` to ``card``
    templates, ``view.scorecard`` to ``scorecard`` templates (both when no layout is named).
    """
    memo: dict[int, Any] = {}
    frozen_card = freeze(card, memo)
    # HTML inlines each chart's wide and compact layouts (the stylesheet shows the one that fits)
    svg: Callable[[str], str] = (lambda s: Markup(charts.html_chart(s))) if kind == "html" else str

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
    h = view.header
    frozen_view = rec(
        card=frozen_card,
        header=rec(title=h.title, subtitle=h.subtitle, description=h.description),
        sections=view.sections if layout in ("", "card") else (),
        scorecard=view.scorecard if layout in ("", "scorecard") else None,
        definitions=view.definitions,
        overall_metrics=view.overall_metrics,
        sliced_metrics=view.sliced_metrics,
        overall_by_name=view.overall_by_name,
        fairness_groups=groups,
        charts={k: svg(v) for k, v in view.charts.items()},
        slice_charts=tuple((m, svg(s), p) for m, s, p in view.slice_charts),
        verdict_counts=view.verdict_counts,
        verdict_tally=view.verdict_tally,
        ci_level=view.ci_level,
        ci_label=view.ci_label,
        scorecard_results=view.scorecard_results,
        scorecard_omitted=view.scorecard_omitted,
        n_results=view.n_results,
        verdict_rule=view.verdict_rule,
        verdict_family=view.verdict_family,
        completeness=view.completeness,
        missing=view.missing,
    )
    return {"card": frozen_card, "view": frozen_view, "generator": generator}


def index_context(
    entries: Iterable[Mapping[str, Any]], failures: Iterable[Mapping[str, Any]], fmt_: str, layout: str, generator: str
) -> dict[str, Any]:
    """What the batch index template receives."""
    return {
        "entries": tuple(Record(freeze(e)) for e in entries),
        "failures": tuple(Record(freeze(f)) for f in failures),
        "format": fmt_,
        "layout": layout,
        "generator": generator,
    }


# --------------------------------------------------------------------------
# rendering


def render_template(
    kind: str,
    name: str,
    template_dir: Path | None,
    context: dict[str, Any],
    assets: markdown_text.AssetResolver | None = None,
    limits: Limits | None = None,
    inline_charts: Mapping[str, str] | None = None,
) -> str:
    """Render template ``name`` with ``context`` (plain data) in the sandbox, within ``limits``.

    ``inline_charts`` (Markdown): the charts the ``chart_image`` filter inlines, chart id -> SVG.
    Every failure is a :class:`TemplateProblem` (or :class:`TemplateLimitError`)
    located at the template line that caused it.
    """
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError, UndefinedError

    env = environment(kind, template_dir.resolve() if template_dir is not None else None)
    roots = env.loader.roots
    limits = limits or Limits()

    def produce(emit: Callable[[str], None]) -> str:
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
    charts_token = _INLINE_CHARTS.set(inline_charts)
    try:
        return str(run_bounded(limits, produce))
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
        _INLINE_CHARTS.reset(charts_token)
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
