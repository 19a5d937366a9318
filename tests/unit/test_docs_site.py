"""The README's two commands, .ci/run and the documentation site agree (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from modelcard.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
MAIN_JOB = (ROOT / "docs" / "snippets" / "main-job.sh").read_text(encoding="utf-8").strip()
TEST = (ROOT / "docs" / "snippets" / "test.sh").read_text(encoding="utf-8").strip()


def _commands(text: str) -> list[str]:
    """Lines of shell code, without comments and blank lines."""
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def test_readme_shows_the_two_commands_the_docs_include():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    assert any(b.strip() == MAIN_JOB for b in blocks), "README's set-up command differs from docs/snippets/main-job.sh"
    assert any(b.strip() == TEST for b in blocks), "README's test command differs from docs/snippets/test.sh"


def test_ci_runs_the_readme_test_command_after_the_same_set_up():
    lines = _commands(CI)
    assert lines[-1] == TEST  # the test command, exactly, last
    # the same set-up as the README: a venv at .venv with the package installed editable with the test extra
    assert "python3 -m venv .venv" in lines and "python3 -m venv .venv" in MAIN_JOB
    installs = [ln for ln in lines if "pip install" in ln]
    assert installs == [".venv/bin/pip install -e '.[test]'"], installs  # the README's install, nothing more
    assert "pip install -e '.[test]'" in MAIN_JOB
    # and the documentation site is built strictly (broken links fail), outside the checkout
    assert any(re.search(r"mkdocs build --strict .*--site-dir \"\$site_dir\"", ln) for ln in lines)


def test_readme_has_a_separate_user_install_line():
    assert "pip install '.[pdf]'" in README


def test_every_command_has_a_docs_page_in_the_nav():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    pages: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            pages.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)

    walk(config["nav"])
    for name in COMMANDS:
        page = f"commands/{name}.md"
        assert page in pages, page
        assert (ROOT / "docs" / page).is_file(), page
        assert f"| [`{name}`](docs/{page}) |" in README, f"README's command table lacks {name}"
    for page in pages:
        assert (ROOT / "docs" / page).is_file(), page
