"""``modelcard edit``: a local browser editor for a card.

A form generated from the card's JSON Schema (by the vendored
`@json-editor/json-editor` library, see ``static/vendor/README.md``), live
validation by the project's own rules, a live preview rendered by the
project's templates, and saves that keep the file's comments and formatting.

    from modelcard.editor import start

    server = start("card.yaml")          # binds 127.0.0.1 on a free port
    print(server.url)                     # http://127.0.0.1:PORT/?token=...
    server.serve()                        # until Ctrl-C or the idle timeout

Modules: :mod:`._api` (the only import of the rest of modelcard),
:mod:`.formschema` (schema for the form, form values back to card data),
:mod:`.session` (the card file, its draft, saving), :mod:`.server` (HTTP).
"""

from __future__ import annotations

import os
from typing import Any


def start(
    card: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    allow_remote: bool = False,
    idle_timeout: float = 1800.0,
    token: str | None = None,
    quiet: bool = True,
) -> Any:
    """Open ``card`` (which may not exist yet) and bind the editor's server; call ``.serve()`` to run it.

    Raises UsageError for a host that is not loopback without ``allow_remote``,
    a card path that cannot be a card, and CardError for a card whose YAML
    cannot be read as a mapping.
    """
    from modelcard.editor.server import EditorServer, is_loopback
    from modelcard.editor.session import CardSession

    if not allow_remote and not is_loopback(host):
        from modelcard.editor._api import UsageError

        raise UsageError(
            f"refusing to listen on {host}: it is not a loopback address (the editor writes "
            "files on this machine, so it serves only this machine unless `allow_remote` is given)",
            option="allow_remote",
        )
    session = CardSession(card)
    try:
        return EditorServer(
            session, host, port, token=token, idle_timeout=idle_timeout, allow_remote=allow_remote, quiet=quiet
        )
    except OSError as exc:
        from modelcard.editor._api import UsageError

        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
