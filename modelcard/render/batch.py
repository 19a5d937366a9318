"""Rendering card *files*: one card to one output, or many cards to a folder with an index.

This is the file-level layer over :mod:`modelcard.render.api` (which works on
in-memory cards).  It loads each card with its overlays and ``--set`` values,
renders it, and writes every output through :func:`modelcard.io.write.write_output`
(atomic, never over an input: the card, its overlays or a template).  A batch
plans every output name first and refuses, before writing anything, two cards
that would map to one output (names compared ignoring case) or a card whose
output would be the index page.

    from modelcard.render.batch import render_file, render_many

    render_file("examples/compas-recidivism.yaml", "out/compas.html")
    batch = render_many(["cards/"], "site/", fmt="html")   # site/<card>.html + site/index.html
    batch.failures                                           # [(path, CardError), ...]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from modelcard.analysis.gate import gate_card
from modelcard.card.validate import load_card
from modelcard.diagnostics import ModelcardError, UsageError
from modelcard.io.write import check_output, files_under, is_stdio, write_output
from modelcard.render.api import Rendered, render, render_index
from modelcard.render.view import completeness, counted_verdicts
from modelcard.safe_text import neutralise
from modelcard.schema.models import ModelCard

CARD_SUFFIXES = (".yaml", ".yml", ".json")
SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}
EXTENSIONS = {"md": ".md", "html": ".html", "pdf": ".pdf"}


@dataclass
class Output:
    """One rendered card."""

    card_path: str
    output: str
    title: str
    version: str
    verdicts: dict[str, int]
    completeness: float
    completeness_title: str
    refused: list[str] = field(default_factory=list)


@dataclass
class Batch:
    outputs: list[Output] = field(default_factory=list)
    failures: list[tuple[str, ModelcardError]] = field(default_factory=list)
    index: str | None = None


def expand_cards(paths: Sequence[str]) -> list[str]:
    """Files as given; directories expanded to the card files below them, sorted."""
    out: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(
                str(f)
                for f in sorted(p.rglob("*"))
                if f.suffix.lower() in CARD_SUFFIXES
                and f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        else:
            out.append(raw)
    unique: list[str] = []
    seen: set[str] = set()
    for path in out:  # the same card named twice (file and folder) renders once
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def format_for(output: str | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if output:
        guessed = SUFFIX_FORMATS.get(Path(output).suffix.lower())
        if guessed:
            return guessed
    return "md"


def render_inputs(card_path: str, overlays: Sequence[str] = (), template_dir: str | None = None) -> list[str]:
    """Every file a render reads: the card, its overlays and the files of the template folder."""
    return [card_path, *overlays, *files_under(template_dir)]


def render_card(
    card_path: str,
    fmt: str,
    layout: str = "card",
    *,
    overlays: Sequence[str] = (),
    sets: Sequence[str] = (),
    template_dir: str | None = None,
    strict: bool = False,
    chart_prefix: str = "",
    template_timeout: float | None = None,
    max_output: int | None = None,
    audience: str | None = None,
    inline_charts: bool = False,
) -> tuple[ModelCard, Rendered]:
    """Load one card file and render it; returns (card, Rendered).

    ``template_timeout`` and ``max_output`` bound the template's work (see :func:`modelcard.render.api.render`);
    ``audience`` selects the items of the ``eu-gpai-form`` layout; ``inline_charts`` inlines Markdown's charts.
    """
    card = load_card(card_path, overlays=overlays, sets=sets, strict=strict)
    base_dir = Path(card_path).resolve().parent
    return card, render(
        card,
        fmt,
        layout,
        template_dir=template_dir,
        base_dir=base_dir,
        chart_prefix=chart_prefix,
        template_timeout=template_timeout,
        max_output=max_output,
        audience=audience,
        inline_charts=inline_charts,
    )


def write_rendered(rendered: Rendered, target: Path, inputs: Sequence[str] = ()) -> None:
    """Write a render (and its Markdown chart files, in ``<stem>-charts/`` beside it) safely.

    Every path is checked before the first is written: none may be an input,
    the chart folder must be a folder (or absent), and a chart file may not be
    a folder; neither may be a symbolic link.
    """
    paths = _sidecar_paths(rendered, target)
    check_output(target, inputs)
    for path in paths.values():
        if path.is_dir():
            raise UsageError(f"{path}: is a directory, where a chart file of {target} goes")
        if path.parent.exists() and not path.parent.is_dir():
            raise UsageError(f"{path.parent}: exists and is not a folder; the charts of {target} go there")
        if path.parent.is_dir():
            check_output(path, inputs)
        # chart names are derived, not chosen: never write through a link someone left there (e.g. in a
        # checked-out pull request) to a file or folder outside the chart folder
        for link in (path.parent, path):
            if link.is_symlink():
                raise UsageError(
                    f"{link}: is a symbolic link, where a chart of {target} goes; chart files are "
                    "written only into a real folder beside the output (remove the link)"
                )
        refuse_special(path, f"a chart of {target}")
    for rel, path in sorted(paths.items()):
        try:
            path.parent.mkdir(exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{path.parent}: cannot create the chart folder: {exc.strerror or exc}") from None
        write_output(path, rendered.sidecars[rel], inputs=inputs)
    write_output(target, rendered.content, inputs=inputs)


def refuse_special(path: Path, what: str) -> None:
    """Refuse (exit 2) a FIFO, device or socket at a file name modelcard derives (a chart, a batch output,
    the index page): the user named a file or a folder, not it, and a FIFO without a reader would block the
    render for ever.  A name the user gives with ``-o`` is written into as it is (``-o /dev/null``)."""
    if path.exists() and not path.is_dir() and not path.is_file():
        raise UsageError(
            f"{path}: is not a regular file, where {what} goes; outputs are written there only as "
            "regular files (remove it)"
        )


def _sidecar_paths(rendered: Rendered, target: Path) -> dict[str, Path]:
    folder = target.parent / chart_prefix_for(target).rstrip("/")
    paths = {}
    for rel in rendered.sidecars:
        path = target.parent / rel
        if path.parent != folder or path.name in ("", ".", ".."):  # chart names come from render.py's slugs
            raise UsageError(f"{rel}: a chart file must go in {folder}")
        paths[rel] = path
    return paths


def chart_prefix_for(target: Path) -> str:
    return f"{target.stem}-charts/"


def writes_charts(target: Path) -> bool:
    """Markdown charts go beside an output that is a file; a device, FIFO or descriptor gets tables only."""
    path = os.path.abspath(target)
    return not path.startswith(("/dev/", "/proc/")) and (not os.path.exists(path) or os.path.isfile(path))


def render_file(
    card_path: str,
    output: str,
    fmt: str | None = None,
    layout: str = "card",
    *,
    overlays: Sequence[str] = (),
    sets: Sequence[str] = (),
    template_dir: str | None = None,
    strict: bool = False,
    template_timeout: float | None = None,
    max_output: int | None = None,
    audience: str | None = None,
    inline_charts: bool = False,
) -> Output:
    """Render one card file to ``output`` (format from ``fmt`` or the output's suffix).

    Markdown's charts go in ``<stem>-charts/`` beside it, or inline with ``inline_charts``."""
    fmt = format_for(output, fmt)
    if is_stdio(output):
        raise UsageError("render_file writes a file; use render_card for standard output")
    target = Path(output)
    inputs = render_inputs(card_path, overlays, template_dir)
    check_output(target, inputs)  # before the work
    charts = fmt == "md" and not inline_charts and writes_charts(target)
    card, rendered = render_card(
        card_path,
        fmt,
        layout,
        overlays=overlays,
        sets=sets,
        template_dir=template_dir,
        strict=strict,
        chart_prefix=chart_prefix_for(target) if charts else "",
        template_timeout=template_timeout,
        max_output=max_output,
        audience=audience,
        inline_charts=inline_charts,
    )
    write_rendered(rendered, target, inputs)
    return _summary(card_path, str(target), card, rendered)


def _summary(card_path: str, output: str, card: ModelCard, rendered: Rendered) -> Output:
    shown = counted_verdicts(card, gate_card(card))  # the verdicts the card's page shows
    results = (shown.fairness.results or []) if shown.fairness else []
    verdicts: dict[str, int] = {}
    for r in results:
        verdicts[str(r.verdict)] = verdicts.get(str(r.verdict), 0) + 1
    c = completeness(card)
    return Output(
        card_path, output, card.model.name, card.model.version, verdicts, c.score, c.title, list(rendered.refused)
    )


INDEX_STEM = "index"


def output_names(paths: Sequence[str]) -> list[str]:
    """Output stems for each card: the file stem, prefixed with its folder's name when two cards share a stem.

    Raises UsageError when two cards still map to one name (ignoring case, as
    macOS and Windows file systems do) or a card would be named like the index
    page, so that nothing is overwritten by another output.
    """
    stems = [Path(p).stem for p in paths]
    counts: dict[str, int] = {}
    for stem in stems:
        counts[stem.casefold()] = counts.get(stem.casefold(), 0) + 1
    out: list[str] = []
    for p, stem in zip(paths, stems):
        name = stem
        if counts[stem.casefold()] > 1:
            parent = Path(p).resolve().parent.name
            name = f"{parent}-{stem}" if parent else stem
        out.append(name)
    owners: dict[str, list[str]] = {}
    for p, name in zip(paths, out):
        owners.setdefault(name.casefold(), []).append(p)
    problems = []
    for key, cards in owners.items():
        if len(cards) > 1:
            problems.append(f"{' and '.join(cards)} would all be written as {out[paths.index(cards[0])]}.*")
        if key == INDEX_STEM:
            problems.append(f"{cards[0]} would be written over the index page; rename the card file")
    if problems:
        raise UsageError(
            "output names collide, nothing written: "
            + "; ".join(problems)
            + " (rename the card files, or render them into separate folders)"
        )
    return out


def render_many(
    paths: Sequence[str],
    out_dir: str,
    fmt: str = "html",
    layout: str = "card",
    *,
    overlays: Sequence[str] = (),
    sets: Sequence[str] = (),
    template_dir: str | None = None,
    strict: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    template_timeout: float | None = None,
    max_output: int | None = None,
    audience: str | None = None,
    inline_charts: bool = False,
) -> Batch:
    """Render every card under ``paths`` into ``out_dir`` and write an index page linking them.

    A card that fails to load is recorded in ``Batch.failures`` and skipped;
    the others are still rendered.
    """
    cards = expand_cards(paths)
    if not cards:
        raise UsageError("no card files found in " + ", ".join(paths))
    if any(is_stdio(c) for c in cards):
        raise UsageError("-: a card from standard input is rendered on its own, not in a batch")
    if is_stdio(out_dir):
        raise UsageError("several cards need -o FOLDER (one output per card plus an index page)")
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{out_dir}: not a folder (several cards need -o FOLDER)")
    if not folder.parent.is_dir():
        raise UsageError(f"{out_dir}: folder {folder.parent} does not exist")
    ext = EXTENSIONS[fmt]
    names = output_names(cards)
    # every output is checked before anything is written
    inputs = [*cards, *overlays, *files_under(template_dir)]
    if folder.is_dir():
        for name in names:
            check_output(folder / f"{name}{ext}", inputs)
            refuse_special(folder / f"{name}{ext}", f"the output of card {name}")
            charts = folder / f"{name}-charts"
            if fmt == "md" and charts.exists() and not charts.is_dir():
                raise UsageError(f"{charts}: exists and is not a folder; the charts of {name}{ext} go there")
        check_output(index_path(folder, fmt), inputs)
        refuse_special(index_path(folder, fmt), "the index page")
    folder.mkdir(exist_ok=True)
    batch = Batch()
    for i, (card_path, name) in enumerate(zip(cards, names), 1):
        if progress:
            progress(i, len(cards), card_path)
        try:
            out = render_file(
                card_path,
                str(folder / f"{name}{ext}"),
                fmt,
                layout,
                overlays=overlays,
                sets=sets,
                template_dir=template_dir,
                strict=strict,
                template_timeout=template_timeout,
                max_output=max_output,
                audience=audience,
                inline_charts=inline_charts,
            )
        except ModelcardError as exc:
            if getattr(exc, "exit_code", 1) == 2 and type(exc).__name__ == "TemplateProblem":
                raise  # a broken template breaks every card: stop at the first
            batch.failures.append((card_path, exc))
            continue
        batch.outputs.append(out)
    batch.index = write_index(
        batch, folder, fmt, layout, template_dir=template_dir, template_timeout=template_timeout, max_output=max_output
    )
    return batch


def write_index(
    batch: Batch,
    folder: Path,
    fmt: str,
    layout: str,
    *,
    template_dir: str | None = None,
    template_timeout: float | None = None,
    max_output: int | None = None,
) -> str:
    """index.md for Markdown outputs, index.html otherwise; returns its path."""

    kind = "md" if fmt == "md" else "html"
    target = index_path(folder, fmt)
    entries = []
    for o in batch.outputs:
        entries.append(
            {
                "title": o.title,
                "version": o.version,
                "href": Path(o.output).name,
                "source": o.card_path,
                "verdicts": o.verdicts,
                "completeness": o.completeness,
                "completeness_title": o.completeness_title,
            }
        )
    failures = [{"source": p, "message": str(e)} for p, e in batch.failures]
    text = render_index(
        entries,
        failures,
        kind=kind,
        fmt=fmt,
        layout=layout,
        template_dir=template_dir,
        template_timeout=template_timeout,
        max_output=max_output,
    )
    sources = [o.card_path for o in batch.outputs] + [p for p, _ in batch.failures]
    write_output(target, text, inputs=[*sources, *files_under(template_dir)])
    return str(target)


def index_path(folder: Path, fmt: str) -> Path:
    """index.md for Markdown outputs, index.html otherwise."""
    return folder / f"{INDEX_STEM}.{'md' if fmt == 'md' else 'html'}"


def stderr_progress(force: bool | None = None) -> Callable[[int, int, str], None] | None:
    """A progress printer for stderr: on when stderr is a terminal (or ``force``), off with force=False."""
    stream = sys.stderr
    tty = stream.isatty()
    if force is False or (force is None and not tty):
        return None

    def show(i: int, n: int, path: str) -> None:
        width = len(str(n))
        line = neutralise(f"[{i:>{width}}/{n}] {path}", terminal=True)  # file names of the folder rendered
        if tty:
            stream.write(
                "\r\x1b[2K" + line[: max(20, os.get_terminal_size(stream.fileno()).columns - 1)]
                if _has_size(stream)
                else "\r" + line
            )
            if i == n:
                stream.write("\n")
        else:
            stream.write(line + "\n")
        stream.flush()

    return show


def _has_size(stream: TextIO) -> bool:
    try:
        os.get_terminal_size(stream.fileno())
        return True
    except (OSError, ValueError):
        return False
