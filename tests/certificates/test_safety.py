"""Nothing a name, a course title or any other value says can make the PDF renderer read a file or reach the network."""
import socket
import time

import pytest

from lms.certificates.documents import render_certificate
from lms.core import pdf
from lms.core.pdf import STATIC_ORIGIN, RefusedURL, StaticFilesFetcher, render_pdf, stylesheet
from tests.certificates.helpers import unsaved_certificate
from tests.certificates.pdf_checks import reader, text_of

HUGE_DATA_URI = "data:image/png;base64," + "A" * 3_000_000
PAYLOADS = [
    '<img src="file:///etc/passwd">',
    "file:///dev/urandom",
    '<style>@import url("/etc/passwd");</style>',
    '<p style="background: url(../../../../etc/passwd)">',
    '<style>@import "http://127.0.0.1/";</style>',
    '<div style="background-image: url(http://169.254.169.254/latest/meta-data/)">',
    '<link rel="attachment" href="file:///etc/passwd">',
    f'<img src="{HUGE_DATA_URI}">',
]


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the renderer asks for from now on, and whether it was refused; the network is cut off."""
    stylesheet("css/certificate.css")  # parsed once per process, with its font, before we start counting
    asked = []
    fetch = StaticFilesFetcher.fetch

    def recording_fetch(self, url, headers=None):
        try:
            response = fetch(self, url, headers)
        except RefusedURL:
            asked.append((url[:80], "refused"))
            raise
        asked.append((url[:80], "served"))
        return response

    def no_network(*args, **kwargs):
        raise AssertionError("the PDF renderer tried to open a network connection")

    monkeypatch.setattr(StaticFilesFetcher, "fetch", recording_fetch)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    return asked


def timed(render):
    started = time.perf_counter()
    data = render()
    return data, time.perf_counter() - started


def assert_nothing_embedded(data: bytes) -> None:
    pdf = reader(data)
    root = pdf.trailer["/Root"]
    assert pdf.attachments == {}
    assert "/EmbeddedFiles" not in root.get("/Names", {}) and "/AF" not in root
    for page in pdf.pages:
        assert all(annotation.get_object()["/Subtype"] != "/FileAttachment" for annotation in page.get("/Annots", []))
        xobjects = page["/Resources"].get("/XObject", {})
        assert all(xobject.get_object()["/Subtype"] != "/Image" for xobject in xobjects.values())


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda payload: payload[:40])
def test_hostile_text_in_any_field_is_printed_as_text_and_never_fetched(fetched, payload):
    render_certificate(unsaved_certificate())  # warm, so the timing below is the hostile render's own
    certificate = unsaved_certificate(
        name_latin=payload, name_native=payload, course_title=payload, course_title_zh=payload, location=payload,
        programme_title=payload, programme_title_zh=payload, delivery_mode=payload)
    data, seconds = timed(lambda: render_certificate(certificate))
    assert fetched == []
    assert seconds < 1.0, seconds
    assert_nothing_embedded(data)
    text = text_of(data).replace(" ", "")  # long values wrap, and a line break reads as a space
    if payload.startswith('<img src="data:'):
        assert '<imgsrc="data:image/png;base64,AAAA' in text  # cut to the column's size, printed as text
    else:
        assert payload.replace(" ", "") in text


def test_hostile_markup_that_reaches_the_renderer_is_refused_and_nothing_is_embedded(fetched):
    """Defence in depth: even markup that escaped the templates' escaping fetches and embeds nothing."""
    markup = "".join(PAYLOADS) + """
        <link rel="attachment" href="css/app.css" title="a static file">
        <a rel="attachment" href="css/app.css">attached link</a>
        <object data="file:///etc/passwd"></object>
        <img src="http://127.0.0.1:5000/">
        <style>@font-face { font-family: Stolen; src: url(file:///usr/share/fonts/truetype/noto/NotoSans-Regular.ttf); }
               p { font-family: Stolen; background: url(%2e%2e/%2e%2e/etc/passwd) }</style>
        <p>Still rendered</p>"""
    data, seconds = timed(lambda: render_pdf(markup))
    assert seconds < 1.0, seconds
    assert_nothing_embedded(data)
    assert "Still rendered" in text_of(data)
    assert fetched and all(outcome == "refused" for _url, outcome in fetched), fetched
    assert not any("css/app.css" in url for url, _outcome in fetched)  # attachments are never even fetched


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "file:///dev/urandom", "http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/",
    "https://example.org/style.css", "data:text/css,p{color:red}", "ftp://127.0.0.1/x",
    STATIC_ORIGIN + "../../../../etc/passwd", STATIC_ORIGIN + "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    STATIC_ORIGIN + "css/../../lms/core/pdf.py", STATIC_ORIGIN + "css/", STATIC_ORIGIN + "css/missing.css",
    "https://static.lms.invalid.example.org/css/app.css",
])
def test_the_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(RefusedURL):
        StaticFilesFetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_follows_no_redirects():
    response = StaticFilesFetcher().fetch(STATIC_ORIGIN + "css/certificate.css")
    assert b"@page" in response.read() and response.content_type == "text/css"
    assert not any(type(handler).__name__ == "HTTPRedirectHandler" for handler in StaticFilesFetcher().handlers)
    assert pdf.MAX_STATIC_BYTES <= 5 * 1024 * 1024
