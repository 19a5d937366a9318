"""``modelcard edit CARD``: fill a card in the browser."""

from __future__ import annotations

import argparse

DESCRIPTION = """Start a local web editor for CARD: a form generated from the card schema
(required and recommended fields marked, each field's guidance as help), live
validation with the same located diagnostics as `modelcard validate`, and a
live preview of the HTML card and scorecard. Saving writes CARD atomically and
keeps its comments and formatting for everything you did not change; a change
made to CARD on disk meanwhile is detected and you are asked. Unsaved work is
autosaved to a draft beside the card (.CARD.draft.json) and offered back when
you start again. CARD may not exist yet: the form then starts from the
`modelcard init` skeleton and the file is written on the first save.

The first line of standard output is the URL to open (it carries a random
session token; the server answers nothing without it). The server listens on
127.0.0.1 only, and stops on Ctrl-C or after --idle-timeout seconds without a
request."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("card", metavar="CARD", help="card file to edit (.yaml, .yml or .json); created on save")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1; others need --allow-remote)"
    )
    p.add_argument("--port", type=_port, default=0, help="port to listen on (default: 0, any free port)")
    p.add_argument("--no-browser", action="store_true", help="print the URL but do not open a browser")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (anyone who can reach it and has the URL can edit)",
    )
    p.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=1800.0,
        metavar="SECONDS",
        help="stop after this many seconds without a request (default: 1800; 0: never)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log each request on standard error")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got '{text}'") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a finite number of seconds, 0 or more")
    return value


def run(args: argparse.Namespace) -> int:
    import sys

    from modelcard.editor import start

    server = start(
        args.card,
        host=args.host,
        port=args.port,
        allow_remote=args.allow_remote,
        idle_timeout=args.idle_timeout,
        quiet=not args.verbose,
    )
    print(server.url, flush=True)
    session = server.session
    state = "editing" if session.exists() else "new card (written on the first save)"
    print(f"modelcard edit: {args.card}: {state}; press Ctrl-C to stop", file=sys.stderr, flush=True)
    if args.allow_remote and not server.is_loopback_only:
        print(
            "modelcard edit: warning: listening beyond this machine; the URL and its token travel unencrypted (HTTP)",
            file=sys.stderr,
            flush=True,
        )
    if not args.no_browser:
        _open_browser(server.url)
    try:
        server.serve()
    except KeyboardInterrupt:
        server.stop_reason = "interrupted"
        server.server_close()
    why = {"idle": f"stopped after {args.idle_timeout:g} s without a request", "interrupted": "stopped (Ctrl-C)"}.get(
        server.stop_reason or "", "stopped"
    )
    draft = " unsaved changes are kept in " + str(session.draft_path) if session.draft_path.exists() else ""
    print(f"modelcard edit: {why};{draft or ' nothing unsaved'}", file=sys.stderr, flush=True)
    return 0


def _open_browser(url: str) -> None:
    import sys
    import threading
    import webbrowser

    def go() -> None:
        try:
            opened = webbrowser.open(url)
        except Exception:
            opened = False
        if not opened:
            print("modelcard edit: no browser could be opened; open the URL above", file=sys.stderr, flush=True)

    threading.Thread(target=go, name="modelcard-edit-browser", daemon=True).start()
