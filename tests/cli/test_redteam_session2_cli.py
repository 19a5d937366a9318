"""Red-team review of session 2, on the command line: messages show card text and file names as written and
never drive the terminal; derived output names (chart files, batch outputs, the index) are regular files or absent."""

from __future__ import annotations

from pathlib import Path

COMPAS = Path(__file__).resolve().parents[1] / "data" / "render" / "cards" / "compas.yaml"


def test_card_text_quoted_in_a_diagnostic_is_not_turned_into_a_flag(run_cli, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(
        'card:\n  schema_version: "1.1"\n  sign_off:\n  - name: a\n    role: b\n    decision: "`approved`"\n'
        'model:\n  name: x\n  version: "1"\n',
        encoding="utf-8",
    )
    result = run_cli("render", str(card), "--layout", "scorecard", "-o", str(tmp_path / "out.md"))
    assert result.returncode == 1
    assert "got '`approved`'" in result.stderr and "--approved" not in result.stderr, result.stderr
    assert "card.yaml:6:15:" in result.stderr and "Traceback" not in result.stderr


def test_parameters_named_by_the_library_are_still_shown_as_flags(run_cli, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text('card:\n  schema_version: "1.1"\nmodel:\n  name: x\n  version: "1"\n', encoding="utf-8")
    result = run_cli("render", str(card), "--inline-charts", "--format", "html")
    assert result.returncode == 2 and "--inline-charts" in result.stderr and "`" not in result.stderr


HOSTILE_IMAGE = 'description: "<img src=\\"&#x1b;]0;pwned&#x07;&#x1b;[31mRED&#x202e;.png\\">"'


def test_refused_image_warnings_do_not_drive_the_terminal(run_cli, tmp_path):
    """A card's image address written with character references (``&#x1b;``) is decoded by the HTML parser;
    the "not embedded" warning must show it escaped, not send ESC or bidi characters to the terminal."""
    card = tmp_path / "card.yaml"
    card.write_text(
        f'card:\n  schema_version: "1.1"\nmodel:\n  name: x\n  version: "1"\n  {HOSTILE_IMAGE}\n', encoding="utf-8"
    )
    result = run_cli("render", str(card), "--format", "html", "-o", str(tmp_path / "out.html"))
    assert result.returncode == 0 and "not embedded" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\u202e" not in result.stderr
    assert "\\x1b" in result.stderr  # shown as an escape


def test_batch_progress_and_errors_do_not_drive_the_terminal(run_cli, tmp_path):
    """File names come from the folder being rendered (a checked-out pull request): the progress lines,
    warnings and errors show them escaped."""
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "ok\x1b[31m.yaml").write_text(
        f'card:\n  schema_version: "1.1"\nmodel:\n  name: x\n  version: "1"\n  {HOSTILE_IMAGE}\n', encoding="utf-8"
    )
    (cards / "bad\x1b]0;t\x07.yaml").write_text("card: [\n", encoding="utf-8")
    result = run_cli("render", str(cards), "-o", str(tmp_path / "site") + "/", "--progress")
    assert result.returncode in (1, 2) and "1 failed" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\u202e" not in result.stderr


def test_a_fifo_where_a_chart_file_goes_is_refused_not_written_into(run_cli, tmp_path):
    """Chart file names are derived from -o, not chosen: a FIFO left at one must be refused like a link (with
    no reader, writing into it blocks the render for ever; here a reader is open, so the test cannot hang)."""
    import os

    card = tmp_path / "card.yaml"
    card.write_text(COMPAS.read_text(encoding="utf-8"), encoding="utf-8")
    charts = tmp_path / "out-charts"
    charts.mkdir()
    fifo = charts / "fairness-criteria.svg"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = run_cli("render", str(card), "-o", str(tmp_path / "out.md"))
        try:
            leaked = os.read(reader, 1 << 16)
        except BlockingIOError:
            leaked = b""
    finally:
        os.close(reader)
    assert result.returncode == 2 and "not a regular file" in result.stderr, result.stderr
    assert leaked == b"" and not (tmp_path / "out.md").exists()


def test_a_fifo_at_a_batch_output_or_the_index_is_refused_before_anything_is_written(run_cli, tmp_path):
    import os

    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "a.yaml").write_text(
        'card:\n  schema_version: "1.1"\nmodel:\n  name: x\n  version: "1"\n', encoding="utf-8"
    )
    site = tmp_path / "site"
    site.mkdir()
    for name in ("index.html", "a.html"):
        fifo = site / name
        os.mkfifo(fifo)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            result = run_cli("render", str(cards), "-o", str(site) + "/")
            try:
                leaked = os.read(reader, 1 << 16)
            except BlockingIOError:
                leaked = b""
        finally:
            os.close(reader)
            fifo.unlink()
        assert result.returncode == 2 and "not a regular file" in result.stderr, result.stderr
        assert leaked == b"" and not list(site.iterdir())


# --------------------------------------------------------------------------
# file names in links: spaces, backticks, HTML


def _md_html(path: Path) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(path.read_text(encoding="utf-8"))


def test_markdown_output_named_with_a_space_keeps_its_charts(run_cli, tmp_path):
    """``-o "Model Card.md"``: the images name ``Model%20Card-charts/...``; they must stay images (a percent-encoded
    space is no unsafe link) and the chart files must be written."""
    card = tmp_path / "card.yaml"
    card.write_text(COMPAS.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "Model Card.md"
    result = run_cli("render", str(card), "-o", str(out))
    assert result.returncode == 0, result.stderr
    charts = sorted(p.name for p in (tmp_path / "Model Card-charts").iterdir())
    assert charts == ["fairness-criteria.svg", "fairness-largest-disparities.svg"]
    page = _md_html(out)
    assert page.count('<img src="Model%20Card-charts/') == 2


def test_batch_index_links_cards_whose_file_names_have_spaces(run_cli, tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "my card.yaml").write_text(
        'card:\n  schema_version: "1.1"\nmodel:\n  name: x\n  version: "1"\n', encoding="utf-8"
    )
    for fmt, index in (("html", "index.html"), ("md", "index.md")):
        site = tmp_path / f"site-{fmt}"
        assert run_cli("render", str(cards), "-f", fmt, "-o", f"{site}/").returncode == 0
        text = (site / index).read_text(encoding="utf-8")
        page = text if fmt == "html" else _md_html(site / index)
        assert f'<a href="my%20card.{fmt}">x</a>' in page, text


def test_batch_markdown_index_shows_a_file_name_as_code_whatever_it_holds(run_cli, tmp_path):
    """The index shows each card's file name in a code span: a name with backticks must not end the span
    early and let the rest of the name (here an ``<img onerror>``) through as raw HTML."""
    cards = tmp_path / "cards"
    cards.mkdir()
    name = "x`<img src=x onerror=alert(1)>`.yaml"
    (cards / name).write_text('card:\n  schema_version: "1.1"\nmodel:\n  name: m\n  version: "1"\n', encoding="utf-8")
    site = tmp_path / "site"
    assert run_cli("render", str(cards), "-f", "md", "-o", f"{site}/").returncode == 0
    page = _md_html(site / "index.md")
    assert "<img" not in page and "onerror" in page  # shown as text, in a <code>
    assert "cards/x`&lt;img src=x onerror=alert(1)&gt;`.yaml</code>" in page
