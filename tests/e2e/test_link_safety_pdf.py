"""Links and text in PDF output: no embedded file, only safe links, even from a user template and a poisoned card.
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

import io
from pathlib import Path

import pytest

from modelcard.card.validate import load_card
from modelcard.safe_text import safe_url
from modelcard.schema.models import ModelCard

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

FIGURE = ROOT / "tests" / "data" / "render" / "cards" / "rich" / "figures" / "calibration.png"


# --------------------------------------------------------------------------
# 2. rendering re-checks every link (the schema bypassed)


def _poisoned_card(tmp_path: Path | None = None) -> ModelCard:
    """A valid card whose URL fields are then set to unsafe values without validation
    (as a program using the API could), with hostile free text."""
    card = load_card(EXAMPLE)
    card.model.__dict__["repository"] = "javascript:alert('repo')"
    card.model.developers[0].__dict__["url"] = "JaVaScRiPt:alert('dev')"
    card.model.references[0].__dict__["url"] = "data:text/html,<script>alert('ref')</script>"
    card.model.references[1].__dict__["url"] = "//evil.example/ref"
    card.datasets[0].__dict__["url"] = "file:///etc/passwd"
    card.datasets[0].provenance.sources[0].__dict__["url"] = "vbscript:msgbox('src')"
    card.model.description = (
        "Intro <script>alert('s')</script> <img src=x onerror=\"alert('i')\">\n\n"
        "[md](javascript:alert('md')) [ent](javascript&#58;alert('ent')) [esc](javascript\\:alert('esc'))\n"
        "[nl](\njavascript:alert('nl')) <javascript:alert('auto')> ![img](data:text/html,x)\n\n"
        "[ref]: vbscript:msgbox('ref')\n\n[use the ref][ref] and [ok](https://example.org/ok) and "
        "*emphasis* with `a < b` in code.\n\n```html\n<script>shown, not run</script>\n```\n"
    )
    return card


# --------------------------------------------------------------------------
# 4. PDF: no template can attach a file; links in a PDF are absolute and safe


def _pdf_facts(pdf: bytes) -> tuple[list, list]:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    annotations = []
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            a = ref.get_object()
            action = a.get("/A") or {}
            annotations.append((a.get("/Subtype"), action.get("/URI")))
    return list(reader.attachments), annotations


ATTACHING_HTML = """<!DOCTYPE html><html><head><title>t</title>
<link rel="attachment" href="ok.png" title="plain">
<link rel="&#97;ttachment" href="ok.png" title="entity">
<link rel="ATTACHMENT" href="notes.png">
<link rel="stylesheet &#x61;ttachment" href="ok.png">
<style>@font-face { font-family: X; src: url(file:///etc/passwd); }
       body { background: url(/etc/hostname); } p { font-family: X }</style>
</head><body>
<a rel="attachment" href="ok.png">a1</a>
<a rel="&#x61;ttachment" href="ok.png">a2</a>
<a/rel=attachment href=ok.png>a3</a>
<a rel="attachment" href="data:text/plain,secret">a4</a>
<a href="file:///etc/passwd">file link</a>
<a href="notes.png">relative link</a>
<a href="javascript:alert(1)">script link</a>
<a href="https://example.org/">fine</a>
<a href="#top" id="top">in-document</a>
<object data="file:///etc/passwd"></object><embed src="notes.png"><iframe src="file:///etc/passwd"></iframe>
<img src="ok.png"><p>hello</p></body></html>"""


def test_pdf_embeds_no_file_and_keeps_only_safe_links(tmp_path):
    pytest.importorskip("weasyprint")
    from modelcard.render.pdf import html_to_pdf

    (tmp_path / "ok.png").write_bytes(FIGURE.read_bytes())
    (tmp_path / "notes.png").write_bytes(FIGURE.read_bytes())
    result = html_to_pdf(ATTACHING_HTML, base_dir=tmp_path)
    attachments, annotations = _pdf_facts(result.pdf)
    assert attachments == []
    assert b"/EmbeddedFile" not in result.pdf and b"/FileAttachment" not in result.pdf
    uris = [uri for subtype, uri in annotations if uri is not None]
    assert uris == ["https://example.org/"]
    assert all(subtype == "/Link" for subtype, _ in annotations)
    assert "file:///etc/passwd" in result.refused


def test_unprotected_weasyprint_would_have_attached_the_file(tmp_path):
    """The attack is real: the same HTML through WeasyPrint alone embeds ok.png."""
    weasyprint = pytest.importorskip("weasyprint")
    from modelcard.render.pdf import make_fetcher

    (tmp_path / "ok.png").write_bytes(FIGURE.read_bytes())
    html = '<html><head><link rel="&#97;ttachment" href="ok.png"></head><body>x</body></html>'
    pdf = weasyprint.HTML(string=html, base_url=tmp_path.as_uri() + "/", url_fetcher=make_fetcher(tmp_path)).write_pdf()
    attachments, _ = _pdf_facts(pdf)
    assert attachments == ["ok.png"]


def test_pdf_from_a_user_template_and_a_poisoned_card_via_cli(tmp_path, run_cli):
    pytest.importorskip("weasyprint")
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "card.html.j2").write_text(
        '<!DOCTYPE html><html><head><title>t</title><link rel="&#97;ttachment" href="card.yaml">'
        '</head><body><a rel="attachment" href="card.yaml">x</a>'
        '<a href="{{ card.model.repository }}">repo</a><p>{{ card.model.name }}</p></body></html>',
        encoding="utf-8",
    )
    card = tmp_path / "card.yaml"
    card.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "card.pdf"
    res = run_cli("render", str(card), "-f", "pdf", "--template", str(folder), "-o", str(out))
    assert res.returncode == 0, res.stderr
    attachments, annotations = _pdf_facts(out.read_bytes())
    assert attachments == []
    assert [u for _, u in annotations if u] == []  # the template's links were an attachment and "None"


def test_pdf_of_the_poisoned_card_has_no_unsafe_link(tmp_path):
    pytest.importorskip("weasyprint")
    from modelcard.render import render_pdf

    page = render_pdf(_poisoned_card(), "card", base_dir=EXAMPLE.parent, source_date_epoch=0)
    attachments, annotations = _pdf_facts(page.content)
    assert attachments == []
    for _subtype, uri in annotations:
        assert uri is None or safe_url(uri) == uri, uri
