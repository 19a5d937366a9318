"""User templates (``render --template DIR``) cannot reach Python, read outside their folder, or work without bound.

Each attack must end in a clear error (exit code and a message naming the
template and what was refused) and no side effect: payloads that would create a
marker file or print a secret are checked for both.  Attacks run through the
Python API and, for a sample of each kind, through the CLI.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import pickle
import threading
import time
import types
import warnings
from pathlib import Path, PurePath

import pytest
from markupsafe import Markup
from pydantic import BaseModel

from modelcard.card.validate import load_card
from modelcard.render import (
    CardView,
    TemplateLimitError,
    TemplateProblem,
    render_html,
    render_index,
    render_markdown,
    sandbox,
)
from modelcard.render.api import generator_name
from modelcard.render.environment import card_context, environment
from modelcard.render.sandbox import BUILTIN_FILTERS, Record

ROOT = Path(__file__).resolve().parents[2]

DATA = ROOT / "tests" / "data" / "render"

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

CARDS = [
    EXAMPLE,
    DATA / "cards" / "compas.yaml",
    DATA / "cards" / "minimal.yaml",
    DATA / "cards" / "rich" / "card.yaml",
    DATA / "security" / "evil.yaml",
]

SECRET = "TOP-SECRET-7f3a9c"


@pytest.fixture(scope="module")
def card():
    return load_card(EXAMPLE)


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


def _problem(card, folder: Path, fmt: str = "html", **limits) -> TemplateProblem:
    render = render_html if fmt == "html" else render_markdown
    with pytest.raises(TemplateProblem) as info:
        render(card, "card", template_dir=folder, **limits)
    return info.value


def _text(exc: TemplateProblem) -> str:
    return " ".join(str(d) for d in exc.diagnostics) or str(exc)


def _jinja_string(text: str) -> str:
    """``text`` as a Jinja string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


# --------------------------------------------------------------------------
# 1. templates receive plain, frozen data


ALLOWED_LEAVES = (str, int, float, bool, type(None), dt.date, dt.datetime, dt.time)


def _walk(value, path="", seen=None):
    """Every (path, value) in a template context, recursively."""
    seen = set() if seen is None else seen
    yield path, value
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, (Record, types.MappingProxyType)):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key!r}]", seen)
    elif type(value) is tuple:
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]", seen)


def _assert_plain(context: dict) -> int:
    count = 0
    for name, root in context.items():
        for path, value in _walk(root, name):
            count += 1
            kind = type(value)
            assert kind in (Record, types.MappingProxyType, tuple, Markup) or kind in ALLOWED_LEAVES, (path, kind)
            assert not isinstance(value, (BaseModel, PurePath, list, dict, set)), (path, kind)
            assert kind.__module__ not in ("numpy", "pydantic", "pathlib"), (path, kind)
            assert not callable(value), path
            if kind is Record:
                assert all(not callable(v) for v in value.values()), path
    return count


@pytest.mark.parametrize("path", CARDS, ids=lambda p: p.parent.name + "/" + p.name)
@pytest.mark.parametrize("kind", ["md", "html"])
def test_templates_receive_only_plain_frozen_data(path, kind):
    card = load_card(path)
    context = card_context(card, CardView(card, chart_prefix="c/"), kind, generator_name())
    assert set(context) == {"card", "view", "generator"}
    assert _assert_plain(context) > 20
    assert type(context["card"]) is Record and type(context["view"].card) is Record
    # the view shares the card's records, and charts are markup strings
    assert all(type(fg.chart_svg) is (Markup if kind == "html" else str) for fg in context["view"].fairness_groups)


def test_index_context_is_plain_too(monkeypatch):
    from modelcard.render import api as render_module

    entries = [
        {
            "title": "T",
            "version": "1",
            "href": "t.html",
            "source": "t.yaml",
            "verdicts": {"pass": 1},
            "completeness": 0.5,
            "completeness_title": "x",
            "path": Path("/etc"),
        }
    ]
    failures = [{"source": "u.yaml", "message": "bad"}]
    captured = {}
    real = render_module.render_template

    def capture(kind, name, folder, context, *args):
        captured.update(context)
        return real(kind, name, folder, context, *args)

    monkeypatch.setattr(render_module, "render_template", capture)
    assert "t.html" in render_index(entries, failures)
    _assert_plain(captured)
    assert captured["entries"][0].path == "/etc"  # a Path became a string


def test_mutable_and_numpy_values_are_frozen():
    import numpy as np

    frozen = sandbox.freeze(
        {
            "a": [1, {"b": np.float64(0.5)}],
            "n": np.int64(3),
            "s": {2, 1},
            "p": Path("x"),
            "flag": np.bool_(True),
            "arr": np.arange(3),
        }
    )
    assert type(frozen) is types.MappingProxyType
    assert frozen["a"] == (1, types.MappingProxyType({"b": 0.5})) and type(frozen["a"][1]["b"]) is float
    assert type(frozen["n"]) is int and frozen["s"] == (1, 2) and frozen["p"] == "x"
    assert frozen["flag"] is True and frozen["arr"] == (0, 1, 2)
    with pytest.raises(TypeError):
        frozen["a"] = 1  # type: ignore[index]
    record = Record({"x": 1})
    with pytest.raises(AttributeError):
        record.x = 2  # type: ignore[misc]


def test_only_allow_listed_globals_and_filters():
    from jinja2.defaults import DEFAULT_NAMESPACE

    from modelcard.render.environment import template_filters

    for kind in ("md", "html"):
        env = environment(kind, None)
        assert set(env.globals) == {"range", "include_raw", "verdict_labels", "verdict_marks", "verdicts"}
        assert not set(DEFAULT_NAMESPACE) - {"range"} & set(env.globals)  # no cycler, joiner, namespace, lipsum, dict
        for name, value in env.globals.items():
            assert callable(value) == (name in ("range", "include_raw")), name
        ours = template_filters(kind)
        assert {"num", "interval", "group", "md", "md_inline", "md_cell"} <= set(ours)
        assert set(env.filters) == set(BUILTIN_FILTERS) | set(ours)
        assert "random" not in env.filters
        assert not set(env.tests) - {
            "odd",
            "even",
            "divisibleby",
            "defined",
            "undefined",
            "filter",
            "test",
            "none",
            "boolean",
            "false",
            "true",
            "integer",
            "float",
            "lower",
            "upper",
            "string",
            "mapping",
            "number",
            "sequence",
            "iterable",
            "callable",
            "sameas",
            "escaped",
            "in",
            "==",
            "eq",
            "equalto",
            "!=",
            "ne",
            ">",
            "gt",
            "greaterthan",
            "ge",
            ">=",
            "<",
            "lt",
            "lessthan",
            "<=",
            "le",
        }


# ---- method calls on every object a template receives


PYDANTIC_AND_MAPPING_METHODS = (
    "parse_raw",
    "parse_file",
    "parse_obj",
    "model_validate",
    "model_validate_json",
    "model_construct",
    "model_copy",
    "model_dump",
    "model_dump_json",
    "model_fields",
    "model_config",
    "dict",
    "json",
    "copy",
    "construct",
    "schema",
    "schema_json",
    "from_orm",
    "update_forward_refs",
    "validate",
    "dataset",
    "__class__",
    "__init__",
    "__dict__",
    "__globals__",
    "__reduce__",
    "__pydantic_extra__",
    "_fields",
    "get",
    "keys",
    "items",
    "values",
    "pop",
    "update",
    "setdefault",
    "clear",
    "fromkeys",
    "mro",
)


def test_no_method_is_reachable_on_any_object_a_template_receives(card):
    """Every record and mapping, every attribute name a Python object there exposes: nothing callable but
    the read-only mapping methods of data dicts."""
    from jinja2.runtime import Undefined

    env = environment("html", None)
    context = card_context(card, CardView(card), "html", generator_name())
    checked = 0
    for name, root in context.items():
        for path, value in _walk(root, name):
            if type(value) not in (Record, types.MappingProxyType):
                continue
            names = set(PYDANTIC_AND_MAPPING_METHODS) | set(dir(value))
            for attr in names:
                for got in (env.getattr(value, attr), env.getitem(value, attr)):
                    checked += 1
                    if isinstance(got, Undefined):
                        continue
                    if type(value) is Record:
                        assert attr in value and got is value[attr] and not callable(got), (path, attr)
                    else:
                        assert (attr in value and got is value[attr]) or (
                            attr in ("items", "keys", "values", "get") and callable(got)
                        ), (path, attr)
    assert checked > 10_000


@pytest.mark.parametrize(
    "expression",
    [
        "card.model",
        "card.fairness.results[0]",
        "card.datasets[0].provenance",
        "view",
        "view.completeness",
        "view.fairness_groups[0]",
        "card.card",
        "card.fairness.results[0].confidence_interval",
    ],
)
@pytest.mark.parametrize(
    "method",
    [
        "parse_raw('{}')",
        "parse_file('card.yaml')",
        "model_validate({})",
        "model_construct()",
        "model_copy()",
        "copy()",
        "dict()",
        "__init__()",
        "keys()",
    ],
)
def test_method_calls_on_records_fail_cleanly(card, tpl, expression, method):
    (tpl / "card.html.j2").write_text(f"{{{{ {expression}.{method} }}}}")
    exc = _problem(card, tpl)
    assert exc.exit_code == 2
    text = _text(exc)
    assert "card.html.j2:1" in text
    assert "undefined value in template" in text or "blocked by the template sandbox" in text, text


# ---- escape routes


def _pickle_payload(marker: Path) -> str:
    """Protocol-0 pickle (ASCII) that creates ``marker`` when loaded."""

    class Touch:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    return pickle.dumps(Touch(), protocol=0).decode("ascii")


def test_control_the_pickle_payload_escapes_a_bare_sandbox_given_pydantic_models(card, marker):
    """Why plain data matters: Jinja's own sandbox lets a template call pydantic's parse_raw, which unpickles."""
    from jinja2.sandbox import SandboxedEnvironment

    source = (
        "{{ card.model.parse_raw(" + _jinja_string(_pickle_payload(marker)) + ", proto='pickle', allow_pickle=True) }}"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            SandboxedEnvironment().from_string(source).render(card=card)
        except Exception:  # the validation after unpickling fails; the file is already created
            pass
    assert marker.exists()


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


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_escape_attempt_fails_cleanly_without_side_effect(card, tpl, marker, name):
    source, expected = ESCAPES[name]
    pickled = tpl.parent / "payload.pickle"
    pickled.write_text(_pickle_payload(marker))
    source = (
        source.replace("PICKLE_FILE", _jinja_string(str(pickled)))
        .replace("PICKLE", _jinja_string(_pickle_payload(marker)))
        .replace("MARKER", str(marker))
    )
    (tpl / "card.html.j2").write_text("<p>before</p>\n" + source + "\n")
    exc = _problem(card, tpl)
    assert exc.exit_code == 2
    text = _text(exc)
    assert expected in text, text
    assert f"{tpl}{os.sep}card.html.j2:2: error:" in text or f"{tpl.resolve()}{os.sep}card.html.j2:2: error:" in text
    assert not marker.exists()


def test_the_built_in_templates_still_work_with_user_overrides(card, tpl):
    (tpl / "_macros.html.j2").write_text(
        (ROOT / "templates" / "_macros.html.j2").read_text() + "{% macro extra() %}EXTRA{% endmacro %}\n"
    )
    (tpl / "card.html.j2").write_text(
        '{% import "_macros.html.j2" as m %}{{ m.extra() }} {{ card.model.name }} {{ view.ci_label }} '
        "{% for r in card.fairness.results if r.group.race is defined %}{{ r.group | group }};{% endfor %} "
        "{{ card.datasets[0].provenance.composition.label_distribution.items() | list | length }} "
        "{{ view.completeness.items | rejectattr('covered') | list | length }} "
        "{{ card.model.date.year }} {{ card['model']['name'] == card.model.name }} "
        "{{ card.fairness.results | map(attribute='metric') | unique | join(',') }} "
        "{{ card.model | tojson | length > 10 }}"
    )
    html = render_html(card, "card", template_dir=tpl).content
    assert html.startswith("EXTRA COMPAS")
    assert "African-American;" in html and "fpr,fnr" in html.replace("selection_rate,", "")
    assert "2013 True" in html and html.endswith("True")


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


@pytest.mark.parametrize("name", sorted(JAIL))
def test_jail_refuses(card, tpl, outside, name):
    setup, source, expected = JAIL[name]
    if name == "fifo-as-css" and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    if setup is not None:
        setup(tpl, outside)
    if source is not None:
        (tpl / "card.html.j2").write_text("<p>x</p>\n" + source.replace("OUTSIDE", str(outside)) + "\n")
    started = time.monotonic()
    exc = _problem(card, tpl)
    assert time.monotonic() - started < 5  # a FIFO is never opened, so nothing blocks
    assert exc.exit_code == 2
    text = _text(exc)
    assert expected in text, text
    assert "template" in text and "[template-refused]" in text, text
    assert SECRET not in text


def test_markdown_templates_are_jailed_too(card, tpl, outside):
    _symlink(tpl / "_macros.md.j2", outside / "evil.j2")
    exc = _problem(card, tpl, fmt="md")
    assert exc.exit_code == 2 and "outside the template folder" in _text(exc)
    assert "card.md.j2:1" in _text(exc)  # the built-in template that imported it


def test_links_inside_the_folder_are_fine(card, tmp_path, outside):
    real = tmp_path / "real-templates"
    (real / "parts").mkdir(parents=True)
    (real / "parts" / "head.j2").write_text("HEAD {{ card.model.name }}")
    (real / "style.css").write_text("p { color: blue }")
    _symlink(real / "alias.j2", real / "parts" / "head.j2")  # a symlink that stays inside
    _symlink(real / "modelcard.css", real / "style.css")
    (real / "card.html.j2").write_text(
        "{% include 'alias.j2' %}|{% include 'parts/./head.j2' %}|{{ include_raw('modelcard.css') }}"
    )
    via_link = tmp_path / "link-to-templates"
    _symlink(via_link, real)  # the folder itself may be named through a symlink
    html = render_html(card, "card", template_dir=via_link).content
    assert html.startswith("HEAD COMPAS") and html.endswith("p { color: blue }")


def test_a_file_added_later_is_picked_up_and_a_swapped_symlink_is_refused(card, tpl, outside):
    (tpl / "card.html.j2").write_text("{% include 'part.j2' %}")
    (tpl / "part.j2").write_text("one")
    assert render_html(card, "card", template_dir=tpl).content == "one"
    (tpl / "part.j2").unlink()
    _symlink(tpl / "part.j2", outside / "evil.j2")  # swapped after the first render was cached
    exc = _problem(card, tpl)
    assert "outside the template folder" in _text(exc)


# --------------------------------------------------------------------------
# 3. bounded work


LIMITS = {
    "range-too-big": ("{% for i in range(10**9) %}{% endfor %}", "range too big"),
    "string-multiplication": ("{{ 'a' * 10**10 }}", "the string would be too large"),
    "string-multiplication-reversed": ("{{ 10**10 * 'a' }}", "the string would be too large"),
    "list-multiplication": ("{{ ([1] * 10**8) | length }}", "the list would be too large"),
    "concatenation-doubling": (
        ("{% macro d(s, n) %}{% if n %}{{ d(s + s, n - 1) }}{% endif %}{% endmacro %}{{ d('x' * 1000, 40) }}"),
        "would be too large",
    ),
    "power": ("{{ 2 ** (10**10) }}", "the integer would have"),
    "percent-width": ("{{ '%0999999999d' % 1 }}", "a format width would be too large"),
    "percent-star": ("{{ '%*d' % (10**10, 1) }}", "a format width would be too large"),
    "format-width": ("{{ '{:>9999999999}'.format(1) }}", "a format width would be too large"),
    "format-nested-width": ("{{ '{:>{w}}'.format(1, w=10**10) }}", "a format width would be too large"),
    "format-filter": ("{{ '%-999999999s' | format('x') }}", "a format width would be too large"),
    "center-filter": ("{{ 'x' | center(10**10) }}", "center() result would be too large"),
    "indent-filter": ("{{ 'x' | indent(10**10) }}", "indent() result would be too large"),
    "batch-filter": ("{{ [1] | batch(10**9, 0) | list }}", "linecount too big"),
    "slice-filter": ("{{ [1] | slice(10**9) | list }}", "slices too big"),
    "ljust": ("{{ 'x'.ljust(10**10) }}", "ljust() result would be too large"),
    "zfill": ("{{ 'x'.zfill(10**10) }}", "zfill() result would be too large"),
    "expandtabs": ("{{ ('\\t' * 100000).expandtabs(10**6) }}", "expandtabs() result would be too large"),
    "replace-method": ("{{ ('x' * 1000).replace('', 'y' * 1000000) }}", "replace() result would be too large"),
    "replace-filter": ("{{ ('x' * 1000) | replace('', 'y' * 1000000) }}", "replace() result would be too large"),
    "join-method": ("{{ ('y' * 10000000).join(['a'] * 100) }}", "join() result would be too large"),
    "join-filter": ("{{ (['y' * 10000000] * 100) | join }}", "join() result would be too large"),
    "split": ("{{ ('ab ' * 20000000).split() | length }}", "split() result would be too large"),
    "list-of-long-string": ("{{ ('a' * 60000000) | list | length }}", "the list would be too large"),
    "sum-concatenation": ("{{ ([[1] * 1000000] * 1000) | sum(start=[]) | length }}", "sum() result"),
    "recursive-macro": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "nest too deeply"),
    "recursive-include": ("{% include 'card.html.j2' %}", "nest too deeply"),
    "recursive-loop": ("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", "nest too deeply"),
}


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_limit_stops_cleanly(card, tpl, name):
    source, expected = LIMITS[name]
    (tpl / "card.html.j2").write_text("<p>x</p>\n" + source + "\n")
    started = time.monotonic()
    exc = _problem(card, tpl, template_timeout=20)
    assert time.monotonic() - started < 10  # refused up front, not after the timeout
    assert isinstance(exc, TemplateLimitError) and exc.exit_code == 1
    text = _text(exc)
    assert expected in text, text
    assert "card.html.j2:2: error:" in text and "[template-limit]" in text, text


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


@pytest.mark.parametrize("name", sorted(TIME_BOMBS))
def test_timeout_stops_a_runaway_template(card, tpl, name):
    (tpl / "card.md.j2").write_text(TIME_BOMBS[name])
    started = time.monotonic()
    exc = _problem(card, tpl, fmt="md", template_timeout=0.5)
    elapsed = time.monotonic() - started
    assert isinstance(exc, TemplateLimitError) and exc.exit_code == 1
    assert "took longer than 0.5 s" in _text(exc) and "card.md.j2:1" in _text(exc)
    assert elapsed < 0.5 + 3


def test_output_size_is_bounded_while_streaming(card, tpl):
    (tpl / "card.md.j2").write_text("{% for i in range(100000) %}{{ 'x' * 1000 }}\n{% endfor %}")
    exc = _problem(card, tpl, fmt="md", max_output=1024 * 1024)
    assert isinstance(exc, TemplateLimitError) and exc.exit_code == 1
    assert "template output is larger than 1 MiB" in _text(exc)
    # output is counted in UTF-8 bytes: 400,000 four-byte characters are more than 1 MiB
    (tpl / "card.md.j2").write_text("{% for i in range(100) %}{{ '😀' * 4000 }}{% endfor %}")
    assert "larger than 1 MiB" in _text(_problem(card, tpl, fmt="md", max_output=1024 * 1024))
    (tpl / "card.md.j2").write_text("{% for i in range(100) %}{{ 'x' * 4000 }}{% endfor %}")
    assert len(render_markdown(card, template_dir=tpl, max_output=1024 * 1024).content) == 400_001


def test_memory_is_bounded(card, tpl, monkeypatch):
    """Values held by deep recursion are each small, together large: the watchdog stops the render."""
    monkeypatch.setattr(sandbox, "MIN_MEMORY_LIMIT", 128 * 1024 * 1024)
    (tpl / "card.md.j2").write_text(
        "{% macro hold(s, n) %}{% if n %}{{ hold(s ~ 'y', n - 1) }}{% else %}{% set r = range(100000) %}"
        "{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}{% endif %}{% endmacro %}"
        "{{ hold('x' * 3000000, 100) }}"
    )
    exc = _problem(card, tpl, fmt="md", template_timeout=30, max_output=4 * 1024 * 1024)
    assert isinstance(exc, TemplateLimitError)
    assert "used more than 128 MiB of memory" in _text(exc)


def test_limits_are_checked(card):
    from modelcard.diagnostics import UsageError

    for bad in (
        {"template_timeout": 0},
        {"template_timeout": -1},
        {"template_timeout": float("nan")},
        {"template_timeout": float("inf")},
        {"max_output": 0},
        {"max_output": 1.5},
    ):
        with pytest.raises(UsageError):
            render_html(card, **bad)


def test_timeout_works_off_the_main_thread_and_leaves_other_renders_alone(card, tpl):
    (tpl / "card.html.j2").write_text(TIME_BOMBS["loops-without-calls"])
    results: dict = {}

    def run(key, folder):
        try:  # the good one gets the default 10 s: it competes with the bad one for the interpreter
            results[key] = render_html(card, template_dir=folder, template_timeout=0.5 if folder else None).content[:15]
        except TemplateProblem as exc:
            results[key] = exc

    threads = [threading.Thread(target=run, args=("evil", tpl)), threading.Thread(target=run, args=("good", None))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert isinstance(results["evil"], TemplateLimitError)
    assert "took longer than 0.5 s" in _text(results["evil"])
    assert results["good"] == "<!DOCTYPE html>"
    # and the thread that rendered is usable afterwards: no interrupt left pending
    assert render_html(card).content.startswith("<!DOCTYPE html>")


def _render_in_child(folder: str, queue) -> None:
    try:
        render_html(load_card(EXAMPLE), template_dir=folder, template_timeout=0.5)
        queue.put("rendered")
    except TemplateProblem as exc:
        queue.put(f"{exc.exit_code} {exc}")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork workers are a POSIX thing")
def test_timeout_works_in_a_forked_worker(card, tpl):
    (tpl / "card.html.j2").write_text(TIME_BOMBS["loops-without-calls"])
    render_html(card)  # the parent has a watchdog thread; the child must start its own
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        child = ctx.Process(target=_render_in_child, args=(str(tpl), queue))
        child.start()
    child.join(30)
    assert child.exitcode == 0
    assert queue.get(timeout=5).startswith("1 template rendering took longer than 0.5 s")
