"""Property-based fuzzing (Hypothesis): no input makes modelcard fail badly.

Over the loader, the importers, ``--set`` parsing, rendering (API and CLI)
and ``evaluate``, every run must end with

* exit status 0, 1 or 2 (and the API raises only :class:`ModelcardError`);
* no "internal error", no traceback, and no escape sequence or bidi override
  (from the input) in what it prints;
* no file touched but the output (and, for Markdown, its ``<stem>-charts/``
  folder): each example runs in a fresh folder holding its inputs, which is
  compared (names, sizes, modification times, permissions) before and after.

The CLI runs in-process (``modelcard.cli.main``) to keep the suite fast.  The
``ci`` Hypothesis profile (tests/conftest.py) is derandomized, so a CI run
tests the same examples every time; ``HYPOTHESIS_PROFILE=fuzz`` runs many more
with fresh randomness, for a deeper search by hand.  Each case the fuzzer
found is also pinned below as an explicit test.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelcard.diagnostics import ModelcardError

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")


# function-scoped fixtures (capsys) are reset by hand after every example
FUZZ = settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ]
)


def few(n: int) -> settings:
    """``n`` examples, scaled by the profile (``fuzz`` multiplies them)."""
    scale = 20 if settings().max_examples > 100 else 1
    return settings(FUZZ, max_examples=n * scale)


# --------------------------------------------------------------------------
# strategies


ODD_SCALARS = [
    "~",
    "null",
    ".nan",
    "-.inf",
    ".inf",
    "1e999",
    "-1e999",
    "0x1F",
    "0o17",
    "1_000",
    "10" * 200,
    "2020-13-45",
    "2020-02-30",
    "12:30:45",
    "yes",
    "No",
    "on",
    "!!binary aGVsbG8=",
    "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!float nan",
    "!!int x",
    "!<tag:yaml.org,2002:str> x",
    "&a x",
    "*a",
    "*undefined",
    "<<: *a",
    "'unterminated",
    '"\\x00"',
    '"\\u202e"',
    "|",
    ">-",
    "? x",
    "- -",
    "{",
    "[",
    "}",
    "]",
    "%",
    "@",
    "`",
    "\ufeff",
    "\x85",
    "\u2028",
    "\x00",
    "\x1b[2J",
    "\u202e",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% for x in y %}",
    "](javascript:x)",
    "\\",
    "\t",
]

any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)

odd_text = st.one_of(
    any_text, st.sampled_from(ODD_SCALARS), st.lists(st.sampled_from(ODD_SCALARS), max_size=6).map(" ".join)
)

# --------------------------------------------------------------------------
# --set


SET_PATHS = [
    "model.version",
    "model.name",
    "model.description",
    "card.date",
    "card.schema_version",
    "metrics[0].value",
    "metrics[0].confidence_interval.lower",
    "metrics[-1].n",
    "metrics[999].value",
    "fairness.results[0].threshold.min",
    "fairness.results[0].verdict",
    "datasets[0].id",
    "model.license",
    "model.repository",
    "model.references[0].url",
    "x-custom.a.b",
    "model.developers[0].name",
    "metrics[0].name",
    "metrics[1].slice.race",
    "intended_use.primary_uses[0]",
    "fairness.results[0].group.race",
    "datasets[0].name",
    "caveats_and_recommendations.caveats[0]",
]

ODD_SET_PATHS = [
    "model",
    "",
    "model.",
    ".model",
    "model..name",
    "metrics[",
    "metrics[]",
    "metrics[x]",
    "metrics[0",
    "[0]",
    "model.name[0]",
    "model.developers[0]",
    "card.authors[1000000000000]",
    "metrics[-99]",
    "x-a[0][0][0]",
    "model.name.first",
]

set_key = st.one_of(
    st.sampled_from(SET_PATHS),
    st.sampled_from(SET_PATHS),
    st.sampled_from(ODD_SET_PATHS),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-.[]0123456789 =", max_size=30),
    st.tuples(st.sampled_from(SET_PATHS), st.text(max_size=10)).map("".join),
)

set_value = st.one_of(
    odd_text,
    st.sampled_from(
        [
            "",
            "1",
            "-1",
            "0.5",
            "1e999",
            "nan",
            "true",
            "null",
            "[1, 2]",
            "{a: 1}",
            "2026-01-01",
            "https://x.org",
            "javascript:alert(1)",
            "pass",
            "fail",
            "&a [*a]",
            "!!python/object:os.system x",
        ]
    ),
)


@few(100)
@given(assignment=st.one_of(any_text, st.tuples(set_key, set_value).map(lambda kv: f"{kv[0]}={kv[1]}")))
def test_set_api(assignment):
    from modelcard.card.layering import apply_set
    from modelcard.io.source import loads

    doc = loads(EXAMPLE_TEXT, "card.yaml")
    try:
        apply_set(doc, assignment)
    except ModelcardError as exc:
        assert str(exc)
