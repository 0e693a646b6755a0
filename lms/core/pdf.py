"""The one PDF path: every PDF (certificates, reports) is rendered here with WeasyPrint.

Rendering is locked down: the URL fetcher serves only files under the project's static folder,
through a private origin that never reaches the network; file:, http(s) to anywhere else, data:
and every other scheme are refused, and nothing follows a redirect. One FontConfiguration is
shared by the process (a new one per document is slow and leaks memory).
"""
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ROOT = (Path(__file__).resolve().parent.parent.parent / "static").resolve()
# Relative URLs in PDF templates resolve against this origin; nothing is ever sent to it.
STATIC_ORIGIN = "https://static.lms.invalid/"
MAX_STATIC_BYTES = 5 * 1024 * 1024

_font_config: FontConfiguration | None = None
_font_config_lock = threading.Lock()


class RefusedURL(ValueError):
    """A URL the PDF renderer is not allowed to fetch."""


class StaticFilesFetcher(URLFetcher):
    """Fetches only files under static/, named by the private static origin."""

    def __init__(self):
        super().__init__(timeout=1, allowed_protocols=["https"], allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_ORIGIN):
            raise RefusedURL(f"refused: {url[:80]}")
        parts = urlsplit(url)
        relative = unquote(parts.path).lstrip("/")
        path = (STATIC_ROOT / relative).resolve()
        if not path.is_relative_to(STATIC_ROOT) or not path.is_file():
            raise RefusedURL(f"not a static file: {relative[:80]}")
        if path.stat().st_size > MAX_STATIC_BYTES:
            raise RefusedURL(f"too large: {relative[:80]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def font_config() -> FontConfiguration:
    global _font_config
    with _font_config_lock:
        if _font_config is None:
            _font_config = FontConfiguration()
        return _font_config


def render_pdf(html: str, *, identifier: bytes | None = None, pdf_variant: str | None = "pdf/a-3b") -> bytes:
    """A PDF from an HTML string. The same HTML and identifier give the same bytes.

    Put `<meta name="dcterms.created" content="...">` in the template for a fixed creation date.
    """
    document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=StaticFilesFetcher())
    return document.write_pdf(font_config=font_config(), pdf_variant=pdf_variant, pdf_identifier=identifier,
                              uncompressed_pdf=False)
