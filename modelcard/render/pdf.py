"""HTML -> PDF through WeasyPrint, fetching nothing the card did not declare.

This is the only module that imports WeasyPrint (the optional ``[pdf]``
extra), and only when a PDF is requested.

* **No network, no stray files.** WeasyPrint resolves every ``<img>``,
  stylesheet, font and SVG reference through a URL fetcher.  Ours serves
  ``data:`` URIs and regular files under the card's own folder (its declared
  assets); everything else (``http:``, ``https:``, ``ftp:``, ``file:`` outside
  that folder, symlinks escaping it) is refused and recorded in
  ``PdfResult.refused``.
* **No attachments, no unsafe links.** Before WeasyPrint sees the HTML,
  :func:`modelcard.render.markdown_text.safe_document` removes the ``attachment``
  link type from every ``rel`` (after decoding entities, so
  ``rel="&#97;ttachment"`` is caught) and every link that is not an absolute
  http(s)/mailto address or an in-document ``#fragment``.  After layout, the
  document's own record of links is checked again, whatever the HTML parser
  made of the markup: attachment links are dropped, and so are external links
  :func:`modelcard.safe_text.safe_url` refuses (a relative link would have
  become a ``file://`` link); no file is ever embedded.
* **Reproducible.** The creation and modification dates come from
  ``SOURCE_DATE_EPOCH`` when it is set (https://reproducible-builds.org/specs/source-date-epoch/),
  and the file identifier is a hash of the content, so two renders of the
  same card give byte-identical PDFs.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from modelcard.diagnostics import UsageError
from modelcard.render.markdown_text import card_asset, safe_document
from modelcard.safe_text import safe_url

INSTALL_HINT = (
    "PDF output needs WeasyPrint: pip install 'modelcard[pdf]' "
    "(it also needs the Pango library, e.g. apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
)


@dataclass
class PdfResult:
    pdf: bytes
    pages: int = 0
    refused: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)


def _weasyprint() -> Any:
    try:
        import weasyprint
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    except OSError as exc:  # the Python package is there, the system libraries are not
        raise UsageError(f"{INSTALL_HINT}; loading it failed: {exc}") from None
    return weasyprint


def source_date(epoch: int | None = None) -> _dt.datetime:
    """The document date: ``epoch``, else ``$SOURCE_DATE_EPOCH``, else now (UTC, whole seconds)."""
    if epoch is None:
        raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if raw:
            if not raw.isdigit():
                raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {raw!r}")
            epoch = int(raw)
    if epoch is None:
        return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc)


def make_fetcher(root: Path | None) -> Any:
    """A WeasyPrint URL fetcher serving ``data:`` URIs and files under ``root`` only."""
    _weasyprint()  # a clear error when WeasyPrint is missing
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed_root = Path(root).resolve() if root is not None else None

    class CardAssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols={"data", "file"}, allow_redirects=False)
            self.refused: list[str] = []
            self.fetched: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                self.fetched.append(url[:40])
                return super().fetch(url, headers)
            if scheme == "file" and allowed_root is not None:
                path = self._asset(url)
                if path is not None:
                    self.fetched.append(url)
                    return URLFetcherResponse(url, path.read_bytes(), {})
            self.refused.append(url)
            raise ValueError(f"modelcard does not fetch {url!r}: only the card's own files may be embedded")

        @staticmethod
        def _asset(url: str) -> Path | None:
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost") or allowed_root is None:
                return None
            return card_asset(allowed_root, Path(unquote(parts.path)))

    return CardAssetFetcher()


_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


def _with_dates(html: str, when: _dt.datetime) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = f'<meta name="dcterms.created" content="{stamp}"><meta name="dcterms.modified" content="{stamp}">'
    # drop any dates a (user) template set, so SOURCE_DATE_EPOCH always wins
    html = re.sub(r'<meta\s+name="dcterms\.(created|modified)"[^>]*>', "", html, flags=re.IGNORECASE)
    match = _HEAD_END.search(html)
    if match is None:
        return meta + html
    return html[: match.start()] + meta + html[match.start() :]


def _keep_link(link: tuple[Any, ...]) -> bool:
    """Whether a link WeasyPrint laid out may go into the PDF: in-document, or a safe address."""
    link_type, target = link[0], link[1]
    if link_type == "internal":
        return True
    return link_type == "external" and safe_url(target) is not None


def html_to_pdf(
    html: str, *, base_dir: os.PathLike[str] | str | None = None, source_date_epoch: int | None = None
) -> PdfResult:
    """Render an HTML document to PDF bytes with the restricted fetcher."""
    weasyprint = _weasyprint()
    root = Path(base_dir).resolve() if base_dir is not None else None
    fetcher = make_fetcher(root)
    html = _with_dates(html, source_date(source_date_epoch))
    base_url = (root.as_uri() + "/") if root is not None else None
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)  # refusals are reported by us, not as WeasyPrint tracebacks
    html = safe_document(html, pdf=True)
    try:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
        document.metadata.attachments = []  # never embed files, whatever the template says
        for page in document.pages:
            page.links[:] = [link for link in page.links if _keep_link(link)]
        pdf = document.write_pdf(pdf_identifier=True)
    finally:
        logger.setLevel(previous)
    return PdfResult(
        pdf=pdf, pages=len(document.pages), refused=list(dict.fromkeys(fetcher.refused)), fetched=fetcher.fetched
    )
