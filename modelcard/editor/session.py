"""The card being edited: where it lives, the text edits apply to, its draft, and saving it.

One :class:`CardSession` per ``modelcard edit`` run.  It is the only code of
the editor that touches the file system, and it writes exactly two paths: the
card, and its draft ``.CARD.draft.json`` beside it.  Every method takes the
form's value (a JSON document) and works on the text that saving it would
write — the card's own text edited in place — so validation reports the very
``FILE:LINE:COL`` that ``modelcard validate`` will print after the save.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelcard.editor import _api
from modelcard.editor.formschema import depth, form_schema, form_value, to_card_data

#: how deeply a document from the page may nest (a card nests about 8 levels)
MAX_DEPTH = 64
DRAFT_FORMAT = "modelcard-editor-draft/1"
#: codes that only ``validate --strict`` reports: shown as to-do marks, not errors
STRICT_CODES = ("missing-recommended", "placeholder")


class EditorError(Exception):
    """A request the session refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, **extra: Any):
        super().__init__(message)
        self.status = status
        self.extra = extra


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def diagnostic_json(d: Any, *, strict_only: bool = False) -> dict[str, Any]:
    """A diagnostic for the page: the fields of ``validate --format json``, its text and its path as a list."""
    out: dict[str, Any] = d.to_dict()
    out["text"] = str(d)
    out["pointer"] = parse_path(d.path)
    if strict_only:  # `validate --strict` reports it as an error; the form calls it a to-do
        out["severity"] = "todo"
        where = f" ({d.path})" if d.path else ""
        out["text"] = f"{d.location}: to do: {d.message}{where} [{d.code}]"
    return out


def parse_path(path: str) -> list[Any]:
    """``"datasets[0].sha256"`` -> ``["datasets", 0, "sha256"]`` (the inverse of the loader's format_path)."""
    out: list[Any] = []
    token = ""
    i = 0
    while i < len(path):
        c = path[i]
        if c == ".":
            if token:
                out.append(token)
            token = ""
        elif c == "[":
            close = path.find("]", i)
            inner = path[i + 1 : close] if close > i else ""
            if close > i and inner.isdigit():
                if token:
                    out.append(token)
                token = ""
                out.append(int(inner))
                i = close
            else:
                token += c
        else:
            token += c
        i += 1
    if token:
        out.append(token)
    return out


@dataclass
class Disk:
    """The card file as it is on disk now."""

    exists: bool
    sha256: str | None = None
    text: str | None = None
    mtime: float | None = None


class CardSession:
    """The card file being edited (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.display = os.fspath(path)
        self.path = Path(os.path.abspath(self.display))
        self.fmt = "json" if self.path.suffix.lower() == ".json" else "yaml"
        self.draft_path = self.path.parent / f".{self.path.name}.draft.json"
        self.lock = threading.RLock()
        self.schema = _api.json_schema()
        self.form = form_schema(self.schema)
        self.base_text = ""
        self.base_sha: str | None = None
        self.base_data: dict[str, Any] = {}
        self.previews: dict[int, dict[str, Any]] = {}
        self.preview_rev = 0
        self.check_target()
        self.load()

    # ---- the file

    def check_target(self) -> None:
        """Refuse (UsageError) a card path the editor cannot own: wrong suffix, a folder, a device, no folder."""
        if self.path.suffix.lower() not in _api.CARD_SUFFIXES:
            raise _api.UsageError(f"{self.display}: a card is a .yaml, .yml or .json file")
        if os.path.lexists(self.path):
            _api.require_regular(self.display)
            if not os.access(self.path, os.W_OK):
                raise _api.UsageError(f"{self.display}: permission denied (the file is read-only)")
        elif not self.path.parent.is_dir():
            raise _api.UsageError(f"{self.display}: folder {os.path.dirname(self.display) or '.'} does not exist")

    def read_disk(self) -> Disk:
        if not os.path.lexists(self.path):
            return Disk(False)
        raw = _api.read_card_bytes(self.path)
        text = _api.decode(raw, self.display)
        return Disk(True, sha256(raw), text, self.path.stat().st_mtime)

    def load(self) -> None:
        """(Re)read the card from disk — or start from the ``init`` skeleton — as the base of the edits.

        Raises CardError when the file cannot be read as a card (a YAML syntax
        error, not a mapping): the form needs its structure.
        """
        with self.lock:
            disk = self.read_disk()
            text = self._base_text(disk)
            data = _api.parse(text, self.display)
            self.base_text, self.base_sha, self.base_data = text, disk.sha256, data

    def _base_text(self, disk: Disk, fallback: str | None = None) -> str:
        """The text edits apply to: the file's, or ``init``'s skeleton for no file or an empty one."""
        if disk.exists and (disk.text or "").strip():
            return disk.text or ""
        if not disk.exists and fallback is not None:
            return fallback
        text = _api.skeleton_text(self.path)  # `modelcard edit new.yaml`, or after `touch new.yaml`
        if self.fmt == "json":
            text = _api.card_text(_api.parse(text, "skeleton.yaml"), "json")
        return text

    def exists(self) -> bool:
        return self.base_sha is not None

    # ---- from the form's document to the text a save writes

    def check_document(self, document: Any) -> dict[str, Any]:
        if not isinstance(document, dict):
            raise EditorError("the document must be a JSON object (a card's sections)")
        if not depth(document, MAX_DEPTH):
            raise EditorError(f"the document nests more than {MAX_DEPTH} levels")
        return document

    def text_for(
        self, document: Any, base_text: str | None = None, *, rewrite: bool = False, fallback: bool = False
    ) -> tuple[str, bool]:
        """(the text saving ``document`` would write, whether it is the base text edited in place).

        The base text (the card as loaded, or ``init``'s skeleton) is edited in
        place, so everything the user did not change keeps its bytes.  When that
        is impossible (a changed value shared through a YAML anchor) the card is
        written anew only with ``rewrite`` (the user agreed) or ``fallback``
        (validation and preview, which write nothing); else EditorError 422.
        """
        document = self.check_document(document)
        base_text = self.base_text if base_text is None else base_text
        try:
            old = _api.parse(base_text, self.display)
        except _api.CardError:
            old, rewrite = {}, True  # the file on disk is broken: only a full rewrite can replace it
        data = to_card_data(document, old, self.schema)
        if rewrite:
            return _api.card_text(data, self.fmt), False
        try:
            return _api.update_text(base_text, self.display, data), True
        except _api.in_place_error() as exc:
            if fallback:
                return _api.card_text(data, self.fmt), False
            raise EditorError(f"{exc}", 422, can_rewrite=True) from None

    # ---- validation and preview

    def validate(self, document: Any) -> dict[str, Any]:
        """``modelcard validate`` (and ``--strict``) on the text a save would write."""
        text, in_place = self.text_for(document, fallback=True)
        _, plain = _api.validate_text(text, self.display)
        _, strict = _api.validate_text(text, self.display, strict=True)
        seen = {(d.path, d.code, d.message) for d in plain}
        todo = sorted(
            (d for d in strict if (d.path, d.code, d.message) not in seen and d.code in STRICT_CODES),
            key=lambda d: (d.line or 0, d.col or 0),
        )
        errors = [d for d in plain if d.severity == _api.ERROR]
        warnings = [d for d in plain if d.severity == _api.WARNING]  # a notice (info, e.g. old-schema) is neither
        return {
            "valid": not errors,
            "in_place": in_place,
            "counts": {"errors": len(errors), "warnings": len(warnings), "todo": len(todo)},
            "diagnostics": [diagnostic_json(d) for d in plain] + [diagnostic_json(d, strict_only=True) for d in todo],
        }

    def preview(self, document: Any) -> dict[str, Any]:
        """Render the HTML card and scorecard of ``document``; kept for ``GET /preview/REV/LAYOUT.html``."""
        text, _ = self.text_for(document, fallback=True)
        card, diagnostics = _api.validate_text(text, self.display)
        errors = [d for d in diagnostics if d.severity == _api.ERROR]
        if card is None or errors:
            n = len(errors) or 1
            return {
                "ok": False,
                "message": f"The preview shows a valid card: fix {n} error{'s' if n != 1 else ''} first.",
            }
        try:
            pages = _api.render_previews(card, self.path.parent)
        except _api.ModelcardError as exc:
            lines = [str(d) for d in exc.diagnostics] or [str(exc)]
            return {"ok": False, "message": "The templates could not render this card: " + "; ".join(lines)}
        with self.lock:
            self.preview_rev += 1
            rev = self.preview_rev
            self.previews[rev] = {layout: page["html"] for layout, page in pages.items()}
            for old in [r for r in self.previews if r < rev - 2]:  # keep the last three: frames may lag
                del self.previews[old]
        refused = sorted({ref for page in pages.values() for ref in page["refused"]})
        return {"ok": True, "rev": rev, "refused": refused}

    def preview_page(self, rev: int, layout: str) -> str | None:
        with self.lock:
            return self.previews.get(rev, {}).get(layout)

    # ---- saving

    def save(
        self, document: Any, base_sha: str | None, *, overwrite: bool = False, rewrite: bool = False
    ) -> dict[str, Any]:
        """Write the card, unless it changed on disk since ``base_sha`` (the hash the page loaded).

        ``base_sha`` is None for a card that did not exist.  A conflict raises
        EditorError 409; ``overwrite`` writes anyway, editing the text that is on
        disk now (so comments added there survive; its values give way to the form's).
        """
        with self.lock:
            disk = self.read_disk()
            if disk.sha256 != base_sha and not overwrite:
                what = "was deleted" if not disk.exists else "was created" if base_sha is None else "changed"
                raise EditorError(
                    f"{self.display} {what} on disk since it was loaded",
                    409,
                    conflict=True,
                    disk_sha256=disk.sha256,
                    exists=disk.exists,
                )
            base = self._base_text(disk, fallback=self.base_text)
            text, _ = self.text_for(document, base, rewrite=rewrite)
            self.check_target()
            _api.write_file(self.path, text)
            raw = text.encode("utf-8")
            self.base_text, self.base_sha = text, sha256(raw)
            self.base_data = _api.parse(text, self.display)
            self.discard_draft()
            _, diagnostics = _api.validate_text(text, self.display)
            errors = sum(1 for d in diagnostics if d.severity == _api.ERROR)
            return {"saved": True, "sha256": self.base_sha, "bytes": len(raw), "errors": errors, "path": self.display}

    # ---- the draft

    def _draft_writable(self) -> None:
        try:
            st = os.lstat(self.draft_path)
        except FileNotFoundError:
            return
        if not stat.S_ISREG(st.st_mode):  # a symlink, FIFO... planted there: never written through
            raise EditorError(f"{self.draft_path}: exists and is not a regular file; not writing the draft", 409)

    def save_draft(self, document: Any, base_sha: str | None) -> dict[str, Any]:
        document = self.check_document(document)
        saved_at = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        payload = {
            "format": DRAFT_FORMAT,
            "card": self.path.name,
            "base_sha256": base_sha,
            "saved_at": saved_at,
            "document": document,
        }
        with self.lock:
            self._draft_writable()
            _api.write_file(self.draft_path, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return {"saved_at": saved_at, "path": str(self.draft_path)}

    def read_draft(self) -> dict[str, Any] | None:
        """The draft, when there is one newer than the card (or the card does not exist yet)."""
        try:
            st = os.lstat(self.draft_path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or st.st_size > _api.MAX_BYTES:
            return None
        try:
            card_mtime = self.path.stat().st_mtime
        except OSError:
            card_mtime = None
        if card_mtime is not None and st.st_mtime <= card_mtime:
            return None
        try:
            payload = json.loads(self.draft_path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {"unreadable": True, "path": str(self.draft_path)}
        if (
            not isinstance(payload, dict)
            or payload.get("format") != DRAFT_FORMAT
            or not isinstance(payload.get("document"), dict)
        ):
            return {"unreadable": True, "path": str(self.draft_path)}
        return {
            "saved_at": payload.get("saved_at"),
            "document": payload["document"],
            "base_sha256": payload.get("base_sha256"),
            "path": str(self.draft_path),
            "same_base": payload.get("base_sha256") == self.base_sha,
        }

    def discard_draft(self) -> bool:
        with self.lock:
            try:
                st = os.lstat(self.draft_path)
            except FileNotFoundError:
                return False
            if not stat.S_ISREG(st.st_mode):
                return False
            os.unlink(self.draft_path)
            return True

    # ---- what the page loads

    def snapshot(self, *, reload: bool = True) -> dict[str, Any]:
        if reload:
            self.load()
        with self.lock:
            return {
                "card": self.display,
                "file": self.path.name,
                "format": self.fmt,
                "exists": self.exists(),
                "sha256": self.base_sha,
                "document": form_value(self.base_data, self.schema),
                "draft": self.read_draft(),
            }
