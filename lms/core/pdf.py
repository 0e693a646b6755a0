"""The one PDF path: every PDF (certificates, reports) is rendered here with WeasyPrint.

Rendering is locked down: the URL fetcher serves only files under the project's static folder,
through a private origin that never reaches the network; file:, http(s) to anywhere else, data:
and every other scheme are refused, and nothing follows a redirect. Attachments (`<link
rel="attachment">`, `<a rel="attachment">`) are dropped before the PDF is written, so nothing is
ever embedded. One FontConfiguration is shared by the process (a new one per document is slow and
leaks memory), and stylesheets named by `stylesheets=` are parsed once per process.
"""
import atexit
import copy
import gc
import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

_log = logging.getLogger(__name__)
from lms.core.line_breaks import with_break_opportunities

STATIC_ROOT = (Path(__file__).resolve().parent.parent.parent / "static").resolve()
# Relative URLs in PDF templates resolve against this origin; nothing is ever sent to it.
STATIC_ORIGIN = "https://static.lms.invalid/"
MAX_STATIC_BYTES = 5 * 1024 * 1024

_font_config: FontConfiguration | None = None
_stylesheets: dict[str, tuple[float, CSS]] = {}
_lock = threading.RLock()  # Pango objects shared through the font configuration are not thread-safe


class RefusedURL(ValueError):
    """A URL the PDF renderer is not allowed to fetch."""


class StaticFilesFetcher(URLFetcher):
    """Fetches only files under static/, named by the private static origin."""

    def __init__(self):
        # fetch() below never opens a connection; no redirect handler either, should anything call open().
        super().__init__(allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_ORIGIN):
            raise RefusedURL(f"refused: {url[:80]}")
        return URLFetcherResponse(url, body=static_file(url).read_bytes(),
                                  headers={"Content-Type": mimetypes.guess_type(url)[0] or "application/octet-stream"})


FETCHER = StaticFilesFetcher()  # one for the process; it keeps no state between fetches
# Images a render generates itself (a QR code) are served under this origin from that render's own bytes.
GENERATED_ORIGIN = "https://generated.lms.invalid/"


class GeneratedImagesFetcher(StaticFilesFetcher):
    """The static fetcher plus the images one render was handed (by name); nothing else is added."""

    def __init__(self, images: dict[str, tuple[bytes, str]]):
        super().__init__()
        self.images = images

    def with_images(self, images: dict[str, tuple[bytes, str]]) -> "GeneratedImagesFetcher":
        """This fetcher for other images, without building its handlers (and an SSL context) again."""
        fetcher = copy.copy(self)
        fetcher.images = images
        return fetcher

    def fetch(self, url, headers=None):
        name = url[len(GENERATED_ORIGIN):] if url.startswith(GENERATED_ORIGIN) else None
        if name in self.images:
            body, content_type = self.images[name]
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
        return super().fetch(url, headers)


_GENERATED_IMAGES = GeneratedImagesFetcher({})  # copied for each render's images


def static_file(url: str) -> Path:
    """The file under static/ that a static-origin URL names; RefusedURL for anything else."""
    relative = unquote(urlsplit(url).path).lstrip("/")
    path = (STATIC_ROOT / relative).resolve()
    if not path.is_relative_to(STATIC_ROOT) or not path.is_file():
        raise RefusedURL(f"not a static file: {relative[:80]}")
    if path.stat().st_size > MAX_STATIC_BYTES:
        raise RefusedURL(f"too large: {relative[:80]}")
    return path


def font_config() -> FontConfiguration:
    global _font_config
    with _lock:
        if _font_config is None:
            _font_config = FontConfiguration()
        return _font_config


@atexit.register
def _release_fonts() -> None:
    """Frees the shared Pango objects while their libraries are loaded: freed later, at interpreter
    teardown, they can crash the process on exit (a segmentation fault after all work is done)."""
    global _font_config
    with _lock:
        _stylesheets.clear()
        _font_config = None
    gc.collect()


def stylesheet(name: str) -> CSS:
    """A stylesheet under static/ (e.g. "css/certificate.css"), parsed once per process and again if edited.

    Its @font-face rules are loaded into the shared font configuration at the same time.
    """
    url = STATIC_ORIGIN + name
    modified = static_file(url).stat().st_mtime
    with _lock:
        cached = _stylesheets.get(name)
        if cached is None or cached[0] != modified:
            css = CSS(url=url, url_fetcher=FETCHER, font_config=font_config())
            cached = _stylesheets[name] = (modified, css)
        return cached[1]


def render_document(html: str, *, stylesheets: tuple[str, ...] = (), pdf_variant: str | None = "pdf/a-3b",
                    images: dict[str, tuple[bytes, str]] | None = None):
    """The laid-out WeasyPrint document (its pages' box trees), before it is written as a PDF.

    Lao, Khmer and Burmese text gets ICU's break opportunities first, so it wraps inside its boxes.
    `images` as for render_pdf.
    """
    with _lock:
        sheets = [stylesheet(name) for name in stylesheets]
        fetcher = _GENERATED_IMAGES.with_images(images) if images else FETCHER
        return HTML(string=with_break_opportunities(html), base_url=STATIC_ORIGIN, url_fetcher=fetcher).render(
            font_config=font_config(), stylesheets=sheets, pdf_variant=pdf_variant)


def render_pdf(html: str, *, stylesheets: tuple[str, ...] = (), identifier: bytes | None = None,
               pdf_variant: str | None = "pdf/a-3b", images: dict[str, tuple[bytes, str]] | None = None) -> bytes:
    """A PDF from an HTML string. The same HTML and identifier give the same bytes.

    Put `<meta name="dcterms.created" content="...">` in the template for a fixed creation date.
    `stylesheets` names files under static/ that are parsed once per process, unlike a <link> in the HTML.
    `images` maps a name to (bytes, media type) for images the caller generated, as GENERATED_ORIGIN + name.
    """
    try:
        with _lock:
            document = render_document(html, stylesheets=stylesheets, pdf_variant=pdf_variant, images=images)
            # Attachments are fetched only when the PDF is written: dropping them here means never.
            document.metadata.attachments = []
            for page in document.pages:
                page.links = [link for link in page.links if link[0] != "attachment"]
            return document.write_pdf(pdf_variant=pdf_variant, pdf_identifier=identifier, uncompressed_pdf=False)
    except Exception as error:
        _log.error("PDF render failed: %s", type(error).__name__, exc_info=True)
        raise
