"""The local HTTP server behind ``modelcard edit``.

Why the standard library's ``ThreadingHTTPServer``: the server has one user on
one machine, answers a handful of requests a second, and serves a fixed set of
files and a small JSON API.  A web framework would add a dependency (and its
own attack surface) for nothing this needs; threads keep the page responsive
while a preview renders.

Security (the page edits a file on the user's disk, so every other web page
the user has open is a potential attacker):

* a random session token (``secrets.token_urlsafe``) is required on *every*
  request — the page and its static files (``?token=`` in the URL, since a
  ``<script src>`` cannot send a header) and the API (only the
  ``X-Modelcard-Token`` header, never a cookie, so a cross-site form or image
  cannot use it: CSRF-safe); anything else gets 403;
* the ``Host`` header must name the server by a loopback name
  (``127.0.0.1``, ``localhost``, ``[::1]``) and its port, which defeats DNS
  rebinding; a cross-origin ``Origin`` on a POST is refused;
* only the opened card and its draft are ever written (no request names a path);
* request bodies are JSON, at most :data:`MAX_BODY` bytes (413 above), with a
  ``Content-Length`` (411 without);
* static files come from an allow-list (no directory listing, no path is
  ever joined from the URL);
* responses carry a Content Security Policy without ``unsafe-inline`` or
  ``unsafe-eval``, ``frame-ancestors 'none'``, ``nosniff``, ``no-referrer``;
  previews are separate documents in a sandboxed frame with their own CSP
  (no script at all, only their inline CSS and ``data:`` images);
* the server binds to loopback unless ``--allow-remote``, and stops on Ctrl-C
  and after ``idle_timeout`` seconds without an authenticated request.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import secrets
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from modelcard.editor import _api
from modelcard.editor.session import CardSession, EditorError

#: largest request body accepted (a card is at most 8 MiB of YAML; its JSON is smaller)
MAX_BODY = 8 * 1024 * 1024
DEFAULT_IDLE_TIMEOUT = 30 * 60
TOKEN_HEADER = "X-Modelcard-Token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

#: the static files the page uses: URL path -> (file under static/, content type)
STATIC_FILES = {
    "/static/editor.js": ("editor.js", "text/javascript; charset=utf-8"),
    "/static/editor.css": ("editor.css", "text/css; charset=utf-8"),
    "/static/vendor/jsoneditor.js": ("vendor/jsoneditor.js", "text/javascript; charset=utf-8"),
    "/static/vendor/jsoneditor.css": ("vendor/jsoneditor.css", "text/css; charset=utf-8"),
}

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
#: a rendered card: its own inline CSS and embedded images, no script, nothing fetched
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)

_PREVIEW_PATH = re.compile(r"^/preview/(\d{1,9})/(card|scorecard)\.html$")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address, IPv6 with or without brackets) is this machine only."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """``host`` as it appears in a URL (IPv6 addresses in brackets)."""
    name = host.strip("[]")
    return f"[{name}]" if ":" in name else name


class EditorServer(ThreadingHTTPServer):
    """Serves one :class:`CardSession` to a browser holding ``token``."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(
        self,
        session: CardSession,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str | None = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        allow_remote: bool = False,
        quiet: bool = True,
    ):
        if not allow_remote and not is_loopback(host):
            raise _api.UsageError(
                f"refusing to listen on {host}: it is not a loopback address (the editor "
                "writes files on this machine, so it serves only this machine unless "
                "`allow_remote` is given)",
                option="allow_remote",
            )
        self.address_family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
        if token is not None and not re.fullmatch(r"[A-Za-z0-9_-]{22,}", token):
            raise _api.UsageError("a session token is at least 22 URL-safe characters (A-Z a-z 0-9 _ -)")
        self.session = session
        self.token = token or secrets.token_urlsafe(32)
        self.idle_timeout = idle_timeout
        self.quiet = quiet
        self.bind_host = host.strip("[]")
        self.last_activity = time.monotonic()
        self.stop_reason: str | None = None
        self._static: dict[str, bytes] = {}
        super().__init__((self.bind_host, port), Handler)
        self.port = self.server_address[1]
        names = set(LOOPBACK_NAMES)
        if allow_remote:
            names.add(url_host(host))
            if host.strip("[]") in ("0.0.0.0", "::", ""):
                names.update(url_host(n) for n in (socket.gethostname(), socket.getfqdn()))
        self.allowed_hosts = {f"{n.lower()}:{self.port}" for n in names}
        self.allowed_origins = {f"http://{h}" for h in self.allowed_hosts}
        self._load_static()
        self._watchdog: threading.Thread | None = None

    @property
    def is_loopback_only(self) -> bool:
        return is_loopback(self.bind_host)

    # ---- what the user sees

    @property
    def url(self) -> str:
        host = (
            "127.0.0.1"
            if is_loopback(self.bind_host) or self.bind_host in ("0.0.0.0", "::")
            else url_host(self.bind_host)
        )
        if self.bind_host == "::1":
            host = "[::1]"
        return f"http://{host}:{self.port}/?token={self.token}"

    def _load_static(self) -> None:
        root = resources.files("modelcard.editor") / "static"
        for url_path, (name, _) in STATIC_FILES.items():
            self._static[url_path] = (root / name).read_bytes()
        self._page = (root / "index.html").read_text(encoding="utf-8")

    def page(self) -> bytes:
        return self._page.replace("__MODELCARD_TOKEN__", self.token).encode("utf-8")

    def static(self, url_path: str) -> bytes | None:
        return self._static.get(url_path)

    # ---- lifetime

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def start_watchdog(self) -> None:
        if self.idle_timeout and self.idle_timeout > 0:
            self._watchdog = threading.Thread(target=self._watch, name="modelcard-edit-idle", daemon=True)
            self._watchdog.start()

    def _watch(self) -> None:
        step = max(0.05, min(5.0, self.idle_timeout / 20))
        while self.stop_reason is None:
            time.sleep(step)
            if time.monotonic() - self.last_activity > self.idle_timeout:
                self.stop_reason = "idle"
                self.shutdown()
                return

    def serve(self) -> None:
        """Serve until Ctrl-C or the idle timeout."""
        self.start_watchdog()
        try:
            self.serve_forever(poll_interval=0.1)
        finally:
            self.server_close()

    def check_token(self, given: str | None) -> bool:
        if not given:
            return False
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode("ascii"))


class Handler(BaseHTTPRequestHandler):
    server: EditorServer
    server_version = "modelcard-edit"
    sys_version = ""
    timeout = 30  # seconds a client may take to send its request

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            # never log the query string: it holds the token
            sys.stderr.write(f"modelcard edit: {self.command} {urlsplit(self.path).path} {args[1:2]}\n")

    # ---- responses

    def _send(self, status: int, body: bytes, content_type: str, *, csp: str = API_CSP, frame: str = "DENY") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", frame)
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed requests (bad request line, headers too long): a JSON answer with the usual headers."""
        self.close_connection = True
        try:
            self._error(code, message or self.responses.get(code, ("error",))[0])
        except OSError:
            pass

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _error(self, status: int, message: str, **extra: Any) -> None:
        self._json(status, {"error": message, **extra})

    # ---- the gate every request passes

    def _allowed(self, *, query_token: bool) -> bool:
        """Host, token (and, for POST, Origin) checks; answers 403 itself when they fail."""
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.allowed_hosts:
            self._error(403, "forbidden: unexpected Host header (open the URL modelcard edit printed)")
            return False
        given = self.headers.get(TOKEN_HEADER)
        if given is None and query_token:
            values = parse_qs(urlsplit(self.path).query).get("token", [])
            given = values[0] if len(values) == 1 else None
        if not self.server.check_token(given):
            self._error(403, "forbidden: missing or wrong session token")
            return False
        origin = self.headers.get("Origin")
        if self.command == "POST" and origin is not None and origin.lower() not in self.server.allowed_origins:
            self._error(403, "forbidden: cross-origin request")
            return False
        self.server.touch()
        return True

    def _body(self) -> Any | None:
        """The JSON body of a POST, or None after answering 400/411/413/415."""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            self._error(415, "the body must be JSON (Content-Type: application/json)")
            return None
        if self.headers.get("Transfer-Encoding"):
            self._error(411, "send the body with a Content-Length, not chunked")
            return None
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._error(411, "a Content-Length is required")
            return None
        size = int(length)
        if size > MAX_BODY:
            self._error(413, f"request body of {size} bytes is over the {MAX_BODY // 1048576} MiB limit")
            return None
        raw = self.rfile.read(size)
        if len(raw) != size:
            self._error(400, "the request body ended early")
            return None
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as exc:
            self._error(400, f"the body is not valid JSON: {exc}")
        except RecursionError:
            self._error(400, "the body nests too deeply")
        return None

    # ---- methods

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        api = path.startswith("/api/")
        if not self._allowed(query_token=not api):
            return
        try:
            if path == "/":
                self._send(200, self.server.page(), "text/html; charset=utf-8", csp=PAGE_CSP)
            elif path in STATIC_FILES:
                self._send(200, self.server.static(path) or b"", STATIC_FILES[path][1], csp=PAGE_CSP)
            elif path == "/api/session":
                self._json(200, self.server.session.snapshot())
            elif path == "/api/schema":
                self._json(200, self.server.session.form)
            elif _PREVIEW_PATH.match(path):
                m = _PREVIEW_PATH.match(path)
                page = self.server.session.preview_page(int(m.group(1)), m.group(2))  # type: ignore[union-attr]
                if page is None:
                    self._error(404, "no such preview (it was replaced by a newer one)")
                else:
                    self._send(
                        200, page.encode("utf-8"), "text/html; charset=utf-8", csp=PREVIEW_CSP, frame="SAMEORIGIN"
                    )
            else:
                self._error(404, "not found")
        except Exception as exc:
            self._failure(exc)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if not self._allowed(query_token=False):
            return
        routes = {
            "/api/validate": self._validate,
            "/api/preview": self._preview,
            "/api/save": self._save,
            "/api/draft": self._draft,
            "/api/draft/discard": self._discard,
        }
        handler = routes.get(path)
        if handler is None:
            self._error(404, "not found")
            return
        body = self._body()
        if body is None:
            return
        if not isinstance(body, dict):
            self._error(400, "the body must be a JSON object")
            return
        try:
            handler(body)
        except Exception as exc:
            self._failure(exc)

    def _method_not_allowed(self) -> None:
        if self._allowed(query_token=False):
            self._error(405, "method not allowed")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _method_not_allowed

    def _failure(self, exc: BaseException) -> None:
        from modelcard.editor._api import CardError, ModelcardError

        if isinstance(exc, EditorError):
            self._error(exc.status, str(exc), **exc.extra)
        elif isinstance(exc, CardError):
            from modelcard.editor.session import diagnostic_json

            self._error(422, str(exc), diagnostics=[diagnostic_json(d) for d in exc.diagnostics])
        elif isinstance(exc, ModelcardError):
            self._error(422 if exc.exit_code == 1 else 409, str(exc))
        else:
            self._error(500, f"internal error: {type(exc).__name__}: {exc}")

    # ---- API

    def _validate(self, body: dict[str, Any]) -> None:
        self._json(200, self.server.session.validate(body.get("document")))

    def _preview(self, body: dict[str, Any]) -> None:
        self._json(200, self.server.session.preview(body.get("document")))

    def _save(self, body: dict[str, Any]) -> None:
        base = body.get("base_sha256")
        if base is not None and not isinstance(base, str):
            raise EditorError("base_sha256 must be text or null")
        result = self.server.session.save(
            body.get("document"), base, overwrite=body.get("overwrite") is True, rewrite=body.get("rewrite") is True
        )
        self._json(200, result)

    def _draft(self, body: dict[str, Any]) -> None:
        base = body.get("base_sha256")
        self._json(200, self.server.session.save_draft(body.get("document"), base if isinstance(base, str) else None))

    def _discard(self, body: dict[str, Any]) -> None:
        self._json(200, {"discarded": self.server.session.discard_draft()})


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a card can hold")
