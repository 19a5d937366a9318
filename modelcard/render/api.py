"""Render a card to Markdown, HTML or PDF, as a full card or a one-page scorecard.

Python API::

    from modelcard import load_card
    from modelcard.render import render

    card = load_card("examples/compas-recidivism.yaml")
    page = render(card, "html", layout="scorecard", base_dir="examples")
    page.content            # str for md/html, bytes for pdf
    page.sidecars           # Markdown only: {"compas-charts/fpr.svg": "<svg ...>", ...}

What a page shows is decided once by :class:`~modelcard.render.view.CardView`
(sections of facts, tables, lists; the same for Markdown and HTML); Jinja
templates lay it out (``card.html.j2``, ``scorecard.md.j2``, their shared
``_macros.*.j2``, ``modelcard.css``...), found by name first in the user's
``template_dir``, then in the built-in ``templates/``.  User templates may be
hostile, so every template runs in the sandbox of
:mod:`modelcard.render.sandbox`: it receives plain frozen data built from the
card (never the Pydantic models), an allow-list of filters and globals
(:mod:`modelcard.render.environment`), loads files only from inside its folder
(symlinks followed), and runs under limits (``template_timeout``, default
10 s; ``max_output``, default 64 MiB)::

    render(card, "html", template_dir="my-templates", template_timeout=5, max_output=8 * 2**20)

HTML templates autoescape; in Markdown templates every printed value is made
safe Markdown (raw HTML escaped, unsafe links made text) unless a filter of
ours produced it.  Free text is Markdown rendered to HTML by
:mod:`modelcard.render.markdown_text`, which sanitizes it.

Output is deterministic: the same card always gives byte-identical Markdown
and HTML (no timestamps); PDF dates come from ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelcard.diagnostics import UsageError
from modelcard.render.environment import card_context, index_context, render_template, template_name
from modelcard.render.gpai_form import FORM_LAYOUT, check_audience
from modelcard.render.inline import image_src
from modelcard.render.markdown_text import AssetResolver, md_links, safe_document
from modelcard.render.sandbox import Limits
from modelcard.render.view import SCORECARD_ROW_LIMITS, CardView
from modelcard.schema.models import ModelCard

FORMATS = ("md", "html", "pdf")
LAYOUTS = ("card", "scorecard", FORM_LAYOUT)  # eu-gpai-form: the GPAI Model Documentation Form (gpai_form.py)

PathArg = os.PathLike[str] | str


def generator_name() -> str:
    """``modelcard 1.2.3``: what rendered pages say made them."""
    from modelcard import __version__

    return f"modelcard {__version__}"


@dataclass
class Rendered:
    """The output of one render: ``content`` plus, for Markdown, chart files to write beside it."""

    format: str
    layout: str
    content: str | bytes
    sidecars: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # resources that were not fetched or embedded


def _check(layout: str, fmt: str, audience: str | None = None) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout '{layout}'; choose one of {', '.join(LAYOUTS)}")
    if audience is not None and layout != FORM_LAYOUT:
        raise UsageError(f"an audience applies only to the {FORM_LAYOUT} layout, not to '{layout}'")
    check_audience(audience)


def _layout_context(card: ModelCard, view: CardView, kind: str, layout: str, audience: str | None) -> dict[str, Any]:
    """The template context of ``layout``: the card's, plus the form's rows for the GPAI form layout."""
    context = card_context(card, view, kind, generator_name(), layout)
    if layout == FORM_LAYOUT:
        from modelcard.render.gpai_form import form_view
        from modelcard.render.sandbox import freeze

        context["form"] = freeze(form_view(card, audience))
    return context


def _template_dir(template_dir: PathArg | None) -> Path | None:
    if template_dir is None:
        return None
    path = Path(template_dir)
    if not path.is_dir():
        raise UsageError(f"{path}: template folder does not exist")
    return path


def tidy_markdown(text: str) -> str:
    """Collapse runs of blank lines left by optional sections, strip trailing spaces; end with one newline."""
    out: list[str] = []
    blank = 0
    in_fence = False
    for line in text.split("\n"):
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


def render_markdown(
    card: ModelCard,
    layout: str = "card",
    *,
    template_dir: PathArg | None = None,
    chart_prefix: str = "",
    template_timeout: float | None = None,
    max_output: int | None = None,
    audience: str | None = None,
    inline_charts: bool = False,
) -> Rendered:
    """Markdown for GitHub / Hugging Face.  With ``chart_prefix`` (e.g. ``"card-charts/"``) the
    text links SVG charts returned in ``sidecars``, each image with alt text that says what it shows
    and its numbers; with ``inline_charts`` the charts are inlined instead, as
    ``<img src="data:image/svg+xml;base64,...">`` (for hosts that show such images; GitHub does not),
    and there are no sidecars; with neither there are tables only.

    ``template_timeout`` (seconds, default 10) and ``max_output`` (bytes,
    default 64 MiB) bound the template's work: past either, rendering stops
    with :class:`~modelcard.render.sandbox.TemplateLimitError`.  ``audience`` (``ai-office``,
    ``national-authority``, ``downstream``) keeps the items of the ``eu-gpai-form`` layout meant for it.
    """
    _check(layout, "md", audience)
    if inline_charts and chart_prefix:
        raise UsageError("charts are either inlined or written beside the page, not both", option="inline_charts")
    limits = Limits.of(template_timeout, max_output)
    folder = _template_dir(template_dir)
    view = CardView(card, chart_prefix=chart_prefix)
    context = _layout_context(card, view, "md", layout, audience)
    charts = dict(view.charts) if inline_charts else None
    text = render_template("md", template_name(layout, "md"), folder, context, None, limits, charts)
    text = md_links(tidy_markdown(text))  # whatever the template: no unsafe link, no control character
    sidecars = {}
    if chart_prefix:

        def shown(path: str) -> bool:  # the page names the file (as its image does: percent-encoded)
            return bool(path) and (image_src(path) in text or path in text)

        for fg in view.fairness_groups:
            if shown(fg.chart_path):
                sidecars[fg.chart_path] = fg.chart_svg
        for _, svg, path in view.slice_charts:
            if shown(path):
                sidecars[path] = svg
        if shown(view.calibration_chart_path):
            sidecars[view.calibration_chart_path] = view.charts["calibration"]
        for chart_id, path in view.chart_files.items():
            if shown(path) and chart_id in view.charts:
                sidecars[path] = view.charts[chart_id]
    return Rendered("md", layout, text, sidecars)


def render_html(
    card: ModelCard,
    layout: str = "card",
    *,
    template_dir: PathArg | None = None,
    base_dir: PathArg | None = None,
    scorecard_limit: int = 0,
    template_timeout: float | None = None,
    max_output: int | None = None,
    audience: str | None = None,
) -> Rendered:
    """One self-contained HTML page (inline CSS and SVG, local images embedded, nothing fetched).

    ``scorecard_limit`` caps the fairness rows of the scorecard (default
    :data:`~modelcard.render.view.SCORECARD_MAX_RESULTS`); the worst verdicts are kept.
    ``template_timeout`` and ``max_output`` as for :func:`render_markdown`.
    """
    _check(layout, "html", audience)
    limits = Limits.of(template_timeout, max_output)
    folder = _template_dir(template_dir)
    assets = AssetResolver(Path(base_dir) if base_dir is not None else None)
    view = CardView(card, scorecard_limit=scorecard_limit)
    context = _layout_context(card, view, "html", layout, audience)
    text = render_template("html", template_name(layout, "html"), folder, context, assets, limits)
    text = safe_document(text)  # whatever the template: no unsafe href/src, no attachment, no control character
    return Rendered("html", layout, text, refused=list(dict.fromkeys(assets.refused)))


def render_pdf(
    card: ModelCard,
    layout: str = "card",
    *,
    template_dir: PathArg | None = None,
    base_dir: PathArg | None = None,
    source_date_epoch: int | None = None,
    template_timeout: float | None = None,
    max_output: int | None = None,
    audience: str | None = None,
) -> Rendered:
    """PDF of the HTML rendering, through WeasyPrint (the ``[pdf]`` extra).

    The scorecard is one page: when the card is too long for it, it is rendered
    again with fewer fairness rows (:data:`~modelcard.render.view.SCORECARD_ROW_LIMITS`,
    worst verdicts first).  ``template_timeout`` and ``max_output`` bound each
    HTML rendering, as for :func:`render_markdown`.
    """
    from modelcard.render.pdf import html_to_pdf

    row_limits = SCORECARD_ROW_LIMITS if layout == "scorecard" else (0,)
    tried = []
    for limit in row_limits:
        page = render_html(
            card,
            layout,
            template_dir=template_dir,
            base_dir=base_dir,
            scorecard_limit=limit,
            template_timeout=template_timeout,
            max_output=max_output,
            audience=audience,
        )
        result = html_to_pdf(str(page.content), base_dir=base_dir, source_date_epoch=source_date_epoch)
        tried.append((page, result))
        if result.pages <= 1:
            break
    # when no row limit fits one page, fewer rows buy nothing: keep the most rows among the fewest pages
    page, result = min(tried, key=lambda t: t[1].pages)
    return Rendered("pdf", layout, result.pdf, refused=page.refused + result.refused)


def render(
    card: ModelCard,
    fmt: str = "html",
    layout: str = "card",
    *,
    template_dir: PathArg | None = None,
    base_dir: PathArg | None = None,
    chart_prefix: str = "",
    source_date_epoch: int | None = None,
    template_timeout: float | None = None,
    max_output: int | None = None,
    audience: str | None = None,
    inline_charts: bool = False,
) -> Rendered:
    """Render ``card`` as ``fmt`` (md, html, pdf) in ``layout`` (card, scorecard, eu-gpai-form).

    ``chart_prefix`` and ``inline_charts`` place Markdown's charts (see :func:`render_markdown`);
    HTML and PDF always inline them.

    ``template_timeout`` (seconds, default :data:`~modelcard.render.sandbox.DEFAULT_TEMPLATE_TIMEOUT`)
    and ``max_output`` (bytes, default :data:`~modelcard.render.sandbox.DEFAULT_MAX_OUTPUT`) bound
    the template's work; :class:`~modelcard.render.sandbox.TemplateLimitError` (exit code 1) when broken.
    """
    _check(layout, fmt, audience)
    if inline_charts and fmt != "md":
        raise UsageError(
            f"inlining charts applies to Markdown only; {fmt.upper()} always inlines them", option="inline_charts"
        )
    if fmt == "md":
        return render_markdown(
            card,
            layout,
            template_dir=template_dir,
            chart_prefix=chart_prefix,
            template_timeout=template_timeout,
            max_output=max_output,
            audience=audience,
            inline_charts=inline_charts,
        )
    if fmt == "html":
        return render_html(
            card,
            layout,
            template_dir=template_dir,
            base_dir=base_dir,
            template_timeout=template_timeout,
            max_output=max_output,
            audience=audience,
        )
    return render_pdf(
        card,
        layout,
        template_dir=template_dir,
        base_dir=base_dir,
        source_date_epoch=source_date_epoch,
        template_timeout=template_timeout,
        max_output=max_output,
        audience=audience,
    )


def render_index(
    entries: list[dict[str, Any]],
    failures: list[dict[str, Any]],
    *,
    kind: str = "html",
    fmt: str = "html",
    layout: str = "card",
    template_dir: PathArg | None = None,
    template_timeout: float | None = None,
    max_output: int | None = None,
) -> str:
    """The index page of a batch: one row per rendered card (title, version, verdicts, completeness)."""
    limits = Limits.of(template_timeout, max_output)
    context = index_context(entries, failures, fmt, layout, generator_name())
    text = render_template(kind, f"index.{kind}.j2", _template_dir(template_dir), context, None, limits)
    return md_links(tidy_markdown(text)) if kind == "md" else safe_document(text)
