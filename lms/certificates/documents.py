"""A certificate's PDF: the page built from the certificate's frozen fields, its QR code, and the stored file.

Everything printed comes from the certificate row (copied at issue), never from the course, intake or
user as they are now, and nothing depends on the request or its locale: the same certificate always
renders to the same bytes, so a stored PDF can be checked against its SHA-256 or rebuilt.
"""
import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from babel.dates import format_date
from PIL import Image
from flask import current_app, render_template
from flask_babel import force_locale

from lms.certificates.models import Certificate
from lms.certificates.serials import compact
from lms.certificates.signing import sign_pdf
from lms.core.pdf import GENERATED_ORIGIN, render_pdf
from lms.core.urls import external_url
from lms.enrolment.models import DeliveryMode

log = logging.getLogger(__name__)

# What the certificate says: copied onto its row at issue, and all the page is made of (with serial and date).
PRINTED_FIELDS = ("name_latin", "name_native", "course_title", "course_title_zh", "course_hours", "intake_starts_on",
                  "intake_ends_on", "delivery_mode", "location", "programme_title", "programme_title_zh",
                  "completed_on")
TEMPLATE = "certificates/pdf/certificate.html"
STYLESHEETS = ("css/certificate.css",)
MODES_ZH = {DeliveryMode.ONLINE: "在线", DeliveryMode.FACE_TO_FACE: "面授", DeliveryMode.BLENDED: "混合式"}


@dataclass(frozen=True)
class Page:
    """What the certificate page prints, already formatted."""

    serial: str
    created: str
    name_latin: str
    name_native: str | None
    course_title: str
    course_title_zh: str
    hours: int
    dates_en: str
    dates_zh: str
    mode_en: str
    mode_zh: str
    location: str | None
    programme_title: str
    programme_title_zh: str
    issued_en: str
    issued_zh: str
    verification_url: str
    qr_url: str  # the QR code image, generated for the render (qr_png)

    @property
    def fit(self) -> str:
        """Size classes for the page's long fields: long text shrinks to fit, the footer never moves."""
        def size(text: str | None, *limits: int) -> str:
            length = len(text or "")
            return next((f"s{index}" for index, limit in enumerate(limits) if length <= limit), f"s{len(limits)}")

        body = sum(len(text or "") for text in (self.name_latin, self.name_native, self.course_title,
                                                 self.course_title_zh, self.location, self.programme_title))
        return " ".join((f"name-{size(self.name_latin, 40, 70)}", f"native-{size(self.name_native, 40, 70)}",
                         f"course-{size(self.course_title, 80, 140)}", f"programme-{size(self.programme_title, 100)}",
                         f"facts-{size(self.location, 60)}", "dense" if body > 450 else "roomy"))

    @property
    def url_head(self) -> str:
        """The verification URL up to the serial, so a line may break before it."""
        return self.verification_url.removesuffix(self.serial)


def verification_url(serial: str) -> str:
    """The public verification page of a serial, on the configured public address (never the request's Host)."""
    return external_url("certificates.verify_certificate", serial=serial)


QR_IMAGE = "qr.png"


QR_DARK, QR_LIGHT = b"\x12\x35\x5b", b"\xff\xff\xff"  # #12355b on white


def qr_png(url: str) -> bytes:
    """The QR code as a PNG with one pixel per module; the page scales it up without smoothing
    (image-rendering: pixelated), which costs WeasyPrint far less than drawing the modules as vectors.

    An RGB PNG, which WeasyPrint embeds as it is; a palette one (segno's) it converts and encodes again."""
    # A fixed mask: segno's choice among the eight costs about 35 ms in pure Python, more than the rest of
    # the certificate, and every reader decodes any mask.
    qr = segno.make_qr(url, error="m", boost_error=False, mask=0)
    pixels = b"".join(QR_DARK if module else QR_LIGHT for row in qr.matrix for module in row)
    out = io.BytesIO()
    Image.frombytes("RGB", (len(qr.matrix[0]), len(qr.matrix)), pixels).save(out, format="PNG")
    return out.getvalue()


def _clip(value: str | None, limit: int) -> str | None:
    """Text as stored, cut to its column's size (SQLite does not enforce lengths, and layout time grows with
    text), on one line: the page breaks its paragraphs' lines at newlines, so one stored in a field is a space."""
    return value[:limit].replace("\r", " ").replace("\n", " ") if value else value


def _day_en(day: date) -> str:
    return format_date(day, "d MMMM y", locale="en")


def _day_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _mode(value: str) -> tuple[str, str]:
    try:
        mode = DeliveryMode(value)
    except ValueError:
        return value, value
    return str(mode.label), MODES_ZH[mode]


def page_of(certificate: Certificate) -> Page:
    """The page's content; call it with the English locale forced, as certificate_html() does."""
    mode_en, mode_zh = _mode(_clip(certificate.delivery_mode, 20))
    url = verification_url(certificate.serial)
    starts, ends = certificate.intake_starts_on, certificate.intake_ends_on
    native = _clip(certificate.name_native, 120)
    return Page(
        serial=certificate.serial,
        created=certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        name_latin=_clip(certificate.name_latin, 120),
        name_native=native if native != certificate.name_latin else None,
        course_title=_clip(certificate.course_title, 200),
        course_title_zh=_clip(certificate.course_title_zh, 100),
        hours=certificate.course_hours,
        dates_en=f"{_day_en(starts)} – {_day_en(ends)}",
        dates_zh=f"{_day_zh(starts)}至{_day_zh(ends)}",
        mode_en=mode_en, mode_zh=mode_zh,
        location=_clip(certificate.location, 200),
        programme_title=_clip(certificate.programme_title, 200),
        programme_title_zh=_clip(certificate.programme_title_zh, 100),
        issued_en=_day_en(certificate.issued_at.date()),
        issued_zh=_day_zh(certificate.issued_at.date()),
        verification_url=url,
        qr_url=GENERATED_ORIGIN + QR_IMAGE,
    )


def certificate_html(certificate: Certificate) -> str:
    with force_locale("en"):  # the certificate is English and Chinese whoever's request issues it
        return render_template(TEMPLATE, c=page_of(certificate))


def certificate_images(certificate: Certificate) -> dict[str, tuple[bytes, str]]:
    """The images a certificate's page is rendered with: its QR code, generated for the render."""
    return {QR_IMAGE: (qr_png(verification_url(certificate.serial)), "image/png")}


def render_certificate(certificate: Certificate) -> bytes:
    """The certificate's PDF as issued: the page, its credential attached, signed by the programme.

    Every caller (issue, download, batch, jobs) comes through here, so every PDF is signed."""
    identifier = compact(certificate.serial).encode()
    images = certificate_images(certificate)
    page = render_pdf(certificate_html(certificate), stylesheets=STYLESHEETS, identifier=identifier, images=images)
    return sign_pdf(page, signing_time=certificate.issued_at, identifier=identifier,
                    credential_json=certificate.credential_json)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_name(certificate: Certificate) -> str:
    return f"{compact(certificate.serial)}.pdf"


def pdf_dir() -> Path:
    """The certificate store: certificates/ under PDF_DIR; a certificate's pdf_name is relative to PDF_DIR."""
    return Path(current_app.config["PDF_DIR"]) / "certificates"


def store_name(certificate: Certificate) -> str:
    return f"{pdf_dir().name}/{file_name(certificate)}"


def _stored_path(certificate: Certificate) -> Path:
    return Path(current_app.config["PDF_DIR"]) / certificate.pdf_name


def write_file(path: Path, data: bytes) -> None:
    """Writes all or nothing: a reader never sees half a PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store_pdf(certificate: Certificate) -> bytes:
    """Renders the certificate and keeps the PDF under PDF_DIR with its SHA-256 (done once, at issue)."""
    if certificate.id is not None and not certificate.credential_json:  # issued before credentials existed
        from lms.certificates.credentials import issue_credential

        issue_credential(certificate)
    data = render_certificate(certificate)
    certificate.pdf_name = store_name(certificate)
    write_file(_stored_path(certificate), data)
    certificate.pdf_sha256 = sha256(data)
    return data


def stored_pdf(certificate: Certificate) -> bytes:
    """The PDF as issued. One never stored (rendering failed at issue) is rendered and stored now, so
    commit afterwards; a lost file is rebuilt from the frozen fields and kept again if it matches."""
    if not certificate.pdf_sha256:
        return store_pdf(certificate)
    path = _stored_path(certificate)
    if path.is_file():
        data = path.read_bytes()
        if sha256(data) == certificate.pdf_sha256:
            return data
    data = render_certificate(certificate)
    if sha256(data) == certificate.pdf_sha256:
        write_file(path, data)
    else:  # never overwrite what was issued with something else; serve the rebuild and say so
        log.warning("certificate %s rebuilt with a different SHA-256 than at issue", certificate.serial)
    return data


def _file_stem(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-") or "trainee"


def zip_of(certificates: list[Certificate]) -> bytes:
    """The certificates' PDFs as issued, in one ZIP, each named after its holder and serial."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zip_file:  # PDFs are compressed already
        for certificate in certificates:
            zip_file.writestr(f"{_file_stem(certificate.name_latin)}-{certificate.serial}.pdf", stored_pdf(certificate))
    return archive.getvalue()
