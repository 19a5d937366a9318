"""Every human/JSON/Markdown/GitHub formatter in one place.

* :mod:`modelcard.report.fmt` -- how numbers, intervals, groups and verdicts read (one function per presentation);
* :mod:`modelcard.report.tables` -- text and Markdown tables;
* :mod:`modelcard.report.registry` -- the reporters of each result kind, by format;
* one module per result kind: :mod:`~modelcard.report.validation`, :mod:`~modelcard.report.gate`,
  :mod:`~modelcard.report.diff`, :mod:`~modelcard.report.completeness`, :mod:`~modelcard.report.evaluation`.
"""

from __future__ import annotations

from modelcard.report.registry import formats, get_reporter, report, reporter

__all__ = ["formats", "get_reporter", "report", "reporter"]
