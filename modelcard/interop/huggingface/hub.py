"""Optional online check of an exported README against the Hub's own metadata validator.

:func:`validate_online` posts the README to ``{endpoint}/api/validate-yaml``
(what ``huggingface_hub``'s ``RepoCard.validate`` does), where the endpoint
is ``HF_ENDPOINT`` or https://huggingface.co.  It never raises for the
network: when the Hub cannot be reached (no network, DNS failure, timeout,
``HF_HUB_OFFLINE=1``, a server error) the result is ``unavailable`` with the
reason, and the caller goes on without the check.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Literal

DEFAULT_ENDPOINT = "https://huggingface.co"
#: the most of a response that is read (the Hub's answers are a few lines)
MAX_RESPONSE = 64 * 1024


@dataclass(frozen=True)
class OnlineCheck:
    """What the Hub said: ``valid``, ``invalid`` (with its message) or ``unavailable`` (with the reason)."""

    status: Literal["valid", "invalid", "unavailable"]
    message: str
    endpoint: str


def endpoint() -> str:
    """The Hub endpoint: ``HF_ENDPOINT`` when set (as huggingface_hub reads it), else the public Hub."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def _text(raw: bytes) -> str:
    text = raw[:MAX_RESPONSE].decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict):
        for key in ("error", "message", "warnings"):
            if data.get(key):
                value = data[key]
                return "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text


def validate_online(readme: str, *, repo_type: str = "model", timeout: float = 10.0) -> OnlineCheck:
    """Ask the Hub whether ``readme``'s metadata is valid; never raises for network problems."""
    base = endpoint()
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return OnlineCheck("unavailable", "HF_HUB_OFFLINE is set", base)
    if not base.startswith(("https://", "http://")):
        return OnlineCheck("unavailable", f"HF_ENDPOINT {base!r} is not an http(s) URL", base)
    from modelcard import __version__

    request = urllib.request.Request(
        f"{base}/api/validate-yaml",
        data=json.dumps({"repoType": repo_type, "content": readme}).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "text/plain", "User-Agent": f"modelcard/{__version__}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return OnlineCheck("valid", _text(response.read(MAX_RESPONSE)), base)
    except urllib.error.HTTPError as exc:
        body = _text(exc.read(MAX_RESPONSE)) if exc.fp is not None else ""
        if exc.code == 400:
            return OnlineCheck("invalid", body or "the Hub refused the metadata", base)
        return OnlineCheck("unavailable", f"the Hub answered HTTP {exc.code}" + (f": {body}" if body else ""), base)
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        return OnlineCheck("unavailable", f"cannot reach {base} ({reason})", base)
