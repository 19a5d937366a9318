"""User templates (``render --template DIR``) cannot reach Python, read outside their folder, or work without bound.

Each attack must end in a clear error (exit code and a message naming the
template and what was refused) and no side effect: payloads that would create a
marker file or print a secret are checked for both.  Attacks run through the
Python API and, for a sample of each kind, through the CLI.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from modelcard.render import sandbox

ROOT = Path(__file__).resolve().parents[2]

DATA = ROOT / "tests" / "data" / "render"

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

SECRET = "TOP-SECRET-7f3a9c"


@pytest.fixture
def marker(tmp_path) -> Path:
    """A file that a successful escape would create; it must never exist."""
    return tmp_path / "pwned-marker"


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the template folder holding a secret and a template that would be harmful to load."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(SECRET + "\n")
    (folder / "evil.j2").write_text(SECRET + " {{ card.model.name }}\n")
    (folder / "modelcard.css").write_text(f"/* {SECRET} */ body {{ color: red }}\n")
    return folder


@pytest.fixture
def tpl(tmp_path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    return folder


def _jinja_string(text: str) -> str:
    """``text`` as a Jinja string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


# ---- escape routes


def _pickle_payload(marker: Path) -> str:
    """Protocol-0 pickle (ASCII) that creates ``marker`` when loaded."""

    class Touch:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    return pickle.dumps(Touch(), protocol=0).decode("ascii")


ESCAPES = {
    "parse_raw-pickle": (
        "{{ card.model.parse_raw(PICKLE, proto='pickle', allow_pickle=True) }}",
        "no field 'parse_raw'",
    ),
    "parse_file-pickle": (
        "{{ card.model.parse_file(PICKLE_FILE, proto='pickle', allow_pickle=True) }}",
        "no field 'parse_file'",
    ),
    "parse_obj": ("{{ card.parse_obj({}) }}", "no field 'parse_obj'"),
    "model_validate": ("{{ card.model_validate({}) }}", "no field 'model_validate'"),
    "attr-filter-method": ("{{ (card.model | attr('parse_raw'))('{}') }}", "no field 'parse_raw'"),
    "attr-filter-get": ("{{ (card.model | attr('get'))('name') }}", "no field 'get'"),
    "class-mro": ("{{ card.__class__.__mro__ }}", "unsafe"),
    "str-subclasses": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    "model-globals": ("{{ card.model.__class__.__init__.__globals__['os'].system('touch MARKER') }}", "unsafe"),
    "format-attr": ("{{ '{0.__class__.__init__.__globals__}'.format(card) }}", "unsafe"),
    "template-reference-context": ("{{ self._TemplateReference__context }}", "unsafe"),
    "self-init-globals": ("{{ self.__init__.__globals__ }}", "unsafe"),
    "cycler-globals": ("{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}", "unsafe"),
    "joiner": ("{{ joiner.__init__.__globals__.os.popen('touch MARKER').read() }}", "unsafe"),
    "joiner-call": ("{% set j = joiner() %}{{ j() }}", "'joiner' is undefined"),
    "namespace": (
        "{% set ns = namespace(s='') %}{% for i in range(3) %}{% set ns.s = ns.s ~ i %}{% endfor %}",
        "'namespace' is undefined",
    ),
    "lipsum": ("{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}", "'lipsum' is undefined"),
    "lipsum-call": ("{{ lipsum(10**9) }}", "'lipsum' is undefined"),
    "dict-global": ("{{ dict(a=1) }}", "'dict' is undefined"),
    "range-globals": ("{{ range.__globals__['sys'].modules['os'].system('touch MARKER') }}", "unsafe"),
    "include_raw-globals": ("{{ include_raw.__globals__ }}", "unsafe"),
    "filter-function-globals": ("{{ (card | attr('items')).__func__ }}", "no field 'items'"),
    "macro-internals": ("{% macro m() %}{% endmacro %}{{ m._func.__globals__ }}", "unsafe"),
    "loop-internals": ("{% for x in [1] %}{{ loop._iterator.__class__ }}{% endfor %}", "unsafe"),
    "mapping-copy": ("{{ view.verdict_counts.copy() }}", "no key 'copy'"),
    "mapping-class": ("{{ view.verdict_counts.__class__ }}", "unsafe"),
    "dict-items-mapping-mutation": ("{{ view.verdict_counts.items().mapping.update({'x': 1}) }}", "no key 'update'"),
    "list-mutation": ("{% set l = [1] %}{{ l.append(2) }}", "unsafe"),
    "date-class-method": ("{{ card.model.date.today() }}", "not allowed"),
    "int-from-bytes": ("{{ (1).from_bytes(b, 'big') }}", "not allowed"),
    "str-translate": ("{{ card.model.name.translate({}) }}", "not allowed"),
    "bytes-from-str": ("{{ card.model.name.encode('utf-8') * 10**10 }}", "not allowed"),
    "int-to-bytes": ("{{ (1).to_bytes(10**10, 'big') }}", "not allowed"),
    "markup-class": ("{{ view.fairness_groups[0].chart_svg.__class__.__mro__ }}", "unsafe"),
    "generator-frame": ("{{ (card.datasets | map(attribute='id')).gi_frame }}", "unsafe"),
    "undefined-internals": ("{{ missing._undefined_exception.__init__.__globals__ }}", "unsafe"),
}


@pytest.mark.parametrize(
    "name", ["parse_raw-pickle", "model-globals", "cycler-globals", "namespace", "template-reference-context"]
)
def test_escape_attempt_through_the_cli(tpl, marker, run_cli, name):
    source, expected = ESCAPES[name]
    source = source.replace("PICKLE", _jinja_string(_pickle_payload(marker))).replace("MARKER", str(marker))
    (tpl / "card.html.j2").write_text(source + "\n")
    result = run_cli("render", EXAMPLE, "--format", "html", "--template", tpl)
    assert result.returncode == 2, result.stderr
    assert "card.html.j2:1: error:" in result.stderr and expected in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stdout == ""
    assert not marker.exists()


# --------------------------------------------------------------------------
# 2. the template folder is a jail


def _symlink(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


JAIL = {
    # name: (setup(tpl, outside), template source or None to keep the built-in card template, expected text)
    "include-absolute": (None, "{% include '/etc/passwd' %}", "absolute paths are not allowed"),
    "include-absolute-secret": (None, "{% include 'OUTSIDE/secret.txt' %}", "absolute paths are not allowed"),
    "include-dotdot": (None, "{% include '../outside/secret.txt' %}", "'..' is not allowed"),
    "include-nested-dotdot": (None, "{% include 'a/../../outside/secret.txt' %}", "'..' is not allowed"),
    "include-backslash-dotdot": (None, "{% include '..\\\\outside\\\\secret.txt' %}", "'..' is not allowed"),
    "include-drive": (None, "{% include 'C:/Windows/win.ini' %}", "absolute paths are not allowed"),
    "import-dotdot": (None, "{% import '../outside/evil.j2' as x %}", "'..' is not allowed"),
    "extends-absolute": (None, "{% extends 'OUTSIDE/evil.j2' %}", "absolute paths are not allowed"),
    "include_raw-dotdot": (None, "{{ include_raw('../outside/secret.txt') }}", "'..' is not allowed"),
    "include_raw-absolute": (None, "{{ include_raw('/etc/passwd') }}", "absolute paths are not allowed"),
    "include-computed-name": (
        None,
        "{% include card.model.name ~ '/../../outside/secret.txt' %}",
        "'..' is not allowed",
    ),
    "include-nul": (None, "{% include 'x\\x00.j2' %}", "control characters"),
    "symlinked-template": (
        lambda t, o: _symlink(t / "card.html.j2", o / "evil.j2"),
        None,
        "outside the template folder",
    ),
    "symlinked-include": (
        lambda t, o: _symlink(t / "part.j2", o / "evil.j2"),
        "{% include 'part.j2' %}",
        "outside the template folder",
    ),
    "symlinked-folder": (
        lambda t, o: _symlink(t / "parts", o),
        "{% include 'parts/evil.j2' %}",
        "outside the template folder",
    ),
    "symlinked-folder-asset": (
        lambda t, o: _symlink(t / "css", o),
        "{{ include_raw('css/secret.txt') }}",
        "outside the template folder",
    ),
    "symlinked-css": (
        lambda t, o: _symlink(t / "modelcard.css", o / "modelcard.css"),
        None,
        "outside the template folder",
    ),
    "symlinked-css-to-secret": (
        lambda t, o: _symlink(t / "modelcard.css", o / "secret.txt"),
        None,
        "outside the template folder",
    ),
    "symlink-to-builtin": (
        lambda t, o: _symlink(t / "modelcard.css", ROOT / "templates" / "modelcard.css"),
        None,
        "outside the template folder",
    ),
    "dangling-symlink": (
        lambda t, o: _symlink(t / "modelcard.css", o / "missing.css"),
        None,
        "outside the template folder",
    ),
    "symlink-loop": (
        lambda t, o: (_symlink(t / "a.j2", t / "b.j2"), _symlink(t / "b.j2", t / "a.j2")),
        "{% include 'a.j2' %}",
        "template 'a.j2'",
    ),
    "directory-as-template": (lambda t, o: (t / "part.j2").mkdir(), "{% include 'part.j2' %}", "is not a regular file"),
    "fifo-as-css": (lambda t, o: os.mkfifo(t / "modelcard.css"), None, "is not a regular file"),
    "huge-template": (
        lambda t, o: (t / "big.j2").write_bytes(b"x" * (sandbox.MAX_TEMPLATE_BYTES + 1)),
        "{% include 'big.j2' %}",
        "larger than 8 MiB",
    ),
    "binary-template": (
        lambda t, o: (t / "bin.j2").write_bytes(b"\xff\xfe\x00garbage"),
        "{% include 'bin.j2' %}",
        "is not UTF-8 text",
    ),
}


@pytest.mark.parametrize(
    "name", ["include-dotdot", "symlinked-template", "symlinked-folder", "symlinked-css", "fifo-as-css"]
)
def test_jail_through_the_cli(tpl, outside, run_cli, name):
    setup, source, expected = JAIL[name]
    if setup is not None:
        setup(tpl, outside)
    if source is not None:
        (tpl / "card.html.j2").write_text(source.replace("OUTSIDE", str(outside)) + "\n")
    result = run_cli("render", EXAMPLE, "--format", "html", "--template", tpl)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr and "[template-refused]" in result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr


# --------------------------------------------------------------------------
# 3. bounded work


TIME_BOMBS = {
    "nested-range-loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    # no call at all inside the loops: only the watchdog's interrupt can stop it
    "loops-without-calls": "{% set r = range(100000) %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}",
    "macro-building-a-buffer": (
        "{% macro m() %}{% for i in range(100000) %}{% for j in range(100000) %}x"
        "{% endfor %}{% endfor %}{% endmacro %}{% set s = m() %}"
    ),
    "filters-in-a-loop": "{% for i in range(100000) %}{% for j in range(100000) %}{{ '' | upper }}{% endfor %}"
    "{% endfor %}",
}


def test_limits_through_the_cli(tpl, run_cli, tmp_path):
    (tpl / "card.html.j2").write_text(TIME_BOMBS["loops-without-calls"] + "\n")
    out = tmp_path / "out.html"
    started = time.monotonic()
    result = run_cli("render", EXAMPLE, "--template", tpl, "--template-timeout", "0.5", "-o", out)
    assert time.monotonic() - started < 15
    assert result.returncode == 1, result.stderr
    assert "card.html.j2:1: error: template rendering took longer than 0.5 s" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["templates"]

    (tpl / "card.html.j2").write_text("{{ 'a' * 10**10 }}\n")
    result = run_cli("render", EXAMPLE, "--template", tpl, "--format", "html")
    assert result.returncode == 1 and "the string would be too large" in result.stderr
    assert result.stdout == ""

    result = run_cli("render", EXAMPLE, "--format", "html", "--max-output", "4KiB")  # the CSS alone is more
    assert result.returncode == 1 and "(--max-output)" in result.stderr and result.stdout == ""
    result = run_cli("render", EXAMPLE, "--format", "html", "--max-output", "64MiB", "--template-timeout", "30")
    assert result.returncode == 0 and result.stdout.startswith("<!DOCTYPE html>")
    for option, value in (
        ("--template-timeout", "0"),
        ("--template-timeout", "abc"),
        ("--max-output", "-1"),
        ("--max-output", "12parsecs"),
    ):
        result = run_cli("render", EXAMPLE, option, value)
        assert result.returncode == 2 and f"argument {option}" in result.stderr


def test_limits_in_a_batch(tpl, run_cli, tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    for name in ("a", "b"):
        (cards / f"{name}.yaml").write_bytes((DATA / "cards" / "minimal.yaml").read_bytes())
    (tpl / "card.html.j2").write_text(TIME_BOMBS["loops-without-calls"] + "\n")
    site = tmp_path / "site"
    started = time.monotonic()
    result = run_cli("render", cards, "--template", tpl, "--template-timeout", "0.5", "-o", site)
    assert time.monotonic() - started < 20
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("took longer than 0.5 s") == 2 and "2 failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]  # no card page, only the index
