"""ARCHITECTURE.md's rules, read from the source: the dependency order of packages, and no CLI flag in a
library message.  Both parse the code (``ast``) rather than import it, so every import counts: at the top,
inside functions and under ``TYPE_CHECKING``."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "modelcard"
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")

#: may import anything (ARCHITECTURE.md: "api.py and cli/ may import anything"), as may the package's own
#: ``__init__``/``__main__``
TOP = {"api", "cli", "__init__", "__main__"}


def _order() -> dict[str, int]:
    """package -> rank, from the line of the "Dependency rule" section (``a, b → c → ...``)."""
    section = ARCHITECTURE.split("## Dependency rule", 1)[1]
    line = re.search(r"```\n(.+?)\n```", section, re.S).group(1).strip()
    return {name.strip(): rank for rank, names in enumerate(line.split("→")) for name in names.split(",")}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _package(module: str) -> str:
    """``modelcard.schema.models`` -> ``schema``; ``modelcard.safe_text`` -> ``safe_text``; ``modelcard`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


@functools.cache
def _lazy_names() -> dict[str, str]:
    """``modelcard/__init__.py``'s ``_LAZY``: public name -> the module that defines it."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name) and target.id == "_LAZY":
                return dict(ast.literal_eval(node.value))
    raise AssertionError("modelcard/__init__.py has no _LAZY table")


def _from_root(name: str) -> str:
    """What ``from modelcard import name`` imports: a subpackage, the module behind a public name, or the root."""
    if (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file():
        return f"modelcard.{name}"
    return _lazy_names().get(name, "modelcard")  # e.g. __version__: the root itself


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _statements(body: list[ast.stmt], in_function: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement under ``body`` (imports are statements: expressions need no visit), and whether
    it is inside a function."""
    for node in body:
        yield node, in_function
        inside = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, name, None) or ():
                yield from _statements([child] if isinstance(child, ast.stmt) else child.body, inside)


def _imports(path: Path) -> list[tuple[int, str, bool]]:
    """(line, imported modelcard module, inside a function) for every import of ``path``."""
    found = []
    for node, in_function in _statements(_tree(path).body, False):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path}:{node.lineno}: relative import"
            names = [_from_root(a.name) for a in node.names] if node.module == "modelcard" else [node.module or ""]
        else:
            continue
        found += [(node.lineno, n, in_function) for n in names if n.split(".")[0] == "modelcard"]
    return found


def _facade(module: str, imported: str, in_function: bool) -> bool:
    """The one documented exception: ``ModelCard``'s methods import ``modelcard.api`` when called."""
    return module == "modelcard.schema.models" and imported == "modelcard.api" and in_function


def test_the_order_names_every_package():
    order = _order()
    packages = {_package(m) for m in _modules()} - TOP
    assert packages <= set(order), f"packages missing from ARCHITECTURE.md's order: {packages - set(order)}"
    assert {"api", "cli"} <= set(order)


def test_every_import_follows_the_dependency_order():
    order = _order()
    wrong = []
    for module, path in _modules().items():
        me = _package(module)
        if me in TOP:
            continue
        for line, imported, in_function in _imports(path):
            other = _package(imported)
            if other in ("__init__", me) or _facade(module, imported, in_function):
                continue
            rank = order.get(other, len(order))  # not in the order: above everything
            if rank > order[me] or (rank == order[me] and rank != 0):  # diagnostics may use safe_text
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {me} imports {imported} ({other})")
    assert not wrong, "imports against ARCHITECTURE.md's dependency rule:\n" + "\n".join(wrong)


def test_the_checker_sees_imports_inside_functions():
    facade = [i for i in _imports(PACKAGE / "schema" / "models.py") if i[1] == "modelcard.api"]
    assert facade and all(in_function for _, _, in_function in facade)


# --------------------------------------------------------------------------
# the library never names command-line flags

#: a command-line flag: ``--strict`` (not ``---`` fences, not CSS ``var(--x)``)
FLAG = re.compile(r"(?<![\w(-])--[a-z][a-z0-9-]*")
#: a whole command line, which may name its flags: ``modelcard validate --strict CARD``
COMMAND_LINE = re.compile(r"\bmodelcard [a-z]+\b[^`'\"\n]*")


def _texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string the code writes: docstrings aside, an f-string as one text ("{}" per value)."""
    tree = _tree(path)
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))  # a docstring
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in ast.walk(node) if v is not node)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            out.append((node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            out.append((node.lineno, node.value))
    return out


def test_the_library_never_names_a_command_line_flag():
    """Messages name API parameters in backquotes (`max_groups`); only the CLI turns them into flags."""
    wrong = []
    for module, path in _modules().items():
        if _package(module) == "cli":
            continue
        for line, text in _texts(path):
            for flag in FLAG.findall(COMMAND_LINE.sub("", text)):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {flag} in {text[:80]!r}")
    assert not wrong, "library strings naming command-line flags:\n" + "\n".join(wrong)


def test_the_flag_checker_sees_flags_and_spares_command_lines():
    texts = [
        "give --prediction COLUMN",
        "`filter` 'x': no column; or use --filter",
        "run `modelcard validate --strict CARD` and fix --strict",
    ]
    found = [FLAG.findall(COMMAND_LINE.sub("", t)) for t in texts]
    assert found == [["--prediction"], ["--filter"], ["--strict"]]
    assert FLAG.findall(COMMAND_LINE.sub("", "|---|---| var(--mc-ink) `modelcard init {} --resume`")) == []


def test_the_cli_shows_parameters_as_flags():
    from modelcard.cli import error_text, flag_text
    from modelcard.diagnostics import UsageError

    assert flag_text("give `prediction`, or `score` with `score_threshold`") == (
        "give --prediction, or --score with --score-threshold"
    )
    assert error_text(UsageError("'x': not a number", option="bootstrap")) == "--bootstrap 'x': not a number"
    assert error_text(UsageError("`positive` names a class", option="positive")) == "--positive names a class"
    assert error_text(UsageError("'a=': bad", option="references")) == "--reference 'a=': bad"
    assert error_text(UsageError("run `modelcard migrate x`")) == "run `modelcard migrate x`"
