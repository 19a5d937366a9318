"""Rendering speed, side by side with the peers, in one process.

1. PDF: modelcard's PDF step (restricted URL fetcher, SOURCE_DATE_EPOCH dates,
   attachments disabled) vs raw ``weasyprint.HTML(string=...).write_pdf()`` on
   the *same* HTML, for the full card and the scorecard.  Target: <= 1.15x.
   The end-to-end figure (card -> HTML -> PDF) is printed too.
2. Markdown + HTML: ``modelcard.render`` of the example card to Markdown *and*
   HTML vs ``huggingface_hub.ModelCard.from_template`` filling Hugging Face's
   default template with the equivalent content (Markdown only).

Runs are interleaved so that machine load affects both sides alike; medians
are reported with their ratio.

    .venv/bin/python benchmarks/bench_render.py [--runs 7] [--md-runs 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CARD = ROOT / "examples" / "compas-recidivism.yaml"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleave(a, b, runs: int) -> tuple[list[float], list[float]]:
    a(), b()  # warm up: imports, font configuration, template compilation
    ta, tb = [], []
    for _ in range(runs):
        ta.append(timed(a))
        tb.append(timed(b))
    return ta, tb


def row(name: str, times: list[float]) -> str:
    return f"  {name:<44}{statistics.median(times) * 1e3:>9.1f}ms{min(times) * 1e3:>9.1f}ms{max(times) * 1e3:>9.1f}ms"


def hf_equivalent(card):
    """Hugging Face ModelCard inputs carrying the same content as our card."""
    from huggingface_hub import EvalResult, ModelCardData

    from modelcard.report.fmt import group_values as group_label
    from modelcard.report.fmt import interval, num

    evals = [
        EvalResult(
            task_type="tabular-classification",
            dataset_type="compas",
            dataset_name="ProPublica COMPAS",
            metric_type=m.name,
            metric_value=m.value,
        )
        for m in card.metrics or []
        if not m.slice and m.value is not None
    ]
    data = ModelCardData(
        model_name=card.model.name,
        license="other",
        eval_results=evals,
        metrics=[m.name for m in card.metrics or [] if not m.slice],
    )
    results = "\n".join(
        f"| {r.metric} | {group_label(r.group)} | {group_label(r.reference_group)} | {num(r.value)} "
        f"{interval(r.confidence_interval)} | {r.verdict} |"
        for r in card.fairness.results
    )
    p = card.datasets[0].provenance
    kwargs = {
        "model_id": card.model.name,
        "model_summary": card.model.description,
        "model_description": card.model.description,
        "developers": ", ".join(d.name for d in card.model.developers),
        "model_type": card.model.type,
        "license": card.model.license,
        "direct_use": "\n".join(f"- {u}" for u in card.intended_use.primary_uses),
        "out_of_scope_use": "\n".join(f"- {u}" for u in card.intended_use.out_of_scope_uses),
        "bias_risks_limitations": "\n".join(f"- {r.name}: {r.description}" for r in card.ethical_considerations.risks),
        "bias_recommendations": "\n".join(f"- {r}" for r in card.caveats_and_recommendations.recommendations),
        "training_data": card.datasets[0].description,
        "preprocessing": "\n".join(p.preprocessing),
        "testing_data": card.test_methodology.protocol,
        "testing_factors": "\n".join(f"- {f.name}: {f.description}" for f in card.factors.relevant),
        "testing_metrics": "\n".join(f"- {d.name}: {d.description}" for d in card.test_methodology.metric_definitions),
        "results": "| metric | group | reference | value | verdict |\n|---|---|---|---|---|\n" + results,
        "results_summary": card.fairness.summary,
        "citation_apa": card.model.citation,
        "model_card_authors": ", ".join(a.name for a in card.card.authors),
        "hardware_type": card.environmental_impact.hardware,
        "hours_used": str(card.environmental_impact.hours),
    }
    return data, kwargs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="PDF runs per side")
    ap.add_argument("--md-runs", type=int, default=200, help="Markdown/HTML runs per side")
    args = ap.parse_args()

    from modelcard.card.validate import load_card
    from modelcard.render import render_html, render_markdown

    card = load_card(CARD)
    print(f"card: {CARD.relative_to(ROOT)}; medians of interleaved runs (median / min / max)\n")

    # ---- 1. PDF
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        print(f"PDF: skipped, WeasyPrint unavailable ({exc})")
    else:
        from modelcard.render import render_pdf
        from modelcard.render.pdf import html_to_pdf

        print(f"1. PDF, WeasyPrint {weasyprint.__version__}, {args.runs} runs each (scorecard: {3 * args.runs})")
        for layout, runs in (("card", args.runs), ("scorecard", 3 * args.runs)):
            html = render_html(card, layout, base_dir=CARD.parent).content
            ours, raw = interleave(
                lambda html=html: html_to_pdf(html, base_dir=CARD.parent, source_date_epoch=0),
                lambda html=html: weasyprint.HTML(string=html).write_pdf(),
                runs,
            )
            e2e, raw2 = interleave(
                lambda layout=layout: render_pdf(card, layout, base_dir=CARD.parent, source_date_epoch=0),
                lambda html=html: weasyprint.HTML(string=html).write_pdf(),
                runs,
            )
            print(row(f"{layout}: modelcard html_to_pdf (same HTML)", ours))
            print(row(f"{layout}: modelcard card -> HTML -> PDF", e2e))
            print(row(f"{layout}: raw WeasyPrint write_pdf", raw + raw2))
            r1 = statistics.median(ours) / statistics.median(raw)
            r2 = statistics.median(e2e) / statistics.median(raw2)
            m1, m2 = min(ours) / min(raw), min(e2e) / min(raw2)
            print(f"  ratio of medians, same HTML: {r1:.3f}x   end to end: {r2:.3f}x")
            print(
                f"  ratio of minimums (least disturbed by machine load), same HTML: {m1:.3f}x   "
                f"end to end: {m2:.3f}x   (target <= 1.15x: {'met' if max(m1, m2) <= 1.15 else 'NOT met'})\n"
            )

    # ---- 2. Markdown + HTML vs huggingface_hub
    try:
        from huggingface_hub import ModelCard
    except ImportError as exc:
        print(f"Markdown: skipped, huggingface_hub unavailable ({exc})")
        return
    data, kwargs = hf_equivalent(card)

    def ours_md_html():
        render_markdown(card, "card")
        render_html(card, "card", base_dir=CARD.parent)

    def ours_md():
        render_markdown(card, "card")

    def peer():
        ModelCard.from_template(data, **kwargs)

    print(f"2. Markdown (+HTML) vs huggingface_hub ModelCard.from_template, {args.md_runs} runs each")
    a, b = interleave(ours_md_html, peer, args.md_runs)
    c, d = interleave(ours_md, peer, args.md_runs)
    print(row("modelcard md + html (charts, sanitizing)", a))
    print(row("modelcard md only", c))
    print(row("huggingface_hub from_template (md only)", b + d))
    print(
        f"  ratio md+html: {statistics.median(a) / statistics.median(b):.2f}x   "
        f"md only: {statistics.median(c) / statistics.median(d):.2f}x"
    )


if __name__ == "__main__":
    main()
