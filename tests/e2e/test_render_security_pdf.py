"""PDF rendering fetches nothing: no network, no file outside the card's folder."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest

from modelcard.card.validate import load_card

ROOT = Path(__file__).resolve().parents[2]

DATA = ROOT / "tests" / "data" / "render"

EVIL = DATA / "security" / "evil.yaml"

RICH = DATA / "cards" / "rich" / "card.yaml"


# --------------------------------------------------------------------------
# PDF: the url fetcher is asked and refuses


@pytest.fixture
def no_network(monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("network access attempted during rendering")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return calls


def test_pdf_fetcher_refuses_network_and_files_outside_the_card(tmp_path, no_network):
    pytest.importorskip("weasyprint")
    from modelcard.render.pdf import html_to_pdf

    folder = tmp_path / "card"
    folder.mkdir()
    (folder / "ok.png").write_bytes((RICH.parent / "figures" / "calibration.png").read_bytes())
    (tmp_path / "outside.css").write_text("body { color: red }")
    html = f"""<!DOCTYPE html><html><head><title>t</title>
    <link rel="stylesheet" href="http://127.0.0.1:9/remote.css">
    <link rel="stylesheet" href="../outside.css">
    <link rel="attachment" href="ok.png" title="sneaky">
    <style>@import url("https://example.invalid/import.css");
           @font-face {{ font-family: X; src: url(file:///etc/passwd); }}
           body {{ background: url(http://example.invalid/bg.png); }}</style>
    </head><body>
    <img src="file:///etc/passwd"><img src="http://example.invalid/pixel.png">
    <img src="https://example.invalid/pixel2.png"><img src="ok.png"><img src="{(tmp_path / "outside.css").as_uri()}">
    <a rel="attachment" href="ok.png">attach me</a>
    <p style="font-family: X">hello</p></body></html>"""
    result = html_to_pdf(html, base_dir=folder, source_date_epoch=0)
    assert result.pdf.startswith(b"%PDF-")
    refused = " ".join(result.refused)
    for url in (
        "http://127.0.0.1:9/remote.css",
        "outside.css",
        "https://example.invalid/import.css",
        "file:///etc/passwd",
        "http://example.invalid/pixel.png",
        "https://example.invalid/pixel2.png",
    ):
        assert url in refused, url
    assert any(u.endswith("/card/ok.png") for u in result.fetched)  # the card's own asset is served
    assert b"/EmbeddedFile" not in result.pdf and b"/FileAttachment" not in result.pdf
    assert no_network == []


def test_pdf_of_hostile_card_fetches_nothing(no_network):
    pytest.importorskip("weasyprint")
    from modelcard.render import render_pdf

    out = render_pdf(load_card(EVIL), "card", base_dir=EVIL.parent, source_date_epoch=0)
    assert out.content.startswith(b"%PDF-")
    assert "http://evil.example.com/pixel.png" in out.refused
    assert no_network == []
