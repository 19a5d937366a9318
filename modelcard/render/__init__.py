"""Render cards: Markdown, HTML and PDF, full card or one-page scorecard.

* :mod:`~modelcard.render.api` -- :func:`render` and friends (re-exported here);
* :mod:`~modelcard.render.view` -- what a page shows, as format-neutral sections;
* :mod:`~modelcard.render.environment` -- the sandboxed Jinja environment, its filters and escaping;
* :mod:`~modelcard.render.inline` -- how each format writes the view's parts;
* :mod:`~modelcard.render.sandbox`, :mod:`~modelcard.render.markdown_text` -- safety;
* :mod:`~modelcard.render.charts`, :mod:`~modelcard.render.pdf`, :mod:`~modelcard.render.batch`.

The names below are loaded on first use, so that importing a leaf module
(``modelcard.render.markdown_text``, used by reports and exporters) does not
load the view, the charts and the template machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelcard.render.api import (
        FORMATS,
        LAYOUTS,
        Rendered,
        render,
        render_html,
        render_index,
        render_markdown,
        render_pdf,
    )
    from modelcard.render.sandbox import (
        DEFAULT_MAX_OUTPUT,
        DEFAULT_TEMPLATE_TIMEOUT,
        TemplateLimitError,
        TemplateProblem,
    )
    from modelcard.render.view import CardView

_EXPORTS = {
    "FORMATS": "api",
    "LAYOUTS": "api",
    "Rendered": "api",
    "render": "api",
    "render_html": "api",
    "render_index": "api",
    "render_markdown": "api",
    "render_pdf": "api",
    "DEFAULT_MAX_OUTPUT": "sandbox",
    "DEFAULT_TEMPLATE_TIMEOUT": "sandbox",
    "TemplateLimitError": "sandbox",
    "TemplateProblem": "sandbox",
    "CardView": "view",
}

__all__ = [
    "DEFAULT_MAX_OUTPUT",
    "DEFAULT_TEMPLATE_TIMEOUT",
    "FORMATS",
    "LAYOUTS",
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'modelcard.render' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"modelcard.render.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
