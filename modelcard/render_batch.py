"""Rendering card *files*: one card to one output, or many cards to a folder with an index.

This is the file-level layer over :mod:`modelcard.render` (which works on
in-memory cards).  It loads each card with its overlays and ``--set`` values,
renders it, and writes every output atomically; the card itself is never
written to.

    from modelcard.render_batch import render_file, render_many

    render_file("examples/compas-recidivism.yaml", "out/compas.html")
    batch = render_many(["cards/"], "site/", fmt="html")   # site/<card>.html + site/index.html
    batch.failures                                           # [(path, CardError), ...]
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from .diagnostics import ModelcardError, UsageError
from .fileio import atomic_write

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
    verdicts: dict
    completeness: float
    completeness_title: str
    refused: list[str] = field(default_factory=list)


@dataclass
class Batch:
    outputs: list[Output] = field(default_factory=list)
    failures: list[tuple[str, ModelcardError]] = field(default_factory=list)
    index: Optional[str] = None


def expand_cards(paths: Sequence[str]) -> list[str]:
    """Files as given; directories expanded to the card files below them, sorted."""
    out: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(str(f) for f in sorted(p.rglob("*"))
                       if f.suffix.lower() in CARD_SUFFIXES and f.is_file()
                       and not any(part.startswith(".") for part in f.relative_to(p).parts))
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


def format_for(output: Optional[str], fmt: Optional[str]) -> str:
    if fmt:
        return fmt
    if output:
        guessed = SUFFIX_FORMATS.get(Path(output).suffix.lower())
        if guessed:
            return guessed
    return "md"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def render_card(card_path: str, fmt: str, layout: str = "card", *, overlays: Sequence[str] = (),
                sets: Sequence[str] = (), template_dir: Optional[str] = None, strict: bool = False,
                chart_prefix: str = ""):
    """Load one card file and render it; returns (card, Rendered)."""
    from .render import render
    from .validation import load_card

    card = load_card(card_path, overlays=overlays, sets=sets, strict=strict)
    base_dir = Path(card_path).resolve().parent
    return card, render(card, fmt, layout, template_dir=template_dir, base_dir=base_dir,
                        chart_prefix=chart_prefix)


def _guard_inputs(target: Path, inputs: Sequence[str]) -> None:
    for src in inputs:
        if _same_file(target, Path(src)):
            raise UsageError(f"{target}: refusing to overwrite an input file")


def write_rendered(rendered, target: Path, inputs: Sequence[str] = ()) -> None:
    """Write a render (and its Markdown chart files) atomically next to ``target``."""
    _guard_inputs(target, inputs)
    for rel, svg in sorted(rendered.sidecars.items()):
        path = target.parent / rel
        _guard_inputs(path, inputs)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, svg)
    atomic_write(target, rendered.content)


def chart_prefix_for(target: Path) -> str:
    return f"{target.stem}-charts/"


def render_file(card_path: str, output: str, fmt: Optional[str] = None, layout: str = "card", *,
                overlays: Sequence[str] = (), sets: Sequence[str] = (), template_dir: Optional[str] = None,
                strict: bool = False) -> Output:
    """Render one card file to ``output`` (format from ``fmt`` or the output's suffix)."""
    fmt = format_for(output, fmt)
    target = Path(output)
    if not target.parent.is_dir() and str(target.parent):
        raise UsageError(f"{output}: folder {target.parent} does not exist")
    card, rendered = render_card(card_path, fmt, layout, overlays=overlays, sets=sets, template_dir=template_dir,
                                 strict=strict, chart_prefix=chart_prefix_for(target) if fmt == "md" else "")
    write_rendered(rendered, target, [card_path, *overlays])
    return _summary(card_path, str(target), card, rendered)


def _summary(card_path: str, output: str, card, rendered) -> Output:
    from .render import completeness

    results = (card.fairness.results or []) if card.fairness else []
    verdicts = {}
    for r in results:
        verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    c = completeness(card)
    return Output(card_path, output, card.model.name, card.model.version, verdicts, c.score, c.title,
                  list(rendered.refused))


def _unique_names(paths: Sequence[str]) -> list[str]:
    """Output stems for each card: the file stem, made unique with the parent folder if needed."""
    stems = [Path(p).stem for p in paths]
    out: list[str] = []
    seen: dict[str, int] = {}
    for p, stem in zip(paths, stems):
        name = stem
        if stems.count(stem) > 1:
            parent = Path(p).resolve().parent.name
            name = f"{parent}-{stem}" if parent else stem
        base = name
        i = 2
        while name in seen:
            name = f"{base}-{i}"
            i += 1
        seen[name] = 1
        out.append(name)
    return out


def render_many(paths: Sequence[str], out_dir: str, fmt: str = "html", layout: str = "card", *,
                overlays: Sequence[str] = (), sets: Sequence[str] = (), template_dir: Optional[str] = None,
                strict: bool = False, progress: Optional[Callable[[int, int, str], None]] = None) -> Batch:
    """Render every card under ``paths`` into ``out_dir`` and write an index page linking them.

    A card that fails to load is recorded in ``Batch.failures`` and skipped;
    the others are still rendered.
    """
    cards = expand_cards(paths)
    if not cards:
        raise UsageError("no card files found in " + ", ".join(paths))
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{out_dir}: not a folder (several cards need -o FOLDER)")
    if not folder.parent.is_dir():
        raise UsageError(f"{out_dir}: folder {folder.parent} does not exist")
    folder.mkdir(exist_ok=True)
    batch = Batch()
    ext = EXTENSIONS[fmt]
    names = _unique_names(cards)
    for i, (card_path, name) in enumerate(zip(cards, names), 1):
        if progress:
            progress(i, len(cards), card_path)
        try:
            out = render_file(card_path, str(folder / f"{name}{ext}"), fmt, layout, overlays=overlays,
                              sets=sets, template_dir=template_dir, strict=strict)
        except ModelcardError as exc:
            if getattr(exc, "exit_code", 1) == 2 and type(exc).__name__ == "TemplateProblem":
                raise  # a broken template breaks every card: stop at the first
            batch.failures.append((card_path, exc))
            continue
        batch.outputs.append(out)
    batch.index = write_index(batch, folder, fmt, layout, template_dir=template_dir)
    return batch


def write_index(batch: Batch, folder: Path, fmt: str, layout: str, *, template_dir: Optional[str] = None) -> str:
    """index.md for Markdown outputs, index.html otherwise; returns its path."""
    from .render import render_index

    kind = "md" if fmt == "md" else "html"
    target = folder / f"index.{kind}"
    entries = []
    for o in batch.outputs:
        entries.append({
            "title": o.title, "version": o.version, "href": Path(o.output).name, "source": o.card_path,
            "verdicts": o.verdicts, "completeness": o.completeness, "completeness_title": o.completeness_title,
        })
    failures = [{"source": p, "message": str(e)} for p, e in batch.failures]
    text = render_index(entries, failures, kind=kind, fmt=fmt, layout=layout, template_dir=template_dir)
    atomic_write(target, text)
    return str(target)


def stderr_progress(force: Optional[bool] = None) -> Optional[Callable[[int, int, str], None]]:
    """A progress printer for stderr: on when stderr is a terminal (or ``force``), off with force=False."""
    stream = sys.stderr
    tty = stream.isatty()
    if force is False or (force is None and not tty):
        return None

    def show(i: int, n: int, path: str) -> None:
        width = len(str(n))
        line = f"[{i:>{width}}/{n}] {path}"
        if tty:
            stream.write("\r\x1b[2K" + line[:max(20, os.get_terminal_size(stream.fileno()).columns - 1)]
                         if _has_size(stream) else "\r" + line)
            if i == n:
                stream.write("\n")
        else:
            stream.write(line + "\n")
        stream.flush()

    return show


def _has_size(stream) -> bool:
    try:
        os.get_terminal_size(stream.fileno())
        return True
    except (OSError, ValueError):
        return False
