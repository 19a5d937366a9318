"""MkDocs hook: links from the documentation to files of the repository (an example card, SECURITY.md).

The pages are written to read well on GitHub too, where ``[the example](../examples/compas-recidivism.yaml)``
is a link into the repository. In the site, such a target is published with the site under ``repo/``
(``repo/examples/compas-recidivism.yaml``) and the link is rewritten to it. A link to a file that does
not exist is an error, so ``mkdocs build --strict`` fails on it like on any broken link; a link to a
folder goes to the folder's README.md when it has one, else it is an error too.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files, InclusionLevel

log = logging.getLogger("mkdocs.hooks.repo_files")

#: a Markdown link or image target (not an absolute URL, not an anchor)
_LINK = re.compile(r"(\]\()(?P<target>[^)\s#]+)(?P<anchor>#[^)\s]*)?(\))")
PREFIX = "repo"


def _repo(config: Any) -> Path:
    return Path(config["config_file_path"]).resolve().parent


def _outside(page_src: str, target: str, docs: Path, repo: Path) -> Path | None:
    """The repository path a relative link leaves the docs folder for, or None (a doc link, a URL)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
        return None
    resolved = (docs / os.path.dirname(page_src) / target).resolve()
    if resolved.is_relative_to(docs) or not resolved.is_relative_to(repo):
        return None
    return resolved


def on_files(files: Files, config: Any) -> Files:
    docs = Path(config["docs_dir"]).resolve()
    repo = _repo(config)
    wanted: set[Path] = set()
    for f in files.documentation_pages():
        text = Path(f.abs_src_path).read_text(encoding="utf-8") if f.abs_src_path else ""
        for m in _LINK.finditer(text):
            path = _outside(f.src_uri, m.group("target"), docs, repo)
            if path is not None and path.is_dir() and (path / "README.md").is_file():
                path = path / "README.md"
            if path is not None and path.is_file():
                wanted.add(path)
    for path in sorted(wanted):
        rel = path.relative_to(repo).as_posix()
        # included even when its name starts with a dot (.pre-commit-hooks.yaml), which MkDocs leaves out by default
        files.append(
            File.generated(config, f"{PREFIX}/{rel}", abs_src_path=str(path), inclusion=InclusionLevel.INCLUDED)
        )
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    docs = Path(config["docs_dir"]).resolve()
    repo = _repo(config)

    def rewrite(m: re.Match[str]) -> str:
        path = _outside(page.file.src_uri, m.group("target"), docs, repo)
        if path is None:
            return m.group(0)
        if path.is_dir() and (path / "README.md").is_file():
            path = path / "README.md"
        if not path.is_file():
            log.warning(f"{page.file.src_uri}: link to {m.group('target')}: no such file in the repository")
            return m.group(0)
        rel = path.relative_to(repo).as_posix()
        here = os.path.dirname(page.file.src_uri)
        new = os.path.relpath(f"{PREFIX}/{rel}", here or ".").replace(os.sep, "/")
        return f"{m.group(1)}{new}{m.group('anchor') or ''}{m.group(4)}"

    return _LINK.sub(rewrite, markdown)
