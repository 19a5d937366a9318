"""The `modelcard-validate` pre-commit hook, run by real `pre-commit try-repo` on a temporary repo.

pre-commit builds its own virtualenv and pip-installs this package from a git
repository, so the test needs PyPI (or a warm pip cache), as CI has.  The
source repository handed to try-repo is a fresh commit of this checkout's
files (tracked and untracked-but-not-ignored): try-repo itself only carries
over changes to *tracked* files, which would miss new modules in a working copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ROOT / ".pre-commit-hooks.yaml"

BAD_CARD = """\
card:
  schema_version: "1.0"
  autors:
    - name: someone
model:
  name: bad
  version: 1.0
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path) -> str:
    env = dict(os.environ, **GIT_ENV)
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def test_manifest_declares_the_hook():
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "modelcard-validate")
    assert hook["entry"] == "modelcard validate"
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    for name in (
        "modelcard.yaml",
        "model_card.yml",
        "docs/MODEL-CARD.json",
        "models/churn.card.yaml",
        "modelcards/churn.yaml",
        "model_cards/a/b.json",
    ):
        assert pattern.search(name), name
    for name in ("config.yaml", ".pre-commit-config.yaml", "card.yaml", "notmodelcard.yaml", "modelcard.yaml.bak"):
        assert not pattern.search(name), name


@pytest.fixture(scope="module")
def source_repo(tmp_path_factory) -> Path:
    """A committed copy of this checkout, as a user would reference it with `repo:`."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    src = tmp_path_factory.mktemp("modelcard-src")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, src / rel)
    git("init", "-q", cwd=src)
    git("add", "-A", cwd=src)
    git("commit", "-q", "-m", "snapshot", cwd=src)
    return src


@pytest.mark.slow
def test_pre_commit_try_repo_passes_good_and_fails_bad_cards(source_repo, tmp_path, example_path):
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    git("init", "-q", cwd=project)
    shutil.copy(example_path, project / "modelcard.yaml")
    (project / "models" / "bad.card.yaml").write_text(BAD_CARD, encoding="utf-8")
    (project / "config.yaml").write_text("not: a card\n", encoding="utf-8")  # must not be checked
    git("add", "-A", cwd=project)

    pre_commit = Path(sys.executable).with_name("pre-commit")
    cmd = [
        str(pre_commit) if pre_commit.exists() else "pre-commit",
        "try-repo",
        str(source_repo),
        "modelcard-validate",
        "--all-files",
        "--color",
        "never",
    ]
    env = dict(os.environ, **GIT_ENV)
    env.pop("PRE_COMMIT_HOME", None)
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    if proc.returncode == 3 and (
        "Could not find a version" in out or "ConnectionError" in out or "Temporary failure in name resolution" in out
    ):
        pytest.skip("pre-commit could not install the hook's environment (no package index)")

    assert proc.returncode == 1, out
    assert "validate model cards" in out and "Failed" in out, out
    # the bad card: located errors; the good card: valid; other YAML: not looked at
    assert "models/bad.card.yaml:3:3: error: unknown key 'autors'; did you mean 'authors'?" in out, out
    assert re.search(r"models/bad\.card\.yaml:7:12: error: .*write it in quotes", out), out
    assert "modelcard.yaml: valid" in out, out
    assert "config.yaml" not in out.replace(".pre-commit-config.yaml", ""), out
