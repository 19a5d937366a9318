"""Rendering is safe by construction: sanitized HTML, no fetching in PDF, sandboxed templates."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from modelcard.card.validate import load_card
from modelcard.render import TemplateProblem, render_html
from modelcard.render.markdown_text import to_html

ROOT = Path(__file__).resolve().parents[2]

DATA = ROOT / "tests" / "data" / "render"

EVIL = DATA / "security" / "evil.yaml"

RICH = DATA / "cards" / "rich" / "card.yaml"

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "form",
    "input",
    "button",
    "object",
    "embed",
    "base",
    "meta",
    "link",
    "frame",
    "frameset",
    "applet",
    "textarea",
    "select",
}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def _body_tags(html: str) -> list[tuple[str, dict]]:
    body = html[html.index("<body") :]
    p = _Tags()
    p.feed(body)
    return p.found


def _assert_inert(html: str) -> None:
    tags = _body_tags(html)
    names = {t for t, _ in tags}
    assert not names & FORBIDDEN_TAGS, names & FORBIDDEN_TAGS
    assert "style" not in names  # our only <style> is in <head>
    for tag, attrs in tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
                assert scheme in ("", "http", "https", "mailto", "data"), (tag, name, value)
                if scheme == "data":
                    assert tag == "img" and value.startswith("data:image/"), (tag, value)
            if name == "style" and tag not in ("span",):
                pytest.fail(f"free text kept a style attribute: {tag} {value}")


@pytest.fixture(scope="module")
def evil_html() -> str:
    return render_html(load_card(EVIL), "card", base_dir=EVIL.parent).content


def test_no_active_content_survives_in_html(evil_html):
    _assert_inert(evil_html)
    lowered = evil_html.lower()
    for needle in (
        "<script",
        "onerror=",
        "onload=",
        "onclick=",
        "onmouseover=",
        "<iframe",
        "<form",
        'href="javascript:',
        "href='javascript:",
        'href="vbscript:',
        "<object",
        "<embed",
        "evil.example.com/track.css",
        "evil.example.com/s.css",
        "url(file:",
    ):
        assert needle not in lowered, needle
    # the text itself is kept (escaped), so readers see what the card says
    assert "evil &lt;script&gt;" in evil_html


def test_scorecard_is_inert_too():
    _assert_inert(render_html(load_card(EVIL), "scorecard", base_dir=EVIL.parent).content)


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="java&#115;cript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<iframe src="https://example.com"></iframe>',
        "<form><input name=a></form>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<details open ontoggle="alert(1)">x</details>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    ],
)
def test_markdown_sanitizer_blocks(payload):
    html = to_html(payload)
    _assert_inert("<body>" + html)
    assert "alert(1)" not in html or "<script" not in html


def test_local_asset_is_embedded_but_nothing_outside_the_card_folder(tmp_path):
    from modelcard.render.markdown_text import AssetResolver

    (tmp_path / "card").mkdir()
    (tmp_path / "card" / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "card" / "link.png").symlink_to(tmp_path / "secret.png")
    (tmp_path / "card" / "notes.txt").write_text("x")
    r = AssetResolver(tmp_path / "card")
    html = to_html("![a](ok.png) ![b](../secret.png) ![c](link.png) ![d](notes.txt) ![e](/etc/passwd.png)", r)
    assert html.count('src="data:image/png;base64,') == 1
    assert r.refused == ["../secret.png", "link.png", "notes.txt", "/etc/passwd.png"]


# --------------------------------------------------------------------------
# templates run in the sandbox


@pytest.mark.parametrize(
    "source, expected, exit_code",
    [
        ("{{ ''.__class__.__mro__ }}", "unsafe", 2),
        ("{{ card.model.__class__.__init__.__globals__ }}", "unsafe", 2),
        ("{{ card.model.__pydantic_extra__ }}", "unsafe", 2),
        ("{% for x in range(10**9) %}{% endfor %}", "range too big", 1),  # a work limit: exit 1
        ("{% if %}", "template syntax error", 2),
        ("{{ no_such_thing.attr }}", "undefined", 2),
    ],
)
def test_user_template_errors_are_reported_cleanly(tmp_path, source, expected, exit_code):
    (tmp_path / "card.html.j2").write_text(source)
    with pytest.raises(TemplateProblem) as info:
        render_html(load_card(RICH), "card", template_dir=tmp_path)
    assert info.value.exit_code == exit_code
    text = " ".join(str(d) for d in info.value.diagnostics) or str(info.value)
    assert expected in text.lower()
    assert "card.html.j2" in text


def test_user_template_overrides_by_name_and_reuses_builtin_parts(tmp_path):
    (tmp_path / "modelcard.css").write_text("body { color: rebeccapurple; }")
    html = render_html(load_card(RICH), "card", template_dir=tmp_path).content
    assert "rebeccapurple" in html and "border-collapse" not in html
    (tmp_path / "card.html.j2").write_text(
        '{% import "_macros.html.j2" as m %}<h1>{{ card.model.name }}</h1>{{ m.verdict("fail") }}'
        "{{ card.model.description | md }}"
    )
    html = render_html(load_card(RICH), "card", template_dir=tmp_path).content
    assert "<h1>Résumé screener | v2 &amp; &#39;friends&#39;</h1>" in html  # autoescaped
    assert 'class="verdict verdict-fail"' in html and "<strong>recruiter review</strong>" in html
