"""``modelcard evaluate``'s summary on standard error: reference groups, small samples, verdict counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from modelcard.report.fmt import VERDICT_ORDER
from modelcard.report.registry import reporter
from modelcard.safe_text import neutralise
from modelcard.schema.types import group_text

#: the summary names at most this many small-sample groups
SHOWN_SMALL_GROUPS = 8


@reporter("evaluation", "text")
def format_text(fragment: Mapping[str, Any], *, output: str = "-") -> str:
    """The summary of a fragment (its YAML data) written to ``output`` (``-``: standard output), one line
    per fact, each ending in a newline.  Group labels come from the predictions file: control and bidi
    characters are shown as escapes, so they never drive the terminal."""
    lines: list[str] = []
    info = fragment.get("x-evaluate", {})
    for ref in info.get("reference_groups", []):
        lines.append(f"reference {group_text(ref['group'])}: {ref['why']}")
    small = sorted(
        {tuple(m["slice"].items()) for m in fragment.get("metrics", []) if m.get("small_sample") and m.get("slice")}
    )
    if small:
        shown = "; ".join(group_text(dict(s)) for s in small[:SHOWN_SMALL_GROUPS])
        lines.append(
            f"small samples (n < {info.get('min_group_size')}) in {len(small)} group(s): {shown}"
            + (" ..." if len(small) > SHOWN_SMALL_GROUPS else "")
        )
    if "thresholds_from" in info:
        taken = info["thresholds_from"]["metrics"]
        lines.append(
            f"thresholds from {info['thresholds_from']['card']}: "
            + (", ".join(taken) if taken else "none declared for the metrics evaluated")
        )
    for warning in info.get("warnings", []):
        lines.append(f"warning: {warning}")
    fairness = fragment.get("fairness", {})
    if fairness.get("family_size"):
        basis = fragment.get("test_methodology", {}).get("verdict_basis") or "interval"
        lines.append(
            f"family of {fairness['family_size']} results and spreads judged against a threshold; "
            f"multiplicity adjustment: {fairness.get('adjustment') or 'none'}; verdicts on the {basis}"
            + (" estimate" if basis == "point" else "")
        )
    results = fairness.get("results", [])
    verdicts = Counter(str(r["verdict"]) for r in results)
    counts = ", ".join(f"{v} {verdicts[v]}" for v in map(str, VERDICT_ORDER) if verdicts[v])
    where = "standard output" if output == "-" else output
    lines.append(
        f"{len(fragment.get('metrics', []))} metric values and {len(results)} fairness results "
        f"({counts or 'none'}) written to {where}"
    )
    return neutralise("".join(line + "\n" for line in lines), terminal=True)
