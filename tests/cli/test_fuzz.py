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

import copy
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from interop_helpers import CORPUS, NOT_CARDS

from modelcard.cli import main
from modelcard.diagnostics import ModelcardError

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")

EXAMPLE_DATA = yaml.safe_load(EXAMPLE_TEXT)

CORPUS_FILES = sorted(
    p
    for p in CORPUS.rglob("*")
    if p.is_file() and p.name not in NOT_CARDS and "schema" not in p.relative_to(CORPUS).parts
)

FORMATS = ("huggingface", "mct", "cyclonedx")


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
# running the CLI in a folder that is watched


def snapshot(folder: Path) -> dict[str, tuple]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st_ = os.lstat(p)
            kind = "d" if stat.S_ISDIR(st_.st_mode) else "f"
            out[os.path.relpath(p, folder)] = (
                kind,
                st_.st_mode,
                0 if kind == "d" else st_.st_size,
                0 if kind == "d" else st_.st_mtime_ns,
            )
    return out


@contextmanager
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as d:
        old = os.getcwd()
        os.chdir(d)  # a stray relative write would land here and be seen
        try:
            yield Path(d)
        finally:
            os.chdir(old)


def cli(capsys, folder: Path, *argv: str, outputs: tuple[str, ...] = ()) -> tuple[int, str, str]:
    """Run ``modelcard ARGV`` in ``folder``; check the three promises; return (status, stdout, stderr)."""
    capsys.readouterr()
    before = snapshot(folder)
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse: a usage error
        code = exc.code
    out, err = capsys.readouterr()
    if currently_in_test_context():  # --hypothesis-show-statistics: how often each outcome was reached
        event(f"{argv[0]} exit {code}")
    assert code in (0, 1, 2), (argv, code, err[-2000:])
    for text in (out, err):
        assert "internal error" not in text, (argv, err[-3000:])
        assert "Traceback (most recent call last)" not in text, (argv, err[-3000:])
        # what reaches a terminal never carries an escape sequence or a bidi override from the input
        assert "\x1b" not in text and "\u202e" not in text, (argv, ascii(text[-3000:]))
    after = snapshot(folder)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    allowed = set()
    for o in outputs:
        allowed.add(o)
        charts = str(Path(o).with_name(Path(o).stem + "-charts"))
        allowed |= {p for p in changed if p == charts or p.startswith(charts + os.sep)}
    assert not (changed - allowed), (argv, sorted(changed - allowed))
    return code, out, err


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    path.write_bytes(content)
    return name


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

YAML_TOKENS = st.sampled_from(
    [
        "-",
        ":",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        "{",
        "}",
        "[",
        "]",
        ",",
        "&a",
        "*a",
        "!",
        "!!",
        "|",
        ">",
        "'",
        '"',
        "#",
        "?",
        "---",
        "...",
        "<<",
        "%YAML 1.1",
        "model",
        "card",
        "name",
        "version",
        "metrics",
        "value",
        "a",
        "1",
        "0.5",
        *ODD_SCALARS,
    ]
)

yaml_soup = st.lists(YAML_TOKENS, max_size=40).map("".join)

any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)

odd_text = st.one_of(
    any_text, st.sampled_from(ODD_SCALARS), st.lists(st.sampled_from(ODD_SCALARS), max_size=6).map(" ".join)
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**400),
    st.floats(),
    any_text,
    st.sampled_from(ODD_SCALARS),
    st.dates(),
)

keys = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["card", "model", "name", "version", "metrics", "value", "fairness", "results", "x-a", "<<", "url", "n"]
    ),
)

structures = st.recursive(
    scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(keys, c, max_size=4), max_leaves=20
)


def to_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def to_json(data: Any) -> str:
    return json.dumps(data, default=str, allow_nan=True)


def deep(depth: int, kind: str) -> str:
    if kind == "json-list":
        return "[" * depth + "]" * depth
    if kind == "json-map":
        return '{"a":' * depth + "1" + "}" * depth
    if kind == "flow":
        return "a: " + "[" * depth + "]" * depth
    if kind == "block-map":
        return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    return "".join("  " * i + "-\n" for i in range(depth)) + "  " * depth + "x\n"  # block-seq


def alias_bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [x" + ", x" * (width - 1) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# the loader


@few(150)
@given(
    content=st.one_of(st.binary(max_size=400), yaml_soup.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    suffix=st.sampled_from([".yaml", ".json", ".yml", ".txt"]),
)
@example(content=b"", suffix=".yaml")
@example(content=b"\xef\xbb\xbf", suffix=".yaml")
@example(content=b"\xff\xfe" + "a: 1".encode("utf-16-le"), suffix=".yaml")
@example(content=b"\x00\x00", suffix=".json")
@example(content=b"---\n---\n", suffix=".yaml")
@example(content=b"a: !!python/object/apply:os.system ['touch pwned']\n", suffix=".yaml")
@example(content=b"a: 1\na: 2\n", suffix=".yaml")
@example(content=b'{"a": NaN, "b": 1e999}', suffix=".json")
def test_loader_never_crashes_on_bytes(capsys, content, suffix):
    from modelcard.io.source import load

    with workspace() as w:
        name = write(w, "card" + suffix, content)
        try:
            load(w / name)
        except ModelcardError as exc:
            assert str(exc)
        cli(capsys, w, "validate", name)
        cli(capsys, w, "check", name)


@few(80)
@given(
    data=structures,
    syntax=st.sampled_from(["yaml", "json"]),
    where=st.sampled_from(
        [
            "",
            "model",
            "model.description",
            "fairness",
            "metrics",
            "card",
            "x-ext",
            "datasets",
            "intended_use.primary_uses",
        ]
    ),
)
def test_loader_and_validation_on_arbitrary_structures(capsys, data, syntax, where):
    """Any structure, alone or grafted into a valid card: a located error or a valid card."""
    card = copy.deepcopy(EXAMPLE_DATA)
    if where:
        node, parts = card, where.split(".")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = data
    else:
        card = data
    text = to_yaml(card) if syntax == "yaml" else to_json(card)
    with workspace() as w:
        name = write(w, f"card.{syntax}", text)
        code, out, err = cli(capsys, w, "validate", name)
        if code:
            assert "card." in out + err  # a located diagnostic names the file
        cli(capsys, w, "render", name, "-f", "md", "-o", "out.md", outputs=("out.md",))
        if code == 0:  # a valid card goes through every other command
            base = write(w, "base.yaml", EXAMPLE_TEXT)
            cli(capsys, w, "check", name)
            cli(capsys, w, "gate", name)
            cli(capsys, w, "diff", base, name, "--format", "markdown")
            for fmt in ("huggingface", "cyclonedx", "spdx"):
                cli(capsys, w, "export", name, "--to", fmt, "-o", f"out.{fmt}", outputs=(f"out.{fmt}",))
            cli(capsys, w, "render", name, "-f", "html", "--layout", "scorecard", "-o", "sc.html", outputs=("sc.html",))


@few(80)
@given(
    data=structures,
    where=st.sampled_from(
        [
            "",
            "model",
            "model.name",
            "metrics",
            "fairness",
            "fairness.results",
            "datasets",
            "card",
            "x-ext",
            "test_methodology",
        ]
    ),
    item=st.booleans(),
)
@example(data={"name": None}, where="metrics", item=True)
@example(data=[], where="", item=False)
def test_layered_fragments(capsys, data, where, item):
    """``--with FRAGMENT`` of any shape over a valid card: layered, or a located error."""
    if where:
        node: Any = {}
        fragment = node
        parts = where.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = [data] if item else data
    else:
        fragment = data
    with workspace() as w:
        name = write(w, "card.yaml", EXAMPLE_TEXT)
        frag = write(w, "frag.yaml", to_yaml(fragment))
        cli(capsys, w, "validate", name, "--with", frag)
        cli(capsys, w, "render", name, "--with", frag, "-o", "out.md", outputs=("out.md",))
        cli(capsys, w, "merge", name, "--with", frag, "-o", "merged.yaml", outputs=("merged.yaml",))


@few(20)
@given(
    depth=st.integers(min_value=30, max_value=3000),
    kind=st.sampled_from(["json-list", "json-map", "flow", "block-map", "block-seq"]),
)
@example(depth=100_000, kind="json-list")
@example(depth=20_000, kind="flow")
def test_deep_nesting(capsys, depth, kind):
    with workspace() as w:
        name = write(w, "deep.json" if kind.startswith("json") else "deep.yaml", deep(depth, kind))
        code, out, err = cli(capsys, w, "validate", name)
        assert code == 1 and "deep" in out + err


@few(8)
@given(levels=st.integers(min_value=2, max_value=12), width=st.integers(min_value=2, max_value=12))
@example(levels=10, width=10)  # the classic billion laughs: 10**10 leaves
def test_alias_bombs(capsys, levels, width):
    with workspace() as w:
        name = write(
            w,
            "bomb.yaml",
            "card: {schema_version: '1.0'}\nmodel: {name: m, version: '1'}\nx-bomb:\n"
            + "".join("  " + line + "\n" for line in alias_bomb(levels, width).splitlines()),
        )
        cli(capsys, w, "validate", name)
        cli(capsys, w, "render", name, "-o", "out.md", outputs=("out.md",))


# --------------------------------------------------------------------------
# the importers


def _mutations():
    op = st.tuples(
        st.sampled_from(["delete", "insert", "duplicate", "truncate", "flip", "replace"]),
        st.floats(min_value=0, max_value=1),
        st.floats(min_value=0, max_value=1),
        st.sampled_from(
            [
                b"---\n",
                b"\n",
                b"\r\n",
                b":",
                b"- ",
                b'"',
                b"{",
                b"[",
                b"}",
                b"]",
                b",",
                b"null",
                b"1e999",
                b"-1",
                b"\x00",
                b"\xff",
                b"\xef\xbb\xbf",
                b"\t",
                b"!!python/object:os.system ",
                b"&a ",
                b"*a ",
                b"\n#",
                b"```\n",
                b"\\u0000",
                b'"bomFormat": "CycloneDX", ',
                b'"model_details": 3, ',
                b"[" * 200,
            ]
        ),
    )
    return st.lists(op, min_size=1, max_size=4)


def mutate(raw: bytes, ops) -> bytes:
    for kind, a, b, token in ops:
        i, j = sorted((int(a * len(raw)), int(b * len(raw))))
        if kind == "delete":
            raw = raw[:i] + raw[j:]
        elif kind == "insert":
            raw = raw[:i] + token + raw[i:]
        elif kind == "duplicate":
            raw = raw[:j] + raw[i:j] + raw[j:]
        elif kind == "truncate":
            raw = raw[:i]
        elif kind == "flip" and raw:
            k = min(i, len(raw) - 1)
            raw = raw[:k] + bytes([raw[k] ^ 0x80]) + raw[k + 1 :]
        elif kind == "replace":
            raw = raw[:i] + token + raw[j:]
    return raw


@few(200)
@given(source=st.sampled_from(CORPUS_FILES), ops=_mutations(), fmt=st.sampled_from(FORMATS + (None,)))
def test_import_mutated_corpus(capsys, source, ops, fmt):
    raw = mutate(source.read_bytes(), ops)
    with workspace() as w:
        name = write(w, "src" + source.suffix, raw)
        args = ["import", name, "-o", "card.yaml"] + (["--from", fmt] if fmt else [])
        code, _, _err = cli(capsys, w, *args, outputs=("card.yaml",))
        if code == 0:  # what import writes is a card that loads and validates (warnings allowed)
            vcode, _, verr = cli(capsys, w, "validate", "card.yaml")
            assert vcode == 0, verr[-2000:]
            cli(capsys, w, "render", "card.yaml", "-f", "html", "-o", "card.html", outputs=("card.html",))


FENCES = ["---", "--- ", "----", "---\t", "+++", "—", ""]

NEWLINES = ["\n", "\r\n", "\r"]


@few(150)
@given(
    bom=st.booleans(),
    lead=st.sampled_from(["", "\n", " ", "\n\n"]),
    open_=st.sampled_from(FENCES),
    close=st.sampled_from(FENCES + ["...", "--- x", None]),
    nl=st.sampled_from(NEWLINES),
    fm=st.one_of(
        structures.map(to_yaml),
        yaml_soup,
        st.sampled_from(
            ["", "license: mit", "- a\n- b", "x", "license: [mit", "model-index: 3", "model-index:\n- name: 3"]
        ),
    ),
    body=st.one_of(any_text, st.sampled_from(["", "# Title\n", "# T\n## Uses\ntext\n", "```\n---\n```\n"])),
)
@example(bom=False, lead="", open_="---", close=None, nl="\n", fm="", body="")  # `---` only
@example(bom=False, lead="", open_="---", close="---", nl="\n", fm="", body="")  # ---\n---
@example(bom=True, lead="", open_="---", close="---", nl="\n", fm="license: mit", body="# M\n")
@example(bom=False, lead="", open_="---", close="---", nl="\r\n", fm="license: mit", body="# M\r\n")
@example(bom=False, lead="", open_="---", close="---", nl="\n", fm="- a\n- b", body="")  # a list
@example(bom=False, lead="", open_="---", close="---", nl="\n", fm="just text", body="")  # a scalar
def test_import_front_matter_edge_cases(capsys, bom, lead, open_, close, nl, fm, body):
    text = ("\ufeff" if bom else "") + lead + open_ + nl + fm.replace("\n", nl) + nl
    if close is not None:
        text += close + nl + body.replace("\n", nl)
    with workspace() as w:
        name = write(w, "README.md", text)
        code, _, _err = cli(
            capsys, w, "import", "--from", "huggingface", name, "-o", "card.yaml", outputs=("card.yaml",)
        )
        if code == 0:
            vcode, _, verr = cli(capsys, w, "validate", "card.yaml")
            assert vcode == 0, verr[-2000:]
            cli(capsys, w, "export", "card.yaml", "--to", "huggingface", "-o", "OUT.md", outputs=("OUT.md",))


@few(60)
@given(data=structures, fmt=st.sampled_from(FORMATS), wrap=st.sampled_from(["none", "bom", "mct", "cyclonedx"]))
@example(data=None, fmt="mct", wrap="none")
@example(data={}, fmt="cyclonedx", wrap="cyclonedx")
@example(data=[], fmt="huggingface", wrap="none")
def test_import_odd_json(capsys, data, fmt, wrap):
    if wrap == "mct":
        data = {"model_details": data, "schema_version": data}
    elif wrap == "cyclonedx":
        data = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{"type": "machine-learning-model", "name": data, "modelCard": data}],
        }
    text = to_json(data)
    with workspace() as w:
        name = write(w, "src.json", ("\ufeff" if wrap == "bom" else "") + text)
        cli(capsys, w, "import", "--from", fmt, name, "-o", "card.yaml", outputs=("card.yaml",))


KNOWN_IMPORTS = [
    # (file name, content): cases the fuzzer found, or that were reported, pinned
    ("empty.md", b""),  # was: internal error KeyError 'x-huggingface'
    ("empty.json", b""),
    ("bom.md", b"\xef\xbb\xbf"),
    ("dashes.md", b"---\n"),  # `---` only
    ("fence.md", b"---\n---\n"),  # empty front matter
    ("bomfm.md", b"\xef\xbb\xbf---\nlicense: mit\n---\n# M\n"),
    ("crlf.md", b"---\r\nlicense: mit\r\ntags:\r\n- a\r\n---\r\n# M\r\n\r\ntext\r\n"),
    ("list.md", b"---\n- a\n- b\n---\n# M\n"),  # non-mapping front matter
    ("scalar.md", b"---\njust text\n---\n"),
    ("tagged.md", b"---\n!!python/object/apply:os.system ['touch pwned']\n---\n"),  # was: ConstructorError
    ("date.md", b"---\n- 2020-13-45\n---\n"),
    ("deep.md", b"---\na: " + b"[" * 5000 + b"]" * 5000 + b"\n---\n"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000),
    ("deepobj.json", b'{"model_details":' * 3000 + b"1" + b"}" * 3000),
    ("null.json", b"null"),
    ("list.json", b"[]"),
    ("str.json", b'"x"'),
    ("inf.json", b'{"model_details": {"name": 1e999}}'),
    ("utf16.json", "{}".encode("utf-16")),
    ("binary.md", bytes(range(256)) * 4),
]


def test_import_known_cases(capsys):
    """Every importer on every pinned case: imported, or an error naming the file as given (never a
    name the importer made up, such as ``empty.md.json``)."""
    with workspace() as w:
        for name, content in KNOWN_IMPORTS:
            write(w, name, content)
            for fmt in FORMATS:
                code, _out, err = cli(
                    capsys, w, "import", "--from", fmt, name, "-o", "card.yaml", outputs=("card.yaml",)
                )
                assert code in (0, 1), (name, fmt, err)
                if code:
                    assert f"{name}:" in err and f"{name}.json" not in err, (name, fmt, err)
                else:
                    vcode, _, verr = cli(capsys, w, "validate", "card.yaml")
                    assert vcode == 0, (name, fmt, verr)
        assert not (w / "pwned").exists()


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


@few(150)
@given(
    sets=st.lists(
        st.one_of(
            *[st.tuples(st.sampled_from(SET_PATHS), set_value).map("=".join)] * 6,
            st.tuples(set_key, set_value).map("=".join),
            any_text,
        ),
        min_size=1,
        max_size=3,
    )
)
@example(sets=["=1"])
@example(sets=["model.version"])
@example(sets=["metrics[0].value=nan"])
@example(sets=["metrics[1000000000000000000000].value=1"])
@example(sets=["fairness.results[0].disparity.difference.confidence_interval.lower=1e308"])
def test_set_parsing(capsys, sets):
    with workspace() as w:
        name = write(w, "card.yaml", EXAMPLE_TEXT)
        args = [a for s in sets for a in ("--set", s)]
        cli(capsys, w, "validate", name, *args)
        cli(capsys, w, "render", name, *args, "-f", "md", "-o", "out.md", outputs=("out.md",))


# --------------------------------------------------------------------------
# rendering


TEXT_FIELDS = [
    "model.description",
    "model.name",
    "model.version",
    "model.architecture",
    "model.citation",
    "model.type",
    "model.contact",
    "card.language",
]

LIST_TEXT_FIELDS = ["intended_use.primary_uses", "intended_use.out_of_scope_uses", "factors.evaluation"]


def set_path(card: dict, dotted: str, value: Any) -> None:
    node = card
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


@few(60)
@given(
    texts=st.lists(
        st.tuples(st.sampled_from(TEXT_FIELDS + LIST_TEXT_FIELDS), odd_text.filter(bool)), min_size=1, max_size=5
    ),
    metric_names=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "fpr",
                    "FPR",
                    "f.p.r",
                    "fpr!",
                    "../x",
                    "index",
                    "-",
                    ".",
                    "con",
                    "fpr-charts",
                    "metric-fpr",
                    "a/b",
                    "a\\b",
                ]
            ),
            st.text(min_size=1, max_size=20),
        ),
        max_size=4,
    ),
    group=odd_text.filter(bool),
)
def test_render_arbitrary_text(capsys, texts, metric_names, group):
    """Free text anywhere, metrics named like each other or like files: rendered, or a clean error."""
    from modelcard.render import render_html, render_markdown
    from modelcard.schema.models import ModelCard

    card = copy.deepcopy(EXAMPLE_DATA)
    for field, value in texts:
        set_path(card, field, [value] if field in LIST_TEXT_FIELDS else value)
    for m in metric_names:
        card["metrics"].append({"name": m, "value": 0.5, "n": 10, "dataset": "compas-2yr", "slice": {"race": group}})
    card["fairness"]["results"][0]["group"] = {"race": group}
    try:
        model = ModelCard.model_validate(card)
    except Exception as exc:  # pydantic's ValidationError: the API's answer to invalid data
        assert type(exc).__name__ == "ValidationError", repr(exc)
        model = None
    if model is not None:
        for fn in (render_markdown, render_html):
            try:
                fn(model)
            except ModelcardError:
                pass
    with workspace() as w:
        name = write(w, "card.yaml", to_yaml(card))
        for fmt in ("md", "html"):
            cli(capsys, w, "render", name, "-f", fmt, "-o", f"out.{fmt}", outputs=(f"out.{fmt}",))
        cli(capsys, w, "render", name, "--layout", "scorecard", "-f", "md", "-o", "sc.md", outputs=("sc.md",))


numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**20), 10**20),
    st.sampled_from([0, 1, -1, 0.5, 1e-300, -0.0, 1e308, -1e308, 5e-324, 2**53 + 1]),
)


@few(60)
@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(["value", "lower", "upper", "n", "d", "dl", "du", "r", "rl", "ru", "tmin", "tmax"]),
            st.integers(0, 7),
            numbers,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_render_arbitrary_numbers(capsys, values):
    """Numbers anywhere a chart or table shows one: rendered, or a located validation error."""
    card = copy.deepcopy(EXAMPLE_DATA)
    for what, k, v in values:
        m = card["metrics"][k % len(card["metrics"])]
        r = card["fairness"]["results"][k % len(card["fairness"]["results"])]
        if what == "value":
            m["value"] = v
        elif what in ("lower", "upper"):
            m.setdefault("confidence_interval", {"lower": 0, "upper": 1})[what] = v
        elif what == "n":
            m["n"] = v
        elif what in ("d", "r"):
            r["disparity"]["difference" if what == "d" else "ratio"]["value"] = v
        elif what in ("dl", "du", "rl", "ru"):
            d = r["disparity"]["difference" if what[0] == "d" else "ratio"]
            d.setdefault("confidence_interval", {"lower": 0, "upper": 1})["lower" if what[1] == "l" else "upper"] = v
        else:
            r.setdefault("threshold", {"convention": "difference"})["min" if what == "tmin" else "max"] = v
    with workspace() as w:
        name = write(w, "card.yaml", to_yaml(card))
        for fmt in ("md", "html"):
            cli(capsys, w, "render", name, "-f", fmt, "-o", f"out.{fmt}", outputs=(f"out.{fmt}",))
        cli(capsys, w, "gate", name)


def test_render_charts_beside_files_named_like_them(capsys):
    """Chart files land in <stem>-charts/ whatever is already there: files named like the charts are
    replaced, a file where the folder goes is a clean error, and nothing else is touched."""
    with workspace() as w:
        name = write(w, "card.yaml", EXAMPLE_TEXT)
        (w / "out-charts").mkdir()
        (w / "out-charts" / "fairness-largest-disparities.svg").write_text("old")
        (w / "out-charts" / "keep.txt").write_text("mine")
        code, _, err = cli(capsys, w, "render", name, "-o", "out.md", outputs=("out.md",))
        assert code == 0, err
        assert (w / "out-charts" / "keep.txt").read_text() == "mine"
        assert (w / "out-charts" / "fairness-largest-disparities.svg").read_text().startswith("<svg")
        write(w, "x-charts", "a file")
        code, _, err = cli(capsys, w, "render", name, "-o", "x.md")
        assert code == 2 and "x-charts" in err and not (w / "x.md").exists()
        # an output named like a chart of another output
        code, _, err = cli(
            capsys, w, "render", name, "-o", "out-charts/metric-fpr.svg", outputs=("out-charts/metric-fpr.svg",)
        )
        assert code == 0, err


def test_chart_files_never_written_through_links(capsys, tmp_path):
    """A link left where a chart goes (say, in a checked-out pull request) is refused before anything is
    written, so a file outside the output can never be replaced by a chart."""
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "fairness-largest-disparities.svg").write_text("precious")
    with workspace() as w:
        name = write(w, "card.yaml", EXAMPLE_TEXT)
        (w / "a-charts").mkdir()
        (w / "a-charts" / "fairness-largest-disparities.svg").symlink_to(outside / "fairness-largest-disparities.svg")
        code, _, err = cli(capsys, w, "render", name, "-o", "a.md")
        assert code == 2 and "a-charts/fairness-largest-disparities.svg: is a symbolic link" in err, err
        (w / "b-charts").symlink_to(outside)
        code, _, err = cli(capsys, w, "render", name, "-o", "b.md")
        assert code == 2 and "b-charts: is a symbolic link" in err, err
        assert not (w / "a.md").exists() and not (w / "b.md").exists()
    assert sorted(os.listdir(outside)) == ["fairness-largest-disparities.svg"]
    assert (outside / "fairness-largest-disparities.svg").read_text() == "precious"


def test_metric_names_whose_chart_files_collide(capsys):
    card = copy.deepcopy(EXAMPLE_DATA)
    for m in ("FPR", "f.p.r", "fpr!", "../../escape", "/abs"):
        card["metrics"].append({"name": m, "value": 0.5, "n": 10, "dataset": "compas-2yr", "slice": {"race": "Other"}})
        card["metrics"].append({"name": m, "value": 0.4, "n": 10, "dataset": "compas-2yr", "slice": {"race": "Asian"}})
    with workspace() as w:
        name = write(w, "card.yaml", to_yaml(card))
        code, _out, err = cli(capsys, w, "render", name, "-o", "out.md", outputs=("out.md",))
        assert code in (0, 1), err
        if code == 0:
            charts = sorted(os.listdir(w / "out-charts"))
            assert len(charts) == len({c.lower() for c in charts})
            text = (w / "out.md").read_text()
            for chart in charts:  # each chart file is the one its link names, none overwritten by another
                assert f"out-charts/{chart}" in text


# --------------------------------------------------------------------------
# evaluate


@few(80)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["0", "1"] * 40 + ["", "2", "yes", "nan"]),
            st.sampled_from(["0", "1"] * 40 + ["true", "", "x"]),
            st.one_of(
                st.sampled_from(["a", "b"] * 6 + ["", "NA", "\u202e", "x,y", '"q"']), st.text(min_size=1, max_size=5)
            ),
            st.sampled_from(["0.1", "0.9", "0.5"] * 30 + ["", "nan", "inf", "1e999", "x", "-3"]),
        ),
        max_size=30,
    ),
    options=st.lists(
        st.sampled_from(
            [
                ("--score-threshold", "0.5"),
                ("--bootstrap", "0"),
                ("--bootstrap", "7"),
                ("--confidence", "0.9"),
                ("--min-group-size", "3"),
                ("--intersectional",),
                ("--missing-group", "NA"),
                ("--max-groups", "50"),
                ("--reference", "g=a"),
                ("--threshold", "fpr:ratio:0.8:"),
                ("--threshold", "all:difference::0.1"),
                ("--positive", "1"),
                ("--seed", "12"),
            ]
            * 3
            + [
                ("--score-threshold", "nan"),
                ("--bootstrap", "-1"),
                ("--confidence", "1.5"),
                ("--min-group-size", "-1"),
                ("--max-groups", "2"),
                ("--seed", "1e3"),
            ]
        ),
        max_size=3,
    ),
)
@example(rows=[("1", "0", "a", "0.5"), ("0", "1", "b", "0.2")], options=[("--score-threshold", "nan")])
def test_evaluate_csv(capsys, rows, options):
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["y", "p", "g", "s"])
    writer.writerows(rows)
    extra = [a for o in options for a in o]
    prediction = (
        []
        if ("--score-threshold", "0.5") in options or ("--score-threshold", "nan") in options
        else ["--prediction", "p"]
    )
    with workspace() as w:
        name = write(w, "pred.csv", buf.getvalue())
        cli(
            capsys,
            w,
            "evaluate",
            name,
            "--label",
            "y",
            *prediction,
            "--score",
            "s",
            "--sensitive",
            "g",
            "--bootstrap",
            "5",
            *extra,
            "-o",
            "frag.yaml",
            outputs=("frag.yaml",),
        )
