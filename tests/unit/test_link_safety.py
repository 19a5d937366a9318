"""Every link a card produces is safe; text never carries control or bidi characters to a reader;
absurd numbers are located validation errors and never break a chart (issue 9, sections 2 and 4).

Layers tested, from the root out:

* the schema: URL fields take only absolute http(s) and mailto links, numbers are bounded,
  proportions lie in [0, 1] — located errors, the same verdict from the JSON Schema;
* rendering, with the schema bypassed (a card mutated after validation, a user template): every
  href/src of HTML, Markdown and PDF output is checked again, unsafe links become plain text;
* text: control and bidi characters never reach HTML, SVG (which stays XML), Markdown or a terminal;
* PDF: no template can make WeasyPrint embed a file.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml

from modelcard.card.validate import load_card, validate_data
from modelcard.render import render_html, render_markdown
from modelcard.render.charts import Panel, Row, forest_svg
from modelcard.render.markdown_text import link_html, link_md, md_block, md_cell, md_escape, safe_document
from modelcard.safe_text import SAFE_URL_PATTERN, neutralise, safe_url, url_problem
from modelcard.schema.jsonschema import schema_text
from modelcard.schema.models import ModelCard

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"


# --------------------------------------------------------------------------
# helpers


@pytest.fixture(scope="module")
def json_validator():
    return jsonschema.Draft202012Validator(json.loads(schema_text()))


def _example() -> dict:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))  # dates as strings, as in JSON


def _minimal(**model) -> dict:
    return {"card": {"schema_version": "1.0"}, "model": {"name": "m", "version": "1", **model}}


class _Collect(HTMLParser):
    """Every start tag with its (decoded) attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def _tags(document: str) -> list[tuple[str, dict]]:
    p = _Collect()
    p.feed(document)
    p.close()
    return p.tags


_URL_ATTRS = ("href", "src", "xlink:href", "action", "formaction", "srcset", "data", "poster")


def _assert_links_safe(document: str, *, relative: bool = True) -> None:
    """Every address attribute is a safe link (or an embedded data: image)."""
    for tag, attrs in _tags(document):
        for name in _URL_ATTRS:
            if name in attrs:
                value = attrs[name]
                ok = safe_url(value, relative=relative, image=tag == "img")
                assert ok is not None, (tag, name, value)
        assert "attachment" not in attrs.get("rel", "").lower(), (tag, attrs)


def _permissive_markdown(text: str) -> str:
    """Markdown rendered as a careless renderer would: raw HTML kept, every link scheme accepted."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True})
    md.validateLink = lambda url: True
    return md.render(text)


# --------------------------------------------------------------------------
# 1. the schema: URL fields


UNSAFE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    " https://example.org/",
    "https://example.org/ ",
    "\x00javascript:alert(1)",
    "\x01https://example.org/",
    "https://example.org/\x7f",
    "https://example.org/\x85",
    "java\tscript:alert(1)",
    "https://example.org/a\nb",
    "https://exa\tmple.org/",
    "javascript&#58;alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript%3Aalert(1)",
    "%6Aavascript:alert(1)",
    "//evil.example/",
    "\\\\evil.example\\share",
    "https:\\\\evil.example",
    "https://good.example\\@evil.example",
    "https:evil.example",
    "https:///evil.example",
    "https://example.org/\u202egnp.exe",
    "https://example.org/\u2066x",
    "https://example.org/\u200fx",
    "https://example.org/\u061cx",
    "https://example.org/\x1b[31m",
    'https://example.org/"onmouseover="alert(1)',
    "https://example.org/><script>alert(1)</script>",
    "mailto:",
    "ftp://ftp.example.org/pub",  # tightened: not http, https or mailto
    "s3://bucket/key",  # tightened too
    "relative/path.html",
    "#fragment",
]

SAFE_URLS = [
    "https://example.org/",
    "http://example.org/a?b=1&c=2#d",
    "HTTPS://EXAMPLE.ORG/UPPER",
    "mailto:someone@example.org",
    "https://例え.jp/パス",
    "https://example.org/a_(b)|c",
    "https://user@example.org:8443/x;y",
]

URL_FIELDS = {
    "model.repository": lambda d, u: d["model"].__setitem__("repository", u),
    "model.developers[0].url": lambda d, u: d["model"]["developers"][0].__setitem__("url", u),
    "card.authors[0].url": lambda d, u: d["card"]["authors"][0].__setitem__("url", u),
    "model.references[0].url": lambda d, u: d["model"]["references"][0].__setitem__("url", u),
    "datasets[0].url": lambda d, u: d["datasets"][0].__setitem__("url", u),
    "datasets[0].provenance.sources[0].url": lambda d, u: d["datasets"][0]["provenance"]["sources"][0].__setitem__(
        "url", u
    ),
    # EU AI Act fields (issue 16)
    "model.authenticity.endpoint": lambda d, u: d["model"].setdefault("authenticity", {}).__setitem__("endpoint", u),
    "model.authenticity.signature": lambda d, u: d["model"].setdefault("authenticity", {}).__setitem__("signature", u),
    "intended_use.acceptable_use_policy": lambda d, u: d.setdefault("intended_use", {}).__setitem__(
        "acceptable_use_policy", u
    ),
    "distribution.channels[0].url": lambda d, u: d.setdefault("distribution", {}).__setitem__(
        "channels", [{"kind": "api", "url": u}]
    ),
    "regulatory.high_risk.test_reports[0].url": lambda d, u: (
        d.setdefault("regulatory", {})
        .setdefault("high_risk", {})
        .__setitem__("test_reports", [{"title": "report", "url": u}])
    ),
    "regulatory.high_risk.declaration_of_conformity.url": lambda d, u: (
        d.setdefault("regulatory", {})
        .setdefault("high_risk", {})
        .__setitem__("declaration_of_conformity", {"title": "declaration", "url": u})
    ),
    "distribution.assets[0].url": lambda d, u: d.setdefault("distribution", {}).__setitem__(
        "assets", [{"name": "training code", "url": u}]
    ),
    # what Hugging Face users expect (issue 13)
    "model.license_url": lambda d, u: d["model"].__setitem__("license_url", u),
    "model.base_models[0].url": lambda d, u: d["model"].__setitem__("base_models", [{"name": "base", "url": u}]),
    "metrics[0].source.url": lambda d, u: d.setdefault("metrics", [{"name": "accuracy", "value": 0.5}])[0].__setitem__(
        "source", {"name": "us", "url": u}
    ),
}


def test_every_url_field_of_the_schema_is_covered():
    """The fields above are all the schema's URL fields (found through the JSON Schema)."""
    schema = json.loads(schema_text())
    found = set()

    def walk(node, path):
        if isinstance(node, dict):
            if node.get("format") == "uri":
                found.add(path)
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for v in node:
                walk(v, path)

    walk(schema, "")
    owners = {re.search(r"\$defs/(\w+)/properties/(\w+)", p).groups() for p in found if "$defs" in p}
    assert owners == {
        ("Party", "url"),
        ("Reference", "url"),
        ("ModelDetails", "repository"),
        ("DataSource", "url"),
        ("Dataset", "url"),
        # EU AI Act fields (issue 16)
        ("Authenticity", "endpoint"),
        ("Authenticity", "signature"),
        ("IntendedUse", "acceptable_use_policy"),
        ("DistributionChannel", "url"),
        ("SignedDocument", "url"),
        ("ReleasedAsset", "url"),
        # issue 13
        ("ModelDetails", "license_url"),
        ("BaseModelRef", "url"),
        ("ResultSource", "url"),
    }


def _url_card() -> dict:
    """A small valid card with every kind of URL field present."""
    data = _minimal(developers=[{"name": "dev"}], references=[{"title": "paper"}])
    data["card"]["authors"] = [{"name": "author"}]
    data["datasets"] = [{"id": "d", "name": "d", "role": "training", "provenance": {"sources": [{"name": "source"}]}}]
    return data


@pytest.mark.parametrize(
    "field, url",
    [("model.repository", u) for u in UNSAFE_URLS]
    + [(f, "javascript:alert(1)") for f in URL_FIELDS if f != "model.repository"],
)
def test_unsafe_url_is_a_located_schema_error(field, url, json_validator):
    data = _url_card()
    URL_FIELDS[field](data, url)
    card, diagnostics = validate_data(data)
    assert card is None
    (diag,) = [d for d in diagnostics if d.code == "unsafe-link"]
    assert diag.path == field
    assert "link" in diag.message
    # the JSON Schema says the same
    assert not json_validator.is_valid(data)


@pytest.mark.parametrize("url", SAFE_URLS)
def test_safe_urls_pass_both_validators(url, json_validator):
    data = _url_card()
    for set_url in URL_FIELDS.values():
        set_url(data, url)
    card, diagnostics = validate_data(data)
    assert card is not None, diagnostics
    json_validator.validate(data)


def test_json_schema_pattern_is_the_rule():
    schema = json.loads(schema_text())
    assert schema["$defs"]["ModelDetails"]["properties"]["repository"]["anyOf"][0]["pattern"] == SAFE_URL_PATTERN
    for url in UNSAFE_URLS + SAFE_URLS:
        assert (re.search(SAFE_URL_PATTERN, url) is not None and "\n" not in url) == (url_problem(url) is None), url


@pytest.mark.parametrize(
    "url, reason",
    [
        ("javascript:alert(1)", "not 'javascript:'"),
        ("JaVaScRiPt:alert(1)", "not 'JaVaScRiPt:'"),
        ("data:text/html,x", "not 'data:'"),
        (" https://example.org", "white space"),
        ("https://example.org/\x1b[2J", "U+001B"),
        ("https://example.org/\u202e", "U+202E"),
        ("javascript&#58;alert(1)", "encoded"),
        ("//evil.example", "protocol-relative"),
        ("https:\\\\evil.example", "backslash"),
        ("https:evil.example", "needs '//'"),
        ("docs/page.html", "not an absolute link"),
    ],
)
def test_unsafe_url_messages_say_what_is_wrong(url, reason):
    assert reason in url_problem(url)


def test_every_url_in_shipped_and_test_cards_is_still_valid():
    """The rule does not reject a card the project ships or tests with (all use https)."""
    for path in [EXAMPLE, *(ROOT / "tests" / "data" / "render" / "cards").rglob("*.yaml")]:
        load_card(path)


# --------------------------------------------------------------------------
# 2. rendering re-checks every link (the schema bypassed)


def _poisoned_card(tmp_path: Path | None = None) -> ModelCard:
    """A valid card whose URL fields are then set to unsafe values without validation
    (as a program using the API could), with hostile free text."""
    card = load_card(EXAMPLE)
    # assignment is validated (validate_assignment), so a program would have to bypass it:
    # write the model's __dict__ directly, as model_construct() would
    with pytest.raises(ValueError):
        card.model.repository = "javascript:alert('repo')"

    def force(obj: object, name: str, value: str) -> None:
        obj.__dict__[name] = value

    force(card.model, "repository", "javascript:alert('repo')")
    force(card.model.developers[0], "url", "JaVaScRiPt:alert('dev')")
    force(card.model.references[0], "url", "data:text/html,<script>alert('ref')</script>")
    force(card.model.references[1], "url", "//evil.example/ref")
    force(card.datasets[0], "url", "file:///etc/passwd")
    force(card.datasets[0].provenance.sources[0], "url", "vbscript:msgbox('src')")
    card.model.description = (
        "Intro <script>alert('s')</script> <img src=x onerror=\"alert('i')\">\n\n"
        "[md](javascript:alert('md')) [ent](javascript&#58;alert('ent')) [esc](javascript\\:alert('esc'))\n"
        "[nl](\njavascript:alert('nl')) <javascript:alert('auto')> ![img](data:text/html,x)\n\n"
        "[ref]: vbscript:msgbox('ref')\n\n[use the ref][ref] and [ok](https://example.org/ok) and "
        "*emphasis* with `a < b` in code.\n\n```html\n<script>shown, not run</script>\n```\n"
    )
    return card


def test_html_rechecks_url_fields_and_free_text():
    html = render_html(_poisoned_card(), "card", base_dir=EXAMPLE.parent).content
    _assert_links_safe(html)
    body = html[html.index("<body") :]
    assert not {t for t, _ in _tags(body)} & {"script", "iframe", "object", "embed"}
    assert not any(k.startswith("on") for _, a in _tags(body) for k in a)
    # unsafe links became plain text: what they said is still there to read
    assert "Northpointe Inc. (now Equivant)" in html
    assert 'href="https://example.org/ok"' in html
    assert "<em>emphasis</em>" in html and "<code>a &lt; b</code>" in html


def test_markdown_rechecks_url_fields_and_free_text():
    text = render_markdown(_poisoned_card(), "card").content
    rendered = _permissive_markdown(text)
    _assert_links_safe(rendered)
    assert "script" not in {t for t, _ in _tags(rendered)}
    assert not any(k.startswith("on") for _, a in _tags(rendered) for k in a)
    # legitimate Markdown is intact
    assert "[ok](https://example.org/ok)" in text
    assert "*emphasis* with `a < b` in code" in text
    assert "```html\n<script>shown, not run</script>\n```" in text
    assert '<a href="https://example.org/ok">ok</a>' in rendered
    assert "&lt;script&gt;shown, not run" in rendered  # inside the code block: shown as text


def test_markdown_url_fields_are_plain_text_when_unsafe():
    card = load_card(EXAMPLE)
    card.model.__dict__["repository"] = "javascript:alert(1)"  # bypass assignment validation
    card.datasets[0].__dict__["url"] = "https://example.org/)[x](javascript:alert(2)"
    text = render_markdown(card, "card").content
    assert "\n- **Repository:** javascript:alert(1)\n" in text
    _assert_links_safe(_permissive_markdown(text))


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](javascript&#x3A;alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java\\script:alert(1))",
        "[x]( <javascript:alert(1)> )",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "![x](javascript:alert(1))",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "[x][r]\n\n[r]:\n  <javascript:alert(1)>",
        "<javascript:alert(1)>",
        "`\n<script>alert(1)</script>\n`",
        "<https://ok.example/`> <script>alert(1)</script> `",
        "> ```\n<script>alert(1)</script>",
        "<div>\n```\n<script>alert(1)</script>\n```\n</div>",
        "<!-- x --><script>alert(1)</script>",
        "<svg onload=alert(1)>",
        "<details open ontoggle=alert(1)>x</details>",
        "x\u202e<b>y</b>\x1b[2J",
    ],
)
def test_markdown_output_is_inert_in_any_renderer(payload):
    for out in (md_block(payload), md_cell(payload), md_escape(payload)):
        rendered = _permissive_markdown(out)
        _assert_links_safe(rendered)
        names = {t for t, _ in _tags(rendered)}
        assert not names & {"script", "img", "svg", "details", "div", "iframe"}, (out, rendered)
        assert not any(k.startswith("on") for _, a in _tags(rendered) for k in a)
        assert "\x1b" not in out and "\u202e" not in out


@pytest.mark.parametrize(
    "text",
    [
        "Plain *emphasis*, **strong**, `code <b>` and [a link](https://example.org/x_(y)).",
        "- one\n- two\n\n1. three\n\n> quote",
        "```python\nif a < b: print('<tag>')\n```",
        "![figure](figures/roc.png) [section](#fairness) <https://example.org/auto> <me@example.org>",
        "A table:\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    ],
)
def test_legitimate_markdown_is_kept_verbatim(text):
    assert md_escape(text) == text


def test_less_than_in_prose_is_shown_not_parsed():
    assert md_escape("a <b> and x < y") == "a &lt;b> and x &lt; y"
    assert "&lt;b&gt;" in _permissive_markdown(md_escape("a <b> c"))


def test_link_filters():
    assert (
        link_html("https://example.org/?a=1&b=2", "T<'>")
        == '<a href="https://example.org/?a=1&amp;b=2">T&lt;&#39;&gt;</a>'
    )
    assert link_html("javascript:alert(1)", "T") == "T"
    assert link_html(None, "T") == "T"
    assert link_md("https://example.org/a_(b)|c", "Title [1]") == "[Title \\[1\\]](https://example.org/a_%28b%29%7Cc)"
    assert link_md("https://example.org/") == "<https://example.org/>"
    assert link_md("javascript:alert(1)", "T") == "T"
    assert link_md("javascript:alert(1)") == "javascript:alert(1)"


def test_user_template_cannot_emit_unsafe_links(tmp_path):
    """Whatever a template writes, the document's href/src are checked last (entities decoded)."""
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "card.html.j2").write_text(
        "<!DOCTYPE html><html><head><title>t</title></head><body>"
        '<a href="{{ card.model.repository }}">repo</a>'
        "<a href='&#106;avascript:alert(1)'>ent</a><a href=JaVaScRiPt:alert(2)>bare</a>"
        '<a href="  javascript:alert(3)">space</a><a href="java&#x09;script:alert(4)">tab</a>'
        '<img src="data:text/html,x"><img srcset="a.png 1x, javascript:alert(5) 2x">'
        '<svg><a xlink:href="javascript:alert(6)"><text>t</text></a></svg>'
        '<form action="javascript:alert(7)"><button formaction="vbscript:x">b</button></form>'
        '<iframe src="data:text/html,x"></iframe><a href="https://example.org/">fine</a>'
        '<a href="#top">top</a></body></html>',
        encoding="utf-8",
    )
    card = load_card(EXAMPLE)
    card.model.__dict__["repository"] = "javascript:alert(0)"  # bypass assignment validation
    html = render_html(card, "card", template_dir=folder).content
    _assert_links_safe(html)
    assert 'href="https://example.org/"' in html and 'href="#top"' in html
    assert ">repo</a>" in html  # the element stays, as text


RAW_HTML = '<script>alert(1)</script> <img src=x onerror="alert(2)"> <a href="javascript:alert(3)">a</a>'


def test_user_markdown_template_printing_card_values_emits_no_raw_html(tmp_path):
    """Issue 9 §2: a user Markdown template that prints a card value without any filter still emits no raw
    HTML: every printed value is made safe Markdown, unless one of our filters (or a macro) produced it."""
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "card.md.j2").write_text(
        "{% import '_macros.md.j2' as m %}"
        "# {{ card.model.name }}\n\n{{ card.model.description }}\n\n"
        "{% for c in card.caveats_and_recommendations.caveats %}- {{ c }}\n{% endfor %}\n"
        "| a | b |\n|---|---|\n| {{ card.model.name }} | x<br>y |\n\n"
        "{{ m.verdict_summary(view) }}\n\n{{ card.model.description | md }}\n",
        encoding="utf-8",
    )
    card = load_card(EXAMPLE)
    caveats = card.caveats_and_recommendations.model_copy(update={"caveats": [RAW_HTML]})
    card = card.model_copy(
        update={
            "model": card.model.model_copy(update={"name": "n<b>x</b>", "description": RAW_HTML}),
            "caveats_and_recommendations": caveats,
        }
    )
    md = render_markdown(card, "card", template_dir=folder).content
    rendered = _permissive_markdown(md)
    for tag in ("<script", "<img", "<a ", "<b>"):
        assert tag not in md.lower(), tag
        assert tag not in rendered.lower(), (tag, rendered)
    assert md.count("&lt;script>alert(1)&lt;/script>") == 3  # the description, raw and through | md; the caveat
    assert "&lt;img src=x onerror" in md
    assert "| n&lt;b>x&lt;/b> | x<br>y |" in md  # template text is kept as written; the value is escaped
    assert "**Fairness checks:** " in md and "✅ pass" in md  # macro output is not escaped a second time


def test_markdown_finalize_passes_safe_output_and_escapes_the_rest():
    from markupsafe import Markup

    from modelcard.render.environment import markdown_finalize

    assert markdown_finalize(Markup("a<br>b")) == "a<br>b"
    assert markdown_finalize("a<br>b") == "a&lt;br>b"
    assert markdown_finalize("[x](javascript:alert(1))") == "[x\\](javascript:alert(1))"
    assert markdown_finalize(0.5) == "0.5" and markdown_finalize(None) == "None"
    text = "plain & 'quoted' *markdown* [link](https://example.org/) `<code>`"
    assert markdown_finalize(text) == text  # legitimate Markdown is kept as written
    once = markdown_finalize(RAW_HTML)
    assert markdown_finalize(once) == once  # escaping twice changes nothing


def test_safe_document_leaves_a_clean_document_byte_identical():
    html = render_html(load_card(EXAMPLE), "card", base_dir=EXAMPLE.parent).content
    assert safe_document(html) == html


# --------------------------------------------------------------------------
# 3. control and bidi characters: HTML, SVG (valid XML), Markdown, terminal


HOSTILE = "A\x1b[2J\x1b]0;pwned\x07\u202eevil\u2066x\u2069\u200e\u200f\u061c\x00\x08\x7f\x85\x9bB"

NEUTRALISED = (
    "\x1b",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\x00",
    "\x08",
    "\x7f",
    "\x85",
    "\x9b",
    "\x07",
)


def _hostile_card() -> ModelCard:
    data = _example()
    data["model"]["name"] = HOSTILE
    data["model"]["description"] = f"Text {HOSTILE} here."
    for r in data["fairness"]["results"]:
        r["group"] = {k: f"{v}{HOSTILE}" for k, v in r["group"].items()}
    for m in data["metrics"]:
        if m.get("slice"):
            m["slice"] = {k: f"{v}\u202e\x1b" for k, v in m["slice"].items()}
    card, diagnostics = validate_data(data)
    assert card is not None, diagnostics
    return card


def test_html_and_inline_svg_carry_no_control_or_bidi_characters():
    html = render_html(_hostile_card(), "card").content
    for ch in NEUTRALISED:
        assert ch not in html, repr(ch)
    assert "A[2J]0;pwnedevilxB" in html  # the visible text is kept
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert svgs
    for svg in svgs:
        ET.fromstring(svg)


def test_markdown_and_svg_sidecars_are_clean_and_valid_xml():
    page = render_markdown(_hostile_card(), "card", chart_prefix="c-charts/")
    for ch in NEUTRALISED:
        assert ch not in page.content, repr(ch)
    assert page.sidecars
    for svg in page.sidecars.values():
        ET.fromstring(svg)
        assert not any(ch in svg for ch in NEUTRALISED)


def test_chart_text_is_valid_xml_whatever_the_labels():
    label = "".join(chr(c) for c in range(0, 0x20)) + "\x7f\x85\x9f<&>\"'\u202a\u202b\u202c\u202d\u202e"
    svg = forest_svg(
        label,
        [Panel(label, [Row(label, 0.5, 0.4, 0.6, 0.5, (0.3, 0.7), "pass", note=label)])],
        description=label,
        axis_label=label,
        reference_label=label,
    )
    ET.fromstring(svg)


def test_neutralise():
    assert neutralise("a\tb\nc\rd\x1be\u202ef") == "a\tb\nc\rdef"
    assert neutralise("a\tb\nc\rd\x1be\u202ef", terminal=True) == "a\tb\nc\\x0dd\\x1be\\u202ef"
    assert neutralise("שלום עולם مرحبا") == "שלום עולם مرحبا"  # right-to-left text itself is untouched


# --------------------------------------------------------------------------
# 5. numbers: absurd values are located validation errors; charts never fail


def test_percent_scaled_metrics_without_definitions_stay_valid():
    """A metric's scale is known only from its definition: a Hugging Face import reports
    accuracy 94.1 (percent), and such cards are valid as before."""
    data = _minimal()
    data["metrics"] = [
        {"name": "accuracy", "value": 94.1},
        {"name": "f1", "value": 94.13},
        {"name": "wer", "value": 81.8},
        {"name": "loss", "value": 1.87},
    ]
    card, diagnostics = validate_data(data)
    assert card is not None and not [d for d in diagnostics if d.severity == "error"]
    data["test_methodology"] = {"metric_definitions": [{"name": "accuracy", "description": "Percent correct."}]}
    card, diagnostics = validate_data(data)
    assert card is not None and not [d for d in diagnostics if d.severity == "error"]
    data["test_methodology"] = {"metric_definitions": [{"name": "accuracy", "description": "Share correct."}]}
    _, diagnostics = validate_data(data)
    assert [d.path for d in diagnostics if d.code == "out-of-range"] == ["metrics[0].value"]


def test_proportion_metrics_cover_what_evaluate_computes():
    from modelcard.card.checks import PROPORTION_METRICS
    from modelcard.evaluation.finalize import BINARY_METRICS, SCORE_METRICS

    assert set(BINARY_METRICS) | set(SCORE_METRICS) <= PROPORTION_METRICS


def test_extreme_but_valid_numbers_render(tmp_path):
    """Values the schema accepts (up to ±1e100, spans below float resolution) render to every format."""
    data = _example()
    data["test_methodology"]["metric_definitions"].append({"name": "loss", "description": "Log loss."})
    data["metrics"] += [
        {
            "name": "loss",
            "value": 1e99,
            "confidence_interval": {"lower": -1e100, "upper": 1e100},
            "slice": {"race": "A"},
        },
        {
            "name": "loss",
            "value": 1e20,
            "confidence_interval": {"lower": 1e20, "upper": 1e20 + 1},
            "slice": {"race": "B"},
        },
        {"name": "loss", "value": 5e-324, "slice": {"race": "C"}},
    ]
    data["fairness"]["results"][0]["threshold"] = {"convention": "difference", "min": -1e100, "max": 1e100}
    data["fairness"]["results"][0]["verdict"] = "pass"
    card, diagnostics = validate_data(data)
    assert card is not None, [str(d) for d in diagnostics if d.severity == "error"]
    html = render_html(card).content
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        ET.fromstring(svg)
    page = render_markdown(card, chart_prefix="c/")
    for svg in page.sidecars.values():
        ET.fromstring(svg)


@pytest.mark.parametrize(
    "rows",
    [
        [Row("a", 1e308, -1e308, 1e308, 1e308, (-1e308, 1e308), "pass")],
        [Row("a", float("nan"), float("inf"), float("-inf"), float("nan"), (float("nan"), None), "fail")],
        [Row("a", 1e20, 1e20, 1e20 + 1, 1e20)],  # the old tick loop never ended here
        [Row("a", 5e-324, 0.0, 5e-324)],
        [Row("a", 0.7, 0.9, 0.1)],  # an interval given upside down
        [Row("a", -1e99), Row("b", 1e99)],
        [Row("a", None, band=(None, None))],
    ],
)
def test_charts_never_fail_on_any_numbers(rows):
    svg = forest_svg("t", [Panel("h", rows)], axis_label="x")
    root = ET.fromstring(svg)
    ticks = [t for t in root.iter("{http://www.w3.org/2000/svg}line") if t.get("stroke") == "#d0d7de"]
    assert 2 <= len(ticks) <= 13
    assert "nan" not in svg and "inf" not in svg
